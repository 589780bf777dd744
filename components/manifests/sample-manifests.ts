// The Istio manifests the stack applies, fetched at the tag of istio.version and rendered for their namespace
// and istio.hub, before any resource is registered (index.ts awaits this first).
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { prometheusAddonUrl, prometheusNamespace } from "../observability/prometheus-addon";
import { istioSampleUrl } from "../core/versions";
import { ManifestObject, renderManifest } from "./istio-manifest";
import { ManifestFetcher, fetchIstioManifest } from "./fetch";
import { fetchGatewayApiCrds } from "./gateway-api";
import { sizeManifestContainers } from "./sizing";
import { bookinfoManifest, httpbinManifest, sampleNamespaces } from "../inventory";

export interface RenderedManifest {
    /** Where the manifest came from: Istio's repository at the tag of istio.version. */
    url: string;
    objects: ManifestObject[];
}

/** One entry per manifest the config needs; a disabled sample is neither fetched nor rendered. */
export interface SampleManifests {
    bookinfo?: RenderedManifest;
    httpbin?: RenderedManifest;
    prometheus?: RenderedManifest;
    /** Ambient mode only: the Gateway API CRDs (cluster-scoped), for the waypoints. */
    gatewayApiCrds?: RenderedManifest;
}

async function load(url: string, namespace: string, config: StackConfig, fetcher: ManifestFetcher): Promise<RenderedManifest> {
    const { text } = await fetchIstioManifest(url, config.istio.version, fetcher);
    try {
        // The profile's requests for containers the manifest leaves without (components/sizing.ts).
        return { url, objects: sizeManifestContainers(renderManifest(text, { namespace, hub: config.istio.hub, source: url }), config.profile) };
    } catch (error) {
        throw new pulumi.RunError(`Istio's manifest for istio.version ${config.istio.version} cannot be applied as it is: ` +
            `${(error as Error).message}. Nothing was created.`);
    }
}

async function loadGatewayApiCrds(config: StackConfig, fetcher: ManifestFetcher): Promise<RenderedManifest> {
    const { url, text } = await fetchGatewayApiCrds(config.istio.version, fetcher);
    try {
        // Cluster-scoped objects only: the namespace is never used.
        return { url, objects: renderManifest(text, { namespace: "default", hub: config.istio.hub, source: url }) };
    } catch (error) {
        throw new pulumi.RunError(`The Gateway API CRDs cannot be applied as they are: ${(error as Error).message}. Nothing was created.`);
    }
}

export async function loadSampleManifests(config: StackConfig, fetcher: ManifestFetcher): Promise<SampleManifests> {
    const version = config.istio.version;
    const [bookinfo, httpbin, prometheus, gatewayApiCrds] = await Promise.all([
        config.bookinfo.enabled ? load(istioSampleUrl(version, bookinfoManifest.samplePath), sampleNamespaces.bookinfo, config, fetcher) : undefined,
        config.httpbin.enabled ? load(istioSampleUrl(version, httpbinManifest.samplePath), sampleNamespaces.httpbin, config, fetcher) : undefined,
        config.kiali.enabled ? load(prometheusAddonUrl(version), prometheusNamespace, config, fetcher) : undefined,
        config.istio.dataplane === "ambient" && config.istio.gatewayApiCrds === "stack" ? loadGatewayApiCrds(config, fetcher) : undefined,
    ]);
    return {
        ...(bookinfo ? { bookinfo } : {}), ...(httpbin ? { httpbin } : {}), ...(prometheus ? { prometheus } : {}),
        ...(gatewayApiCrds ? { gatewayApiCrds } : {}),
    };
}
