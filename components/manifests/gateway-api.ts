// The Kubernetes Gateway API CRDs that ambient mode needs: waypoints are Gateways of class istio-waypoint.
// Istio's charts do not ship them. They come from the Gateway API release each Istio line builds against
// (components/core/versions.ts: supportedIstioLines), fetched, checked against its SHA-256 pin and rendered
// before any resource like Istio's sample manifests (components/manifests/sample-manifests.ts).
import { gatewayApiStandardInstallUrl, gatewayApiVersionFor } from "../core/versions";
import { ManifestFetcher, fetchOrStop } from "./fetch";

/** Fetches the CRDs for istio.version's line; a failure stops the run before any resource, with what to do about it. */
export function fetchGatewayApiCrds(istioVersion: string, fetcher: ManifestFetcher): Promise<{ url: string; text: string }> {
    const url = gatewayApiStandardInstallUrl(gatewayApiVersionFor(istioVersion));
    return fetchOrStop(url, fetcher, (reason) => `Could not fetch the Gateway API CRDs ${url} (${reason}), which istio.dataplane ambient needs for ` +
        "its waypoints; nothing was created. Check that this machine reaches github.com (through HTTPS_PROXY if it " +
        "needs one), or set istio.dataplane to sidecar.");
}
