// iks-lb-backend (VPC, ALB path): which ALBs the VPC load balancer of the class's type forwards to,
// from `ibmcloud ks ingress load-balancer get --output json` (GET /ingress/v2/load-balancer/configuration).
// The published shape of that answer (bluemix-go ALBLBConfig, container-services-go-sdk LBConfig:
// cluster, type, proxyProtocol) predates `ingress load-balancer backend set` (2026), and no published
// source names the field that holds the backend. So the check reads it by name as the deploy does
// (alb-check.ts parseLoadBalancerBackend), and when the answer names none it SKIPs, printing the keys
// IBM answered: that line is what issue #24 still needs from a real account. Read-only.
import { isTraefikIngressClass } from "../../components/ibm/alb-spec";
import { parseLoadBalancerBackend } from "../../components/ibm/scripts/alb-check";
import { IbmCloud } from "../../components/ibm/scripts/ibmcloud";
import { iksCheckIds } from "./iks-cli";
import { CheckResult, fail, pass, skip } from "./report";

const id = iksCheckIds.lbBackend;

/** The key paths of a JSON answer (`proxyProtocol.enable`), to show its shape without its values. */
export function keyPaths(value: unknown, prefix = ""): string[] {
    if (Array.isArray(value)) {
        const below = [...new Set(value.flatMap((item) => keyPaths(item, `${prefix}[]`)))];
        return below.length > 0 || prefix === "" ? below : [`${prefix}[]`];
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, child]) => {
            const here = prefix ? `${prefix}.${key}` : key;
            const below = keyPaths(child, here);
            return below.length > 0 ? below : [here];
        });
    }
    return [];
}

export function decideLbBackend(answer: unknown, ingressClass: string, cluster: string): CheckResult {
    const type = ingressClass.startsWith("private-") ? "private" : "public";
    const wanted = isTraefikIngressClass(ingressClass) ? "traefik" : "nginx";
    const backend = parseLoadBalancerBackend(answer, type);
    if (!backend) {
        return skip(id, `ibmcloud ks ingress load-balancer get names no backend (its keys: ${keyPaths(answer).join(", ") || "none"}); ` +
            "record this answer in issue #24 so the check can read it");
    }
    if (backend !== wanted) {
        return fail(id, `the ${type} load balancer of cluster ${cluster} forwards to the ${backend} ALBs, but iks.alb.ingressClass is ${ingressClass}: ` +
            `ibmcloud ks ingress load-balancer backend set --cluster ${cluster} --${type}-backend ${wanted}`);
    }
    return pass(id, `the ${type} load balancer of cluster ${cluster} forwards to the ${backend} ALBs, which serve ${ingressClass}`);
}

export async function checkLbBackend(cli: IbmCloud, input: { infrastructure: "classic" | "vpc"; albEnabled: boolean; ingressClass: string }): Promise<CheckResult> {
    if (!input.albEnabled) {
        return skip(id, "iks.alb.enabled is false");
    }
    if (input.infrastructure !== "vpc") {
        return skip(id, "classic: ALBs are reached through the Ingress domain, not a VPC load balancer (the deploy checks where the domain points)");
    }
    await cli.ensureReady();
    const answer = await cli.retry("ibmcloud ks ingress load-balancer get", () =>
        cli.json(["ks", "ingress", "load-balancer", "get", "--cluster", cli.settings.cluster, "--output", "json"]));
    return decideLbBackend(answer, input.ingressClass, cli.settings.cluster);
}
