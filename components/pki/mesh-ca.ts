import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { issueMeshCa } from "./mesh-ca-issuer";
import { CacertsData, rootStackCacertsOutput } from "./mesh-ca-spec";

export interface MeshCaArgs {
    /** `mesh.*`: where the root lives and its rotation state. */
    mesh: StackConfig["mesh"];
    /** Names the intermediate (with the cluster) and picks this cluster's entry in a root stack. */
    stackName: string;
    /** The cluster the intermediate is for, as operators call it (IKS cluster, kube context, or the stack). */
    clusterName: string;
}

/**
 * The mesh's workload identity CA for `mesh.ca: stack`: this cluster's intermediate and the trust bundle,
 * as the data of Istio's `cacerts` Secret (IstioMesh writes it before istiod starts). The root is held in
 * this stack, or, with `mesh.rootStack`, in a mesh-root stack that issued this cluster's intermediate:
 * then only the intermediate's key reaches this stack and the cluster, never the root's.
 */
export class MeshCa extends pulumi.ComponentResource {
    /** Secret: it holds the intermediate's private key. */
    readonly cacerts: pulumi.Output<CacertsData>;
    /** The trust bundle workloads get (`root-cert.pem`), public. */
    readonly rootCertPem: pulumi.Output<string>;

    constructor(name: string, args: MeshCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:pki:MeshCa", name, {}, opts);
        const { mesh } = args;
        if (mesh.rootStack !== undefined) {
            const rootStack = new pulumi.StackReference(`${name}-root-stack`, { name: mesh.rootStack }, { parent: this });
            const stackName = args.stackName;
            const rootStackName = mesh.rootStack;
            this.cacerts = pulumi.secret(rootStack.getOutput(rootStackCacertsOutput).apply((issued: unknown) => {
                const all = (issued ?? {}) as Record<string, CacertsData | undefined>;
                const mine = all[stackName];
                if (!mine) {
                    throw new Error(`mesh.rootStack ${rootStackName} issues no intermediate for stack ${stackName} ` +
                        `(it issues for: ${Object.keys(all).join(", ") || "none"}). Fix: add ${stackName} to the root stack's clusters list ` +
                        `(in mesh-root/: pulumi config set --path 'clusters[<next index>]' ${stackName} --stack <root stack>), run pulumi up there, then here`);
                }
                return mine;
            }));
        } else {
            const issued = issueMeshCa(name, this, {
                holder: args.stackName,
                generation: mesh.rootGeneration,
                rotation: mesh.rootRotation,
                clusters: [{ resourceName: "intermediate", cluster: args.clusterName, stack: args.stackName }],
            });
            this.cacerts = issued.cacerts.intermediate;
        }
        this.rootCertPem = pulumi.unsecret(this.cacerts.apply((data) => data["root-cert.pem"]));
        this.registerOutputs({ rootCertPem: this.rootCertPem });
    }
}
