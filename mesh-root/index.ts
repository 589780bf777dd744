// The mesh-root program: the one root several cluster stacks share (`mesh.rootStack` in each of them).
// It holds the root keys and issues one intermediate per cluster stack listed in its `clusters`; each
// cluster stack reads its own entry of the `cacerts` output through a StackReference
// (components/pki/mesh-ca.ts) and plugs it into istiod. No Kubernetes provider here: nothing of this
// stack reaches a cluster except the intermediates the cluster stacks copy. docs/security.md "Mesh CA".
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/config/errors";
import { parseMaybeJson } from "../components/config/reader";
import { rotationStepProblem } from "../components/pki/mesh-ca-spec";
import { MeshRoot } from "../components/pki/mesh-root";
import { meshRootOutputs, meshRootProjectName, meshRootRotationKeys, parseMeshRootConfig } from "../components/pki/mesh-root-config";
import { previousRotation } from "../components/pki/previous-rotation";

export = async () => {
    const prefix = `${meshRootProjectName}:`;
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) {
            raw[key.slice(prefix.length)] = parseMaybeJson(value);
        }
    }
    const { config, problems } = parseMeshRootConfig(raw);

    // A rotation moves one step at a time, checked against the state the last `up` recorded: skipping a
    // step leaves workloads that trust only a root nobody signs with; going back re-creates a deleted
    // root under its old name with a new key.
    const next = { generation: config.rootGeneration, step: config.rootRotation };
    const stepProblem = rotationStepProblem(await previousRotation("mesh-root-previous", meshRootOutputs.rotation), next, meshRootRotationKeys);
    if (stepProblem !== undefined) {
        problems.push(stepProblem);
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }

    const root = new MeshRoot("mesh-root", { ...config, holder: pulumi.getStack() });
    return {
        [meshRootOutputs.cacerts]: root.cacerts,
        [meshRootOutputs.rootCertPem]: root.rootCertPem,
        [meshRootOutputs.clusters]: config.clusters.map((cluster) => cluster.stack),
        [meshRootOutputs.rotation]: next,
    };
};
