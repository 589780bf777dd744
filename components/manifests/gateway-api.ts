// The Kubernetes Gateway API CRDs that ambient mode needs: waypoints are Gateways of class istio-waypoint.
// Istio's charts do not ship them. They come from the Gateway API release each Istio line builds against
// (components/core/versions.ts: supportedIstioLines), fetched, checked against its SHA-256 pin and rendered
// before any resource like Istio's sample manifests (components/manifests/sample-manifests.ts).
import * as pulumi from "@pulumi/pulumi";
import { gatewayApiStandardInstallUrl, gatewayApiVersionFor } from "../core/versions";
import { ManifestFetcher, ManifestIntegrityError } from "./fetch";

/** Fetches the CRDs for istio.version's line; a failure stops the run before any resource, with what to do about it. */
export async function fetchGatewayApiCrds(istioVersion: string, fetcher: ManifestFetcher): Promise<{ url: string; text: string }> {
    const url = gatewayApiStandardInstallUrl(gatewayApiVersionFor(istioVersion));
    try {
        return { url, text: await fetcher(url) };
    } catch (error) {
        if (error instanceof ManifestIntegrityError) {
            throw new pulumi.RunError(`${error.message} Nothing was created.`);
        }
        const reason = error instanceof Error ? error.message : String(error);
        throw new pulumi.RunError(`Could not fetch the Gateway API CRDs ${url} (${reason}), which istio.dataplane ambient needs for ` +
            "its waypoints; nothing was created. Check that this machine reaches github.com (through HTTPS_PROXY if it " +
            "needs one), or set istio.dataplane to sidecar.");
    }
}
