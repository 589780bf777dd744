import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { authorizationPolicySpecs } from "./authorization-rules";
import { MeshPolicyArgs, managedNamespace } from "./mtls-policy";

/** Deny-by-default AuthorizationPolicies with explicit allows by workload identity, per sample namespace. */
export class Authorization extends pulumi.ComponentResource {
    readonly policies: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: MeshPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:mesh:Authorization", name, {}, opts);
        this.policies = authorizationPolicySpecs(args.config).map((policy) => {
            const namespace = managedNamespace(args, policy.namespace, "Authorization");
            return new k8s.apiextensions.CustomResource(`authorization-${policy.namespace}-${policy.name}`, {
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                metadata: { name: policy.name, namespace: namespace.metadata.name },
                spec: policy.spec,
            }, { parent: this, dependsOn: args.mesh.istioConfigReady });
        });
        this.registerOutputs({});
    }
}
