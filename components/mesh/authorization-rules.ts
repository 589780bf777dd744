// Least-privilege service-to-service access for the samples: every sample namespace denies all by
// default, and each call the applications make is allowed by the caller's workload identity (its
// service account, which only mutual TLS can prove). The graph below is the samples' real call graph.
import { StackConfig } from "../config";
import {
    MeshWorkload, bookinfoNamespace, httpbinNamespace, ingressGatewayWorkload, principal, sampleWorkloads, wordpressNamespace,
} from "./mesh-inventory";

export interface AuthorizationPolicySpec {
    name: string;
    namespace: string;
    spec: Record<string, unknown>;
}

/** One allowed call: from a workload identity to the pods with `app: <to>` on their container ports. */
interface AllowedCall {
    from: { namespace: string; serviceAccount: string };
    to: { namespace: string; app: string };
}

const gateway = { namespace: ingressGatewayWorkload.namespace, serviceAccount: ingressGatewayWorkload.serviceAccount };

const allowedCalls: readonly AllowedCall[] = [
    { from: gateway, to: { namespace: wordpressNamespace, app: "wordpress" } },
    { from: { namespace: wordpressNamespace, serviceAccount: "wordpress" }, to: { namespace: wordpressNamespace, app: "mysql" } },
    { from: gateway, to: { namespace: bookinfoNamespace, app: "productpage" } },
    { from: { namespace: bookinfoNamespace, serviceAccount: "bookinfo-productpage" }, to: { namespace: bookinfoNamespace, app: "details" } },
    { from: { namespace: bookinfoNamespace, serviceAccount: "bookinfo-productpage" }, to: { namespace: bookinfoNamespace, app: "reviews" } },
    { from: { namespace: bookinfoNamespace, serviceAccount: "bookinfo-reviews" }, to: { namespace: bookinfoNamespace, app: "ratings" } },
    { from: gateway, to: { namespace: httpbinNamespace, app: "httpbin" } },
];

/** The container ports behind an app's Service: AuthorizationPolicy matches the port the pod receives on. */
function appPorts(workloads: readonly MeshWorkload[], namespace: string, app: string): string[] {
    const ports = workloads.filter((workload) => workload.namespace === namespace && workload.podLabels.app === app)
        .flatMap((workload) => workload.service?.ports.map((port) => String(port.targetPort)) ?? []);
    return [...new Set(ports)];
}

export function authorizationPolicySpecs(config: StackConfig): AuthorizationPolicySpec[] {
    const workloads = sampleWorkloads(config);
    const namespaces = [...new Set(workloads.map((workload) => workload.namespace))];
    const denyAll = namespaces.map((namespace) => ({
        // An ALLOW policy with an empty spec matches nothing, so every request not allowed below is denied.
        name: "allow-nothing", namespace, spec: {},
    }));
    const allows = allowedCalls
        .filter((call) => namespaces.includes(call.to.namespace))
        .map((call) => ({
            name: `allow-${call.from.serviceAccount.replace(/^bookinfo-/, "")}-to-${call.to.app}`,
            namespace: call.to.namespace,
            spec: {
                selector: { matchLabels: { app: call.to.app } },
                action: "ALLOW",
                rules: [{
                    from: [{ source: { principals: [principal(call.from.namespace, call.from.serviceAccount)] } }],
                    to: [{ operation: { ports: appPorts(workloads, call.to.namespace, call.to.app) } }],
                }],
            },
        }));
    return [...denyAll, ...allows];
}
