// The samples' routes through the ingress gateway. The gateway puts them in one VirtualService with the
// user's `gateway.routes`, so this list must be known (and conflicts found) before anything is created:
// it is a pure function of the config. On IKS each sample also has a host of its own
// (`<app>.<ingress subdomain>`, served through the ALB), where it gets every path.
import { StackConfig } from "../config/schema";
import { GatewayHttpRoute, PathMatch, RouteDestination, serviceHost } from "../core/routes";
import { albApps, albHosts } from "../ibm/alb-spec";
import { wordpressDestinations } from "./canary";
import {
    bookinfoGatewayMatches, bookinfoManifest, httpbinGatewayMatches, httpbinManifest, sampleNamespaces,
} from "../inventory";

/** How a sample is named in route conflict messages: the key that switches it off. */
export const sampleRouteSources = {
    wordpress: "the wordpress sample (wordpress.enabled)",
    bookinfo: "the bookinfo sample (bookinfo.enabled)",
    httpbin: "the httpbin sample (httpbin.enabled)",
} as const;

type Sample = keyof typeof sampleRouteSources;

/** Each enabled sample's gateway destinations and the paths it answers on the shared hosts. */
function sampleEntries(config: StackConfig): { sample: Sample; destinations: RouteDestination[]; matches: readonly PathMatch[] }[] {
    return [
        ...(config.wordpress.enabled ? [{
            sample: "wordpress" as const,
            destinations: wordpressDestinations(config.wordpress.canaryWeight),
            // The most general route: every more specific one is tried first.
            matches: [{ kind: "prefix", path: "/" }] as PathMatch[],
        }] : []),
        ...(config.bookinfo.enabled ? [{
            sample: "bookinfo" as const,
            destinations: [{ host: serviceHost(bookinfoManifest.entryService, sampleNamespaces.bookinfo), port: bookinfoManifest.port }],
            matches: bookinfoGatewayMatches,
        }] : []),
        ...(config.httpbin.enabled ? [{
            sample: "httpbin" as const,
            destinations: [{ host: serviceHost(httpbinManifest.service, sampleNamespaces.httpbin), port: httpbinManifest.port }],
            matches: httpbinGatewayMatches,
        }] : []),
    ];
}

/**
 * Routes of the enabled samples on the shared gateway hosts, one per sample: bookinfo's pages and API
 * to productpage, httpbin's `/status/` and `/headers`, and WordPress at `/` split between v1 and v2 —
 * unless `wordpress.hosts` is set, in which case WordPress has its own VirtualService for those hosts
 * and claims nothing on the shared ones.
 */
export function sampleGatewayRoutes(config: StackConfig): GatewayHttpRoute[] {
    return sampleEntries(config)
        .filter((entry) => !(entry.sample === "wordpress" && config.wordpress.hosts.length > 0))
        .map((entry) => ({
            name: entry.sample,
            matches: [...entry.matches],
            destinations: entry.destinations,
            source: sampleRouteSources[entry.sample],
        }));
}

/**
 * On IKS with the ALB, `<app>.<ingress subdomain>` belongs to one sample: every path on it goes to that
 * sample (so `bookinfo.<subdomain>/` is bookinfo, not WordPress). These routes carry the host as
 * `authority` and come before the path routes of the shared hosts.
 */
export function sampleHostRoutes(config: StackConfig, ingressSubdomain: string): GatewayHttpRoute[] {
    const apps = albApps(config);
    return sampleEntries(config).filter((entry) => apps.includes(entry.sample)).map((entry) => ({
        name: `${entry.sample}-own-host`,
        authority: albHosts([entry.sample], ingressSubdomain)[0],
        matches: [{ kind: "prefix", path: "/" }],
        destinations: entry.destinations,
        source: sampleRouteSources[entry.sample],
    }));
}
