import * as pulumi from "@pulumi/pulumi";
import { issueMeshCa } from "./mesh-ca-issuer";
import { CacertsData } from "./mesh-ca-spec";
import { MeshRootConfig } from "./mesh-root-config";

export interface MeshRootArgs extends MeshRootConfig {
    /** Names the roots (their subject's OU): the mesh-root stack's own name. */
    holder: string;
}

/**
 * The shared mesh root of several clusters, held by the mesh-root program: the roots of every live
 * generation and one intermediate per cluster stack, each published as that cluster's `cacerts` data.
 * The root keys stay in this stack's state; only intermediates (certificate and key) leave it.
 */
export class MeshRoot extends pulumi.ComponentResource {
    /** Per cluster stack name: its `cacerts` data. Secret as a whole: it holds every intermediate's key. */
    readonly cacerts: pulumi.Output<Record<string, CacertsData>>;
    /** The trust bundle every cluster's workloads get (`root-cert.pem`): public. */
    readonly rootCertPem: pulumi.Output<string>;

    constructor(name: string, args: MeshRootArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:pki:MeshRoot", name, {}, opts);
        // `cluster-` keeps a cluster stack called `root` from naming its intermediate like the root itself.
        const resourceName = (stack: string) => `cluster-${stack}`;
        const issued = issueMeshCa(name, this, {
            holder: args.holder,
            generation: args.rootGeneration,
            rotation: args.rootRotation,
            clusters: args.clusters.map((cluster) => ({ resourceName: resourceName(cluster.stack), cluster: cluster.stack, stack: cluster.stack })),
        });
        this.cacerts = pulumi.secret(pulumi.all(Object.fromEntries(args.clusters.map((cluster) =>
            [cluster.stack, issued.cacerts[resourceName(cluster.stack)]]))));
        this.rootCertPem = issued.trustedRootPems.apply((pems) => pems.map((pem) => pem.trim() + "\n").join(""));
        this.registerOutputs({ rootCertPem: this.rootCertPem });
    }
}
