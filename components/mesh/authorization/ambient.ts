// Authorization in ambient mode. ztunnel enforces only L4 (principals, namespaces, ports); a policy with L7
// fields (paths, methods, hosts) must be bound to a waypoint, or ztunnel denies all traffic to what it
// selects (istio.io "Use Layer 4 security policy": a policy with L7 rules enforced by ztunnel is treated as
// DENY). So a sample namespace whose policies have any L7 rule gets a waypoint, and every policy with rules
// in it is also enforced there, where the caller's identity is still visible. Pure functions; the
// Authorization component and the preview-time analysis read them.
import { StackConfig } from "../../config/schema";
import { AuthorizationPolicySpec, IstioAuthorizationPolicySpec, IstioAuthorizationRule, TargetRef, authorizationPolicySpecs } from "./rules";
import { DataplaneMode, namespaceEnrollmentLabels } from "../../core/dataplane";
import { MeshWorkload, ingressGatewayWorkload, principal, sampleWorkloads } from "../mesh-inventory";

/** Istio's default namespace waypoint name (istioctl waypoint apply; constants.DefaultNamespaceWaypoint). */
export const waypointName = "waypoint";
/** The waypoint's GatewayClass (constants.WaypointGatewayClassName). */
export const waypointClassName = "istio-waypoint";
/** Istio names the waypoint's ServiceAccount after the Gateway (the waypoint class sets no name suffix). */
export const waypointServiceAccount = waypointName;

const gatewayApiGroup = "gateway.networking.k8s.io";

/**
 * The `pulumi.com/waitFor` value that holds a waypoint's creation until istiod has deployed it: the Gateway
 * API `Programmed` condition, which istiod's gateway controller sets once the waypoint's Deployment and
 * Service exist (`npm run verify` checks the same condition). The provider's `condition=<type>` form, as
 * `kubectl wait --for=condition=...` (@pulumi/kubernetes ≥ 4.18; pulumi/pulumi-kubernetes#1260 and #3318 show `condition=Ready`).
 */
export const waypointWaitFor = "condition=Programmed";

/** The fields of a Gateway API `gateway.networking.k8s.io/v1` GatewaySpec (gatewayClassName, Listener) a waypoint sets. */
export interface WaypointGatewaySpec {
    gatewayClassName: string;
    listeners: { name: string; port: number; protocol: "HBONE" }[];
}

/** The Gateway API object of a namespace waypoint, as `istioctl waypoint generate` writes it (1.30.3). */
export function waypointGatewaySpec(): WaypointGatewaySpec {
    return {
        gatewayClassName: waypointClassName,
        listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }],
    };
}

/**
 * Namespace labels that route a namespace's Service traffic through its waypoint, including traffic from
 * the ingress gateway, which otherwise goes straight to the pods (istiod: ENABLE_INGRESS_WAYPOINT_ROUTING
 * honours `istio.io/ingress-use-waypoint` on the Service or its namespace).
 */
export const waypointNamespaceLabels: Readonly<Record<string, string>> = {
    "istio.io/use-waypoint": waypointName,
    "istio.io/ingress-use-waypoint": "true",
};

/**
 * Labels of a Service whose traffic split lives in the ingress gateway's VirtualService (the WordPress
 * canary). With `istio.io/ingress-use-waypoint: "true"` in force, istiod hands the gateway the waypoint's
 * endpoints for every cluster of the Service, its subset clusters included: the waypoint lookup comes
 * before the subset filter (pilot/pkg/xds/endpoints/endpoint_builder.go BuildClusterLoadAssignment /
 * findServiceWaypoint at 1.30.3), and the waypoint then balances over all the Service's pods, which turns
 * 90/10 into about 50/50. A label on the Service wins over the namespace's
 * (pilot/pkg/serviceregistry/ambient/services.go ingressUseWaypointFromLabels at 1.30.3), so "false" here
 * keeps the gateway sending to the pods by subset while the namespace's other Services (a user's route)
 * still go through the waypoint. Set in every ambient stack, so a waypoint added later (by the stack for a
 * user route, or by hand with `istioctl waypoint apply --enroll-namespace`) cannot break the split either.
 * ztunnel still enforces the Service's L4 rules on the direct path (the gateway's allow stays for ztunnel).
 */
export function gatewaySplitServiceLabels(mode: DataplaneMode): Record<string, string> {
    return mode === "ambient" ? { "istio.io/ingress-use-waypoint": "false" } : {};
}

const l7OperationFields = ["paths", "notPaths", "methods", "notMethods", "hosts", "notHosts"];
const l7SourceFields = ["requestPrincipals", "notRequestPrincipals"];

/**
 * What the L7 check reads of any AuthorizationPolicy spec, the stack's or one read back from a run: every
 * Source and Operation field and the Conditions' keys (Rule in the AuthorizationPolicy CRD), not only the
 * fields the stack sets, so a field it does not write yet is still seen.
 */
export interface AnalysedAuthorizationSpec {
    rules?: readonly {
        from?: readonly { source?: Readonly<Record<string, unknown>> }[];
        to?: readonly { operation?: Readonly<Record<string, unknown>> }[];
        when?: readonly { key?: string }[];
    }[];
}

/** The L7 fields a policy uses (empty: ztunnel can enforce it). */
export function l7FieldsOf(spec: AnalysedAuthorizationSpec): string[] {
    const rules = spec.rules ?? [];
    const fields = rules.flatMap((rule) => [
        ...(rule.to ?? []).flatMap((to) => Object.keys(to.operation ?? {}).filter((key) => l7OperationFields.includes(key))),
        ...(rule.from ?? []).flatMap((from) => Object.keys(from.source ?? {}).filter((key) => l7SourceFields.includes(key))),
        ...(rule.when ?? []).flatMap((condition) => condition.key?.startsWith("request.") ? [condition.key] : []),
    ]);
    return [...new Set(fields)].sort();
}

/** Namespaces that need a waypoint: those with at least one policy ztunnel cannot enforce. */
export function waypointNamespaces(policies: readonly AuthorizationPolicySpec[]): string[] {
    return [...new Set(policies.filter((policy) => l7FieldsOf(policy.spec).length > 0).map((policy) => policy.namespace))].sort();
}

/** The Service in front of the pods a selector picks, if the inventory knows one. */
function serviceFor(workloads: readonly MeshWorkload[], namespace: string, selector: IstioAuthorizationPolicySpec["selector"]): string | undefined {
    const labels = selector?.matchLabels;
    if (!labels) {
        return undefined;
    }
    const matching = workloads.filter((workload) => workload.namespace === namespace
        && Object.entries(labels).every(([key, value]) => workload.podLabels[key] === value));
    const services = [...new Set(matching.flatMap((workload) => workload.service ? [workload.service.name] : []))];
    return services.length === 1 ? services[0] : undefined;
}

/** A rule without `ports` in its operations; an operation left empty, and a `to` left empty, go too. */
function withoutPorts(rule: IstioAuthorizationRule): IstioAuthorizationRule {
    const to = (rule.to ?? []).flatMap((entry) => {
        const { ports: _ports, ...operation } = entry.operation;
        return Object.keys(operation).length > 0 ? [{ ...entry, operation }] : [];
    });
    const { to: _to, ...others } = rule;
    return to.length > 0 ? { ...others, to } : others;
}

/**
 * A policy as the waypoint enforces it: bound with targetRefs instead of a pod selector. A selector that
 * picks one Service's pods binds to that Service, and its container ports are dropped (the policy is
 * already scoped to the Service, and at the waypoint a request is addressed to the Service's port, not
 * the pod's). A policy without a selector binds to the namespace waypoint itself.
 */
function boundToWaypoint(policy: AuthorizationPolicySpec, workloads: readonly MeshWorkload[], name: string): AuthorizationPolicySpec {
    const { selector, ...rest } = policy.spec;
    const service = serviceFor(workloads, policy.namespace, selector);
    if (selector !== undefined && !service) {
        throw new Error(`authorization ${policy.namespace}/${policy.name}: its selector picks no single Service to bind at the waypoint`);
    }
    const targetRef: TargetRef = service ? { group: "", kind: "Service", name: service } : { group: gatewayApiGroup, kind: "Gateway", name: waypointName };
    const rules = service ? (policy.spec.rules ?? []).map(withoutPorts) : policy.spec.rules ?? [];
    // A policy without rules (the namespace's allow-nothing) stays without: bound to the waypoint it makes
    // the waypoint deny what no other policy allows, as ztunnel does for the pods.
    return { name, namespace: policy.namespace, spec: { ...rest, targetRefs: [targetRef], ...(rules.length > 0 ? { rules } : {}) } };
}

/**
 * The policies of ambient mode. Namespaces without L7 rules keep theirs as they are: ztunnel enforces
 * them. In a namespace with a waypoint, L4 policies (the deny-all included) stay for ztunnel and are also
 * enforced at the waypoint, and L7 ones only at the waypoint. ztunnel lets the waypoint's identity
 * through: traffic that passed the waypoint reaches the pod under the waypoint's identity, so the caller's
 * identity is checked at the waypoint.
 */
export function ambientAuthorizationPolicies(policies: readonly AuthorizationPolicySpec[], workloads: readonly MeshWorkload[]): AuthorizationPolicySpec[] {
    const withWaypoint = new Set(waypointNamespaces(policies));
    const result: AuthorizationPolicySpec[] = [];
    for (const policy of policies) {
        if (!withWaypoint.has(policy.namespace)) {
            result.push(policy);
            continue;
        }
        if (policy.spec.targetRefs !== undefined) {
            // Already bound at the waypoint by name (a user route's Service the inventory does not know).
            result.push(policy);
        } else if (l7FieldsOf(policy.spec).length > 0) {
            result.push(boundToWaypoint(policy, workloads, policy.name));
        } else {
            result.push(policy, boundToWaypoint(policy, workloads, `${policy.name}-at-waypoint`));
        }
    }
    for (const namespace of withWaypoint) {
        result.push({
            name: "allow-waypoint",
            namespace,
            spec: { action: "ALLOW", rules: [{ from: [{ source: { principals: [principal(namespace, waypointServiceAccount)] } }] }] },
        });
    }
    return result;
}

/** The AuthorizationPolicies the stack applies, for either data plane (none with authorization.enabled false). */
export function plannedAuthorizationPolicies(config: StackConfig): AuthorizationPolicySpec[] {
    if (!config.authorization.enabled) {
        return [];
    }
    const policies = authorizationPolicySpecs(config);
    return config.istio.dataplane === "ambient"
        ? ambientAuthorizationPolicies(policies, [ingressGatewayWorkload, ...sampleWorkloads(config)])
        : policies;
}

/** The namespaces that get a waypoint: ambient mode only, where a policy of the stack needs L7. */
export function plannedWaypointNamespaces(config: StackConfig): string[] {
    return config.istio.dataplane === "ambient" && config.authorization.enabled ? waypointNamespaces(authorizationPolicySpecs(config)) : [];
}

/** A sample namespace's labels: its enrollment, plus the waypoint labels where it has a waypoint. */
export function sampleNamespaceLabels(config: StackConfig, namespace: string): Record<string, string> {
    return {
        ...namespaceEnrollmentLabels(config.istio.dataplane),
        ...(plannedWaypointNamespaces(config).includes(namespace) ? waypointNamespaceLabels : {}),
    };
}
