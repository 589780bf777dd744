// Helm values for Istio's three charts. Only keys that exist in the pinned charts are set: Helm ignores
// an unknown key silently (base, istiod) or the chart's schema rejects it (gateway), and either way the
// intent is lost. test/data/chart-keys/ pins the keys the charts of each supported Istio line define.
import { StackConfig } from "../config/schema";

/** The `istio` section: all the charts' values read. */
type IstioSettings = StackConfig["istio"];
import { istioRootNamespace } from "../core/istio-names";
import { dataplanePodAnnotations } from "../core/dataplane";

// Fail from the start stops the webhook's Ignore→Fail flip that otherwise shows as a diff on every
// preview (istio/istio#44285), and rejects invalid Istio resources even while istiod starts.
const validationFailurePolicy = { base: { validationFailurePolicy: "Fail" } } as const;

/** The container runtime's default seccomp filter, which the Pod Security `restricted` level asks for. */
const runtimeDefaultSeccomp: SeccompProfile = { type: "RuntimeDefault" };

interface SeccompProfile {
    type: "RuntimeDefault";
}

/** A platform profile's name (`global.platform`); `none` is the stack's word for setting none. */
type IstioPlatform = Exclude<IstioSettings["platform"], "none">;

// The keys each builder sets, named as in the charts' values.yaml (reference/istio-1.30.3: base-values.yaml,
// istiod-values.yaml, gateway-values.yaml with its values.schema.json; istio-cni's and ztunnel's from the
// same release); test/data/chart-keys/ holds the key lists the specs check them against.

/** The `base` chart's keys the stack sets. */
export interface IstioBaseValues {
    base: { validationFailurePolicy: "Fail" };
    defaultRevision: string;
}

/** The `istiod` chart's keys the stack sets (istiod-values.yaml). */
export interface IstiodValues {
    base: { validationFailurePolicy: "Fail" };
    profile?: "ambient";
    cni?: { enabled: boolean };
    gateways?: { seccompProfile: SeccompProfile };
    seccompProfile: SeccompProfile;
    global: { istioNamespace: string; hub: string; platform?: IstioPlatform };
    meshConfig: { enablePrometheusMerge: boolean };
}

/** The `cni` chart's keys the stack sets. */
export interface IstioCniValues {
    profile?: "ambient";
    hub: string;
    global?: { platform: IstioPlatform };
}

/** The `ztunnel` chart's keys the stack sets. */
export interface ZtunnelValues {
    hub: string;
    istioNamespace: string;
    global?: { platform: IstioPlatform };
}

/** The `gateway` chart's keys the stack sets (gateway-values.yaml, gateway-values.schema.json). */
export interface IstioGatewayValues {
    service: { type: IstioSettings["gatewayServiceType"]; annotations?: Record<string, string> };
    securityContext: typeof gatewayPodSecurityContext;
    podAnnotations?: Record<string, string>;
}

export function baseValues(): IstioBaseValues {
    return { ...validationFailurePolicy, defaultRevision: "default" };
}

export function istiodValues(istio: IstioSettings): IstiodValues {
    return {
        ...validationFailurePolicy,
        ...ambientProfile(istio),
        ...sidecarCni(istio),
        ...waypointSeccomp(istio),
        // istiod's own container: the chart drops every capability and runs it non-root, but sets a seccomp
        // profile only from this top-level key (istio-discovery templates/deployment.yaml at 1.30.3).
        seccompProfile: runtimeDefaultSeccomp,
        global: {
            istioNamespace: istioRootNamespace,
            // The hub of istiod's own image (`hub` is unset, so the chart falls back to global.hub) and of
            // every proxy the injector adds: sidecars and the gateway, whose chart asks for image "auto"
            // (pkg/kube/inject/inject.go ProxyImage reads global.hub). Set explicitly because the 1.30 charts
            // default it to registry.istio.io, which is decommissioned in December 2026.
            hub: istio.hub,
            ...platformValue(istio),
        },
        meshConfig: {
            // Prometheus scrapes the app's and the sidecar's metrics through one merged endpoint, which
            // is what Kiali's graph reads.
            enablePrometheusMerge: true,
        },
    };
}

/**
 * In ambient mode istiod and cni take Istio's `ambient` Helm profile (istio.io "Install with
 * Helm", ambient: `--set profile=ambient` for istiod and cni). For istiod it sets PILOT_ENABLE_AMBIENT
 * and HBONE for the proxies it configures; for cni it turns on ambient redirection
 * (manifests/helm-profiles/ambient.yaml at 1.30.3), so none of those is set by hand.
 */
function ambientProfile(istio: IstioSettings): { profile?: "ambient" } {
    return istio.dataplane === "ambient" ? { profile: "ambient" } : {};
}

/**
 * Istio's platform profile (`global.platform`), for the three charts that ship them (istiod, cni,
 * ztunnel): minikube's netns dir, the k3s/k3d/microk8s CNI directories, GKE's bin dir and quotas,
 * OpenShift's multus settings (manifests/helm-profiles/platform-*.yaml at 1.30.3). `none` sets nothing:
 * the charts fail on a platform they have no profile for.
 */
/**
 * Sidecar mode with istio-cni: the injector then adds no privileged istio-init but an unprivileged
 * `istio-validation` check, and leaves the iptables rules to the node agent (injection-template.yaml at
 * 1.30.3: `if not .Values.pilot.cni.enabled` adds NET_ADMIN/NET_RAW and runs as root). The chart's key
 * is the top-level `cni.enabled`: the injector's values take `pilot` from `pick .Values "cni" "env"`
 * (templates/istiod-injector-configmap.yaml), so `pilot.cni.enabled` itself is no chart value.
 */
function sidecarCni(istio: IstioSettings): Pick<IstiodValues, "cni"> {
    return istio.dataplane === "sidecar" && istio.cni ? { cni: { enabled: true } } : {};
}

/**
 * Ambient mode: the waypoints istiod deploys into sample namespaces run as 1337 with every capability
 * dropped but set a seccomp profile only from `gateways.seccompProfile` (files/waypoint.yaml at 1.30.3),
 * so without it a waypoint would be refused by those namespaces' `restricted` Pod Security level.
 */
function waypointSeccomp(istio: IstioSettings): Pick<IstiodValues, "gateways"> {
    return istio.dataplane === "ambient" ? { gateways: { seccompProfile: runtimeDefaultSeccomp } } : {};
}

/**
 * The gateway's pod-level securityContext. The chart writes `securityContext` instead of its default, which
 * is only the sysctl that lets 1337 bind ports 80 and 443 (gateway templates/deployment.yaml at 1.30.3), so
 * the sysctl is repeated here beside the seccomp profile. The injector's gateway template then overlays
 * its own pod securityContext (the same sysctl, unless istiod's gateways.securityContext is set) by a
 * strategic merge (pkg/kube/inject/webhook.go applyOverlayYAML), which keeps the seccomp profile.
 */
export const gatewayPodSecurityContext: { seccompProfile: SeccompProfile; sysctls: { name: string; value: string }[] } = {
    seccompProfile: runtimeDefaultSeccomp,
    sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
};

function platformValue(istio: IstioSettings): { platform?: IstioPlatform } {
    return istio.platform === "none" ? {} : { platform: istio.platform };
}

function platformGlobal(istio: IstioSettings): { global?: { platform: IstioPlatform } } {
    return istio.platform === "none" ? {} : { global: { platform: istio.platform } };
}

/**
 * The istio-cni node agent: in ambient mode it redirects enrolled pods to ztunnel; in sidecar mode
 * (`istio.cni`) it writes each injected pod's iptables rules in place of istio-init (the chart's
 * default, `ambient.enabled: false`, is that chained-plugin mode). Its image comes from istio.hub like
 * istiod's: the chart's own default hub is one of the retired hosts.
 */
export function cniValues(istio: IstioSettings): IstioCniValues {
    return { ...ambientProfile(istio), hub: istio.hub, ...platformGlobal(istio) };
}

/**
 * ztunnel, the per-node L4 proxy of ambient mode, from istio.hub; it finds istiod in the root namespace.
 * The install guide gives it no profile: the chart is ambient-only.
 */
export function ztunnelValues(istio: IstioSettings): ZtunnelValues {
    return { hub: istio.hub, istioNamespace: istioRootNamespace, ...platformGlobal(istio) };
}

/** The gateway chart's Service: its type, and the cloud's annotations for the load balancer (IKS), if any. */
export function gatewayValues(
    serviceType: IstioSettings["gatewayServiceType"], annotations: Readonly<Record<string, string>>, dataplane: IstioSettings["dataplane"],
): IstioGatewayValues {
    // The gateway's pods roll on a data-plane switch like every workload's (core/dataplane.ts): a running
    // gateway keeps the proxy bootstrap it started with. Helm merges this map into the chart's default
    // podAnnotations (prometheus.io/*, inject.istio.io/templates), so only the key is added.
    const podAnnotations = dataplanePodAnnotations(dataplane);
    return {
        service: { type: serviceType, ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}) },
        securityContext: gatewayPodSecurityContext,
        ...(Object.keys(podAnnotations).length > 0 ? { podAnnotations } : {}),
    };
}
