import { strict as assert } from "assert";
import { defaultIstioChartRepository, defaultIstioHub, istioOciChartRepository } from "../../components/core/istio-hosting";
import { defaultIstioVersion, supportedIstioLines } from "../../components/core/versions";
import { ProgramRun, runProgram } from "../harness/program";
import { validateRun } from "../harness/validate";

const releaseType = "kubernetes:helm.sh/v3:Release";

describe("IstioMesh: Istio from its official charts with strict mTLS", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({});
    });

    it("installs base, istiod and the gateway from Istio's repository at blob.istio.io, at one pinned version", () => {
        const releases = ["istio-base", "istiod", "istio-ingressgateway"].map((name) => run.get(releaseType, name));
        const charts = releases.map((release) => release.plain.chart);
        assert.deepEqual(charts, ["base", "istiod", "gateway"]);
        assert.equal(defaultIstioChartRepository, "https://blob.istio.io/istio-release/charts");
        for (const release of releases) {
            assert.equal(release.plain.repositoryOpts.repo, defaultIstioChartRepository);
            assert.equal(release.plain.version, defaultIstioVersion);
            assert.equal(release.plain.namespace, "istio-system");
            assert.equal(release.plain.name, release.name, "the Helm release name is fixed, not auto-named");
        }
    });

    it("follows istio.version for every chart, on each supported line", async () => {
        for (const version of ["1.30.3", "1.31.1"]) {
            const other = await runProgram({ istio: { version } });
            const versions = other.ofType(releaseType).filter((release) => ["base", "istiod", "gateway"].includes(release.plain.chart))
                .map((release) => release.plain.version);
            assert.deepEqual(versions, [version, version, version]);
            assert.deepEqual(await validateRun(other), [], version);
        }
    });

    it("takes every Istio chart from an https mirror in repositoryOpts", async () => {
        const mirrored = await runProgram({ istio: { chartRepository: "https://charts.example.internal/istio/" } });
        for (const name of ["istio-base", "istiod", "istio-ingressgateway"]) {
            const release = mirrored.get(releaseType, name);
            assert.equal(release.plain.repositoryOpts.repo, "https://charts.example.internal/istio", `${name}: trailing slash dropped`);
            assert.doesNotMatch(release.plain.chart, /\//, `${name}: a bare chart name`);
        }
    });

    it("takes every Istio chart from an OCI registry as a full chart reference, without repositoryOpts", async () => {
        // On the newest line, as retired-hosts.spec.ts renders it (one shared run): the version is incidental here.
        const oci = await runProgram({ istio: { version: "1.31.1", chartRepository: istioOciChartRepository } });
        const releases = ["istio-base", "istiod", "istio-ingressgateway"].map((name) => oci.get(releaseType, name));
        assert.deepEqual(releases.map((release) => release.plain.chart), [
            "oci://ghcr.io/istio/release/charts/base", "oci://ghcr.io/istio/release/charts/istiod", "oci://ghcr.io/istio/release/charts/gateway",
        ]);
        for (const release of releases) {
            assert.equal(release.plain.repositoryOpts, undefined, "the provider would look for an index.yaml in repositoryOpts.repo");
            assert.equal(release.plain.version, "1.31.1");
        }
        assert.deepEqual(await validateRun(oci), []);
    });

    it("sets istiod's global.hub, which its own image and every injected proxy (gateway, sidecars) use", async () => {
        assert.equal(run.get(releaseType, "istiod").plain.values.global.hub, defaultIstioHub);
        assert.equal(defaultIstioHub, "docker.io/istio");
        const mirrored = await runProgram({ istio: { hub: "registry.example.internal:5000/istio" } });
        assert.equal(mirrored.get(releaseType, "istiod").plain.values.global.hub, "registry.example.internal:5000/istio");
        // The gateway chart asks for image "auto"; nothing in its values may pin another hub.
        assert.equal(JSON.stringify(mirrored.get(releaseType, "istio-ingressgateway").plain.values).includes("hub"), false);
    });

    it("installs the Kiali chart matching the Istio line", async () => {
        for (const { line, kialiChartVersion } of supportedIstioLines) {
            const lineRun = line === defaultIstioVersion.split(".").slice(0, 2).join(".") ? run : await runProgram({ istio: { version: `${line}.1` } });
            assert.equal(lineRun.get(releaseType, "kiali").plain.version, kialiChartVersion, line);
        }
    });

    it("orders base → istiod → gateway", () => {
        const base = run.get(releaseType, "istio-base");
        const istiod = run.get(releaseType, "istiod");
        const gateway = run.get(releaseType, "istio-ingressgateway");
        assert.ok(run.dependsOn(istiod, base), "istiod must wait for base (CRDs)");
        assert.ok(run.dependsOn(gateway, istiod), "the gateway must wait for istiod (image auto injection)");
        assert.ok(!run.dependsOn(base, istiod), "base must not wait for istiod");
    });

    it("puts the releases in an explicit istio-system Namespace", () => {
        const namespace = run.get("kubernetes:core/v1:Namespace", "istio-system");
        assert.equal(namespace.plain.metadata.name, "istio-system");
        for (const name of ["istio-base", "istiod", "istio-ingressgateway"]) {
            assert.ok(run.dependsOn(run.get(releaseType, name), namespace), `${name} waits for its namespace`);
        }
    });

    it("sets the webhook failure policy to Fail in base and istiod", () => {
        for (const name of ["istio-base", "istiod"]) {
            assert.equal(run.get(releaseType, name).plain.values.base.validationFailurePolicy, "Fail", name);
        }
    });

    it("names the gateway release so its pods carry istio: ingressgateway, with a LoadBalancer by default", () => {
        const gateway = run.get(releaseType, "istio-ingressgateway");
        assert.equal(gateway.plain.name, "istio-ingressgateway");
        assert.equal(gateway.plain.values.service.type, "LoadBalancer");
    });

    it("uses the configured gateway Service type (NodePort for kind/minikube)", async () => {
        // The stack enroute.spec.ts renders for the same key (one shared run); EnRoute is incidental to the gateway's Service.
        const nodePort = await runProgram({ enroute: { enabled: true }, istio: { gatewayServiceType: "NodePort" } });
        assert.equal(nodePort.get(releaseType, "istio-ingressgateway").plain.values.service.type, "NodePort");
    });

    it("enforces STRICT mTLS mesh-wide by default with PeerAuthentication default in istio-system", () => {
        const [peer] = run.kind("security.istio.io/v1", "PeerAuthentication")
            .filter((resource) => resource.plain.metadata.name === "default" && resource.plain.metadata.namespace === "istio-system");
        assert.ok(peer, "mesh-wide PeerAuthentication missing");
        assert.equal(peer.plain.spec.mtls.mode, "STRICT");
        assert.equal(peer.plain.spec.selector, undefined, "a selector in the root namespace would be ignored");
        assert.ok(run.dependsOn(peer, run.get(releaseType, "istiod")), "the policy must wait for istiod's webhook");
    });

    it("switches the mesh to PERMISSIVE when configured", async () => {
        const permissive = await runProgram({ mtls: { mode: "PERMISSIVE" } });
        const [peer] = permissive.kind("security.istio.io/v1", "PeerAuthentication")
            .filter((resource) => resource.plain.metadata.name === "default" && resource.plain.metadata.namespace === "istio-system");
        assert.equal(peer.plain.spec.mtls.mode, "PERMISSIVE");
    });

    it("emits only objects that validate against the upstream schemas and chart keys", async () => {
        assert.deepEqual(await validateRun(run), []);
    });
});
