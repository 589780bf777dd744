// Ambient data plane checks (istio.dataplane: ambient): instead of sidecars, the node proxy ztunnel must
// run on every node and every sample namespace must be enrolled; the waypoints the stack deploys (Gateway
// API Gateways of class istio-waypoint) must be Programmed, or the L7 policies bound to them deny all.
import { StackConfig } from "../../components/config/schema";
import { sampleNamespaces } from "../../components/inventory";
import { waypointName } from "../../components/mesh/authorization/ambient";
import { namespaceEnrollmentLabels } from "../../components/core/dataplane";
import { CheckResult, fail, pass, skip } from "./report";

export const ambientCheckIds = { ztunnel: "ztunnel-ready", waypoints: "waypoints-programmed" } as const;

/** Where Istio's ambient chart installs ztunnel (a DaemonSet named ztunnel). */
export const ztunnelDaemonSet = { namespace: "istio-system", name: "ztunnel" } as const;

const [enrollmentKey, enrollmentValue] = Object.entries(namespaceEnrollmentLabels("ambient"))[0];

/** The sample namespaces the stack deploys, each of which it enrolls in the mesh. */
export function enrolledSampleNamespaces(config: StackConfig): string[] {
    return [
        ...(config.wordpress.enabled ? [sampleNamespaces.wordpress] : []),
        ...(config.bookinfo.enabled ? [sampleNamespaces.bookinfo] : []),
        ...(config.httpbin.enabled ? [sampleNamespaces.httpbin] : []),
    ];
}

/** Whether a namespace's labels enroll its pods in ambient mode (a pod may still opt out with `none`). */
export function namespaceEnrolledInAmbient(labels: Readonly<Record<string, string>> | undefined): boolean {
    return labels?.[enrollmentKey] === enrollmentValue;
}

interface NamespaceLike {
    metadata?: { name?: string; labels?: Record<string, string> };
}

/** Labels per namespace name from `kubectl get namespace a b -o json` (a List, or one Namespace). */
export function namespaceLabelsOf(json: string): Map<string, Record<string, string>> {
    const parsed = JSON.parse(json) as NamespaceLike & { items?: NamespaceLike[] };
    const items = parsed.items ?? [parsed];
    return new Map(items.flatMap((item) => item.metadata?.name ? [[item.metadata.name, item.metadata.labels ?? {}] as const] : []));
}

interface DaemonSetLike {
    status?: { desiredNumberScheduled?: number; numberReady?: number };
}

/**
 * ztunnel carries all of a node's mesh traffic, so a node without a ready ztunnel cuts its enrolled pods
 * off: ready means numberReady == desiredNumberScheduled (DaemonSetStatus, apps/v1), and at least one.
 * Every enrolled sample namespace must carry the enrollment label, or its pods are outside the mesh.
 */
export function decideZtunnel(daemonSetJson: string, namespacesJson: string, expectedNamespaces: readonly string[]): CheckResult {
    const id = ambientCheckIds.ztunnel;
    const status = (JSON.parse(daemonSetJson) as DaemonSetLike).status ?? {};
    const desired = status.desiredNumberScheduled ?? 0;
    const ready = status.numberReady ?? 0;
    if (desired === 0) {
        return fail(id, `DaemonSet ${ztunnelDaemonSet.namespace}/${ztunnelDaemonSet.name} is scheduled on no node`);
    }
    if (ready !== desired) {
        return fail(id, `ztunnel is ready on ${ready} of ${desired} nodes: pods on the others have no data plane`);
    }
    const labels = namespaceLabelsOf(namespacesJson);
    const unenrolled = expectedNamespaces.filter((namespace) => !namespaceEnrolledInAmbient(labels.get(namespace)));
    if (unenrolled.length > 0) {
        return fail(id, `ztunnel is ready on ${ready} of ${desired} nodes, but ${unenrolled.join(", ")} lack${unenrolled.length === 1 ? "s" : ""} ` +
            `${enrollmentKey}=${enrollmentValue}: those pods are outside the mesh`);
    }
    const enrolled = expectedNamespaces.length > 0 ? `; ${expectedNamespaces.join(", ")} enrolled` : "";
    return pass(id, `ztunnel is ready on ${ready} of ${desired} nodes${enrolled}`);
}

interface GatewayLike {
    metadata?: { name?: string };
    spec?: { gatewayClassName?: string };
    status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

/**
 * Each expected waypoint (Gateway `waypoint` in its namespace) must report the Gateway API v1 condition
 * Programmed=True: istiod has deployed its proxy and the address is usable. `gatewaysByNamespace` holds
 * `kubectl get gateways.gateway.networking.k8s.io -n <ns> -o json` per namespace; the namespaces expected
 * are plannedWaypointNamespaces(config), the ones the stack gives a waypoint.
 */
export function decideWaypoints(gatewaysByNamespace: ReadonlyMap<string, string>, expectedNamespaces: readonly string[]): CheckResult {
    const id = ambientCheckIds.waypoints;
    if (expectedNamespaces.length === 0) {
        return skip(id, "the stack deploys no waypoint (no sample namespace has L7 authorization rules)");
    }
    const problems: string[] = [];
    for (const namespace of expectedNamespaces) {
        const json = gatewaysByNamespace.get(namespace);
        const items = json === undefined ? [] : (JSON.parse(json) as { items?: GatewayLike[] }).items ?? [];
        const gateway = items.find((item) => item.metadata?.name === waypointName);
        if (!gateway) {
            problems.push(`${namespace}/${waypointName} is missing`);
            continue;
        }
        const programmed = gateway.status?.conditions?.find((condition) => condition.type === "Programmed");
        if (programmed?.status !== "True") {
            const why = programmed ? `Programmed=${programmed.status ?? "?"}${programmed.reason ? ` (${programmed.reason})` : ""}` : "no Programmed condition";
            problems.push(`${namespace}/${waypointName} is not programmed: ${why}`);
        }
    }
    const names = expectedNamespaces.map((namespace) => `${namespace}/${waypointName}`).join(", ");
    return problems.length > 0 ? fail(id, problems.join("; ")) : pass(id, `waypoint${expectedNamespaces.length === 1 ? "" : "s"} ${names} Programmed`);
}
