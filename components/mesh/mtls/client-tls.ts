// Which client TLS setting reaches each of the stack's own DestinationRules, the way Istio resolves them.
//
// Istio applies one DestinationRule per host: the most specific. Rules for the same host (and namespace)
// are merged, the first top-level trafficPolicy kept; a wildcard rule (`*.<ns>.svc.cluster.local`) is
// never merged into a specific one (pilot/pkg/model/destination_rule.go, mergeDestinationRule: "it does
// not perform inheritance style merging"). The samples have specific rules of their own (their version
// subsets), so a wildcard client policy from `mtls.clientPolicies` would never reach them. The stack
// therefore carries the wildcard's TLS setting into each of its own specific rules in that namespace,
// and the mTLS analysis (mesh-model.ts) sees exactly those rules.
import { hostNamespace } from "../../config/cross-checks";
import { ClientPolicyConfig, StackConfig } from "../../config/schema";
import { serviceHost } from "../../core/routes";
import { mtlsExceptionAnnotation } from "../../core/istio-names";

/** A client TLS mode a specific rule takes over from a wildcard client policy. */
export interface CarriedClientTls {
    mode: ClientPolicyConfig["mode"];
    /** The config key it comes from, e.g. `mtls.clientPolicies[0]`. */
    source: string;
    exception: boolean;
}

/** Recorded on a rule that carries a wildcard's TLS, so `kubectl get destinationrule -o yaml` says where it came from. */
export const carriedFromAnnotation = "iks-mesh.io/client-tls-from";

const isWildcard = (host: string) => host.startsWith("*.");

/**
 * The wildcard client policy's TLS for one of the stack's own specific rules, or undefined. A client
 * policy for the exact host wins instead: Istio merges same-host rules, so that policy's own
 * DestinationRule supplies the traffic policy to the service's subsets.
 */
export function carriedClientTls(config: StackConfig, service: string, namespace: string): CarriedClientTls | undefined {
    const host = serviceHost(service, namespace);
    const policies = config.mtls.clientPolicies;
    if (policies.some((policy) => policy.host === host)) {
        return undefined;
    }
    const index = policies.findIndex((policy) => isWildcard(policy.host) && hostNamespace(policy.host) === namespace);
    if (index === -1) {
        return undefined;
    }
    return { mode: policies[index].mode, source: `mtls.clientPolicies[${index}]`, exception: policies[index].exception };
}

/** The trafficPolicy and annotations a specific rule gets from a carried wildcard (empty without one). */
export function carriedRuleParts(carried: CarriedClientTls | undefined): {
    trafficPolicy?: { tls: { mode: string } };
    annotations: Record<string, string>;
} {
    if (!carried) {
        return { annotations: {} };
    }
    return {
        trafficPolicy: { tls: { mode: carried.mode } },
        annotations: {
            [carriedFromAnnotation]: carried.source,
            ...(carried.exception ? { [mtlsExceptionAnnotation]: `${carried.source}.exception in the stack config` } : {}),
        },
    };
}
