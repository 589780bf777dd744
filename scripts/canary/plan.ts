// The weights a canary run steps through, from `--steps 10,25,50,100` or `--step 10 --max-weight 50`.

/** Every weight a step may set: an integer 1-100, the range wordpress.canary.weight accepts (0 is the rollback). */
function checkWeight(weight: number, flag: string, text: string): string | undefined {
    return Number.isInteger(weight) && weight >= 1 && weight <= 100 ? undefined : `${flag}: ${JSON.stringify(text)} is not an integer 1-100`;
}

/** Strictly increasing weights; an error names the flag, the value and the fix. */
export function planSteps(input: { steps?: string; step?: string; maxWeight?: string }): number[] | { error: string } {
    if (input.steps !== undefined && (input.step !== undefined || input.maxWeight !== undefined)) {
        return { error: "give either --steps or --step/--max-weight, not both" };
    }
    if (input.steps !== undefined) {
        const parts = input.steps.split(",").map((part) => part.trim());
        const weights = parts.map(Number);
        for (const [index, weight] of weights.entries()) {
            const problem = checkWeight(weight, "--steps", parts[index]);
            if (problem) {
                return { error: `${problem} (example: --steps 10,25,50,100)` };
            }
            if (index > 0 && weight <= weights[index - 1]) {
                return { error: `--steps must increase: ${weights[index - 1]} then ${weight} (example: --steps 10,25,50,100)` };
            }
        }
        return weights;
    }
    const stepText = input.step ?? "10";
    const maxText = input.maxWeight ?? "100";
    const step = Number(stepText);
    const max = Number(maxText);
    const problem = checkWeight(step, "--step", stepText) ?? checkWeight(max, "--max-weight", maxText);
    if (problem) {
        return { error: problem };
    }
    if (step > max) {
        return { error: `--step ${step} is above --max-weight ${max}` };
    }
    const weights: number[] = [];
    for (let weight = step; weight < max; weight += step) {
        weights.push(weight);
    }
    // The last step is always the maximum, even when the step does not divide it.
    weights.push(max);
    return weights;
}
