// The Kubernetes Gateway API CRDs that ambient mode needs: waypoints are Gateways of class istio-waypoint.
// Istio's charts do not ship them. They come from the Gateway API release pinned here, fetched and rendered
// before any resource like Istio's sample manifests (components/manifests/sample-manifests.ts).
import * as pulumi from "@pulumi/pulumi";
import { ManifestFetcher } from "./fetch";

/**
 * Standard channel, v1.5.1. Istio 1.30 reads Gateway API v1.5 (go.mod at tag 1.30.3: sigs.k8s.io/gateway-api
 * v1.5.1; istio.io "Istio 1.30 Upgrade Notes": "Gateway API CRDs must be upgraded to v1.5.x" and the
 * install command names ?ref=v1.5.1). Istio 1.31 reads the same v1.5 API.
 */
export const gatewayApiVersion = "v1.5.1";

/** The release asset `kubectl apply -f` takes (kubernetes-sigs/gateway-api releases, standard channel). */
export function gatewayApiStandardInstallUrl(version: string = gatewayApiVersion): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

/** Fetches the CRDs; a failure stops the run before any resource, with what to do about it. */
export async function fetchGatewayApiCrds(fetcher: ManifestFetcher): Promise<{ url: string; text: string }> {
    const url = gatewayApiStandardInstallUrl();
    try {
        return { url, text: await fetcher(url) };
    } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new pulumi.RunError(`Could not fetch the Gateway API CRDs ${url} (${reason}), which istio.dataplane ambient needs for ` +
            "its waypoints; nothing was created. Check that this machine reaches github.com, or set istio.dataplane to sidecar.");
    }
}
