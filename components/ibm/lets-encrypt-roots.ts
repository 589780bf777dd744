// The roots that sign IBM's NLB and Ingress certificates (Let's Encrypt), for clients that must verify
// the gateway when it presents IBM's certificate. They come from the root store bundled with Node
// rather than a copied PEM: a copy goes stale (the seeds' trustid-x3-root.pem expired in 2021).
import { X509Certificate } from "crypto";
import { rootCertificates } from "tls";

/** Common names of Let's Encrypt's roots: RSA (X1) and ECDSA (X2). */
export const letsEncryptRootNames = ["ISRG Root X1", "ISRG Root X2"] as const;

function commonName(certificate: X509Certificate): string | undefined {
    return certificate.subject.split("\n").find((part) => part.startsWith("CN="))?.slice(3);
}

/** The ISRG roots from a root store, as one PEM bundle; throws when the store has none of them. */
export function letsEncryptRootsPem(store: readonly string[] = rootCertificates): string {
    const roots = store.filter((pem) => {
        const name = commonName(new X509Certificate(pem));
        return name !== undefined && (letsEncryptRootNames as readonly string[]).includes(name);
    });
    if (roots.length === 0) {
        throw new Error(`Node's bundled root store has none of ${letsEncryptRootNames.join(", ")}; ` +
            "upgrade Node.js (they are in every release since Node 16)");
    }
    return roots.map((pem) => `${pem.trim()}\n`).join("");
}
