// The preview-time check of ambient authorization: a policy ztunnel cannot enforce (L7 fields) that is not
// bound to a waypoint makes ztunnel deny all traffic to the pods it selects, and a binding to a waypoint
// the stack does not deploy binds to nothing. Both stop the run before any resource is registered.
import { StackConfig } from "../../config/schema";
import { AuthorizationPolicySpec } from "./rules";
import { l7FieldsOf, plannedAuthorizationPolicies, plannedWaypointNamespaces, waypointName } from "./ambient";
import { Finding, formatFinding } from "../mtls/analysis";

export function ambientAuthorizationFindings(policies: readonly AuthorizationPolicySpec[], waypointNamespaces: readonly string[]): Finding[] {
    return policies.flatMap((policy): Finding[] => {
        const ref = `AuthorizationPolicy ${policy.namespace}/${policy.name}`;
        const targetRefs = policy.spec.targetRefs ?? [];
        const l7 = l7FieldsOf(policy.spec);
        if (l7.length > 0 && targetRefs.length === 0) {
            return [{
                severity: "error",
                message: `${ref} has L7 rules (${l7.join(", ")}) that ztunnel cannot enforce and no waypoint to enforce them: ` +
                    `in ambient mode ztunnel would deny all traffic to ${policy.spec.selector ? "the pods it selects" : `every pod in ${policy.namespace}`}`,
                objects: [ref],
                fix: `bind it to the namespace's waypoint with targetRefs (Gateway ${waypointName}), or drop its L7 fields`,
            }];
        }
        if (targetRefs.length > 0 && !waypointNamespaces.includes(policy.namespace)) {
            return [{
                severity: "error",
                message: `${ref} binds to ${targetRefs.map((target) => `${target.kind} ${target.name}`).join(", ")}, ` +
                    `but ${policy.namespace} has no waypoint, so nothing enforces it`,
                objects: [ref],
                fix: `deploy the waypoint ${waypointName} in ${policy.namespace} and label the namespace istio.io/use-waypoint=${waypointName}`,
            }];
        }
        return [];
    });
}

/** The check on what the stack would apply, as pre-flight problems (none in sidecar mode). */
export function ambientAuthorizationProblems(config: StackConfig): string[] {
    if (config.istio.dataplane !== "ambient") {
        return [];
    }
    return ambientAuthorizationFindings(plannedAuthorizationPolicies(config), plannedWaypointNamespaces(config))
        .map((finding) => `ambient authorization: ${formatFinding(finding)}`);
}
