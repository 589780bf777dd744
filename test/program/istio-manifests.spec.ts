// Istio's sample manifests (bookinfo, httpbin, the Prometheus addon) rendered into resources the program
// registers itself: pure rendering first, then the program under mocks with the fixtures of the real
// manifests (test/fixtures/istio-manifests, from istio/istio tag 1.30.3) served instead of the network.
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "assert";
import {
    imagesOf, istioImage, parseManifest, placeInNamespace, renderManifest, resourceName, rewriteIstioImages,
} from "../../components/manifests/istio-manifest";
import { fetchIstioManifest, pinnedFetcher, sha256Hex } from "../../components/manifests/fetch";
import { retiredHostNamedIn } from "../../components/core/istio-hosting";
import { istioSampleSha256ByLine, istioSampleUrl } from "../../components/core/versions";
import { ProgramRun, lastRunResources, runProgram } from "../harness/program";
import { validateRun } from "../harness/validate";
import { fixtureManifest, fixtureText } from "../support/istio-manifests";
import { loadSampleManifests } from "../../components/manifests/sample-manifests";
import { parseStackConfig } from "../../components/config/parse";

const bookinfoPath = "bookinfo/platform/kube/bookinfo.yaml";
const httpbinPath = "httpbin/httpbin.yaml";
const prometheusPath = "addons/prometheus.yaml";

/** Every container image of the Deployments a run registers in a namespace, by Deployment name. */
function imagesIn(run: ProgramRun, namespace: string): Record<string, string[]> {
    return Object.fromEntries(run.kind("apps/v1", "Deployment").filter((d) => d.plain.metadata.namespace === namespace)
        .map((d) => [d.plain.metadata.name, d.plain.spec.template.spec.containers.map((c: { image: string }) => c.image)]));
}

describe("Istio manifests: the real manifests' facts (fixtures)", () => {
    it("bookinfo at 1.30.x takes its images from registry.istio.io, which is decommissioned: the reason for the rewrite", () => {
        const images = parseManifest(fixtureText(bookinfoPath), bookinfoPath).flatMap(imagesOf);
        assert.equal(images.length, 6);
        assert.ok(images.every((image) => /^registry\.istio\.io\/release\/examples-bookinfo-[a-z]+-v\d:1\.20\.3$/.test(image)), images.join(" "));
    });
});

describe("Istio manifests: rendering (pure)", () => {
    it("moves Istio's images to the hub, keeping name and tag, and leaves other images alone", () => {
        assert.equal(istioImage("registry.istio.io/release/examples-bookinfo-details-v1:1.20.3", "docker.io/istio"),
            "docker.io/istio/examples-bookinfo-details-v1:1.20.3");
        assert.equal(istioImage("gcr.io/istio-release/proxyv2:1.30.5", "registry.example.internal/istio"),
            "registry.example.internal/istio/proxyv2:1.30.5");
        assert.equal(istioImage("docker.io/istio/examples-bookinfo-ratings-v1:1.20.3", "registry.example.internal/istio"),
            "registry.example.internal/istio/examples-bookinfo-ratings-v1:1.20.3");
        for (const foreign of ["docker.io/mccutchen/go-httpbin:v2.15.0", "docker.io/prom/prometheus:v3.10.0",
            "ghcr.io/prometheus-operator/prometheus-config-reloader:v0.89.0", "docker.io/istiofoo/x:1"]) {
            assert.equal(istioImage(foreign, "registry.example.internal/istio"), foreign);
        }
    });

    it("rewrites init containers and ephemeral containers too, without changing its input", () => {
        const [pod] = parseManifest(`apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      initContainers: [{name: i, image: "registry.istio.io/release/init:1"}]
      containers: [{name: c, image: "gcr.io/istio-release/app:2"}]
`, "inline");
        const [rewritten] = rewriteIstioImages([pod], "docker.io/istio");
        assert.deepEqual(imagesOf(rewritten), ["docker.io/istio/app:2", "docker.io/istio/init:1"]);
        assert.deepEqual(imagesOf(pod), ["gcr.io/istio-release/app:2", "registry.istio.io/release/init:1"]);
    });

    it("places namespaced objects without a namespace, keeps named namespaces, and leaves cluster-scoped objects alone", () => {
        const objects = placeInNamespace(parseManifest(fixtureText(prometheusPath), prometheusPath), "istio-system");
        assert.deepEqual(objects.map(resourceName), ["istio-system/prometheus", "istio-system/prometheus", "prometheus", "prometheus",
            "istio-system/prometheus", "istio-system/prometheus"]);
        const bookinfo = placeInNamespace(parseManifest(fixtureText(bookinfoPath), bookinfoPath), "bookinfo");
        assert.ok(bookinfo.every((object) => object.metadata.namespace === "bookinfo"));
    });

    it("drops nulls the way kubectl reads them (the addon's rollingUpdate: null, annotations: {})", () => {
        const deployment = parseManifest(fixtureText(prometheusPath), prometheusPath).find((o) => o.kind === "Deployment");
        assert.deepEqual((deployment?.spec as any).strategy, { type: "Recreate" });
    });

    it("refuses a manifest with a type it does not apply, one in another namespace, or one still naming a retired host", () => {
        assert.throws(() => renderManifest("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n", { namespace: "n", hub: "docker.io/istio", source: "u" }),
            /u has objects of a type the stack does not apply yet: batch\/v1\/Job j/);
        assert.throws(() => renderManifest("apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: other}\n", { namespace: "n", hub: "docker.io/istio", source: "u" }),
            /puts Service s in namespace other, but the stack applies it to n/);
        assert.throws(() => renderManifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {url: 'https://istio-release.storage.googleapis.com/charts'}\n",
            { namespace: "n", hub: "docker.io/istio", source: "u" }), /still names a retired Istio host .*ConfigMap c data\.url/s);
        assert.throws(() => parseManifest("apiVersion: v1\nkind: Service\n", "u"), /document 1 is not a Kubernetes object/);
        assert.throws(() => parseManifest("a: [\n", "u"), /document 1 is not valid YAML/);
    });
});

describe("Istio manifests: fetching", () => {
    it("names the URL and istio.version when a fetch fails, and says what to check", async () => {
        await assert.rejects(fetchIstioManifest("https://raw.githubusercontent.com/istio/istio/1.30.9/samples/httpbin/httpbin.yaml", "1.30.9",
            () => Promise.reject(new Error("HTTP 404 Not Found"))),
        (error: Error) => {
            assert.ok(pulumi.RunError.isInstance(error), "a RunError: printed without a stack trace");
            assert.match(error.message, /^Could not fetch Istio's manifest https:\/\/raw\.githubusercontent\.com\/istio\/istio\/1\.30\.9\/samples\/httpbin\/httpbin\.yaml for istio\.version 1\.30\.9 \(HTTP 404 Not Found\); nothing was created/);
            return true;
        });
    });

    it("stops the program before any resource when a manifest cannot be fetched", async () => {
        await assert.rejects(runProgram({ istio: { version: "1.30.5" } }, {
            fetchManifest: async (url) => url.endsWith("/httpbin/httpbin.yaml") ? Promise.reject(new Error("connection refused")) : fixtureManifest(url),
        }), /Could not fetch Istio's manifest https:\/\/raw\.githubusercontent\.com\/istio\/istio\/1\.30\.5\/samples\/httpbin\/httpbin\.yaml for istio\.version 1\.30\.5 \(connection refused\)/);
        assert.deepEqual(lastRunResources().filter((r) => r.custom).map((r) => `${r.type} ${r.name}`), []);
    });

    it("stops the program before any resource when a download differs from its pin, naming the URL and both hashes", async () => {
        // The fixtures are trimmed, so their bytes differ from the pinned upstream files: exactly a tampered download.
        const url = istioSampleUrl("1.30.5", bookinfoPath);
        await assert.rejects(runProgram({ istio: { version: "1.30.5" } }, { fetchManifest: pinnedFetcher(fixtureManifest) }), (error: Error) => {
            assert.ok(pulumi.RunError.isInstance(error), "a RunError: printed without a stack trace");
            for (const part of [url, `expected SHA-256 ${istioSampleSha256ByLine["1.30"][bookinfoPath]}`, `got ${sha256Hex(fixtureText(bookinfoPath))}`, "Nothing was created"]) {
                assert.ok(error.message.includes(part), `${part} in ${error.message}`);
            }
            return true;
        });
        assert.deepEqual(lastRunResources().filter((r) => r.custom).map((r) => `${r.type} ${r.name}`), []);
    });

    it("fetches only the manifests of enabled parts", async () => {
        // loadSampleManifests is the one place the program hands its fetcher to (index.ts), so what it fetches
        // is what a run fetches (samples.spec.ts records a whole run's fetches); checked without the program.
        const fetched: string[] = [];
        const loaded = await loadSampleManifests(parseStackConfig({ bookinfo: { enabled: false }, kiali: { enabled: false } }),
            async (url) => { fetched.push(url); return fixtureManifest(url); });
        assert.deepEqual(fetched, [istioSampleUrl("1.30.5", httpbinPath)]);
        assert.deepEqual(Object.keys(loaded), ["httpbin"]);
    });
});

describe("Istio manifests: the program under mocks", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({});
    });

    it("deploys bookinfo's images from docker.io/istio, same names and tags as Istio's manifest", () => {
        const expected = Object.fromEntries(parseManifest(fixtureText(bookinfoPath), bookinfoPath).filter((o) => o.kind === "Deployment")
            .map((o) => [o.metadata.name, imagesOf(o).map((image) => image.replace(/^registry\.istio\.io\/release\//, "docker.io/istio/"))]));
        assert.deepEqual(Object.keys(expected).sort(), ["details-v1", "productpage-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3"]);
        assert.deepEqual(imagesIn(run, "bookinfo"), expected);
        assert.deepEqual(imagesIn(run, "httptools"), { httpbin: ["docker.io/mccutchen/go-httpbin:v2.15.0"] });
        assert.deepEqual(imagesIn(run, "istio-system").prometheus,
            ["ghcr.io/prometheus-operator/prometheus-config-reloader:v0.89.0", "docker.io/prom/prometheus:v3.10.0"]);
    });

    it("registers every Deployment, Service and ServiceAccount of the samples with their ports and labels", () => {
        const services = run.kind("core/v1", "Service").filter((s) => ["bookinfo", "httptools"].includes(s.plain.metadata.namespace));
        assert.deepEqual(services.map((s) => `${s.name}:${s.plain.spec.ports.map((p: { port: number }) => p.port).join(",")}`).sort(),
            ["bookinfo/details:9080", "bookinfo/productpage:9080", "bookinfo/ratings:9080", "bookinfo/reviews:9080", "httptools/httpbin:8000"]);
        const accounts = run.kind("core/v1", "ServiceAccount").filter((s) => ["bookinfo", "httptools"].includes(s.plain.metadata.namespace));
        assert.deepEqual(accounts.map((a) => a.plain.metadata.name).sort(),
            ["bookinfo-details", "bookinfo-productpage", "bookinfo-ratings", "bookinfo-reviews", "httpbin"]);
        const httpbin = run.get("kubernetes:apps/v1:Deployment", "httptools/httpbin").plain;
        assert.deepEqual(httpbin.spec.template.metadata.labels, { app: "httpbin", version: "v1" });
    });

    it("registers the Prometheus addon object by object in istio-system, without waiting for istiod", () => {
        const observability = run.ofType("iks-mesh:observability:Observability")[0];
        // The Kiali login account and its role, and Prometheus's NetworkPolicy, are the component's own, not the addon's.
        const objects = run.subtree(observability).filter((r) => r.custom && r.type !== "kubernetes:helm.sh/v3:Release" && !r.name.startsWith("kiali-login") &&
            r.name !== "prometheus-ingress-from-kiali");
        assert.deepEqual(objects.map((r) => `${r.type} ${r.name}`).sort(), [
            "kubernetes:apps/v1:Deployment istio-system/prometheus", "kubernetes:core/v1:ConfigMap istio-system/prometheus",
            "kubernetes:core/v1:Service istio-system/prometheus", "kubernetes:core/v1:ServiceAccount istio-system/prometheus",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole prometheus", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding prometheus",
        ]);
        const istiod = run.get("kubernetes:helm.sh/v3:Release", "istiod");
        assert.ok(objects.every((r) => !run.dependsOn(r, istiod)));
    });

    it("moves every Istio image to istio.hub when it names a mirror", async () => {
        // A registry with a port, as mesh.spec.ts renders it for istiod's global.hub (one shared run).
        const mirrored = await runProgram({ istio: { hub: "registry.example.internal:5000/istio" } });
        const images = Object.values(imagesIn(mirrored, "bookinfo")).flat();
        assert.equal(images.length, 6);
        assert.ok(images.every((image) => image.startsWith("registry.example.internal:5000/istio/examples-bookinfo-")), images.join(" "));
        assert.equal(mirrored.get("kubernetes:helm.sh/v3:Release", "istiod").plain.values.global.hub, "registry.example.internal:5000/istio");
    });

    it("deploys no image from a retired host", () => {
        const images = run.kind("apps/v1", "Deployment").flatMap((d) => d.plain.spec.template.spec.containers.map((c: { image: string }) => c.image));
        assert.ok(images.length >= 10);
        assert.deepEqual(images.filter((image) => retiredHostNamedIn(image)), []);
    });

    it("emits only objects that validate against the upstream schemas", async () => {
        assert.deepEqual(await validateRun(run), []);
    });
});
