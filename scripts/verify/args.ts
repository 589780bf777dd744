// Command line of `npm run verify -- --stack <name> [options]`.

export type GatewayRoute = "auto" | "direct" | "port-forward";

export interface VerifyOptions {
    stack: string;
    /** Requests for the canary split. */
    requests: number;
    /** Confidence of the canary's binomial interval. */
    confidence: number;
    /** How to reach the gateway: its load balancer, a port-forward, or whichever applies. */
    via: GatewayRoute;
    /** kubectl context; the current one when absent. */
    context?: string;
}

export const usage = [
    "usage: npm run verify -- --stack <name> [--requests 200] [--confidence 0.99] [--via auto|direct|port-forward] [--context <kubectl context>]",
    "       npm run verify -- --help",
    "  Checks a deployed stack with its outputs, config and kubectl; prints PASS/FAIL/SKIP per check and",
    "  exits non-zero when any check fails. Needs the Pulumi CLI and kubectl on PATH.",
].join("\n");

const defaults = { requests: 200, confidence: 0.99, via: "auto" as GatewayRoute };

export function parseVerifyArgs(argv: readonly string[]): VerifyOptions | { error: string } | { help: true } {
    // Help wins over everything else on the line, as with most command-line tools.
    if (argv.some((arg) => arg === "--help" || arg === "-h")) {
        return { help: true };
    }
    const values: Record<string, string> = {};
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        const inline = /^--([a-z-]+)=(.*)$/.exec(arg);
        const flag = inline ? inline[1] : /^--([a-z-]+)$/.exec(arg)?.[1];
        if (!flag || !["stack", "requests", "confidence", "via", "context"].includes(flag)) {
            return { error: `unknown argument ${JSON.stringify(arg)}` };
        }
        const value = inline ? inline[2] : argv[++index];
        if (value === undefined || value === "") {
            return { error: `--${flag} needs a value` };
        }
        values[flag] = value;
    }
    if (!values.stack) {
        return { error: "--stack <name> is required" };
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(values.stack)) {
        return { error: `--stack ${JSON.stringify(values.stack)} is not a stack name` };
    }
    const requests = values.requests === undefined ? defaults.requests : Number(values.requests);
    if (!Number.isInteger(requests) || requests < 1 || requests > 10000) {
        return { error: `--requests must be an integer 1-10000 (got ${values.requests})` };
    }
    const confidence = values.confidence === undefined ? defaults.confidence : Number(values.confidence);
    if (!(confidence >= 0.5 && confidence < 1)) {
        return { error: `--confidence must be at least 0.5 and below 1 (got ${values.confidence})` };
    }
    const via = (values.via ?? defaults.via) as GatewayRoute;
    if (!["auto", "direct", "port-forward"].includes(via)) {
        return { error: `--via must be auto, direct or port-forward (got ${values.via})` };
    }
    return { stack: values.stack, requests, confidence, via, ...(values.context ? { context: values.context } : {}) };
}
