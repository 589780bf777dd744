// Which PEM goes into which Secret key. Istio's gateway reads its credential by these exact key names,
// and the MUTUAL trust decision hinges on the client CA landing in the right Secret, so the layout is
// one set of functions that the components and the trust test (test/unit/pki/tls-trust.spec.ts) share.

/** Name of the gateway's server credential Secret (the Gateway's `credentialName`), in the gateway's namespace. */
export const gatewayCredentialName = "mesh-gateway-credential";

/** Istio's key names for a TLS credential (the generic `cert`/`key`/`cacert` spelling works too). */
export const credentialKeys = { cert: "tls.crt", key: "tls.key", ca: "ca.crt" } as const;

/** Contents of a TLS credential: certificate, private key, and the CA certificate. */
// A type alias, not an interface: a Secret's `data` input needs the index signature only aliases get implicitly.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type TlsCredentialData<T> = { "tls.crt": T; "tls.key": T; "ca.crt": T };

/**
 * The gateway's server credential: what it presents (`tls.crt`, `tls.key`) and the CA that issued it
 * (`ca.crt`), so operators can read the chain clients must trust from one place.
 */
export function serverCredentialData<T>(material: { serverCertPem: T; serverKeyPem: T; caCertPem: T }): TlsCredentialData<T> {
    return {
        [credentialKeys.cert]: material.serverCertPem,
        [credentialKeys.key]: material.serverKeyPem,
        [credentialKeys.ca]: material.caCertPem,
    };
}

/**
 * For MUTUAL, Istio looks for the CA that verifies clients first in `<credentialName>-cacert`, then in
 * the credential itself. A separate Secret keeps that lookup unambiguous even when the server
 * credential is someone else's (the IKS NLB certificate), whose `ca.crt`, if any, is not our client CA.
 */
export function clientCaSecretName(credentialName: string): string {
    return `${credentialName}-cacert`;
}

/** The client CA Secret holds only the CA that issued the client certificates: nothing private. */
export function clientCaData<T>(caCertPem: T): { "ca.crt": T } {
    return { [credentialKeys.ca]: caCertPem };
}

/**
 * What a caller of the MUTUAL gateway holds (the IKS ALB's proxy-ssl Secret, curl's files): its client
 * certificate and key, and the CA to verify the gateway's server certificate with.
 */
export function clientCredentialData<T>(material: { clientCertPem: T; clientKeyPem: T; caCertPem: T }): TlsCredentialData<T> {
    return {
        [credentialKeys.cert]: material.clientCertPem,
        [credentialKeys.key]: material.clientKeyPem,
        [credentialKeys.ca]: material.caCertPem,
    };
}
