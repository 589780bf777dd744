// Refusing, at preview, a change that would replace a kept data volume (#22 point 4).
//
// A PersistentVolumeClaim's access modes and storage class cannot change in place: pulumi-kubernetes marks
// `spec.accessModes` and `spec.storageClassName` force-new (provider diff.go), so changing
// `wordpress.accessMode` or `wordpress.storageClass` made Pulumi delete and re-create the claim. The delete
// hangs on the `kubernetes.io/pvc-protection` finalizer while a pod mounts it, or, once it goes through,
// takes the data with it; with `retainOnDelete` the new claim then fails on "already exists" halfway through
// an update.
//
// The program cannot see the previous value: config is all it reads, and `.get` of a claim fails on a fresh
// cluster. The engine can: it calls the provider's Diff with the old state during preview (and before any step
// of an `up` without preview). So each kept claim has a guard, a dynamic resource holding the claim's shape,
// whose Diff throws when the shape changes while `data.retainOnDestroy` is true; the claim `dependsOn` the guard,
// so a refused change stops before the claim is touched. Alternatives weighed: `protect: true` also makes the
// engine refuse the replace at preview (step_generator.go: "unable to replace resource … marked for
// protection"), but it refuses `pulumi destroy` and removing the sample too, which `data.retainOnDestroy`
// promises to let through, and its message cannot say how to migrate; `ignoreChanges` on the two fields would
// silently leave the cluster unlike the config.
import * as pulumi from "@pulumi/pulumi";

/** What cannot change in place on a claim, plus whether the stack keeps its data. */
export interface VolumeShape {
    /** `<namespace>/<claim>`, for the message. */
    claim: string;
    accessModes: string[];
    /** "" for the cluster's default class (the claim sets none). */
    storageClassName: string;
    /** data.retainOnDestroy when the shape was recorded / now. */
    retain: boolean;
    /** The config keys that set the shape, for the message ("" when no key does). */
    configKeys: string;
}

/**
 * Why the change from `olds` to `news` must be refused, or undefined. A claim whose data is not kept
 * (`retain` false now) may be replaced: that is what a throwaway demo stack asked for.
 */
export function volumeReplacementProblem(olds: Partial<VolumeShape>, news: VolumeShape): string | undefined {
    if (!news.retain) {
        return undefined;
    }
    const changes: string[] = [];
    const oldModes = (olds.accessModes ?? []).join(",");
    if (olds.accessModes !== undefined && oldModes !== news.accessModes.join(",")) {
        changes.push(`access modes ${oldModes} → ${news.accessModes.join(",")}`);
    }
    if (olds.storageClassName !== undefined && olds.storageClassName !== news.storageClassName) {
        changes.push(`storage class ${olds.storageClassName || "(cluster default)"} → ${news.storageClassName || "(cluster default)"}`);
    }
    if (changes.length === 0) {
        return undefined;
    }
    const keys = news.configKeys ? ` (${news.configKeys})` : "";
    return `Refusing to replace the PersistentVolumeClaim ${news.claim}: ${changes.join(" and ")}${keys} cannot change in place, ` +
        "so Kubernetes would delete the claim and its data, and data.retainOnDestroy is true. Nothing was changed. " +
        "Fix: set the previous value back to keep the volume; or, to move the data, back it up (docs/operations.md, " +
        "\"Back up\"), set data.retainOnDestroy false and the sample's enabled key false, `pulumi up` (removes the sample " +
        "and its volumes), then set the new value, the sample back on and data.retainOnDestroy true, `pulumi up`, and " +
        "restore (\"Restore\").";
}

/**
 * The dynamic provider. Self-contained (no captured imports) because Pulumi serializes it into the state and
 * runs it in the dynamic provider plugin. Create and update only record the shape; nothing exists outside the state.
 */
export const volumeShapeProvider: pulumi.dynamic.ResourceProvider = {
    create(inputs: VolumeShape) {
        return Promise.resolve({ id: inputs.claim, outs: inputs });
    },
    diff(_id: string, olds: Partial<VolumeShape>, news: VolumeShape) {
        const problem = volumeReplacementProblem(olds, news);
        if (problem) {
            return Promise.reject(new Error(problem));
        }
        const changed = (["accessModes", "storageClassName", "retain", "configKeys", "claim"] as const)
            .some((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
        return Promise.resolve({ changes: changed });
    },
    update(_id: string, _olds: VolumeShape, news: VolumeShape) {
        return Promise.resolve({ outs: news });
    },
};

/** The guard of one kept claim; the claim must `dependsOn` it. */
export class VolumeShapeGuard extends pulumi.dynamic.Resource {
    constructor(name: string, shape: VolumeShape, opts?: pulumi.CustomResourceOptions) {
        super(volumeShapeProvider, name, { ...shape }, opts, undefined, "VolumeShapeGuard");
    }
}

/**
 * `import` for an object a destroy kept, when data.adoptKeptVolumes asks for it: the provider reads the live
 * object with this ID instead of creating one (which would fail on "already exists" since pulumi-kubernetes
 * 4.29). IDs are `<namespace>/<name>`, or the name of a cluster-scoped object.
 */
export function keptObjectOptions(data: { adoptKeptVolumes: boolean }, id: string): pulumi.CustomResourceOptions {
    return data.adoptKeptVolumes ? { import: id } : {};
}
