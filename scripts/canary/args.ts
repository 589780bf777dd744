// Command line of `npm run canary -- --stack <name> [options]`.
import { Thresholds } from "./judgement";
import { planSteps } from "./plan";
import { parseFlags } from "../verify/args";

export interface CanaryOptions {
    stack: string;
    steps: number[];
    thresholds: Thresholds;
    /** Seconds to wait after each step's `up` before asking Prometheus; also the query window. */
    intervalSeconds: number;
    /** How long an inconclusive step may keep waiting before the run rolls back. */
    maxWaitSeconds: number;
    /** Print the plan and stop. */
    dryRun: boolean;
    /** Change nothing: judge the weight the stack has now, once. */
    noWrite: boolean;
    /** An already reachable Prometheus (e.g. behind a proxy): no port-forward. */
    prometheusUrl?: string;
    /** Also write the steps as Markdown (a table and a Mermaid chart) to this file, e.g. $GITHUB_STEP_SUMMARY. */
    summaryFile?: string;
}

export const defaults = {
    steps: "10,25,50,100",
    minSuccess: 99,
    maxSuccessDrop: 1,
    maxP99: 1000,
    maxLatencyRatio: 1.5,
    minRequests: 100,
    interval: 60,
    maxWait: 600,
} as const;

export const usage = [
    "usage: npm run canary -- --stack <name> [options]",
    "       npm run canary -- --help",
    "  Moves WordPress traffic to the prerelease (v2) step by step through the stack's own config",
    "  (wordpress.canary.weight) and `pulumi up`, judging each step from the ingress gateway's Istio metrics",
    "  in Prometheus. All steps pass: v2's image becomes stable's and the weight returns to 0 in one up.",
    "  A step fails: the weight returns to 0 in one up and the exit status is 1.",
    "options:",
    `  --steps <w1,w2,...>         weights to step through, increasing (default ${defaults.steps})`,
    "  --step <n> --max-weight <m> or: n, 2n, ... up to m",
    `  --interval <seconds>        wait after each up, and the query window (default ${defaults.interval})`,
    `  --max-wait <seconds>        how long a step may stay inconclusive before rolling back (default ${defaults.maxWait})`,
    `  --min-requests <n>          requests the canary needs per window for a verdict (default ${defaults.minRequests})`,
    `  --min-success <percent>     lowest canary success rate (default ${defaults.minSuccess})`,
    `  --max-success-drop <points> how far below stable's success rate the canary may be (default ${defaults.maxSuccessDrop})`,
    `  --max-p99 <ms>              highest canary p99 latency (default ${defaults.maxP99})`,
    `  --max-latency-ratio <x>     highest canary p99 as a multiple of stable's (default ${defaults.maxLatencyRatio})`,
    "  --prometheus-url <url>      use this Prometheus instead of a kubectl port-forward on the stack's cluster",
    "  --summary-file <file>       append a Markdown table and chart of the steps (CI: $GITHUB_STEP_SUMMARY)",
    "  --dry-run                   print the plan and stop",
    "  --no-write                  change nothing: judge the current weight once",
    "exit status: 0 promoted (or judged pass), 1 rolled back (or judged fail), 2 refused or broken, 3 inconclusive (--no-write)",
].join("\n");

const flags = {
    values: ["stack", "steps", "step", "max-weight", "interval", "max-wait", "min-requests", "min-success",
        "max-success-drop", "max-p99", "max-latency-ratio", "prometheus-url", "summary-file"],
    switches: ["dry-run", "no-write"],
    removed: {
        context: "--context is gone: the canary reads Prometheus on the cluster the stack is bound to, the one its ups deploy to. " +
            "To change it: pulumi config set kubernetes:context <context>",
    },
};

function numberIn(values: Record<string, string>, flag: string, fallback: number, min: number, max: number,
    integer: boolean): number | { error: string } {
    const text = values[flag];
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
        return { error: `--${flag} must be ${integer ? "an integer" : "a number"} ${min}-${max} (got ${JSON.stringify(text)})` };
    }
    return value;
}

export function parseCanaryArgs(argv: readonly string[]): CanaryOptions | { error: string } | { help: true } {
    const parsed = parseFlags(argv, flags);
    if (!("stack" in parsed)) {
        return parsed;
    }
    const { values, switches } = parsed;
    const steps = planSteps(values.steps === undefined && values.step === undefined && values["max-weight"] === undefined
        ? { steps: defaults.steps } : { steps: values.steps, step: values.step, maxWeight: values["max-weight"] });
    if ("error" in steps) {
        return steps;
    }
    const numbers = {
        interval: numberIn(values, "interval", defaults.interval, 1, 86_400, true),
        maxWait: numberIn(values, "max-wait", defaults.maxWait, 0, 86_400, true),
        minRequests: numberIn(values, "min-requests", defaults.minRequests, 1, 1e9, true),
        minSuccess: numberIn(values, "min-success", defaults.minSuccess, 0, 100, false),
        maxSuccessDrop: numberIn(values, "max-success-drop", defaults.maxSuccessDrop, 0, 100, false),
        maxP99: numberIn(values, "max-p99", defaults.maxP99, 1, 1e7, false),
        maxLatencyRatio: numberIn(values, "max-latency-ratio", defaults.maxLatencyRatio, 1, 1000, false),
    };
    for (const value of Object.values(numbers)) {
        if (typeof value !== "number") {
            return value;
        }
    }
    const n = numbers as Record<keyof typeof numbers, number>;
    if (values["prometheus-url"] !== undefined && !/^https?:\/\/[^\s/]+/.test(values["prometheus-url"])) {
        return { error: `--prometheus-url must be an http(s) URL (got ${JSON.stringify(values["prometheus-url"])})` };
    }
    if (switches.has("dry-run") && switches.has("no-write")) {
        return { error: "--dry-run and --no-write exclude each other: --dry-run only prints the plan" };
    }
    return {
        stack: parsed.stack,
        steps,
        thresholds: {
            minSuccess: n.minSuccess / 100,
            maxSuccessDrop: n.maxSuccessDrop / 100,
            maxP99Ms: n.maxP99,
            maxLatencyRatio: n.maxLatencyRatio,
            minRequests: n.minRequests,
        },
        intervalSeconds: n.interval,
        maxWaitSeconds: n.maxWait,
        dryRun: switches.has("dry-run"),
        noWrite: switches.has("no-write"),
        ...(values["prometheus-url"] ? { prometheusUrl: values["prometheus-url"].replace(/\/+$/, "") } : {}),
        ...(values["summary-file"] ? { summaryFile: values["summary-file"] } : {}),
    };
}

/** What --dry-run prints: every up the run would make, in order, and what it checks in between. */
export function describePlan(options: CanaryOptions): string {
    const t = options.thresholds;
    return [
        `Canary plan for stack ${options.stack}:`,
        "  0. preview: refuse to start if anything but wordpress.canary.weight would change",
        ...options.steps.map((weight, index) => `  ${index + 1}. set wordpress.canary.weight ${weight}, up, wait ${options.intervalSeconds}s, ` +
            `judge (inconclusive waits up to ${options.maxWaitSeconds}s)`),
        `  ${options.steps.length + 1}. promote: wordpress.stable.image := wordpress.canary.image, wordpress.canary.weight 0, one up`,
        "  on a failing step: wordpress.canary.weight 0, one up, exit 1",
        `thresholds: canary success >= ${(t.minSuccess * 100).toFixed(2)}% and at most ${(t.maxSuccessDrop * 100).toFixed(2)} points ` +
            `below stable; p99 <= ${t.maxP99Ms} ms and <= stable's x ${t.maxLatencyRatio}; at least ${t.minRequests} canary requests per window`,
    ].join("\n");
}
