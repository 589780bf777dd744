// The namespaces this stack creates besides Istio's root namespace: one table, in the lowest layer, so that
// the config's cross-checks (which may not import the inventory) and the components that create the
// namespaces read the same names. components/inventory.ts and edge/enroute/values.ts re-export them.
import { istioRootNamespace } from "./istio-names";

/** Namespaces of the samples (httpbin lives in `httptools`, beside other HTTP tools, not in a namespace of its own name). */
export const sampleNamespaces = {
    wordpress: "wordpress",
    bookinfo: "bookinfo",
    httpbin: "httptools",
} as const;

/** EnRoute's namespace (edge/enroute). */
export const enrouteNamespace = "enroute";

/** What is switched on: each sample, and EnRoute. */
export interface ManagedParts {
    wordpress: boolean;
    bookinfo: boolean;
    httpbin: boolean;
    enroute: boolean;
}

/** Namespaces this stack manages, given which parts are switched on: Istio's root namespace first. */
export function managedNamespaces(enabled: ManagedParts): string[] {
    return [
        istioRootNamespace,
        ...(["wordpress", "bookinfo", "httpbin"] as const).filter((sample) => enabled[sample]).map((sample) => sampleNamespaces[sample]),
        ...(enabled.enroute ? [enrouteNamespace] : []),
    ];
}
