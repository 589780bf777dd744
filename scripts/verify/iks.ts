// verify's IKS checks (iks-nlb-subdomain, iks-ingress-secret, iks-lb-backend): read-only ibmcloud calls
// as the operator through the deploy scripts' runner. checks.ts loads this module only for a stack with
// iks.enabled, so that no other stack's run loads components/ibm/scripts.
import { StackConfig } from "../../components/config/schema";
import { ServiceStatusLike, loadBalancerAddress } from "../../components/ibm/load-balancer";
import { IbmCloud } from "../../components/ibm/scripts/ibmcloud";
import { iksCheckIds, verifyCliSettings } from "./iks-cli";
import { checkIngressSecret } from "./iks-ingress-secret";
import { checkLbBackend } from "./iks-lb-backend";
import { checkNlbSubdomain } from "./iks-nlb-subdomain";
import { CheckResult, fail, guarded } from "./report";
import { Kubectl, firstLine } from "./stack-cluster";
import { StackOutputs } from "./stack-data";

/** verify's IKS part: read-only ibmcloud calls as the operator, one runner (and CLI home) for all three. */
export async function checkIks(config: StackConfig, stack: string, outputs: StackOutputs, kubectl: Kubectl): Promise<CheckResult[]> {
    const ids = [iksCheckIds.nlbSubdomain, iksCheckIds.ingressSecret, iksCheckIds.lbBackend];
    const settings = verifyCliSettings(config.iks, stack, process.env);
    if ("problem" in settings) {
        return ids.map((id) => fail(id, settings.problem));
    }
    const gatewayNamespace = outputs.gatewayNamespace ?? "istio-system";
    let address: string | undefined;
    if (outputs.gatewayService) {
        const service = await kubectl(["-n", gatewayNamespace, "get", "service", outputs.gatewayService, "-o", "json"]);
        try {
            address = service.code === 0 ? loadBalancerAddress((JSON.parse(service.stdout) as { status?: ServiceStatusLike }).status, config.iks.infrastructure,
                `${gatewayNamespace}/${outputs.gatewayService}`) : undefined;
        } catch {
            address = undefined;
        }
    }
    const readCertificate = async (namespace: string, name: string): Promise<string | undefined> => {
        const got = await kubectl(["-n", namespace, "get", "secret", name, "-o", "jsonpath={.data.tls\\.crt}"]);
        if (got.code !== 0) {
            if (/NotFound|not found/i.test(got.stderr)) {
                return undefined;
            }
            throw new Error(`kubectl could not read secret ${namespace}/${name}: ${firstLine(got.stderr)}`);
        }
        return got.stdout.trim();
    };
    const cli = new IbmCloud(settings);
    try {
        return [
            ...await guarded([iksCheckIds.nlbSubdomain], () => checkNlbSubdomain(cli, {
                ...(outputs.nlbSubdomain ? { subdomain: outputs.nlbSubdomain } : {}), secretNamespace: gatewayNamespace, ...(address ? { address } : {}),
            })),
            ...await guarded([iksCheckIds.ingressSecret], () => checkIngressSecret(cli, {
                albEnabled: config.iks.alb.enabled, gatewayNamespace, readCertificate,
            })),
            ...await guarded([iksCheckIds.lbBackend], () => checkLbBackend(cli, {
                infrastructure: config.iks.infrastructure, albEnabled: config.iks.alb.enabled, ingressClass: config.iks.alb.ingressClass,
            })),
        ];
    } finally {
        cli.close();
    }
}
