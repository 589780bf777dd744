// The commands of the shared stack job (.github/workflows/stack.yml) and of the demo sweep, run as
//   ts-node --transpile-only scripts/ci/stack-job.ts <settings|prepare|sweep|check|recover>
// This file only runs pulumi, gh, helm and aws and writes step outputs; every decision is in the pure
// modules beside it (stack-plan.ts, demo-plan.ts, stack-settings.ts, recovery.ts, job-timeouts.ts),
// tested in test/tools/ci-scripts.spec.ts.
//
// Environment: STACK, COMMAND, CONFIG_FROM, DEMO_PR, MAX_AGE_HOURS (per subcommand), GITHUB_OUTPUT,
// GITHUB_REPOSITORY, GH_TOKEN (gh), PULUMI_BACKEND_URL (check, recover), and for tests
// LOCK_WAIT_SECONDS / LOCK_RETRY_SECONDS / MAX_RUN_SECONDS.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { demoLabel, demoPullRequest, handOverComments, HandOver, isDemoStack, planDemoSweep, PullRequestState } from "./demo-plan";
import { largestRunSeconds } from "./job-timeouts";
import {
    backendLocation, parseLockError, parseLockListing, parsePendingReleases, planRecovery, RecoveryPlan, StackLock, withLockFile,
} from "./recovery";
import { parseStackList, StackSummary } from "./stack-list";
import { isNoSuchStack, isStackLocked, planStackJob } from "./stack-plan";
import { planIsolation, probeVerdict } from "./state-isolation";
import { configOnlyCopy, providerPlugins, readStackSettings, stackFileName } from "./stack-settings";

class JobError extends Error {}

function env(name: string, fallback?: string): string {
    const value = process.env[name] ?? fallback;
    if (value === undefined || value === "") {
        throw new JobError(`${name} is not set`);
    }
    return value;
}

function setOutput(name: string, value: string): void {
    fs.appendFileSync(env("GITHUB_OUTPUT"), `${name}=${value}\n`);
}

function notice(message: string): void {
    console.log(`::notice::${message}`);
}

function run(command: string, args: string[], input?: string): { status: number; output: string; stdout: string } {
    const result = spawnSync(command, args, { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
    if (result.error) {
        throw new JobError(`${command} could not start: ${result.error.message}`);
    }
    return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

function checked(command: string, args: string[], input?: string): string {
    const result = run(command, args, input);
    if (result.status !== 0) {
        throw new JobError(`${command} ${args.join(" ")} failed (exit ${result.status}):\n${result.output}`);
    }
    return result.stdout;
}

function listStacks(): StackSummary[] {
    return parseStackList(checked("pulumi", ["stack", "ls", "--json"]));
}

function pullRequestState(pullRequest: number): PullRequestState {
    const view = JSON.parse(checked("gh", ["pr", "view", String(pullRequest), "--repo", env("GITHUB_REPOSITORY"), "--json", "number,state,labels"])) as {
        number: number; state: PullRequestState["state"]; labels: { name: string }[];
    };
    return { number: view.number, state: view.state, labels: view.labels.map((label) => label.name) };
}

function comment(pullRequest: number, body: string): void {
    // A comment that cannot be posted must not stop a hand-over half-way: warn and go on.
    const result = run("gh", ["pr", "comment", String(pullRequest), "--repo", env("GITHUB_REPOSITORY"), "--body-file", "-"], body);
    if (result.status !== 0) {
        console.log(`::warning::could not comment on #${pullRequest}: ${result.output.trim()}`);
    }
}

function sleep(seconds: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

/** A demo stack's file on this runner, so that pulumi finds its config; the source's otherwise. */
function ensureStackFile(stack: string): void {
    const file = stackFileName(stack);
    const configFrom = process.env.CONFIG_FROM ?? "";
    if (!fs.existsSync(file) && configFrom !== "") {
        fs.writeFileSync(file, configOnlyCopy(fs.readFileSync(stackFileName(configFrom), "utf8")));
        console.log(`${file} created from the config of ${stackFileName(configFrom)}`);
    }
}

/** The longest a legitimate operation holds a stack's lock (scripts/ci/job-timeouts.ts). */
function maxRunSeconds(): number {
    return Number(process.env.MAX_RUN_SECONDS ?? largestRunSeconds());
}

/**
 * `pulumi destroy --remove`, waiting while another job holds the stack's lock (a cleanup and a
 * hand-over can reach the same stack at once; the backend serialises them, the loser waits). A stack
 * that is gone when the lock frees was destroyed by the other job: that is success. A lock older than
 * any operation runs belongs to an interrupted run: that fails at once with the recovery commands,
 * instead of waiting for a lock that never frees.
 */
function destroyDemoStack(stack: string): void {
    ensureStackFile(stack);
    const waitSeconds = Number(process.env.LOCK_WAIT_SECONDS ?? maxRunSeconds());
    const retrySeconds = Number(process.env.LOCK_RETRY_SECONDS ?? 30);
    const started = Date.now();
    for (;;) {
        const result = run("pulumi", ["destroy", "--stack", stack, "--yes", "--skip-preview", "--remove", "--non-interactive"]);
        process.stdout.write(result.output);
        if (result.status === 0) {
            console.log(`${stack} destroyed and removed`);
            return;
        }
        if (isNoSuchStack(result.output)) {
            notice(`${stack} was already removed by another job`);
            return;
        }
        if (!isStackLocked(result.output)) {
            throw new JobError(`pulumi destroy of ${stack} failed (exit ${result.status})`);
        }
        // Demo stacks are reached from several concurrency groups: a CI user's lock may be live.
        const plan = planRecovery({
            stack, locks: parseLockError(result.output), releases: [], now: new Date(), maxRunSeconds: maxRunSeconds(),
            exclusive: false, ciUser: os.userInfo().username,
        });
        const stale = plan.locks.length > 0 && plan.locks.every((finding) => finding.stale);
        if (stale || (Date.now() - started) / 1000 >= waitSeconds) {
            throw new JobError(`${stack} ${stale ? "is locked by an interrupted run" : `stayed locked for ${waitSeconds} s`}.\n${plan.report.join("\n")}`);
        }
        console.log(`${stack} is locked by another operation; retrying in ${retrySeconds} s`);
        sleep(retrySeconds);
    }
}

function handOver(from: HandOver, to: number): void {
    console.log(`handing the demo cluster over: destroying ${from.stack} before ${to} deploys`);
    destroyDemoStack(from.stack);
    for (const { pullRequest, body } of handOverComments(from, to)) {
        comment(pullRequest, body);
    }
}

function settings(): void {
    const stack = env("STACK");
    ensureStackFile(stack);
    const file = stackFileName(stack);
    const { iksEnabled } = readStackSettings(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
    setOutput("iks-enabled", String(iksEnabled));
    console.log(`stack ${stack}: iks.enabled=${iksEnabled}`);
}

function prepare(): void {
    const stack = env("STACK");
    const command = env("COMMAND");
    const demoPr = Number(process.env.DEMO_PR ?? 0);
    const pullRequest = command === "up" && demoPr > 0 ? pullRequestState(demoPr) : undefined;
    if (command === "up" && demoPullRequest(stack) !== undefined && demoPullRequest(stack) !== demoPr) {
        throw new JobError(`${stack} belongs to #${demoPullRequest(stack)}, not to #${demoPr}`);
    }
    const plan = planStackJob({ stack, command, stacks: listStacks(), ...(pullRequest ? { pullRequest } : {}) });
    switch (plan.action) {
    case "skip":
        notice(plan.notice);
        break;
    case "init":
        checked("pulumi", ["stack", "init", stack, "--secrets-provider", "passphrase", "--non-interactive"]);
        console.log(`stack ${stack} created in the backend`);
        break;
    case "destroy":
        destroyDemoStack(stack);
        break;
    case "run":
        for (const previous of plan.handOver) {
            handOver(previous, demoPr);
        }
        break;
    }
    setOutput("run", String(plan.action === "run"));
}

function sweep(): void {
    const maxAgeHours = Number(env("MAX_AGE_HOURS", "24"));
    const open = JSON.parse(checked("gh", [
        "pr", "list", "--repo", env("GITHUB_REPOSITORY"), "--label", demoLabel, "--state", "open", "--json", "number", "--limit", "1000",
    ])) as { number: number }[];
    const entries = planDemoSweep(listStacks(), open.map((pr) => pr.number), new Date(), maxAgeHours);
    for (const entry of entries) {
        console.log(`${entry.stack}: ${entry.reason}`);
    }
    setOutput("stacks", JSON.stringify(entries.map((entry) => entry.stack)));
    console.log(`demo stacks to destroy: ${entries.length === 0 ? "none" : entries.map((entry) => entry.stack).join(", ")}`);
}

/** The project name, which names the stack's lock directory in a self-managed backend. */
function projectName(): string {
    const project = YAML.parse(fs.readFileSync("Pulumi.yaml", "utf8")) as { name?: unknown };
    if (typeof project?.name !== "string") {
        throw new JobError("Pulumi.yaml has no project name");
    }
    return project.name;
}

/** The stack's lock files in the backend, with their holders. */
function stackLocks(stack: string): StackLock[] {
    const backend = backendLocation(env("PULUMI_BACKEND_URL"));
    const project = projectName();
    if (backend.kind === "file") {
        const lockRoot = path.join(backend.root, ".pulumi", "locks");
        const files = fs.existsSync(lockRoot) ? (fs.readdirSync(lockRoot, { recursive: true }) as string[]) : [];
        return files.map((file) => `.pulumi/locks/${file.split(path.sep).join("/")}`)
            .filter((key) => fs.statSync(path.join(backend.root, key)).isFile())
            .flatMap((key) => parseLockListing(JSON.stringify({ Contents: [{ Key: key, LastModified: fs.statSync(path.join(backend.root, key)).mtime.toISOString() }] }), project, stack))
            .map((lock) => withLockFile(lock, fs.readFileSync(path.join(backend.root, lock.location), "utf8")));
    }
    // The AWS CLI of the runner image (actions/runner-images, Ubuntu2404-Readme: "AWS CLI 2.x") speaks
    // to IBM COS through its S3 API with the environment's HMAC keys in AWS_ACCESS_KEY_ID/SECRET.
    const awsArgs = [...(backend.endpoint ? ["--endpoint-url", backend.endpoint] : []), ...(backend.region ? ["--region", backend.region] : [])];
    const listing = checked("aws", ["s3api", "list-objects-v2", "--bucket", backend.root, "--prefix", `${backend.prefix}.pulumi/locks/`, "--output", "json", ...awsArgs]);
    return parseLockListing(listing, project, stack).map((lock) => withLockFile(lock,
        checked("aws", ["s3", "cp", `s3://${backend.root}/${lock.location}`, "-", ...awsArgs])));
}

function recoveryPlan(stack: string, withCluster: boolean): RecoveryPlan {
    const releases = withCluster ? parsePendingReleases(checked("helm", ["list", "--all-namespaces", "--pending", "--output", "json"])) : [];
    return planRecovery({
        stack, locks: stackLocks(stack), releases, now: new Date(), maxRunSeconds: maxRunSeconds(),
        // Every configured stack's jobs share the group stack-<name>; demo stacks are reached from several.
        exclusive: !isDemoStack(stack), ciUser: os.userInfo().username,
    });
}

/**
 * Before a preview, update or destroy: finds what an interrupted run left (a lock, a pending Helm
 * release). An update or destroy stops here with the recovery commands, before it changes anything;
 * a preview takes no lock and changes nothing, so it only warns.
 */
function check(): void {
    const stack = env("STACK");
    const command = env("COMMAND");
    if (command === "destroy") {
        // A demo destroy may meet a hand-over's live lock: it waits for it, and fails at once on a
        // stale one (destroyDemoStack). Uninstalling a pending release needs no rollback first.
        console.log(`${stack}: the destroy checks the lock itself`);
        return;
    }
    const plan = recoveryPlan(stack, command === "up" || command === "preview");
    if (plan.clean) {
        console.log(`${stack}: no lock and no pending Helm release left by an interrupted run`);
        return;
    }
    const level = command === "preview" ? "warning" : "error";
    console.log(`::${level} title=${stack} needs recovery::${plan.report[0]}`);
    console.log(plan.report.join("\n"));
    if (level === "error") {
        throw new JobError(`${stack} was left by an interrupted run; recover it first (see the commands above)`);
    }
}

/** The `recover` input of the deploy workflow: runs the recovery commands, only on certain leftovers. */
function recover(): void {
    const stack = env("STACK");
    const plan = recoveryPlan(stack, true);
    console.log(plan.report.join("\n"));
    if (plan.clean) {
        notice(`${stack}: nothing to recover`);
        return;
    }
    if (!plan.recoverable) {
        throw new JobError(`refusing to recover ${stack}: a lock may belong to a running operation. ${plan.report[0]}`);
    }
    for (const [command, ...args] of plan.commands) {
        console.log(`+ ${command} ${args.join(" ")}`);
        process.stdout.write(checked(command, args));
    }
    notice(`${stack} recovered: run the deploy workflow again (with refresh) to converge it`);
}

/** The provider plugins of the installed @pulumi packages, installed explicitly (npm ran no scripts). */
function plugins(): void {
    const scope = path.join("node_modules", "@pulumi");
    const texts = fs.readdirSync(scope).map((name) => path.join(scope, name, "package.json"))
        .filter((file) => fs.existsSync(file)).map((file) => fs.readFileSync(file, "utf8"));
    for (const plugin of providerPlugins(texts)) {
        console.log(`pulumi plugin install resource ${plugin.name} ${plugin.version}`);
        checked("pulumi", ["plugin", "install", "resource", plugin.name, plugin.version]);
    }
}

/** Bootstrap: this environment's state credential must not reach any other environment's bucket. */
function isolation(): void {
    const environment = env("ENVIRONMENT");
    const plan = planIsolation(environment, env("PULUMI_BACKEND_URL"), process.env.STATE_BACKENDS ?? "");
    const problems = [...plan.problems];
    for (const probe of plan.probes) {
        const result = run("aws", ["s3api", "list-objects-v2", "--bucket", probe.bucket, "--prefix", `${probe.prefix}.pulumi/`, "--max-items", "1",
            "--output", "json", ...(probe.endpoint ? ["--endpoint-url", probe.endpoint] : []), ...(probe.region ? ["--region", probe.region] : [])]);
        const verdict = probeVerdict(environment, probe.environment, result.status, result.output);
        if (verdict) {
            problems.push(verdict);
        } else {
            console.log(`${environment}: refused by ${probe.environment}'s bucket, as it should be`);
        }
    }
    if (problems.length > 0) {
        throw new JobError(problems.join("\n"));
    }
    console.log(`${environment}: its state is its own (${plan.probes.length} other bucket(s) refused it)`);
}

const subcommands: Record<string, () => void> = { settings, prepare, sweep, check, recover, plugins, isolation };

/** The whole job; tests call it in-process (test/support/in-process.ts), CI through the command line below. */
export function main(argv: readonly string[]): number {
    const subcommand = subcommands[argv[0] ?? ""];
    if (!subcommand || argv.length !== 1) {
        console.error(`usage: stack-job.ts <${Object.keys(subcommands).join("|")}>`);
        return 2;
    }
    try {
        subcommand();
        return 0;
    } catch (error) {
        console.log(`::error::${(error as Error).message.split("\n")[0]}`);
        console.error((error as Error).message);
        return 1;
    }
}

// Only when run as a script: the specs import this module to call `main` without starting a process.
if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
