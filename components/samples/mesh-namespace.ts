// A mesh namespace, labelled for the stack's data plane: sidecar injection or ambient enrollment (and, in
// ambient mode, its waypoint).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * A sample namespace waits for IstioMesh.dataplaneReady (pass it in `opts.dependsOn`): its labels enroll its
 * pods, and on a data-plane switch they change. Relabelled before the new data plane is ready, a namespace
 * enrolls its pods into nothing: sidecar → ambient, pods created in the gap get neither a sidecar nor ztunnel,
 * and istio-cni starts redirecting to a ztunnel that is not serving; ambient → sidecar, pods created before
 * istiod's injector has its new config start without a sidecar. The program cannot tell a first deploy from a
 * switch, so the order holds on the first deploy too: it costs one step (a Namespace create) on the critical
 * path (scripts/bench/scenarios.ts). Pods depend on the namespace, so they start after the relabel.
 * `labels` come from sampleNamespaceLabels (mesh/ambient-authorization.ts) or namespaceEnrollmentLabels.
 */
export function meshNamespace(name: string, labels: Readonly<Record<string, string>>, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(name, {
        metadata: { name, labels: { ...labels } },
    }, opts);
}
