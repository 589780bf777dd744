import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config/schema";
import { IstioMesh } from "../istio-mesh";
import { destinationRuleSpecs, peerAuthenticationSpecs } from "./specs";

/** What a mesh policy component needs: the config, the mesh (its webhooks to wait for), and the namespaces it writes into. */
export interface MeshPolicyArgs {
    config: StackConfig;
    mesh: IstioMesh;
    /** The namespaces the policies live in, by name; each policy waits for its namespace. */
    namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
}

/** The Namespace resource a policy goes into; a namespace the stack does not manage is a program error. */
export function managedNamespace(args: MeshPolicyArgs, namespace: string, component: string): k8s.core.v1.Namespace {
    const resource = args.namespaces[namespace];
    if (!resource) {
        throw new Error(`${component}: namespace ${namespace} is not managed by this stack`);
    }
    return resource;
}

/**
 * The narrower mTLS scopes of `mtls.policies` (namespace, workload and port level) and the explicit
 * client policies of `mtls.clientPolicies`. The mesh-wide policy belongs to IstioMesh. Conflicts
 * between all of them are found by enforceMeshPolicy before this component is built.
 */
export class MtlsPolicy extends pulumi.ComponentResource {
    readonly peerAuthentications: k8s.apiextensions.CustomResource[];
    readonly destinationRules: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: MeshPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:mesh:MtlsPolicy", name, {}, opts);
        const namespaceOf = (namespace: string) => managedNamespace(args, namespace, "MtlsPolicy");
        this.peerAuthentications = peerAuthenticationSpecs(args.config).map((pa) =>
            new k8s.apiextensions.CustomResource(`peer-authentication-${pa.namespace}-${pa.name}`, {
                apiVersion: "security.istio.io/v1",
                kind: "PeerAuthentication",
                metadata: { name: pa.name, namespace: namespaceOf(pa.namespace).metadata.name },
                spec: pa.spec,
            }, { parent: this, dependsOn: args.mesh.istioConfigReady }));
        this.destinationRules = destinationRuleSpecs(args.config).map((dr) =>
            new k8s.apiextensions.CustomResource(`destination-rule-${dr.namespace}-${dr.name}`, {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: {
                    name: dr.name,
                    namespace: namespaceOf(dr.namespace).metadata.name,
                    ...(Object.keys(dr.annotations).length > 0 ? { annotations: dr.annotations } : {}),
                },
                spec: dr.spec,
            }, { parent: this, dependsOn: args.mesh.istioConfigReady }));
        this.registerOutputs({});
    }
}
