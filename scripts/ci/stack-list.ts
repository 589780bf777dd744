// What `pulumi stack ls --json` says about the stacks of this project in the backend.
// A self-managed (DIY) backend lists project-scoped stacks as `organization/<project>/<stack>` since
// Pulumi 3.61 and plain `<stack>` before; workflows only ever name the last part.

export interface StackSummary {
    /** The stack's own name, without organization and project. */
    name: string;
    /** ISO time of the last update; absent for a stack never updated. */
    lastUpdate?: string;
    updateInProgress: boolean;
}

export const stackNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function parseStackList(json: string): StackSummary[] {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) {
        throw new Error(`pulumi stack ls --json printed ${typeof parsed}, not a list`);
    }
    return parsed.map((entry: unknown, index) => {
        const record = (entry ?? {}) as Record<string, unknown>;
        if (typeof record.name !== "string" || record.name === "") {
            throw new Error(`pulumi stack ls --json: entry ${index} has no name`);
        }
        return {
            name: record.name.slice(record.name.lastIndexOf("/") + 1),
            ...(typeof record.lastUpdate === "string" ? { lastUpdate: record.lastUpdate } : {}),
            updateInProgress: record.updateInProgress === true,
        };
    });
}

export function stackExists(stacks: readonly StackSummary[], name: string): boolean {
    return stacks.some((stack) => stack.name === name);
}
