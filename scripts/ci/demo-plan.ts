// The demo model: ONE demo cluster, ONE demo at a time, handed over. A labelled pull request n owns
// the stack demo-pr-<n>; deploying it first destroys every other demo stack (Istio is cluster-wide,
// so two demos would share istio-system, the istiod release and the sample namespaces) and says so on
// both pull requests. Cleanup only ever destroys the closing pull request's own stack. Every decision
// reads the live state (the backend's stack list, the pull request as it is now), never the event that
// queued the job, so a job that waited behind others acts on what is true when it runs.

import { StackSummary } from "./stack-list";

export const demoLabel = "demo";
export const demoStackPrefix = "demo-";
/** GitHub environment that holds the demo cluster's credentials, shared by every demo stack. */
export const demoEnvironment = "demo";

export function isDemoStack(stack: string): boolean {
    return stack.startsWith(demoStackPrefix);
}

export function demoStackName(pullRequest: number): string {
    return `demo-pr-${pullRequest}`;
}

/** The pull request a demo stack belongs to; undefined for a demo stack made by hand (demo-foo). */
export function demoPullRequest(stack: string): number | undefined {
    const match = /^demo-pr-([1-9][0-9]*)$/.exec(stack);
    return match ? Number(match[1]) : undefined;
}

/** The GitHub environment a stack's jobs run in: its credentials live there, and its rules apply. */
export function environmentOf(stack: string): string {
    return isDemoStack(stack) ? demoEnvironment : stack;
}

/** Suffix of the environment with a stack's read-only credentials, for previews. */
export const previewSuffix = "-preview";
/** Demo destroys (cleanup, sweep) run from main only, without the reviewer the demo deploys need. */
export const demoCleanupEnvironment = "demo-cleanup";

/**
 * The environment of one operation (.github/workflows/stack.yml computes the same): previews get the
 * read-only `<env>-preview`; demo destroys `demo-cleanup`; everything else the stack's own, with its
 * write credentials.
 */
export function environmentFor(stack: string, command: string): string {
    if (command === "preview") {
        return `${stack}${previewSuffix}`;
    }
    if (isDemoStack(stack) && command === "destroy") {
        return demoCleanupEnvironment;
    }
    return environmentOf(stack);
}

export interface PullRequestState {
    number: number;
    state: "OPEN" | "CLOSED" | "MERGED";
    labels: readonly string[];
}

export interface HandOver {
    /** Demo stack destroyed (and removed) before the new demo deploys. */
    stack: string;
    /** The pull request it belonged to, to tell; undefined for a hand-made demo stack. */
    pullRequest?: number;
}

export type DemoDeployPlan =
    | { deploy: false; reason: string }
    | { deploy: true; stack: string; handOver: HandOver[] };

export function planDemoDeploy(stacks: readonly StackSummary[], pullRequest: PullRequestState): DemoDeployPlan {
    const own = demoStackName(pullRequest.number);
    if (pullRequest.state !== "OPEN") {
        return { deploy: false, reason: `#${pullRequest.number} is ${pullRequest.state.toLowerCase()}: no demo is deployed for it` };
    }
    if (!pullRequest.labels.includes(demoLabel)) {
        return { deploy: false, reason: `#${pullRequest.number} no longer has the label ${demoLabel}: no demo is deployed for it` };
    }
    const handOver = stacks
        .filter((stack) => isDemoStack(stack.name) && stack.name !== own)
        .map((stack) => {
            const owner = demoPullRequest(stack.name);
            return owner === undefined ? { stack: stack.name } : { stack: stack.name, pullRequest: owner };
        });
    return { deploy: true, stack: own, handOver };
}

export function handOverComments(from: HandOver, to: number): { pullRequest: number; body: string }[] {
    const comments = [{
        pullRequest: to,
        body: `Demo: the demo cluster was handed over to this pull request. The previous demo \`${from.stack}\`` +
            `${from.pullRequest === undefined ? "" : ` (#${from.pullRequest})`} was destroyed before \`${demoStackName(to)}\` deploys.`,
    }];
    if (from.pullRequest !== undefined) {
        comments.push({
            pullRequest: from.pullRequest,
            body: `Demo: \`${from.stack}\` was destroyed because #${to} took over the demo cluster (one demo at a time). ` +
                `Push to this pull request or re-run its workflow to take the cluster back.`,
        });
    }
    return comments;
}

/** Cleanup of one stack: only ever a demo stack, never a configured environment. */
export function planDemoCleanup(stacks: readonly StackSummary[], stack: string): { destroy: boolean; reason: string } {
    if (!isDemoStack(stack)) {
        throw new Error(`refusing to destroy ${stack}: workflows only destroy demo stacks (${demoStackPrefix}*)`);
    }
    return stacks.some((candidate) => candidate.name === stack)
        ? { destroy: true, reason: `${stack} exists: destroying it and removing the stack` }
        : { destroy: false, reason: `${stack} does not exist (never deployed, or already handed over or cleaned up)` };
}

export interface SweepEntry {
    stack: string;
    reason: string;
}

/**
 * The scheduled sweep: every demo stack that should not exist any more. A demo-pr-<n> whose pull
 * request is no longer open and labelled; any demo stack not updated for maxAgeHours; and, should two
 * demo stacks ever exist, every one but the most recently updated (the cluster holds one demo).
 */
export function planDemoSweep(
    stacks: readonly StackSummary[], openLabelledPullRequests: readonly number[], now: Date, maxAgeHours: number,
): SweepEntry[] {
    if (!(maxAgeHours > 0)) {
        throw new Error(`max-age-hours must be a positive number of hours (got ${maxAgeHours})`);
    }
    const updatedAt = (stack: StackSummary): number => (stack.lastUpdate ? Date.parse(stack.lastUpdate) : 0) || 0;
    const sweep: SweepEntry[] = [];
    const kept: StackSummary[] = [];
    for (const stack of stacks.filter((candidate) => isDemoStack(candidate.name) && !candidate.updateInProgress)) {
        const owner = demoPullRequest(stack.name);
        const ageHours = (now.getTime() - updatedAt(stack)) / 3_600_000;
        if (owner !== undefined && !openLabelledPullRequests.includes(owner)) {
            sweep.push({ stack: stack.name, reason: `#${owner} is closed or no longer labelled ${demoLabel}` });
        } else if (ageHours > maxAgeHours) {
            sweep.push({ stack: stack.name, reason: stack.lastUpdate ? `not updated for ${Math.floor(ageHours)} h` : "never updated" });
        } else {
            kept.push(stack);
        }
    }
    // Of the demos that may stay, the most recently updated holds the cluster.
    const [newest, ...superseded] = [...kept].sort((a, b) => updatedAt(b) - updatedAt(a));
    for (const stack of superseded) {
        sweep.push({ stack: stack.name, reason: `${newest.name} is the newer demo; the cluster holds one demo` });
    }
    return sweep;
}
