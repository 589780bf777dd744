// `npm run canary` as a function of its arguments: scripts/canary.ts hands it the process's, tests call it
// in-process with a stand-in Pulumi CLI (`pulumiCommand`) and a local Prometheus. It reads the command
// line and prints the plan; promote.ts runs it.
import { describePlan, parseCanaryArgs, usage } from "./args";
import type { CanaryIo } from "./promote";

/** The exit status of `npm run canary` with these arguments (see usage). */
export async function canaryCommand(argv: readonly string[], io: CanaryIo): Promise<number> {
    const options = parseCanaryArgs(argv);
    if ("help" in options) {
        io.out(usage);
        return 0;
    }
    if ("error" in options) {
        io.err(`${options.error}\n${usage}`);
        return 2;
    }
    io.out(describePlan(options));
    if (options.dryRun) {
        return 0;
    }
    // Loaded here, not imported above: --help, bad arguments and --dry-run then cost ts-node's start and
    // the small argument modules, not the Automation API's and the config reader's (~2 s of CPU).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load; the type comes from the module itself
    const { promote } = require("./promote") as typeof import("./promote");
    return promote(options, io);
}

