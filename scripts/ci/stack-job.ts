// The commands of the shared stack job (.github/workflows/stack.yml) and of the demo sweep, run as
//   ts-node --transpile-only scripts/ci/stack-job.ts <settings|prepare|sweep>
// This file only runs pulumi and gh and writes step outputs; every decision is in the pure modules
// beside it (stack-plan.ts, demo-plan.ts, stack-settings.ts), tested in test/tools/ci-scripts.spec.ts.
//
// Environment: STACK, COMMAND, CONFIG_FROM, DEMO_PR, MAX_AGE_HOURS (per subcommand), GITHUB_OUTPUT,
// GITHUB_REPOSITORY, GH_TOKEN (gh), and for tests LOCK_WAIT_SECONDS / LOCK_RETRY_SECONDS.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { demoLabel, demoPullRequest, handOverComments, HandOver, planDemoSweep, PullRequestState } from "./demo-plan";
import { parseStackList, StackSummary } from "./stack-list";
import { isNoSuchStack, isStackLocked, planStackJob } from "./stack-plan";
import { configOnlyCopy, readStackSettings, stackFileName } from "./stack-settings";

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

/**
 * `pulumi destroy --remove`, waiting while another job holds the stack's lock (a cleanup and a
 * hand-over can reach the same stack at once; the backend serialises them, the loser waits). A stack
 * that is gone when the lock frees was destroyed by the other job: that is success.
 */
function destroyDemoStack(stack: string): void {
    ensureStackFile(stack);
    const waitSeconds = Number(process.env.LOCK_WAIT_SECONDS ?? 2700);
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
        if (!isStackLocked(result.output) || (Date.now() - started) / 1000 >= waitSeconds) {
            throw new JobError(isStackLocked(result.output)
                ? `${stack} stayed locked for ${waitSeconds} s. If no job is running on it, the lock is stale: delete it under .pulumi/locks/ in the backend, then re-run`
                : `pulumi destroy of ${stack} failed (exit ${result.status})`);
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

const subcommands: Record<string, () => void> = { settings, prepare, sweep };

function main(argv: readonly string[]): number {
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

process.exitCode = main(process.argv.slice(2));
