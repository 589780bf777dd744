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
    const hosts = [...input.hosts];
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
