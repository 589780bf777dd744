// Ready-to-paste curl commands for the stack outputs. They reach the gateway through
// `kubectl port-forward`, which works on every cluster (kind and minikube have no load balancer), and
// keep the requested host name with `--connect-to`, so SNI and the Host header are the real ones and
// certificate verification is not switched off. Private keys are never part of a command: the MUTUAL
// command writes the key to a file from the secret stack output at run time. Users `eval` these
// commands, so every value from config or from `ibmcloud` output (path, host, Service) is shell-quoted.
import { shellQuote } from "../core/shell";

/** The stack outputs the commands read. index.ts must export these names. */
export const curlStackOutputs = {
    caCertificate: "caCertificatePem",
    clientCertificate: "clientCertificatePem",
    clientPrivateKey: "clientPrivateKeyPem",
} as const;

/** Files the commands write in the current directory. */
export const curlFiles = { ca: "mesh-ca.crt", cert: "mesh-client.crt", key: "mesh-client.key" } as const;

const localPort = 8443;

export interface CurlCommandInput {
    /** The gateway's hosts; the command calls the first, with a concrete name for a wildcard. */
    hosts: readonly string[];
    /** A path the routes serve; `/` when there are none (the gateway then answers 404, but TLS is proven). */
    path: string;
    mutual: boolean;
    /** The gateway's Service, for `kubectl port-forward`. */
    service: { name: string; namespace: string };
    /**
     * The gateway has a public name with a publicly trusted certificate (IKS: the NLB subdomain with
     * IBM's Let's Encrypt certificate): call it directly and verify with the system's roots.
     */
    publicName?: boolean;
}

/** Writes the client certificate and, readable only by the user, its key from the stack outputs. */
function clientFileCommands(): string[] {
    return [
        `pulumi stack output ${curlStackOutputs.clientCertificate} > ${curlFiles.cert}`,
        `(umask 077 && pulumi stack output --show-secrets ${curlStackOutputs.clientPrivateKey} > ${curlFiles.key})`,
    ];
}

/**
 * A name for curl's URL: the first host; `*.example.com` becomes `mesh.example.com`, and `*` becomes
 * `localhost`, a name the server certificate carries for exactly this case.
 */
export function curlHost(hosts: readonly string[]): string {
    const host = hosts[0] ?? "*";
    if (host === "*") {
        return "localhost";
    }
    return host.startsWith("*.") ? `mesh.${host.slice(2)}` : host;
}

/** The path to call: the catch-all route if there is one, else the first route, else `/`. */
export function curlPath(prefixes: readonly string[]): string {
    if (prefixes.length === 0 || prefixes.includes("/")) {
        return "/";
    }
    return prefixes[0];
}

export function gatewayCurlCommand(input: CurlCommandInput): string {
    const host = curlHost(input.hosts);
    if (input.publicName) {
        const curl = [
            "curl -sS -o /dev/null -w 'HTTP %{http_code}\\n'",
            ...(input.mutual ? [`--cert ${curlFiles.cert}`, `--key ${curlFiles.key}`] : []),
            shellQuote(`https://${host}${input.path}`),
        ].join(" ");
        return input.mutual ? [...clientFileCommands(), curl].join(" && ") : curl;
    }
    const writeCa = `pulumi stack output ${curlStackOutputs.caCertificate} > ${curlFiles.ca}`;
    const writeClient = clientFileCommands();
    const curl = [
        "curl -sS -o /dev/null -w 'HTTP %{http_code}\\n'",
        `--cacert ${curlFiles.ca}`,
        ...(input.mutual ? [`--cert ${curlFiles.cert}`, `--key ${curlFiles.key}`] : []),
        `--connect-to ::127.0.0.1:${localPort}`,
        shellQuote(`https://${host}${input.path}`),
    ].join(" ");
    return [
        `kubectl -n ${shellQuote(input.service.namespace)} port-forward ${shellQuote(`svc/${input.service.name}`)} ${localPort}:443 >/dev/null & PF=$!; sleep 3`,
        [writeCa, ...(input.mutual ? writeClient : []), curl].join(" && "),
        "kill $PF",
    ].join("; ");
}
