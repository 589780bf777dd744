import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { plannedAuthorizationPolicies, plannedWaypointNamespaces, waypointGatewaySpec, waypointName, waypointWaitFor } from "./ambient";
import { waitForAnnotation } from "../validation-webhooks";
import { MeshPolicyArgs, managedNamespace } from "../mtls/mtls-policy";

/**
 * Deny-by-default AuthorizationPolicies with explicit allows by workload identity, per sample namespace.
 * In ambient mode also the waypoints that enforce the policies ztunnel cannot (ambient-authorization.ts).
 */
export class Authorization extends pulumi.ComponentResource {
    readonly policies: k8s.apiextensions.CustomResource[];
    /** Ambient mode: one waypoint (a Gateway API Gateway of class istio-waypoint) per namespace that needs L7. */
    readonly waypoints: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: MeshPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:mesh:Authorization", name, {}, opts);
        // istiod's gateway controller deploys each waypoint; the Gateway API CRDs must exist first.
        this.waypoints = plannedWaypointNamespaces(args.config).map((namespaceName) =>
            new k8s.apiextensions.CustomResource(`waypoint-${namespaceName}`, {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                // Awaited until Programmed, so `pulumi up` fails where a waypoint never comes up instead of reporting success.
                metadata: {
                    name: waypointName, namespace: managedNamespace(args, namespaceName, "Authorization").metadata.name,
                    annotations: { [waitForAnnotation]: waypointWaitFor },
                },
                spec: waypointGatewaySpec(),
            }, { parent: this, dependsOn: [...args.mesh.gatewayApiCrds, args.mesh.dataplaneReady] }));
        this.policies = plannedAuthorizationPolicies(args.config).map((policy) => {
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
