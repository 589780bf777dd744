import { strict as assert } from "assert";
import { cacertsData, isRotationStep, rootRotationPlan, rootRotationProblem, rootRotationState, rotationStepProblem } from "../../../components/pki/mesh-ca-spec";

describe("mesh CA rotation states (Istio's multi-root transition)", () => {
    it("pins the sequence of states from generation 1 to 2: trust both, sign with the new, drop the old", () => {
        const states = rootRotationPlan(1).map(({ generation, step }) => ({ step, ...rootRotationState(generation, step) }));
        assert.deepEqual(states, [
            { step: "steady", generations: [1], signingGeneration: 1, trustedGenerations: [1] },
            { step: "add-new-root", generations: [1, 2], signingGeneration: 1, trustedGenerations: [1, 2] },
            { step: "sign-with-new-root", generations: [1, 2], signingGeneration: 2, trustedGenerations: [2, 1] },
            { step: "steady", generations: [2], signingGeneration: 2, trustedGenerations: [2] },
        ]);
    });

    it("every consecutive pair keeps a common trusted root, so no workload loses trust mid-rotation", () => {
        const plan = rootRotationPlan(3).map(({ generation, step }) => rootRotationState(generation, step));
        for (let index = 1; index < plan.length; index++) {
            const before = plan[index - 1];
            const after = plan[index];
            assert.ok(after.trustedGenerations.includes(before.signingGeneration), `step ${index}: old certificates still trusted`);
            assert.ok(before.trustedGenerations.includes(after.signingGeneration), `step ${index}: new certificates already trusted`);
        }
    });

    it("accepts only the next step or a repeat; refuses skipping or going backwards", () => {
        const plan = rootRotationPlan(1);
        for (let index = 1; index < plan.length; index++) {
            assert.ok(isRotationStep(plan[index - 1], plan[index]));
            assert.ok(isRotationStep(plan[index], plan[index]));
        }
        assert.equal(isRotationStep({ generation: 1, step: "steady" }, { generation: 2, step: "steady" }), false, "skips trusting both");
        assert.equal(isRotationStep({ generation: 2, step: "steady" }, { generation: 1, step: "steady" }), false, "backwards");
        assert.equal(isRotationStep({ generation: 2, step: "sign-with-new-root" }, { generation: 2, step: "add-new-root" }), false);
        assert.match(rootRotationProblem(1, "add-new-root") ?? "", /needs a previous root/);
        assert.equal(rootRotationProblem(2, "add-new-root"), undefined);
    });

    it("lays out cacerts as Istio documents: chain = intermediate + signing root, bundle may hold two roots", () => {
        const data = cacertsData({ intermediateCertPem: "I", intermediateKeyPem: "K", signingRootPem: "R2", trustedRootPems: ["R2", "R1"] });
        assert.deepEqual(data, { "ca-cert.pem": "I\n", "ca-key.pem": "K\n", "root-cert.pem": "R2\nR1\n", "cert-chain.pem": "I\nR2\n" });
        assert.throws(() => cacertsData({ intermediateCertPem: "I", intermediateKeyPem: "K", signingRootPem: "R3", trustedRootPems: ["R1"] }), /must hold the root/);
    });

    it("refuses against the last up's recorded state only what is not one documented step, naming the next one", () => {
        const keys = { generation: "mesh.rootGeneration", rotation: "mesh.rootRotation" };
        const plan = [...rootRotationPlan(1), ...rootRotationPlan(2).slice(1)];
        for (let from = 0; from < plan.length; from++) {
            for (let to = 0; to < plan.length; to++) {
                const problem = rotationStepProblem(plan[from], plan[to], keys);
                if (to === from || to === from + 1) {
                    assert.equal(problem, undefined, `${JSON.stringify(plan[from])} → ${JSON.stringify(plan[to])}`);
                } else {
                    const next = plan[from + 1] ?? { generation: 4, step: "add-new-root" };
                    assert.ok(problem?.includes(`pulumi config set --path mesh.rootGeneration ${next.generation}; pulumi config set --path mesh.rootRotation ${next.step} (the next step)`),
                        `${JSON.stringify(plan[from])} → ${JSON.stringify(plan[to])}: ${problem}`);
                }
            }
        }
        // Nothing recorded yet (a first up, or an output from before the check): any state.
        for (const previous of [undefined, {}, { generation: "2", step: "steady" }, { generation: 2, step: "later" }]) {
            assert.equal(rotationStepProblem(previous, { generation: 5, step: "sign-with-new-root" }, keys), undefined);
        }
    });
});
