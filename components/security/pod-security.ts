// The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards, policy version
// "latest" as of Kubernetes 1.34) as plain checks over a pod spec: which controls of `baseline` and
// `restricted` a pod breaks, and so the strictest level a namespace can enforce for the pods it will run.
// Only the fields the standards read are looked at, so a spec whose other fields are still Pulumi
// outputs (env values, claim names) can be checked before anything is created.

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Strictest first: the first level every pod meets is the one a namespace enforces. */
export const podSecurityLevels: readonly PodSecurityLevel[] = ["restricted", "baseline", "privileged"];

export interface ContainerSecurity {
    name: string;
    securityContext?: {
        privileged?: boolean;
        allowPrivilegeEscalation?: boolean;
        runAsNonRoot?: boolean;
        runAsUser?: number;
        capabilities?: { add?: readonly string[]; drop?: readonly string[] };
        seccompProfile?: { type?: string };
        appArmorProfile?: { type?: string };
        seLinuxOptions?: { type?: string; user?: string; role?: string };
        procMount?: string;
        windowsOptions?: { hostProcess?: boolean };
    };
    ports?: readonly { hostPort?: number }[];
    readinessProbe?: ProbeLike;
    livenessProbe?: ProbeLike;
    startupProbe?: ProbeLike;
    lifecycle?: { postStart?: ProbeLike; preStop?: ProbeLike };
}

interface ProbeLike {
    httpGet?: { host?: unknown };
    tcpSocket?: { host?: unknown };
}

/** The pod-spec fields the standards read; anything else may be present and is ignored. */
export interface PodSecuritySpec {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: {
        runAsNonRoot?: boolean;
        runAsUser?: number;
        seccompProfile?: { type?: string };
        appArmorProfile?: { type?: string };
        seLinuxOptions?: { type?: string; user?: string; role?: string };
        sysctls?: readonly { name: string }[];
        windowsOptions?: { hostProcess?: boolean };
    };
    volumes?: readonly Record<string, unknown>[];
    containers: readonly ContainerSecurity[];
    initContainers?: readonly ContainerSecurity[];
    ephemeralContainers?: readonly ContainerSecurity[];
}

/** Baseline "Capabilities": adding any other is refused. */
const baselineCapabilities = new Set([
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
    "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
/** Baseline "Sysctls": the safe set (net.ipv4.ip_unprivileged_port_start since 1.22, keepalive ones since 1.29). */
const safeSysctls = new Set([
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
]);
/** Baseline "SELinux": the allowed types ("" is unset). */
const seLinuxTypes = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
/** Restricted "Volume Types": every other type (hostPath, nfs, …) is refused. */
const restrictedVolumeTypes = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

function allContainers(pod: PodSecuritySpec): ContainerSecurity[] {
    return [...(pod.initContainers ?? []), ...pod.containers, ...(pod.ephemeralContainers ?? [])];
}

function volumeType(volume: Record<string, unknown>): string | undefined {
    return Object.keys(volume).find((key) => key !== "name");
}

/** What breaks `baseline` (each entry names the field and the control). */
export function baselineViolations(pod: PodSecuritySpec): string[] {
    const problems: string[] = [];
    const podContext = pod.securityContext ?? {};
    if (podContext.windowsOptions?.hostProcess) {
        problems.push("HostProcess: spec.securityContext.windowsOptions.hostProcess");
    }
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
        if (pod[field]) {
            problems.push(`Host namespaces: spec.${field}`);
        }
    }
    for (const volume of pod.volumes ?? []) {
        if (volumeType(volume) === "hostPath") {
            problems.push(`HostPath volumes: volume ${String(volume.name)}`);
        }
    }
    if (podContext.seccompProfile?.type === "Unconfined") {
        problems.push("Seccomp: spec.securityContext.seccompProfile.type Unconfined");
    }
    if (podContext.appArmorProfile?.type !== undefined && !["RuntimeDefault", "Localhost"].includes(podContext.appArmorProfile.type)) {
        problems.push(`AppArmor: spec.securityContext.appArmorProfile.type ${podContext.appArmorProfile.type}`);
    }
    problems.push(...seLinuxProblems(podContext.seLinuxOptions, "spec.securityContext"));
    for (const sysctl of podContext.sysctls ?? []) {
        if (!safeSysctls.has(sysctl.name)) {
            problems.push(`Sysctls: ${sysctl.name}`);
        }
    }
    for (const container of allContainers(pod)) {
        const at = `container ${container.name}`;
        const context = container.securityContext ?? {};
        if (context.windowsOptions?.hostProcess) {
            problems.push(`HostProcess: ${at}`);
        }
        if (context.privileged) {
            problems.push(`Privileged containers: ${at}`);
        }
        for (const capability of context.capabilities?.add ?? []) {
            if (!baselineCapabilities.has(capability)) {
                problems.push(`Capabilities: ${at} adds ${capability}`);
            }
        }
        for (const port of container.ports ?? []) {
            if (port.hostPort !== undefined && port.hostPort !== 0) {
                problems.push(`Host ports: ${at} hostPort ${port.hostPort}`);
            }
        }
        const handlers = [container.readinessProbe, container.livenessProbe, container.startupProbe, container.lifecycle?.postStart, container.lifecycle?.preStop];
        if (handlers.some((handler) => handler?.httpGet?.host !== undefined || handler?.tcpSocket?.host !== undefined)) {
            problems.push(`Host probes / lifecycle hooks: ${at} sets a host`);
        }
        if (context.appArmorProfile?.type !== undefined && !["RuntimeDefault", "Localhost"].includes(context.appArmorProfile.type)) {
            problems.push(`AppArmor: ${at} ${context.appArmorProfile.type}`);
        }
        problems.push(...seLinuxProblems(context.seLinuxOptions, at));
        if (context.procMount !== undefined && context.procMount !== "Default") {
            problems.push(`/proc mount type: ${at} ${context.procMount}`);
        }
        if (context.seccompProfile?.type === "Unconfined") {
            problems.push(`Seccomp: ${at} Unconfined`);
        }
    }
    return problems;
}

function seLinuxProblems(options: { type?: string; user?: string; role?: string } | undefined, at: string): string[] {
    if (!options) {
        return [];
    }
    return [
        ...(options.type !== undefined && !seLinuxTypes.has(options.type) ? [`SELinux: ${at} type ${options.type}`] : []),
        ...(options.user ? [`SELinux: ${at} sets user`] : []),
        ...(options.role ? [`SELinux: ${at} sets role`] : []),
    ];
}

/** What breaks `restricted`: baseline's controls and restricted's own. */
export function restrictedViolations(pod: PodSecuritySpec): string[] {
    const problems = baselineViolations(pod);
    const podContext = pod.securityContext ?? {};
    for (const volume of pod.volumes ?? []) {
        const type = volumeType(volume);
        if (type === undefined || !restrictedVolumeTypes.has(type)) {
            problems.push(`Volume types: volume ${String(volume.name)} is ${type ?? "of no type"}`);
        }
    }
    if (podContext.runAsUser === 0) {
        problems.push("Running as non-root user: spec.securityContext.runAsUser 0");
    }
    const podSeccomp = ["RuntimeDefault", "Localhost"].includes(podContext.seccompProfile?.type ?? "");
    for (const container of allContainers(pod)) {
        const at = `container ${container.name}`;
        const context = container.securityContext ?? {};
        if (context.allowPrivilegeEscalation !== false) {
            problems.push(`Privilege escalation: ${at} does not set allowPrivilegeEscalation false`);
        }
        // runAsNonRoot must be true on the container, or on the pod and not false on the container.
        if (!(context.runAsNonRoot === true || (podContext.runAsNonRoot === true && context.runAsNonRoot !== false))) {
            problems.push(`Running as non-root: ${at}`);
        }
        if (context.runAsUser === 0) {
            problems.push(`Running as non-root user: ${at} runAsUser 0`);
        }
        const seccomp = context.seccompProfile?.type;
        if (!(seccomp === "RuntimeDefault" || seccomp === "Localhost" || (seccomp === undefined && podSeccomp))) {
            problems.push(`Seccomp (v1.19+): ${at} has no RuntimeDefault or Localhost profile`);
        }
        if (!(context.capabilities?.drop ?? []).includes("ALL")) {
            problems.push(`Capabilities (v1.22+): ${at} does not drop ALL`);
        }
        for (const capability of context.capabilities?.add ?? []) {
            if (capability !== "NET_BIND_SERVICE") {
                problems.push(`Capabilities (v1.22+): ${at} adds ${capability}`);
            }
        }
    }
    return problems;
}

export function podSecurityViolations(pod: PodSecuritySpec, level: PodSecurityLevel): string[] {
    switch (level) {
        case "restricted": return restrictedViolations(pod);
        case "baseline": return baselineViolations(pod);
        case "privileged": return [];
    }
}

/** The strictest level every pod meets: what the namespace that runs them can enforce. */
export function strictestLevel(pods: readonly PodSecuritySpec[]): PodSecurityLevel {
    return podSecurityLevels.find((level) => pods.every((pod) => podSecurityViolations(pod, level).length === 0)) ?? "privileged";
}

/**
 * The labels of Pod Security Admission (kubernetes.io/docs/concepts/security/pod-security-admission):
 * `enforce` rejects pods that break the level; `warn` and `audit` report against `restricted`, so an
 * operator sees what keeps a baseline namespace from the stricter level.
 */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
    };
}
