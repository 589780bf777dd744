// One line per check, a summary, and the exit status: any FAIL makes the run fail; a SKIP (a part the
// stack has switched off, or a check that cannot apply to its config) does not.

export type CheckStatus = "PASS" | "FAIL" | "SKIP";

export interface CheckResult {
    /** Short stable name, e.g. `plaintext-refused`. */
    id: string;
    status: CheckStatus;
    /** Why: what was done and what was seen, in one sentence. */
    reason: string;
}

export const pass = (id: string, reason: string): CheckResult => ({ id, status: "PASS", reason });
export const fail = (id: string, reason: string): CheckResult => ({ id, status: "FAIL", reason });
export const skip = (id: string, reason: string): CheckResult => ({ id, status: "SKIP", reason });

export function formatReport(stack: string, results: readonly CheckResult[]): string {
    const width = Math.max(0, ...results.map((result) => result.id.length));
    const count = (status: CheckStatus) => results.filter((result) => result.status === status).length;
    const lines = results.map((result) => `${result.status}  ${result.id.padEnd(width)}  ${result.reason}`);
    const verdict = count("FAIL") > 0 ? "FAILED" : results.length === 0 ? "NOTHING CHECKED" : "OK";
    return [
        `iks-mesh verify: stack ${stack}`,
        ...lines,
        `${verdict}: ${count("PASS")} passed, ${count("FAIL")} failed, ${count("SKIP")} skipped`,
    ].join("\n");
}

/** 1 when any check failed or none ran, else 0. */
export function exitCodeFor(results: readonly CheckResult[]): number {
    return results.length === 0 || results.some((result) => result.status === "FAIL") ? 1 : 0;
}

/** A check that throws becomes a FAIL with the error, so one broken check never hides the others. */
export async function guarded(ids: readonly string[], check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
    try {
        const result = await check();
        return Array.isArray(result) ? result : [result];
    } catch (error) {
        return ids.map((id) => fail(id, `the check itself failed: ${(error as Error).message}`));
    }
}
