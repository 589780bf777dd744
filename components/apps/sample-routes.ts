// The samples' routes through the ingress gateway on the shared gateway hosts. The gateway puts them in
// one VirtualService with the user's `gateway.routes`, so this list must be known (and conflicts found)
// before anything is created: it is a pure function of the config.
import { StackConfig } from "../config";
import { GatewayHttpRoute, serviceHost } from "../edge/routes";
import { wordpressDestinations } from "./canary";
import {
    bookinfoGatewayPrefixes, bookinfoManifest, httpbinGatewayPrefixes, httpbinManifest, sampleNamespaces,
} from "./sample-names";

/** How a sample is named in route conflict messages: the key that switches it off. */
export const sampleRouteSources = {
    wordpress: "the wordpress sample (wordpress.enabled)",
    bookinfo: "the bookinfo sample (bookinfo.enabled)",
    httpbin: "the httpbin sample (httpbin.enabled)",
} as const;

function routeName(sample: string, prefix: string): string {
    const slug = prefix.replace(/^\/+|\/+$/g, "").replace(/[^a-z0-9]+/gi, "-").toLowerCase();
    return slug ? `${sample}-${slug}` : `${sample}-root`;
}

/**
 * Routes of the enabled samples: bookinfo's pages and API to productpage, httpbin's `/status` and
 * `/headers`, and WordPress at `/` split between v1 and v2 — unless `wordpress.hosts` is set, in which
 * case WordPress has its own VirtualService for those hosts and claims nothing on the shared ones.
 */
export function sampleGatewayRoutes(config: StackConfig): GatewayHttpRoute[] {
    const routes: GatewayHttpRoute[] = [];
    const prefixRoutes = (sample: keyof typeof sampleRouteSources, host: string, port: number, prefixes: readonly string[]) =>
        prefixes.map((prefix): GatewayHttpRoute => ({
            name: routeName(sample, prefix), prefix, destinations: [{ host, port }], source: sampleRouteSources[sample],
        }));
    if (config.bookinfo.enabled) {
        const host = serviceHost(bookinfoManifest.entryService, sampleNamespaces.bookinfo);
        routes.push(...prefixRoutes("bookinfo", host, bookinfoManifest.port, bookinfoGatewayPrefixes));
    }
    if (config.httpbin.enabled) {
        const host = serviceHost(httpbinManifest.service, sampleNamespaces.httpbin);
        routes.push(...prefixRoutes("httpbin", host, httpbinManifest.port, httpbinGatewayPrefixes));
    }
    if (config.wordpress.enabled && config.wordpress.hosts.length === 0) {
        routes.push({
            name: routeName("wordpress", "/"),
            prefix: "/",
            destinations: wordpressDestinations(config.wordpress.canaryWeight),
            source: sampleRouteSources.wordpress,
        });
    }
    return routes;
}
