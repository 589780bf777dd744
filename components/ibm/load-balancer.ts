// The address IKS gave the ingress gateway's LoadBalancer Service: an IP on classic infrastructure,
// a hostname on VPC (where the load balancer is a VPC load balancer with a DNS name).

export type IksInfrastructure = "classic" | "vpc";

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
