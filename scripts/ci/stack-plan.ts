// What one run of the shared stack job (.github/workflows/stack.yml) does, decided from the live
// state before anything changes. Plain data in, plain data out: scripts/ci/stack-job.ts carries it out.

import { planDemoCleanup, planDemoDeploy, HandOver, isDemoStack, PullRequestState } from "./demo-plan";
import { StackSummary, stackExists, stackNamePattern } from "./stack-list";

export const stackCommands = ["preview", "up", "destroy", "init"] as const;
export type StackCommand = typeof stackCommands[number];

export type StackJobPlan =
    /** Nothing to do; the reason is shown as a notice and the job stays green. */
    | { action: "skip"; notice: string }
    /** `pulumi stack init`: the bootstrap of a committed stack. */
    | { action: "init" }
    /** `pulumi destroy --remove` of a demo stack. */
    | { action: "destroy" }
    /** The pulumi/actions step runs the command; a demo deploy first destroys handOver. */
    | { action: "run"; handOver: HandOver[] };

export interface StackJobInput {
    stack: string;
    command: string;
    stacks: readonly StackSummary[];
    /** For demo stacks deployed from a pull request: that pull request as it is now. */
    pullRequest?: PullRequestState;
}

export const bootstrapHint = "run the bootstrap workflow (Actions → bootstrap) once; see docs/ci-and-environments.md";

export function planStackJob(input: StackJobInput): StackJobPlan {
    const { stack, command, stacks } = input;
    if (!stackNamePattern.test(stack)) {
        throw new Error(`not a stack name: ${JSON.stringify(stack)}`);
    }
    if (!(stackCommands as readonly string[]).includes(command)) {
        throw new Error(`unknown command ${JSON.stringify(command)}; expected one of ${stackCommands.join(", ")}`);
    }
    const exists = stackExists(stacks, stack);
    switch (command as StackCommand) {
    case "init":
        if (isDemoStack(stack)) {
            throw new Error(`${stack} is a demo stack: demo stacks are created by their deploy, not bootstrapped`);
        }
        return exists ? { action: "skip", notice: `stack ${stack} already exists in the backend: nothing to bootstrap` } : { action: "init" };
    case "destroy": {
        const cleanup = planDemoCleanup(stacks, stack);
        return cleanup.destroy ? { action: "destroy" } : { action: "skip", notice: cleanup.reason };
    }
    case "up":
        if (isDemoStack(stack)) {
            if (!input.pullRequest) {
                throw new Error(`${stack}: a demo deploy needs the state of its pull request`);
            }
            const demo = planDemoDeploy(stacks, input.pullRequest);
            return demo.deploy ? { action: "run", handOver: demo.handOver } : { action: "skip", notice: demo.reason };
        }
        return exists ? { action: "run", handOver: [] }
            : { action: "skip", notice: `stack ${stack} does not exist in the backend yet: ${bootstrapHint}` };
    case "preview":
        if (isDemoStack(stack)) {
            throw new Error(`${stack}: demo stacks are deployed, not previewed`);
        }
        return exists ? { action: "run", handOver: [] }
            : { action: "skip", notice: `stack ${stack} does not exist in the backend yet: ${bootstrapHint}` };
    }
}

/** Pulumi's self-managed backend refuses a second operation on a locked stack instead of waiting. */
export function isStackLocked(output: string): boolean {
    // pkg/backend/diy/lock.go: "the stack is currently locked by N lock(s). Either wait for the other
    // process(es) to end or delete the lock file with `pulumi cancel`."
    return /the stack is currently locked by \d+ lock\(s\)/.test(output);
}

/** `pulumi destroy` of a stack that was removed meanwhile (by a hand-over or a cleanup that got there first). */
export function isNoSuchStack(output: string): boolean {
    return /no stack named '[^']+' found/.test(output);
}
