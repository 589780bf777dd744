// The `mesh-ca` check (mesh.ca: stack): the cluster's workloads trust exactly the stack's mesh root and
// hold certificates that chain up to it.
//   1. Every enabled sample namespace's `istio-ca-root-cert` ConfigMap, which istiod writes into each
//      namespace from the root of its CA (Istio "Plug in CA Certificates": with `cacerts`, that is
//      `root-cert.pem`), holds the same roots as the stack output `meshRootCertPem`.
//   2. In sidecar mode, a sample pod's workload certificate, read from its Envoy through
//      `pilot-agent request GET config_dump?resource=dynamic_active_secrets` (the command Istio's own test
//      framework runs in istio-proxy: istio/istio pkg/test/kube/dump.go, DumpPodProxies), verifies link by
//      link and ends at a root of that bundle; its ROOTCA secret is that bundle too. Envoy redacts private
//      keys in config dumps, and this check reads certificates only.
// In ambient mode the ConfigMaps are checked; a workload certificate lives in ztunnel, which has no shell
// to exec into, so that part is skipped and says so.
import { X509Certificate } from "crypto";
import { StackConfig } from "../../components/config/schema";
import { enrolledSampleNamespaces } from "./ambient";
import { PodLike, podHasSidecar } from "./mesh-probes";
import { CheckResult, fail, pass } from "./report";

export const meshCaCheckId = "mesh-ca";
/** The ConfigMap istiod publishes in every namespace, and its key. */
export const rootConfigMap = { name: "istio-ca-root-cert", key: "root-cert.pem" } as const;
/** The stack output with the trust bundle (index.ts `meshRootCertPem`). */
export const meshRootOutput = "meshRootCertPem";
export const sidecarContainer = "istio-proxy";
export const secretsDumpCommand = ["pilot-agent", "request", "GET", "config_dump?resource=dynamic_active_secrets"] as const;

/** The certificates of a PEM bundle, in order; a block that does not parse is a problem, not skipped. */
export function certificatesIn(pem: string): { certificates: X509Certificate[] } | { problem: string } {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) {
        return { problem: "holds no PEM certificate" };
    }
    try {
        return { certificates: blocks.map((block) => new X509Certificate(block)) };
    } catch (error) {
        return { problem: `holds a certificate that does not parse (${(error as Error).message})` };
    }
}

const short = (certificate: X509Certificate) =>
    `${/CN=([^\n]+)/.exec(certificate.subject)?.[1] ?? certificate.subject.replace(/\n/g, ", ")} (${certificate.fingerprint256.slice(0, 11)})`;

/** Compares two sets of roots by SHA-256 fingerprint; the text names what one has and the other lacks. */
export function sameRoots(expected: readonly X509Certificate[], found: readonly X509Certificate[]): string | undefined {
    const fingerprints = (list: readonly X509Certificate[]) => new Set(list.map((certificate) => certificate.fingerprint256));
    const want = fingerprints(expected);
    const have = fingerprints(found);
    const missing = expected.filter((certificate) => !have.has(certificate.fingerprint256)).map(short);
    const extra = found.filter((certificate) => !want.has(certificate.fingerprint256)).map(short);
    if (missing.length === 0 && extra.length === 0) {
        return undefined;
    }
    return [missing.length ? `lacks ${missing.join(", ")}` : "", extra.length ? `has ${extra.join(", ")} that the stack does not` : ""]
        .filter(Boolean).join(" and ");
}

/** `kubectl get configmap istio-ca-root-cert -o json` → the roots it publishes. */
export function rootsOfConfigMap(json: string): { certificates: X509Certificate[] } | { problem: string } {
    let data: unknown;
    try {
        data = (JSON.parse(json) as { data?: Record<string, unknown> }).data?.[rootConfigMap.key];
    } catch {
        return { problem: "is not JSON" };
    }
    if (typeof data !== "string") {
        return { problem: `has no ${rootConfigMap.key}` };
    }
    return certificatesIn(data);
}

interface EnvoySecret {
    name?: string;
    tls_certificate?: { certificate_chain?: { inline_bytes?: string } };
    validation_context?: { trusted_ca?: { inline_bytes?: string } };
}

/** Every `secret` object anywhere in a config dump: the filtered and the full shape both carry them. */
function secretsIn(value: unknown, found: EnvoySecret[] = []): EnvoySecret[] {
    if (Array.isArray(value)) {
        value.forEach((child) => secretsIn(child, found));
    } else if (typeof value === "object" && value !== null) {
        const object = value as Record<string, unknown>;
        if (typeof object.secret === "object" && object.secret !== null) {
            found.push(object.secret);
        }
        Object.values(object).forEach((child) => secretsIn(child, found));
    }
    return found;
}

/**
 * The workload certificate chain (`default`) and the trusted roots (`ROOTCA`) Istio's agent hands Envoy
 * over SDS (Envoy admin SecretsConfigDump: `secret.tls_certificate.certificate_chain.inline_bytes` and
 * `secret.validation_context.trusted_ca.inline_bytes`, bytes as base64 in JSON).
 */
export function workloadSecrets(configDumpJson: string): { chain: X509Certificate[]; roots: X509Certificate[] } | { problem: string } {
    let dump: unknown;
    try {
        dump = JSON.parse(configDumpJson);
    } catch {
        return { problem: "the config dump is not JSON" };
    }
    const secrets = secretsIn(dump);
    const chainBytes = secrets.find((secret) => secret.name === "default")?.tls_certificate?.certificate_chain?.inline_bytes;
    const rootBytes = secrets.find((secret) => secret.name === "ROOTCA")?.validation_context?.trusted_ca?.inline_bytes;
    if (!chainBytes || !rootBytes) {
        return { problem: `the proxy holds no ${!chainBytes ? "workload certificate (secret default)" : "root bundle (secret ROOTCA)"} yet` };
    }
    const chain = certificatesIn(Buffer.from(chainBytes, "base64").toString("utf8"));
    const roots = certificatesIn(Buffer.from(rootBytes, "base64").toString("utf8"));
    if ("problem" in chain) {
        return { problem: `its workload certificate chain ${chain.problem}` };
    }
    if ("problem" in roots) {
        return { problem: `its ROOTCA ${roots.problem}` };
    }
    return { chain: chain.certificates, roots: roots.certificates };
}

/** Each certificate is signed by the next, and the last is, or is signed by, one of the roots. */
export function chainEndsAt(chain: readonly X509Certificate[], roots: readonly X509Certificate[]): { root: X509Certificate } | { problem: string } {
    for (let index = 0; index + 1 < chain.length; index++) {
        const [child, issuer] = [chain[index], chain[index + 1]];
        if (!child.checkIssued(issuer) || !child.verify(issuer.publicKey)) {
            return { problem: `certificate ${index + 1} of the chain (${short(child)}) is not signed by the next (${short(issuer)})` };
        }
    }
    const last = chain[chain.length - 1];
    const root = roots.find((candidate) => candidate.fingerprint256 === last.fingerprint256)
        ?? roots.find((candidate) => last.checkIssued(candidate) && last.verify(candidate.publicKey));
    if (!root) {
        return { problem: `the chain ends at ${short(last)}, which is not under the stack's mesh root` };
    }
    return chain.length < 2 ? { problem: "the chain holds a root only, no workload certificate" } : { root };
}

/** What the check needs from the cluster; the runner in scripts/verify.ts hands its kubectl over. */
export type MeshCaKubectl = (args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

const firstLine = (text: string) => text.trim().split("\n").filter(Boolean).pop() ?? "no output";

/** Reads the stack's bundle from `pulumi stack output --json`; never echoes an output's value. */
export function stackRoots(outputsJson: string): { certificates: X509Certificate[] } | { problem: string } {
    let value: unknown;
    try {
        value = (JSON.parse(outputsJson) as Record<string, unknown>)[meshRootOutput];
    } catch {
        return { problem: "`pulumi stack output --json` did not print JSON" };
    }
    if (typeof value !== "string" || value === "") {
        return { problem: `the stack has no ${meshRootOutput} output (run pulumi up with mesh.ca stack first)` };
    }
    const roots = certificatesIn(value);
    return "problem" in roots ? { problem: `stack output ${meshRootOutput} ${roots.problem}` } : roots;
}

export async function checkMeshCa(config: StackConfig, outputsJson: string, kubectl: MeshCaKubectl): Promise<CheckResult> {
    const expected = stackRoots(outputsJson);
    if ("problem" in expected) {
        return fail(meshCaCheckId, expected.problem);
    }
    const namespaces = enrolledSampleNamespaces(config);
    if (namespaces.length === 0) {
        return fail(meshCaCheckId, "no sample is enabled, so no namespace shows which root the workloads trust");
    }
    for (const namespace of namespaces) {
        const got = await kubectl(["-n", namespace, "get", "configmap", rootConfigMap.name, "-o", "json"]);
        if (got.code !== 0) {
            return fail(meshCaCheckId, `could not read ConfigMap ${namespace}/${rootConfigMap.name}: ${firstLine(got.stderr)}`);
        }
        const published = rootsOfConfigMap(got.stdout);
        if ("problem" in published) {
            return fail(meshCaCheckId, `ConfigMap ${namespace}/${rootConfigMap.name} ${published.problem}`);
        }
        const differs = sameRoots(expected.certificates, published.certificates);
        if (differs !== undefined) {
            return fail(meshCaCheckId, `ConfigMap ${namespace}/${rootConfigMap.name} ${differs}: istiod publishes another root than the stack's mesh root`);
        }
    }
    const rootsSeen = `istio-ca-root-cert in ${namespaces.join(", ")} holds the stack's mesh root (${expected.certificates.map(short).join(", ")})`;
    if (config.istio.dataplane === "ambient") {
        return pass(meshCaCheckId, `${rootsSeen}; workload certificates live in ztunnel and are not read here`);
    }
    const namespace = namespaces[0];
    const pods = await kubectl(["-n", namespace, "get", "pods", "-o", "json"]);
    if (pods.code !== 0) {
        return fail(meshCaCheckId, `could not list pods in ${namespace}: ${firstLine(pods.stderr)}`);
    }
    const pod = ((JSON.parse(pods.stdout) as { items?: PodLike[] }).items ?? [])
        .find((candidate) => candidate.status?.phase === "Running" && podHasSidecar(candidate));
    const podName = pod?.metadata?.name;
    if (!podName) {
        return fail(meshCaCheckId, `${rootsSeen}, but no running pod with a sidecar in ${namespace} to read a workload certificate from`);
    }
    const dump = await kubectl(["-n", namespace, "exec", podName, "-c", sidecarContainer, "--", ...secretsDumpCommand]);
    if (dump.code !== 0) {
        return fail(meshCaCheckId, `could not read the secrets of ${namespace}/${podName}'s proxy: ${firstLine(dump.stderr)}`);
    }
    const secrets = workloadSecrets(dump.stdout);
    if ("problem" in secrets) {
        return fail(meshCaCheckId, `${namespace}/${podName}: ${secrets.problem}`);
    }
    const trusted = sameRoots(expected.certificates, secrets.roots);
    if (trusted !== undefined) {
        return fail(meshCaCheckId, `${namespace}/${podName}'s proxy trusts a bundle that ${trusted}`);
    }
    const ends = chainEndsAt(secrets.chain, expected.certificates);
    if ("problem" in ends) {
        return fail(meshCaCheckId, `${namespace}/${podName}: ${ends.problem}`);
    }
    return pass(meshCaCheckId, `${rootsSeen}; ${namespace}/${podName}'s certificate chains through ${secrets.chain.length - 1} CA certificate(s) to ${short(ends.root)}`);
}
