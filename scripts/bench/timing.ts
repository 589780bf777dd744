// Wall-clock timing for `npm run bench` table (d). A single timed run per size said little: the first
// evaluation pays for module loading, JIT compilation and a cold heap, so times *fell* as routes grew
// (3401, 2780, 1759 ms for 1, 10, 100 routes, issue #28). Here every size is run untimed first (warm-up),
// then timed several times, the sizes taking turns so that drift on a shared machine hits each alike,
// and the median is reported with the spread beside it.

export interface Timing<T> {
    subject: T;
    /** Milliseconds of each timed run, in the order they ran. */
    samples: number[];
    median: number;
    min: number;
    max: number;
}

/** The middle value; for an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
    if (values.length === 0) {
        throw new Error("median of no values");
    }
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface TimingOptions {
    /** Untimed runs of each subject before any timed one. */
    warmup: number;
    /** Timed runs of each subject. */
    runs: number;
    /** The clock, in milliseconds (performance.now in the bench). */
    now: () => number;
}

/** Times `run` on each subject: `warmup` untimed rounds, then `runs` timed rounds, each round over every subject in turn. */
export async function timeRounds<T>(subjects: readonly T[], run: (subject: T) => Promise<unknown>, options: TimingOptions): Promise<Timing<T>[]> {
    if (options.runs < 1 || options.warmup < 0) {
        throw new Error(`timing needs at least one timed run and no negative warm-up (runs ${options.runs}, warmup ${options.warmup})`);
    }
    for (let round = 0; round < options.warmup; round++) {
        for (const subject of subjects) {
            await run(subject);
        }
    }
    const samples = subjects.map(() => [] as number[]);
    for (let round = 0; round < options.runs; round++) {
        for (const [index, subject] of subjects.entries()) {
            const start = options.now();
            await run(subject);
            samples[index].push(options.now() - start);
        }
    }
    return subjects.map((subject, index) => ({
        subject, samples: samples[index], median: median(samples[index]), min: Math.min(...samples[index]), max: Math.max(...samples[index]),
    }));
}
