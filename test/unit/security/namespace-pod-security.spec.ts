// What Istio adds to a namespace's pods, and what its charts run there, decide the namespace's level.
import { strict as assert } from "assert";
import {
    admittedPod, injectedContainers, istioSystemChartPods, kialiChartPods, meshNamespaceInjection, namespacePodSecurityLevel,
} from "../../../components/security/namespace-pod-security";
import { hardenManifestObject, manifestHardening } from "../../../components/security/workload-hardening";

const hardenedTemplate = {
    spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
    },
};

describe("namespace Pod Security levels", () => {
    it("injection follows the data plane and istio.cni", () => {
        assert.equal(meshNamespaceInjection("ambient", true), "none");
        assert.equal(meshNamespaceInjection("sidecar", false), "istio-init");
        assert.equal(meshNamespaceInjection("sidecar", true), "istio-cni");
        assert.deepEqual(injectedContainers("none"), []);
        assert.deepEqual(injectedContainers("istio-init").map((container) => container.name), ["istio-init", "istio-proxy"]);
        assert.deepEqual(injectedContainers("istio-cni").map((container) => container.name), ["istio-validation", "istio-proxy"]);
    });

    it("a hardened pod is restricted alone and with istio-cni's containers, privileged with istio-init's", () => {
        assert.equal(namespacePodSecurityLevel([hardenedTemplate], "none"), "restricted");
        assert.equal(namespacePodSecurityLevel([hardenedTemplate], "istio-cni"), "restricted");
        assert.equal(namespacePodSecurityLevel([hardenedTemplate], "istio-init"), "privileged");
    });

    it("a pod that opts out of injection gets no injected containers", () => {
        const optedOut = { ...hardenedTemplate, metadata: { annotations: { "sidecar.istio.io/inject": "false" } } };
        assert.equal(admittedPod(optedOut, "istio-init"), optedOut.spec);
    });

    it("istio-system: baseline with istiod, the gateway and Kiali; privileged with a node agent", () => {
        assert.equal(namespacePodSecurityLevel([...istioSystemChartPods({ dataplane: "sidecar", cni: false }), ...kialiChartPods()], "none"), "baseline");
        assert.equal(namespacePodSecurityLevel(istioSystemChartPods({ dataplane: "sidecar", cni: true }), "none"), "privileged");
        assert.equal(namespacePodSecurityLevel(istioSystemChartPods({ dataplane: "ambient", cni: true }), "none"), "privileged");
    });

    it("hardening a manifest's Deployment keeps its own pod and container fields and leaves other objects alone", () => {
        const deployment = {
            kind: "Deployment",
            spec: { replicas: 1, template: { metadata: { labels: { app: "p" } }, spec: {
                securityContext: { fsGroup: 2000 }, serviceAccountName: "p",
                containers: [{ name: "p", image: "i", securityContext: { readOnlyRootFilesystem: true } }],
                initContainers: [{ name: "init", image: "i" }],
            } } },
        };
        const hardened = hardenManifestObject(deployment, manifestHardening.httpbin) as any;
        const pod = hardened.spec.template.spec;
        assert.equal(hardened.spec.replicas, 1);
        assert.deepEqual(hardened.spec.template.metadata, { labels: { app: "p" } });
        assert.equal(pod.serviceAccountName, "p");
        assert.deepEqual(pod.securityContext, { fsGroup: 2000, runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(pod.containers[0].securityContext, { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        assert.deepEqual(pod.initContainers[0].securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        const service = { kind: "Service", spec: { ports: [] } };
        assert.equal(hardenManifestObject(service, manifestHardening.httpbin), service);
    });
});
