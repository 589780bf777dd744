// The GitHub Actions workflows: valid against GitHub's workflow schema (@action-validator/core, the
// validator's own WebAssembly build, offline), and structurally what the operations need: PR previews
// commented on the PR, dev deployed from main, other stacks behind their environment, demo stacks
// destroyed and removed, every action pinned, no secret reaching a log. The shell and Node snippets
// embedded in the workflows are run here too, against recorded inputs.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { validateWorkflow } from "@action-validator/core";

const repoRoot = path.resolve(__dirname, "..");
const workflowDir = path.join(repoRoot, ".github", "workflows");
const fixtureDir = path.join(repoRoot, "test", "fixtures", "workflows");
const reusableStackWorkflow = "./.github/workflows/stack.yml";
const validatorCli = path.join(repoRoot, "node_modules", "@action-validator", "cli", "cli.mjs");

type Mapping = Record<string, unknown>;

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Mapping;
    env?: Record<string, string>;
}

interface Job {
    uses?: string;
    with?: Mapping;
    steps?: Step[];
    env?: Record<string, string>;
    permissions?: Mapping | string;
    environment?: unknown;
    if?: string;
    needs?: string | string[];
    concurrency?: { group: string; "cancel-in-progress"?: unknown };
    strategy?: { matrix?: Mapping };
}

interface Workflow {
    on: Mapping;
    concurrency?: { group: string; "cancel-in-progress"?: unknown };
    permissions?: Mapping | string;
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}

interface LoadedWorkflow {
    file: string;
    text: string;
    doc: Workflow;
}

function loadWorkflow(file: string): LoadedWorkflow {
    const text = fs.readFileSync(file, "utf8");
    return { file: path.basename(file), text, doc: YAML.parse(text) as Workflow };
}

function workflowFiles(): string[] {
    return fs.readdirSync(workflowDir).filter((name) => /\.ya?ml$/.test(name)).map((name) => path.join(workflowDir, name));
}

function workflow(name: string): LoadedWorkflow {
    return loadWorkflow(path.join(workflowDir, name));
}

/**
 * `uses:` references that can change under us: anything remote not pinned to a full commit SHA
 * (with the release it is, as a `# vX.Y.Z` comment) or to an exact release tag.
 */
function floatingActionRefs(text: string): string[] {
    const floating: string[] = [];
    for (const line of text.split("\n")) {
        const match = /^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(#.*)?$/.exec(line);
        if (!match || match[1].startsWith("./")) {
            continue;
        }
        const [reference, comment] = [match[1], match[2] ?? ""];
        const pinnedBySha = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(reference) && /^#\s*v\d+\.\d+\.\d+\s*$/.test(comment);
        const pinnedByTag = /^[\w.-]+\/[\w./-]+@v\d+\.\d+\.\d+$/.test(reference);
        if (!pinnedBySha && !pinnedByTag) {
            floating.push(reference);
        }
    }
    return floating;
}

const secretExpression = /\$\{\{\s*secrets[.[]/;

/**
 * Ways a secret reaches the job log: interpolated into a script (GitHub masks it, but it also ends up
 * in the shell's command line and any error), echoed from the environment, or traced with `set -x`.
 * Writing a secret into a file is fine.
 */
function secretLeaks(doc: Workflow): string[] {
    const leaks: string[] = [];
    const secretNames = (env: Record<string, string> | undefined): string[] =>
        Object.entries(env ?? {}).filter(([, value]) => secretExpression.test(String(value))).map(([name]) => name);
    for (const [jobName, job] of Object.entries(doc.jobs)) {
        for (const step of job.steps ?? []) {
            if (step.run === undefined) {
                continue;
            }
            const where = `${jobName}/${step.name ?? step.id ?? step.run.split("\n")[0]}`;
            if (secretExpression.test(step.run)) {
                leaks.push(`${where}: a secret is interpolated into the script`);
            }
            const inScope = [...secretNames(doc.env), ...secretNames(job.env), ...secretNames(step.env)];
            if (inScope.length > 0 && /(^|\n)\s*set\s+-[a-z]*x/.test(step.run)) {
                leaks.push(`${where}: set -x traces a script that holds secrets`);
            }
            for (const line of step.run.split("\n")) {
                const printed = inScope.filter((name) => new RegExp(`\\$\\{?${name}\\b`).test(line));
                if (printed.length === 0 || !/(^|[;&|]\s*|\s)(echo|printf|cat|tee)\b/.test(line)) {
                    continue;
                }
                const redirect = /[^2]>>?\s*("?)([^\s"]+)\1/.exec(line);
                const target = redirect?.[2] ?? "";
                if (!redirect || /GITHUB_OUTPUT|GITHUB_STEP_SUMMARY|\/dev\/std(out|err)/.test(target)) {
                    leaks.push(`${where}: prints ${printed.join(", ")}`);
                }
            }
        }
    }
    return leaks;
}

interface StackCall {
    workflow: string;
    job: string;
    inputs: Mapping;
    permissions: Mapping | string | undefined;
    condition: string | undefined;
}

/** Every job that calls stack.yml, with the inputs it passes merged over stack.yml's defaults. */
function stackCalls(loaded: LoadedWorkflow): StackCall[] {
    const callee = workflow("stack.yml").doc;
    const declared = (callee.on.workflow_call as { inputs: Record<string, { default?: unknown }> }).inputs;
    const defaults = Object.fromEntries(Object.entries(declared).map(([name, input]) => [name, input.default]));
    return Object.entries(loaded.doc.jobs)
        .filter(([, job]) => job.uses === reusableStackWorkflow)
        .map(([name, job]) => ({
            workflow: loaded.file,
            job: name,
            inputs: { ...defaults, ...(job.with ?? {}) },
            permissions: job.permissions ?? loaded.doc.permissions,
            condition: job.if,
        }));
}

/** Replaces `${{ inputs.x }}` in a called workflow's value by what the caller passes. */
function resolveInputs(value: unknown, inputs: Mapping): unknown {
    if (typeof value !== "string") {
        return value;
    }
    const whole = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(value);
    if (whole) {
        return inputs[whole[1]];
    }
    return value.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => String(inputs[name]));
}

function pulumiStep(doc: Workflow): Step {
    const steps = Object.values(doc.jobs).flatMap((job) => job.steps ?? []).filter((step) => step.uses?.startsWith("pulumi/actions@"));
    assert.equal(steps.length, 1, "stack.yml runs exactly one pulumi/actions step");
    return steps[0];
}

/** What pulumi/actions receives for one call of stack.yml. */
function effectivePulumiInputs(call: StackCall): Mapping {
    const step = pulumiStep(workflow("stack.yml").doc);
    return Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, resolveInputs(value, call.inputs)]));
}

function isTrue(value: unknown): boolean {
    return value === true || value === "true";
}

function hasWritePermission(permissions: Mapping | string | undefined, scope: string): boolean {
    return permissions === "write-all" || (typeof permissions === "object" && permissions[scope] === "write");
}

function runScript(script: string, cwd: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
        cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), ...env },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function stepById(doc: Workflow, id: string): Step {
    const step = Object.values(doc.jobs).flatMap((job) => job.steps ?? []).find((candidate) => candidate.id === id);
    assert.ok(step?.run, `a run step with id ${id}`);
    return step;
}

function readOutputs(file: string): Record<string, string> {
    return Object.fromEntries(fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => {
        const at = line.indexOf("=");
        return [line.slice(0, at), line.slice(at + 1)];
    }));
}

function commandExists(command: string): boolean {
    return spawnSync("bash", ["-c", `command -v ${command}`]).status === 0;
}

describe("GitHub Actions workflows", () => {
    const files = workflowFiles();

    it("exist for pull requests, main, manual deploys, demo cleanup and the shared stack job", () => {
        assert.deepEqual(files.map((file) => path.basename(file)).sort(),
            ["demo-cleanup.yml", "deploy.yml", "main.yml", "pr.yml", "stack.yml"]);
    });

    describe("schema validation (@action-validator)", () => {
        for (const file of workflowFiles()) {
            it(`${path.basename(file)} is a valid workflow`, () => {
                const state = validateWorkflow(fs.readFileSync(file, "utf8"));
                assert.deepEqual(state.errors, [], JSON.stringify(state.errors, null, 2));
            });
        }

        it("rejects the deliberately broken fixture, naming what is wrong", () => {
            const state = validateWorkflow(fs.readFileSync(path.join(fixtureDir, "broken.yml"), "utf8"));
            assert.ok(state.errors.length > 0, "the broken workflow must not validate");
            assert.match(JSON.stringify(state.errors), /step|runs-on/);
        });

        it("works as the command-line validator too: exit 0 for a workflow, non-zero for the broken one", () => {
            const good = spawnSync(process.execPath, [validatorCli, path.join(workflowDir, "pr.yml")], { encoding: "utf8" });
            assert.equal(good.status, 0, good.stderr);
            const bad = spawnSync(process.execPath, [validatorCli, path.join(fixtureDir, "broken.yml")], { encoding: "utf8" });
            assert.notEqual(bad.status, 0);
            assert.match(bad.stderr, /errors/);
        });
    });

    describe("safety", () => {
        for (const file of workflowFiles()) {
            const loaded = loadWorkflow(file);
            it(`${loaded.file} pins every action to a release tag or commit SHA`, () => {
                assert.deepEqual(floatingActionRefs(loaded.text), []);
            });
            it(`${loaded.file} keeps secrets out of scripts and logs`, () => {
                assert.deepEqual(secretLeaks(loaded.doc), []);
            });
        }

        it("the checks catch a floating action and both kinds of leak (fixture leaky.yml)", () => {
            const leaky = loadWorkflow(path.join(fixtureDir, "leaky.yml"));
            assert.deepEqual(validateWorkflow(leaky.text).errors, [], "the fixture is schema-valid: only the structural checks catch it");
            assert.deepEqual(floatingActionRefs(leaky.text), ["actions/checkout@main"]);
            const leaks = secretLeaks(leaky.doc);
            assert.equal(leaks.length, 2, leaks.join("\n"));
            assert.match(leaks[0], /interpolated/);
            assert.match(leaks[1], /prints KUBECONFIG_CONTENT/);
        });

        it("a SHA pin without the release it stands for, or a major-only tag, counts as floating", () => {
            assert.deepEqual(floatingActionRefs("      - uses: a/b@0123456789abcdef0123456789abcdef01234567\n      - uses: a/b@v7\n"),
                ["a/b@0123456789abcdef0123456789abcdef01234567", "a/b@v7"]);
        });

        it("every Pulumi CLI install is pinned to the @pulumi/pulumi version of package.json", () => {
            const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> };
            const sdkVersion = packageJson.dependencies["@pulumi/pulumi"];
            const steps = workflowFiles().flatMap((file) => Object.values(loadWorkflow(file).doc.jobs))
                .flatMap((job) => job.steps ?? []).filter((step) => step.uses?.startsWith("pulumi/actions@"));
            assert.ok(steps.length >= 2);
            for (const step of steps) {
                assert.equal(String(step.with?.["pulumi-version"]), sdkVersion);
            }
        });

        it("never cancels an update or destroy half-way (a killed pulumi up leaves the stack locked)", () => {
            for (const file of workflowFiles()) {
                const loaded = loadWorkflow(file);
                const changes = stackCalls(loaded).filter((call) => call.inputs.command === "up" || call.inputs.command === "destroy");
                for (const call of changes) {
                    const job = loaded.doc.jobs[call.job];
                    assert.notEqual(job.concurrency?.["cancel-in-progress"], true, `${loaded.file}/${call.job}`);
                    const workflowCancel = loaded.doc.concurrency?.["cancel-in-progress"];
                    assert.ok(workflowCancel === undefined || workflowCancel === false ||
                        (typeof workflowCancel === "string" && workflowCancel.includes('!contains(github.event.pull_request.labels.*.name, \'demo\')')),
                    `${loaded.file}: cancel-in-progress ${String(workflowCancel)} could cut ${call.job} short`);
                }
            }
        });

        it("stack.yml declares no permissions, so a caller's pull-requests: write reaches the PR comment", () => {
            const doc = workflow("stack.yml").doc;
            assert.equal(doc.permissions, undefined);
            for (const job of Object.values(doc.jobs)) {
                assert.equal(job.permissions, undefined);
            }
        });

        it("the backend comes from PULUMI_BACKEND_URL, which overrides the project's backend.url (a login would not)", () => {
            const step = pulumiStep(workflow("stack.yml").doc);
            assert.match(String(step.env?.PULUMI_BACKEND_URL), /secrets\.PULUMI_BACKEND_URL/);
            assert.match(String(step.env?.PULUMI_CONFIG_PASSPHRASE), /secrets\.PULUMI_CONFIG_PASSPHRASE/);
            assert.equal(step.with?.["cloud-url"], undefined);
            const guard = workflow("stack.yml").doc.jobs.pulumi.steps?.find((candidate) => (candidate.run ?? "").includes('PULUMI_BACKEND_URL'));
            assert.ok(guard, "a step stops the job when the backend secret is missing");
        });
    });

    describe("pull requests (pr.yml)", () => {
        const pr = workflow("pr.yml");

        it("runs npm ci and npm test on Node 24 with the npm cache", () => {
            const steps = pr.doc.jobs.test.steps ?? [];
            const setupNode = steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
            assert.equal(String(setupNode?.with?.["node-version"]), "24");
            assert.equal(setupNode?.with?.cache, "npm");
            assert.deepEqual(steps.filter((step) => step.run).map((step) => step.run?.split(" ").slice(0, 2).join(" ")),
                ["npm ci", "npm test"]);
        });

        it("previews every configured stack with the diff commented on the PR, after the tests pass", () => {
            const previews = stackCalls(pr).filter((call) => call.inputs.command === "preview");
            assert.equal(previews.length, 1);
            const [preview] = previews;
            assert.ok(hasWritePermission(preview.permissions, "pull-requests"), "comment-on-pr needs pull-requests: write");
            const inputs = effectivePulumiInputs(preview);
            assert.equal(inputs.command, "preview");
            assert.ok(isTrue(inputs["comment-on-pr"]));
            assert.match(String(inputs["github-token"]), /github\.token/);
            assert.equal(preview.inputs.stack, "${{ matrix.stack }}");
            assert.match(String(pr.doc.jobs.preview.strategy?.matrix?.stack), /needs\.stacks\.outputs\.stacks/);
            assert.match(String(preview.condition), /head\.repo\.full_name == github\.repository/, "fork PRs have no secrets");
            assert.deepEqual(pr.doc.jobs.preview.needs, ["test", "stacks"]);
        });

        it("finds the stacks from the committed Pulumi.<stack>.yaml files, leaving demo stacks out", function () {
            if (!commandExists("jq") || !commandExists("find")) {
                this.skip();
            }
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
            for (const name of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.demo-pr-3.yaml", "README.md"]) {
                fs.writeFileSync(path.join(dir, name), "config: {}\n");
            }
            const output = path.join(dir, "github-output");
            const result = runScript(stepById(pr.doc, "list").run ?? "", dir, { GITHUB_OUTPUT: output });
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(JSON.parse(readOutputs(output).stacks), ["dev", "prod"]);
        });

        it("deploys a labelled PR to its own demo-pr-<n> stack, creating it if needed", () => {
            const demo = stackCalls(pr).find((call) => call.inputs.command === "up");
            assert.ok(demo);
            assert.match(String(demo.inputs.stack), /^demo-pr-\$\{\{ github\.event\.pull_request\.number \}\}$/);
            assert.ok(isTrue(effectivePulumiInputs(demo).upsert));
            assert.match(String(demo.condition), /labels\.\*\.name, 'demo'/);
        });
    });

    describe("main and manual deploys", () => {
        it("main.yml runs the tests and then pulumi up of dev on every push to main", () => {
            const main = workflow("main.yml");
            assert.deepEqual((main.doc.on.push as { branches: string[] }).branches, ["main"]);
            const calls = stackCalls(main);
            assert.equal(calls.length, 1);
            assert.equal(calls[0].inputs.stack, "dev");
            assert.equal(effectivePulumiInputs(calls[0]).command, "up");
            assert.equal(main.doc.jobs.up.needs, "test");
        });

        it("deploy.yml updates the chosen stack inside the GitHub environment of the same name", () => {
            const deploy = workflow("deploy.yml");
            const dispatch = deploy.doc.on.workflow_dispatch as { inputs: Record<string, { required?: boolean }> };
            assert.equal(dispatch.inputs.stack.required, true);
            const [call] = stackCalls(deploy);
            assert.equal(call.inputs.stack, "${{ inputs.stack }}");
            assert.equal(call.inputs.environment, "${{ inputs.stack }}");
            assert.equal(effectivePulumiInputs(call).command, "up");
            const stackJob = workflow("stack.yml").doc.jobs.pulumi;
            assert.equal(resolveInputs(stackJob.environment, call.inputs), "${{ inputs.stack }}",
                "the job that runs pulumi is the one bound to the environment");
        });
    });

    describe("demo stacks (demo-cleanup.yml)", () => {
        const cleanup = workflow("demo-cleanup.yml");

        it("runs when a pull request closes and on a schedule", () => {
            assert.deepEqual((cleanup.doc.on.pull_request as { types: string[] }).types, ["closed"]);
            assert.ok(Array.isArray(cleanup.doc.on.schedule) && cleanup.doc.on.schedule.length > 0);
        });

        it("destroys only demo-* stacks, and removes each stack after destroying it", () => {
            const destroys = stackCalls(cleanup).filter((call) => call.inputs.command === "destroy");
            assert.equal(destroys.length, 2);
            for (const call of destroys) {
                const inputs = effectivePulumiInputs(call);
                assert.equal(inputs.command, "destroy");
                assert.ok(isTrue(inputs.remove), `${call.job} must remove the stack`);
                assert.match(String(call.inputs.stack), /^demo-pr-|^\$\{\{ matrix\.stack \}\}$/);
            }
            assert.match(stepById(cleanup.doc, "list").run ?? "", /startswith\("demo-"\)/);
        });

        it("the schedule picks demo stacks older than the limit from a recorded `pulumi stack ls --json`", function () {
            if (!commandExists("jq")) {
                this.skip();
            }
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stale-"));
            const recent = new Date(Date.now() - 3600_000).toISOString();
            const listing = fs.readFileSync(path.join(fixtureDir, "stack-ls.json"), "utf8").replace("__RECENT__", recent);
            fs.writeFileSync(path.join(dir, "stack-ls.json"), listing);
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\n[ "$1 $2 $3" = "stack ls --json" ] || exit 2\ncat "${dir}/stack-ls.json"\n`, { mode: 0o755 });
            const output = path.join(dir, "github-output");
            const result = runScript(stepById(cleanup.doc, "list").run ?? "", dir, {
                PATH: `${bin}:${process.env.PATH ?? ""}`, GITHUB_OUTPUT: output, DEMO_MAX_AGE_HOURS: "24",
                PULUMI_BACKEND_URL: "file:///tmp/state",
            });
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(JSON.parse(readOutputs(output).stacks), ["demo-pr-3", "demo-manual"]);
        });
    });

    describe("the shared stack job (stack.yml)", () => {
        const stack = workflow("stack.yml");
        const settings = stepById(stack.doc, "settings");

        function readSettings(files: Record<string, string>, env: Record<string, string>) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "settings-"));
            for (const [name, content] of Object.entries(files)) {
                fs.writeFileSync(path.join(dir, name), content);
            }
            const output = path.join(dir, "github-output");
            fs.writeFileSync(output, "");
            const result = runScript(settings.run ?? "", dir, {
                GITHUB_OUTPUT: output, NODE_PATH: path.join(repoRoot, "node_modules"), CONFIG_FROM: "", ...env,
            });
            return { dir, result, outputs: result.status === 0 ? readOutputs(output) : {} };
        }

        it("installs the ibmcloud CLI only when the stack's Pulumi.<stack>.yaml enables iks", () => {
            const install = stack.doc.jobs.pulumi.steps?.find((step) => (step.run ?? "").includes('ibmcloud plugin install container-service'));
            assert.ok(install);
            assert.equal(install.if, "steps.settings.outputs.iks-enabled == 'true'");
            const iks = readSettings({ "Pulumi.prod.yaml": "config:\n  iks-mesh:iks:\n    enabled: true\n    cluster: c\n    region: us-south\n" },
                { STACK: "prod" });
            assert.equal(iks.result.status, 0, iks.result.stderr);
            assert.equal(iks.outputs["iks-enabled"], "true");
            assert.equal(iks.outputs["kubeconfig-secret"], "KUBECONFIG_PROD");
            const dev = readSettings({ "Pulumi.dev.yaml": fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8") }, { STACK: "dev" });
            assert.equal(dev.outputs["iks-enabled"], "false");
        });

        it("gives a new demo stack the config of its source stack, without the source's encryption salt", () => {
            const demo = readSettings({ "Pulumi.dev.yaml": "encryptionsalt: v1:abc\nconfig:\n  iks-mesh:iks:\n    enabled: true\n" },
                { STACK: "demo-pr-12", CONFIG_FROM: "dev" });
            assert.equal(demo.result.status, 0, demo.result.stderr);
            const created = YAML.parse(fs.readFileSync(path.join(demo.dir, "Pulumi.demo-pr-12.yaml"), "utf8")) as Mapping;
            assert.deepEqual(created, { config: { "iks-mesh:iks": { enabled: true } } });
            assert.equal(demo.outputs["kubeconfig-secret"], "KUBECONFIG_DEMO");
            assert.equal(demo.outputs["iks-enabled"], "true");
        });

        it("refuses a stack name that is a path", () => {
            const evil = readSettings({}, { STACK: "../../etc/passwd" });
            assert.notEqual(evil.result.status, 0);
            assert.match(evil.result.stdout, /::error::not a stack name/);
        });
    });
});
