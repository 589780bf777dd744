// The WordPress traffic split, apart from resources so every weight can be checked alone, and how the
// two releases are told apart afterwards: one table that the route (a response header per destination),
// `npm run verify`'s canary check (reads that header) and `npm run canary` (Prometheus's
// `destination_workload`) all read, so the three can never name the releases differently.
import { RouteDestination, serviceHost } from "../core/routes";
import { sampleNamespaces, wordpressNames } from "../inventory";

export type Release = "stable" | "canary";

/** Each release's subset (the pods' `version` label) and workload (its Deployment, Istio's `destination_workload`). */
export const releases: Readonly<Record<Release, { readonly subset: string; readonly workload: string }>> = {
    stable: { subset: wordpressNames.stable.version, workload: wordpressNames.stable.deployment },
    canary: { subset: wordpressNames.canary.version, workload: wordpressNames.canary.deployment },
};

/**
 * The response header the gateway sets on every WordPress answer, naming the release that served it by
 * its workload name (`wordpress-v1`, `wordpress-v2`). Set per route destination
 * (VirtualService `http[].route[].headers.response.set`, Istio's HTTPRouteDestination.headers), so it
 * says which destination the gateway picked, whatever the pods run: both releases may well run the same
 * PHP, which made PHP's `X-Powered-By` useless for this. `set` replaces any value the application sent,
 * so WordPress (or a plugin) cannot claim to be the other release.
 */
export const releaseHeader = "x-iks-mesh-release";

/** The header pair the gateway sets for answers from `release`. */
export function releaseResponseHeaders(release: Release): Readonly<Record<string, string>> {
    return { [releaseHeader]: releases[release].workload };
}

/**
 * Which release answered, from the header value(s) Node's http client hands over (a string, or an
 * array when repeated); undefined when absent, unknown or ambiguous (two different values).
 */
export function releaseOfAnswer(value: string | readonly string[] | undefined): Release | undefined {
    const values = value === undefined ? [] : typeof value === "string" ? [value] : value;
    const found = new Set(values.flatMap((entry) => entry.split(",")).map((entry) => entry.trim())
        .map((workload) => (Object.keys(releases) as Release[]).find((release) => releases[release].workload === workload)));
    return found.size === 1 ? [...found][0] : undefined;
}

export interface CanarySplit {
    /** Percent of requests to the stable release (subset v1). */
    stable: number;
    /** Percent of requests to the prerelease (subset v2). */
    canary: number;
}

/**
 * `100 - weight` to stable, `weight` to the prerelease. Config has already refused anything but an
 * integer 0-100; this throws too, so no caller can build a split Istio would reject.
 */
export function canarySplit(canaryWeight: number): CanarySplit {
    if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
        throw new RangeError(`wordpress.canary.weight must be an integer 0-100 (got ${canaryWeight})`);
    }
    return { stable: 100 - canaryWeight, canary: canaryWeight };
}

/**
 * Both WordPress subsets as weighted destinations, always two of them, each stamping its answers with
 * the release header. Istio's validation accepts a weight of 0 (it only rejects negative weights and a
 * zero total), so 0 and 100 keep the same route shape and moving traffic is only ever a change of two numbers.
 */
export function wordpressDestinations(canaryWeight: number): RouteDestination[] {
    const split = canarySplit(canaryWeight);
    const host = serviceHost(wordpressNames.service, sampleNamespaces.wordpress);
    return (["stable", "canary"] as const).map((release) => ({
        host, port: wordpressNames.port, subset: releases[release].subset, weight: split[release],
        responseHeaders: releaseResponseHeaders(release),
    }));
}
