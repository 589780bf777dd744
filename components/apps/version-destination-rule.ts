// DestinationRules that name a Service's versions as subsets, for routes that pick a version.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceHost } from "../edge/routes";
import { versionSubsets } from "./sample-names";

export interface VersionDestinationRuleArgs {
    /** Namespace of the Service, and of the rule. */
    namespace: pulumi.Input<string>;
    namespaceName: string;
    service: string;
    versions: readonly string[];
}

/**
 * Subsets only, no trafficPolicy: auto mTLS already encrypts every call, and a `tls` setting here
 * would override it (a DISABLE or SIMPLE rule to a STRICT server breaks the call). The host is fully
 * qualified so the rule means the same Service wherever a VirtualService (e.g. the gateway's) uses it.
 */
export function versionDestinationRule(
    name: string, args: VersionDestinationRuleArgs, opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(name, {
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: args.service, namespace: args.namespace },
        spec: {
            host: serviceHost(args.service, args.namespaceName),
            subsets: versionSubsets(args.versions),
        },
    }, opts);
}
