// DestinationRules that name a Service's versions as subsets, for routes that pick a version.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceHost } from "../core/routes";
import { CarriedClientTls, carriedRuleParts } from "../mesh/mtls/client-tls";
import { versionSubsets } from "../inventory";

export interface VersionDestinationRuleArgs {
    /** Namespace of the Service, and of the rule. */
    namespace: pulumi.Input<string>;
    namespaceName: string;
    service: string;
    versions: readonly string[];
    /** A wildcard client policy's TLS for this Service (mesh/client-tls.ts); absent: auto mTLS. */
    clientTls?: CarriedClientTls;
}

/**
 * Subsets, and no trafficPolicy unless a wildcard client policy of the user's must be carried here
 * (Istio would not apply the wildcard to a host with a rule of its own): auto mTLS already encrypts
 * every call, and a `tls` setting overrides it. The host is fully
 * qualified so the rule means the same Service wherever a VirtualService (e.g. the gateway's) uses it.
 */
export function versionDestinationRule(
    name: string, args: VersionDestinationRuleArgs, opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    const carried = carriedRuleParts(args.clientTls);
    return new k8s.apiextensions.CustomResource(name, {
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: {
            name: args.service,
            namespace: args.namespace,
            ...(Object.keys(carried.annotations).length > 0 ? { annotations: carried.annotations } : {}),
        },
        spec: {
            host: serviceHost(args.service, args.namespaceName),
            ...(carried.trafficPolicy ? { trafficPolicy: carried.trafficPolicy } : {}),
            subsets: versionSubsets(args.versions),
        },
    }, opts);
}
