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
// The stack's API key arrives in IKS_MESH_API_KEY (stored with the command, a secret), the operator's
// in IBMCLOUD_API_KEY (the current environment); the chosen one reaches `ibmcloud login` as
// IBMCLOUD_API_KEY, which the CLI reads itself: it is never an argument, and every text that leaves
// this process (stdout, stderr, errors) is redacted of both.
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { classifyFailure, requiredRole } from "./cli-failures.ts";
import { type RunHome, createRunHome, operatorHomeLockPath, removeOnExit, withLock } from "./cli-home.ts";

const containerServicePlugin = "container-service";
const installFix = "ibmcloud plugin install container-service";
const loginFix = "pulumi config set --path --secret iks.apiKey < ibmcloud-api-key.txt, export IBMCLOUD_API_KEY=\"$(cat ibmcloud-api-key.txt)\", or run `ibmcloud login`";

/** A failure the operator can act on. `transient` ones are worth another try. */
export class IbmCloudError extends Error {
    readonly transient: boolean;
    /** A missing IAM role: retrying or logging in again cannot help. */
    readonly permission: boolean;

    constructor(message: string, options: { transient?: boolean; permission?: boolean } = {}) {
        super(message);
        this.name = "IbmCloudError";
        this.transient = options.transient ?? false;
        this.permission = options.permission ?? false;
    }
}

export interface CliSettings {
    /** IKS cluster name or ID */
    cluster: string;
    /** IBM Cloud region for `ibmcloud login -r` */
    region: string;
    /** the key this run logs in with (see chooseApiKey); undefined means an existing login */
    apiKey: string | undefined;
    /** where apiKey came from, and whether the other place held a different key (said in the log, never the keys) */
    apiKeySource: ApiKeySource;
    /** every key this run has seen, for redaction */
    secrets: string[];
    /** the CLI home this stack logs in to with its key, relative to the project */
    stackHome: string | undefined;
    /** targeted at login (`-g`) when access to the cluster comes through a resource group */
    resourceGroup: string | undefined;
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

export interface ApiKeySource {
    from: "stack" | "environment" | "none";
    /** both places held a key, and they differ */
    differs: boolean;
}

/** Environment variable of the key stored with each command (iks.apiKey at the last `pulumi up`). */
export const storedApiKeyVariable = "IKS_MESH_API_KEY";

const nonEmpty = (value: string | undefined): string | undefined => (value !== undefined && value.trim() !== "" ? value : undefined);

/**
 * Which API key a run logs in with. A command's delete runs with the environment stored at the last
 * `pulumi up` (pulumi-command appends the stored environment to its own, provider/pkg/provider/local
 * commandOutputs.go), so a key rotated or revoked since then would break `pulumi destroy` until an
 * `up` ran. So a delete prefers the key of the current environment (IBMCLOUD_API_KEY, not stored
 * under that name) and an up prefers the stack's configured key, as the program just set it.
 */
export function chooseApiKey(env: NodeJS.ProcessEnv, deleting: boolean): { apiKey: string | undefined; source: ApiKeySource; secrets: string[] } {
    const stored = nonEmpty(env[storedApiKeyVariable]);
    const current = nonEmpty(env.IBMCLOUD_API_KEY);
    const secrets = [stored, current].filter((key): key is string => key !== undefined);
    const differs = stored !== undefined && current !== undefined && stored !== current;
    if (deleting ? current : !stored && current) {
        return { apiKey: current, source: { from: "environment", differs }, secrets };
    }
    if (stored) {
        return { apiKey: stored, source: { from: "stack", differs }, secrets };
    }
    return { apiKey: undefined, source: { from: "none", differs: false }, secrets };
}

/** The settings every script shares, from its environment; `deleting` when the action is a delete. */
export function readCliSettings(env: NodeJS.ProcessEnv, options: { deleting?: boolean } = {}): CliSettings {
    const { apiKey, source, secrets } = chooseApiKey(env, options.deleting ?? false);
    const stackHome = env.IKS_MESH_IBMCLOUD_HOME && env.IKS_MESH_IBMCLOUD_HOME.trim() !== "" ? env.IKS_MESH_IBMCLOUD_HOME.trim() : undefined;
    return {
        cluster: requiredSetting(env, "IKS_CLUSTER"),
        region: requiredSetting(env, "IKS_REGION"),
        apiKey,
        apiKeySource: source,
        secrets,
        stackHome,
        resourceGroup: env.IKS_RESOURCE_GROUP?.trim() || undefined,
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

/**
 * The items of the JSON list an `ls --output json` printed (none when it printed nothing), each read by
 * `readItem`. Anything but a list is a fault of the CLI's answer, worth another try.
 */
export function readListed<T>(listed: unknown, command: string, readItem: (item: unknown) => T[]): T[] {
    if (listed === null || listed === undefined) {
        return [];
    }
    if (!Array.isArray(listed)) {
        throw new IbmCloudError(`${command} did not print a list (got ${JSON.stringify(listed).slice(0, 120)})`, { transient: true });
    }
    return listed.flatMap(readItem);
}

/** The wait before try `attempt + 1`: exponential from `retryBaseSeconds`, capped at 60 s. */
export function backoffSeconds(attempt: number, retryBaseSeconds: number): number {
    return Math.min(60, retryBaseSeconds * 2 ** (attempt - 1));
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

/** Runs ibmcloud with this stack's settings; one instance per script run, closed at its end. */
export class IbmCloud {
    readonly settings: CliSettings;
    /** The stack's CLI home (shared plugins), used only when it logs in with its own key; else the operator's login. */
    readonly sharedHome: string | undefined;
    readonly env: NodeJS.ProcessEnv;
    private runHome: RunHome | undefined;
    private stopRemovingOnExit: (() => void) | undefined;
    /** CLI processes still running, stopped when this process is stopped. */
    private readonly children = new Set<ChildProcess>();
    private readonly logSink: (message: string) => void;

    constructor(settings: CliSettings, options: IbmCloudOptions = {}) {
        this.settings = settings;
        const cwd = options.cwd ?? process.cwd();
        this.env = { ...(options.env ?? process.env), IBMCLOUD_COLOR: "false", IBMCLOUD_VERSION_CHECK: "false" };
        // The CLI reads the key from IBMCLOUD_API_KEY; the stored copy under our own name is not its business.
        delete this.env[storedApiKeyVariable];
        delete this.env.IBMCLOUD_API_KEY;
        if (settings.apiKey) {
            this.env.IBMCLOUD_API_KEY = settings.apiKey;
        }
        // IBMCLOUD_TRACE=true (or a file) makes the CLI print every HTTP request and response, bearer
        // tokens included, into the output we parse and log (IBM: "ibmcloud config --trace").
        delete this.env.IBMCLOUD_TRACE;
        this.sharedHome = settings.apiKey && settings.stackHome ? path.resolve(cwd, settings.stackHome) : undefined;
        this.logSink = options.log ?? ((message) => process.stderr.write(`${message}\n`));
    }

    /** This run's own CLI home (with a key), created on first use; removed on every exit path (see removeOnExit). */
    get home(): string | undefined {
        if (this.sharedHome && !this.runHome) {
            this.runHome = createRunHome(this.sharedHome);
            this.env.IBMCLOUD_HOME = this.runHome.home;
            this.stopRemovingOnExit = removeOnExit(() => {
                for (const child of this.children) {
                    child.kill("SIGTERM");
                }
                this.runHome?.remove();
            });
        }
        return this.runHome?.home;
    }

    /** Removes this run's CLI home and the login tokens in it. */
    close(): void {
        this.runHome?.remove();
        this.runHome = undefined;
        this.stopRemovingOnExit?.();
        this.stopRemovingOnExit = undefined;
        delete this.env.IBMCLOUD_HOME;
    }

    redact(text: string): string {
        return redact(text, this.settings.secrets);
    }

    log(message: string): void {
        this.logSink(this.redact(`[iks-mesh] ${message}`));
    }

    /**
     * One CLI call. Never throws for a non-zero exit: IBM does not document its exit codes, so callers
     * decide from the output (and usually from a follow-up `ls`). Without a home of its own, the call
     * waits for the lock on the operator's home first.
     */
    run(args: readonly string[]): Promise<CliResult> {
        if (this.home) {
            return this.spawn(args);
        }
        return withLock(operatorHomeLockPath(this.env), (this.settings.callTimeoutSeconds + 60) * 1000, () => this.spawn(args));
    }

    private spawn(args: readonly string[]): Promise<CliResult> {
        return new Promise((resolve, reject) => {
            // No stdin: a CLI prompt (account choice, expired login) fails instead of hanging the deployment.
            const child = spawn("ibmcloud", [...args], { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
            this.children.add(child);
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => { stdout += chunk; });
            child.stderr.on("data", (chunk) => { stderr += chunk; });
            const timer = setTimeout(() => child.kill("SIGTERM"), this.settings.callTimeoutSeconds * 1000);
            child.on("error", (error: NodeJS.ErrnoException) => {
                clearTimeout(timer);
                this.children.delete(child);
                if (error.code === "ENOENT") {
                    reject(new IbmCloudError("The ibmcloud CLI was not found on PATH. Install it " +
                        "(https://cloud.ibm.com/docs/cli?topic=cli-getting-started), then `" + installFix + "`, and run pulumi again"));
                } else {
                    reject(new IbmCloudError(`could not run ibmcloud: ${this.redact(error.message)}`, { transient: true }));
                }
            });
            child.on("close", (code, signal) => {
                clearTimeout(timer);
                this.children.delete(child);
                if (signal) {
                    stderr += `\n(ibmcloud ${args.slice(0, 3).join(" ")} stopped by ${signal} after ${this.settings.callTimeoutSeconds}s)`;
                }
                resolve({ code: code ?? 1, stdout, stderr });
            });
        });
    }

    /**
     * A call that logs in again, once, when the CLI says the login is gone (expired, or overwritten
     * by another process) and the stack has a key to log in with.
     */
    async call(args: readonly string[]): Promise<CliResult> {
        const result = await this.run(args);
        if (result.code !== 0 && this.settings.apiKey && classifyFailure(`${result.stdout}\n${result.stderr}`) === "login") {
            this.log(`ibmcloud ${args.slice(0, 4).join(" ")}: the login is gone; logging in again`);
            await this.login();
            return this.run(args);
        }
        return result;
    }

    describeFailure(args: readonly string[], result: CliResult): string {
        return this.redact(`ibmcloud ${args.join(" ")} failed (exit ${result.code}): ${lastLines(`${result.stdout}\n${result.stderr}`)}`);
    }

    /** The error for a failed call: only transient faults are worth a retry; a missing role says which. */
    failure(args: readonly string[], result: CliResult): IbmCloudError {
        const described = this.describeFailure(args, result);
        switch (classifyFailure(`${result.stdout}\n${result.stderr}`)) {
            case "permission":
                return new IbmCloudError(`${described}. IBM refused the call: the identity of the API key (or of your login) lacks the ` +
                    `${requiredRole(args)}, or a context-based restriction of the account (allowed networks or endpoint types for ` +
                    "Kubernetes Service) blocks calls from this machine; IBM answers both with A0007. Fix: assign the role in IBM Cloud IAM " +
                    "(see docs/iks.md, \"IAM roles\"), or check Manage > Context-based restrictions, then run pulumi again", { permission: true });
            case "login":
                return new IbmCloudError(`${described}. Fix: ${loginFix}`);
            case "prompt":
                return new IbmCloudError(`${described}. The CLI asked for a confirmation that no one can give here (its input is closed). ` +
                    `Fix: run it by hand once: ibmcloud ${this.redact(args.join(" "))}`);
            case "transient":
                return new IbmCloudError(described, { transient: true });
            default:
                return new IbmCloudError(described);
        }
    }

    /**
     * A call whose effect the caller checks afterwards (by listing again): a missing role stops at once,
     * any other failure is only logged, and the caller's check decides.
     */
    async callCheckedLater(args: readonly string[]): Promise<void> {
        const result = await this.call(args);
        if (result.code !== 0) {
            const failure = this.failure(args, result);
            if (failure.permission) {
                throw failure;
            }
            this.log(failure.message);
        }
    }

    /** A call whose JSON output is needed; only a transient failure is worth another try through `retry`. */
    async json(args: readonly string[]): Promise<unknown> {
        const result = await this.call(args);
        if (result.code !== 0) {
            throw this.failure(args, result);
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
                const wait = backoffSeconds(tryNumber, retryBaseSeconds);
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
        if (!this.sharedHome) {
            throw new IbmCloudError(`The ibmcloud ${containerServicePlugin} plugin (the \`ibmcloud ks\` commands) is not installed. Fix: ${installFix}`);
        }
        // The stack's home starts without plugins; the plugin comes from IBM's plugin repository, once
        // for all runs (their plugin directories are links to the stack's).
        await withLock(path.join(this.sharedHome, ".plugin-install.lock"), 15 * 60 * 1000, async () => {
            if (hasContainerServicePlugin(await this.retry("listing ibmcloud plugins", () => this.json(listArgs)))) {
                return; // another run installed it meanwhile
            }
            this.log(`installing the ${containerServicePlugin} plugin into ${this.settings.stackHome}`);
            const installArgs = ["plugin", "install", containerServicePlugin, "-f"];
            const installed = await this.run(installArgs);
            const after = installed.code === 0 ? await this.retry("listing ibmcloud plugins", () => this.json(listArgs)) : [];
            if (!hasContainerServicePlugin(after)) {
                throw new IbmCloudError(`The ibmcloud ${containerServicePlugin} plugin is not installed in this stack's CLI home ` +
                    `(${this.settings.stackHome}) and installing it failed: ${this.describeFailure(installArgs, installed)}. ` +
                    `Fix: IBMCLOUD_HOME=${this.settings.stackHome} ${installFix}`);
            }
        });
    }

    /** `ibmcloud login` with the stack's key (read from IBMCLOUD_API_KEY, never an argument), region and resource group. */
    async login(): Promise<void> {
        const { region, resourceGroup } = this.settings;
        const loginArgs = ["login", "-r", region, ...(resourceGroup ? ["-g", resourceGroup] : []), "-q"];
        const where = `region ${region}${resourceGroup ? `, resource group ${resourceGroup}` : ""}`;
        await this.retry(`ibmcloud login (${where})`, async () => {
            const result = await this.run(loginArgs);
            if (result.code !== 0) {
                const transient = classifyFailure(`${result.stdout}\n${result.stderr}`) === "transient";
                throw new IbmCloudError(`${this.describeFailure(loginArgs, result)}. ` +
                    `Fix: check iks.apiKey (or IBMCLOUD_API_KEY), iks.region${resourceGroup ? " and iks.resourceGroup" : ""}`, { transient });
            }
        });
    }

    /** Logs in with the stack's API key, or checks the existing login (and its resource group). */
    async ensureLogin(): Promise<void> {
        const { apiKeySource } = this.settings;
        if (apiKeySource.differs) {
            this.log(apiKeySource.from === "environment"
                ? "IBMCLOUD_API_KEY in this environment differs from the key stored with this command at the last pulumi up; " +
                  "deleting with the one from the environment"
                : "IBMCLOUD_API_KEY in this environment differs from the stack's iks.apiKey; using iks.apiKey");
        }
        if (this.settings.apiKey) {
            await this.login();
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
        const targeted = typeof target === "object" && target !== null ? target as { user?: unknown; resource_group?: { name?: unknown } } : {};
        if (!targeted.user) {
            throw new IbmCloudError(`Not logged in to IBM Cloud (${this.describeFailure(targetArgs, result)}). Fix: ${loginFix}`);
        }
        const { resourceGroup } = this.settings;
        const targetedGroup = typeof targeted.resource_group?.name === "string" ? targeted.resource_group.name : "";
        if (resourceGroup && targetedGroup !== resourceGroup) {
            throw new IbmCloudError(`iks.resourceGroup is ${resourceGroup}, but your ibmcloud login targets ` +
                `${targetedGroup ? `resource group ${targetedGroup}` : "no resource group"}. Fix: ibmcloud target -g ${resourceGroup}`);
        }
    }

    /** The cluster as `ibmcloud ks cluster get` describes it; fails clearly when it is not visible. */
    async getCluster(): Promise<Record<string, unknown>> {
        const { cluster, region, resourceGroup } = this.settings;
        const args = ["ks", "cluster", "get", "--cluster", cluster, "--output", "json"];
        try {
            const details = await this.retry(`looking up cluster ${cluster}`, () => this.json(args));
            if (typeof details !== "object" || details === null || Array.isArray(details)) {
                throw new IbmCloudError(`ibmcloud ks cluster get printed no cluster object for ${cluster}`);
            }
            return details as Record<string, unknown>;
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            const groupHint = resourceGroup
                ? `, and that resource group ${resourceGroup} (iks.resourceGroup) holds it`
                : "; if your access to it comes through a resource group, set iks.resourceGroup (pulumi config set --path iks.resourceGroup <group>)";
            throw new IbmCloudError(`IKS cluster "${cluster}" is unknown or not accessible: ${message}. ` +
                `Fix: check iks.cluster against \`ibmcloud ks cluster ls\`, and that the account logged in (region ${region}) can see it${groupHint}`);
        }
    }

    /** Every prerequisite, in the order an operator would fix them: CLI, plugin, login, cluster. Returns the cluster's details. */
    async ensureReady(): Promise<Record<string, unknown>> {
        await this.ensurePlugin();
        await this.ensureLogin();
        return this.getCluster();
    }
}

/**
 * Reads a script's result back from its stdout: the last line that is a JSON object with every one
 * of `fields` as a non-empty string. The component resources parse command output with this.
 */
export function parseResultLine<K extends string>(stdout: string | undefined, fields: readonly K[], what: string): Record<K, string>;
export function parseResultLine<K extends string>(stdout: string | undefined, fields: readonly K[], what: string,
    options: { optional: true }): Record<K, string> | undefined;
export function parseResultLine<K extends string>(stdout: string | undefined, fields: readonly K[], what: string,
    options: { optional?: boolean } = {}): Record<K, string> | undefined {
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
    if (options.optional) {
        return undefined;
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
