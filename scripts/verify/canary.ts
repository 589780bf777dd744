// The WordPress canary split as observed through the gateway: N requests, each answer classified as
// stable (v1) or prerelease (v2) by the release header the gateway's route sets per destination
// (components/samples/canary.ts, the same table `npm run canary` queries Prometheus with), and the v2
// share tested against the configured weight with a binomial interval (see binomial.ts).
import { Release, releaseHeader, releaseOfAnswer, releases } from "../../components/samples/canary";
import { shareConsistent } from "./binomial";
import { HttpsResult } from "./gateway";
import { CheckResult, fail, pass, skip } from "./report";

export const canaryCheckId = "canary-split";

export interface CanaryTally {
    stable: number;
    canary: number;
    /** Answers without the release header, or naming neither release (a route the stack did not write). */
    unclassified: number;
    /** Requests that got no HTTP answer, or a 5xx. */
    failed: number;
    /** A few examples of what went wrong, for the report. */
    examples: string[];
}

export function tallyCanary(results: readonly HttpsResult[]): CanaryTally {
    const tally: CanaryTally = { stable: 0, canary: 0, unclassified: 0, failed: 0, examples: [] };
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
        // Node lower-cases incoming header names (http.IncomingMessage.headers).
        const release: Release | undefined = releaseOfAnswer(result.headers[releaseHeader]);
        if (release) {
            tally[release] += 1;
        } else {
            tally.unclassified += 1;
            note(`HTTP ${result.status} ${releaseHeader} ${JSON.stringify(result.headers[releaseHeader] ?? null)}`);
        }
    }
    return tally;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const names = `${releases.stable.workload} (stable) nor ${releases.canary.workload} (canary)`;

/**
 * PASS when every request got a classified answer and the canary's share is consistent with
 * `weightPercent` at `confidence`; every request counts, so errors and unknown answers fail the check.
 */
export function decideCanary(tally: CanaryTally, weightPercent: number, confidence: number): CheckResult {
    const classified = tally.stable + tally.canary;
    const total = classified + tally.unclassified + tally.failed;
    if (tally.failed > 0 || tally.unclassified > 0) {
        return fail(canaryCheckId, `${tally.failed} of ${total} requests failed and ${tally.unclassified} answered without ` +
            `${releaseHeader} naming ${names}: ${tally.examples.join("; ")}`);
    }
    if (classified === 0) {
        return fail(canaryCheckId, "no request was made");
    }
    const verdict = shareConsistent(tally.canary, classified, weightPercent / 100, confidence);
    const summary = `${tally.canary} of ${classified} answers from ${releases.canary.workload} = ${percent(verdict.observed)}; ` +
        `configured ${weightPercent}%; ${Math.round(confidence * 100)}% Wilson interval ` +
        `[${percent(verdict.interval.lower)}, ${percent(verdict.interval.upper)}]; ` +
        `${verdict.acceptedCounts.lowest}-${verdict.acceptedCounts.highest} canary answers would pass`;
    return verdict.consistent ? pass(canaryCheckId, summary) : fail(canaryCheckId, `${summary}: the split does not match the weight`);
}

export function skipCanary(reason: string): CheckResult {
    return skip(canaryCheckId, reason);
}
