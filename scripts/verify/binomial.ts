// Is an observed traffic share consistent with the configured one? With N requests routed
// independently with probability p to the canary, the number K of canary answers is Binomial(N, p).
// The check uses the Wilson score interval: the configured p passes when it lies inside the Wilson
// interval of the observed share K/N. That is the same as the observed share lying inside the score
// test's acceptance band around p, p ± z·sqrt(p(1-p)/N) (the Wilson interval is that band inverted),
// so "observed share within the interval around the configured weight" and "configured weight within
// the interval of the observed share" never disagree; both functions are here and tested to agree.
//
// Wilson rather than the textbook Wald interval p̂ ± z·sqrt(p̂(1-p̂)/N): Wald collapses to a point when
// K is 0 or N, which would fail a 0 % or 100 % canary on any sample, and undercovers for small N.

/** Two-sided interval on a proportion, both ends within [0, 1]. */
export interface Interval {
    lower: number;
    upper: number;
}

/**
 * The standard normal quantile Φ⁻¹(p), by Acklam's rational approximation (relative error below
 * 1.2e-9 over the whole range, far finer than any sample of requests can resolve).
 */
export function normalQuantile(p: number): number {
    if (!(p > 0 && p < 1)) {
        throw new RangeError(`normalQuantile needs 0 < p < 1 (got ${p})`);
    }
    const a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    const b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    const c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    const d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
    const lowTail = 0.02425;
    if (p < lowTail) {
        const q = Math.sqrt(-2 * Math.log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - lowTail) {
        return -normalQuantile(1 - p);
    }
    const q = p - 0.5;
    const r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** z of a two-sided interval at the given confidence, e.g. 2.5758 for 0.99. */
export function twoSidedZ(confidence: number): number {
    if (!(confidence > 0 && confidence < 1)) {
        throw new RangeError(`confidence must lie strictly between 0 and 1 (got ${confidence})`);
    }
    return normalQuantile(1 - (1 - confidence) / 2);
}

function checkCounts(successes: number, trials: number): void {
    if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(successes) || successes < 0 || successes > trials) {
        throw new RangeError(`need integers 0 <= successes <= trials, trials >= 1 (got ${successes} of ${trials})`);
    }
}

/** Wilson score interval for `successes` out of `trials` (Wilson 1927; Newcombe 1998, method 3). */
export function wilsonInterval(successes: number, trials: number, confidence: number): Interval {
    checkCounts(successes, trials);
    const z = twoSidedZ(confidence);
    const share = successes / trials;
    const z2n = (z * z) / trials;
    const centre = (share + z2n / 2) / (1 + z2n);
    const halfWidth = (z / (1 + z2n)) * Math.sqrt(share * (1 - share) / trials + z2n / (4 * trials));
    return {
        // At 0 and N the closed form gives the exact bound up to rounding; pin it.
        lower: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
        upper: successes === trials ? 1 : Math.min(1, centre + halfWidth),
    };
}

/** Where the observed share K/N falls with the given confidence when the true share is `share`. */
export function scoreAcceptanceBand(share: number, trials: number, confidence: number): Interval {
    if (!(share >= 0 && share <= 1)) {
        throw new RangeError(`share must lie in [0, 1] (got ${share})`);
    }
    checkCounts(0, trials);
    const halfWidth = twoSidedZ(confidence) * Math.sqrt(share * (1 - share) / trials);
    return { lower: Math.max(0, share - halfWidth), upper: Math.min(1, share + halfWidth) };
}

export interface ShareVerdict {
    consistent: boolean;
    observed: number;
    /** Wilson interval of the observed share. */
    interval: Interval;
    /** Canary counts that would have passed, for the report. */
    acceptedCounts: { lowest: number; highest: number };
}

/** Whether `successes` of `trials` is consistent with the expected share at the given confidence. */
export function shareConsistent(successes: number, trials: number, expectedShare: number, confidence: number): ShareVerdict {
    const interval = wilsonInterval(successes, trials, confidence);
    const band = scoreAcceptanceBand(expectedShare, trials, confidence);
    // A tiny tolerance so an expected share exactly on a bound is not lost to floating-point rounding.
    const epsilon = 1e-12;
    return {
        consistent: expectedShare >= interval.lower - epsilon && expectedShare <= interval.upper + epsilon,
        observed: successes / trials,
        interval,
        acceptedCounts: { lowest: Math.ceil(band.lower * trials - epsilon), highest: Math.floor(band.upper * trials + epsilon) },
    };
}
