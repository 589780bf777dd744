// The blast radius of a change: how many resources `pulumi preview` would show as created, deleted or
// updated, approximated as resources (by type and name) that appear, disappear or whose inputs change.
import { isDeepStrictEqual } from "util";

export interface InputsByResource {
    type: string;
    name: string;
    custom: boolean;
    inputs: unknown;
}

export interface BlastRadius {
    added: string[];
    removed: string[];
    changed: string[];
    total: number;
}

export function blastRadius(before: readonly InputsByResource[], after: readonly InputsByResource[]): BlastRadius {
    const key = (resource: InputsByResource) => `${resource.type} ${resource.name}`;
    const custom = (resources: readonly InputsByResource[]) =>
        new Map(resources.filter((resource) => resource.custom).map((resource) => [key(resource), resource]));
    const old = custom(before);
    const current = custom(after);
    const added = [...current.keys()].filter((name) => !old.has(name)).sort();
    const removed = [...old.keys()].filter((name) => !current.has(name)).sort();
    const changed = [...current.keys()]
        .filter((name) => old.has(name) && !isDeepStrictEqual(old.get(name)?.inputs, current.get(name)?.inputs)).sort();
    return { added, removed, changed, total: added.length + removed.length + changed.length };
}
