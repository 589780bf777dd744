// Facts about Istio's Prometheus addon (samples/addons/prometheus.yaml at the Istio release tag), which
// is what this stack runs as the mesh's metrics store. Istio renders that manifest from the
// prometheus-community chart with the scrape jobs Kiali's graph needs (merged app + sidecar metrics via
// prometheus.io annotations), so taking it from the tag of istio.version keeps Prometheus matched
// to the installed Istio without another chart pin and another set of values to keep in step.
import { createHash } from "crypto";
import { istioSampleUrl } from "../core/versions";
import { istioRootNamespace } from "../core/istio-names";
import { ManifestObject } from "../manifests/istio-manifest";

/** The addon hard-codes `namespace: istio-system` in every namespaced object. */
export const prometheusNamespace = istioRootNamespace;
/** Service `prometheus`, port `http` 9090, in the addon of 1.30 and 1.31 (test/fixtures/istio-manifests/prometheus.yaml). */
export const prometheusServiceName = "prometheus";
export const prometheusServicePort = 9090;

export function prometheusAddonUrl(istioVersion: string): string {
    return istioSampleUrl(istioVersion, "addons/prometheus.yaml");
}

/** The in-cluster address Kiali queries. */
export function prometheusUrl(): string {
    return `http://${prometheusServiceName}.${prometheusNamespace}:${prometheusServicePort}`;
}

/** Prometheus's lifecycle API: with it, any pod that reaches port 9090 can POST /-/quit or /-/reload. */
export const lifecycleFlag = "--web.enable-lifecycle";
/** On the Deployment's pod template: the ConfigMap's hash, so a changed scrape config rolls the pod. */
export const prometheusConfigHashAnnotation = "iks-mesh.io/prometheus-config-sha256";

/**
 * The addon with Prometheus's lifecycle API off. Istio's addon (rendered from the prometheus-community
 * chart) starts Prometheus with `--web.enable-lifecycle` (samples/addons/prometheus.yaml), and Prometheus
 * checks no caller on those endpoints, so any pod could stop it: `POST /-/quit` (Prometheus docs,
 * Management API: "disabled by default; enable with --web.enable-lifecycle"). The addon's config-reloader
 * used it only to apply a changed ConfigMap (`--reload-url=.../-/reload`); the ConfigMap's hash on the pod
 * template now restarts Prometheus instead, which a stack only sees on an Istio upgrade.
 */
export function withoutLifecycleApi(objects: readonly ManifestObject[]): ManifestObject[] {
    const config = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === prometheusServiceName);
    const configHash = config ? createHash("sha256").update(JSON.stringify(config.data ?? {})).digest("hex") : undefined;
    return objects.map((object) => {
        if (object.kind !== "Deployment" || object.metadata.name !== prometheusServiceName) {
            return object;
        }
        interface Container { args?: string[]; [key: string]: unknown }
        const spec = object.spec as { template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: Container[] } } };
        const containers = spec.template.spec.containers.map((container) => container.args
            ? { ...container, args: container.args.filter((arg) => arg !== lifecycleFlag && !arg.startsWith(`${lifecycleFlag}=`)) } : container);
        const metadata = spec.template.metadata ?? {};
        return {
            ...object,
            spec: {
                ...spec,
                template: {
                    ...spec.template,
                    metadata: configHash ? { ...metadata, annotations: { ...metadata.annotations, [prometheusConfigHashAnnotation]: configHash } } : metadata,
                    spec: { ...spec.template.spec, containers },
                },
            },
        };
    });
}

/** The pod labels of Kiali's chart (kiali-server templates/_helpers.tpl `kiali-server.selectorLabels`). */
export function kialiPodSelector(kialiInstanceName: string): Record<string, string> {
    return { "app.kubernetes.io/name": "kiali", "app.kubernetes.io/instance": kialiInstanceName };
}

export const prometheusNetworkPolicyName = "prometheus-ingress-from-kiali";

/**
 * A NetworkPolicy that admits connections to Prometheus's pods only from Kiali's pods, on Prometheus's port.
 * The addon's pod opts out of injection and Kiali's carries no sidecar, so no AuthorizationPolicy can name
 * either (docs/security.md, "Prometheus: who can reach it"); the CNI enforces this one whatever the mesh
 * does (Calico on IKS). Ingress only: Prometheus's scrapes are outbound. What it does not stop, by
 * Kubernetes' definition: traffic from the pod's own node (the kubelet's probes) and a port-forward, which
 * enters the pod's network namespace on localhost (kubernetes.io/docs/concepts/services-networking/
 * network-policies: "traffic to and from the node where a Pod is running is always allowed").
 * The selector is the addon Deployment's own, so a changed addon cannot leave Prometheus unselected.
 */
export function prometheusNetworkPolicySpec(objects: readonly ManifestObject[], kialiInstanceName: string): {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: string[];
    ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[]; ports: { protocol: string; port: number }[] }[];
} {
    const deployment = objects.find((object) => object.kind === "Deployment" && object.metadata.name === prometheusServiceName);
    const matchLabels = (deployment?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
    if (!matchLabels || Object.keys(matchLabels).length === 0) {
        throw new Error(`Istio's Prometheus addon has no Deployment ${prometheusServiceName} with spec.selector.matchLabels: ` +
            "the NetworkPolicy that lets only Kiali reach it would select no pod. Check the addon of istio.version.");
    }
    return {
        podSelector: { matchLabels: { ...matchLabels } },
        policyTypes: ["Ingress"],
        ingress: [{
            from: [{ podSelector: { matchLabels: kialiPodSelector(kialiInstanceName) } }],
            // The container port the Service's `http` port targets (9090 in the addon of 1.30 and 1.31).
            ports: [{ protocol: "TCP", port: prometheusServicePort }],
        }],
    };
}
