// The WordPress canary split as observed through the gateway: N requests, each answer classified as
// stable (v1) or prerelease (v2) by its PHP version, and the v2 share tested against the configured
// weight with a binomial interval (see binomial.ts).
import { shareConsistent } from "./binomial";
import { HttpsResult } from "./gateway";
import { CanaryVariant, VariantVersions, classifyAnswer } from "./php-version";
import { CheckResult, fail, pass, skip } from "./report";

export const canaryCheckId = "canary-split";

export interface CanaryTally {
    v1: number;
    v2: number;
    /** Answers whose X-Powered-By names neither PHP version (or no PHP: a static file, an Envoy error page). */
    unclassified: number;
    /** Requests that got no HTTP answer, or a 5xx. */
    failed: number;
    /** A few examples of what went wrong, for the report. */
    examples: string[];
}

export function tallyCanary(results: readonly HttpsResult[], versions: VariantVersions): CanaryTally {
    const tally: CanaryTally = { v1: 0, v2: 0, unclassified: 0, failed: 0, examples: [] };
    const note = (example: string) => {
        if (tally.examples.length < 3 && !tally.examples.includes(example)) {
            tally.examples.push(example);
        }
    };
    for (const result of results) {
        if (!("status" in result)) {
            tally.failed += 1;
            note(`${result.error.code}`);
            continue;
        }
        if (result.status >= 500) {
            tally.failed += 1;
            note(`HTTP ${result.status}`);
            continue;
        }
        const variant: CanaryVariant | undefined = classifyAnswer(result.headers["x-powered-by"], versions);
        if (variant) {
            tally[variant] += 1;
        } else {
            tally.unclassified += 1;
            note(`HTTP ${result.status} X-Powered-By ${JSON.stringify(result.headers["x-powered-by"] ?? null)}`);
        }
    }
    return tally;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * PASS when every request got a classified answer and the v2 share is consistent with
 * `weightPercent` at `confidence`; every request counts, so errors and unknown answers fail the check.
 */
export function decideCanary(tally: CanaryTally, weightPercent: number, confidence: number, versions: VariantVersions): CheckResult {
    const classified = tally.v1 + tally.v2;
    const total = classified + tally.unclassified + tally.failed;
    if (tally.failed > 0 || tally.unclassified > 0) {
        return fail(canaryCheckId, `${tally.failed} of ${total} requests failed and ${tally.unclassified} answered with neither ` +
            `PHP ${versions.v1} (v1) nor PHP ${versions.v2} (v2): ${tally.examples.join("; ")}`);
    }
    if (classified === 0) {
        return fail(canaryCheckId, "no request was made");
    }
    const verdict = shareConsistent(tally.v2, classified, weightPercent / 100, confidence);
    const summary = `${tally.v2} of ${classified} answers from v2 (PHP ${versions.v2}) = ${percent(verdict.observed)}; ` +
        `configured ${weightPercent}%; ${Math.round(confidence * 100)}% Wilson interval ` +
        `[${percent(verdict.interval.lower)}, ${percent(verdict.interval.upper)}]; ` +
        `${verdict.acceptedCounts.lowest}-${verdict.acceptedCounts.highest} v2 answers would pass`;
    return verdict.consistent ? pass(canaryCheckId, summary) : fail(canaryCheckId, `${summary}: the split does not match the weight`);
}

export function skipCanary(reason: string): CheckResult {
    return skip(canaryCheckId, reason);
}
