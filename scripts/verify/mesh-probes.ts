// In-cluster probes: a plaintext call from a pod outside the mesh to a STRICT workload must be refused,
// and a call between two meshed workloads that the authorization rules allow must succeed.
//
// Why these callers: the ingress gateway pod cannot stand in for "inside the mesh" (a curl run in the
// gateway container bypasses its Envoy and goes out in plaintext), and a fresh injected test pod has an
// identity the deny-by-default AuthorizationPolicies reject. So verify execs into a sample workload's own
// application container, whose outbound traffic its sidecar captures and wraps in mutual TLS, and calls
// a service that workload is allowed to call: productpage → details (Python's urllib; the productpage
// image is Python), else wordpress → mysql:3306 (PHP's fsockopen; MySQL speaks first, so its greeting
// proves the TCP session reached the server through both sidecars).
import { StackConfig } from "../../components/config/schema";
import { bookinfoManifest, mysqlNames, sampleNamespaces, wordpressNames } from "../../components/inventory";
import { sampleWorkloads } from "../../components/mesh/mesh-inventory";
import { meshModel } from "../../components/mesh/mtls/mesh-model";
import { effectiveServerMode } from "../../components/mesh/mtls/analysis";
import { CheckResult, fail, pass, skip } from "./report";

export const sidecarContainerName = "istio-proxy";

export const checkIds = { plaintextRefused: "plaintext-refused", inMeshCall: "in-mesh-call" } as const;

// ---------------------------------------------------------------------------------------------------
// Plaintext from outside the mesh

export interface PlaintextTarget {
    workload: string;
    namespace: string;
    url: string;
}

/** Front ends worth probing, most telling first; httpbin's /status/200 answers 200 to anyone who gets through. */
const plaintextCandidates: readonly { workload: string; path: string }[] = [
    { workload: "httpbin", path: "/status/200" },
    { workload: "productpage-v1", path: "/productpage" },
    { workload: `${wordpressNames.stable.deployment}`, path: "/" },
];

/**
 * The first enabled front end whose sidecar enforces STRICT on its Service's port, by the same
 * precedence analysis the program runs before deploying; or why there is none.
 */
export function plaintextTarget(config: StackConfig): PlaintextTarget | { skip: string } {
    const model = meshModel(config, [], []);
    const workloads = sampleWorkloads(config);
    const enabled = plaintextCandidates.filter((candidate) => workloads.some((workload) => workload.name === candidate.workload));
    if (enabled.length === 0) {
        return { skip: "httpbin, bookinfo and wordpress are all disabled: no STRICT service to probe" };
    }
    for (const candidate of enabled) {
        const workload = workloads.find((item) => item.name === candidate.workload);
        const port = workload?.service?.ports[0];
        if (!workload?.service || !port) {
            continue;
        }
        if (effectiveServerMode(model, workload, port.targetPort).mode === "STRICT") {
            return {
                workload: workload.name,
                namespace: workload.namespace,
                url: `http://${workload.service.name}.${workload.namespace}:${port.port}${candidate.path}`,
            };
        }
    }
    return { skip: `no sample front end is STRICT (mtls.mode ${config.mtls.mode}${config.mtls.policies.length > 0 ? " with mtls.policies" : ""}): plaintext is meant to pass` };
}

/** What the probe pod prints: curl's `%{http_code}` and curl's exit status. */
export interface CurlProbe {
    httpCode: number;
    exitCode: number;
}

/**
 * The probe prints one line, `http_code=000 exit=56`: curl's `%{http_code}` (000 when no HTTP answer
 * came) and curl's exit status, which says how the connection ended. curl stays silent (-s) so no
 * error text can interleave with that line in the pod's log; the URL arrives as data in $TARGET_URL.
 */
export const curlProbeScript = 'code=$(curl -s -o /dev/null --max-time 10 -w "%{http_code}" "$TARGET_URL"); echo "http_code=$code exit=$?"';

/** Parses the probe pod's log (the last result line, should kubectl add anything around it). */
export function parseCurlProbe(log: string): CurlProbe | undefined {
    const matches = [...log.matchAll(/http_code=(\d{3}) exit=(\d+)/g)];
    const last = matches[matches.length - 1];
    return last ? { httpCode: Number(last[1]), exitCode: Number(last[2]) } : undefined;
}

/** curl exit statuses of a connection the server accepted and then dropped: what a STRICT sidecar does to plaintext. */
const droppedByServer: Readonly<Record<number, string>> = {
    52: "the server closed the connection without a reply (curl exit 52)",
    56: "the connection was reset (curl exit 56)",
};

/** Exit statuses that say nothing about mTLS: the probe never reached a sidecar. */
const inconclusive: Readonly<Record<number, string>> = {
    6: "the service name did not resolve (curl exit 6)",
    7: "nothing accepted the connection (curl exit 7): is the workload running?",
    28: "the call timed out (curl exit 28)",
};

export function decidePlaintextProbe(target: PlaintextTarget, probe: CurlProbe | undefined, probeHasSidecar: boolean): CheckResult {
    const id = checkIds.plaintextRefused;
    if (probeHasSidecar) {
        return fail(id, "the probe pod was given a sidecar, so it was not outside the mesh; is injection forced cluster-wide?");
    }
    if (!probe) {
        return fail(id, `the probe pod's output was not understood, so ${target.url} is unverified`);
    }
    if (probe.httpCode !== 0) {
        return fail(id, `plaintext ${target.url} from outside the mesh got HTTP ${probe.httpCode}: ${target.namespace}/${target.workload} accepts plaintext`);
    }
    const dropped = droppedByServer[probe.exitCode];
    if (dropped) {
        return pass(id, `plaintext ${target.url} from a pod outside the mesh was refused: ${dropped}`);
    }
    const reason = inconclusive[probe.exitCode] ?? `curl failed with exit ${probe.exitCode}`;
    return fail(id, `cannot tell whether ${target.url} refuses plaintext: ${reason}`);
}

/** A namespace and pod outside the mesh, labelled so that no injection policy adds a sidecar. */
export function plaintextProbeManifests(namespace: string, podName: string, image: string, targetUrl: string): [object, object] {
    const namespaceObject = {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace, labels: { "istio-injection": "disabled", "app.kubernetes.io/managed-by": "iks-mesh-verify" } },
    };
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: podName, namespace, labels: { "sidecar.istio.io/inject": "false", app: "iks-mesh-verify" } },
        spec: {
            restartPolicy: "Never",
            activeDeadlineSeconds: 180,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{
                name: "curl",
                image,
                command: ["sh", "-c", curlProbeScript],
                env: [{ name: "TARGET_URL", value: targetUrl }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
            }],
        },
    };
    return [namespaceObject, pod];
}

// ---------------------------------------------------------------------------------------------------
// A call inside the mesh

export type InMeshProbeKind = "python-http" | "php-mysql";

export interface InMeshCaller {
    namespace: string;
    /** Label selector of the calling pods. */
    selector: string;
    /** `app` label of the pods called; the authorization rules must allow the caller to reach them. */
    targetApp: string;
    /** The call, for the report. */
    description: string;
    kind: InMeshProbeKind;
    /** The program run in the caller's application container (argv, no shell). */
    command: string[];
}

const detailsUrl = `http://details:${bookinfoManifest.port}/details/0`;

const pythonHttpProbe = [
    "import urllib.request, urllib.error",
    "try:",
    `    print("status=%d" % urllib.request.urlopen("${detailsUrl}", timeout=10).status)`,
    "except urllib.error.HTTPError as error:",
    '    print("status=%d" % error.code)',
    "except Exception as error:",
    '    print("error=%s: %s" % (type(error).__name__, error))',
].join("\n");

const phpMysqlProbe = [
    `$s = @fsockopen("${mysqlNames.service}", ${mysqlNames.port}, $code, $message, 10);`,
    'if (!$s) { echo "error=$message"; exit; }',
    "stream_set_timeout($s, 10);",
    '$greeting = fread($s, 128);',
    'echo "handshake=" . bin2hex(substr((string) $greeting, 0, 64));',
].join(" ");

/** The caller to use, or why there is none. */
export function inMeshCaller(config: StackConfig): InMeshCaller | { skip: string } {
    if (config.bookinfo.enabled) {
        return {
            namespace: sampleNamespaces.bookinfo,
            selector: "app=productpage",
            targetApp: "details",
            description: `productpage → ${detailsUrl}`,
            kind: "python-http",
            command: ["python", "-c", pythonHttpProbe],
        };
    }
    if (config.wordpress.enabled) {
        return {
            namespace: sampleNamespaces.wordpress,
            selector: `app=${wordpressNames.appLabel}`,
            targetApp: mysqlNames.appLabel,
            description: `wordpress → ${mysqlNames.service}:${mysqlNames.port}`,
            kind: "php-mysql",
            command: ["php", "-r", phpMysqlProbe],
        };
    }
    return { skip: "bookinfo and wordpress are disabled: no meshed caller with an allowed call to make" };
}

export interface ExecTarget {
    pod: string;
    /** The application container (the first that is not the sidecar). */
    container: string;
    hasSidecar: boolean;
}

export interface PodLike {
    metadata?: { name?: string };
    spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] };
    status?: { phase?: string };
}

/** Whether a pod carries Istio's sidecar, classic (a container) or native (a restartable init container). */
export function podHasSidecar(pod: PodLike): boolean {
    const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((container) => container.name);
    return names.includes(sidecarContainerName);
}

/** A running pod from `kubectl get pods -o json` to exec into. */
export function pickExecTarget(podListJson: string): ExecTarget | { problem: string } {
    const list = JSON.parse(podListJson) as { items?: PodLike[] };
    const running = (list.items ?? []).filter((pod) => pod.status?.phase === "Running" && pod.metadata?.name);
    if (running.length === 0) {
        return { problem: `no running pod (of ${(list.items ?? []).length} found)` };
    }
    const pod = running[0];
    const container = (pod.spec?.containers ?? []).find((candidate) => candidate.name !== sidecarContainerName);
    if (!container) {
        return { problem: `pod ${pod.metadata?.name} has no application container` };
    }
    return { pod: pod.metadata?.name ?? "", container: container.name, hasSidecar: podHasSidecar(pod) };
}

export interface MysqlGreeting {
    protocol: number;
    serverVersion: string;
}

/** Decodes the start of a MySQL handshake packet: 3-byte length, sequence 0, protocol 10, version NUL-terminated. */
export function parseMysqlGreeting(hex: string): MysqlGreeting | undefined {
    if (!/^(?:[0-9a-f]{2})*$/i.test(hex) || hex.length < 12) {
        return undefined;
    }
    const bytes = Buffer.from(hex, "hex");
    const length = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);
    if (bytes[3] !== 0 || bytes[4] !== 10 || length < 2) {
        return undefined;
    }
    const end = bytes.indexOf(0, 5);
    const version = bytes.subarray(5, end === -1 ? bytes.length : end).toString("latin1");
    return /^\d+\.\d+/.test(version) ? { protocol: 10, serverVersion: version } : undefined;
}

/**
 * How the caller joins the mesh. Sidecar: its own istio-proxy. Ambient: no sidecar; its namespace's
 * enrollment label sends its traffic through the node's ztunnel.
 */
export type CallerDataplane = { mode: "sidecar" } | { mode: "ambient"; namespaceEnrolled: boolean };

export function decideInMeshCall(caller: InMeshCaller, target: ExecTarget, output: string,
    dataplane: CallerDataplane = { mode: "sidecar" }): CheckResult {
    const id = checkIds.inMeshCall;
    const where = `${caller.namespace}/${target.pod}`;
    if (dataplane.mode === "sidecar" && !target.hasSidecar) {
        return fail(id, `${where} has no ${sidecarContainerName} sidecar: the caller is not in the mesh`);
    }
    if (dataplane.mode === "ambient" && !dataplane.namespaceEnrolled) {
        return fail(id, `namespace ${caller.namespace} is not enrolled in ambient mode: the caller is not in the mesh`);
    }
    const through = dataplane.mode === "ambient" ? "ztunnel" : "the sidecars";
    const line = output.trim().split("\n").pop() ?? "";
    if (caller.kind === "python-http") {
        const status = /^status=(\d{3})$/.exec(line);
        if (status?.[1] === "200") {
            return pass(id, `${caller.description} from ${where} answered 200 through ${through}`);
        }
        if (status) {
            const hint = status[1] === "403" ? " (RBAC: an AuthorizationPolicy denied the caller's identity)" :
                status[1] === "503" ? " (no healthy upstream, or a client TLS setting that breaks mTLS)" : "";
            return fail(id, `${caller.description} from ${where} answered ${status[1]}${hint}`);
        }
        return fail(id, `${caller.description} from ${where} failed: ${line.replace(/^error=/, "") || "no output"}`);
    }
    const handshake = /^handshake=([0-9a-f]*)$/i.exec(line);
    const greeting = handshake ? parseMysqlGreeting(handshake[1]) : undefined;
    if (greeting) {
        return pass(id, `${caller.description} from ${where} reached MySQL ${greeting.serverVersion} through ${through}`);
    }
    if (handshake) {
        return fail(id, `${caller.description} from ${where}: the connection closed without MySQL's greeting ` +
            "(an AuthorizationPolicy denial, or a port Istio sniffs instead of treating as TCP)");
    }
    return fail(id, `${caller.description} from ${where} failed: ${line.replace(/^error=/, "") || "no output"}`);
}

export function skipInMesh(reason: string): CheckResult {
    return skip(checkIds.inMeshCall, reason);
}
