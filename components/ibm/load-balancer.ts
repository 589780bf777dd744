// The address IKS gave the ingress gateway's LoadBalancer Service: an IP on classic infrastructure,
// a hostname on VPC (where the load balancer is a VPC load balancer with a DNS name).

import { StackConfig } from "../config/schema";

export type IksInfrastructure = "classic" | "vpc";

/** IKS's cloud provider reads these on a LoadBalancer Service (IBM: "Classic/VPC load balancer annotations"). */
export const ipTypeAnnotation = "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type";
export const vpcLoadBalancerNameAnnotation = "service.kubernetes.io/ibm-load-balancer-cloud-provider-vpc-lb-name";

/**
 * The VPC load balancer's name. IBM: with this annotation the VPC load balancer is kept when the
 * cluster is deleted, while deleting the Service still deletes it; so it does not carry a hostname
 * across a re-created Service (the NLB subdomain follows a new address by `nlb-dns replace` instead,
 * scripts/nlb-dns.ts). What it buys: a load balancer named `<cluster>-<stack>-istio-gateway`, which an
 * operator can find and delete by that name (`ibmcloud is load-balancer-delete <name>`) when it
 * outlives its cluster and keeps being billed (docs/iks.md), instead of a generated name.
 * VPC names are lowercase letters, digits and hyphens, start with a letter, at most 63 characters.
 */
export function vpcLoadBalancerName(cluster: string, stack: string): string {
    const name = `${cluster}-${stack}-istio-gateway`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
    return (/^[a-z]/.test(name) ? name : `lb-${name}`).slice(0, 63).replace(/-$/, "");
}

/** The annotations the gateway's Service gets on IKS: its visibility, and on VPC its stable name. */
export function gatewayServiceAnnotations(iks: StackConfig["iks"], stack: string): Record<string, string> {
    if (!iks.enabled) {
        return {};
    }
    return {
        [ipTypeAnnotation]: iks.loadBalancer.visibility,
        ...(iks.infrastructure === "vpc" && iks.cluster ? { [vpcLoadBalancerNameAnnotation]: vpcLoadBalancerName(iks.cluster, stack) } : {}),
    };
}

interface LoadBalancerIngress {
    ip?: string;
    hostname?: string;
}

export interface ServiceStatusLike {
    loadBalancer?: { ingress?: readonly LoadBalancerIngress[] };
}

/** The address `nlb-dns create` registers; throws a message naming the Service when there is none (yet). */
export function loadBalancerAddress(status: ServiceStatusLike | undefined, infrastructure: IksInfrastructure, service: string): string {
    const ingress = status?.loadBalancer?.ingress ?? [];
    if (infrastructure === "classic") {
        const ip = ingress.map((entry) => entry.ip).find((value): value is string => Boolean(value));
        if (ip) {
            return ip;
        }
        const hostname = ingress.map((entry) => entry.hostname).find(Boolean);
        throw new Error(hostname
            ? `The gateway Service ${service} has load-balancer hostname ${hostname}, not an IP: that is a VPC cluster. ` +
              "Fix: pulumi config set --path iks.infrastructure vpc"
            : `The gateway Service ${service} has no load-balancer IP yet; IKS assigns one within minutes. Run pulumi up again`);
    }
    const address = ingress.map((entry) => entry.hostname || entry.ip).find((value): value is string => Boolean(value));
    if (!address) {
        throw new Error(`The gateway Service ${service} has no load-balancer hostname yet; VPC load balancers take a few minutes. Run pulumi up again`);
    }
    return address;
}
