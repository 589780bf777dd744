// npm run canary's flow, in three layers so the suite stays fast:
// 1. the run's decisions (scripts/canary/run.ts) in-process against a recording StackDriver: no process at all;
// 2. the Automation API wiring (scripts/canary/promote.ts, through cli.ts) in-process against a stand-in `pulumi` CLI that
//    answers as the pinned CLI does (the version @pulumi/pulumi is pinned to, which workflows.spec.ts holds
//    equal to the workflows' pulumi-version) and a local Prometheus;
// 3. two real spawns of `npm run canary`'s entry through ts-node: the process wiring (argv, exit status,
//    stdout, the summary file).
// The stand-in answers the commands the Automation API runs (node_modules/@pulumi/pulumi/automation: cmd.js
// runs `pulumi version`; localWorkspace.js `stack select --stack`, `config get|set --path ... --stack`;
// stack.js `preview` and `up --yes --skip-preview` with `--event-log`, then `stack output --json
// [--show-secrets]` and `stack history --json --show-secrets --page-size 1 --page 1`) and verify's config
// listing (`config --json --stack`, scripts/verify/stack-cluster.ts).
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { parseCanaryArgs, CanaryOptions } from "../../scripts/canary/args";
import { canaryCommand } from "../../scripts/canary/cli";
import { markdownReport } from "../../scripts/canary/report";
import { PreviewEvent, nonWeightChanges, summaryLine, virtualServiceType } from "../../scripts/canary/changes";
import { ReleaseAnswers, judge } from "../../scripts/canary/judgement";
import { RunDeps, StackDriver, runCanary } from "../../scripts/canary/run";
import { writeStandIn } from "../support/stand-ins";

const repoRoot = path.resolve(__dirname, "..", "..");
const answers = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "canary", "prometheus-answers.json"), "utf8")) as
    Record<string, { stable: ReleaseAnswers; canary: ReleaseAnswers }>;
/** The CLI version the stand-in claims: the SDK's, which is the pinned CLI's (workflows.spec.ts). */
const pinnedCliVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;

const stableImage = "wordpress:7.1.0-php8.3-apache";
const canaryImage = "wordpress:7.1.0-php8.4-apache";
const vsUrn = "urn:pulumi:dev::iks-mesh::iks-mesh:samples:WordPress$kubernetes:networking.istio.io/v1:VirtualService::wordpress";
const weightEvent: PreviewEvent = { resourcePreEvent: { metadata: { op: "update", urn: vsUrn, type: virtualServiceType,
    detailedDiff: { "spec.http[0].route[0].weight": { kind: "update" }, "spec.http[0].route[1].weight": { kind: "update" } } } } };
const mysqlEvent: PreviewEvent = { resourcePreEvent: { metadata: { op: "update", urn: "urn:pulumi:dev::iks-mesh::kubernetes:apps/v1:Deployment::mysql",
    type: "kubernetes:apps/v1:Deployment", detailedDiff: { "spec.template.spec.containers[0].image": { kind: "update" } } } } };

function options(args: string[]): CanaryOptions {
    const parsed = parseCanaryArgs(["--stack", "dev", "--interval", "1", ...args]);
    assert.ok("stack" in parsed, JSON.stringify(parsed));
    return parsed;
}

/** A StackDriver that keeps the config and the deployed state in memory and records every call. */
function recordingStack(setup: { pending?: boolean; locked?: boolean; failUpAt?: number } = {}) {
    const calls: string[] = [];
    const config: Record<string, string> = { weight: "0", stableImage, canaryImage };
    let deployed = { weight: "0", stableImage };
    const driver: StackDriver = {
        read: () => Promise.resolve({ weight: Number(config.weight), stableImage: config.stableImage, canaryImage: config.canaryImage }),
        setWeight: (weight) => { calls.push(`set weight ${weight}`); config.weight = String(weight); return Promise.resolve(); },
        setStableImage: (image) => { calls.push(`set stable ${image}`); config.stableImage = image; return Promise.resolve(); },
        preview: () => {
            calls.push("preview");
            if (setup.locked) {
                // The Automation API's error for a held lock (errors.js createCommandError: ConcurrentUpdateError).
                return Promise.reject(Object.assign(new Error("error: the stack is currently locked by 1 lock(s)"), { name: "ConcurrentUpdateError" }));
            }
            const events = [...config.weight !== deployed.weight ? [weightEvent] : [], ...setup.pending ? [mysqlEvent] : []];
            return Promise.resolve({ events, changeSummary: { update: events.length, same: 80 } });
        },
        up: () => {
            calls.push("up");
            if (Number(config.weight) === setup.failUpAt) {
                return Promise.reject(new Error("error: update failed"));
            }
            deployed = { weight: config.weight, stableImage: config.stableImage };
            return Promise.resolve();
        },
    };
    return { driver, calls, config, deployed: () => deployed };
}

/** Prometheus answers by the deployed weight: `failAt` and above the canary fails, below it is healthy. */
function deps(stack: ReturnType<typeof recordingStack>, scenario: (weight: number) => string, interruptAfterUps = Infinity): RunDeps & { lines: string[] } {
    const lines: string[] = [];
    let clock = 0;
    return {
        lines,
        stack: stack.driver,
        metrics: () => Promise.resolve(answers[scenario(Number(stack.deployed().weight))]),
        sleep: (seconds) => { clock += seconds; return Promise.resolve(); },
        log: (line) => lines.push(line),
        elapsed: () => clock,
        interrupted: () => stack.calls.filter((call) => call === "up").length >= interruptAfterUps,
    };
}

describe("npm run canary: the run's decisions, in-process", () => {
    it("steps the weight with one preview and one up each, then promotes in one final up", async () => {
        const stack = recordingStack();
        const run = deps(stack, () => "healthy");
        const result = await runCanary(options(["--steps", "10,50"]), run);
        assert.equal(result.exitCode, 0, run.lines.join("\n"));
        assert.deepEqual(stack.calls, ["preview", "set weight 10", "preview", "up", "set weight 50", "preview", "up",
            `set stable ${canaryImage}`, "set weight 0", "preview", "up"]);
        assert.deepEqual(stack.config, { weight: "0", stableImage: canaryImage, canaryImage });
        assert.match(run.lines.join("\n"), /weight 10: PASS: canary success 100\.00% over 502 requests/);
        assert.match(result.outcome, /^promoted: stable now runs wordpress:7\.1\.0-php8\.4-apache, weight 0$/);
    });

    it("rolls back to 0 in one up when a step fails, printing why, exit 1", async () => {
        const stack = recordingStack();
        const run = deps(stack, (weight) => weight >= 50 ? "failing" : "healthy");
        const result = await runCanary(options(["--steps", "10,50,100"]), run);
        assert.equal(result.exitCode, 1);
        assert.deepEqual(stack.calls.slice(-3), ["up", "set weight 0", "up"]);
        assert.ok(!stack.calls.some((call) => call.includes("100") || call.startsWith("set stable")));
        assert.match(result.outcome, /rolled back to weight 0: step 50 failed: canary success 91\.83% < 99\.00%/);
        assert.equal(stack.deployed().weight, "0");
        assert.deepEqual(result.records.map((record) => [record.weight, record.judgement.verdict]), [[10, "pass"], [50, "fail"]]);
    });

    it("waits on too little traffic, then rolls back once --max-wait is spent", async () => {
        const stack = recordingStack();
        const run = deps(stack, () => "littleTraffic");
        const result = await runCanary(options(["--steps", "10", "--max-wait", "3"]), run);
        assert.equal(result.exitCode, 1);
        assert.equal(result.records.length, 3, "judged at 1, 2 and 3 s");
        assert.match(result.outcome, /step 10 stayed inconclusive for 3s/);
    });

    it("refuses to start when the stack has pending changes other than the weight", async () => {
        const stack = recordingStack({ pending: true });
        const result = await runCanary(options([]), deps(stack, () => "healthy"));
        assert.equal(result.exitCode, 2);
        assert.match(result.outcome, /refused: the stack has pending changes other than the canary weight/);
        assert.match(result.outcome, /update urn:pulumi:dev::iks-mesh::kubernetes:apps\/v1:Deployment::mysql \(spec\.template\.spec\.containers\[0\]\.image\)/);
        assert.deepEqual(stack.calls, ["preview"], "nothing set, nothing applied");
    });

    it("refuses when another update holds the lock", async () => {
        const stack = recordingStack({ locked: true });
        const result = await runCanary(options([]), deps(stack, () => "healthy"));
        assert.equal(result.exitCode, 2);
        assert.match(result.outcome, /refused: another update holds the stack's lock/);
        assert.deepEqual(stack.calls, ["preview"]);
    });

    it("a failed up leaves the config at the last applied weight and says so", async () => {
        const stack = recordingStack({ failUpAt: 50 });
        const result = await runCanary(options(["--steps", "10,50"]), deps(stack, () => "healthy"));
        assert.equal(result.exitCode, 1);
        assert.match(result.outcome, /the up to weight 50 failed .*the stack stays at the last applied weight 10/);
        assert.equal(stack.config.weight, "10");
    });

    it("Ctrl-C after an up stops at that weight, exit 130", async () => {
        const stack = recordingStack();
        const result = await runCanary(options(["--steps", "10,50"]), deps(stack, () => "healthy", 1));
        assert.equal(result.exitCode, 130);
        assert.match(result.outcome, /interrupted; the stack stays at the last applied weight 10/);
        assert.equal(stack.calls.filter((call) => call === "up").length, 1);
    });

    it("only route weights of a VirtualService count as the canary's change", () => {
        const event = (op: string, type: string, detailedDiff?: Record<string, unknown>) => ({ resourcePreEvent: { metadata: { op, urn: `urn:${type}`, type, detailedDiff } } });
        assert.deepEqual(nonWeightChanges([event("same", "x"), event("update", virtualServiceType, { "spec.http[0].route[1].weight": {} })]), []);
        assert.equal(nonWeightChanges([event("update", virtualServiceType, { "spec.hosts[0]": {} })]).length, 1);
        assert.equal(nonWeightChanges([event("update", virtualServiceType)]).length, 1, "no detailed diff proves nothing");
        assert.equal(nonWeightChanges([event("create", "kubernetes:v1:ConfigMap")]).length, 1);
        assert.equal(summaryLine({ update: 2, same: 80, create: 0 }), "2 update, 80 same");
        assert.equal(summaryLine({}), "no changes");
    });

    it("the job summary escapes table cells", () => {
        const judgement = judge(answers.failing.stable, answers.failing.canary,
            { minSuccess: 0.99, maxSuccessDrop: 0.01, maxP99Ms: 1000, maxLatencyRatio: 1.5, minRequests: 100 });
        judgement.reasons.push("a | b");
        assert.match(markdownReport("dev", [{ at: 5, weight: 25, judgement }], "rolled back"), /a \\\| b \|$/m);
        assert.doesNotMatch(markdownReport("dev", [], "refused"), /mermaid/);
    });
});

interface Box {
    dir: string;
    bin: string;
    prometheusUrl: string;
    queries: string[];
    calls(): string[];
    config(): Record<string, string>;
    /** In-process: scripts/canary/cli.ts with the stand-in as the workspace's CLI (and Prometheus at --prometheus-url unless `portForward`). */
    command(args: string[], portForward?: boolean): Promise<{ status: number; stdout: string; stderr: string }>;
    /** A real process: scripts/canary.ts through ts-node, the stand-in first on PATH. */
    spawn(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
    close(): void;
}

/** A sandbox: stand-in pulumi, the stack's config, and Prometheus failing the canary from weight `failAt` on. */
async function sandbox(files: Record<string, string>, failAt = 101, config: Record<string, string> = { "kubernetes:context": "kind-iks-mesh" },
    cliVersion = pinnedCliVersion): Promise<Box> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // The stand-in CLI (test/fixtures/canary/pulumi.js, in JavaScript so that it can speak the engine's event stream).
    fs.writeFileSync(path.join(dir, "stand-in.json"), JSON.stringify({
        dir, cliVersion, stableImage, weightEvent: weightEvent.resourcePreEvent?.metadata, mysqlEvent: mysqlEvent.resourcePreEvent?.metadata,
    }));
    writeStandIn(path.join(bin, "pulumi"), { module: path.join(__dirname, "..", "fixtures", "canary", "pulumi.js"), settings: path.join(dir, "stand-in.json") });
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...config, "wordpress.canary.weight": "0", "wordpress.canary.image": canaryImage }));
    fs.writeFileSync(path.join(dir, "deployed.json"), JSON.stringify({ weight: "0" }));
    for (const [name, content] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, name), content);
    }
    const queries: string[] = [];
    const server = http.createServer((request, response) => {
        const query = new URL(request.url ?? "/", "http://x").searchParams.get("query") ?? "";
        queries.push(query);
        const weight = Number((JSON.parse(fs.readFileSync(path.join(dir, "deployed.json"), "utf8")) as { weight: string }).weight);
        const scenario = answers[weight >= failAt ? "failing" : "healthy"];
        const release = query.includes("wordpress-v2") ? scenario.canary : scenario.stable;
        const kind = query.startsWith("histogram_quantile") ? "p99" : query.includes("response_code") ? "errors" : "requests";
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(release[kind]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const prometheusUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const common = ["--stack", "dev", "--interval", "1"];
    const direct = ["--prometheus-url", prometheusUrl];
    // A stand-in kubectl for the port-forward: logs its arguments (and the mode of a --kubeconfig file),
    // then prints kubectl's line for the local Prometheus's port (format: test/fixtures/verify/port-forward.txt).
    fs.writeFileSync(path.join(bin, "kubectl"), `#!${process.execPath}
const fs = require("fs");
const args = process.argv.slice(2);
const file = args.includes("--kubeconfig") ? args[args.indexOf("--kubeconfig") + 1] : undefined;
const mode = file ? " mode " + (fs.statSync(file).mode & 0o777).toString(8) : "";
fs.appendFileSync(${JSON.stringify(path.join(dir, "kubectl.log"))}, "kubectl " + args.join(" ") + mode + "\\n");
console.log("Forwarding from 127.0.0.1:" + ${JSON.stringify(prometheusUrl.split(":").pop())} + " -> 9090");
setInterval(() => undefined, 1000);
`, { mode: 0o755 });
    return {
        dir,
        bin,
        prometheusUrl,
        queries,
        calls: () => fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [],
        config: () => JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, string>,
        command: async (args, portForward = false) => {
            let stdout = "";
            let stderr = "";
            // kubectl is found on PATH, as in a real run; restored right after.
            const path0 = process.env.PATH;
            process.env.PATH = `${bin}:${path0 ?? ""}`;
            const status = await canaryCommand([...common, ...portForward ? [] : direct, ...args], {
                out: (line) => { stdout += `${line}\n`; },
                err: (line) => { stderr += `${line}\n`; },
                write: (text) => { stdout += text; },
                pulumiCommand: await PulumiCommand.get({ root: dir }),
                sleep: () => Promise.resolve(),
            }).finally(() => { process.env.PATH = path0; });
            return { status, stdout, stderr };
        },
        spawn: (args) => new Promise((resolve) => {
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "canary.ts"), ...common, ...direct, ...args], {
                env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir, TS_NODE_PROJECT: path.join(repoRoot, "tsconfig.json") },
            });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
            child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
            child.on("close", (status) => resolve({ status, stdout, stderr }));
        }),
        close: () => {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** The calls that change or apply the stack, in order. */
const changes = (calls: string[]) => calls.filter((call) => /^pulumi (config set|preview|up)/.test(call))
    .map((call) => call.replace(/ --stack dev| --plaintext| --exec-kind \S+| --event-log \S+| --yes| --skip-preview/g, ""));

describe(`npm run canary: the Automation API in-process against a stand-in pulumi v${pinnedCliVersion} and Prometheus`, function () {
    this.timeout(60000);

    it("steps, reads the preview's events over gRPC, and promotes; the stack file ends saying what is deployed", async () => {
        const box = await sandbox({});
        try {
            const result = await box.command(["--steps", "10,50"]);
            assert.equal(result.status, 0, result.stdout + result.stderr);
            assert.equal(box.calls()[0], "pulumi version");
            assert.ok(box.calls().filter((call) => call.startsWith("pulumi preview")).every((call) => / --event-log tcp:\/\/127\.0\.0\.1:\d+/.test(call)));
            assert.deepEqual(changes(box.calls()), [
                "pulumi preview",
                "pulumi config set --path iks-mesh:wordpress.canary.weight -- 10", "pulumi preview", "pulumi up",
                "pulumi config set --path iks-mesh:wordpress.canary.weight -- 50", "pulumi preview", "pulumi up",
                `pulumi config set --path iks-mesh:wordpress.stable.image -- ${canaryImage}`,
                "pulumi config set --path iks-mesh:wordpress.canary.weight -- 0", "pulumi preview", "pulumi up",
            ]);
            assert.deepEqual({ ...box.config(), "kubernetes:context": undefined },
                { "kubernetes:context": undefined, "wordpress.canary.weight": "0", "wordpress.canary.image": canaryImage, "wordpress.stable.image": canaryImage });
            // The summary event came over the stream: the changeSummary the Automation API built from it.
            assert.match(result.stdout, /preview: 1 update, 80 same/);
            assert.match(result.stdout, /weight 10: PASS: canary success 100\.00% over 502 requests/);
            assert.match(result.stdout, /promoted: stable now runs wordpress:7\.1\.0-php8\.4-apache, weight 0/);
            // The stable image was not in the stack file: its default came from Pulumi.yaml.
            assert.ok(box.calls().some((call) => call.startsWith("pulumi config get --path iks-mesh:wordpress.stable.image")));
            assert.ok(box.queries.some((query) => query.includes('destination_workload="wordpress-v2"')));
        } finally {
            box.close();
        }
    });

    it("refuses on a pending change that only a resource event streamed over gRPC reveals", async () => {
        const box = await sandbox({ pending: "" });
        try {
            const result = await box.command([]);
            assert.equal(result.status, 2, result.stdout + result.stderr);
            assert.match(result.stdout, /refused: the stack has pending changes other than the canary weight/);
            assert.match(result.stdout, /Deployment::mysql \(spec\.template\.spec\.containers\[0\]\.image\)/);
            assert.deepEqual(changes(box.calls()), ["pulumi preview"], "nothing set, nothing applied");
        } finally {
            box.close();
        }
    });

    it("the stand-in takes events only over gRPC: a CLI claiming 3.205.0 is handed a file and the preview fails", async () => {
        const box = await sandbox({}, 101, undefined, "3.205.0");
        try {
            const result = await box.command([]);
            assert.equal(result.status, 2);
            assert.match(result.stdout, /refused: preview failed: .*expected --event-log tcp:\/\/<host>:<port> \(gRPC\), got \/\S+eventlog\.txt/);
        } finally {
            box.close();
        }
    });

    it("refuses when the CLI reports a held lock", async () => {
        const box = await sandbox({ locked: "" });
        try {
            const result = await box.command([]);
            assert.equal(result.status, 2);
            assert.match(result.stdout, /refused: another update holds the stack's lock/);
        } finally {
            box.close();
        }
    });

    it("refuses a stack bound to no cluster before any preview, as verify does", async () => {
        const box = await sandbox({}, 101, {});
        try {
            const result = await box.command([]);
            assert.equal(result.status, 2);
            assert.match(result.stderr, /^the canary reads Prometheus on the cluster stack dev is bound to, as the program deploys there:\n {2}- /);
            assert.match(result.stderr, /pulumi config set kubernetes:context/);
            assert.deepEqual(changes(box.calls()), [], "no preview, no change");
            assert.deepEqual(box.queries, []);
        } finally {
            box.close();
        }
    });

    it("reaches Prometheus with kubectl port-forward on the stack's own binding: its context, or its kubeconfig in a private file", async () => {
        const byContext = await sandbox({});
        const kubeconfigText = "apiVersion: v1\nkind: Config\ncurrent-context: stack-cluster\n";
        const byContent = await sandbox({ "secrets.json": JSON.stringify(["kubernetes:kubeconfig"]) }, 101,
            { "kubernetes:kubeconfig": kubeconfigText, "kubernetes:context": "stack-cluster" });
        try {
            const first = await byContext.command(["--no-write"], true);
            assert.equal(first.status, 0, first.stdout + first.stderr);
            assert.equal(fs.readFileSync(path.join(byContext.dir, "kubectl.log"), "utf8"),
                "kubectl --context kind-iks-mesh -n istio-system port-forward svc/prometheus :9090\n");
            assert.ok(byContext.queries.length > 0, "Prometheus was asked through the forwarded port");
            const second = await byContent.command(["--no-write"], true);
            assert.equal(second.status, 0, second.stdout + second.stderr);
            const [line] = fs.readFileSync(path.join(byContent.dir, "kubectl.log"), "utf8").trim().split("\n");
            const match = /^kubectl --kubeconfig (\S+) --context stack-cluster -n istio-system port-forward svc\/prometheus :9090 mode 600$/.exec(line);
            assert.ok(match, line);
            assert.ok(!fs.existsSync(match[1]), "the private kubeconfig is removed when the run ends");
        } finally {
            byContext.close();
            byContent.close();
        }
    });

    it("takes no --context of its own", async () => {
        const box = await sandbox({});
        try {
            const result = await box.command(["--context", "other"]);
            assert.equal(result.status, 2);
            assert.match(result.stderr, /^--context is gone: the canary reads Prometheus on the cluster the stack is bound to/);
            assert.deepEqual(box.calls(), ["pulumi version"], "only the Automation API's own version check (PulumiCommand.get)");
        } finally {
            box.close();
        }
    });
});

describe("npm run canary: the command, spawned", function () {
    this.timeout(120000);

    it("rolls back a failing step end to end: exit 1, the reason printed, the job summary written", async () => {
        const box = await sandbox({}, 50);
        try {
            const summary = path.join(box.dir, "summary.md");
            const result = await box.spawn(["--steps", "10,50,100", "--summary-file", summary]);
            assert.equal(result.status, 1, result.stdout + result.stderr);
            assert.deepEqual(changes(box.calls()).slice(-3), ["pulumi up", "pulumi config set --path iks-mesh:wordpress.canary.weight -- 0", "pulumi up"]);
            assert.match(result.stdout, /rolled back to weight 0: step 50 failed: canary success 91\.83% < 99\.00%/);
            assert.equal(box.config()["wordpress.canary.weight"], "0");
            const markdown = fs.readFileSync(summary, "utf8");
            assert.match(markdown, /\| \d+ \| 10 \| pass \| 502 \| 100\.00% \|/);
            assert.match(markdown, /\| \d+ \| 50 \| fail \| 502 \| 91\.83% \|/);
            assert.match(markdown, /```mermaid\nxychart-beta\n/);
        } finally {
            box.close();
        }
    });

    it("--dry-run prints the plan and calls no pulumi; --help prints the usage", async () => {
        const box = await sandbox({});
        try {
            const dry = await box.spawn(["--steps", "20,100", "--dry-run"]);
            assert.equal(dry.status, 0, dry.stderr);
            assert.match(dry.stdout, /1\. set wordpress\.canary\.weight 20/);
            assert.deepEqual(box.calls(), []);
            const help = await box.command(["--help"]);
            assert.equal(help.status, 0);
            assert.match(help.stdout, /^usage: npm run canary -- --stack <name> \[options\]/);
        } finally {
            box.close();
        }
    });
});
