// npm run canary end to end against stand-ins: a `pulumi` CLI on PATH that answers the commands the
// Automation API runs (read from node_modules/@pulumi/pulumi/automation: cmd.js runs `pulumi version`;
// localWorkspace.js `stack select --stack`, `config get|set --path ... --stack`; stack.js `preview` and
// `up --yes --skip-preview` with `--event-log`, then `stack output --json [--show-secrets]` and
// `stack history --json --show-secrets --page-size 1 --page 1`), and Prometheus as a local HTTP server
// whose answers depend on the weight the stand-in last deployed.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { markdownReport } from "../../scripts/canary/report";
import { nonWeightChanges, summaryLine, virtualServiceType } from "../../scripts/canary/changes";
import { judge } from "../../scripts/canary/judgement";

const repoRoot = path.resolve(__dirname, "..", "..");
const answers = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "canary", "prometheus-answers.json"), "utf8")) as
    Record<string, { stable: Record<string, unknown>; canary: Record<string, unknown> }>;

const stableImage = "wordpress:7.1.0-php8.3-apache";
const canaryImage = "wordpress:7.1.0-php8.4-apache";

/** The stand-in CLI, in JavaScript so that it can write the engine's JSON event lines. */
function standInPulumi(dir: string): string {
    return `#!${process.execPath}
const fs = require("fs");
const dir = ${JSON.stringify(dir)};
const args = process.argv.slice(2);
fs.appendFileSync(dir + "/calls", "pulumi " + args.filter((a) => a !== "--non-interactive").join(" ") + "\\n");
const read = (name, fallback) => fs.existsSync(dir + "/" + name) ? JSON.parse(fs.readFileSync(dir + "/" + name, "utf8")) : fallback;
const config = read("config.json", {});
const deployed = read("deployed.json", {});
const flag = (name) => args[args.indexOf(name) + 1];
const key = (k) => k.replace(/^iks-mesh:/, "");
// "v3.205.0": the Automation API streams engine events to a file (--event-log <file>) for CLIs up to
// 3.205.0 and over gRPC after (stack.js setupEventLog); the file is what a stand-in can write.
if (args[0] === "version") { console.log("v3.205.0"); process.exit(0); }
if (args[0] === "stack" && args[1] === "select") { process.exit(0); }
if (args[0] === "stack" && args[1] === "output") { console.log("{}"); process.exit(0); }
if (args[0] === "stack" && args[1] === "history") { console.log("[]"); process.exit(0); }
if (args[0] === "config" && args[1] === "get") {
    const name = key(args.find((a, i) => i > 1 && !a.startsWith("--") && args[i - 1] !== "--stack"));
    if (!(name in config)) {
        // The CLI's wording for a key the stack file does not set (pulumi config get).
        console.error("error: configuration key '" + name + "' not found for stack '" + flag("--stack") + "'");
        process.exit(255);
    }
    console.log(JSON.stringify({ value: config[name], secret: false }));
    process.exit(0);
}
if (args[0] === "config" && args[1] === "set") {
    config[key(args[args.indexOf("--path") + 1])] = args[args.indexOf("--") + 1];
    fs.writeFileSync(dir + "/config.json", JSON.stringify(config));
    process.exit(0);
}
if (args[0] === "preview" || args[0] === "up") {
    // The DIY backend's lock message (pkg/backend/diy: "the stack is currently locked by N lock(s)").
    if (fs.existsSync(dir + "/locked")) {
        console.error("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.");
        process.exit(255);
    }
}
if (args[0] === "preview") {
    const events = [];
    const vs = "urn:pulumi:dev::iks-mesh::iks-mesh:samples:WordPress$kubernetes:networking.istio.io/v1:VirtualService::wordpress";
    if (String(config["wordpress.canary.weight"]) !== String(deployed.weight)) {
        events.push({ op: "update", urn: vs, type: "${virtualServiceType}",
            detailedDiff: { "spec.http[0].route[0].weight": { kind: "update" }, "spec.http[0].route[1].weight": { kind: "update" } }, diffs: ["spec"] });
    }
    if ((config["wordpress.stable.image"] ?? "${stableImage}") !== (deployed.stableImage ?? "${stableImage}")) {
        events.push({ op: "update", urn: "urn:pulumi:dev::iks-mesh::kubernetes:apps/v1:Deployment::wordpress-v1", type: "kubernetes:apps/v1:Deployment",
            detailedDiff: { "spec.template.spec.containers[0].image": { kind: "update" } }, diffs: ["spec"] });
    }
    if (fs.existsSync(dir + "/pending")) {
        events.push({ op: "update", urn: "urn:pulumi:dev::iks-mesh::kubernetes:apps/v1:Deployment::mysql", type: "kubernetes:apps/v1:Deployment",
            detailedDiff: { "spec.template.spec.containers[0].image": { kind: "update" } }, diffs: ["spec"] });
    }
    const lines = events.map((metadata, i) => JSON.stringify({ sequence: i + 1, timestamp: 0, resourcePreEvent: { metadata } }));
    lines.push(JSON.stringify({ sequence: events.length + 1, timestamp: 0, summaryEvent: { resourceChanges: { update: events.length, same: 80 } } }));
    fs.appendFileSync(flag("--event-log"), lines.join("\\n") + "\\n");
    process.exit(0);
}
if (args[0] === "up") {
    const weight = config["wordpress.canary.weight"];
    if (fs.existsSync(dir + "/fail-up-at-" + weight)) {
        console.error("error: update failed");
        process.exit(255);
    }
    fs.writeFileSync(dir + "/deployed.json", JSON.stringify({ weight, stableImage: config["wordpress.stable.image"] }));
    console.log("Resources: 1 updated, 80 unchanged");
    process.exit(0);
}
console.error("stand-in pulumi: unexpected " + args.join(" "));
process.exit(3);
`;
}

interface Box {
    dir: string;
    calls(): string[];
    config(): Record<string, string>;
    run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
    close(): void;
}

/** A sandbox: stand-in pulumi on PATH, the stack's config, and Prometheus failing the canary from weight `failAt` on. */
async function sandbox(files: Record<string, string>, failAt = 101): Promise<Box> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "pulumi"), standInPulumi(dir), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ "wordpress.canary.weight": "0", "wordpress.canary.image": canaryImage }));
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
    const port = (server.address() as AddressInfo).port;
    return {
        dir,
        calls: () => fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n"),
        config: () => JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, string>,
        run: (args) => new Promise((resolve) => {
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "canary.ts"),
                "--stack", "dev", "--interval", "1", "--prometheus-url", `http://127.0.0.1:${port}`, ...args], {
                env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir, TS_NODE_PROJECT: path.join(repoRoot, "tsconfig.json") },
            });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
            child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
            child.on("close", (status) => resolve({ status, stdout, stderr }));
        }),
        close: () => server.close(),
    };
}

/** The calls that change or apply the stack, in order. */
const changes = (calls: string[]) => calls.filter((call) => /^pulumi (config set|preview|up)/.test(call))
    .map((call) => call.replace(/ --stack dev| --plaintext| --exec-kind \S+| --event-log \S+| --yes| --skip-preview/g, ""));

describe("npm run canary against a stand-in pulumi CLI and Prometheus", function () {
    this.timeout(120000);

    it("steps the weight with one preview and one up each, then promotes in one final up", async () => {
        const box = await sandbox({});
        try {
            const result = await box.run(["--steps", "10,50"]);
            assert.equal(result.status, 0, result.stdout + result.stderr);
            assert.equal(box.calls()[0], "pulumi version");
            assert.deepEqual(changes(box.calls()), [
                "pulumi preview",
                "pulumi config set --path iks-mesh:wordpress.canary.weight -- 10", "pulumi preview", "pulumi up",
                "pulumi config set --path iks-mesh:wordpress.canary.weight -- 50", "pulumi preview", "pulumi up",
                `pulumi config set --path iks-mesh:wordpress.stable.image -- ${canaryImage}`,
                "pulumi config set --path iks-mesh:wordpress.canary.weight -- 0", "pulumi preview", "pulumi up",
            ]);
            assert.deepEqual(box.config(), { "wordpress.canary.weight": "0", "wordpress.canary.image": canaryImage, "wordpress.stable.image": canaryImage });
            assert.match(result.stdout, /weight 10: PASS: canary success 100\.00% over 502 requests/);
            assert.match(result.stdout, /preview: 1 update, 80 same/);
            assert.match(result.stdout, /promoted: stable now runs wordpress:7\.1\.0-php8\.4-apache, weight 0/);
            // The stable image was not in the stack file: its default came from Pulumi.yaml.
            assert.ok(box.calls().some((call) => call.startsWith("pulumi config get --path iks-mesh:wordpress.stable.image")));
        } finally {
            box.close();
        }
    });

    it("rolls back to 0 in one up when a step fails, printing why, exit 1", async () => {
        const box = await sandbox({}, 50);
        try {
            const summary = path.join(box.dir, "summary.md");
            const result = await box.run(["--steps", "10,50,100", "--summary-file", summary]);
            assert.equal(result.status, 1, result.stdout + result.stderr);
            assert.deepEqual(changes(box.calls()).slice(-3), ["pulumi up", "pulumi config set --path iks-mesh:wordpress.canary.weight -- 0", "pulumi up"]);
            assert.ok(!changes(box.calls()).some((call) => call.includes("-- 100") || call.includes("stable.image")));
            assert.match(result.stdout, /rolled back to weight 0: step 50 failed: canary success 91\.83% < 99\.00%/);
            assert.equal(box.config()["wordpress.canary.weight"], "0");
            const markdown = fs.readFileSync(summary, "utf8");
            assert.match(markdown, /\| \d+ \| 10 \| pass \| 502 \| 100\.00% \|/);
            assert.match(markdown, /\| \d+ \| 50 \| fail \| 502 \| 91\.83% \|/);
            assert.match(markdown, /```mermaid\nxychart-beta\n/);
            assert.match(markdown, /bar \[10, 50\]/);
        } finally {
            box.close();
        }
    });

    it("refuses to start when the stack has pending changes other than the weight", async () => {
        const box = await sandbox({ pending: "" });
        try {
            const result = await box.run([]);
            assert.equal(result.status, 2);
            assert.match(result.stdout, /refused: the stack has pending changes other than the canary weight/);
            assert.match(result.stdout, /update urn:pulumi:dev::iks-mesh::kubernetes:apps\/v1:Deployment::mysql \(spec\.template\.spec\.containers\[0\]\.image\)/);
            assert.deepEqual(changes(box.calls()), ["pulumi preview"], "nothing set, nothing applied");
        } finally {
            box.close();
        }
    });

    it("refuses when another update holds the lock", async () => {
        const box = await sandbox({ locked: "" });
        try {
            const result = await box.run([]);
            assert.equal(result.status, 2);
            assert.match(result.stdout, /refused: another update holds the stack's lock/);
            assert.deepEqual(changes(box.calls()), ["pulumi preview"]);
        } finally {
            box.close();
        }
    });

    it("a failed up leaves the config at the last applied weight and says so", async () => {
        const box = await sandbox({ "fail-up-at-50": "" });
        try {
            const result = await box.run(["--steps", "10,50"]);
            assert.equal(result.status, 1);
            assert.match(result.stdout, /the up to weight 50 failed .*the stack stays at the last applied weight 10/);
            assert.equal(box.config()["wordpress.canary.weight"], "10");
        } finally {
            box.close();
        }
    });

    it("--dry-run prints the plan and calls no pulumi; --help prints the usage", async () => {
        const box = await sandbox({});
        try {
            const dry = await box.run(["--steps", "20,100", "--dry-run"]);
            assert.equal(dry.status, 0, dry.stderr);
            assert.match(dry.stdout, /1\. set wordpress\.canary\.weight 20/);
            assert.ok(!fs.existsSync(path.join(box.dir, "calls")));
            const help = await box.run(["--help"]);
            assert.equal(help.status, 0);
            assert.match(help.stdout, /^usage: npm run canary -- --stack <name> \[options\]/);
        } finally {
            box.close();
        }
    });

    describe("pure parts of the flow", () => {
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
            const judgement = judge(answers.failing.stable as never, answers.failing.canary as never,
                { minSuccess: 0.99, maxSuccessDrop: 0.01, maxP99Ms: 1000, maxLatencyRatio: 1.5, minRequests: 100 });
            judgement.reasons.push("a | b");
            assert.match(markdownReport("dev", [{ at: 5, weight: 25, judgement }], "rolled back"), /a \\\| b \|$/m);
            assert.doesNotMatch(markdownReport("dev", [], "refused"), /mermaid/);
        });
    });
});
