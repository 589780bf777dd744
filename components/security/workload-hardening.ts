// The securityContext every workload the stack deploys gets, as plain data: a non-root user where the
// image can run as one, no privilege escalation, no capabilities, the runtime's default seccomp profile,
// and no service-account token where nothing in the pod calls the Kubernetes API. Applied to the stack's
// own Deployments (WordPress, MySQL) and, as a transform, to the Deployments of Istio's manifests
// (bookinfo, httpbin, Prometheus), which ship without any of it.
import { wwwDataGroupId, wwwDataUserId } from "../samples/wordpress-layout";

/** Plain shapes that both the Kubernetes input types and the Pod Security checks accept. */
interface ContainerSecurityContext {
    allowPrivilegeEscalation: boolean;
    capabilities: { drop: string[] };
}
interface PodSecurityContext {
    runAsNonRoot: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    fsGroup?: number;
    fsGroupChangePolicy?: string;
    sysctls?: { name: string; value: string }[];
    seccompProfile: { type: string };
}

/** What one workload needs beyond the common settings. */
export interface PodHardening {
    /** A numeric user when the image's own USER is root or a name (the kubelet can only verify a number). */
    runAsUser?: number;
    runAsGroup?: number;
    /** Group that owns the pod's volumes (a PVC or emptyDir the process writes to). */
    fsGroup?: number;
    /** Safe sysctls the image needs (baseline and restricted allow `net.ipv4.ip_unprivileged_port_start`). */
    sysctls?: readonly { name: string; value: string }[];
    /** false only where a container in the pod calls the Kubernetes API (Prometheus's service discovery). */
    automountServiceAccountToken: boolean;
}

/** Every container: no setuid gain, no capabilities (none of the images needs one back). */
export function hardenedContainerSecurityContext(): ContainerSecurityContext {
    return { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
}

/** The pod: non-root, RuntimeDefault seccomp (inherited by the sidecar the injector adds), plus the workload's own. */
export function hardenedPodSecurityContext(hardening: PodHardening): PodSecurityContext {
    return {
        runAsNonRoot: true,
        ...(hardening.runAsUser !== undefined ? { runAsUser: hardening.runAsUser } : {}),
        ...(hardening.runAsGroup !== undefined ? { runAsGroup: hardening.runAsGroup } : {}),
        ...(hardening.fsGroup !== undefined ? { fsGroup: hardening.fsGroup, fsGroupChangePolicy: "OnRootMismatch" } : {}),
        ...(hardening.sysctls ? { sysctls: hardening.sysctls.map((sysctl) => ({ ...sysctl })) } : {}),
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * WordPress (official `wordpress` apache image): it starts as root only to bind port 80 and hand Apache
 * to www-data (33). docker-entrypoint.sh supports starting as any user (`uid != 0`: it copies core as that
 * user with `--no-overwrite-dir`), and the php image makes the docroot and Apache's run/lock/log
 * directories writable for it (docker-library/php apache Dockerfile: `chown www-data` and `chmod 1777`); port 80 then needs `net.ipv4.ip_unprivileged_port_start=0`, a pod-level
 * safe sysctl since Kubernetes 1.22 (the same one Istio's gateway chart sets). www-data already owns the
 * shared wp-content (fsGroup 33 before this change), so existing content stays writable.
 */
export const wordpressHardening: PodHardening = {
    runAsUser: wwwDataUserId,
    runAsGroup: wwwDataGroupId,
    fsGroup: wwwDataGroupId,
    sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
    automountServiceAccountToken: false,
};

/**
 * MySQL (official `mysql` 8.4 image, Oracle Linux): user and group `mysql` are 999 (Dockerfile.oracle).
 * docker-entrypoint.sh started as root only chowns the data directory and re-executes itself through
 * gosu as mysql; started as 999 it skips both (`if [ "$(id -u)" = "0" ]`). The socket directory is
 * world-writable in the image; the data volume becomes group 999 through fsGroup, and data written by
 * earlier root-started pods is already owned by mysql (the entrypoint chowned it).
 */
export const mysqlHardening: PodHardening = { runAsUser: 999, runAsGroup: 999, fsGroup: 999, automountServiceAccountToken: false };

/**
 * Istio's manifests, per sample (samples at the tag of istio.version):
 * - bookinfo: every image sets a numeric USER (1000, reviews 1001: samples/bookinfo/src/∗/Dockerfile at
 *   1.30.3), so runAsNonRoot holds as it is; no service calls the Kubernetes API.
 * - httpbin: mccutchen/go-httpbin is built FROM gcr.io/distroless/base with no USER (root): 65532 is
 *   distroless's `nonroot`; the static binary only listens on 8080 and writes nothing.
 * - Prometheus (samples/addons/prometheus.yaml): prom/prometheus and the config reloader run as `nobody`,
 *   a name the kubelet cannot check against runAsNonRoot, so 65534 by number; its emptyDir storage is
 *   written as that group. Its Kubernetes service discovery reads the API, so it keeps its token.
 */
export const manifestHardening = {
    bookinfo: { automountServiceAccountToken: false },
    httpbin: { runAsUser: 65532, runAsGroup: 65532, automountServiceAccountToken: false },
    prometheus: { runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, automountServiceAccountToken: true },
} as const satisfies Record<string, PodHardening>;

interface ManifestLike {
    kind: string;
    spec?: unknown;
    [key: string]: unknown;
}

type ContainerLike = { securityContext?: Record<string, unknown> } & Record<string, unknown>;

function hardenContainers(containers: unknown): ContainerLike[] | undefined {
    if (!Array.isArray(containers)) {
        return undefined;
    }
    return (containers as ContainerLike[]).map((container) => ({
        ...container,
        securityContext: { ...container.securityContext, ...hardenedContainerSecurityContext() },
    }));
}

/**
 * A Deployment of a fetched manifest with the hardening applied to its pod template: the manifest's own
 * pod and container settings are kept unless the hardening sets the same field. Other objects unchanged.
 */
export function hardenManifestObject<T extends ManifestLike>(object: T, hardening: PodHardening): T {
    if (object.kind !== "Deployment") {
        return object;
    }
    const spec = (object.spec ?? {}) as { template?: { spec?: Record<string, unknown> } & Record<string, unknown> } & Record<string, unknown>;
    const template = spec.template ?? {};
    const podSpec = template.spec ?? {};
    const initContainers = hardenContainers(podSpec.initContainers);
    return {
        ...object,
        spec: {
            ...spec,
            template: {
                ...template,
                spec: {
                    ...podSpec,
                    automountServiceAccountToken: hardening.automountServiceAccountToken,
                    securityContext: { ...(podSpec.securityContext as Record<string, unknown> | undefined), ...hardenedPodSecurityContext(hardening) },
                    containers: hardenContainers(podSpec.containers) ?? [],
                    ...(initContainers ? { initContainers } : {}),
                },
            },
        },
    };
}
