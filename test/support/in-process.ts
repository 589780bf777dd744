// Runs a script's exported `main` inside the test process as if it had been started as a command: with
// its own environment (in the real environment variables, so that spawned stand-ins, PATH lookups and
// os.homedir() see it), its own working directory, and its stdout and stderr captured. Starting the
// script through ts-node instead costs about 2.5 s of CPU per run (TypeScript, the Pulumi SDK and the
// project's modules loaded again), which made the CI and verify specs the slowest of the suite; each
// spec still spawns the real command line a few times to prove the wiring (argv, exit status).
//
// The swap is safe because mocha runs one test at a time per process (a parallel worker is a process
// of its own), and every swapped value is put back before the promise settles.

export interface MainResult {
    /** What `main` returned: the exit status the command line would set. */
    status: number;
    stdout: string;
    stderr: string;
}

interface Saved {
    env: NodeJS.ProcessEnv;
    cwd: string;
    /** The streams' own `write` properties (undefined: the prototype's serves), put back as they were. */
    stdoutWrite: PropertyDescriptor | undefined;
    stderrWrite: PropertyDescriptor | undefined;
}

function restoreWrite(stream: NodeJS.WriteStream, own: PropertyDescriptor | undefined): void {
    if (own) {
        Object.defineProperty(stream, "write", own);
    } else {
        delete (stream as { write?: unknown }).write;
    }
}

function replaceEnvironment(next: NodeJS.ProcessEnv): void {
    // In place: process.env is backed by the real environment, which child processes and libuv read.
    for (const key of Object.keys(process.env)) {
        delete process.env[key];
    }
    for (const [key, value] of Object.entries(next)) {
        if (value !== undefined) {
            process.env[key] = value;
        }
    }
}

function enter(env: NodeJS.ProcessEnv, cwd: string, out: string[], err: string[]): Saved {
    const saved: Saved = {
        env: { ...process.env }, cwd: process.cwd(),
        stdoutWrite: Object.getOwnPropertyDescriptor(process.stdout, "write"), stderrWrite: Object.getOwnPropertyDescriptor(process.stderr, "write"),
    };
    const capture = (into: string[]) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
        callback?.();
        return true;
    }) as typeof process.stdout.write;
    replaceEnvironment(env);
    process.chdir(cwd);
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    return saved;
}

function leave(saved: Saved): void {
    restoreWrite(process.stdout, saved.stdoutWrite);
    restoreWrite(process.stderr, saved.stderrWrite);
    process.chdir(saved.cwd);
    replaceEnvironment(saved.env);
}

/** Runs a synchronous `main` (scripts/ci/stack-job.ts) with this environment and working directory. */
export function runMainSync(main: () => number, env: NodeJS.ProcessEnv, cwd: string): MainResult {
    const out: string[] = [];
    const err: string[] = [];
    const saved = enter(env, cwd, out, err);
    try {
        const status = main();
        return { status, stdout: out.join(""), stderr: err.join("") };
    } finally {
        leave(saved);
    }
}

/** Runs an asynchronous `main` (scripts/verify.ts) with this environment and working directory. */
export async function runMain(main: () => Promise<number>, env: NodeJS.ProcessEnv, cwd: string): Promise<MainResult> {
    const out: string[] = [];
    const err: string[] = [];
    const saved = enter(env, cwd, out, err);
    try {
        const status = await main();
        return { status, stdout: out.join(""), stderr: err.join("") };
    } finally {
        leave(saved);
    }
}
