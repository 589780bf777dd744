// Shared by the spec files that run the IKS scripts against the stub `ibmcloud`
// (test/fixtures/ibmcloud-stub/): one cluster, an unrelated NLB subdomain that is never ours, the
// environment each command resource stores, and the assertions on a script's run. Sessions (stubs
// removed after the file) are ibm-scripts.ts's scriptSession.
import { apiKey, cluster } from "./ibm-scripts";

// The scenario, its constants and the run assertions are the scripts specs' own (ibm-scripts.ts), under
// the names these specs use.
export {
    apiKey as stubApiKey, cluster as stubCluster, gatewayIp as stubGatewayIp, gatewayHostname as stubGatewayHostname,
    ingressSubdomain as stubIngressSubdomain, unrelated as unrelatedRegistration, scenario as stubScenario, assertOk, assertFails,
} from "./ibm-scripts";

/** The CLI settings every IKS command resource stores, with the API key in the current environment. */
export function cliSettings(extra: Record<string, string> = {}): Record<string, string> {
    return { IKS_CLUSTER: cluster, IKS_REGION: "us-south", IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev", IBMCLOUD_API_KEY: apiKey, ...extra };
}

/** The environment of the AlbIngress copy command (and of its mode probe, which reads only the source). */
export function copySettings(extra: Record<string, string> = {}): Record<string, string> {
    return cliSettings({
        ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_SOURCE_NAMESPACE: "default", ALB_TARGET_SECRET: "iks-ingress-tls",
        ALB_TARGET_NAMESPACE: "istio-system", ALB_KUBERNETES_COPY_SECRET: "iks-ingress-tls-copy", ...extra,
    });
}
