// The ibmcloud CLI as verify's read-only IKS checks use it: the same runner as the deploy scripts
// (components/ibm/scripts/ibmcloud.ts: plugin check, login, redaction, retries, A0007 as a denial),
// with the stack's cluster, region and resource group, and the operator's key (IBMCLOUD_API_KEY) or
// existing login. verify reads the config without --show-secrets, so the stack's iks.apiKey is not
// used here.
import { StackConfig } from "../../components/config/schema";
import { stackCliHome } from "../../components/ibm/ibmcloud-cli";
import { CliSettings, readCliSettings } from "../../components/ibm/scripts/ibmcloud";

/** Check ids of verify's IKS part, each decided in a file of its own (iks-*.ts). */
export const iksCheckIds = {
    nlbSubdomain: "iks-nlb-subdomain",
    ingressSecret: "iks-ingress-secret",
    lbBackend: "iks-lb-backend",
} as const;

/** The CLI settings for verify, or why the stack has none (IKS off, or no cluster named). */
export function verifyCliSettings(iks: StackConfig["iks"], stack: string, env: NodeJS.ProcessEnv): CliSettings | { problem: string } {
    if (!iks.enabled) {
        return { problem: "iks.enabled is false" };
    }
    if (!iks.cluster || !iks.region) {
        return { problem: "iks.cluster and iks.region name no cluster" };
    }
    return readCliSettings({
        IKS_CLUSTER: iks.cluster,
        IKS_REGION: iks.region,
        ...(iks.resourceGroup ? { IKS_RESOURCE_GROUP: iks.resourceGroup } : {}),
        // The stack's own CLI home (plugins shared with its deploys); each run logs in to a home of its own under it.
        IKS_MESH_IBMCLOUD_HOME: stackCliHome(stack),
        ...(env.IBMCLOUD_API_KEY ? { IBMCLOUD_API_KEY: env.IBMCLOUD_API_KEY } : {}),
        ...(env.IBMCLOUD_RETRY_ATTEMPTS ? { IBMCLOUD_RETRY_ATTEMPTS: env.IBMCLOUD_RETRY_ATTEMPTS } : {}),
        ...(env.IBMCLOUD_RETRY_BASE_SECONDS ? { IBMCLOUD_RETRY_BASE_SECONDS: env.IBMCLOUD_RETRY_BASE_SECONDS } : {}),
    });
}
