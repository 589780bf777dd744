// Where each script run keeps its ibmcloud login. The CLI is not safe for parallel processes that
// share one IBMCLOUD_HOME: a login rewrites $IBMCLOUD_HOME/.bluemix/config.json and logs out every
// other process using it (IBM-Cloud/ibm-cloud-cli-sdk#239). Pulumi runs the NLB registration and the
// Ingress certificate copy at the same time, and `pulumi destroy` their deletes too. So:
//   - with an API key, every run logs in to a home of its own, under the stack's home, whose
//     `.bluemix/plugins` is a link to the stack's shared plugin directory (plugins are installed once);
//   - without one (the operator's own login), there is only the operator's home: every CLI call takes
//     a lock first, so no two of our calls run against it at once.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

/** Run homes older than this are leftovers of killed runs (they hold login tokens): removed on the next run whatever their pid. */
const staleRunHomeMs = 6 * 60 * 60 * 1000;

export interface RunHome {
    /** IBMCLOUD_HOME for this run's calls. */
    home: string;
    /** The stack's home, where plugins are installed once for all runs. */
    sharedHome: string;
    /** Removes the run's home (its login tokens); the shared plugins stay. */
    remove(): void;
}

export function sharedPluginDirectory(sharedHome: string): string {
    return path.join(sharedHome, ".bluemix", "plugins");
}

/** A fresh CLI home for one run, its plugin directory linked to the stack's shared one. */
export function createRunHome(sharedHome: string): RunHome {
    fs.mkdirSync(sharedPluginDirectory(sharedHome), { recursive: true, mode: 0o700 });
    // The homes hold login tokens: keep them out of version control wherever the stack's home lives.
    const ignore = path.join(sharedHome, ".gitignore");
    if (!fs.existsSync(ignore)) {
        fs.writeFileSync(ignore, "*\n");
    }
    const runs = path.join(sharedHome, "runs");
    fs.mkdirSync(runs, { recursive: true, mode: 0o700 });
    removeStaleRunHomes(runs);
    const home = path.join(runs, `${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
    fs.mkdirSync(path.join(home, ".bluemix"), { recursive: true, mode: 0o700 });
    fs.symlinkSync(sharedPluginDirectory(sharedHome), path.join(home, ".bluemix", "plugins"), "dir");
    return {
        home,
        sharedHome,
        // rmSync removes the link itself, never the shared plugins it points to.
        remove: () => fs.rmSync(home, { recursive: true, force: true }),
    };
}

/** Whether the process that made a run home (`<pid>-<random>`) is gone; a home of a live process is left alone. */
function ownerIsGone(entry: string): boolean {
    const pid = Number(/^(\d+)-/.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) {
        return false;
    }
    try {
        process.kill(pid, 0);
        return false;
    } catch (error) {
        // EPERM: the pid is alive but someone else's (reused); only ESRCH says it is gone.
        return (error as NodeJS.ErrnoException).code === "ESRCH";
    }
}

/**
 * Removes run homes that outlived their process: one killed with SIGKILL (pulumi-command stops a
 * cancelled command that way, through Go's exec.CommandContext) cannot clean up after itself, so
 * the next run does, as soon as that process is gone; anything older than a few hours goes anyway.
 */
function removeStaleRunHomes(runs: string): void {
    for (const entry of fs.readdirSync(runs)) {
        const candidate = path.join(runs, entry);
        try {
            if (ownerIsGone(entry) || Date.now() - fs.statSync(candidate).mtimeMs > staleRunHomeMs) {
                fs.rmSync(candidate, { recursive: true, force: true });
            }
        } catch {
            // another run removed it first
        }
    }
}

const exitSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const signalNumbers: Record<(typeof exitSignals)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * Runs `cleanup` however this process ends: normally, by an uncaught error, or by SIGINT, SIGTERM or
 * SIGHUP (then exiting as the signal would, 128 + its number). Node's default for those signals is
 * to exit at once, without "exit" handlers, which would leave the run's login tokens behind.
 * Returns the function that unregisters it.
 */
export function removeOnExit(cleanup: () => void): () => void {
    let done = false;
    const once = () => {
        if (!done) {
            done = true;
            cleanup();
        }
    };
    const onSignal = (signal: (typeof exitSignals)[number]) => {
        once();
        process.exit(128 + signalNumbers[signal]);
    };
    process.on("exit", once);
    for (const signal of exitSignals) {
        process.on(signal, onSignal);
    }
    return () => {
        process.off("exit", once);
        for (const signal of exitSignals) {
            process.off(signal, onSignal);
        }
    };
}

/** The lock that serialises our calls against one shared CLI home (the operator's). */
export function operatorHomeLockPath(env: NodeJS.ProcessEnv): string {
    const home = env.IBMCLOUD_HOME?.trim() || env.HOME?.trim() || os.homedir();
    const digest = crypto.createHash("sha256").update(path.resolve(home)).digest("hex").slice(0, 16);
    return path.join(os.tmpdir(), `iks-mesh-ibmcloud-${digest}.lock`);
}

/**
 * Runs `work` while holding a lock directory (mkdir is atomic). A lock older than `staleAfterMs`
 * belongs to a killed process and is taken over.
 */
export async function withLock<T>(lockPath: string, staleAfterMs: number, work: () => Promise<T>): Promise<T> {
    for (;;) {
        try {
            fs.mkdirSync(lockPath);
            break;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
                throw error;
            }
            try {
                if (Date.now() - fs.statSync(lockPath).mtimeMs > staleAfterMs) {
                    fs.rmSync(lockPath, { recursive: true, force: true });
                    continue;
                }
            } catch {
                continue; // released meanwhile
            }
            await delay(25 + Math.random() * 50);
        }
    }
    try {
        return await work();
    } finally {
        fs.rmSync(lockPath, { recursive: true, force: true });
    }
}
