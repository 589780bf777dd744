// What the mesh's certificates look like: key algorithms, allowed uses, lifetimes and names. Plain
// functions, so the same choices drive both MeshPki and the test that proves the trust layout works.
import { StackConfig } from "../config/schema";

export type KeyAlgorithm = StackConfig["pki"]["keyAlgorithm"];

/** Arguments for a `tls.PrivateKey`. */
export interface PrivateKeySpec {
    algorithm: KeyAlgorithm;
    ecdsaCurve?: "P256";
    rsaBits?: number;
}

/**
 * @pulumi/tls defaults ECDSA keys to P-224, a curve TLS 1.3 does not negotiate and that BoringSSL
 * (Envoy), Go and most curl builds refuse; P-256 is the curve every TLS stack supports. RSA below 2048
 * bits is rejected by current OpenSSL security levels.
 */
export function privateKeySpec(algorithm: KeyAlgorithm): PrivateKeySpec {
    return algorithm === "ECDSA" ? { algorithm, ecdsaCurve: "P256" } : { algorithm, rsaBits: 2048 };
}

/** Allowed uses in @pulumi/tls's snake_case names (the X.509 key usage and extended key usage bits). */
export type AllowedUse =
    | "digital_signature" | "key_encipherment" | "cert_signing" | "crl_signing" | "server_auth" | "client_auth";

/** The root CA signs certificates and revocation lists; digital_signature lets it sign OCSP responses too. */
export const caAllowedUses: readonly AllowedUse[] = ["cert_signing", "crl_signing", "digital_signature"];

/**
 * key_encipherment belongs to RSA keys only (TLS 1.2 RSA key exchange encrypts to the server's key);
 * RFC 5480 §3 forbids asserting it on an ECDSA key, which only ever signs.
 */
function leafKeyUsages(algorithm: KeyAlgorithm): AllowedUse[] {
    return algorithm === "RSA" ? ["digital_signature", "key_encipherment"] : ["digital_signature"];
}

/** The gateway's server certificate: TLS server authentication only, so it cannot pose as a client. */
export function serverAllowedUses(algorithm: KeyAlgorithm): AllowedUse[] {
    return ["server_auth", ...leafKeyUsages(algorithm)];
}

/** The client certificate (IKS ALB, curl): TLS client authentication only, so it cannot serve a host. */
export function clientAllowedUses(algorithm: KeyAlgorithm): AllowedUse[] {
    return ["client_auth", ...leafKeyUsages(algorithm)];
}

/**
 * The CA outlives its leaves many times over, so renewing a leaf (every `pki.validityHours`) never
 * needs a new CA, and clients that pinned the CA certificate keep working across leaf renewals.
 */
export const caValidityMultiplier = 10;

export function caValidityHours(pki: StackConfig["pki"]): number {
    return pki.validityHours * caValidityMultiplier;
}

/** The in-cluster address of the gateway's Service. */
export interface GatewayServiceAddress {
    name: string;
    namespace: string;
}

/**
 * DNS names of the gateway's server certificate: the configured hosts (wildcards such as
 * `*.example.com` are valid certificate names). A bare `*` host means "any Host header", but a
 * certificate for `*` matches no name a client can dial, so in that case the certificate names what
 * callers can actually reach without DNS: the gateway Service's in-cluster names (in-cluster callers,
 * the ALB's `proxy-ssl-name`) and `localhost` (`kubectl port-forward`, which the curl outputs use).
 */
export function serverDnsNames(hosts: readonly string[], service: GatewayServiceAddress): string[] {
    const names = hosts.filter((host) => host !== "*");
    if (hosts.includes("*") || names.length === 0) {
        names.push(`${service.name}.${service.namespace}.svc`, `${service.name}.${service.namespace}.svc.cluster.local`, "localhost");
    }
    return [...new Set(names)];
}

/** Certificate subjects; the stack name tells apart the CAs of several stacks on one workstation. */
export function certificateSubjects(stack: string): Record<"ca" | "server" | "client", { commonName: string; organization: string }> {
    const organization = "iks-mesh";
    return {
        ca: { commonName: `iks-mesh root CA (${stack})`, organization },
        server: { commonName: `iks-mesh gateway (${stack})`, organization },
        client: { commonName: `iks-mesh gateway client (${stack})`, organization },
    };
}
