// The ibmcloud CLI as every IKS command resource uses it. These scripts run with bare `node` from the
// project directory, at deploy time and on destroy (with the environment stored in the state), so
// they use Node's standard library only and no absolute path of the machine that created them.
//
// They are TypeScript that Node (>= 22.18) runs as it is, by stripping the types: only erasable
// syntax (no enums, namespaces or parameter properties; checked by ./tsconfig.json), and relative
// imports name the `.ts` file, because Node loads these files as ES modules and resolves no missing
// extension. tsc accepts those imports with `allowImportingTsExtensions` (we never emit JavaScript),
// and ts-node, which loads the parsers into the Pulumi program as CommonJS, resolves them as written.
//
// The API key arrives in IBMCLOUD_API_KEY, which `ibmcloud login` reads itself: it is never an
// argument, and every text that leaves this process (stdout, stderr, errors) is redacted of it.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const containerServicePlugin = "container-service";
const installFix = "ibmcloud plugin install container-service";
const loginFix = "pulumi config set --path --secret iks.apiKey <key>, export IBMCLOUD_API_KEY=<key>, or run `ibmcloud login`";

/** A failure the operator can act on. `transient` ones are worth another try. */
export class IbmCloudError extends Error {
    readonly transient: boolean;

    constructor(message: string, options: { transient?: boolean } = {}) {
        super(message);
        this.name = "IbmCloudError";
        this.transient = options.transient ?? false;
    }
}

export interface CliSettings {
    /** IKS cluster name or ID */
    cluster: string;
    /** IBM Cloud region for `ibmcloud login -r` */
    region: string;
    /** from IBMCLOUD_API_KEY; undefined means an existing login */
    apiKey: string | undefined;
    /** the CLI home this stack logs in to with its key, relative to the project */
    stackHome: string | undefined;
    /** how often a transient CLI failure is tried in all */
    retryAttempts: number;
    /** the first backoff; it doubles on each retry */
    retryBaseSeconds: number;
    /** how long one CLI call may run */
    callTimeoutSeconds: number;
}

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

export function requiredSetting(env: NodeJS.ProcessEnv, name: string): string {
    const value = env[name];
    if (value === undefined || value.trim() === "") {
        throw new IbmCloudError(`${name} is not set; this script runs from the iks-mesh Pulumi program, which sets it`);
    }
    return value.trim();
}

export function numberSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, range: { min: number; max: number }): number {
    const text = env[name];
    if (text === undefined || text.trim() === "") {
        return fallback;
    }
    const value = Number(text);
    if (!Number.isFinite(value) || value < range.min || value > range.max) {
        throw new IbmCloudError(`${name} must be a number ${range.min}-${range.max} (got ${JSON.stringify(text)})`);
    }
    return value;
}

/** The settings every script shares, from its environment. */
export function readCliSettings(env: NodeJS.ProcessEnv): CliSettings {
    const apiKey = env.IBMCLOUD_API_KEY && env.IBMCLOUD_API_KEY.trim() !== "" ? env.IBMCLOUD_API_KEY : undefined;
    const stackHome = env.IKS_MESH_IBMCLOUD_HOME && env.IKS_MESH_IBMCLOUD_HOME.trim() !== "" ? env.IKS_MESH_IBMCLOUD_HOME.trim() : undefined;
    return {
        cluster: requiredSetting(env, "IKS_CLUSTER"),
        region: requiredSetting(env, "IKS_REGION"),
        apiKey,
        stackHome,
        retryAttempts: Math.round(numberSetting(env, "IBMCLOUD_RETRY_ATTEMPTS", 5, { min: 1, max: 20 })),
        retryBaseSeconds: numberSetting(env, "IBMCLOUD_RETRY_BASE_SECONDS", 2, { min: 0, max: 60 }),
        callTimeoutSeconds: numberSetting(env, "IBMCLOUD_CALL_TIMEOUT_SECONDS", 300, { min: 1, max: 3600 }),
    };
}

/** Replaces every occurrence of a secret in a text. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
    let result = text;
    for (const secret of secrets) {
        if (secret && secret.length > 0) {
            result = result.split(secret).join("[redacted]");
        }
    }
    return result;
}

/**
 * The JSON a CLI call printed. Some CLI versions print a notice before the document, so the first
 * line that opens an array or object is where the JSON starts.
 */
export function parseCliJson(text: string): unknown {
    const trimmed = text.trim();
    try {
        return JSON.parse(trimmed);
    } catch {
        const lines = trimmed.split(/\r?\n/);
        const start = lines.findIndex((line) => /^\s*[[{]/.test(line));
        if (start >= 0) {
            try {
                return JSON.parse(lines.slice(start).join("\n"));
            } catch {
                // reported below
            }
        }
        throw new IbmCloudError(`expected JSON from ibmcloud but got: ${lastLines(trimmed)}`, { transient: true });
    }
}

/** The end of a CLI output, where the CLI puts its error, kept short for error messages. */
export function lastLines(text: string): string {
    const lines = text.trim().split(/\r?\n/).filter((line) => line.trim() !== "");
    const tail = lines.slice(-6).join(" | ");
    return tail.length > 600 ? `...${tail.slice(-600)}` : tail || "(no output)";
}

/** Whether `ibmcloud plugin list --output json` shows the container-service (`ks`) plugin. */
export function hasContainerServicePlugin(plugins: unknown): boolean {
    if (!Array.isArray(plugins)) {
        return false;
    }
    return plugins.some((plugin: unknown) => {
        if (typeof plugin !== "object" || plugin === null) {
            return false;
        }
        const { Name, Aliases } = plugin as { Name?: unknown; Aliases?: unknown };
        return Name === containerServicePlugin || (Array.isArray(Aliases) && Aliases.includes("ks"));
    });
}

export function sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds) * 1000));
}

export interface IbmCloudOptions {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    log?: (message: string) => void;
}

/** Runs ibmcloud with this stack's settings; one instance per script run. */
export class IbmCloud {
    readonly settings: CliSettings;
    /** The CLI home of this stack, used only when it logs in with its own key; else the operator's login. */
    readonly home: string | undefined;
    readonly env: NodeJS.ProcessEnv;
    private readonly logSink: (message: string) => void;

    constructor(settings: CliSettings, options: IbmCloudOptions = {}) {
        this.settings = settings;
        const cwd = options.cwd ?? process.cwd();
        const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), IBMCLOUD_COLOR: "false", IBMCLOUD_VERSION_CHECK: "false" };
        this.home = settings.apiKey && settings.stackHome ? path.resolve(cwd, settings.stackHome) : undefined;
        if (this.home) {
            env.IBMCLOUD_HOME = this.home;
        }
        this.env = env;
        this.logSink = options.log ?? ((message) => process.stderr.write(`${message}\n`));
    }

    redact(text: string): string {
        return redact(text, [this.settings.apiKey]);
    }

    log(message: string): void {
        this.logSink(this.redact(`[iks-mesh] ${message}`));
    }

    /**
     * One CLI call. Never throws for a non-zero exit: IBM does not document its exit codes, so callers
     * decide from the output (and usually from a follow-up `ls`).
     */
    run(args: readonly string[]): Promise<CliResult> {
        return new Promise((resolve, reject) => {
            // No stdin: a CLI prompt (account choice, expired login) fails instead of hanging the deployment.
            const child = spawn("ibmcloud", [...args], { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => { stdout += chunk; });
            child.stderr.on("data", (chunk) => { stderr += chunk; });
            const timer = setTimeout(() => child.kill("SIGTERM"), this.settings.callTimeoutSeconds * 1000);
            child.on("error", (error: NodeJS.ErrnoException) => {
                clearTimeout(timer);
                if (error.code === "ENOENT") {
                    reject(new IbmCloudError("The ibmcloud CLI was not found on PATH. Install it " +
                        "(https://cloud.ibm.com/docs/cli?topic=cli-getting-started), then `" + installFix + "`, and run pulumi again"));
                } else {
                    reject(new IbmCloudError(`could not run ibmcloud: ${this.redact(error.message)}`, { transient: true }));
                }
            });
            child.on("close", (code, signal) => {
                clearTimeout(timer);
                if (signal) {
                    stderr += `\n(ibmcloud ${args.slice(0, 3).join(" ")} stopped by ${signal} after ${this.settings.callTimeoutSeconds}s)`;
                }
                resolve({ code: code ?? 1, stdout, stderr });
            });
        });
    }

    describeFailure(args: readonly string[], result: CliResult): string {
        return this.redact(`ibmcloud ${args.join(" ")} failed (exit ${result.code}): ${lastLines(`${result.stdout}\n${result.stderr}`)}`);
    }

    /** A call whose JSON output is needed; a failure is transient, so it goes through `retry`. */
    async json(args: readonly string[]): Promise<unknown> {
        const result = await this.run(args);
        if (result.code !== 0) {
            throw new IbmCloudError(this.describeFailure(args, result), { transient: true });
        }
        return parseCliJson(result.stdout);
    }

    /**
     * Runs `attempt` until it succeeds, retrying transient failures with exponential backoff (capped
     * at 60 s a wait) at most `retryAttempts` times in all.
     */
    async retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
        const { retryAttempts, retryBaseSeconds } = this.settings;
        for (let tryNumber = 1; ; tryNumber++) {
            try {
                return await attempt();
            } catch (error) {
                const failure = error instanceof IbmCloudError ? error : new IbmCloudError(String(error), { transient: true });
                if (!failure.transient || tryNumber >= retryAttempts) {
                    if (failure.transient) {
                        throw new IbmCloudError(`${what} failed ${tryNumber} time${tryNumber === 1 ? "" : "s"}; last error: ${failure.message}`);
                    }
                    throw failure;
                }
                const wait = Math.min(60, retryBaseSeconds * 2 ** (tryNumber - 1));
                this.log(`${what} failed (try ${tryNumber}/${retryAttempts}), retrying in ${wait}s: ${failure.message}`);
                await sleep(wait);
            }
        }
    }

    /** Fails with a clear message unless the container-service plugin is there (installing it into this stack's own home). */
    async ensurePlugin(): Promise<void> {
        const listArgs = ["plugin", "list", "--output", "json"];
        const plugins = await this.retry("listing ibmcloud plugins", () => this.json(listArgs));
        if (hasContainerServicePlugin(plugins)) {
            return;
        }
        if (!this.home) {
            throw new IbmCloudError(`The ibmcloud ${containerServicePlugin} plugin (the \`ibmcloud ks\` commands) is not installed. Fix: ${installFix}`);
        }
        // The stack's own CLI home starts without plugins; the plugin comes from IBM's plugin repository.
        this.log(`installing the ${containerServicePlugin} plugin into ${this.settings.stackHome}`);
        const installArgs = ["plugin", "install", containerServicePlugin, "-f"];
        const installed = await this.run(installArgs);
        const after = installed.code === 0 ? await this.retry("listing ibmcloud plugins", () => this.json(listArgs)) : [];
        if (!hasContainerServicePlugin(after)) {
            throw new IbmCloudError(`The ibmcloud ${containerServicePlugin} plugin is not installed in this stack's CLI home ` +
                `(${this.settings.stackHome}) and installing it failed: ${this.describeFailure(installArgs, installed)}. ` +
                `Fix: IBMCLOUD_HOME=${this.settings.stackHome} ${installFix}`);
        }
    }

    /** Logs in with the stack's API key, or checks the existing login. */
    async ensureLogin(): Promise<void> {
        const { region, apiKey } = this.settings;
        if (apiKey) {
            // `ibmcloud login` reads IBMCLOUD_API_KEY from the environment; the key is no argument.
            const loginArgs = ["login", "-r", region, "-q"];
            await this.retry(`ibmcloud login (region ${region})`, async () => {
                const result = await this.run(loginArgs);
                if (result.code !== 0) {
                    throw new IbmCloudError(`${this.describeFailure(loginArgs, result)}. ` +
                        "Fix: check iks.apiKey (or IBMCLOUD_API_KEY) and iks.region", { transient: true });
                }
            });
            return;
        }
        const targetArgs = ["target", "--output", "json"];
        const result = await this.run(targetArgs);
        let target: unknown;
        try {
            target = result.code === 0 ? parseCliJson(result.stdout) : undefined;
        } catch {
            target = undefined;
        }
        const user = typeof target === "object" && target !== null ? (target as { user?: unknown }).user : undefined;
        if (!user) {
            throw new IbmCloudError(`Not logged in to IBM Cloud (${this.describeFailure(targetArgs, result)}). Fix: ${loginFix}`);
        }
    }

    /** The cluster as `ibmcloud ks cluster get` describes it; fails clearly when it is not visible. */
    async getCluster(): Promise<Record<string, unknown>> {
        const { cluster, region } = this.settings;
        const args = ["ks", "cluster", "get", "--cluster", cluster, "--output", "json"];
        try {
            const details = await this.retry(`looking up cluster ${cluster}`, () => this.json(args));
            if (typeof details !== "object" || details === null || Array.isArray(details)) {
                throw new IbmCloudError(`ibmcloud ks cluster get printed no cluster object for ${cluster}`);
            }
            return details as Record<string, unknown>;
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw new IbmCloudError(`IKS cluster "${cluster}" is unknown or not accessible: ${message}. ` +
                `Fix: check iks.cluster against \`ibmcloud ks cluster ls\`, and that the account logged in (region ${region}) can see it`);
        }
    }

    /** Every prerequisite, in the order an operator would fix them: CLI, plugin, login, cluster. Returns the cluster's details. */
    async ensureReady(): Promise<Record<string, unknown>> {
        if (this.home) {
            fs.mkdirSync(this.home, { recursive: true, mode: 0o700 });
            // The home holds login tokens: keep it out of version control wherever it lives.
            const ignore = path.join(this.home, ".gitignore");
            if (!fs.existsSync(ignore)) {
                fs.writeFileSync(ignore, "*\n");
            }
        }
        await this.ensurePlugin();
        await this.ensureLogin();
        return this.getCluster();
    }
}

/**
 * Reads a script's result back from its stdout: the last line that is a JSON object with every one
 * of `fields` as a non-empty string. The component resources parse command output with this.
 */
export function parseResultLine<K extends string>(stdout: string | undefined, fields: readonly K[], what: string): Record<K, string> {
    for (const line of (stdout ?? "").trim().split(/\r?\n/).reverse()) {
        try {
            const value: unknown = JSON.parse(line);
            if (value && typeof value === "object") {
                const record = value as Record<string, unknown>;
                if (fields.every((field) => typeof record[field] === "string" && record[field] !== "")) {
                    return Object.fromEntries(fields.map((field) => [field, record[field]])) as Record<K, string>;
                }
            }
        } catch {
            // not the result line
        }
    }
    throw new Error(`${what} printed no result line with ${fields.join(", ")} (got ${JSON.stringify((stdout ?? "").slice(0, 200))})`);
}

/** Runs a script's main function: its result line on stdout, a redacted error on stderr and exit 1. */
export function runMain(main: () => Promise<string | undefined>, secrets: readonly (string | undefined)[]): void {
    main().then((line) => {
        if (line !== undefined) {
            process.stdout.write(`${line}\n`);
        }
    }, (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`${redact(`Error: ${message}`, secrets)}\n`);
        process.exitCode = 1;
    });
}
