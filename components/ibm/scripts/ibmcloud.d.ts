// Generated from ibmcloud.js (tsc --allowJs --declaration); test/ibm-parsers.spec.ts fails when it is stale. Do not edit.
export type CliSettings = {
    /**
     * IKS cluster name or ID
     */
    cluster: string;
    /**
     * IBM Cloud region for `ibmcloud login -r`
     */
    region: string;
    /**
     * from IBMCLOUD_API_KEY; undefined means an existing login
     */
    apiKey: string | undefined;
    /**
     * the CLI home this stack logs in to with its key, relative to the project
     */
    stackHome: string | undefined;
    /**
     * how often a transient CLI failure is tried in all
     */
    retryAttempts: number;
    /**
     * the first backoff; it doubles on each retry
     */
    retryBaseSeconds: number;
    /**
     * how long one CLI call may run
     */
    callTimeoutSeconds: number;
};
export type CliResult = {
    code: number;
    stdout: string;
    stderr: string;
};
/** @typedef {{ code: number, stdout: string, stderr: string }} CliResult */
/** Runs ibmcloud with this stack's settings; one instance per script run. */
export class IbmCloud {
    /**
     * @param {CliSettings} settings
     * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, log?: (message: string) => void }} [options]
     */
    constructor(settings: CliSettings, options?: {
        env?: NodeJS.ProcessEnv;
        cwd?: string;
        log?: (message: string) => void;
    });
    settings: CliSettings;
    /** The CLI home of this stack, used only when it logs in with its own key; else the operator's login. */
    home: string | undefined;
    env: NodeJS.ProcessEnv;
    logSink: (message: string) => void;
    /** @param {string} text */
    redact(text: string): string;
    /** @param {string} message */
    log(message: string): void;
    /**
     * One CLI call. Never throws for a non-zero exit: IBM does not document its exit codes, so callers
     * decide from the output (and usually from a follow-up `ls`).
     * @param {readonly string[]} args
     * @returns {Promise<CliResult>}
     */
    run(args: readonly string[]): Promise<CliResult>;
    /**
     * @param {readonly string[]} args
     * @param {CliResult} result
     * @returns {string}
     */
    describeFailure(args: readonly string[], result: CliResult): string;
    /**
     * A call whose JSON output is needed; a failure is transient, so it goes through `retry`.
     * @param {readonly string[]} args
     * @returns {Promise<unknown>}
     */
    json(args: readonly string[]): Promise<unknown>;
    /**
     * Runs `attempt` until it succeeds, retrying transient failures with exponential backoff (capped
     * at 60 s a wait) at most `retryAttempts` times in all.
     * @template T
     * @param {string} what
     * @param {() => Promise<T>} attempt
     * @returns {Promise<T>}
     */
    retry<T>(what: string, attempt: () => Promise<T>): Promise<T>;
    /** Fails with a clear message unless the container-service plugin is there (installing it into this stack's own home). */
    ensurePlugin(): Promise<void>;
    /** Logs in with the stack's API key, or checks the existing login. */
    ensureLogin(): Promise<void>;
    /**
     * The cluster as `ibmcloud ks cluster get` describes it; fails clearly when it is not visible.
     * @returns {Promise<Record<string, unknown>>}
     */
    getCluster(): Promise<Record<string, unknown>>;
    /**
     * Every prerequisite, in the order an operator would fix them: CLI, plugin, login, cluster.
     * @returns {Promise<Record<string, unknown>>} the cluster's details
     */
    ensureReady(): Promise<Record<string, unknown>>;
}
/** A failure the operator can act on. `transient` ones are worth another try. */
export class IbmCloudError extends Error {
    /**
     * @param {string} message
     * @param {{ transient?: boolean }} [options]
     */
    constructor(message: string, options?: {
        transient?: boolean;
    });
    transient: boolean;
}
/**
 * Whether `ibmcloud plugin list --output json` shows the container-service (`ks`) plugin.
 * @param {unknown} plugins
 * @returns {boolean}
 */
export function hasContainerServicePlugin(plugins: unknown): boolean;
/**
 * The end of a CLI output, where the CLI puts its error, kept short for error messages.
 * @param {string} text
 * @returns {string}
 */
export function lastLines(text: string): string;
/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} name
 * @param {number} fallback
 * @param {{ min: number, max: number }} range
 * @returns {number}
 */
export function numberSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, range: {
    min: number;
    max: number;
}): number;
/**
 * The JSON a CLI call printed. Some CLI versions print a notice before the document, so the first
 * line that opens an array or object is where the JSON starts.
 * @param {string} text
 * @returns {unknown}
 */
export function parseCliJson(text: string): unknown;
/**
 * Reads a script's result back from its stdout: the last line that is a JSON object with every one
 * of `fields` as a non-empty string. The component resources parse command output with this.
 * @template {string} K
 * @param {string | undefined} stdout
 * @param {readonly K[]} fields
 * @param {string} what the command, for the error message
 * @returns {Record<K, string>}
 */
export function parseResultLine<K extends string>(stdout: string | undefined, fields: readonly K[], what: string): Record<K, string>;
/**
 * The settings every script shares, from its environment.
 * @param {NodeJS.ProcessEnv} env
 * @returns {CliSettings}
 */
export function readCliSettings(env: NodeJS.ProcessEnv): CliSettings;
/**
 * Replaces every occurrence of a secret in a text.
 * @param {string} text
 * @param {readonly (string | undefined)[]} secrets
 * @returns {string}
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string;
/**
 * @typedef {object} CliSettings
 * @property {string} cluster IKS cluster name or ID
 * @property {string} region IBM Cloud region for `ibmcloud login -r`
 * @property {string | undefined} apiKey from IBMCLOUD_API_KEY; undefined means an existing login
 * @property {string | undefined} stackHome the CLI home this stack logs in to with its key, relative to the project
 * @property {number} retryAttempts how often a transient CLI failure is tried in all
 * @property {number} retryBaseSeconds the first backoff; it doubles on each retry
 * @property {number} callTimeoutSeconds how long one CLI call may run
 */
/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} name
 * @returns {string}
 */
export function requiredSetting(env: NodeJS.ProcessEnv, name: string): string;
/**
 * Runs a script's main function: its result line on stdout, a redacted error on stderr and exit 1.
 * @param {() => Promise<string | undefined>} main
 * @param {readonly (string | undefined)[]} secrets
 */
export function runMain(main: () => Promise<string | undefined>, secrets: readonly (string | undefined)[]): void;
/**
 * @param {number} seconds
 * @returns {Promise<void>}
 */
export function sleep(seconds: number): Promise<void>;
