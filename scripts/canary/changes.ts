// What a preview would change, from the engine events the Automation API streams
// (@pulumi/pulumi/automation/events.d.ts: ResourcePreEvent.metadata {op, urn, type, detailedDiff}).
// A canary step may change one thing: the weights of the WordPress routes. Anything else pending
// (someone's unapplied commit, drift) would ride along with the step's `up`, so the run refuses.

/** The parts of an engine event this module reads. */
export interface PreviewEvent {
    resourcePreEvent?: { metadata: { op: string; urn: string; type: string; detailedDiff?: Record<string, unknown>; diffs?: string[] } };
}

/** Type token of the VirtualServices that carry the weights (the gateway's and WordPress's own). */
export const virtualServiceType = "kubernetes:networking.istio.io/v1:VirtualService";

/** A route weight inside a VirtualService, as the Kubernetes provider's detailed diff names it. */
const weightPath = /^spec\.http\[\d+\]\.route\[\d+\]\.weight$/;

/** Operations that change nothing. */
const noChange = new Set(["same", "read"]);

/** Pending changes other than route weights, one line each: `<op> <urn> (<changed paths>)`. */
export function nonWeightChanges(events: readonly PreviewEvent[]): string[] {
    const changes: string[] = [];
    for (const event of events) {
        const step = event.resourcePreEvent?.metadata;
        if (!step || noChange.has(step.op)) {
            continue;
        }
        const paths = Object.keys(step.detailedDiff ?? {});
        // Without a detailed diff nothing proves the change is only a weight: count it as another change.
        const weightOnly = step.op === "update" && step.type === virtualServiceType && paths.length > 0 && paths.every((p) => weightPath.test(p));
        if (!weightOnly) {
            const what = paths.length > 0 ? paths : (step.diffs ?? []);
            changes.push(`${step.op} ${step.urn}${what.length > 0 ? ` (${what.join(", ")})` : ""}`);
        }
    }
    return changes;
}

/** `pulumi preview`'s change summary in one line, e.g. "2 update, 80 same". */
export function summaryLine(changeSummary: Readonly<Record<string, number>>): string {
    const entries = Object.entries(changeSummary).filter(([, count]) => count > 0);
    return entries.length > 0 ? entries.map(([op, count]) => `${count} ${op}`).join(", ") : "no changes";
}
