// Facts about Istio's Prometheus addon (samples/addons/prometheus.yaml at the Istio release tag), which
// is what this stack runs as the mesh's metrics store. Istio renders that manifest from the
// prometheus-community chart with the scrape jobs Kiali's graph needs (merged app + sidecar metrics via
// prometheus.io annotations), so taking it from the tag of istio.version keeps Prometheus matched
// to the installed Istio without another chart pin and another set of values to keep in step.
import { istioSampleUrl } from "../core/versions";
import { istioRootNamespace } from "../core/istio-names";

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
