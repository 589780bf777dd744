// The WordPress traffic split, apart from resources so every weight can be checked alone.
import { RouteDestination, serviceHost } from "../core/routes";
import { sampleNamespaces, wordpressNames } from "../inventory";

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
 * Both WordPress subsets as weighted destinations, always two of them. Istio's validation accepts a
 * weight of 0 (it only rejects negative weights and a zero total), so 0 and 100 keep the same route
 * shape and moving traffic is only ever a change of two numbers.
 */
export function wordpressDestinations(canaryWeight: number): RouteDestination[] {
    const split = canarySplit(canaryWeight);
    const host = serviceHost(wordpressNames.service, sampleNamespaces.wordpress);
    return [
        { host, port: wordpressNames.port, subset: wordpressNames.stable.version, weight: split.stable },
        { host, port: wordpressNames.port, subset: wordpressNames.canary.version, weight: split.canary },
    ];
}
