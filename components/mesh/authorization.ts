import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { authorizationPolicySpecs } from "./authorization-rules";
import { IstioMesh } from "./istio-mesh";

export interface AuthorizationArgs {
    config: StackConfig;
    mesh: IstioMesh;
    namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
}

/** Deny-by-default AuthorizationPolicies with explicit allows by workload identity, per sample namespace. */
export class Authorization extends pulumi.ComponentResource {
    readonly policies: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: AuthorizationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:mesh:Authorization", name, {}, opts);
        this.policies = authorizationPolicySpecs(args.config).map((policy) => {
            const namespace = args.namespaces[policy.namespace];
            if (!namespace) {
                throw new Error(`Authorization: namespace ${policy.namespace} is not managed by this stack`);
            }
            return new k8s.apiextensions.CustomResource(`authorization-${policy.namespace}-${policy.name}`, {
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                metadata: { name: policy.name, namespace: namespace.metadata.name },
                spec: policy.spec,
            }, { parent: this, dependsOn: [args.mesh.istiod] });
        });
        this.registerOutputs({});
    }
}
