// What Istio adds to a namespace's pods, and what its charts run there, decide the namespace's level.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../../components/config/parse";
import { enrouteValues } from "../../../components/edge/enroute/values";
import { gatewayPodSecurityContext, gatewayValues, istiodValues } from "../../../components/mesh/istio-values";
import {
    admittedPod, enrouteChartPods, injectedContainers, istioSystemChartPods, kialiChartPods,
    meshNamespaceInjection, namespacePodSecurityLevel,
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

    it("istio-system: restricted with istiod, the gateway and Kiali as the stack configures them; privileged with a node agent", () => {
        const values = {
            istiod: istiodValues(parseStackConfig({}).istio),
            gateway: gatewayValues("LoadBalancer", {}, "sidecar"),
        };
        assert.equal(namespacePodSecurityLevel([...istioSystemChartPods({ dataplane: "sidecar", cni: false }, values), ...kialiChartPods()], "none"), "restricted");
        assert.equal(namespacePodSecurityLevel(istioSystemChartPods({ dataplane: "sidecar", cni: true }, values), "none"), "privileged");
        assert.equal(namespacePodSecurityLevel(istioSystemChartPods({ dataplane: "ambient", cni: true }, values), "none"), "privileged");
    });

    it("istiod and the gateway meet restricted only through the seccomp values the stack sets", () => {
        const istio = { dataplane: "sidecar" as const, cni: false };
        const seccomp = { type: "RuntimeDefault" };
        // The chart defaults: istiod's `seccompProfile: {}`, the gateway's empty `securityContext`.
        assert.equal(namespacePodSecurityLevel(istioSystemChartPods(istio, { istiod: { seccompProfile: {} }, gateway: {} }), "none"), "baseline");
        assert.equal(namespacePodSecurityLevel(istioSystemChartPods(istio, { istiod: { seccompProfile: seccomp }, gateway: {} }), "none"), "baseline");
        assert.equal(namespacePodSecurityLevel(istioSystemChartPods(istio, { istiod: {}, gateway: { securityContext: { seccompProfile: seccomp } } }), "none"), "baseline");
        assert.equal(namespacePodSecurityLevel(istioSystemChartPods(istio, {
            istiod: { seccompProfile: seccomp }, gateway: { securityContext: { seccompProfile: seccomp } },
        }), "none"), "restricted");
    });

    it("the gateway's pod keeps the sysctl that binds 80 and 443 when the stack sets its securityContext", () => {
        // The chart writes `securityContext` instead of its default sysctl (gateway templates/deployment.yaml).
        assert.deepEqual(gatewayPodSecurityContext.sysctls, [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }]);
        assert.deepEqual(gatewayValues("NodePort", {}, "ambient").securityContext, gatewayPodSecurityContext);
        assert.deepEqual(istiodValues(parseStackConfig({}).istio).seccompProfile, { type: "RuntimeDefault" });
    });

    it("EnRoute's pod is baseline at best: cert-server and the init container take no values", () => {
        const values = enrouteValues(parseStackConfig({ enroute: { enabled: true } }));
        assert.equal(namespacePodSecurityLevel(enrouteChartPods(values), "none"), "baseline");
        assert.equal(namespacePodSecurityLevel(enrouteChartPods(values), "istio-cni"), "baseline");
        assert.equal(namespacePodSecurityLevel(enrouteChartPods(values), "istio-init"), "privileged");
        // Even a fully hardened `securityContext` leaves cert-server and envoy-initconfig short of restricted.
        const hardened = enrouteChartPods({
            ...values, securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
        });
        assert.equal(namespacePodSecurityLevel(hardened, "none"), "baseline");
        const [pod] = enrouteChartPods(values);
        assert.deepEqual(pod?.spec.securityContext, { seccompProfile: { type: "RuntimeDefault" } });
        for (const name of ["enroute", "redis", "envoy"]) {
            assert.deepEqual(pod?.spec.containers.find((container) => container.name === name)?.securityContext,
                { readOnlyRootFilesystem: true, privileged: false, allowPrivilegeEscalation: false }, name);
        }
        assert.ok(pod?.spec.containers.some((container) => container.name === "cert-server"), "istio.enable adds cert-server");
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
