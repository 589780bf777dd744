// The Istio Gateway's spec: HTTPS on 443 with the configured TLS mode, and port 80 answering only with
// a redirect to HTTPS, so no route is ever served in clear text.

export type GatewayTlsMode = "SIMPLE" | "MUTUAL";

export interface GatewaySpecInput {
    /** Pod labels of the ingress gateway Deployment. */
    selector: Readonly<Record<string, string>>;
    hosts: readonly string[];
    tlsMode: GatewayTlsMode;
    /** A Secret in the gateway Deployment's namespace (Istio reads credentials only there). */
    credentialName: string;
    /**
     * Which namespaces' VirtualServices may bind each host: the Gateway's own (the stack's routes live
     * there) and those the stack manages for the hosts it routes from them (WordPress's own hosts).
     */
    routeNamespaces: readonly HostBinding[];
}

/** VirtualServices in `namespace` may publish `hosts` through the gateway. */
export interface HostBinding {
    namespace: string;
    hosts: readonly string[];
}

/**
 * The servers' `hosts` in Istio's `<namespace>/<dnsName>` form: a VirtualService binds to the Gateway only
 * for a host listed with its own namespace, so one created in any other namespace (a tenant's, by
 * mistake or on purpose) cannot publish through the stack's gateway, even with `hosts: ["*"]`. The bare
 * form would select VirtualService hosts "from any available namespace" (istio/api networking
 * gateway.proto, Server.hosts). Gateway hosts with no binding are listed for the Gateway's own
 * namespace, so the TLS server names stay the same.
 */
export function gatewayServerHosts(hosts: readonly string[], routeNamespaces: readonly HostBinding[]): string[] {
    const bound = routeNamespaces.flatMap((binding) => binding.hosts.filter((host) => hosts.includes(host)).map((host) => `${binding.namespace}/${host}`));
    return [...new Set(bound)];
}

export const httpsPort = 443;
export const httpPort = 80;

/**
 * The fields of Istio's `networking.istio.io/v1` Gateway spec this stack sets (Server, Port and
 * ServerTLSSettings in the Gateway CRD, reference/istio-1.30.3); tests validate the whole object against
 * @kubernetes-models/istio.
 */
export interface IstioGatewaySpec {
    selector: Record<string, string>;
    servers: {
        port: { number: number; name: string; protocol: "HTTPS" | "HTTP" };
        hosts: string[];
        tls: { mode: GatewayTlsMode; credentialName: string } | { httpsRedirect: true };
    }[];
}

export function gatewaySpec(input: GatewaySpecInput): IstioGatewaySpec {
    const hosts = gatewayServerHosts(input.hosts, input.routeNamespaces);
    return {
        selector: { ...input.selector },
        servers: [
            {
                port: { number: httpsPort, name: "https", protocol: "HTTPS" },
                hosts,
                tls: { mode: input.tlsMode, credentialName: input.credentialName },
            },
            {
                port: { number: httpPort, name: "http", protocol: "HTTP" },
                hosts,
                tls: { httpsRedirect: true },
            },
        ],
    };
}
