// Fetching the manifests the program applies (Istio's samples, the Gateway API CRDs). The program fetches
// before it registers anything (index.ts), so every object of a manifest is a resource of its own; the fetcher
// is a parameter so the tests can serve fixtures instead of the network.
//
// We keep fetching at run time rather than vendoring the manifests: vendoring would copy upstream files
// into this repository for every supported patch and make a new Istio patch a code change, while a SHA-256
// pin per manifest (components/core/versions.ts) gives the same guarantee about what reaches the cluster.
// The cost is that preview needs the network (through HTTPS_PROXY if set) on every run, so transient
// failures (429 from shared runners, 5xx, connection resets) are retried with backoff.
import * as crypto from "crypto";
import * as https from "https";
import * as pulumi from "@pulumi/pulumi";
import { pinnedSha256 } from "../core/versions";

/** Returns a manifest's text, or rejects. */
export type ManifestFetcher = (url: string) => Promise<string>;

/** A download that is not the pinned content: never retried, never applied. */
export class ManifestIntegrityError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ManifestIntegrityError";
    }
}

/** An HTTP answer other than 200, with the Retry-After a 429/503 may carry (seconds). */
export class HttpStatusError extends Error {
    constructor(readonly status: number, statusText: string, readonly retryAfterSeconds?: number) {
        super(`HTTP ${status} ${statusText}`.trim());
        this.name = "HttpStatusError";
    }
}

/** How long one download may take before it counts as failed (and is retried). */
const fetchTimeoutMs = 60_000;
/** GitHub's release assets redirect once to their object store; more than this is a loop. */
const maxRedirects = 5;

/** The hex SHA-256 of a manifest's text as UTF-8 (the bytes the server sent, for valid UTF-8). */
export function sha256Hex(text: string): string {
    return crypto.createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Checks every download against its pin. A URL without a pin is refused before it is fetched; a mismatch
 * names the URL and both hashes. Hashing the decoded text means bytes that are not valid UTF-8 change the
 * hash and are refused too, which is the safe direction.
 */
export function pinnedFetcher(fetcher: ManifestFetcher, pinFor: (url: string) => string | undefined = pinnedSha256): ManifestFetcher {
    return async (url) => {
        const expected = pinFor(url);
        if (!expected) {
            throw new ManifestIntegrityError(`No SHA-256 pin for ${url}: the program applies only manifests pinned in ` +
                "components/core/versions.ts. For a new Istio version, print its hashes with " +
                "`npm run manifests:hashes -- <istio version>`, read what changed, and add them there.");
        }
        const text = await fetcher(url);
        const actual = sha256Hex(text);
        if (actual !== expected) {
            throw new ManifestIntegrityError(`The manifest ${url} does not match its pin: expected SHA-256 ${expected}, ` +
                `got ${actual}. The content at that URL changed (a moved tag, or something between this machine and ` +
                "the server rewrote it); it was not applied. Compare it with the release before you update the pin " +
                "in components/core/versions.ts.");
        }
        return text;
    };
}

/** How many times and how long a download is retried. */
export interface RetryOptions {
    /** Attempts in all, the first one included. */
    attempts: number;
    /** The first wait; each next one doubles, up to maxDelayMs. A Retry-After from the server wins if longer. */
    baseDelayMs: number;
    maxDelayMs: number;
    sleep: (ms: number) => Promise<void>;
    log: (message: string) => void;
}

/** Node's network errors that a second try can fix (a reset, a timeout, a DNS hiccup, a proxy's refusal). */
const transientCodes = new Set(["ECONNRESET", "ETIMEDOUT", "ECONNREFUSED", "EPIPE", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH",
    "ERR_PROXY_TUNNEL", "UND_ERR_SOCKET", "ETIMEOUT"]);

/** 429 and 5xx are worth a retry (RFC 9110 15.6: server errors; RFC 6585 4: too many requests); 4xx are not. */
export function isTransient(error: unknown): boolean {
    if (error instanceof ManifestIntegrityError) {
        return false;
    }
    if (error instanceof HttpStatusError) {
        return error.status === 429 || error.status >= 500;
    }
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === "string" && transientCodes.has(code);
}

export const defaultRetryOptions: RetryOptions = {
    attempts: 4,
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: (message) => pulumi.log.info(message),
};

/** Retries transient failures with exponential backoff; the last error says how many attempts were made. */
export function retryingFetcher(fetcher: ManifestFetcher, options: RetryOptions = defaultRetryOptions): ManifestFetcher {
    return async (url) => {
        for (let attempt = 1; ; attempt++) {
            try {
                return await fetcher(url);
            } catch (error) {
                if (!isTransient(error) || attempt >= options.attempts) {
                    if (attempt > 1 && error instanceof Error) {
                        error.message = `${error.message} (after ${attempt} attempts)`;
                    }
                    throw error;
                }
                const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
                const retryAfter = error instanceof HttpStatusError && error.retryAfterSeconds !== undefined
                    ? Math.min(options.maxDelayMs, error.retryAfterSeconds * 1000) : 0;
                const delay = Math.max(backoff, retryAfter);
                options.log(`Fetching ${url} failed (${(error as Error).message}); attempt ${attempt + 1} of ${options.attempts} in ${delay} ms`);
                await options.sleep(delay);
            }
        }
    };
}

/** The proxy variables Node's agent reads (Built-in Proxy Support: HTTPS_PROXY, NO_PROXY, either case). */
const proxyKeys = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"] as const;

/** Node ≥ 24.5 reads `proxyEnv` on an https.Agent (@types/node http.d.ts: "@since v24.5.0"). */
export function agentReadsProxyEnv(nodeVersion: string): boolean {
    const [major, minor] = nodeVersion.replace(/^v/, "").split(".").map(Number);
    return major > 24 || (major === 24 && minor >= 5);
}

/**
 * The agent for downloads: Node's fetch ignores HTTPS_PROXY unless NODE_USE_ENV_PROXY=1 (Node 24), while Helm
 * honours it, so a proxied CI got its charts and failed on the manifests. An https.Agent with `proxyEnv`
 * tunnels through the proxy the environment names (CONNECT), honours NO_PROXY, and changes nothing global.
 */
export function downloadAgent(env: NodeJS.ProcessEnv, nodeVersion: string = process.version): https.Agent | undefined {
    const proxyEnv = Object.fromEntries(proxyKeys.filter((key) => env[key]).map((key) => [key, env[key]]));
    if (!proxyEnv.HTTPS_PROXY && !proxyEnv.https_proxy) {
        return undefined;
    }
    if (!agentReadsProxyEnv(nodeVersion)) {
        throw new Error(`HTTPS_PROXY is set, but Node ${nodeVersion} cannot send the manifest downloads through it ` +
            "(https.Agent proxyEnv needs Node 24.5 or newer); run with Node 24 (.nvmrc)");
    }
    return new https.Agent({ proxyEnv });
}

/** One HTTPS GET, following up to five https:// redirects, over the agent from downloadAgent. */
export function httpsGet(url: string, agent: https.Agent | undefined, timeoutMs: number = fetchTimeoutMs, redirectsLeft: number = maxRedirects): Promise<string> {
    if (!url.startsWith("https://")) {
        return Promise.reject(new Error(`only https:// manifest URLs are fetched (got ${url})`));
    }
    return new Promise((resolve, reject) => {
        const request = https.get(url, { ...(agent ? { agent } : {}), timeout: timeoutMs }, (response) => {
            const status = response.statusCode ?? 0;
            const location = response.headers.location;
            if (status >= 300 && status < 400 && location) {
                response.resume();
                if (redirectsLeft <= 0) {
                    reject(new Error(`too many redirects from ${url}`));
                    return;
                }
                resolve(httpsGet(new URL(location, url).toString(), agent, timeoutMs, redirectsLeft - 1));
                return;
            }
            if (status !== 200) {
                response.resume();
                const retryAfter = Number(response.headers["retry-after"]);
                reject(new HttpStatusError(status, response.statusMessage ?? "", Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined));
                return;
            }
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
            response.on("error", reject);
        });
        request.on("timeout", () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: "ETIMEDOUT" })));
        request.on("error", reject);
    });
}

/** The program's downloads: over HTTPS (through HTTPS_PROXY when set), retried when transient, checked against the pins. */
export function manifestFetcher(env: NodeJS.ProcessEnv = process.env, retry: RetryOptions = defaultRetryOptions): ManifestFetcher {
    return pinnedFetcher(retryingFetcher(async (url) => httpsGet(url, downloadAgent(env)), retry));
}

/** The default fetcher index.ts uses: reads the proxy variables when it runs, not when this module loads. */
export const fetchManifestOverHttps: ManifestFetcher = (url) => manifestFetcher()(url);

/** A manifest the program applies, with the URL it came from. */
export interface FetchedManifest {
    url: string;
    text: string;
}

/**
 * Fetches `url`, or stops the run before any resource exists (a RunError prints without a stack trace): a
 * hash mismatch with its own message, any other failure with `whatToDo(reason)`.
 */
export async function fetchOrStop(url: string, fetcher: ManifestFetcher, whatToDo: (reason: string) => string): Promise<FetchedManifest> {
    try {
        return { url, text: await fetcher(url) };
    } catch (error) {
        if (error instanceof ManifestIntegrityError) {
            throw new pulumi.RunError(`${error.message} Nothing was created.`);
        }
        throw new pulumi.RunError(whatToDo(error instanceof Error ? error.message : String(error)));
    }
}

/** Fetches one of Istio's manifests for `istioVersion`; a failure names the URL, the version and what to check. */
export function fetchIstioManifest(url: string, istioVersion: string, fetcher: ManifestFetcher): Promise<FetchedManifest> {
    return fetchOrStop(url, fetcher, (reason) => `Could not fetch Istio's manifest ${url} for istio.version ${istioVersion} (${reason}); ` +
        `nothing was created. Check that this machine reaches raw.githubusercontent.com (through HTTPS_PROXY if it ` +
        `needs one) and that Istio ${istioVersion} is a released tag of github.com/istio/istio, or switch the sample ` +
        "off (bookinfo.enabled, httpbin.enabled, kiali.enabled).");
}
