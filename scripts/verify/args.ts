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
    /** Also check the backup recipe's first step (mysqldump connects and dumps). */
    backupCheck: boolean;
}

export const usage = [
    "usage: npm run verify -- --stack <name> [--requests 200] [--confidence 0.99] [--via auto|direct|port-forward] [--backup-check]",
    "       npm run verify -- --help",
    "  Checks a deployed stack with its outputs, config and kubectl; prints PASS/FAIL/SKIP per check and",
    "  exits non-zero when any check fails. Needs the Pulumi CLI and kubectl on PATH.",
    "  kubectl talks to the cluster the stack is bound to (kubernetes:context or kubernetes:kubeconfig, as",
    "  the program itself reads them), never to whatever context is current; a stack that names none is refused.",
    "  IKS stacks also get read-only ibmcloud checks (nlb-dns ls, ingress secret get/ls, ingress load-balancer get):",
    "  they need ibmcloud with the container-service plugin, and IBMCLOUD_API_KEY or an existing ibmcloud login.",
    "  --stack <name>        the Pulumi stack to check (required)",
    "  --requests <n>        requests sent through the gateway to measure the WordPress canary split (1-10000;",
    "                        default 200): more requests, a narrower interval",
    "  --confidence <c>      confidence of the Wilson score interval around the measured v2 share (0.5 up to, not",
    "                        including, 1; default 0.99): the check fails when the configured weight lies outside it",
    "  --via <route>         how to reach the gateway: direct (its load balancer address), port-forward (kubectl",
    "                        port-forward to its Service), or auto (default: direct when the Service has an address)",
    "  --backup-check        also run the first step of the backup recipe (docs/operations.md, Back up): mysqldump",
    "                        inside the MySQL pod, schema only, must connect and finish",
].join("\n");

const defaults = { requests: 200, confidence: 0.99, via: "auto" as GatewayRoute };

/** What a tool's command line may hold: `--name value` (or `--name=value`) flags, bare switches, and flags that are gone. */
export interface FlagSpec {
    readonly values: readonly string[];
    readonly switches?: readonly string[];
    /** A flag the tool no longer takes, with the message that says what to do instead. */
    readonly removed?: Readonly<Record<string, string>>;
}

export interface ParsedFlags {
    /** Validated: present and a stack name. */
    stack: string;
    values: Record<string, string>;
    switches: Set<string>;
}

/**
 * The command line shape `npm run verify` and `npm run canary` share: `--help` wins over everything, every
 * flag is known, a value flag has a non-empty value, and `--stack` names a stack.
 */
export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedFlags | { error: string } | { help: true } {
    // Help wins over everything else on the line, as with most command-line tools.
    if (argv.some((arg) => arg === "--help" || arg === "-h")) {
        return { help: true };
    }
    const values: Record<string, string> = {};
    const switches = new Set<string>();
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        const inline = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
        const flag = inline ? inline[1] : /^--([a-z0-9-]+)$/.exec(arg)?.[1];
        if (flag !== undefined && spec.removed?.[flag] !== undefined) {
            return { error: spec.removed[flag] };
        }
        if (flag !== undefined && !inline && spec.switches?.includes(flag)) {
            switches.add(flag);
            continue;
        }
        if (flag === undefined || !spec.values.includes(flag)) {
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
    return { stack: values.stack, values, switches };
}

export function parseVerifyArgs(argv: readonly string[]): VerifyOptions | { error: string } | { help: true } {
    const parsed = parseFlags(argv, {
        values: ["stack", "requests", "confidence", "via"],
        switches: ["backup-check"],
        removed: { context: "--context is gone: verify checks the cluster the stack is bound to. To change it: pulumi config set kubernetes:context <context>" },
    });
    if (!("stack" in parsed)) {
        return parsed;
    }
    const { values } = parsed;
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
    return { stack: parsed.stack, requests, confidence, via, backupCheck: parsed.switches.has("backup-check") };
}
