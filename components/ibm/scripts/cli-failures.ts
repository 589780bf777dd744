// What a failed ibmcloud call means, from its output (IBM documents no exit codes): a missing IAM
// role is not worth a retry and must say which role; an expired or overwritten login is fixed by
// logging in again; only a transient fault of the service or the network is retried.

export type CliFailureKind = "permission" | "login" | "transient" | "other";

const permissionPatterns = [
    /not authori[sz]ed/i,
    /do(?:es)? not have (?:the )?(?:required |necessary |sufficient )?(?:permission|access|privilege)/i,
    /don'?t have (?:the )?(?:required |necessary |sufficient )?(?:permission|access|privilege)/i,
    /doesn'?t have enough privileges/i,
    /insufficient (?:permission|privilege|access)/i,
    /permission denied/i,
    /\bforbidden\b/i,
    /\b403\b/,
];

const loginPatterns = [
    /not logged in/i,
    /log ?in again/i,
    /session (?:has )?expired/i,
    /token (?:is |has )?expired/i,
    /unable to refresh/i,
];

const transientPatterns = [
    /internal server error/i,
    /try again later/i,
    /timed? ?out/i,
    /temporar(?:y|ily)/i,
    /service unavailable/i,
    /bad gateway/i,
    /too many requests/i,
    /\b(?:429|500|502|503|504)\b/,
    /connection (?:reset|refused)/i,
    /\bEOF\b/,
    /dial tcp/i,
    /TLS handshake/i,
    /stopped by SIG/,
];

/** The kind of a failure, from the CLI's output; permission wins over everything, login over transient. */
export function classifyFailure(output: string): CliFailureKind {
    if (permissionPatterns.some((pattern) => pattern.test(output))) {
        return "permission";
    }
    if (loginPatterns.some((pattern) => pattern.test(output))) {
        return "login";
    }
    if (transientPatterns.some((pattern) => pattern.test(output))) {
        return "transient";
    }
    return "other";
}

/**
 * The IAM role a command needs, as IBM's CLI reference lists under "Minimum required permissions"
 * (ibm-cloud-docs/containers cli-ks-plugin.md): reading needs Viewer, NLB DNS changes Editor, and
 * Ingress secret changes the Administrator platform access role for the cluster.
 */
export function requiredRole(args: readonly string[]): string {
    const command = args.filter((arg) => !arg.startsWith("-")).slice(0, 4).join(" ");
    if (/^ks ingress secret (create|rm|update)/.test(command)) {
        return "Administrator platform access role for the cluster in Kubernetes Service";
    }
    if (/^ks nlb-dns (create|add|replace|rm|secret)/.test(command)) {
        return "Editor platform access role for the cluster in Kubernetes Service";
    }
    return "Viewer platform access role for the cluster in Kubernetes Service";
}
