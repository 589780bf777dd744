// The verdict on one canary step, from Prometheus's answers to the queries of promql.ts. Pure: the
// command feeds it recorded or live answers alike, and it returns the numbers it used with the decision.
import { Release } from "./promql";

export interface Thresholds {
    /** Lowest acceptable success rate of the canary, 0-1. */
    minSuccess: number;
    /** How far (0-1, absolute) the canary's success rate may fall below stable's. */
    maxSuccessDrop: number;
    /** Highest acceptable canary p99 latency, ms. */
    maxP99Ms: number;
    /** Highest acceptable canary p99 as a multiple of stable's p99. */
    maxLatencyRatio: number;
    /** Requests a release needs in the window before its numbers count. */
    minRequests: number;
}

/** One instant-query answer as Prometheus's HTTP API returns it (GET /api/v1/query). */
export interface PromResponse {
    status: "success" | "error";
    data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    errorType?: string;
    error?: string;
}

export interface ReleaseAnswers {
    requests: PromResponse;
    errors: PromResponse;
    p99: PromResponse;
}

export interface ReleaseNumbers {
    requests: number;
    errors: number;
    /** undefined when there were no requests. */
    successRate?: number;
    /** undefined when Prometheus has no latency series (or only NaN: no requests in the window). */
    p99Ms?: number;
}

export type Verdict = "pass" | "fail" | "inconclusive";

export interface Judgement {
    verdict: Verdict;
    /** Why, in words an operator reads in a log: each names the numbers and the threshold. */
    reasons: string[];
    numbers: Record<Release, ReleaseNumbers>;
    thresholds: Thresholds;
}

/**
 * The single sample of a `sum(...)` answer. An empty vector is "no series": Prometheus returns nothing
 * for a selector that matches no series (nothing was ever counted), so for a counter it means 0.
 * Throws on an error answer or a shape no instant query returns, naming `what`.
 */
export function scalarOf(response: PromResponse, what: string): number | undefined {
    if (response.status !== "success" || !response.data) {
        throw new Error(`Prometheus refused the ${what} query: ${response.errorType ?? "error"}: ${response.error ?? "no data"}`);
    }
    if (response.data.resultType !== "vector") {
        throw new Error(`the ${what} query returned a ${response.data.resultType}, not a vector`);
    }
    const [first, ...rest] = response.data.result;
    if (rest.length > 0) {
        throw new Error(`the ${what} query returned ${response.data.result.length} series; it sums to one`);
    }
    if (!first) {
        return undefined;
    }
    // Prometheus sends sample values as strings ("NaN", "+Inf" included).
    const value = Number(first.value[1]);
    return Number.isFinite(value) ? value : undefined;
}

export function numbersOf(answers: ReleaseAnswers, release: Release): ReleaseNumbers {
    const requests = scalarOf(answers.requests, `${release} requests`) ?? 0;
    // No 5xx series at all is the normal case of a release that never failed.
    const errors = scalarOf(answers.errors, `${release} 5xx`) ?? 0;
    const p99Ms = scalarOf(answers.p99, `${release} p99`);
    return {
        requests,
        errors,
        ...(requests > 0 ? { successRate: Math.max(0, (requests - errors) / requests) } : {}),
        ...(p99Ms !== undefined ? { p99Ms } : {}),
    };
}

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

/**
 * pass, fail or inconclusive. Inconclusive (wait and ask again) when the canary has fewer than
 * minRequests requests, when its latency series is missing although it had traffic, or when stable
 * itself is below minSuccess: then the backend both share (database, volume) is the likely cause, and
 * a rollback would blame the canary for it. Stable with too little traffic (weight 100) leaves only
 * the absolute thresholds to judge by.
 */
export function judge(stableAnswers: ReleaseAnswers, canaryAnswers: ReleaseAnswers, thresholds: Thresholds): Judgement {
    const numbers = { stable: numbersOf(stableAnswers, "stable"), canary: numbersOf(canaryAnswers, "canary") };
    const { stable, canary } = numbers;
    const result = (verdict: Verdict, reasons: string[]): Judgement => ({ verdict, reasons, numbers, thresholds });
    if (canary.requests < thresholds.minRequests) {
        return result("inconclusive", [`too little traffic: the canary had ${canary.requests.toFixed(0)} requests, ` +
            `fewer than ${thresholds.minRequests}${canary.requests === 0 ? " (no series for it: no request reached it yet)" : ""}`]);
    }
    const stableCounts = stable.requests >= thresholds.minRequests;
    if (stableCounts && stable.successRate !== undefined && stable.successRate < thresholds.minSuccess) {
        return result("inconclusive", [`stable itself is failing: success ${pct(stable.successRate)} < ${pct(thresholds.minSuccess)}; ` +
            "not the canary's fault, so no verdict on it"]);
    }
    const failures: string[] = [];
    const canarySuccess = canary.successRate ?? 0;
    if (canarySuccess < thresholds.minSuccess) {
        failures.push(`canary success ${pct(canarySuccess)} < ${pct(thresholds.minSuccess)} (${canary.errors.toFixed(0)} of ${canary.requests.toFixed(0)} failed)`);
    }
    if (stableCounts && stable.successRate !== undefined && canarySuccess < stable.successRate - thresholds.maxSuccessDrop) {
        failures.push(`canary success ${pct(canarySuccess)} is more than ${pct(thresholds.maxSuccessDrop)} below stable's ${pct(stable.successRate)}`);
    }
    if (canary.p99Ms === undefined) {
        if (failures.length === 0) {
            return result("inconclusive", ["missing series: the canary had requests but Prometheus has no latency histogram for it"]);
        }
    } else {
        if (canary.p99Ms > thresholds.maxP99Ms) {
            failures.push(`canary p99 ${ms(canary.p99Ms)} > ${ms(thresholds.maxP99Ms)}`);
        }
        if (stableCounts && stable.p99Ms !== undefined && canary.p99Ms > stable.p99Ms * thresholds.maxLatencyRatio) {
            failures.push(`canary p99 ${ms(canary.p99Ms)} > stable's ${ms(stable.p99Ms)} × ${thresholds.maxLatencyRatio}`);
        }
    }
    if (failures.length > 0) {
        return result("fail", failures);
    }
    const summary = `canary success ${pct(canarySuccess)} over ${canary.requests.toFixed(0)} requests, p99 ${ms(canary.p99Ms ?? 0)}`;
    return result("pass", [stableCounts ? `${summary}; stable ${pct(stable.successRate ?? 1)}, p99 ${ms(stable.p99Ms ?? 0)}`
        : `${summary}; stable had too little traffic to compare with`]);
}
