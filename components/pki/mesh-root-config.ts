// The config of the mesh-root program (mesh-root/): which cluster stacks it issues intermediates for and
// where its root rotation stands. Read with the same reader as the cluster program, so a problem names
// the key, the value and the fix, and every problem is reported in one pass.
import { ObjectReader, Problems, describeValue, setCommand } from "../config/reader";
import { RootRotationStep, rootRotationSteps } from "../config/schema";
import { rootRotationProblem, rootStackCacertsOutput } from "./mesh-ca-spec";

/** mesh-root/Pulumi.yaml's `name`: the namespace of its config keys and the middle of `mesh.rootStack`. */
export const meshRootProjectName = "iks-mesh-root";

/** A Pulumi stack name (the last part of `<org>/<project>/<stack>`): what `pulumi stack init` accepts. */
export const stackNamePattern = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;

export interface MeshRootCluster {
    /** The cluster stack's name (`pulumi.getStack()` there): the key of its entry in the `cacerts` output. */
    stack: string;
}

export interface MeshRootConfig {
    clusters: MeshRootCluster[];
    rootGeneration: number;
    rootRotation: RootRotationStep;
}

/** Reads the mesh-root stack's config (keys without the `iks-mesh-root:` prefix). */
export function parseMeshRootConfig(raw: Record<string, unknown>): { config: MeshRootConfig; problems: string[] } {
    const problems: Problems = [];
    const reader = new ObjectReader("", raw, problems);
    const seen = new Set<string>();
    const clusters = reader.array("clusters", (item, key): MeshRootCluster | undefined => {
        if (typeof item !== "string" || !stackNamePattern.test(item)) {
            reader.problem(key, `${key} must be a cluster stack's name: letters, digits, -, _ and . (got ${describeValue(item)})`,
                setCommand(key, "prod-us"));
            return undefined;
        }
        if (seen.has(item)) {
            reader.problem(key, `${key} names stack ${item} twice: one intermediate per cluster stack`, `pulumi config rm --path '${key}'`);
            return undefined;
        }
        seen.add(item);
        return { stack: item };
    });
    if (clusters.length === 0 && !problems.some((problem) => problem.key.startsWith("clusters"))) {
        reader.problem("clusters", "clusters must list the cluster stacks this root issues intermediates for (it lists none)",
            setCommand("clusters[0]", "prod-us"));
    }
    const rootGeneration = reader.integer("rootGeneration", 1, { min: 1, max: 1000 });
    const rootRotation = reader.oneOf("rootRotation", rootRotationSteps, "steady");
    const rotation = rootRotationProblem(rootGeneration, rootRotation);
    if (rotation !== undefined) {
        reader.problem("rootGeneration", rotation.replace(/mesh\./g, ""), setCommand("rootGeneration", String(rootGeneration + 1)));
    }
    reader.finish();
    return { config: { clusters, rootGeneration, rootRotation }, problems: problems.map((problem) => problem.message) };
}

/** The mesh-root stack's outputs; `cacerts` is what a cluster stack's `mesh.rootStack` reads (mesh-ca.ts). */
export const meshRootOutputs = {
    cacerts: rootStackCacertsOutput,
    rootCertPem: "rootCertPem",
    clusters: "clusters",
    /** The rotation state this `up` applied, read back by the next one (previous-rotation.ts). */
    rotation: "rotation",
} as const;

/** The mesh-root stack's own names of the rotation keys, for problems and fixes. */
export const meshRootRotationKeys = { generation: "rootGeneration", rotation: "rootRotation" } as const;
