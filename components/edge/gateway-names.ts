// Names shared by the gateway and everything that routes through it.
import { istioRootNamespace } from "../mesh/istio-values";

/** The Istio Gateway resource every external route binds to. */
export const meshGatewayName = "mesh-gateway";

/** How a VirtualService in another namespace refers to the mesh gateway. */
export const meshGatewayRef = `${istioRootNamespace}/${meshGatewayName}`;
