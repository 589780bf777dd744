// What `npm run canary` does past its command line (cli.ts): it wires the Automation API (LocalWorkspace
// on this project), the stack's cluster binding (shared with verify: scripts/verify/stack-cluster.ts),
// Prometheus through `kubectl port-forward`, and the run (run.ts, pure). cli.ts loads this module only
// for a real run: it pulls in the Automation API and the config reader, about 2 s of CPU under ts-node.
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { projectName } from "../../components/config/schema";
import { prometheusNamespace, prometheusServiceName, prometheusServicePort } from "../../components/observability/prometheus-addon";
import { readProjectDeclarations } from "../docs/project-file";
import { ClusterBinding } from "../../components/cluster/cluster-binding";
import { forwardedPort } from "../verify/port-forward";
import { PulumiRun, openKubectlTarget, readStackCluster, run } from "../verify/stack-cluster";
import { CanaryOptions } from "./args";
import { PreviewEvent } from "./changes";
import { PromResponse, ReleaseAnswers } from "./judgement";
import { Release, canaryQueries } from "./promql";
import { markdownReport } from "./report";
import { StackDriver, WordpressState, runCanary } from "./run";

const projectRoot = path.resolve(__dirname, "..", "..");
const keys = { weight: "wordpress.canary.weight", stableImage: "wordpress.stable.image", canaryImage: "wordpress.canary.image" } as const;

export interface CanaryIo {
    out(line: string): void;
    err(line: string): void;
    /** The up's own output, as it comes. */
    write(text: string): void;
    /** The Pulumi CLI to drive; the one on PATH when absent (PulumiCommand.get()). */
    pulumiCommand?: PulumiCommand;
    /** Waits between an up and its judgement; a timer that Ctrl-C cuts short when absent. */
    sleep?: (seconds: number) => Promise<void>;
}

/** The Automation API on this project's directory: config by path, preview with its engine events, up. */
function automationDriver(stack: Stack, signal: AbortSignal, io: CanaryIo): StackDriver {
    const defaults = readProjectDeclarations(projectRoot);
    // A key the stack file does not set has the default declared in Pulumi.yaml.
    const get = async (key: string): Promise<string> => {
        try {
            return (await stack.getConfig(`${projectName}:${key}`, true)).value;
        } catch (error) {
            const fallback = defaults[key]?.default;
            if (/not found/i.test((error as Error).message) && (typeof fallback === "string" || typeof fallback === "number")) {
                return String(fallback);
            }
            throw error;
        }
    };
    const set = (key: string, value: string) => stack.setConfig(`${projectName}:${key}`, { value, secret: false }, true);
    return {
        read: async (): Promise<WordpressState> => {
            const weightText = await get(keys.weight);
            const weight = Number(weightText);
            if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
                throw new Error(`${keys.weight} is ${JSON.stringify(weightText)}, not an integer 0-100. Fix: pulumi config set --path ${keys.weight} 0`);
            }
            return { weight, stableImage: await get(keys.stableImage), canaryImage: await get(keys.canaryImage) };
        },
        setWeight: (weight) => set(keys.weight, String(weight)),
        setStableImage: (image) => set(keys.stableImage, image),
        preview: async () => {
            // Engine events reach onEvent over gRPC from CLIs after 3.205.0 (stack.js setupEventLog), from a file before.
            const events: PreviewEvent[] = [];
            const result = await stack.preview({ onEvent: (event) => events.push(event), signal });
            return { events, changeSummary: result.changeSummary };
        },
        up: async () => {
            await stack.up({ onOutput: (text) => io.write(text), signal });
        },
    };
}

/**
 * The workspace's CLI for verify's config reads (stack-cluster.ts), started as the Automation API starts it
 * (cmd.js PulumiCommand.run: in the project directory, an installed CLI's own directory first on PATH).
 */
function workspaceRunner(command: PulumiCommand, workDir: string): PulumiRun {
    const env = path.isAbsolute(command.command)
        ? { ...process.env, PATH: `${path.dirname(command.command)}${path.delimiter}${process.env.PATH ?? ""}` } : process.env;
    return (args) => run(command.command, [...args, "--non-interactive"], undefined, 120_000, { cwd: workDir, env });
}

/** GET /api/v1/query on Prometheus (https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries). */
function instantQuery(baseUrl: string, query: string): Promise<PromResponse> {
    const url = new URL(`${baseUrl}/api/v1/query`);
    url.searchParams.set("query", query);
    const client = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const request = client.get(url, { timeout: 30_000 }, (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => { body += chunk.toString(); });
            response.on("end", () => {
                try {
                    // Prometheus answers 400/422/503 with the same JSON envelope and status "error".
                    resolve(JSON.parse(body) as PromResponse);
                } catch {
                    reject(new Error(`Prometheus at ${baseUrl} answered HTTP ${response.statusCode} without JSON`));
                }
            });
        });
        request.on("timeout", () => request.destroy(new Error(`Prometheus at ${baseUrl} did not answer within 30 s`)));
        request.on("error", (error) => reject(new Error(`Prometheus at ${baseUrl} is not reachable: ${error.message}`)));
    });
}

async function releaseAnswers(baseUrl: string, release: Release, windowSeconds: number): Promise<ReleaseAnswers> {
    const queries = canaryQueries(release, windowSeconds);
    const [requests, errors, p99] = await Promise.all([queries.requests, queries.errors, queries.p99].map((query) => instantQuery(baseUrl, query)));
    return { requests, errors, p99 };
}

/** Prometheus through `kubectl port-forward` on the cluster the stack is bound to, as verify reaches the gateway. */
async function portForwardPrometheus(binding: ClusterBinding<string>): Promise<{ url: string; close(): void }> {
    const target = openKubectlTarget(binding, false);
    const args = [...target.args, "-n", prometheusNamespace, "port-forward", `svc/${prometheusServiceName}`, `:${prometheusServicePort}`];
    const child = spawn("kubectl", args, { stdio: ["ignore", "pipe", "pipe"] });
    const cleanup = () => {
        child.kill();
        target.remove();
    };
    try {
        const port = await forwardedPort(child, `svc/${prometheusServiceName} in ${prometheusNamespace} on ${target.describe}`);
        return { url: `http://127.0.0.1:${port}`, close: cleanup };
    } catch (error) {
        cleanup();
        throw new Error(`Prometheus is not reachable: ${(error as Error).message}`, { cause: error });
    }
}

/**
 * Steps the canary through the stack (see usage) once the command line was read and the plan printed
 * (cli.ts): the run's exit status.
 */
export async function promote(options: CanaryOptions, io: CanaryIo): Promise<number> {
    const workspace = await LocalWorkspace.create({ workDir: projectRoot, ...(io.pulumiCommand ? { pulumiCommand: io.pulumiCommand } : {}) });
    // The cluster the stack deploys to, by the program's rule: an unbound stack is refused before any
    // kubectl call or change, and Prometheus is never looked for on whatever context is current.
    const cluster = await readStackCluster(options.stack, workspaceRunner(workspace.pulumiCommand, workspace.workDir), "the canary reads Prometheus on the cluster");
    if ("error" in cluster) {
        io.err(cluster.error);
        return 2;
    }
    const stack = await Stack.select(options.stack, workspace);
    const abort = new AbortController();
    let interrupted = false;
    // Ctrl-C: the running preview or up gets SIGINT (the CLI then stops cleanly and releases the lock),
    // and the run ends at its next check, setting the config back to the last applied weight. SIGTERM
    // too: a cancelled GitHub job gets SIGINT, SIGTERM 7.5 s later, and is killed 2.5 s after that
    // (docs.github.com, "Workflow cancellation reference"); until then the private kubeconfig must still go.
    const onInterrupt = () => {
        interrupted = true;
        abort.abort();
        io.err("interrupted: stopping after the current operation");
    };
    process.on("SIGINT", onInterrupt);
    process.on("SIGTERM", onInterrupt);
    let prometheus: { url: string; close(): void } | undefined;
    try {
        try {
            prometheus = options.prometheusUrl ? { url: options.prometheusUrl, close: () => undefined } : await portForwardPrometheus(cluster.binding);
        } catch (error) {
            io.err(`${(error as Error).message}\nFix: check that the stack deploys Prometheus (${prometheusNamespace}/${prometheusServiceName}) ` +
                "and that kubectl reaches its cluster, or pass --prometheus-url");
            return 2;
        }
        const url = prometheus.url;
        const started = Date.now();
        const result = await runCanary(options, {
            stack: automationDriver(stack, abort.signal, io),
            metrics: async (windowSeconds) => ({
                stable: await releaseAnswers(url, "stable", windowSeconds),
                canary: await releaseAnswers(url, "canary", windowSeconds),
            }),
            sleep: io.sleep ?? ((seconds) => new Promise((resolve) => {
                const timer = setTimeout(resolve, seconds * 1000);
                abort.signal.addEventListener("abort", () => { clearTimeout(timer); resolve(undefined); });
            })),
            log: (line) => io.out(line),
            elapsed: () => Math.round((Date.now() - started) / 1000),
            interrupted: () => interrupted,
        });
        if (options.summaryFile) {
            fs.appendFileSync(options.summaryFile, markdownReport(options.stack, result.records, result.outcome));
        }
        return result.exitCode;
    } finally {
        prometheus?.close();
        process.removeListener("SIGINT", onInterrupt);
        process.removeListener("SIGTERM", onInterrupt);
    }
}
