// The roots that sign IBM's NLB and Ingress certificates (Let's Encrypt), for clients that must verify
// the gateway when it presents IBM's certificate. They come from the root store bundled with Node
// rather than a copied PEM: a copy goes stale (the seeds' trustid-x3-root.pem expired in 2021).
//
// Let's Encrypt's chains run through its Generation Y roots since June 2026 (ISRG Root YR, RSA, and
// YE, ECDSA), cross-signed by X1 and X2, four certificates deep. Node 24.21's store holds only X1 and
// X2 (checked with tls.rootCertificates), so verification reaches them through the cross-signed Y
// certificate that the served chain carries; YR and YE are taken too as soon as a Node release ships
// them. Roots are matched by subject organisation and common name, never by common name alone.
import { X509Certificate } from "crypto";
import { rootCertificates } from "tls";

/** Let's Encrypt's root CA, as the subject organisation of every root it runs. */
export const letsEncryptRootOrganisation = "Internet Security Research Group";

/** Common names of Let's Encrypt's roots: RSA (X1, YR) and ECDSA (X2, YE). */
export const letsEncryptRootNames = ["ISRG Root X1", "ISRG Root X2", "ISRG Root YR", "ISRG Root YE"] as const;

function subjectField(subject: string, field: string): string | undefined {
    return subject.split("\n").find((part) => part.startsWith(`${field}=`))?.slice(field.length + 1);
}

/** Whether an X.509 subject (Node's `X509Certificate.subject`, one `KEY=value` a line) is one of Let's Encrypt's roots. */
export function isLetsEncryptRoot(subject: string): boolean {
    const name = subjectField(subject, "CN");
    return subjectField(subject, "O") === letsEncryptRootOrganisation
        && name !== undefined && (letsEncryptRootNames as readonly string[]).includes(name);
}

/** The ISRG roots from a root store, as one PEM bundle; throws when the store has none of them. */
export function letsEncryptRootsPem(store: readonly string[] = rootCertificates): string {
    const roots = store.filter((pem) => isLetsEncryptRoot(new X509Certificate(pem).subject));
    if (roots.length === 0) {
        throw new Error(`Node's bundled root store has none of ${letsEncryptRootNames.join(", ")}; ` +
            "upgrade Node.js (X1 and X2 are in every release since Node 16)");
    }
    return roots.map((pem) => `${pem.trim()}\n`).join("");
}
