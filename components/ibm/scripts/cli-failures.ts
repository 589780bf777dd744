// What a failed ibmcloud call means, from its output (IBM documents no exit codes): a denial is not
// worth a retry and must say which role; an expired or overwritten login is fixed by logging in
// again; a prompt the CLI could not answer is a fault of the call; only a transient fault of the
// service or the network is retried.

export type CliFailureKind = "permission" | "login" | "prompt" | "transient" | "other";

/**
 * IBM's denial: "You do not have the correct permissions to perform this action, or the context
 * based rules prevent the action … (A0007)" (IKS API error A0007, as the container-service plugin
 * prints it). The same code covers a missing IAM role and a context-based restriction. The generic
 * HTTP wordings stay for denials that come from IAM itself rather than from IKS.
 */
const permissionPatterns = [
    /\bA0007\b/,
    /do not have the correct permissions/i,
    /context[- ]based (?:rules|restrictions?) prevent/i,
    /not authori[sz]ed/i,
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

/**
 * The CLI asked a question and found no answer: its prompt reads stdin, which the scripts close, and
 * fails "Could not read from input: EOF" (IBM-Cloud/ibm-cloud-cli-sdk bluemix/terminal/prompt.go,
 * resolveSingle/readLine). Retrying asks the same question again, so it is never transient.
 */
const promptPatterns = [
    /could not read from input/i,
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
    // A connection closed mid-request (Go's HTTP client: `Post "https://…": EOF`); a prompt's EOF is caught above.
    /\bEOF\b/,
    /dial tcp/i,
    /TLS handshake/i,
    /stopped by SIG/,
];

/** The kind of a failure, from the CLI's output; permission wins over everything, then login, then an unanswered prompt. */
export function classifyFailure(output: string): CliFailureKind {
    if (permissionPatterns.some((pattern) => pattern.test(output))) {
        return "permission";
    }
    if (loginPatterns.some((pattern) => pattern.test(output))) {
        return "login";
    }
    if (promptPatterns.some((pattern) => pattern.test(output))) {
        return "prompt";
    }
    if (transientPatterns.some((pattern) => pattern.test(output))) {
        return "transient";
    }
    return "other";
}

/**
 * The IAM role a command needs, as IBM's CLI reference lists under "Minimum required permissions"
 * (ibm-cloud-docs/containers cli-ks-plugin.md): every `nlb-dns` command, `ls` included, needs Editor;
 * every `ingress secret` command, `ls` and `get` included, needs Administrator; the other reads
 * (`cluster get`, `ingress alb ls`, `ingress lb get`, `ingress instance ls`) Viewer.
 */
export function requiredRole(args: readonly string[]): string {
    const command = args.filter((arg) => !arg.startsWith("-")).slice(0, 4).join(" ");
    if (command.startsWith("ks ingress secret ")) {
        return "Administrator platform access role for the cluster in Kubernetes Service";
    }
    if (command.startsWith("ks nlb-dns ")) {
        return "Editor platform access role for the cluster in Kubernetes Service";
    }
    return "Viewer platform access role for the cluster in Kubernetes Service";
}
