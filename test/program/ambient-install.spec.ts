// istio.dataplane: the key, its validation, and the ambient install (base → istiod → cni → ztunnel).
import { strict as assert } from "assert";
import { parseStackConfig } from "../../components/config/parse";
import { gatewayApiStandardInstallUrl, supportedIstioLines } from "../../components/core/versions";
import { ProgramRun, runExpectingConfigError, runProgram } from "../harness/program";
import { validateRun } from "../harness/validate";
import { configProblemsOf } from "../support/config-problems";
import { fixtureManifest } from "../support/istio-manifests";
import { loadSampleManifests } from "../../components/manifests/sample-manifests";

const releaseType = "kubernetes:helm.sh/v3:Release";
const ambient = { istio: { dataplane: "ambient" } };


describe("istio.dataplane: the key and what ambient refuses", () => {
    it("defaults to sidecar and accepts ambient", () => {
        assert.equal(parseStackConfig({}).istio.dataplane, "sidecar");
        assert.equal(parseStackConfig(ambient).istio.dataplane, "ambient");
    });

    it("supports only Istio lines that read the Gateway API v1.5 CRDs waypoints need (1.30 and newer)", () => {
        // Istio 1.30 upgrade notes: "Gateway API CRDs must be upgraded to v1.5.x"; older lines read older CRDs.
        for (const { line } of supportedIstioLines) {
            const [major, minor] = line.split(".").map(Number);
            assert.ok(major > 1 || minor >= 30, `line ${line} is older than ambient mode here supports`);
        }
    });

    it("accepts in sidecar mode what ambient refuses (DISABLE scopes)", () => {
        const disable = { mtls: { policies: [{ namespace: "bookinfo", mode: "DISABLE", exception: true }] } };
        assert.deepEqual(configProblemsOf(disable), []);
        assert.equal(configProblemsOf({ ...disable, ...ambient }).length, 1);
    });

    it("accepts PERMISSIVE scopes in ambient mode", () => {
        assert.deepEqual(configProblemsOf({ ...ambient, mtls: { policies: [{ namespace: "bookinfo", mode: "PERMISSIVE", exception: true }] } }), []);
    });

    const bad: { name: string; config: Record<string, unknown>; key: string; reason: RegExp }[] = [
        { name: "an unknown data plane", config: { istio: { dataplane: "sidecarless" } }, key: "istio.dataplane", reason: /sidecar.*ambient/ },
        { name: "a namespace-wide DISABLE scope in ambient mode",
            config: { ...ambient, mtls: { policies: [{ namespace: "bookinfo", mode: "DISABLE", exception: true }] } },
            key: "mtls.policies[0].mode", reason: /PERMISSIVE for it.*accept both plaintext and mTLS/ },
        { name: "a port-level DISABLE in ambient mode",
            config: { ...ambient, mtls: { policies: [{ namespace: "bookinfo", selector: { app: "ratings" }, mode: "STRICT", ports: { 9080: "DISABLE" }, exception: true }] } },
            key: "mtls.policies[0].ports.9080", reason: /ambient mode does not support.*PERMISSIVE/ },
        { name: "EnRoute in ambient mode (its Envoy does not speak HBONE)",
            config: { ...ambient, enroute: { enabled: true } }, key: "enroute.enabled", reason: /not over HBONE.*ztunnel refuses/ },
        { name: "an unknown platform", config: { istio: { platform: "kind" } }, key: "istio.platform", reason: /none \| minikube \| k3s \| k3d \| microk8s \| gke \| openshift.*got "kind"/ },
        { name: "the OpenShift platform in sidecar mode (its profile hands redirection to istio-cni)",
            config: { istio: { platform: "openshift", cni: "false" } }, key: "istio.cni", reason: /istio.cni must be true with istio.dataplane sidecar and istio.platform openshift.*istio-cni/ },
        { name: "ambient on an Istio release older than its minimum",
            config: { istio: { dataplane: "ambient", version: "1.29.4" } }, key: "istio.version", reason: /supported Istio line/ },
    ];
    for (const { name, config, key, reason } of bad) {
        it(`refuses ${name}, naming ${key}, before any resource`, async () => {
            const { message, problems, registered } = await runExpectingConfigError(config);
            assert.deepEqual(registered, [], "nothing may be registered");
            const problem = problems.find((text) => text.startsWith(key));
            assert.ok(problem, `no problem names ${key}:\n${message}`);
            assert.match(problem, reason);
            assert.match(problem, /Fix: /);
        });
    }
});

describe("ambient mode: Istio's ambient components from the same charts", () => {
    let sidecar: ProgramRun;
    let run: ProgramRun;
    before(async () => {
        sidecar = await runProgram({});
        run = await runProgram(ambient);
    });

    it("installs no cni or ztunnel in sidecar mode, and istiod without a profile", () => {
        const charts = sidecar.ofType(releaseType).map((release) => release.plain.chart);
        assert.ok(!charts.includes("cni") && !charts.includes("ztunnel"), charts.join(", "));
        assert.equal(sidecar.get(releaseType, "istiod").plain.values.profile, undefined);
    });

    it("installs base, istiod, cni, ztunnel and the gateway from one repository at one version", () => {
        const istio = ["istio-base", "istiod", "istio-cni", "ztunnel", "istio-ingressgateway"].map((name) => run.get(releaseType, name));
        assert.deepEqual(istio.map((release) => release.plain.chart), ["base", "istiod", "cni", "ztunnel", "gateway"]);
        const sources = new Set(istio.map((release) => `${release.plain.repositoryOpts?.repo ?? ""} ${release.plain.version}`));
        assert.equal(sources.size, 1, [...sources].join("\n"));
        for (const release of istio) {
            assert.equal(release.plain.namespace, "istio-system");
            assert.equal(release.plain.name, release.name);
        }
    });

    it("gives istiod and cni Istio's ambient profile, and ztunnel none (as the install guide does)", () => {
        assert.equal(run.get(releaseType, "istiod").plain.values.profile, "ambient");
        assert.equal(run.get(releaseType, "istio-cni").plain.values.profile, "ambient");
        assert.equal(run.get(releaseType, "ztunnel").plain.values.profile, undefined);
    });

    it("orders base → istiod → cni → ztunnel, each waiting for the one before", () => {
        const [base, istiod, cni, ztunnel] = ["istio-base", "istiod", "istio-cni", "ztunnel"].map((name) => run.get(releaseType, name));
        assert.ok(run.dependsOn(istiod, base));
        assert.ok(run.dependsOn(cni, istiod));
        assert.ok(run.dependsOn(ztunnel, cni));
        assert.ok(!run.dependsOn(cni, ztunnel) && !run.dependsOn(istiod, cni));
        for (const release of [cni, ztunnel]) {
            assert.ok(!release.plain.skipAwait, `${release.name} waits for readiness`);
        }
    });

    it("takes cni's and ztunnel's images from istio.hub, like istiod's", () => {
        const hub = run.get(releaseType, "istiod").plain.values.global.hub as string;
        assert.ok(hub);
        assert.equal(run.get(releaseType, "istio-cni").plain.values.hub, hub);
        assert.equal(run.get(releaseType, "ztunnel").plain.values.hub, hub);
    });

    it("emits only objects and values that validate against the schemas and pinned chart keys", async () => {
        assert.deepEqual(await validateRun(run), []);
    });

    it("sets no global.platform by default (IKS, kind), and passes istio.platform to istiod, cni and ztunnel", async () => {
        for (const name of ["istiod", "istio-cni", "ztunnel"]) {
            assert.equal(run.get(releaseType, name).plain.values.global?.platform, undefined, name);
        }
        assert.equal(parseStackConfig({}).istio.platform, "none");
        const minikube = await runProgram({ ...ambient, istio: { dataplane: "ambient", platform: "minikube" } });
        for (const name of ["istiod", "istio-cni", "ztunnel"]) {
            assert.equal(minikube.get(releaseType, name).plain.values.global.platform, "minikube", name);
        }
        assert.ok(minikube.get(releaseType, "istiod").plain.values.global.hub, "the platform joins istiod's globals, not replaces them");
        assert.equal(minikube.get(releaseType, "istio-ingressgateway").plain.values.global, undefined, "the gateway chart has no platform profiles");
        // global.platform is a key of each chart at every supported line (test/data/chart-keys), checked here.
        assert.deepEqual(await validateRun(minikube), []);
    });

    it("with istio.gatewayApiCrds cluster, applies and fetches no Gateway API CRDs and leaves the cluster's alone", async () => {
        const fetched: string[] = [];
        const clusterOwned = await runProgram({ istio: { dataplane: "ambient", gatewayApiCrds: "cluster" } }, {
            fetchManifest: async (url) => { fetched.push(url); return fixtureManifest(url); },
        });
        assert.ok(!fetched.some((url) => url.includes("gateway-api")), fetched.join(" "));
        assert.deepEqual(clusterOwned.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"), []);
        assert.equal(clusterOwned.find("pulumi:providers:kubernetes", "cluster-prerequisites"), undefined);
        assert.ok(clusterOwned.find(releaseType, "ztunnel"), "ambient itself is unchanged");
        assert.ok(run.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").length > 0, "the default (stack) applies them");
        assert.equal(parseStackConfig({}).istio.gatewayApiCrds, "stack");
        const problems = configProblemsOf({ istio: { dataplane: "ambient", gatewayApiCrds: "both" } });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /istio\.gatewayApiCrds.*stack.*cluster/s);
    });

    it("validates against the 1.31 charts' keys on the 1.31 line, and installs that line's Gateway API release (v1.6.0)", async () => {
        // The 1.31 ambient stack retired-hosts.spec.ts renders (one shared run); its image mirror is incidental here.
        const config = { istio: { dataplane: "ambient", hub: "registry.example.internal/istio", version: "1.31.1" } };
        const line131 = await runProgram(config);
        assert.deepEqual(await validateRun(line131), []);
        // Istio builds 1.30 against Gateway API v1.5.1 and 1.31 against v1.6.0 (go.mod at 1.30.3 and 1.31.0-rc.0).
        // Which URL is fetched is loadSampleManifests's choice (the one place index.ts hands its fetcher to);
        // the CRDs registered below carry that release's bundle version.
        const fetched: string[] = [];
        await loadSampleManifests(parseStackConfig(config), async (url) => { fetched.push(url); return fixtureManifest(url); });
        assert.ok(fetched.includes(gatewayApiStandardInstallUrl("v1.6.0")), fetched.join(" "));
        const crdType = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
        const bundles = (crdRun: ProgramRun) => [...new Set(crdRun.ofType(crdType).map((crd) => crd.plain.metadata.annotations["gateway.networking.k8s.io/bundle-version"]))];
        assert.deepEqual(bundles(line131), ["v1.6.0"]);
        assert.deepEqual(bundles(run), ["v1.5.1"]);
        const kinds = (crdRun: ProgramRun) => crdRun.ofType(crdType).map((crd) => crd.plain.spec.names.kind as string);
        // v1.6.0 moved TCPRoute and UDPRoute to the standard channel.
        assert.deepEqual(kinds(line131).filter((kind) => !kinds(run).includes(kind)).sort(), ["TCPRoute", "UDPRoute"]);
    });
});
