// Helm values and the GlobalConfig that join the EnRoute gateway to the mesh. Every chart key used here is
// one the enroute 0.8.7 templates read (test/data/enroute-chart-keys.ts).
//
// How the chart's Istio integration works (helm-chart/enroute/templates/deployment.yaml): `istio.enable`
// adds `istioPodAnnotations` to the pod and a `cert-server` container. The injected sidecar does not
// intercept traffic (the chart's default annotations empty includeInboundPorts/includeOutboundIPRanges);
// it only fetches the workload certificate from istiod and, with the agent's OUTPUT_CERTS set, writes it
// to the in-memory `istio-certs` volume, from which cert-server hands it to EnRoute's own Envoy for
// mutual TLS to mesh services.
import { StackConfig } from "../../config/schema";
import { enrouteRedisImageTag } from "../../core/versions";

// The namespace is a leaf fact (core/namespaces.ts) that the config layer reads too.
export { enrouteNamespace } from "../../core/namespaces";
export const enrouteReleaseName = "enroute";
/**
 * EnRoute's workload identity: the chart's ServiceAccount is named after its fullname, and the chart's
 * values pin `fullnameOverride: enroute` (templates/_helpers.tpl `enroute.serviceAccountName`).
 */
export const enrouteServiceAccount = "enroute";
/** Where the chart mounts `istio-certs` in the sidecar (userVolumeMount) and in cert-server. */
export const enrouteMeshCertDirectory = "/etc/istio-certs";

/**
 * The `proxy.istio.io/config` annotation. SECRET_TTL (a Go duration) and OUTPUT_CERTS are istio-agent
 * settings (pilot-agent options in Istio 1.30). Helm merges the other istioPodAnnotations from the chart.
 */
export function enrouteProxyConfig(enroute: StackConfig["enroute"]): string {
    const proxyMetadata: Record<string, string> = { SECRET_TTL: `${enroute.secretTtlSeconds}s` };
    if (enroute.outputCerts) {
        proxyMetadata.OUTPUT_CERTS = enrouteMeshCertDirectory;
    }
    return JSON.stringify({ proxyMetadata });
}

/**
 * The enroute chart's keys the stack sets, named as its templates read them (chart 0.8.7; the keys are
 * listed in test/data/enroute-chart-keys.ts, which the specs check these against). `podSecurityContext` and
 * `securityContext` are passed to the pod and containers as they are (toYaml).
 */
export interface EnrouteValues {
    istio: { enable: boolean; strictmtls: boolean };
    istioPodAnnotations: Record<string, string>;
    images: { redis: { tag: string } };
    podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } };
    securityContext: { allowPrivilegeEscalation: boolean };
}

export function enrouteValues(config: StackConfig): EnrouteValues {
    return {
        // `strictmtls` would add a second mesh-wide PeerAuthentication ("global", security.istio.io/v1beta1)
        // beside the mesh's own `default`; mtls.mode already decides that.
        istio: { enable: true, strictmtls: false },
        istioPodAnnotations: { "proxy.istio.io/config": enrouteProxyConfig(config.enroute) },
        images: { redis: { tag: enrouteRedisImageTag } },
        // The chart leaves the pod's securityContext empty and gives its enroute, redis and envoy containers
        // only readOnlyRootFilesystem and privileged false (values.yaml; Helm keeps those beside these keys).
        // The runtime's default seccomp filter is the one Docker applies to every container by default, and
        // each of the three is started by `command` as its binary (no setuid helper), so neither needs more.
        // Capabilities and users stay as the images have them (not checked against the images here). The pod
        // stays baseline all the same (components/security/namespace-pod-security.ts enrouteChartPods).
        podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
        securityContext: { allowPrivilegeEscalation: false },
    };
}

/**
 * The chart's Service is always type LoadBalancer (its `service.type` value is never read). On a cluster
 * without load balancers, the stack's NodePort/ClusterIP choice for Istio's gateway says so, and waiting
 * for an address would only time out.
 */
export function enrouteSkipAwait(config: StackConfig): boolean {
    return config.istio.gatewayServiceType !== "LoadBalancer";
}

/**
 * GlobalConfig (enroute.saaras.io/v1, spec {name, type, config}) of type `globalconfig_globals` with
 * `istio_enabled`: the flag EnRoute's ProxyConfigGlobals defines for upstream mTLS with the mesh's
 * certificates, set the way the chart sets `linkerd_enabled` for Linkerd.
 */
export function enrouteIstioGlobalConfigSpec(): { name: string; type: string; config: string } {
    return {
        name: "istio-global-config",
        type: "globalconfig_globals",
        config: JSON.stringify({ istio_enabled: true }),
    };
}

export function enrouteWarnings(enroute: StackConfig["enroute"]): string[] {
    if (enroute.outputCerts) {
        return [];
    }
    return ["enroute.outputCerts is false: the sidecar does not write the mesh certificate to " +
        `${enrouteMeshCertDirectory}, so EnRoute's cert-server has nothing to serve and its calls to STRICT mTLS ` +
        "services fail. pulumi config set --path enroute.outputCerts true lets EnRoute use the mesh's certificates."];
}
