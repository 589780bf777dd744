// Istio's names and ports as this stack uses them: leaf facts that the charts' values, the gateway, the
// policy analysis and the samples all share.

/** Istio's root namespace: mesh-wide policy lives here, and the gateway runs here too. */
export const istioRootNamespace = "istio-system";

/** Naming the gateway release `istio-ingressgateway` makes the chart label its pods `istio: ingressgateway`. */
export const gatewayReleaseName = "istio-ingressgateway";
export const gatewaySelector = { istio: "ingressgateway" } as const;

/**
 * Recorded on the mesh PeerAuthentication when the stack config chose a non-STRICT mesh, so the
 * policy pack (policy/) can tell a deliberate opt-out from a mistake.
 */
export const mtlsOptOutAnnotation = "iks-mesh.io/mtls-opt-out";

/** Recorded on a client rule the stack config accepted as an exception (`exception: true`), for the same reason. */
export const mtlsExceptionAnnotation = "iks-mesh.io/mtls-exception";

/** The Istio Gateway resource every external route binds to. */
export const meshGatewayName = "mesh-gateway";

/** How a VirtualService in another namespace refers to the mesh gateway. */
export const meshGatewayRef = `${istioRootNamespace}/${meshGatewayName}`;
