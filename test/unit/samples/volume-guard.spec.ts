// The guard that refuses, at preview, a change replacing a kept data volume: its provider's Diff, called the
// way the engine calls it (old state, new inputs), without an engine.
import { strict as assert } from "assert";
import { VolumeShape, volumeReplacementProblem, volumeShapeProvider } from "../../../components/samples/volume-guard";

const recorded: VolumeShape = {
    claim: "wordpress/wordpress-content", accessModes: ["ReadWriteOnce"], storageClassName: "", retain: true,
    configKeys: "wordpress.accessMode, wordpress.storageClass",
};

async function diff(olds: Partial<VolumeShape>, news: VolumeShape) {
    if (!volumeShapeProvider.diff) {
        throw new Error("the guard has no diff");
    }
    return volumeShapeProvider.diff("wordpress/wordpress-content", olds, news);
}

describe("volume guard: a kept claim is never replaced by a config change", () => {
    it("refuses a new storage class, naming the claim, both values, the keys and the way to migrate", async () => {
        await assert.rejects(diff(recorded, { ...recorded, storageClassName: "ibmc-vpc-block-retain-10iops-tier" }), (error: Error) => {
            assert.match(error.message, /^Refusing to replace the PersistentVolumeClaim wordpress\/wordpress-content: storage class \(cluster default\) → ibmc-vpc-block-retain-10iops-tier \(wordpress\.accessMode, wordpress\.storageClass\)/);
            assert.match(error.message, /data\.retainOnDestroy is true\. Nothing was changed\./);
            assert.match(error.message, /set the previous value back.*back it up.*data\.retainOnDestroy false.*restore/s);
            return true;
        });
    });

    it("refuses a new access mode, and both changes at once", async () => {
        await assert.rejects(diff(recorded, { ...recorded, accessModes: ["ReadWriteMany"] }), /access modes ReadWriteOnce → ReadWriteMany/);
        assert.match(volumeReplacementProblem(recorded, { ...recorded, accessModes: ["ReadWriteMany"], storageClassName: "nfs" }) ?? "",
            /access modes ReadWriteOnce → ReadWriteMany and storage class \(cluster default\) → nfs/);
    });

    it("lets the change through when the stack no longer keeps the data (data.retainOnDestroy false)", async () => {
        assert.deepEqual(await diff(recorded, { ...recorded, storageClassName: "nfs", retain: false }), { changes: true });
    });

    it("reports no change for the same shape, and an update (not a refusal) when only data.retainOnDestroy changes", async () => {
        assert.deepEqual(await diff(recorded, { ...recorded }), { changes: false });
        assert.deepEqual(await diff({ ...recorded, retain: false }, recorded), { changes: true });
    });

    it("lets a first recording through (no old shape: the claim is being created)", async () => {
        assert.deepEqual(await diff({}, recorded), { changes: true });
    });

    it("records the shape as its state on create and update", async () => {
        assert.deepEqual(await volumeShapeProvider.create(recorded), { id: "wordpress/wordpress-content", outs: recorded });
        assert.deepEqual(await volumeShapeProvider.update?.("wordpress/wordpress-content", recorded, recorded), { outs: recorded });
    });
});
