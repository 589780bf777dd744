// A mesh namespace, labelled for the stack's data plane: sidecar injection or ambient enrollment (and, in
// ambient mode, its waypoint).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * The namespace itself does not wait for Istio (only its pods need the injection webhook or ztunnel),
 * so it is created while Istio installs; whatever runs pods in it depends on IstioMesh.dataplaneReady instead.
 * `labels` come from sampleNamespaceLabels (mesh/ambient-authorization.ts) or namespaceEnrollmentLabels.
 */
export function meshNamespace(name: string, labels: Readonly<Record<string, string>>, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(name, {
        metadata: { name, labels: { ...labels } },
    }, opts);
}
