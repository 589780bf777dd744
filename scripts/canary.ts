// `npm run canary -- --stack <name> [options]`: metric-driven canary promotion of the WordPress sample
// through the stack itself. Each step is `pulumi config set --path wordpress.canary.weight` and `pulumi
// up` through the Automation API (LocalWorkspace on this project), so the stack file always says what
// is deployed and no later `up` undoes a step (the drift Flagger or Argo Rollouts cause by editing the
// VirtualService behind Pulumi's back). Decisions are in scripts/canary/*.ts, tested; this file wires
// the Automation API, Prometheus (through `kubectl port-forward`) and the process.
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { projectName } from "../components/config/schema";
import { prometheusNamespace, prometheusServiceName, prometheusServicePort } from "../components/observability/prometheus-addon";
import { readProjectDeclarations } from "./docs/project-file";
import { forwardedPort } from "./verify/port-forward";
import { CanaryOptions, describePlan, parseCanaryArgs, usage } from "./canary/args";
import { PreviewEvent } from "./canary/changes";
import { PromResponse, ReleaseAnswers } from "./canary/judgement";
import { Release, canaryQueries } from "./canary/promql";
import { markdownReport } from "./canary/report";
import { StackDriver, WordpressState, runCanary } from "./canary/run";

const projectRoot = path.resolve(__dirname, "..");
const keys = { weight: "wordpress.canary.weight", stableImage: "wordpress.stable.image", canaryImage: "wordpress.canary.image" } as const;

/** The Automation API on this project's directory: config by path, preview with its engine events, up. */
async function automationDriver(stackName: string, signal: AbortSignal): Promise<{ driver: StackDriver; stack: Stack }> {
    const stack = await LocalWorkspace.selectStack({ stackName, workDir: projectRoot });
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
    const driver: StackDriver = {
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
            const events: PreviewEvent[] = [];
            const result = await stack.preview({ onEvent: (event) => events.push(event), signal });
            return { events, changeSummary: result.changeSummary };
        },
        up: async () => {
            await stack.up({ onOutput: (text) => process.stdout.write(text), signal });
        },
    };
    return { driver, stack };
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

/**
 * Prometheus through `kubectl port-forward` on the stack's own cluster: --context, else the stack's
 * kubernetes:context, and its kubernetes:kubeconfig (a path, or the text written to a 0600 file that
 * is removed on exit), so the run looks at the cluster the stack deploys to.
 */
async function portForwardPrometheus(stack: Stack, contextOverride: string | undefined): Promise<{ url: string; close(): void }> {
    const optional = async (key: string) => {
        try {
            return (await stack.getConfig(key)).value;
        } catch {
            return undefined;
        }
    };
    const context = contextOverride ?? await optional("kubernetes:context");
    const kubeconfigSetting = await optional("kubernetes:kubeconfig");
    let kubeconfig: string | undefined;
    let temporary: string | undefined;
    if (kubeconfigSetting) {
        if (fs.existsSync(kubeconfigSetting.replace(/^~(?=\/)/, os.homedir()))) {
            kubeconfig = kubeconfigSetting.replace(/^~(?=\/)/, os.homedir());
        } else {
            temporary = fs.mkdtempSync(path.join(os.tmpdir(), "canary-kube-"));
            kubeconfig = path.join(temporary, "config");
            fs.writeFileSync(kubeconfig, kubeconfigSetting, { mode: 0o600 });
        }
    }
    const args = [...(kubeconfig ? ["--kubeconfig", kubeconfig] : []), ...(context ? ["--context", context] : []),
        "-n", prometheusNamespace, "port-forward", `svc/${prometheusServiceName}`, `:${prometheusServicePort}`];
    const child = spawn("kubectl", args, { stdio: ["ignore", "pipe", "pipe"] });
    const cleanup = () => {
        child.kill();
        if (temporary) {
            fs.rmSync(temporary, { recursive: true, force: true });
        }
    };
    const where = `svc/${prometheusServiceName} in ${prometheusNamespace}${context ? ` on context ${context}` : ""}`;
    try {
        const port = await forwardedPort(child, where);
        return { url: `http://127.0.0.1:${port}`, close: cleanup };
    } catch (error) {
        cleanup();
        throw new Error(`Prometheus is not reachable: ${(error as Error).message}`, { cause: error });
    }
}

async function main(): Promise<number> {
    const options = parseCanaryArgs(process.argv.slice(2));
    if ("help" in options) {
        console.log(usage);
        return 0;
    }
    if ("error" in options) {
        console.error(`${options.error}\n${usage}`);
        return 2;
    }
    console.log(describePlan(options));
    if (options.dryRun) {
        return 0;
    }
    return promote(options);
}

async function promote(options: CanaryOptions): Promise<number> {
    const abort = new AbortController();
    let interrupted = false;
    // Ctrl-C: the running preview or up gets SIGINT (the CLI then stops cleanly and releases the lock),
    // and the run ends at its next check, setting the config back to the last applied weight.
    process.on("SIGINT", () => {
        interrupted = true;
        abort.abort();
        console.error("interrupted: stopping after the current operation");
    });
    const { driver, stack } = await automationDriver(options.stack, abort.signal);
    let prometheus: { url: string; close(): void };
    try {
        prometheus = options.prometheusUrl ? { url: options.prometheusUrl, close: () => undefined } : await portForwardPrometheus(stack, options.context);
    } catch (error) {
        console.error(`${(error as Error).message}\nFix: check that the stack deploys Prometheus (${prometheusNamespace}/${prometheusServiceName}) ` +
            "and that kubectl reaches its cluster, or pass --prometheus-url");
        return 2;
    }
    const started = Date.now();
    try {
        const result = await runCanary(options, {
            stack: driver,
            metrics: async (windowSeconds) => ({
                stable: await releaseAnswers(prometheus.url, "stable", windowSeconds),
                canary: await releaseAnswers(prometheus.url, "canary", windowSeconds),
            }),
            sleep: (seconds) => new Promise((resolve) => {
                const timer = setTimeout(resolve, seconds * 1000);
                abort.signal.addEventListener("abort", () => { clearTimeout(timer); resolve(undefined); });
            }),
            log: (line) => console.log(line),
            elapsed: () => Math.round((Date.now() - started) / 1000),
            interrupted: () => interrupted,
        });
        if (options.summaryFile) {
            fs.appendFileSync(options.summaryFile, markdownReport(options.stack, result.records, result.outcome));
        }
        return result.exitCode;
    } finally {
        prometheus.close();
    }
}

main().then((code) => { process.exitCode = code; }, (error: Error) => {
    console.error(error.message);
    process.exitCode = 2;
});
