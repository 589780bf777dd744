// What the ingress gateway serves, decided from config alone, so the PKI, the gateway and the mTLS
// analysis (which runs before any resource exists) all work from the same answer.
import { albApps } from "../ibm/alb-spec";
import { StackConfig } from "../config/schema";
import { GatewayTlsMode } from "./gateway-spec";

/**
 * Hosts of the gateway off IKS: `gateway.hosts` plus WordPress's own hosts, which its VirtualService
 * binds to this gateway and which the gateway must therefore serve (and its certificate name).
 */
export function configuredGatewayHosts(config: StackConfig): string[] {
    const wordpressHosts = config.wordpress.enabled ? config.wordpress.hosts : [];
    return [...new Set([...config.gateway.hosts, ...wordpressHosts])];
}

/**
 * MUTUAL whenever the IKS ALB re-encrypts to the gateway: then only holders of a certificate from
 * our private CA (the ALB, operators) get in. Otherwise `gateway.tlsMode`.
 */
export function gatewayTlsMode(config: StackConfig): GatewayTlsMode {
    const albInFront = config.iks.enabled && config.iks.alb.enabled && albApps(config).length > 0;
    return albInFront ? "MUTUAL" : config.gateway.tlsMode;
}
