// The harness must be able to fail: these specs feed it wrong objects and check that it says so.
import { strict as assert } from "assert";
import { defaultIstioChartRepository } from "../../components/core/istio-hosting";
import { defaultIstioVersion } from "../../components/core/versions";
import { ProgramRun, RegisteredResource, programRunCounts, pureHook, runKey, runProgram, stringsIn, unwrapSecrets } from "../harness/program";
import { unknownValuePaths, validateHelmRelease, validateKubernetesObject } from "../harness/validate";
import { istioChartKeysOfLine } from "../data/istio-chart-keys";
import { iksMocks, iksResourceState, iksStackConfig } from "../support/iks-stack";

function fake(type: string, plain: Record<string, unknown>): RegisteredResource {
    return {
        type, name: "fake", urn: `urn:fake:${type}`, custom: true, parent: "", inputs: plain, plain,
        dependencies: [], propertyDependencies: {}, read: false, additionalSecretOutputs: [], provider: "",
    };
}

describe("harness: schema validation can fail", () => {
    it("rejects an Istio resource with a mode the CRD does not allow", async () => {
        const problems = await validateKubernetesObject(fake("kubernetes:security.istio.io/v1:PeerAuthentication", {
            apiVersion: "security.istio.io/v1", kind: "PeerAuthentication",
            metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "ON" } },
        }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], /mode/);
    });

    it("rejects a Kubernetes object of the wrong shape", async () => {
        const problems = await validateKubernetesObject(fake("kubernetes:core/v1:Namespace", {
            apiVersion: "v1", kind: "Namespace", metadata: { name: 42 },
        }));
        assert.equal(problems.length, 1);
    });

    it("refuses a Kubernetes type it has no schema for", async () => {
        const problems = await validateKubernetesObject(fake("kubernetes:example.com/v1:Widget", {
            apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" },
        }));
        assert.match(problems[0], /no schema is known/);
    });

    it("finds a Helm value the chart does not define", () => {
        const gatewayKeys = istioChartKeysOfLine("1.30").gateway?.keys ?? [];
        assert.deepEqual(unknownValuePaths({ service: { type: "NodePort", typo: 1 } }, gatewayKeys), ["service.typo"]);
        assert.deepEqual(unknownValuePaths({ service: { annotations: { "any/key": "x" } } }, gatewayKeys), []);
        const problems = validateHelmRelease(fake("kubernetes:helm.sh/v3:Release", {
            chart: "istiod", version: "1.30.5", repositoryOpts: { repo: defaultIstioChartRepository }, values: { pilot: { replicas: 2 } },
        }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], /pilot\.replicas does not exist/);
    });

    it("refuses a chart version its key list was not read from", () => {
        const problems = validateHelmRelease(fake("kubernetes:helm.sh/v3:Release", {
            chart: "gateway", version: "1.29.0", repositoryOpts: { repo: defaultIstioChartRepository }, values: {},
        }));
        assert.match(problems[0], /key list is for 1\.30\.3, 1\.31\.0-rc\.0/);
    });

    it("checks an OCI chart reference against the chart's key list", () => {
        const problems = validateHelmRelease(fake("kubernetes:helm.sh/v3:Release", {
            chart: "oci://ghcr.io/istio/release/charts/gateway", version: "1.31.1", values: { service: { typo: 1 } },
        }));
        assert.deepEqual(problems.map((problem) => problem.replace(/^.*: value/, "value")), ["value service.typo does not exist in chart gateway 1.31.0-rc.0"]);
    });
});

describe("harness: secrets and dependencies", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({});
    });

    it("unwraps and finds secret values", () => {
        const wrapped = { a: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cret" }, b: "plain" };
        assert.deepEqual(unwrapSecrets(wrapped), { a: "s3cret", b: "plain" });
        assert.deepEqual(stringsIn(wrapped), [{ text: "s3cret", secret: true }, { text: "plain", secret: false }]);
    });

    it("captures dependencies that flow through outputs, not only dependsOn", () => {
        // The mesh PeerAuthentication names its namespace through the Namespace's output, with no dependsOn on it.
        const peer = run.kind("security.istio.io/v1", "PeerAuthentication")[0];
        const namespace = run.get("kubernetes:core/v1:Namespace", "istio-system");
        assert.ok(peer.propertyDependencies.metadata?.includes(namespace.urn));
        assert.ok(run.dependsOn(peer, namespace));
    });

    it("does not invent dependencies", () => {
        const namespace = run.get("kubernetes:core/v1:Namespace", "istio-system");
        const istiod = run.get("kubernetes:helm.sh/v3:Release", "istiod");
        assert.ok(!run.dependsOn(namespace, istiod));
    });

    it("reports the stack outputs with their secrecy", () => {
        assert.deepEqual(run.outputs.istioVersion, { value: defaultIstioVersion, known: true, secret: false });
    });
});

describe("harness: failures inside applies", () => {
    it("fails the run when the program throws inside an apply (unparsable command output), naming the cause", async () => {
        await assert.rejects(runProgram(iksStackConfig, {
            secretSections: ["iks"],
            resourceState: (args) => args.type === "command:local:Command" && String(args.inputs.create).endsWith("nlb-dns create")
                ? { stdout: "NLB hostname was created as something" }
                : iksResourceState(args),
        }), /printed no result line/);
    });
});

describe("harness: runs shared within a process", () => {
    // Resources by URN: the engine receives registrations in an order that may differ between evaluations.
    const comparable = (run: ProgramRun) => ({
        resources: Object.fromEntries(run.resources.map((resource) => [resource.urn, resource])),
        count: run.resources.length, outputs: run.outputs, logs: run.logs,
    });

    it("hands back the same run for the same stack, equal to a fresh evaluation", async () => {
        const first = await runProgram({ wordpress: { canary: { weight: 10 } }, bookinfo: { enabled: true } });
        const before = programRunCounts();
        // Same config with its keys in another order.
        const again = await runProgram({ bookinfo: { enabled: true }, wordpress: { canary: { weight: 10 } } });
        assert.equal(again, first);
        assert.deepEqual(programRunCounts(), { evaluated: before.evaluated, shared: before.shared + 1 });
        const fresh = await runProgram({ wordpress: { canary: { weight: 10 } }, bookinfo: { enabled: true } }, { fresh: true });
        assert.notEqual(fresh, first);
        assert.equal(programRunCounts().evaluated, before.evaluated + 1);
        assert.ok(fresh.resources.length > 50);
        assert.deepStrictEqual(comparable(fresh), comparable(first));
        // The IKS mocks are marked pure: their runs are shared too, and still equal a fresh one.
        const iks = await runProgram(iksStackConfig, { secretSections: ["iks"], ...iksMocks });
        assert.equal(await runProgram(iksStackConfig, { secretSections: ["iks"], ...iksMocks }), iks);
        assert.deepStrictEqual(comparable(await runProgram(iksStackConfig, { secretSections: ["iks"], ...iksMocks, fresh: true })), comparable(iks));
    });

    it("does not share a run that anything else could make different", async () => {
        // The key runProgram shares runs by: another config, another option, another pure hook or another
        // environment is another key, and so another run; a hook not marked pure (it may count its calls) has none.
        const plainKey = runKey({}, {});
        assert.ok(plainKey);
        assert.equal(runKey({}, {}), plainKey);
        const otherKeys = [runKey({ kiali: { enabled: false } }, {}), runKey({}, { stack: "other" }), runKey({}, { resourceState: pureHook(() => undefined) })];
        process.env.IKS_MESH_HARNESS_PROBE = "1";
        try {
            otherKeys.push(runKey({}, {}));
        } finally {
            delete process.env.IKS_MESH_HARNESS_PROBE;
        }
        assert.equal(runKey({}, {}), plainKey);
        assert.equal(new Set([plainKey, ...otherKeys]).size, 5, otherKeys.join("\n"));
        const samePureHook = pureHook(() => undefined);
        assert.equal(runKey({}, { resourceState: samePureHook }), runKey({}, { resourceState: samePureHook }));
        assert.equal(runKey({}, { resourceState: () => undefined }), undefined);
        // And runProgram goes by that key: another key is another run, and a hook not marked pure sees every evaluation.
        const plain = await runProgram({});
        assert.notEqual(await runProgram({ bookinfo: { enabled: true }, wordpress: { canary: { weight: 10 } } }), plain);
        const counting = { calls: 0 };
        await runProgram({}, { resourceState: () => { counting.calls++; return undefined; } });
        const afterFirst = counting.calls;
        assert.ok(afterFirst > 0);
        await runProgram({}, { resourceState: () => { counting.calls++; return undefined; } });
        assert.equal(counting.calls, 2 * afterFirst);
        assert.equal(await runProgram({}), plain);
    });

    it("does not let a spec change a run another spec reads", async () => {
        const run = await runProgram({});
        const namespace = run.get("kubernetes:core/v1:Namespace", "istio-system");
        assert.throws(() => { namespace.plain.metadata.name = "changed"; }, TypeError);
        assert.throws(() => { namespace.plain.metadata.labels = {}; }, TypeError);
        assert.throws(() => { run.resources.push(namespace); }, TypeError);
        assert.throws(() => { run.resources.sort(); }, TypeError);
        assert.throws(() => { namespace.dependencies.push("urn:x"); }, TypeError);
        assert.throws(() => { run.outputs.istioVersion.value = "0"; }, TypeError);
        assert.throws(() => { (run as { resources: unknown }).resources = []; }, TypeError);
        assert.deepStrictEqual(comparable(await runProgram({})), comparable(await runProgram({}, { fresh: true })));
    });
});
