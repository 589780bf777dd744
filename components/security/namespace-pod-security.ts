// Which Pod Security level each namespace the stack creates can enforce, decided from the pods that will
// run in it: the pod templates the stack renders, plus what Istio adds to them at admission (the sidecar
// injector's containers) or runs there from its charts. Pod Security Admission checks the pod after the
// mutating webhooks, so the injected containers count.
import { DataplaneMode } from "../core/dataplane";
import { ContainerSecurity, PodSecurityLevel, PodSecuritySpec, strictestLevel } from "./pod-security";
import { PodHardening, hardenManifestObject, manifestHardening } from "./workload-hardening";

/** A pod template as the stack renders it: the annotations (injection opt-out) and the spec. */
export interface PodTemplateLike {
    metadata?: { annotations?: Readonly<Record<string, string>> };
    spec: PodSecuritySpec;
}

const istioProxyUser = 1337;

/**
 * What Istio's sidecar injector adds to a namespace's pods: nothing (a namespace not labelled for
 * injection, or ambient mode), a root istio-init, or with istio-cni an unprivileged istio-validation.
 */
export type SidecarInjection = "none" | "istio-init" | "istio-cni";

/**
 * The warning of a sidecar stack without istio-cni: nothing fails, but the sample namespaces (and
 * `enroute`) can only enforce `privileged`, since istio-init runs as root with NET_ADMIN and NET_RAW. The
 * default stays off outside production (istio-cni is another DaemonSet on every node), so the operator is
 * told on every preview and up what it costs and how to turn it on.
 */
export function sidecarWithoutCniWarnings(istio: { dataplane: DataplaneMode; cni: boolean }): string[] {
    if (istio.dataplane !== "sidecar" || istio.cni) {
        return [];
    }
    return ["Pod Security: istio.dataplane is sidecar and istio.cni is false, so Istio's injector adds istio-init " +
        "(root, NET_ADMIN, NET_RAW) to every injected pod and the sample namespaces can only enforce privileged. " +
        "pulumi config set --path istio.cni true installs Istio's cni node agent and lets them enforce restricted " +
        "(docs/security.md, \"Pod Security and hardened workloads\"; on by default for profile production)."];
}

/** The injection of a namespace labelled for the stack's data plane. */
export function meshNamespaceInjection(dataplane: DataplaneMode, cni: boolean): SidecarInjection {
    return dataplane === "ambient" ? "none" : cni ? "istio-cni" : "istio-init";
}

/**
 * The containers Istio's sidecar injector adds to a pod (istio-discovery files/injection-template.yaml at
 * 1.30.3; global.proxy.privileged false). Without istio-cni the init container `istio-init` writes the
 * iptables rules as root with NET_ADMIN and NET_RAW, which no level but privileged admits; with it
 * (`cni.enabled`) the same container only validates the rules as 1337 with every capability dropped.
 * Neither sets a seccomp profile (global.proxy.seccompProfile is empty): they take the pod's.
 */
export function injectedContainers(injection: SidecarInjection): ContainerSecurity[] {
    if (injection === "none") {
        return [];
    }
    const proxy: ContainerSecurity = {
        name: "istio-proxy",
        securityContext: {
            allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] },
            runAsNonRoot: true, runAsUser: istioProxyUser,
        },
    };
    const init: ContainerSecurity = injection === "istio-cni"
        ? {
            name: "istio-validation",
            securityContext: {
                allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] },
                runAsNonRoot: true, runAsUser: istioProxyUser,
            },
        }
        : {
            name: "istio-init",
            securityContext: {
                allowPrivilegeEscalation: false, privileged: false, capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] },
                runAsNonRoot: false, runAsUser: 0,
            },
        };
    return [init, proxy];
}

/** The pod as admission sees it: with the injector's containers unless the template opts out. */
export function admittedPod(template: PodTemplateLike, injection: SidecarInjection): PodSecuritySpec {
    if (template.metadata?.annotations?.["sidecar.istio.io/inject"] === "false") {
        return template.spec;
    }
    const [init, proxy] = injectedContainers(injection);
    if (!init) {
        return template.spec;
    }
    return { ...template.spec, initContainers: [...(template.spec.initContainers ?? []), init], containers: [...template.spec.containers, proxy] };
}

/** The strictest level every one of a namespace's pods meets once admitted. */
export function namespacePodSecurityLevel(templates: readonly PodTemplateLike[], injection: SidecarInjection): PodSecurityLevel {
    return strictestLevel(templates.map((template) => admittedPod(template, injection)));
}

/** The Helm values the stack gives the two Istio charts that run pods of their own in istio-system. */
export interface IstioSystemChartValues {
    istiod: { seccompProfile?: { type?: string } };
    gateway: { securityContext?: PodSecuritySpec["securityContext"] };
}

const seccompOf = (profile: { type?: string } | undefined) => profile && Object.keys(profile).length > 0 ? { seccompProfile: profile } : {};

/**
 * The pods Istio's charts run in istio-system, as far as the standards read them, rendered from the values
 * the stack passes (templates at 1.30.3).
 * - istiod (istio-discovery templates/deployment.yaml): non-root, no escalation, ALL dropped, and a seccomp
 *   profile only from the top-level `seccompProfile` value.
 * - the gateway (gateway templates/deployment.yaml): ALL dropped, non-root; the pod's securityContext is
 *   the `securityContext` value, else only the safe sysctl net.ipv4.ip_unprivileged_port_start. The
 *   injector's gateway template (files/gateway-injection-template.yaml) overlays that sysctl and the
 *   container's 1337 by strategic merge, adding nothing the standards refuse and no init container.
 * - istio-cni (istio-cni templates/daemonset.yaml): hostPath volumes for the CNI directories, NET_ADMIN,
 *   NET_RAW, SYS_PTRACE…; ztunnel (ztunnel templates/daemonset.yaml): hostPath, NET_ADMIN, SYS_ADMIN,
 *   NET_RAW, root. Node agents: only privileged admits them (Istio's install docs label their namespace so).
 */
export function istioSystemChartPods(istio: { dataplane: DataplaneMode; cni: boolean }, values: IstioSystemChartValues): PodTemplateLike[] {
    const notInjected = { annotations: { "sidecar.istio.io/inject": "false" } };
    const unprivileged = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true };
    const gatewaySysctl = { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start" }] };
    const pods: PodTemplateLike[] = [
        {
            metadata: notInjected,
            spec: {
                volumes: [{ name: "local-certs", emptyDir: {} }, { name: "istio-token", projected: {} }, { name: "cacerts", secret: {} }],
                containers: [{ name: "discovery", securityContext: { ...unprivileged, ...seccompOf(values.istiod.seccompProfile) } }],
            },
        },
        {
            metadata: notInjected,
            spec: {
                securityContext: { ...(values.gateway.securityContext ?? {}), ...gatewaySysctl },
                volumes: [{ name: "istio-envoy", emptyDir: {} }, { name: "istio-token", projected: {} }, { name: "istiod-ca-cert", configMap: {} }],
                containers: [{ name: "istio-proxy", securityContext: { ...unprivileged, privileged: false, runAsUser: istioProxyUser } }],
            },
        },
    ];
    if (istio.cni) {
        pods.push({
            metadata: notInjected,
            spec: {
                volumes: [{ name: "cni-bin-dir", hostPath: { path: "/opt/cni/bin" } }],
                containers: [{ name: "install-cni", securityContext: { privileged: false, capabilities: { add: ["NET_ADMIN", "NET_RAW", "SYS_PTRACE"], drop: ["ALL"] } } }],
            },
        });
    }
    if (istio.dataplane === "ambient") {
        pods.push({
            metadata: notInjected,
            spec: {
                volumes: [{ name: "cni-ztunnel-sock-dir", hostPath: { path: "/var/run/ztunnel" } }],
                containers: [{ name: "istio-proxy", securityContext: { runAsUser: 0, capabilities: { add: ["NET_ADMIN", "SYS_ADMIN", "NET_RAW"], drop: ["ALL"] } } }],
            },
        });
    }
    return pods;
}

/**
 * A waypoint istiod deploys (istio-discovery files/waypoint.yaml at 1.30.3): 1337, no escalation, ALL
 * dropped, emptyDir/projected/ConfigMap volumes, and the seccomp profile of istiod's
 * `gateways.seccompProfile` (components/mesh/istio-values.ts sets RuntimeDefault in ambient mode).
 */
export function waypointPod(seccompProfile: { type: string } | undefined): PodTemplateLike {
    return {
        metadata: { annotations: { "sidecar.istio.io/inject": "false" } },
        spec: {
            volumes: [{ name: "istio-envoy", emptyDir: {} }, { name: "istio-token", projected: {} }, { name: "istiod-ca-cert", configMap: {} }],
            containers: [{
                name: "istio-proxy",
                securityContext: {
                    privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: istioProxyUser,
                    capabilities: { drop: ["ALL"] }, ...(seccompProfile ? { seccompProfile } : {}),
                },
            }],
        },
    };
}

/** The pod templates of a fetched manifest's Deployments, hardened as manifestResources applies them. */
export function manifestPodTemplates(objects: readonly { kind: string; spec?: unknown }[], hardening: PodHardening): PodTemplateLike[] {
    return objects.filter((object) => object.kind === "Deployment")
        .map((object) => (hardenManifestObject(object, hardening).spec as { template: PodTemplateLike }).template);
}

/**
 * Kiali's chart (kiali/helm-charts kiali-server/templates/deployment.yaml at v2.26.0 and v2.27.0): without
 * `deployment.security_context` (the stack sets none) its one container runs with allowPrivilegeEscalation
 * false, privileged false, runAsNonRoot, seccomp RuntimeDefault and ALL dropped; ConfigMap and Secret
 * volumes only. That meets restricted.
 */
export function kialiChartPods(): PodTemplateLike[] {
    return [{
        spec: {
            volumes: [{ name: "kiali-configuration", configMap: {} }, { name: "kiali-cert", secret: {} }, { name: "kiali-cabundle", configMap: {} }],
            containers: [{
                name: "kiali",
                securityContext: {
                    allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true,
                    seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] },
                },
            }],
        },
    }];
}

/** What the observability component runs in istio-system: Istio's Prometheus addon (hardened) and Kiali. */
export function observabilityPodTemplates(prometheusObjects: readonly { kind: string; spec?: unknown }[] | undefined): PodTemplateLike[] {
    return prometheusObjects ? [...manifestPodTemplates(prometheusObjects, manifestHardening.prometheus), ...kialiChartPods()] : [];
}

/** The values the stack gives EnRoute's chart that reach its pod's securityContexts. */
export interface EnrouteChartValues {
    podSecurityContext?: PodSecuritySpec["securityContext"];
    securityContext?: ContainerSecurity["securityContext"];
    istio?: { enable?: boolean };
}

/**
 * EnRoute's chart (saarasio/enroute helm-chart/enroute/templates/deployment.yaml, chart 0.8.7, commit
 * 3f746fe): the pod's securityContext is `podSecurityContext` (empty by default); the enroute, redis and
 * envoy containers take `securityContext` (by default only readOnlyRootFilesystem and privileged false,
 * which Helm keeps beside the stack's keys); with `istio.enable` a `cert-server` container runs with a
 * fixed context (privileged false, readOnlyRootFilesystem) and the init container `envoy-initconfig` has
 * none. Volumes: emptyDir only. No host namespaces, ports or added capabilities, so baseline; never
 * restricted, since cert-server and envoy-initconfig cannot be given allowPrivilegeEscalation false or
 * dropped capabilities through the values.
 */
export function enrouteChartPods(values: EnrouteChartValues): PodTemplateLike[] {
    const chartDefault = { readOnlyRootFilesystem: true, privileged: false };
    const container = (name: string): ContainerSecurity => ({ name, securityContext: { ...chartDefault, ...values.securityContext } });
    const certServer: ContainerSecurity[] = values.istio?.enable ? [{ name: "cert-server", securityContext: { privileged: false } }] : [];
    return [{
        spec: {
            securityContext: values.podSecurityContext ?? {},
            volumes: [{ name: "enroute-config", emptyDir: {} }, ...(values.istio?.enable ? [{ name: "istio-certs", emptyDir: { medium: "Memory" } }] : [])],
            initContainers: [{ name: "envoy-initconfig" }],
            containers: [container("enroute"), ...certServer, container("redis"), container("envoy")],
        },
    }];
}
