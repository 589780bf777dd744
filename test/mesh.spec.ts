import { strict as assert } from "assert";
import { istioChartRepository } from "../components/versions";
import { ProgramRun, runProgram } from "./harness/program";
import { validateRun } from "./harness/validate";

const releaseType = "kubernetes:helm.sh/v3:Release";

describe("IstioMesh: Istio from its official charts with strict mTLS", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({});
    });

    it("installs base, istiod and the gateway from the official repository at one pinned version", () => {
        const releases = ["istio-base", "istiod", "istio-ingressgateway"].map((name) => run.get(releaseType, name));
        const charts = releases.map((release) => release.plain.chart);
        assert.deepEqual(charts, ["base", "istiod", "gateway"]);
        for (const release of releases) {
            assert.equal(release.plain.repositoryOpts.repo, istioChartRepository);
            assert.equal(release.plain.version, "1.30.3");
            assert.equal(release.plain.namespace, "istio-system");
            assert.equal(release.plain.name, release.name, "the Helm release name is fixed, not auto-named");
        }
    });

    it("follows istio.version for every chart", async () => {
        const other = await runProgram({ istio: { version: "1.29.4" } });
        const versions = other.ofType(releaseType).filter((release) => release.plain.repositoryOpts.repo === istioChartRepository)
            .map((release) => release.plain.version);
        assert.deepEqual([...new Set(versions)], ["1.29.4"]);
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
        const nodePort = await runProgram({ istio: { gatewayServiceType: "NodePort" } });
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
