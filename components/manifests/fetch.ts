// Fetching Istio's pinned sample manifests. The program fetches before it registers anything (index.ts), so
// every object of a manifest is a resource of its own; the fetcher is a parameter so the tests can serve
// fixtures instead of the network.
import * as pulumi from "@pulumi/pulumi";

/** Returns a manifest's text, or rejects. */
export type ManifestFetcher = (url: string) => Promise<string>;

/** How long one download may take before the run stops with a clear error. */
const fetchTimeoutMs = 60_000;

/** Node's built-in fetch (Node 22+), over HTTPS only. */
export const fetchManifestOverHttps: ManifestFetcher = async (url) => {
    if (!url.startsWith("https://")) {
        throw new Error("only https:// manifest URLs are fetched");
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(fetchTimeoutMs), redirect: "follow" });
    if (!response.ok) {
        throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    return response.text();
};

/** A manifest the program applies, with the URL it came from. */
export interface FetchedManifest {
    url: string;
    text: string;
}

/**
 * Fetches one of Istio's manifests for `istioVersion`. A failure stops the run before any resource exists
 * (a RunError prints without a stack trace), naming the URL, the version and what to check.
 */
export async function fetchIstioManifest(url: string, istioVersion: string, fetcher: ManifestFetcher): Promise<FetchedManifest> {
    try {
        return { url, text: await fetcher(url) };
    } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new pulumi.RunError(`Could not fetch Istio's manifest ${url} for istio.version ${istioVersion} (${reason}); ` +
            `nothing was created. Check that this machine reaches raw.githubusercontent.com and that Istio ${istioVersion} ` +
            "is a released tag of github.com/istio/istio, or switch the sample off (bookinfo.enabled, httpbin.enabled, kiali.enabled).");
    }
}
