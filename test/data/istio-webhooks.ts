// Facts of Istio 1.30.3's charts about the validating webhooks (names only), pinned as test data.
// Sources, at tag 1.30.3 of https://github.com/istio/istio:
// - manifests/charts/base/templates/defaultrevision-validatingwebhookconfiguration.yaml:
//   `istiod-default-validator` (when defaultRevision is set), one webhook `validation.istio.io`;
// - manifests/charts/istio-control/istio-discovery/templates/validatingwebhookconfiguration.yaml:
//   `istio-validator{-revision}-{istioNamespace}`, one webhook `rev.validation.istio.io`.
// Both carry `istio.io/rev: default`, the label istiod's validation controller selects to patch the CA bundle.
export const validatingWebhookConfigurations1303 = [
    { name: "istiod-default-validator", chart: "base", webhooks: ["validation.istio.io"] },
    { name: "istio-validator-istio-system", chart: "istiod", webhooks: ["rev.validation.istio.io"] },
] as const;
