// `pulumi config set istio.version 1.30.5` without --path stores a flat key "iks-mesh:istio.version"
// beside the nested default: the program refuses it with the exact commands that fix it.
import { strict as assert } from "assert";
import { flatKeyProblems, shellWord } from "../../../components/config/flat-keys";
import { runExpectingConfigError } from "../../harness/program";
import { configProblemsOf } from "../../support/config-problems";


describe("config: flat keys set without --path", () => {
    it("tells how to move istio.version to its path, with the user's value", () => {
        // What the CLI hands the program: the nested default from Pulumi.yaml, and the flat key beside it.
        const problems = configProblemsOf({ istio: { version: "1.30.3" }, "istio.version": "1.30.5" });
        assert.deepEqual(problems, [
            "istio.version is a flat key: it was set without --path, so the stack does not read it. " +
            "Fix: pulumi config rm 'istio.version' && pulumi config set --path istio.version 1.30.5",
        ]);
    });

    it("never repeats a secret value: it says --secret and leaves a placeholder", () => {
        const problems = configProblemsOf({ "iks.apiKey": "flat-secret-key-4711" }, ["iks.apiKey"]);
        assert.deepEqual(problems, [
            "iks.apiKey is a flat key: it was set without --path, so the stack does not read it. " +
            "Fix: pulumi config rm 'iks.apiKey' && pulumi config set --path --secret iks.apiKey < <file holding the value>",
        ]);
        assert.ok(!problems.join("\n").includes("flat-secret-key-4711"));
    });

    it("quotes values and keys the shell would change, and sets an object field by field", () => {
        assert.deepEqual(configProblemsOf({ "gateway.hosts": ["mesh.example.com"] }), [
            "gateway.hosts is a flat key: it was set without --path, so the stack does not read it. " +
            `Fix: pulumi config rm 'gateway.hosts' && pulumi config set --path gateway.hosts '["mesh.example.com"]'`,
        ]);
        assert.deepEqual(configProblemsOf({ "gateway.routes[0].prefix": "/api" }), [
            "gateway.routes[0].prefix is a flat key: it was set without --path, so the stack does not read it. " +
            "Fix: pulumi config rm 'gateway.routes[0].prefix' && pulumi config set --path 'gateway.routes[0].prefix' /api",
        ]);
        assert.deepEqual(configProblemsOf({ "iks.alb": { enabled: "false", ingressClass: "public-iks-traefik" } }), [
            "iks.alb is a flat key: it was set without --path, so the stack does not read it. " +
            "Fix: pulumi config rm 'iks.alb' && pulumi config set --path iks.alb.enabled false && " +
            "pulumi config set --path iks.alb.ingressClass public-iks-traefik",
        ]);
        assert.equal(shellWord("it's here"), "'it'\\''s here'");
    });

    it("a flat key that names no setting is removed without --path, and the section's keys are named", () => {
        const problems = configProblemsOf({ "istio.versoin": "1.30.5" });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^istio\.versoin is not a known setting \(a flat key, set without --path\)\. Fix: pulumi config rm 'istio\.versoin', and set one of istio\.version, /);
        assert.ok(!problems[0].includes("--path 'istio.versoin'"), "rm --path would look for a nested key that does not exist");
        assert.deepEqual(configProblemsOf({ "nothing.here": "x" }), ["nothing.here is not a known setting (a flat key, set without --path). Fix: pulumi config rm 'nothing.here'"]);
    });

    it("matches only keys of the contract it is given", () => {
        assert.deepEqual(flatKeyProblems({ "a.b": "1", plain: "x" }, ["a.b"], []).map((problem) => problem.key), ["a.b"]);
        assert.match(flatKeyProblems({ "a.b": "1" }, [], [])[0].message, /not a known setting/);
    });

    it("under the mock engine: the run stops before any resource with the same message", async () => {
        const { problems, registered } = await runExpectingConfigError({ istio: { version: "1.30.3" }, "istio.version": "1.30.5" });
        assert.equal(registered.length, 0);
        assert.deepEqual(problems, [
            "istio.version is a flat key: it was set without --path, so the stack does not read it. " +
            "Fix: pulumi config rm 'istio.version' && pulumi config set --path istio.version 1.30.5",
        ]);
    });

    it("under the mock engine: a flat secret stays out of the message", async () => {
        const { message } = await runExpectingConfigError({ "iks.apiKey": "flat-secret-key-4711" }, { secretSections: ["iks.apiKey"] });
        assert.match(message, /pulumi config set --path --secret iks\.apiKey < <file holding the value>/);
        assert.ok(!message.includes("flat-secret-key-4711"));
    });
});
