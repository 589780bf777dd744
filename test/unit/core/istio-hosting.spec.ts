// Istio's new homes (blob.istio.io, ghcr.io, docker.io/istio), the rules for istio.chartRepository and
// istio.hub, and the supported Istio lines: plain functions, then the messages a user sees.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../../components/config/parse";
import {
    chartRepositoryProblem, defaultIstioChartRepository, defaultIstioHub, hubProblem, istioChartSource, istioOciChartRepository,
    retiredHostNamedIn, retiredIstioHosts,
} from "../../../components/core/istio-hosting";
import { defaultIstioVersion, istioLineOf, kialiChartVersionFor, supportedIstioLines, supportedIstioRange } from "../../../components/core/versions";
import { istioChartKeysOfLine, istioChartNames } from "../../data/istio-chart-keys";
import { configProblemsOf } from "../../support/config-problems";


describe("Istio hosting: chart repositories", () => {
    for (const accepted of [defaultIstioChartRepository, istioOciChartRepository, "https://charts.example.internal/istio/",
        "oci://registry.example.internal:5000/mirror/istio", "https://localhost/charts"]) {
        it(`accepts ${accepted}`, () => assert.equal(chartRepositoryProblem(accepted), undefined));
    }
    for (const [refused, why] of [
        ["", /empty/], ["   ", /empty/], ["http://charts.example.com", /plain http/], ["blob.istio.io/istio-release/charts", /https:\/\/ or oci:\/\//],
        ["ftp://charts.example.com", /scheme ftp:/], ["https://", /https:\/\/ or oci:\/\//], ["https://charts example.com", /spaces/],
        ["https://user:pw@charts.example.com", /credentials/], ["https://charts.example.com/?x=1", /query/],
        ["https://istio-release.storage.googleapis.com/charts", /istio-release\.storage\.googleapis\.com/], ["oci://nohost/charts", /registry host/],
    ] as const) {
        it(`refuses ${JSON.stringify(refused)}`, () => assert.match(chartRepositoryProblem(refused)?.message ?? "accepted", why));
    }

    it("puts an https repository in repositoryOpts and an OCI registry into the chart reference", () => {
        assert.deepEqual(istioChartSource("https://blob.istio.io/istio-release/charts/", "istiod", "1.30.5"),
            { chart: "istiod", version: "1.30.5", repositoryOpts: { repo: "https://blob.istio.io/istio-release/charts" } });
        assert.deepEqual(istioChartSource("oci://ghcr.io/istio/release/charts/", "gateway", "1.31.1"),
            { chart: "oci://ghcr.io/istio/release/charts/gateway", version: "1.31.1" });
    });
});

describe("Istio hosting: image hubs", () => {
    for (const accepted of [defaultIstioHub, "registry.example.internal/istio", "registry.example.internal:5000/mirror/istio", "localhost:5000/istio", "quay.io"]) {
        it(`accepts ${accepted}`, () => assert.equal(hubProblem(accepted), undefined));
    }
    for (const [refused, why] of [
        ["", /empty/], ["https://docker.io/istio", /without a scheme/], ["docker.io/istio:1.30.5", /without a tag/], ["Docker.io/Istio", /lowercase/],
        ["istio", /registry host/], ["gcr.io/istio-release", /gcr\.io\/istio-release/], ["registry.istio.io/release", /registry\.istio\.io/],
    ] as const) {
        it(`refuses ${JSON.stringify(refused)}`, () => assert.match(hubProblem(refused)?.message ?? "accepted", why));
    }
});

describe("Istio hosting: retired hosts", () => {
    it("finds each retired host in image references and URLs, and only as a host", () => {
        assert.equal(retiredHostNamedIn("registry.istio.io/release/examples-bookinfo-details-v1:1.20.3"), "registry.istio.io");
        assert.equal(retiredHostNamedIn("gcr.io/istio-release/pilot:1.30.5"), "gcr.io/istio-release");
        assert.equal(retiredHostNamedIn("see https://istio-release.storage.googleapis.com/charts"), "istio-release.storage.googleapis.com");
        assert.equal(retiredHostNamedIn("REGISTRY.ISTIO.IO/release"), "registry.istio.io");
        for (const clean of ["docker.io/istio/pilot:1.30.5", "notregistry.istio.io/x", "registry.istio.io.example.com/x",
            "gcr.io/istio-release-mirror/pilot", "https://blob.istio.io/istio-release/charts"]) {
            assert.equal(retiredHostNamedIn(clean), undefined, clean);
        }
        assert.equal(retiredIstioHosts.length, 3);
    });
});

describe("Istio versions: the supported lines", () => {
    it("declares 1.30 and 1.31, each with its Kiali chart, and defaults to a 1.30 patch of at least 1.30.5", () => {
        assert.deepEqual(supportedIstioLines.map((entry) => entry.line), ["1.30", "1.31"]);
        assert.equal(kialiChartVersionFor("1.30.5"), "2.26.0");
        assert.equal(kialiChartVersionFor("1.31.1"), "2.27.0");
        assert.equal(istioLineOf(defaultIstioVersion)?.line, "1.30");
        assert.ok(Number(defaultIstioVersion.split(".")[2]) >= 5);
        assert.equal(istioLineOf("1.29.9"), undefined);
        assert.equal(istioLineOf("11.30.0"), undefined);
        assert.throws(() => kialiChartVersionFor("1.22.0"), /1\.30\.x, 1\.31\.x/);
    });

    for (const version of ["1.22.0", "2.0.0", "1.29.4", "1.32.0"]) {
        it(`refuses istio.version ${version}, naming the supported range and a fix`, () => {
            const problems = configProblemsOf({ istio: { version } });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], new RegExp(`^istio\\.version must be a release of a supported Istio line: ${supportedIstioRange().replace(/\./g, "\\.")} \\(got "${version.replace(/\./g, "\\.")}"\\)`));
            assert.match(problems[0], /Fix: pulumi config set --path 'istio\.version' 1\.30\.5/);
        });
    }

    it("accepts every patch of a supported line", () => {
        for (const version of ["1.30.0", "1.30.5", "1.31.0", "1.31.1", "1.31.12"]) {
            assert.deepEqual(configProblemsOf({ istio: { version } }), [], version);
        }
    });

    it("has the Helm value keys of base, istiod and gateway for every supported line", () => {
        for (const { line } of supportedIstioLines) {
            const keys = istioChartKeysOfLine(line);
            for (const chart of istioChartNames) {
                assert.ok((keys[chart]?.keys.length ?? 0) > 10, `no ${chart} keys for Istio ${line}: run npm run charts:keys on its charts`);
            }
            // The keys the program sets, which differ from chart defaults, exist on every line.
            assert.ok(keys.istiod?.keys.includes("global.hub"), line);
            assert.ok(keys.istiod?.keys.includes("base.validationFailurePolicy"), line);
            assert.ok(keys.base?.keys.includes("base.validationFailurePolicy"), line);
        }
    });
});

describe("Istio hosting: config messages", () => {
    it("names the key, the bad value and a command with the default, for both new keys", () => {
        const [repository] = configProblemsOf({ istio: { chartRepository: "http://charts.example.com" } });
        assert.match(repository, /^istio\.chartRepository must use https:\/\/ or oci:\/\/, not plain http:\/\/ .*\(got "http:\/\/charts\.example\.com"\)/);
        assert.match(repository, /Fix: pulumi config set --path 'istio\.chartRepository' https:\/\/blob\.istio\.io\/istio-release\/charts \(or oci:\/\/ghcr\.io\/istio\/release\/charts/);
        const [hub] = configProblemsOf({ istio: { hub: "gcr.io/istio-release" } });
        assert.match(hub, /^istio\.hub names gcr\.io\/istio-release, which is decommissioned in December 2026 \(got "gcr\.io\/istio-release"\)/);
        assert.match(hub, /Fix: pulumi config set --path 'istio\.hub' docker\.io\/istio/);
    });

    it("never echoes credentials from a chart repository URL", () => {
        const [problem] = configProblemsOf({ istio: { chartRepository: "https://alice:s3cr3t@charts.example.com" } });
        assert.match(problem, /credentials/);
        assert.ok(!problem.includes("s3cr3t") && !problem.includes("alice"), problem);
    });

    it("keeps a valid mirror, without its trailing slash", () => {
        const config = parseStackConfig({ istio: { chartRepository: "oci://registry.example.internal/istio/", hub: "registry.example.internal/istio" } });
        assert.equal(config.istio.chartRepository, "oci://registry.example.internal/istio");
        assert.equal(config.istio.hub, "registry.example.internal/istio");
    });
});
