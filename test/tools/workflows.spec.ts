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
import { environmentFor } from "../../scripts/ci/demo-plan";
import { stackJobTimeoutMinutes, largestRunSeconds } from "../../scripts/ci/job-timeouts";

const repoRoot = path.resolve(__dirname, "..", "..");
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
    "runs-on"?: string;
    "timeout-minutes"?: unknown;
    secrets?: unknown;
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

/** Jobs whose steps read a secret other than the per-run GITHUB_TOKEN. */
function jobsReadingSecrets(doc: Workflow): string[] {
    return Object.entries(doc.jobs).filter(([, job]) => {
        const text = JSON.stringify({ steps: job.steps ?? [], env: job.env ?? {} });
        return /secrets\.(?!GITHUB_TOKEN\b)\w+|secrets\[/.test(text);
    }).map(([name]) => name);
}

/** Remote `uses:` not pinned to a full commit SHA with its release in a comment. */
function actionsNotPinnedBySha(text: string): string[] {
    return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(#.*)?$/gm)]
        .filter((match) => !match[1].startsWith("./"))
        .filter((match) => !/@[0-9a-f]{40}$/.test(match[1]) || !/^#\s*v\d+\.\d+\.\d+\s*$/.test(match[2] ?? ""))
        .map((match) => match[1]);
}

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

/** The pulumi/actions step that runs a command; the others only install the pinned CLI. */
function pulumiStep(doc: Workflow): Step {
    const steps = Object.values(doc.jobs).flatMap((job) => job.steps ?? [])
        .filter((step) => step.uses?.startsWith("pulumi/actions@") && step.with?.command !== undefined);
    assert.equal(steps.length, 1, "stack.yml runs exactly one pulumi/actions command step");
    return steps[0];
}

/** What pulumi/actions receives for one call of stack.yml. */
function effectivePulumiInputs(call: StackCall): Mapping {
    const step = pulumiStep(workflow("stack.yml").doc);
    return Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, resolveInputs(value, call.inputs)]));
}

/**
 * Evaluates a GitHub Actions expression (`${{ ... }}`, or a string with embedded ones) in a context,
 * for the subset the workflows use: literals, context paths, ! == != > && || ( ), startsWith(),
 * contains() and format(). && and || return an operand, as GitHub's do ("Expressions": operators).
 */
function evaluateExpression(text: string, context: Record<string, unknown>): unknown {
    const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(text.trim());
    if (whole && !whole[1].includes("}}")) {
        return evaluateInner(whole[1], context);
    }
    return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, inner: string) => asText(evaluateInner(inner, context)));
}

/** An expression value as GitHub turns it into a string (objects as JSON). */
function asText(value: unknown): string {
    if (value === undefined || value === null) {
        return "";
    }
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    return JSON.stringify(value);
}

function evaluateInner(source: string, context: Record<string, unknown>): unknown {
    const tokens: string[] = [];
    const pattern = /\s*('(?:[^']|'')*'|\d+(?:\.\d+)?|&&|\|\||==|!=|>=|<=|>|<|!|\(|\)|,|[A-Za-z_][\w-]*(?:\.[\w*-]+)*)/y;
    while (pattern.lastIndex < source.trimEnd().length) {
        const match = pattern.exec(source);
        if (!match) {
            throw new Error(`cannot read expression ${source} at ${pattern.lastIndex}`);
        }
        tokens.push(match[1]);
    }
    let at = 0;
    const truthy = (value: unknown) => !(value === false || value === 0 || value === "" || value === null || value === undefined);
    const loose = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value);
    const or = (): unknown => {
        let left = and();
        while (tokens[at] === "||") {
            at++;
            const right = and();
            left = truthy(left) ? left : right;
        }
        return left;
    };
    const and = (): unknown => {
        let left = compare();
        while (tokens[at] === "&&") {
            at++;
            const right = compare();
            left = truthy(left) ? right : left;
        }
        return left;
    };
    const compare = (): unknown => {
        const left = unary();
        const operator = tokens[at];
        if (["==", "!=", ">", "<", ">=", "<="].includes(operator)) {
            at++;
            const right = unary();
            switch (operator) {
            case "==": return loose(left) === loose(right) || (typeof left !== typeof right && Number(left) === Number(right));
            case "!=": return !(loose(left) === loose(right) || (typeof left !== typeof right && Number(left) === Number(right)));
            case ">": return Number(left) > Number(right);
            case "<": return Number(left) < Number(right);
            case ">=": return Number(left) >= Number(right);
            default: return Number(left) <= Number(right);
            }
        }
        return left;
    };
    const unary = (): unknown => {
        if (tokens[at] === "!") {
            at++;
            return !truthy(unary());
        }
        return primary();
    };
    const primary = (): unknown => {
        const token = tokens[at++];
        if (token === "(") {
            const value = or();
            at++;
            return value;
        }
        if (token.startsWith("'")) {
            return token.slice(1, -1).replace(/''/g, "'");
        }
        if (/^\d/.test(token)) {
            return Number(token);
        }
        if (token === "true" || token === "false") {
            return token === "true";
        }
        if (token === "null") {
            return null;
        }
        if (tokens[at] === "(") {
            at++;
            const args: unknown[] = [];
            while (tokens[at] !== ")") {
                args.push(or());
                if (tokens[at] === ",") {
                    at++;
                }
            }
            at++;
            switch (token) {
            case "startsWith": return asText(args[0]).toLowerCase().startsWith(asText(args[1]).toLowerCase());
            case "contains": return Array.isArray(args[0]) ? args[0].map(loose).includes(loose(args[1])) : asText(args[0]).toLowerCase().includes(asText(args[1]).toLowerCase());
            case "format": return String(args[0]).replace(/\{(\d+)\}/g, (_, index: string) => asText(args[Number(index) + 1]));
            default: throw new Error(`function ${token} is not modelled`);
            }
        }
        return token.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], context);
    };
    const value = or();
    if (at !== tokens.length) {
        throw new Error(`trailing tokens in ${source}`);
    }
    return value;
}

/** Events a workflow runs on. */
function triggers(doc: Workflow): string[] {
    return Object.keys(doc.on ?? {});
}

/** A representative value for an input a caller passes as an expression (a matrix entry, a PR number). */
function representative(value: unknown, stack: string): unknown {
    if (typeof value !== "string" || !value.includes("${{")) {
        return value;
    }
    return value.replace(/\$\{\{\s*matrix\.stack\s*\}\}/g, stack).replace(/\$\{\{\s*inputs\.stack\s*\}\}/g, stack)
        .replace(/\$\{\{\s*github\.event\.pull_request\.number\s*\}\}/g, "12");
}

/** The environment stack.yml's job runs in for a call, with the caller's inputs (expressions made representative). */
function callEnvironment(call: StackCall, extra: Record<string, unknown> = {}): string {
    // A call that copies another stack's config deploys or destroys demo stacks (demo-pr-<n>, or the sweep's list).
    const stack = call.inputs["config-from"] ? "demo-pr-12" : "prod";
    const inputs = Object.fromEntries(Object.entries(call.inputs).map(([key, value]) => [key, representative(value, stack)]));
    return String(evaluateExpression(String(workflow("stack.yml").doc.jobs.pulumi.environment), { inputs: { ...inputs, ...extra } }));
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

    it("exist for pull requests, main, manual deploys, bootstrap, demo cleanup and the shared stack job", () => {
        assert.deepEqual(files.map((file) => path.basename(file)).sort(),
            ["bootstrap.yml", "canary.yml", "demo-cleanup.yml", "deploy.yml", "main.yml", "pr.yml", "rotate.yml", "stack.yml"]);
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
            it(`${loaded.file} pins every action to a commit SHA with its release in a comment`, () => {
                assert.deepEqual(floatingActionRefs(loaded.text), []);
                assert.deepEqual(actionsNotPinnedBySha(loaded.text), []);
            });
            it(`${loaded.file} keeps secrets out of scripts and logs`, () => {
                assert.deepEqual(secretLeaks(loaded.doc), []);
            });
            it(`${loaded.file}: every job that reads a secret runs in a GitHub environment`, () => {
                for (const name of jobsReadingSecrets(loaded.doc)) {
                    assert.ok(loaded.doc.jobs[name].environment, `${loaded.file}/${name} reads secrets outside any environment`);
                }
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
            assert.ok(jobsReadingSecrets(leaky.doc).length > 0 && jobsReadingSecrets(leaky.doc).every((name) => !leaky.doc.jobs[name].environment),
                "the fixture reads secrets outside an environment, and the check sees it");
        });

        it("a SHA pin without the release it stands for, or a tag, counts as unpinned", () => {
            assert.deepEqual(floatingActionRefs("      - uses: a/b@0123456789abcdef0123456789abcdef01234567\n      - uses: a/b@v7\n"),
                ["a/b@0123456789abcdef0123456789abcdef01234567", "a/b@v7"]);
            assert.deepEqual(actionsNotPinnedBySha("      - uses: a/b@v7.0.0\n      - uses: ./.github/workflows/stack.yml\n"), ["a/b@v7.0.0"]);
        });

        it("secrets: inherit only ever goes to stack.yml, whose every job runs in its stack's environment", () => {
            for (const file of workflowFiles()) {
                const loaded = loadWorkflow(file);
                for (const [name, job] of Object.entries(loaded.doc.jobs)) {
                    if (job.secrets === undefined) {
                        continue;
                    }
                    assert.equal(job.secrets, "inherit", `${loaded.file}/${name}: map no repository secret explicitly`);
                    assert.equal(job.uses, reusableStackWorkflow, `${loaded.file}/${name} passes secrets to ${job.uses}`);
                }
            }
            const stackJobs = Object.values(workflow("stack.yml").doc.jobs);
            assert.ok(stackJobs.length > 0 && stackJobs.every((job) => job.environment !== undefined));
        });

        it("stack.yml picks the environment from the stack and the command as scripts/ci/demo-plan.ts environmentFor does", () => {
            const expression = String(workflow("stack.yml").doc.jobs.pulumi.environment);
            for (const stack of ["dev", "prod", "staging", "demo-pr-12", "demo-manual"]) {
                for (const command of ["preview", "up", "destroy", "init", "recover"]) {
                    assert.equal(evaluateExpression(expression, { inputs: { stack, command } }), environmentFor(stack, command), `${stack} ${command}`);
                }
            }
        });

        it("every Pulumi CLI install is pinned to the @pulumi/pulumi version of package.json", () => {
            const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> };
            const sdkVersion = packageJson.dependencies["@pulumi/pulumi"];
            const steps = workflowFiles().flatMap((file) => Object.values(loadWorkflow(file).doc.jobs))
                .flatMap((job) => job.steps ?? []).filter((step) => step.uses?.startsWith("pulumi/actions@"));
            assert.ok(steps.length >= 3);
            for (const step of steps) {
                assert.equal(String(step.with?.["pulumi-version"]), sdkVersion);
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
        });

        it("previews and updates run the policy pack (pulumi/actions policyPacks), from the pack's own directory", () => {
            const step = pulumiStep(workflow("stack.yml").doc);
            const packs = (typeof step.with?.policyPacks === "string" ? step.with.policyPacks : "").split(/[\n;]/).map((entry) => entry.trim()).filter(Boolean);
            assert.deepEqual(packs, ["policy"]);
            assert.ok(fs.existsSync(path.join(repoRoot, packs[0], "PulumiPolicy.yaml")), "the pack path holds a policy pack");
        });

        it("every test job lints and tests on Node 24 with the npm cache", () => {
            const testJobs = workflowFiles().map(loadWorkflow).flatMap((loaded) => (loaded.doc.jobs.test ? [loaded.doc.jobs.test] : []));
            assert.ok(testJobs.length >= 3);
            for (const job of testJobs) {
                const steps = job.steps ?? [];
                const setupNode = steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
                assert.equal(String(setupNode?.with?.["node-version"]), "24");
                assert.equal(setupNode?.with?.cache, "npm");
                assert.deepEqual(steps.filter((step) => step.run).map((step) => step.run?.split(" ").slice(0, 3).join(" ")),
                    ["npm ci --no-audit", "npm run lint", "npm test"]);
            }
        });
    });

    describe("trust boundaries (issue #23), checked on the parsed workflows", () => {
        const stackDoc = workflow("stack.yml").doc;
        const stackSteps = stackDoc.jobs.pulumi.steps ?? [];
        const pullRequestEvents = ["pull_request", "pull_request_target"];

        it("no pull request job reaches a write environment: previews run in <stack>-preview, demo deploys in the reviewer-gated demo, cleanups in demo-cleanup from the base branch", () => {
            let checked = 0;
            for (const loaded of workflowFiles().map(loadWorkflow)) {
                const events = triggers(loaded.doc).filter((event) => pullRequestEvents.includes(event));
                if (events.length === 0) {
                    continue;
                }
                for (const [name, job] of Object.entries(loaded.doc.jobs)) {
                    assert.ok(job.environment === undefined || asText(job.environment) === "demo-cleanup", `${loaded.file}/${name} names environment ${asText(job.environment)}`);
                }
                for (const call of stackCalls(loaded)) {
                    checked++;
                    const environment = callEnvironment(call);
                    const allowed = events.includes("pull_request_target")
                        // pull_request_target runs the base branch's workflow and code: only demo destroys.
                        ? call.inputs.command === "destroy" && environment === "demo-cleanup"
                        : environment.endsWith("-preview") || environment === "demo";
                    assert.ok(allowed, `${loaded.file}/${call.job}: a pull request runs ${String(call.inputs.command)} in ${environment}`);
                }
            }
            assert.ok(checked >= 4);
        });

        it("pull_request_target never checks out the pull request's code", () => {
            for (const loaded of workflowFiles().map(loadWorkflow)) {
                if (!triggers(loaded.doc).includes("pull_request_target")) {
                    continue;
                }
                const steps = [...Object.values(loaded.doc.jobs).flatMap((job) => job.steps ?? []), ...stackSteps];
                for (const step of steps.filter((candidate) => candidate.uses?.startsWith("actions/checkout@"))) {
                    assert.equal(step.with?.ref, undefined, `${loaded.file}: a checkout names ref ${String(step.with?.ref)}`);
                    assert.equal(step.with?.repository, undefined);
                }
            }
        });

        it("no preview can get the IBM key: stack.yml passes it only to non-preview commands, and nothing else reads it", () => {
            const secrets = { IBMCLOUD_API_KEY: "the-key", PULUMI_BACKEND_URL: "s3://b" };
            const carrying = stackSteps.filter((step) => Object.values(step.env ?? {}).some((value) => String(value).includes('secrets.IBMCLOUD_API_KEY')));
            assert.ok(carrying.length >= 2);
            for (const step of carrying) {
                assert.equal(evaluateExpression(String(step.env?.IBMCLOUD_API_KEY), { inputs: { command: "preview" }, secrets }), "", step.name ?? step.id);
                assert.equal(evaluateExpression(String(step.env?.IBMCLOUD_API_KEY), { inputs: { command: "up" }, secrets }), "the-key");
            }
            for (const loaded of workflowFiles().map(loadWorkflow).filter((candidate) => !["stack.yml", "canary.yml"].includes(candidate.file))) {
                assert.doesNotMatch(loaded.text, /IBMCLOUD_API_KEY/, `${loaded.file} reads the IBM key`);
            }
            // canary.yml's steps are ups (#27): started by hand only, in the stack's write environment, never a -preview one.
            const canary = workflow("canary.yml");
            assert.deepEqual(triggers(canary.doc), ["workflow_dispatch"]);
            for (const stack of ["prod", "demo-pr-7"]) {
                const environment = evaluateExpression(String(canary.doc.jobs.canary.environment), { inputs: { stack }, secrets });
                assert.ok(environment !== "" && !String(environment).endsWith("-preview"), `canary.yml on ${stack}: environment ${String(environment)}`);
            }
            // A preview's environment is <stack>-preview, whose documented secrets hold no IBM key.
            const doc = fs.readFileSync(path.join(repoRoot, "docs", "ci-and-environments.md"), "utf8");
            assert.match(doc, /\| `IBMCLOUD_API_KEY` \|[^\n]*never in `<stack>-preview`/);
        });

        it("only jobs that change nothing cancel in progress; updates, destroys, bootstraps, recoveries and rotations queue", () => {
            for (const loaded of workflowFiles().map(loadWorkflow)) {
                const workflowCancel = loaded.doc.concurrency?.["cancel-in-progress"];
                const changes = stackCalls(loaded).filter((call) => call.inputs.command !== "preview");
                assert.ok(changes.length === 0 || workflowCancel === undefined || workflowCancel === false,
                    `${loaded.file}: workflow-level cancel-in-progress ${String(workflowCancel)} could cut a change short`);
                for (const [name, job] of Object.entries(loaded.doc.jobs)) {
                    const cancel = job.concurrency?.["cancel-in-progress"];
                    if (cancel === undefined || cancel === false) {
                        continue;
                    }
                    const call = stackCalls(loaded).find((candidate) => candidate.job === name);
                    const harmless = call ? call.inputs.command === "preview" : jobsReadingSecrets({ ...loaded.doc, jobs: { [name]: job } }).length === 0 && job.uses === undefined;
                    assert.ok(harmless && cancel === true, `${loaded.file}/${name} may be cancelled in progress (${asText(cancel)})`);
                }
            }
            const pr = workflow("pr.yml").doc;
            assert.equal(pr.jobs.preview.concurrency?.["cancel-in-progress"], true, "a newer push cancels the previews");
            assert.equal(pr.jobs.demo.concurrency?.["cancel-in-progress"], false);
        });

        it("every change of a stack is serialised per stack: main, deploy and rotate share stack-<name>", () => {
            const groupOf = (file: string, job: string) => String(workflow(file).doc.jobs[job].concurrency?.group ?? workflow(file).doc.concurrency?.group);
            assert.equal(groupOf("main.yml", "up"), "stack-dev");
            assert.equal(groupOf("deploy.yml", "up"), "stack-${{ inputs.stack }}");
            assert.equal(groupOf("rotate.yml", "rotate"), "stack-${{ matrix.stack }}");
            assert.equal(groupOf("bootstrap.yml", "init"), "stack-${{ matrix.stack }}");
        });

        it("the stack job's timeout is the one derived from the config's largest waits (scripts/ci/job-timeouts.ts)", () => {
            assert.equal(stackDoc.jobs.pulumi["timeout-minutes"], stackJobTimeoutMinutes());
            assert.ok(Number(stackDoc.jobs.pulumi["timeout-minutes"]) * 60 > largestRunSeconds());
            // No caller shortens it, and no other job that holds stack credentials has a shorter one.
            for (const loaded of workflowFiles().map(loadWorkflow)) {
                for (const call of stackCalls(loaded)) {
                    assert.equal(loaded.doc.jobs[call.job]["timeout-minutes"], undefined);
                }
            }
        });

        it("every checkout keeps no token, and every npm ci next to credentials runs no install script", () => {
            let checkouts = 0;
            let installs = 0;
            for (const loaded of workflowFiles().map(loadWorkflow)) {
                for (const [name, job] of Object.entries(loaded.doc.jobs)) {
                    // A token that can push is a credential too (rotate.yml's bump job).
                    const credentialed = job.environment !== undefined || loaded.file === "stack.yml" || hasWritePermission(job.permissions, "contents");
                    for (const step of job.steps ?? []) {
                        if (step.uses?.startsWith("actions/checkout@")) {
                            checkouts++;
                            assert.equal(step.with?.["persist-credentials"], false, `${loaded.file}/${name}: checkout without persist-credentials: false`);
                        }
                        if (credentialed && /\bnpm (ci|install)\b/.test(step.run ?? "")) {
                            installs++;
                            assert.match(step.run ?? "", /\bnpm ci --ignore-scripts\b/, `${loaded.file}/${name}: ${step.run}`);
                        }
                    }
                }
            }
            assert.ok(checkouts >= 9 && installs >= 3, `${checkouts} checkouts, ${installs} credentialed installs`);
            assert.ok(stackSteps.some((step) => (step.run ?? "").includes('stack-job.ts plugins')), "the provider plugins are installed explicitly");
        });

        it("the ibmcloud CLI and plugin come from the pins file, and the IBM tools are installed for no preview", () => {
            const script = fs.readFileSync(path.join(repoRoot, "scripts", "ci", "install-ibmcloud.sh"), "utf8");
            assert.match(script, /ibmcloud-cli-release\.ts [\s\S]*?\.github\/ibmcloud-cli\.json/);
            assert.match(script, /sha256sum --check --strict[\s\S]*tar -xzf/);
            assert.match(script, /IBMCLOUD_HOME="\$PWD\/\.ibmcloud\/\$STACK" ibmcloud plugin install container-service -v "\$plugin_version" -f/);
            // Every job that runs the program on an IKS stack installs it the same way: deploys, and the canary's ups.
            const canarySteps = workflow("canary.yml").doc.jobs.canary.steps ?? [];
            for (const [name, steps] of [["stack.yml", stackSteps], ["canary.yml", canarySteps]] as const) {
                const install = steps.find((step) => step.run === "bash scripts/ci/install-ibmcloud.sh");
                assert.ok(install, `${name} installs ibmcloud with scripts/ci/install-ibmcloud.sh`);
                assert.match(String(install.if), /steps\.settings\.outputs\.iks-enabled == 'true'/, name);
                assert.ok(install.env?.STACK, name);
                assert.equal(Object.keys(install.env ?? {}).filter((key) => /KEY|SECRET|TOKEN/.test(key)).length, 0, `${name}: no credential next to the download`);
                const settings = steps.findIndex((step) => step.id === "settings");
                assert.ok(settings >= 0 && settings < steps.indexOf(install), `${name} reads the stack's settings first`);
            }
            assert.match(String(stackSteps.find((step) => step.run === "bash scripts/ci/install-ibmcloud.sh")?.if), /inputs\.command != 'preview'/);
            const canaryRun = canarySteps.find((step) => (step.run ?? "").startsWith("npm run canary"));
            assert.equal(canaryRun?.env?.IBMCLOUD_API_KEY, "${{ secrets.IBMCLOUD_API_KEY }}", "a canary step's up has a deploy's IBM key");
        });

        it("a pull request that changes package-lock.json and cannot preview fails instead of skipping green", () => {
            const pr = workflow("pr.yml");
            assert.equal(pr.doc.jobs.preview.with?.["require-preview"], "${{ needs.stacks.outputs.lockfile-changed == 'true' }}");
            assert.match(stepById(pr.doc, "lockfile").run ?? "", /package-lock\.json/);
            const gate = pr.doc.jobs["lockfile-needs-preview"];
            assert.match(String(gate.if), /lockfile-changed == 'true' && github\.event\.pull_request\.head\.repo\.full_name != github\.repository/);
            const check = stackSteps[0];
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "require-preview-"));
            const output = path.join(dir, "out");
            fs.writeFileSync(output, "");
            const dependabot = runScript(check.run ?? "", dir, { GITHUB_OUTPUT: output, STACK: "prod", COMMAND: "preview", REQUIRE_PREVIEW: "true" });
            assert.notEqual(dependabot.status, 0);
            assert.match(dependabot.stdout, /::error title=pulumi preview prod cannot run::this pull request changes package-lock\.json/);
            const other = runScript(check.run ?? "", dir, { GITHUB_OUTPUT: output, STACK: "prod", COMMAND: "preview", REQUIRE_PREVIEW: "false" });
            assert.equal(other.status, 0, "without a lock-file change an unconfigured preview still skips");
        });

        it("deploy.yml's recover input runs the recovery for one stack, and an update first checks for an interrupted run", () => {
            const recoverStep = stackSteps.find((step) => /stack-job\.ts .*recover/.test(step.run ?? ""));
            assert.ok(recoverStep);
            const prepare = stackSteps.find((step) => step.id === "prepare");
            assert.match(String(prepare?.if), /inputs\.command != 'recover'/, "a recovery deploys nothing");
            assert.ok(stackSteps.indexOf(recoverStep) < stackSteps.indexOf(pulumiStep(stackDoc)));
            const dispatch = workflow("deploy.yml").doc.on.workflow_dispatch as { inputs: Record<string, { type?: string }> };
            assert.equal(dispatch.inputs.recover.type, "boolean");
        });

        it("rotate.yml runs pulumi up --refresh of every committed stack weekly and reports what it renewed", () => {
            const rotate = workflow("rotate.yml");
            const schedule = rotate.doc.on.schedule as { cron: string }[];
            assert.equal(schedule.length, 1);
            assert.match(schedule[0].cron, /^\d+ \d+ \* \* [0-6]$/, "once a week");
            const [call] = stackCalls(rotate);
            assert.equal(call.inputs.command, "up");
            assert.equal(call.inputs.refresh, true);
            assert.equal(call.inputs.rotation, true);
            assert.equal(callEnvironment(call), "prod", "the stack's write environment");
            assert.equal(effectivePulumiInputs(call).refresh, true);
            const report = stackSteps.find((step) => (step.run ?? "").includes('renewals.ts'));
            assert.match(String(report?.run), /GITHUB_STEP_SUMMARY/);
            const trigger = stackSteps.find((step) => (step.run ?? "").includes('IKS_MESH_ROTATION_RUN_AT'));
            assert.match(String(trigger?.if), /inputs\.rotation/, "the rotation variable is set for rotation runs only");
        });

        it("rotate.yml's bump job raises pki.rotation through a pull request with GITHUB_TOKEN only: no environment, no other secret, no cloud credential", () => {
            const rotate = workflow("rotate.yml");
            assert.deepEqual(rotate.doc.permissions, { contents: "read" }, "the stack list and the rotation calls get a read-only token");
            const bump = rotate.doc.jobs.bump;
            assert.ok(bump, "rotate.yml has a bump job");
            assert.deepEqual(bump.permissions, { contents: "write", "pull-requests": "write" }, "exactly what pushing a branch and opening a pull request need");
            assert.equal(bump.environment, undefined, "no GitHub environment: no environment secret can reach it");
            assert.equal(bump.secrets, undefined);
            assert.equal(bump.uses, undefined, "it calls no reusable workflow (stack.yml would bring the stack's credentials)");
            const text = JSON.stringify(bump);
            assert.doesNotMatch(text, /secrets\./, "it reads no secret, not even secrets.GITHUB_TOKEN by name");
            assert.deepEqual([...text.matchAll(/\$\{\{\s*github\.token\s*\}\}/g)].length, 1, "the job token appears once");
            const steps = bump.steps ?? [];
            const envNames = steps.flatMap((step) => Object.keys(step.env ?? {})).concat(Object.keys(bump.env ?? {}));
            assert.deepEqual(envNames.filter((name) => /PULUMI|AWS_|KUBECONFIG|IBMCLOUD|PASSPHRASE/.test(name)), [], "no state, cluster or IBM credential");
            const push = steps.find((step) => step.env?.GH_TOKEN !== undefined);
            assert.equal(push?.env?.GH_TOKEN, "${{ github.token }}");
            assert.ok(steps.filter((step) => step.env?.GH_TOKEN !== undefined).length === 1, "only the push step holds the token");
            assert.match(String(push?.if), /steps\.plan\.outputs\.due == 'true'/);
            assert.doesNotMatch(String(push?.run), /GH_TOKEN|x-access-token/, "the token reaches git only through gh's credential helper");
            assert.match(String(push?.run), /git -c credential\.helper= -c 'credential\.helper=!gh auth git-credential' push /, "the helper is set for the one push");
            assert.match(String(bump.if), /github\.ref == 'refs\/heads\/main'/, "pull requests are opened from main's workflow only");
            assert.deepEqual(bump.needs, ["stacks", "rotate"]);
            assert.equal(steps.find((step) => step.uses?.startsWith("actions/checkout@"))?.with?.["persist-credentials"], false);
            assert.ok(steps.some((step) => /\bnpm ci --ignore-scripts\b/.test(step.run ?? "")), "no install script next to a token that can push");
            const download = steps.find((step) => step.uses?.startsWith("actions/download-artifact@"));
            assert.equal(download?.with?.pattern, "renewals-*");
            assert.equal(download?.with?.["run-id"], undefined, "this run's reports only");
            assert.equal(bump.concurrency?.["cancel-in-progress"], false);
            const plan = steps.find((step) => step.id === "plan");
            assert.match(String(plan?.run), /^set -o pipefail\n.*rotation-bump\.ts .*\| tee -a "\$GITHUB_STEP_SUMMARY"/, "a refused report fails the job, tee does not hide it");

            // The rotation runs publish the reports the bump job reads: only after a successful rotation update.
            const upload = stackSteps.find((step) => step.uses?.startsWith("actions/upload-artifact@"));
            assert.ok(upload, "stack.yml publishes the rotation report");
            assert.match(String(upload.if), /steps\.pulumi\.outcome == 'success' && inputs\.rotation/);
            assert.equal(upload.with?.name, "renewals-${{ inputs.stack }}");
            const report = stackSteps.find((step) => (step.run ?? "").includes("renewals.ts"));
            assert.ok(String(report?.run).includes('"$RUNNER_TEMP/renewals/$STACK.json"'));
            assert.equal(upload.with?.path, "${{ runner.temp }}/renewals/${{ inputs.stack }}.json");
        });

        it("the bump job's push step commits the edited files to its own branch and opens the pull request once, then updates it", function () {
            if (!commandExists("git")) {
                this.skip();
            }
            const push = (workflow("rotate.yml").doc.jobs.bump.steps ?? []).find((step) => step.env?.GH_TOKEN !== undefined);
            assert.ok(push?.run);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotate-bump-"));
            const git = (cwd: string, ...args: string[]) => {
                const result = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t.invalid", ...args], { cwd, encoding: "utf8", env: { ...process.env, HOME: dir } });
                assert.equal(result.status, 0, result.stderr);
                return result.stdout;
            };
            const remote = path.join(dir, "remote.git");
            git(dir, "init", "--quiet", "--bare", "--initial-branch=main", remote);
            const work = path.join(dir, "work");
            git(dir, "clone", "--quiet", remote, work);
            fs.writeFileSync(path.join(work, "Pulumi.prod.yaml"), "config: {}\n");
            git(work, "add", ".");
            git(work, "commit", "--quiet", "-m", "base");
            git(work, "push", "--quiet", "origin", "HEAD:refs/heads/main");
            // A stand-in gh (the real one talks to api.github.com): logs its arguments; `pr list` answers OPEN_PR.
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(path.join(bin, "gh"), `#!/bin/bash\necho "$*" >> "${dir}/gh.log"\nif [ "$1 $2" = "pr list" ]; then echo "$OPEN_PR"; fi\n`, { mode: 0o755 });
            const body = path.join(dir, "pr-body.md");
            fs.writeFileSync(body, "body\n");
            const env = { PATH: `${bin}:${process.env.PATH ?? ""}`, GH_TOKEN: "stand-in", TITLE: "Renew leaf certificates: raise pki.rotation of prod", BRANCH: "rotate/pki-rotation", RUNNER_TEMP: dir };
            for (const openPr of ["", "42"]) {
                git(work, "checkout", "--quiet", "--detach", "origin/main");
                // A fresh runner has no local branch of that name (the first pass has none either).
                spawnSync("git", ["branch", "--quiet", "-D", "rotate/pki-rotation"], { cwd: work });
                fs.writeFileSync(path.join(work, "Pulumi.prod.yaml"), "config:\n  iks-mesh:pki:\n    rotation: 1\n");
                const result = runScript(push.run ?? "", work, { ...env, OPEN_PR: openPr });
                assert.equal(result.status, 0, result.stderr);
            }
            assert.equal(git(remote, "show", "rotate/pki-rotation:Pulumi.prod.yaml"), "config:\n  iks-mesh:pki:\n    rotation: 1\n");
            assert.equal(git(remote, "log", "--format=%an|%s", "-1", "rotate/pki-rotation").trim(), "github-actions[bot]|Renew leaf certificates: raise pki.rotation of prod");
            assert.equal(git(remote, "rev-list", "--count", "main..rotate/pki-rotation").trim(), "1", "rebuilt from main each time, one commit");
            const calls = fs.readFileSync(path.join(dir, "gh.log"), "utf8").trim().split("\n").filter((line) => !line.startsWith("auth"));
            assert.deepEqual(calls.map((line) => line.split(" ").slice(0, 2).join(" ")), ["pr list", "pr create", "pr list", "pr edit"]);
            assert.match(calls[1], /--head rotate\/pki-rotation --base main --title Renew leaf certificates.* --body-file /);
            fs.rmSync(dir, { recursive: true, force: true });
        });
    });

    describe("an unconfigured environment skips instead of failing", () => {
        const stack = workflow("stack.yml");
        const steps = stack.doc.jobs.pulumi.steps ?? [];
        const check = steps[0];

        function runCheck(env: Record<string, string>) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "configured-"));
            const output = path.join(dir, "github-output");
            fs.writeFileSync(output, "");
            const result = runScript(check.run ?? "", dir, { GITHUB_OUTPUT: output, STACK: "prod", ...env });
            return { ...result, outputs: readOutputs(output) };
        }

        it("the first step checks the environment's secrets and says which are missing, exiting 0", () => {
            assert.equal(check.id, "configured");
            const empty = runCheck({ COMMAND: "up" });
            assert.equal(empty.status, 0, empty.stderr);
            assert.equal(empty.outputs.ready, "false");
            assert.match(empty.stdout, /::notice title=pulumi up prod skipped::.*PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE KUBECONFIG/);
            const ready = runCheck({ COMMAND: "up", PULUMI_BACKEND_URL: "s3://b", PULUMI_CONFIG_PASSPHRASE: "p", KUBECONFIG_CONTENT: "k" });
            assert.equal(ready.outputs.ready, "true");
            const bootstrap = runCheck({ COMMAND: "init", PULUMI_BACKEND_URL: "s3://b", PULUMI_CONFIG_PASSPHRASE: "p" });
            assert.equal(bootstrap.outputs.ready, "true", "the bootstrap needs no cluster");
        });

        it("every later step runs only in a configured environment", () => {
            for (const step of steps.slice(1)) {
                assert.match(String(step.if), /steps\.(configured\.outputs\.ready == 'true'|prepare\.outputs\.run == 'true'|pulumi\.outcome == 'success')/,
                    `${step.name ?? step.uses ?? step.run}`);
            }
            const prepare = steps.findIndex((step) => step.id === "prepare");
            assert.match(String(steps[prepare].if), /steps\.configured\.outputs\.ready == 'true'/);
            assert.ok(steps.indexOf(pulumiStep(stack.doc)) > prepare, "the pulumi command runs after the plan");
        });
    });

    describe("pull requests (pr.yml)", () => {
        const pr = workflow("pr.yml");

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
            assert.equal(preview.inputs["demo-pr"], 0, "a preview is no demo deploy");
            assert.match(String(pr.doc.jobs.preview.strategy?.matrix?.stack), /needs\.stacks\.outputs\.stacks/);
            assert.match(String(preview.condition), /head\.repo\.full_name == github\.repository/, "fork PRs have no secrets");
            assert.deepEqual(pr.doc.jobs.preview.needs, ["test", "stacks"]);
        });

        it("finds the stacks with scripts/ci/committed-stacks.sh, leaving demo stacks out", function () {
            if (!commandExists("jq") || !commandExists("find")) {
                this.skip();
            }
            assert.match(stepById(pr.doc, "list").run ?? "", /scripts\/ci\/committed-stacks\.sh/);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
            for (const name of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.demo-pr-3.yaml", "README.md"]) {
                fs.writeFileSync(path.join(dir, name), "config: {}\n");
            }
            const result = runScript(`${path.join(repoRoot, "scripts", "ci", "committed-stacks.sh")} "${dir}"`, dir, {});
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(JSON.parse(result.stdout), ["dev", "prod"]);
            const none = runScript(`${path.join(repoRoot, "scripts", "ci", "committed-stacks.sh")} "${fs.mkdtempSync(path.join(os.tmpdir(), "none-"))}"`, dir, {});
            assert.deepEqual(JSON.parse(none.stdout), []);
        });

        it("deploys a labelled PR to demo-pr-<n>, creating it, in the one demo-cluster group", () => {
            const demo = stackCalls(pr).find((call) => call.inputs.command === "up");
            assert.ok(demo);
            assert.match(String(demo.inputs.stack), /^demo-pr-\$\{\{ github\.event\.pull_request\.number \}\}$/);
            assert.equal(demo.inputs["demo-pr"], "${{ github.event.pull_request.number }}");
            assert.equal(pulumiStep(workflow("stack.yml").doc).with?.upsert, "${{ inputs.demo-pr > 0 }}");
            assert.match(String(demo.condition), /labels\.\*\.name, 'demo'/);
            assert.equal(pr.doc.jobs[demo.job].concurrency?.group, "demo-cluster");
            assert.ok(hasWritePermission(demo.permissions, "pull-requests"), "the hand-over comments on both PRs");
        });
    });

    describe("main, manual deploys and the bootstrap", () => {
        it("main.yml runs the tests and then pulumi up of dev on every push to main", () => {
            const main = workflow("main.yml");
            assert.deepEqual((main.doc.on.push as { branches: string[] }).branches, ["main"]);
            const calls = stackCalls(main);
            assert.equal(calls.length, 1);
            assert.equal(calls[0].inputs.stack, "dev");
            assert.equal(effectivePulumiInputs(calls[0]).command, "up");
            assert.equal(main.doc.jobs.up.needs, "test");
        });

        it("deploy.yml updates the chosen stack, whose job stack.yml binds to the environment of the same name", () => {
            const deploy = workflow("deploy.yml");
            const dispatch = deploy.doc.on.workflow_dispatch as { inputs: Record<string, { required?: boolean }> };
            assert.equal(dispatch.inputs.stack.required, true);
            const [call] = stackCalls(deploy);
            assert.equal(call.inputs.stack, "${{ inputs.stack }}");
            assert.equal(evaluateExpression(String(call.inputs.command), { inputs: { recover: false } }), "up");
            assert.equal(evaluateExpression(String(call.inputs.command), { inputs: { recover: true } }), "recover");
            assert.equal(call.inputs.environment, undefined, "the environment follows the stack; no caller can pick another");
        });

        it("bootstrap.yml creates each committed stack (or the one named) by hand, in its environment", () => {
            const bootstrap = workflow("bootstrap.yml");
            assert.ok(bootstrap.doc.on.workflow_dispatch);
            assert.deepEqual(Object.keys(bootstrap.doc.on), ["workflow_dispatch"]);
            const [call] = stackCalls(bootstrap);
            assert.equal(call.inputs.command, "init");
            assert.equal(call.inputs.stack, "${{ matrix.stack }}");
            assert.match(String(bootstrap.doc.jobs.init.strategy?.matrix?.stack), /needs\.stacks\.outputs\.stacks/);
            assert.match(stepById(bootstrap.doc, "list").run ?? "", /scripts\/ci\/committed-stacks\.sh/);
        });

        it("bootstrap.yml refuses a stack with no committed file and narrows the list to the one asked for", function () {
            if (!commandExists("jq")) {
                this.skip();
            }
            const list = stepById(workflow("bootstrap.yml").doc, "list").run ?? "";
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-"));
            fs.mkdirSync(path.join(dir, "scripts", "ci"), { recursive: true });
            fs.copyFileSync(path.join(repoRoot, "scripts", "ci", "committed-stacks.sh"), path.join(dir, "scripts", "ci", "committed-stacks.sh"));
            fs.chmodSync(path.join(dir, "scripts", "ci", "committed-stacks.sh"), 0o755);
            for (const name of ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
                fs.writeFileSync(path.join(dir, name), "config: {}\n");
            }
            const output = path.join(dir, "github-output");
            const one = runScript(list, dir, { GITHUB_OUTPUT: output, ONLY: "prod" });
            assert.equal(one.status, 0, one.stderr);
            assert.deepEqual(JSON.parse(readOutputs(output).stacks), ["prod"]);
            const unknown = runScript(list, dir, { GITHUB_OUTPUT: output, ONLY: "staging" });
            assert.notEqual(unknown.status, 0);
            assert.match(unknown.stdout, /::error::no committed Pulumi\.staging\.yaml/);
        });
    });

    describe("demo stacks (demo-cleanup.yml)", () => {
        const cleanup = workflow("demo-cleanup.yml");

        it("runs when a pull request closes or loses the label, and on a schedule", () => {
            assert.deepEqual((cleanup.doc.on.pull_request_target as { types: string[] }).types, ["closed", "unlabeled"]);
            assert.equal(cleanup.doc.on.pull_request, undefined);
            assert.ok(Array.isArray(cleanup.doc.on.schedule) && cleanup.doc.on.schedule.length > 0);
            assert.match(String(cleanup.doc.jobs.closed.if), /github\.event\.label\.name == 'demo'/);
        });

        it("destroys only its own demo-pr-<n> or a swept demo stack", () => {
            const destroys = stackCalls(cleanup).filter((call) => call.inputs.command === "destroy");
            assert.equal(destroys.length, 2);
            for (const call of destroys) {
                assert.match(String(call.inputs.stack), /^demo-pr-\$\{\{ github\.event\.pull_request\.number \}\}$|^\$\{\{ matrix\.stack \}\}$/);
            }
            assert.match(stepById(cleanup.doc, "sweep").run ?? "", /scripts\/ci\/stack-job\.ts sweep/);
        });

        it("no cleanup shares a concurrency group with a deploy, so a newer deploy cannot cancel a waiting cleanup", () => {
            const groups = (command: string) => workflowFiles().map(loadWorkflow).flatMap((loaded) => stackCalls(loaded)
                .filter((call) => call.inputs.command === command)
                .map((call) => String(loaded.doc.jobs[call.job].concurrency?.group ?? loaded.doc.concurrency?.group)));
            const deployGroups = groups("up");
            const cleanupGroups = groups("destroy");
            assert.equal(cleanupGroups.length, 2);
            for (const group of cleanupGroups) {
                assert.ok(!deployGroups.includes(group), `cleanup group ${group} is shared with a deploy`);
                assert.match(group, /\$\{\{ (github\.event\.pull_request\.number|matrix\.stack) \}\}/, "one group per demo stack");
            }
            // Both cleanups of one stack land in the same group: demo-cleanup-<stack>.
            const [closed, swept] = cleanupGroups;
            assert.equal(closed.replace("demo-pr-${{ github.event.pull_request.number }}", "${{ matrix.stack }}"), swept);
        });

        it("the sweep reads only the demo-cleanup environment's secrets", () => {
            assert.equal(cleanup.doc.jobs.stale.environment, "demo-cleanup");
        });
    });

    describe("docs/ci-and-environments.md", () => {
        const doc = fs.readFileSync(path.join(repoRoot, "docs", "ci-and-environments.md"), "utf8");

        it("names every workflow, and every secret the workflows read in its table of secrets", () => {
            for (const file of workflowFiles()) {
                assert.ok(doc.includes(`\`${path.basename(file)}\``), `${path.basename(file)} is not documented`);
            }
            const secretTable = doc.slice(doc.indexOf("## Which secret lives where"), doc.indexOf("Why it holds"));
            const read = new Set(workflowFiles().flatMap((file) => [...fs.readFileSync(file, "utf8").matchAll(/secrets\.(\w+)/g)].map((match) => match[1])));
            read.delete("GITHUB_TOKEN");
            assert.ok(read.size >= 5);
            for (const name of read) {
                assert.match(secretTable, new RegExp(`^\\| \`[^|]*\\b${name}\\b`, "m"), `secret ${name} is not in the table`);
            }
        });
    });

    describe("Dependabot", () => {
        const config = YAML.parse(fs.readFileSync(path.join(repoRoot, ".github", "dependabot.yml"), "utf8")) as {
            version: number; updates: { "package-ecosystem": string; directory: string; groups?: Record<string, { patterns: string[] }> }[];
        };

        it("updates the pinned actions and npm, each grouped into one pull request", () => {
            assert.equal(config.version, 2);
            assert.deepEqual(config.updates.map((update) => update["package-ecosystem"]).sort(), ["github-actions", "npm"]);
            for (const update of config.updates) {
                assert.equal(update.directory, "/");
                assert.deepEqual(Object.values(update.groups ?? {}).map((group) => group.patterns), [["*"]]);
            }
        });
    });
});
