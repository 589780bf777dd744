// `npm run manifests:hashes -- <istio version> [--gateway-api <vX.Y.Z>]`: downloads every manifest the
// program would fetch for that Istio release (the samples at its tag, and the Gateway API asset of its line
// or of --gateway-api for a new line) and prints each URL with its SHA-256, the values components/core/
// versions.ts pins. It needs the network (HTTPS_PROXY is honoured, transient failures are retried) and checks
// nothing itself: read what changed before you pin a new hash. The sibling of `npm run charts:keys`.
import { prometheusAddonUrl } from "../components/observability/prometheus-addon";
import { gatewayApiStandardInstallUrl, gatewayApiVersionFor, istioSampleUrl, pinnedSha256, SupportedIstioLine } from "../components/core/versions";
import { ManifestFetcher, defaultRetryOptions, downloadAgent, httpsGet, retryingFetcher, sha256Hex } from "../components/manifests/fetch";
import { bookinfoManifest, httpbinManifest } from "../components/inventory";

export interface HashOptions {
    istioVersion: string;
    gatewayApi?: string;
}

export function parseArgs(args: readonly string[]): HashOptions {
    const positional: string[] = [];
    let gatewayApi: string | undefined;
    for (let index = 0; index < args.length; index++) {
        if (args[index] === "--gateway-api") {
            gatewayApi = args[++index];
            if (!gatewayApi || !/^v\d+\.\d+\.\d+$/.test(gatewayApi)) {
                throw new Error("--gateway-api needs a release like v1.6.0");
            }
        } else if (args[index].startsWith("--")) {
            throw new Error(`unknown option ${args[index]}`);
        } else {
            positional.push(args[index]);
        }
    }
    if (positional.length !== 1 || !/^\d+\.\d+\.\d+$/.test(positional[0])) {
        throw new Error("name one Istio release, e.g. npm run manifests:hashes -- 1.31.2 (and --gateway-api vX.Y.Z for a new line)");
    }
    return { istioVersion: positional[0], ...(gatewayApi ? { gatewayApi } : {}) };
}

/** The URLs the program fetches for a release: the samples at its tag and its line's Gateway API asset. */
export function manifestUrls(options: HashOptions): string[] {
    const gatewayApi = options.gatewayApi ?? gatewayApiVersionFor(options.istioVersion);
    return [
        istioSampleUrl(options.istioVersion, bookinfoManifest.samplePath),
        istioSampleUrl(options.istioVersion, httpbinManifest.samplePath),
        prometheusAddonUrl(options.istioVersion),
        gatewayApiStandardInstallUrl(gatewayApi as SupportedIstioLine["gatewayApi"]),
    ];
}

/** One line per URL: the SHA-256, the URL, and whether it equals the committed pin. */
export async function manifestHashes(options: HashOptions, fetcher: ManifestFetcher): Promise<string[]> {
    const lines: string[] = [];
    for (const url of manifestUrls(options)) {
        const actual = sha256Hex(await fetcher(url));
        const pinned = pinnedSha256(url);
        const state = pinned === undefined ? "not pinned" : pinned === actual ? "matches the pin" : `differs from the pin ${pinned}`;
        lines.push(`${actual}  ${url}  (${state})`);
    }
    return lines;
}

if (require.main === module) {
    void (async () => {
        try {
            const options = parseArgs(process.argv.slice(2));
            const fetcher = retryingFetcher(async (url) => httpsGet(url, downloadAgent(process.env)), { ...defaultRetryOptions, log: (message) => console.error(message) });
            for (const line of await manifestHashes(options, fetcher)) {
                console.log(line);
            }
        } catch (error) {
            console.error(`manifests:hashes: ${(error as Error).message}`);
            process.exitCode = 1;
        }
    })();
}
