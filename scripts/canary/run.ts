// The canary run: step the weight through the stack's own config and `up`, judge each step, then
// promote or roll back. Every effect goes through the StackDriver (the Automation API in
// scripts/canary/promote.ts) and the metrics function, so the sequence is testable against stand-ins.
import { CanaryOptions } from "./args";
import { PreviewEvent, nonWeightChanges, summaryLine } from "./changes";
import { Judgement, ReleaseAnswers, judge } from "./judgement";
import { StepRecord } from "./report";

export interface WordpressState {
    weight: number;
    stableImage: string;
    canaryImage: string;
}

export interface StackDriver {
    read(): Promise<WordpressState>;
    setWeight(weight: number): Promise<void>;
    setStableImage(image: string): Promise<void>;
    preview(): Promise<{ events: PreviewEvent[]; changeSummary: Record<string, number> }>;
    up(): Promise<void>;
}

export interface RunDeps {
    stack: StackDriver;
    /** Answers to the queries of promql.ts for both releases over the last `windowSeconds`. */
    metrics(windowSeconds: number): Promise<{ stable: ReleaseAnswers; canary: ReleaseAnswers }>;
    sleep(seconds: number): Promise<void>;
    log(line: string): void;
    /** Seconds since the run started. */
    elapsed(): number;
    /** True once the operator pressed Ctrl-C. */
    interrupted(): boolean;
}

export interface RunResult {
    exitCode: number;
    outcome: string;
    records: StepRecord[];
}

/** Thrown by the Automation API when another update holds the stack's lock (errors.js: ConcurrentUpdateError). */
export function isLockError(error: unknown): boolean {
    return error instanceof Error && (error.name === "ConcurrentUpdateError" ||
        /the stack is currently locked by|Another update is currently in progress/.test(error.message));
}

const firstLines = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n").filter(Boolean).slice(-3).join(" | ");

export async function runCanary(options: CanaryOptions, deps: RunDeps): Promise<RunResult> {
    const { stack } = deps;
    const log = (line: string) => deps.log(line);
    const records: StepRecord[] = [];
    const finish = (exitCode: number, outcome: string): RunResult => {
        log(outcome);
        return { exitCode, outcome, records };
    };
    const state = await stack.read();
    if (state.canaryImage === state.stableImage) {
        return finish(2, `refused: wordpress.canary.image and wordpress.stable.image are both ${state.stableImage}: nothing to promote`);
    }
    let lastApplied = state.weight;
    // Puts the config back to what the cluster has, so the stack file never claims an unapplied weight.
    const restore = async (why: string, exitCode: number) => {
        await stack.setWeight(lastApplied);
        return finish(exitCode, `${why}; the stack stays at the last applied weight ${lastApplied} (wordpress.canary.weight set back to ${lastApplied})`);
    };

    const checkPreview = async (): Promise<string[] | { refused: string }> => {
        try {
            const preview = await stack.preview();
            log(`preview: ${summaryLine(preview.changeSummary)}`);
            return nonWeightChanges(preview.events);
        } catch (error) {
            return { refused: isLockError(error) ? `another update holds the stack's lock: ${firstLines(error)}` : `preview failed: ${firstLines(error)}` };
        }
    };

    const before = await checkPreview();
    if ("refused" in before) {
        return finish(2, `refused: ${before.refused}`);
    }
    if (before.length > 0) {
        return finish(2, `refused: the stack has pending changes other than the canary weight; apply or revert them first ` +
            `(pulumi preview --stack ${options.stack} --diff):\n  ${before.join("\n  ")}`);
    }
    if (options.noWrite) {
        const judgement = judge(...await answers(deps, options.intervalSeconds), options.thresholds);
        records.push({ at: deps.elapsed(), weight: state.weight, judgement });
        log(describe(state.weight, judgement));
        return finish(judgement.verdict === "pass" ? 0 : judgement.verdict === "fail" ? 1 : 3, `--no-write: ${judgement.verdict} at weight ${state.weight}`);
    }

    const rollback = async (reason: string): Promise<RunResult> => {
        log(`rolling back: ${reason}`);
        await stack.setWeight(0);
        try {
            await stack.up();
        } catch (error) {
            return restore(`ROLLBACK FAILED (${firstLines(error)}) after: ${reason}`, 1);
        }
        return finish(1, `rolled back to weight 0: ${reason}`);
    };

    for (const weight of options.steps) {
        if (deps.interrupted()) {
            return restore("interrupted", 130);
        }
        log(`step: wordpress.canary.weight ${weight}`);
        await stack.setWeight(weight);
        const pending = await checkPreview();
        if ("refused" in pending) {
            return restore(`stopped: ${pending.refused}`, 2);
        }
        if (pending.length > 0) {
            return restore(`stopped: changes other than the weight appeared during the run:\n  ${pending.join("\n  ")}`, 2);
        }
        try {
            await stack.up();
        } catch (error) {
            return restore(deps.interrupted() ? `interrupted during the up to weight ${weight} (it may have applied part: run pulumi preview)`
                : `the up to weight ${weight} failed (${firstLines(error)}); run pulumi preview to see what it applied`, deps.interrupted() ? 130 : 1);
        }
        lastApplied = weight;
        const started = deps.elapsed();
        for (;;) {
            await deps.sleep(options.intervalSeconds);
            if (deps.interrupted()) {
                return finish(130, `interrupted; the stack stays at the last applied weight ${weight}`);
            }
            let judgement: Judgement;
            try {
                judgement = judge(...await answers(deps, options.intervalSeconds), options.thresholds);
            } catch (error) {
                return rollback(`could not judge step ${weight}: ${firstLines(error)}`);
            }
            records.push({ at: deps.elapsed(), weight, judgement });
            log(describe(weight, judgement));
            if (judgement.verdict === "pass") {
                break;
            }
            if (judgement.verdict === "fail") {
                return rollback(`step ${weight} failed: ${judgement.reasons.join("; ")}`);
            }
            if (deps.elapsed() - started >= options.maxWaitSeconds) {
                return rollback(`step ${weight} stayed inconclusive for ${options.maxWaitSeconds}s: ${judgement.reasons.join("; ")}`);
            }
        }
    }

    log(`promoting: wordpress.stable.image ${state.canaryImage} (was ${state.stableImage}), wordpress.canary.weight 0`);
    await stack.setStableImage(state.canaryImage);
    await stack.setWeight(0);
    try {
        const preview = await stack.preview();
        log(`preview: ${summaryLine(preview.changeSummary)}`);
        await stack.up();
    } catch (error) {
        // The image is set back too: the stack file must not claim a promotion that did not happen.
        await stack.setStableImage(state.stableImage);
        return restore(`the promotion up failed (${firstLines(error)}); run pulumi preview to see what it applied`, 1);
    }
    return finish(0, `promoted: stable now runs ${state.canaryImage}, weight 0`);
}

async function answers(deps: RunDeps, windowSeconds: number): Promise<[ReleaseAnswers, ReleaseAnswers]> {
    const { stable, canary } = await deps.metrics(windowSeconds);
    return [stable, canary];
}

function describe(weight: number, judgement: Judgement): string {
    return `  weight ${weight}: ${judgement.verdict.toUpperCase()}: ${judgement.reasons.join("; ")}`;
}
