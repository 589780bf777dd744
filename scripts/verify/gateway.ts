// The ingress gateway seen from outside: where to connect, which name to ask for, and what its answers
// (or refusals) mean. HTTPS requests are made with Node's own TLS client, so the client's private key
// stays in memory; it is never written to a file or put on a command line.
import { curlHost } from "../../components/edge/curl-commands";
import { CheckResult, fail, pass, skip } from "./report";

export const gatewayCheckIds = { https: "gateway-https", mutualTls: "gateway-mutual-tls" } as const;

/** httpbin's teapot, the check that the gateway routes to a meshed service. */
export const teapotPath = "/status/418";
export const teapotStatus = 418;

export type GatewayEndpoint =
    | { kind: "direct"; address: string; port: number }
    | { kind: "port-forward"; servicePort: number; reason: string };

interface ServiceLike {
    spec?: { type?: string; ports?: { name?: string; port: number }[] };
    status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/**
 * Where to reach the gateway's HTTPS port: its load balancer when it has an address (the real path),
 * else `kubectl port-forward` to the Service (kind, minikube, NodePort or ClusterIP gateways).
 */
export function gatewayEndpoint(serviceJson: string): GatewayEndpoint | { problem: string } {
    const service = JSON.parse(serviceJson) as ServiceLike;
    const https = (service.spec?.ports ?? []).find((port) => port.name === "https") ??
        (service.spec?.ports ?? []).find((port) => port.port === 443);
    if (!https) {
        return { problem: "the gateway Service has no https port" };
    }
    const ingress = service.status?.loadBalancer?.ingress?.[0];
    const address = ingress?.ip ?? ingress?.hostname;
    if (service.spec?.type === "LoadBalancer" && address) {
        return { kind: "direct", address, port: https.port };
    }
    const reason = service.spec?.type === "LoadBalancer" ? "the load balancer has no address yet" : `the Service is ${service.spec?.type ?? "ClusterIP"}`;
    return { kind: "port-forward", servicePort: https.port, reason };
}

/** The local port from `kubectl port-forward svc/x :443` ("Forwarding from 127.0.0.1:40123 -> 8443"). */
export function parsePortForward(output: string): number | undefined {
    const match = /Forwarding from (?:127\.0\.0\.1|\[::1\]):(\d+) ->/.exec(output);
    return match ? Number(match[1]) : undefined;
}

/**
 * The name to send as SNI and Host: the first gateway host, a concrete name for a wildcard, and for
 * `*` the name the server certificate carries for exactly that case (the rule the curl outputs use).
 */
export function gatewayServerName(hosts: readonly string[]): string {
    return curlHost(hosts);
}

/** One HTTPS exchange as verify sees it: a status and headers, or a transport error. */
export type HttpsResult =
    | { status: number; headers: Readonly<Record<string, string | string[] | undefined>> }
    | { error: { code: string; message: string } };

export type TransportFailure = "tls-refused" | "unreachable" | "untrusted" | "other";

/**
 * What a failed request means. A TLS alert or a reset after connecting is the server refusing the
 * handshake (what MUTUAL does to a client without a certificate); a refused or timed-out connection
 * says nothing about TLS; a certificate the client rejects is a trust problem on our side.
 */
export function classifyTransportError(error: { code: string; message: string }): TransportFailure {
    const { code, message } = error;
    if (/^(ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?)$/.test(code)) {
        return "untrusted";
    }
    if (code.startsWith("ERR_SSL_") || code === "EPROTO" || code === "ECONNRESET" || /alert|handshake failure|certificate required/i.test(message)) {
        return "tls-refused";
    }
    if (/^(ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|TIMEOUT)$/.test(code)) {
        return "unreachable";
    }
    return "other";
}

function describe(result: HttpsResult): string {
    return "status" in result ? `HTTP ${result.status}` : `${result.error.code}: ${result.error.message}`;
}

/** The gateway answered HTTPS with a certificate the stack's CA (or a public root on IKS) vouches for. */
export function decideGatewayHttps(url: string, result: HttpsResult, withClientCertificate: boolean): CheckResult {
    const id = gatewayCheckIds.https;
    const how = withClientCertificate ? " with the stack's client certificate" : "";
    if ("status" in result) {
        if (result.status === teapotStatus) {
            return pass(id, `${url}${how} answered ${teapotStatus} over TLS verified against the stack's CA`);
        }
        return fail(id, `${url}${how} answered ${result.status}, not ${teapotStatus}` +
            (result.status === 403 ? " (an AuthorizationPolicy denied the gateway)" : result.status === 404 ? " (no route)" : ""));
    }
    const kind = classifyTransportError(result.error);
    const hint = kind === "untrusted" ? " (the served certificate is not signed by the stack's CA or does not name the host)" :
        kind === "unreachable" ? " (the gateway could not be reached)" : "";
    return fail(id, `${url}${how}: ${describe(result)}${hint}`);
}

/**
 * MUTUAL mode: the handshake without a client certificate must be refused by the server, and the same
 * request with the stack's client certificate must get through.
 */
export function decideMutualTls(url: string, withoutCertificate: HttpsResult, withCertificate: HttpsResult): CheckResult {
    const id = gatewayCheckIds.mutualTls;
    const accepted = "status" in withCertificate && withCertificate.status === teapotStatus;
    if ("status" in withoutCertificate) {
        return fail(id, `${url} without a client certificate answered HTTP ${withoutCertificate.status}: MUTUAL is not enforced`);
    }
    const refusal = classifyTransportError(withoutCertificate.error);
    if (refusal !== "tls-refused") {
        return fail(id, `${url} without a client certificate failed, but not by a TLS refusal (${describe(withoutCertificate)})`);
    }
    if (!accepted) {
        return fail(id, `${url} refused a client without a certificate, but with the stack's client certificate it got ${describe(withCertificate)}`);
    }
    return pass(id, `${url} refused a client without a certificate (${withoutCertificate.error.code}) and answered ${teapotStatus} to the stack's client certificate`);
}

export function skipMutualTls(tlsMode: string): CheckResult {
    return skip(gatewayCheckIds.mutualTls, `the gateway's TLS mode is ${tlsMode}: clients are not asked for a certificate`);
}
