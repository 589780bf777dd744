// Pods and namespaces hardened (#21 point 6), over the rendered stacks: every Pod template the stack
// renders carries the securityContext fields, every Namespace it creates a Pod Security label, and that
// label admits the namespace's pods once Istio's injector has added its containers (checked with the
// Pod Security Standards rules of components/security/pod-security.ts, themselves tested on their own).
import { strict as assert } from "assert";
import { parseStackConfig } from "../../components/config/parse";
import { PodSecurityLevel, podSecurityViolations } from "../../components/security/pod-security";
import {
    PodTemplateLike, SidecarInjection, admittedPod, enrouteChartPods, istioSystemChartPods, kialiChartPods, meshNamespaceInjection,
    namespacePodSecurityLevel, waypointPod,
} from "../../components/security/namespace-pod-security";
import { ProgramRun, RegisteredResource, runProgram } from "../harness/program";
import { iksMocks, iksStackConfig } from "../support/iks-stack";
import { everythingOnStackConfig } from "../support/stack-shapes";

const namespaceType = "kubernetes:core/v1:Namespace";
const deploymentType = "kubernetes:apps/v1:Deployment";
const jobType = "kubernetes:batch/v1:Job";
/** Every resource type the stack writes that carries a pod template (WordPress's install Job included). */
const podTemplateOwners = (run: ProgramRun): RegisteredResource[] => [...run.ofType(deploymentType), ...run.ofType(jobType)];
const releaseType = "kubernetes:helm.sh/v3:Release";
const enforceLabel = "pod-security.kubernetes.io/enforce";

const stacks: { name: string; config: Record<string, unknown>; options?: Parameters<typeof runProgram>[1] }[] = [
    { name: "default", config: {} },
    { name: "ambient", config: { istio: { dataplane: "ambient" } } },
    // A user route with a path rule: istiod deploys a waypoint into bookinfo.
    {
        name: "ambient with a waypoint",
        config: { istio: { dataplane: "ambient" }, gateway: { routes: [{ prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 }] } },
    },
    { name: "IKS", config: iksStackConfig, options: { secretSections: ["iks"], ...iksMocks } },
    // EnRoute's pods, with the other optional sidecar features on too: the shape other specs render (one shared run).
    { name: "EnRoute", config: everythingOnStackConfig },
    { name: "production", config: { profile: "production" } },
];

/** The Pod templates each release of a chart runs, as the namespace check models them. */
function chartPods(run: ProgramRun, namespace: string, config: ReturnType<typeof parseStackConfig>): PodTemplateLike[] {
    const releases = run.ofType(releaseType).filter((release) => release.plain.namespace === namespace);
    const release = (chart: string) => releases.find((r) => r.plain.chart === chart || (r.plain.chart as string).endsWith(`/${chart}`));
    const pods: PodTemplateLike[] = [];
    // Rendered from the values each release really carries, as the charts' templates read them.
    const istiod = release("istiod");
    const gateway = release("gateway");
    if (istiod && gateway) {
        pods.push(...istioSystemChartPods(config.istio, { istiod: istiod.plain.values, gateway: gateway.plain.values }));
    }
    if (release("kiali-server")) {
        pods.push(...kialiChartPods());
    }
    const enroute = release("enroute");
    if (enroute) {
        pods.push(...enrouteChartPods(enroute.plain.values));
    }
    // Waypoints istiod deploys for the stack's Gateways of class istio-waypoint, with istiod's gateways.seccompProfile.
    const istiodValues = run.ofType(releaseType).find((r) => r.name === "istiod")?.plain.values;
    for (const waypoint of run.ofType("kubernetes:gateway.networking.k8s.io/v1:Gateway")) {
        if (waypoint.plain.metadata.namespace === namespace && waypoint.plain.spec.gatewayClassName === "istio-waypoint") {
            pods.push(waypointPod(istiodValues?.gateways?.seccompProfile));
        }
    }
    return pods;
}

const templateOf = (deployment: RegisteredResource): PodTemplateLike => deployment.plain.spec.template;

for (const stack of stacks) {
    describe(`Pod Security on the ${stack.name} stack`, () => {
        let run: ProgramRun;
        let config: ReturnType<typeof parseStackConfig>;
        before(async () => {
            run = await runProgram(stack.config, stack.options);
            config = parseStackConfig(stack.config, { secretSections: stack.options?.secretSections });
        });

        it("every Pod template runs non-root, without privilege escalation or capabilities, under RuntimeDefault seccomp", () => {
            const deployments = podTemplateOwners(run);
            assert.ok(deployments.length >= 3, `${deployments.length} Deployments and Jobs`);
            for (const deployment of deployments) {
                const spec = templateOf(deployment).spec as any;
                const at = `${deployment.plain.metadata.namespace}/${deployment.plain.metadata.name}`;
                assert.equal(spec.securityContext?.runAsNonRoot, true, `${at}: runAsNonRoot`);
                assert.notEqual(spec.securityContext?.runAsUser, 0, `${at}: runAsUser`);
                assert.equal(spec.securityContext?.seccompProfile?.type, "RuntimeDefault", `${at}: seccomp`);
                for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
                    assert.equal(container.securityContext?.allowPrivilegeEscalation, false, `${at}/${container.name}: allowPrivilegeEscalation`);
                    assert.deepEqual(container.securityContext?.capabilities, { drop: ["ALL"] }, `${at}/${container.name}: capabilities`);
                    assert.notEqual(container.securityContext?.runAsNonRoot, false, `${at}/${container.name}: no override`);
                }
                // Only Prometheus reads the Kubernetes API (its service discovery).
                const usesApi = deployment.plain.metadata.name === "prometheus";
                assert.equal(spec.automountServiceAccountToken, usesApi, `${at}: automountServiceAccountToken`);
            }
        });

        it("the charts' own pods it can configure run under RuntimeDefault seccomp: istiod, the gateway, EnRoute; Kiali's chart sets it", () => {
            const release = (name: string) => run.ofType(releaseType).find((r) => r.name === name);
            assert.deepEqual(release("istiod")?.plain.values.seccompProfile, { type: "RuntimeDefault" });
            const gateway = release("istio-ingressgateway")?.plain.values.securityContext;
            assert.deepEqual(gateway?.seccompProfile, { type: "RuntimeDefault" });
            // Setting the chart's securityContext replaces its default, the sysctl that binds 80 and 443.
            assert.deepEqual(gateway?.sysctls, [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }]);
            const kiali = release("kiali");
            if (kiali) {
                // Unset, so the chart's own hardened container context applies (kiali-server templates/deployment.yaml).
                assert.equal(kiali.plain.values.deployment?.security_context, undefined);
            }
            const enroute = release("enroute");
            assert.equal(enroute !== undefined, stack.name === "EnRoute");
            if (enroute) {
                assert.deepEqual(enroute.plain.values.podSecurityContext, { seccompProfile: { type: "RuntimeDefault" } });
                assert.equal(enroute.plain.values.securityContext?.allowPrivilegeEscalation, false);
            }
        });

        it("every Namespace it creates enforces a Pod Security level that admits all its pods as injected", () => {
            const namespaces = run.ofType(namespaceType);
            assert.ok(namespaces.length >= 2);
            if (stack.name === "ambient with a waypoint") {
                assert.equal(chartPods(run, "bookinfo", config).length, 1, "the waypoint counts in bookinfo");
            }
            for (const namespace of namespaces) {
                const name = namespace.plain.metadata.name as string;
                const level = namespace.plain.metadata.labels?.[enforceLabel] as PodSecurityLevel | undefined;
                assert.ok(level && ["restricted", "baseline", "privileged"].includes(level), `${name}: ${enforceLabel} is ${level}`);
                // The injector's webhook selects namespaces labelled istio-injection=enabled (sidecar mode).
                const injection: SidecarInjection = namespace.plain.metadata.labels?.["istio-injection"] === "enabled"
                    ? meshNamespaceInjection("sidecar", config.istio.cni) : "none";
                const templates = [
                    ...podTemplateOwners(run).filter((owner) => owner.plain.metadata.namespace === name).map(templateOf),
                    ...chartPods(run, name, config),
                ];
                for (const template of templates) {
                    const admitted = admittedPod(template, injection);
                    assert.deepEqual(podSecurityViolations(admitted, level), [], `${name} (${level})`);
                }
                // The label is the strictest one that admits them: one level up would refuse a pod.
                const stricter = level === "privileged" ? "baseline" : level === "baseline" ? "restricted" : undefined;
                if (stricter) {
                    assert.ok(templates.some((template) => podSecurityViolations(admittedPod(template, injection), stricter).length > 0),
                        `${name} could enforce ${stricter}`);
                }
            }
        });
    });
}

describe("Pod Security: what decides each namespace's level", () => {
    let sidecar: ProgramRun;
    let sidecarCni: ProgramRun;
    let ambient: ProgramRun;
    const levels = (run: ProgramRun) => Object.fromEntries(run.ofType(namespaceType).map((namespace) =>
        [namespace.plain.metadata.name, namespace.plain.metadata.labels?.[enforceLabel]]));
    before(async () => {
        sidecar = await runProgram({});
        sidecarCni = await runProgram({ istio: { cni: true } });
        ambient = await runProgram({ istio: { dataplane: "ambient" } });
    });

    it("sidecar mode without istio-cni: istio-init's NET_ADMIN leaves the sample namespaces at privileged; istio-system, holding istiod, the gateway, Prometheus and Kiali, is restricted", () => {
        assert.deepEqual(levels(sidecar), { "istio-system": "restricted", wordpress: "privileged", bookinfo: "privileged", httptools: "privileged" });
    });

    it("istio.cni: the samples reach restricted, istio-system holds the cni node agent and is privileged", () => {
        assert.deepEqual(levels(sidecarCni), { "istio-system": "privileged", wordpress: "restricted", bookinfo: "restricted", httptools: "restricted" });
    });

    it("ambient: no injected containers, the samples are restricted; ztunnel and istio-cni make istio-system privileged", () => {
        assert.deepEqual(levels(ambient), { "istio-system": "privileged", wordpress: "restricted", bookinfo: "restricted", httptools: "restricted" });
    });

    it("warns, without failing, on every run of a sidecar stack without istio-cni, saying what it costs and how to turn it on", () => {
        const podSecurityWarnings = (run: ProgramRun) => run.logs
            .filter((entry) => entry.severity === "warn" && entry.message.startsWith("Pod Security:")).map((entry) => entry.message);
        const [warning, ...more] = podSecurityWarnings(sidecar);
        assert.deepEqual(more, []);
        assert.match(warning ?? "", /istio\.cni is false.*istio-init \(root, NET_ADMIN, NET_RAW\).*only enforce privileged/);
        assert.match(warning ?? "", /pulumi config set --path istio\.cni true/);
        assert.deepEqual(podSecurityWarnings(sidecarCni), []);
        assert.deepEqual(podSecurityWarnings(ambient), []);
    });

    it("istio.cni installs the cni chart in sidecar mode, turns on istiod's cni.enabled, and pods wait for the node agent", () => {
        const cni = sidecarCni.ofType(releaseType).find((release) => release.name === "istio-cni");
        assert.ok(cni, "istio-cni release");
        assert.equal(cni.plain.values.profile, undefined, "not the ambient profile");
        assert.equal(cni.plain.version, sidecarCni.find(releaseType, "istiod")?.plain.version, "pinned like the other charts");
        assert.deepEqual(sidecarCni.find(releaseType, "istiod")?.plain.values.cni, { enabled: true });
        assert.equal(sidecar.find(releaseType, "istiod")?.plain.values.cni, undefined);
        assert.ok(!sidecar.ofType(releaseType).some((release) => release.name === "istio-cni"));
        for (const deployment of sidecarCni.ofType(deploymentType).filter((d) => d.plain.metadata.namespace !== "istio-system")) {
            assert.ok(sidecarCni.dependsOn(deployment, cni), `${deployment.name} waits for istio-cni`);
        }
    });

    it("a waypoint meets restricted only with istiod's gateways.seccompProfile, which ambient stacks set", () => {
        assert.deepEqual(ambient.find(releaseType, "istiod")?.plain.values.gateways?.seccompProfile, { type: "RuntimeDefault" });
        assert.equal(namespacePodSecurityLevel([waypointPod({ type: "RuntimeDefault" })], "none"), "restricted");
        assert.equal(namespacePodSecurityLevel([waypointPod(undefined)], "none"), "baseline");
    });

    it("istio.cni is on by default for profile production only, and can be turned off there", () => {
        assert.equal(parseStackConfig({ profile: "production" }).istio.cni, true);
        assert.equal(parseStackConfig({ profile: "production", istio: { cni: "false" } }).istio.cni, false);
        assert.equal(parseStackConfig({}).istio.cni, false);
        assert.equal(parseStackConfig({ istio: { cni: true } }).istio.cni, true);
        assert.throws(() => parseStackConfig({ istio: { cni: "yes" } }), /istio\.cni must be one of true \| false/);
    });

    it("MySQL's root exists only @localhost; the app user gets only the WordPress database", () => {
        const mysql = sidecar.ofType(deploymentType).find((deployment) => deployment.plain.metadata.name === "mysql");
        const env = Object.fromEntries((mysql?.plain.spec.template.spec.containers[0].env as { name: string; value?: string }[])
            .map((variable) => [variable.name, variable.value]));
        assert.equal(env.MYSQL_ROOT_HOST, "localhost");
        // The entrypoint grants MYSQL_USER ALL on MYSQL_DATABASE only.
        assert.equal(env.MYSQL_DATABASE, "wordpress");
        assert.ok("MYSQL_USER" in env);
    });
});
