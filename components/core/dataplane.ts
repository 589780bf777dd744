// Which data plane carries the mesh: Envoy sidecars injected into every pod, or Istio's ambient mode
// (a ztunnel per node for mTLS and L4 policy, waypoint proxies only where L7 is needed). The pure facts
// that follow from the choice live here; components and config validation read them.

export const dataplaneModes = ["sidecar", "ambient"] as const;
export type DataplaneMode = (typeof dataplaneModes)[number];

/**
 * How a namespace joins the mesh. Sidecar: Istio's injection webhook adds Envoy to every new pod.
 * Ambient: istio-cni redirects every pod to its node's ztunnel (`istio.io/dataplane-mode: ambient`;
 * istio-cni's default enablementSelectors). Exactly one of the two, never both: a namespace carrying
 * both would get sidecars that ztunnel then skips, which is neither mode.
 */
export function namespaceEnrollmentLabels(mode: DataplaneMode): Record<string, string> {
    return mode === "ambient" ? { "istio.io/dataplane-mode": "ambient" } : { "istio-injection": "enabled" };
}

/**
 * A pod-template annotation that exists only in ambient mode. Switching modes adds or removes it, so
 * every Deployment the stack owns rolls: its new pods start without a sidecar (ambient) or with one
 * (sidecar). Without a roll, running pods would keep the data plane they started with.
 */
export const dataplaneAnnotation = "iks-mesh.io/dataplane";

export function dataplanePodAnnotations(mode: DataplaneMode): Record<string, string> {
    return mode === "ambient" ? { [dataplaneAnnotation]: mode } : {};
}

/** `{annotations}` only when there are any, so a sidecar-mode object keeps the exact inputs it had. */
export function withAnnotations(annotations: Record<string, string>): { annotations?: Record<string, string> } {
    return Object.keys(annotations).length > 0 ? { annotations } : {};
}
