// The `mesh-ca` check (mesh.ca: stack): the cluster's workloads trust exactly the stack's mesh root and
// hold certificates that chain up to it.
//   1. Every enabled sample namespace's `istio-ca-root-cert` ConfigMap, which istiod writes into each
//      namespace from the root of its CA (Istio "Plug in CA Certificates": with `cacerts`, that is
//      `root-cert.pem`), holds the same roots as the stack output `meshRootCertPem`.
//   2. A sample workload's certificate verifies link by link and ends at a root of that bundle, and the
//      roots it is handed are that bundle too. Where it is read depends on the data plane:
//      - sidecar: from its Envoy through `pilot-agent request GET config_dump?resource=dynamic_active_secrets`
//        (the command Istio's own test framework runs in istio-proxy: istio/istio pkg/test/kube/dump.go,
//        DumpPodProxies); Envoy redacts private keys in config dumps.
//      - ambient: from the ztunnel on the workload's node, which has no shell to exec into: its admin
//        endpoint `GET /config_dump` on port 15000 through `kubectl port-forward` (istio/ztunnel src/admin.rs
//        and src/config.rs DEFAULT_ADMIN_PORT at tag 1.30.3; `istioctl ztunnel-config certificates` does the
//        same port-forward and GET: istio/istio istioctl/pkg/ztunnelconfig/ztunnelconfig.go). Its
//        `certificates` section holds certificates and roots only, never keys.
// This check reads certificates only.
import { X509Certificate } from "crypto";
import { StackConfig } from "../../components/config/schema";
import { enrolledSampleNamespaces, ztunnelDaemonSet } from "./ambient";
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

/**
 * ztunnel's admin interface (istio/ztunnel 1.30.3): src/config.rs binds it to localhost only on
 * DEFAULT_ADMIN_PORT 15000 (`kubectl port-forward` reaches it from inside the pod's network namespace);
 * src/admin.rs serves `/config_dump`. Its pods carry `app: ztunnel` (istio/istio
 * manifests/charts/ztunnel/templates/daemonset.yaml at 1.30.3).
 */
export const ztunnelAdmin = { port: 15000, path: "/config_dump", podSelector: "app=ztunnel", namespace: ztunnelDaemonSet.namespace } as const;

/** One entry of ztunnel's `certificates` (src/admin.rs CertsDump / CertDump, serde camelCase). */
interface ZtunnelCertsDump {
    identity?: string;
    state?: string;
    certChain?: { pem?: string }[];
    rootCerts?: { pem?: string }[];
}

/** The SPIFFE identity ztunnel files a workload's certificates under, less its trust domain. */
export const identityPath = (namespace: string, serviceAccount: string) => `/ns/${namespace}/sa/${serviceAccount}`;

/**
 * The certificates ztunnel holds for one workload identity, from its `/config_dump`: `certificates[]` with
 * `identity` (`spiffe://<trust domain>/ns/<ns>/sa/<sa>`, src/identity/manager.rs Display), `state`
 * (`Available`, `Initializing` or `Unavailable: <error>`), `certChain` (the leaf, then what istiod sent
 * after it but the last element: the intermediate and, with `cacerts`, the root from `cert-chain.pem`) and
 * `rootCerts` (the last element, the root bundle); each certificate's `pem` is base64 of its PEM text.
 */
export function ztunnelWorkloadCertificates(configDumpJson: string, namespace: string, serviceAccount: string):
    { identity: string; chain: X509Certificate[]; roots: X509Certificate[] } | { problem: string } {
    let certificates: unknown;
    try {
        certificates = (JSON.parse(configDumpJson) as { certificates?: unknown }).certificates;
    } catch {
        return { problem: "its config dump is not JSON" };
    }
    if (!Array.isArray(certificates)) {
        return { problem: "its config dump has no certificates section" };
    }
    const wanted = identityPath(namespace, serviceAccount);
    // Whatever the trust domain (one path segment), exactly this namespace and ServiceAccount.
    const pattern = new RegExp(`^spiffe://[^/]+${wanted.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
    const entry = (certificates as ZtunnelCertsDump[])
        .find((candidate) => typeof candidate.identity === "string" && pattern.test(candidate.identity));
    if (!entry?.identity) {
        const held = (certificates as ZtunnelCertsDump[]).map((candidate) => candidate.identity).filter(Boolean);
        return { problem: `it holds no certificate for identity spiffe://…${wanted} (it holds ${held.length ? held.join(", ") : "none"})` };
    }
    if (entry.state !== "Available") {
        return { problem: `its certificate for ${entry.identity} is ${entry.state ?? "in no state"}, not Available` };
    }
    const decode = (list: { pem?: string }[] | undefined) => certificatesIn((list ?? []).map((certificate) => Buffer.from(certificate.pem ?? "", "base64").toString("utf8")).join("\n"));
    const chain = decode(entry.certChain);
    const roots = decode(entry.rootCerts);
    if ("problem" in chain) {
        return { problem: `its certificate chain for ${entry.identity} ${chain.problem}` };
    }
    if ("problem" in roots) {
        return { problem: `its roots for ${entry.identity} ${roots.problem}` };
    }
    // The leaf must name the identity it is filed under (istiod signs the SPIFFE URI as the only SAN).
    const names = chain.certificates[0].subjectAltName?.split(", ") ?? [];
    if (!names.includes(`URI:${entry.identity}`)) {
        return { problem: `its certificate filed under ${entry.identity} names ${names.length ? names.join(", ") : "no identity"}` };
    }
    return { identity: entry.identity, chain: chain.certificates, roots: roots.certificates };
}

interface AmbientPodLike extends PodLike {
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: PodLike["spec"] & { nodeName?: string; serviceAccountName?: string };
}

/**
 * A running pod of an ambient namespace whose certificates ztunnel holds: not a waypoint (its own Envoy
 * holds them; labelled `gateway.networking.k8s.io/gateway-name`, istio/istio
 * manifests/charts/istio-control/istio-discovery/files/waypoint.yaml), not a pod with a sidecar, not one
 * opted out with `istio.io/dataplane-mode: none`.
 */
export function pickAmbientWorkload(podListJson: string): { pod: string; node: string; serviceAccount: string } | { problem: string } {
    const items = (JSON.parse(podListJson) as { items?: AmbientPodLike[] }).items ?? [];
    const pod = items.find((candidate) => candidate.status?.phase === "Running" && candidate.metadata?.name && candidate.spec?.nodeName
        && !podHasSidecar(candidate) && candidate.metadata.labels?.["gateway.networking.k8s.io/gateway-name"] === undefined
        && candidate.metadata.labels?.["istio.io/dataplane-mode"] !== "none");
    if (!pod?.metadata?.name || !pod.spec?.nodeName) {
        return { problem: `no running ambient workload (of ${items.length} pods) to read a certificate for` };
    }
    // A pod without serviceAccountName runs as `default` (Kubernetes' ServiceAccount admission).
    return { pod: pod.metadata.name, node: pod.spec.nodeName, serviceAccount: pod.spec.serviceAccountName ?? "default" };
}

/** A running ztunnel pod from `kubectl get pods -l app=ztunnel --field-selector spec.nodeName=<node> -o json`. */
export function pickZtunnelPod(podListJson: string): string | undefined {
    return ((JSON.parse(podListJson) as { items?: PodLike[] }).items ?? [])
        .find((candidate) => candidate.status?.phase === "Running" && candidate.metadata?.name)?.metadata?.name;
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

/** What the check needs from the cluster; the runner in scripts/verify/checks.ts hands its kubectl over. */
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

/** `GET /config_dump` of one ztunnel pod's admin interface (scripts/verify/ztunnel-admin.ts through a port-forward). */
export type ZtunnelDumpReader = (ztunnelPod: string) => Promise<string>;

export async function checkMeshCa(config: StackConfig, outputsJson: string, kubectl: MeshCaKubectl, readZtunnelDump: ZtunnelDumpReader): Promise<CheckResult> {
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
    const namespace = namespaces[0];
    const pods = await kubectl(["-n", namespace, "get", "pods", "-o", "json"]);
    if (pods.code !== 0) {
        return fail(meshCaCheckId, `could not list pods in ${namespace}: ${firstLine(pods.stderr)}`);
    }
    const read = config.istio.dataplane === "ambient"
        ? await ztunnelSecrets(namespace, pods.stdout, kubectl, readZtunnelDump)
        : await sidecarSecrets(namespace, pods.stdout, kubectl);
    if ("problem" in read) {
        return fail(meshCaCheckId, `${rootsSeen}, but ${read.problem}`);
    }
    const trusted = sameRoots(expected.certificates, read.roots);
    if (trusted !== undefined) {
        return fail(meshCaCheckId, `${read.holder} trusts a bundle that ${trusted}`);
    }
    const ends = chainEndsAt(read.chain, expected.certificates);
    if ("problem" in ends) {
        return fail(meshCaCheckId, `${read.holder}: ${ends.problem}`);
    }
    return pass(meshCaCheckId, `${rootsSeen}; ${read.workload}'s certificate${read.via} chains through ${read.chain.length - 1} CA certificate(s) to ${short(ends.root)}`);
}

interface ReadSecrets {
    /** Who handed the certificates over, for a failure: the proxy or the ztunnel pod. */
    holder: string;
    workload: string;
    /** How it was read, for the report ("" for a sidecar, " (<SPIFFE identity>, held by ztunnel <pod>)" in ambient mode). */
    via: string;
    chain: X509Certificate[];
    roots: X509Certificate[];
}

async function sidecarSecrets(namespace: string, podsJson: string, kubectl: MeshCaKubectl): Promise<ReadSecrets | { problem: string }> {
    const pod = ((JSON.parse(podsJson) as { items?: PodLike[] }).items ?? [])
        .find((candidate) => candidate.status?.phase === "Running" && podHasSidecar(candidate));
    const podName = pod?.metadata?.name;
    if (!podName) {
        return { problem: `no running pod with a sidecar in ${namespace} to read a workload certificate from` };
    }
    const dump = await kubectl(["-n", namespace, "exec", podName, "-c", sidecarContainer, "--", ...secretsDumpCommand]);
    if (dump.code !== 0) {
        return { problem: `could not read the secrets of ${namespace}/${podName}'s proxy: ${firstLine(dump.stderr)}` };
    }
    const secrets = workloadSecrets(dump.stdout);
    if ("problem" in secrets) {
        return { problem: `${namespace}/${podName}: ${secrets.problem}` };
    }
    return { holder: `${namespace}/${podName}'s proxy`, workload: `${namespace}/${podName}`, via: "", ...secrets };
}

async function ztunnelSecrets(namespace: string, podsJson: string, kubectl: MeshCaKubectl, readZtunnelDump: ZtunnelDumpReader):
    Promise<ReadSecrets | { problem: string }> {
    const workload = pickAmbientWorkload(podsJson);
    if ("problem" in workload) {
        return { problem: `${namespace} has ${workload.problem}` };
    }
    const ztunnels = await kubectl(["-n", ztunnelAdmin.namespace, "get", "pods", "-l", ztunnelAdmin.podSelector,
        "--field-selector", `spec.nodeName=${workload.node}`, "-o", "json"]);
    if (ztunnels.code !== 0) {
        return { problem: `could not list the ztunnel pods on node ${workload.node}: ${firstLine(ztunnels.stderr)}` };
    }
    const ztunnel = pickZtunnelPod(ztunnels.stdout);
    if (!ztunnel) {
        return { problem: `no running ztunnel on node ${workload.node}, where ${namespace}/${workload.pod} runs` };
    }
    let dump: string;
    try {
        dump = await readZtunnelDump(ztunnel);
    } catch (error) {
        return { problem: `could not read ztunnel ${ztunnel}'s ${ztunnelAdmin.path}: ${(error as Error).message}` };
    }
    const held = ztunnelWorkloadCertificates(dump, namespace, workload.serviceAccount);
    if ("problem" in held) {
        return { problem: `ztunnel ${ztunnel} (node ${workload.node}): ${held.problem}` };
    }
    return {
        holder: `ztunnel ${ztunnel}`, workload: `${namespace}/${workload.pod}`, via: ` (${held.identity}, held by ztunnel ${ztunnel})`,
        chain: held.chain, roots: held.roots,
    };
}
