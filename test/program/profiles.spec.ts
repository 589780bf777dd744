// Sizing profiles: small fits a 2-CPU / 4-GiB node, production has no single replica in the mesh's
// control path, standard is the charts' own defaults; all measured from what the program registers.
import { strict as assert } from "assert";
import { sizeManifestContainers } from "../../components/manifests/sizing";
import { parseStackConfig } from "../../components/config/parse";
import { gatewayValues, istiodValues } from "../../components/mesh/istio-values";
import { gatewaySelector } from "../../components/core/istio-names";
import { kialiValues } from "../../components/observability/kiali-values";
import { Footprint, footprint, parseCpu, parseMemory } from "../../scripts/bench/footprint";
import { ProgramRun, runExpectingConfigError, runProgram } from "../harness/program";
import { stackProjectConfig } from "../support/stack-files";
import { validateRun } from "../harness/validate";

const releaseType = "kubernetes:helm.sh/v3:Release";
const valuesOf = (run: ProgramRun, name: string): Record<string, any> => run.get(releaseType, name).plain.values;

describe("profiles: config", () => {
    it("defaults to standard and takes the three profiles", () => {
        assert.equal(parseStackConfig({}).profile, "standard");
        for (const profile of ["small", "standard", "production"]) {
            assert.equal(parseStackConfig({ profile }).profile, profile);
        }
    });

    it("refuses an unknown profile, naming the three choices, before any resource", async () => {
        const { problems, registered } = await runExpectingConfigError({ profile: "medium" });
        assert.equal(registered.length, 0);
        assert.deepEqual(problems.filter((problem) => problem.startsWith("profile")), [
            "profile must be one of small | standard | production (got \"medium\"). Fix: pulumi config set --path 'profile' small",
        ]);
    });

    it("runs the dev stack (minikube, kind) small", () => {
        assert.equal(stackProjectConfig("dev").profile, "small");
    });
});

describe("profiles: Istio's manifests get the profile's requests", () => {
    const deployment = (containers: Record<string, unknown>[]) => ({
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { template: { spec: { containers } } },
    });

    it("sizes containers that set nothing, by container name, and keeps what a manifest sets", () => {
        const own = { requests: { cpu: "1", memory: "1Gi" } };
        const [sized] = sizeManifestContainers([deployment([{ name: "reviews" }, { name: "details", resources: {} }, { name: "mine", resources: own }])], "small");
        const containers = (sized as any).spec.template.spec.containers;
        assert.equal(containers[0].resources.requests.memory, "128Mi", "reviews (a JVM) gets its own size");
        assert.equal(containers[1].resources.requests.memory, "64Mi", "an empty resources block counts as none");
        assert.deepEqual(containers[2].resources, own);
    });

    it("leaves manifests as shipped under standard, and other kinds alone", () => {
        const objects = [deployment([{ name: "reviews" }]), { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: {} }];
        assert.deepEqual(sizeManifestContainers(objects, "standard"), objects);
        assert.deepEqual(sizeManifestContainers(objects, "production")[1], objects[1]);
    });
});

describe("profiles: the footprint measure itself", () => {
    const deployment = (namespace: string, name: string, requests?: Record<string, string>, extra: Record<string, any> = {}) => ({
        type: "kubernetes:apps/v1:Deployment", name,
        plain: { metadata: { name, namespace }, spec: { replicas: extra.replicas, template: {
            metadata: { annotations: extra.annotations ?? {} },
            spec: { containers: [{ name: "c", ...(requests ? { resources: { requests } } : {}) }] },
        } } },
    });
    const namespace = (name: string, injected: boolean) => ({
        type: "kubernetes:core/v1:Namespace", name, plain: { metadata: { name, labels: injected ? { "istio-injection": "enabled" } : {} } },
    });

    it("reads Kubernetes quantities", () => {
        assert.equal(parseCpu("250m"), 250);
        assert.equal(parseCpu("2"), 2000);
        assert.equal(parseMemory("128Mi"), 128);
        assert.equal(parseMemory("2Gi"), 2048);
        assert.equal(parseMemory(String(64 * 1048576)), 64);
        assert.throws(() => parseMemory("12 bananas"));
    });

    it("counts chart defaults, replicas, and one sidecar per pod in an injected namespace", () => {
        const measured = footprint([
            { type: releaseType, name: "istiod", plain: { chart: "istiod", values: {} } },
            { type: releaseType, name: "gw", plain: { chart: "gateway", values: { autoscaling: { enabled: false }, replicaCount: 3 } } },
            namespace("apps", true), namespace("plain", false),
            deployment("apps", "web", { cpu: "100m", memory: "100Mi" }, { replicas: 2 }),
            deployment("apps", "job", { cpu: "10m", memory: "10Mi" }, { annotations: { "sidecar.istio.io/inject": "false" } }),
            deployment("apps", "big", { cpu: "10m", memory: "10Mi" }, { annotations: { "sidecar.istio.io/proxyCPU": "1", "sidecar.istio.io/proxyMemory": "1Gi" } }),
            deployment("plain", "idle"),
            { type: releaseType, name: "addon", plain: { chart: "some-addon", values: {} } },
        ]);
        assert.deepEqual(measured.byBucket["control plane"], { cpu: 500, memory: 2048 }, "istiod's chart default, one HPA minimum");
        assert.deepEqual(measured.byBucket.gateway, { cpu: 300, memory: 384 }, "three fixed replicas at the default size");
        assert.deepEqual(measured.byBucket["data plane"], { cpu: 2 * 100 + 1000, memory: 2 * 128 + 1024 }, "web twice, big with its own size, job none");
        assert.deepEqual(measured.byBucket.workloads, { cpu: 220, memory: 220 });
        assert.deepEqual(measured.unrequested, ["plain/idle"]);
        assert.deepEqual(measured.uncounted, ["Helm release addon (chart some-addon: no known defaults)"]);
    });
});

describe("profiles: under mocks, with every sample and Kiali on", () => {
    const runs: Record<string, ProgramRun> = {};
    const measured: Record<string, Footprint> = {};
    before(async () => {
        // standard is the default: the program reads its config only through parseStackConfig (config/load.ts),
        // which makes the same StackConfig of both (asserted here), so standard is the default stack's shared run.
        assert.deepEqual(parseStackConfig({ profile: "standard" }), parseStackConfig({}));
        for (const profile of ["small", "standard", "production"]) {
            runs[profile] = await runProgram(profile === "standard" ? {} : { profile });
            measured[profile] = footprint(runs[profile].resources);
        }
    });

    it("small fits a 2-CPU / 4-GiB node: at most 1000m CPU and 2.5 GiB requested in all", () => {
        const small = measured.small;
        assert.ok(small.total.cpu <= 1000, `CPU ${small.total.cpu}m`);
        assert.ok(small.total.memory <= 2.5 * 1024, `memory ${small.total.memory} MiB`);
        const whats = small.parts.map((part) => part.what);
        for (const expected of ["istiod", "ingress gateway", "Kiali", "wordpress/wordpress-v1", "wordpress/wordpress-v2", "wordpress/mysql",
            "sidecar of wordpress/mysql"]) {
            assert.ok(whats.includes(expected), `${expected} is counted`);
        }
        assert.deepEqual(small.uncounted, [], "every pod is visible to the measure");
        assert.deepEqual(small.unrequested, [], "no BestEffort pod: Istio's manifests get the profile's requests too");
        for (const expected of ["istio-system/prometheus", "bookinfo/reviews-v3", "httptools/httpbin", "sidecar of bookinfo/productpage-v1"]) {
            assert.ok(whats.includes(expected), `${expected} is counted`);
        }
        const injectedDeployments = runs.small.ofType("kubernetes:apps/v1:Deployment")
            .filter((deployment) => ["wordpress", "bookinfo", "httptools"].includes(deployment.plain.metadata.namespace));
        assert.equal(small.parts.filter((part) => part.bucket === "data plane").length, injectedDeployments.length, "one sidecar per injected pod");
    });

    it("standard leaves the charts at their own defaults, and Istio's manifests as shipped", () => {
        assert.ok(measured.standard.unrequested.includes("istio-system/prometheus"), "the addon requests nothing upstream");
        const config = parseStackConfig({});
        assert.deepEqual(valuesOf(runs.standard, "istiod"), JSON.parse(JSON.stringify(istiodValues(config.istio))));
        assert.deepEqual(valuesOf(runs.standard, "istio-ingressgateway"), JSON.parse(JSON.stringify(gatewayValues(config.istio.gatewayServiceType, {}, config.istio.dataplane))));
        assert.deepEqual(valuesOf(runs.standard, "kiali"), JSON.parse(JSON.stringify(kialiValues(config.kiali))));
        assert.ok(measured.standard.total.cpu > measured.small.total.cpu);
        assert.ok(measured.production.total.cpu > measured.standard.total.cpu);
    });

    it("production runs istiod with at least two replicas and a PodDisruptionBudget the chart renders", () => {
        const istiod = valuesOf(runs.production, "istiod");
        // The chart renders its PDB when defaultPodDisruptionBudget is on and autoscaleMin > 1 (or replicaCount > 1 without HPA).
        const replicas = istiod.autoscaleEnabled === false ? istiod.replicaCount : istiod.autoscaleMin;
        assert.ok(replicas >= 2, `istiod replicas ${replicas}`);
        assert.notEqual(istiod.global?.defaultPodDisruptionBudget?.enabled, false);
        assert.ok(istiod.pdb.minAvailable >= 1);
        assert.ok(measured.production.parts.find((part) => part.what === "istiod")!.pods >= 2);
    });

    it("production runs the gateway with at least two replicas, a PodDisruptionBudget, spread over zones and nodes", () => {
        const gateway = valuesOf(runs.production, "istio-ingressgateway");
        const replicas = gateway.autoscaling?.enabled === false ? gateway.replicaCount : gateway.autoscaling.minReplicas;
        assert.ok(replicas >= 2, `gateway replicas ${replicas}`);
        assert.ok(gateway.podDisruptionBudget.minAvailable >= 1);
        const spread = gateway.topologySpreadConstraints as { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }[];
        assert.deepEqual(spread.map((constraint) => constraint.topologyKey).sort(), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
        for (const constraint of spread) {
            assert.deepEqual(constraint.labelSelector.matchLabels, { ...gatewaySelector }, "selects the gateway's own pods");
        }
    });

    it("production gives the gateway, every sidecar and the samples' containers requests and limits", () => {
        const gateway = valuesOf(runs.production, "istio-ingressgateway");
        const proxy = valuesOf(runs.production, "istiod").global.proxy.resources;
        for (const [what, resources] of [["gateway", gateway.resources], ["sidecars", proxy]] as const) {
            assert.ok(resources.requests.cpu && resources.requests.memory && resources.limits.cpu && resources.limits.memory, what);
        }
        const deployments = runs.production.ofType("kubernetes:apps/v1:Deployment");
        assert.ok(deployments.length >= 10, "WordPress, MySQL, bookinfo, httpbin, Prometheus");
        for (const deployment of deployments) {
            for (const container of deployment.plain.spec.template.spec.containers) {
                assert.ok(container.resources?.requests?.cpu && container.resources?.requests?.memory && container.resources?.limits?.memory,
                    `${deployment.plain.metadata.namespace}/${deployment.name}/${container.name}`);
            }
        }
    });

    it("keeps every profile's Helm values to keys the pinned charts define", async () => {
        for (const profile of ["small", "standard", "production"]) {
            const problems = (await validateRun(runs[profile])).filter((problem) => problem.includes(releaseType));
            assert.deepEqual(problems, [], profile);
        }
    });
});
