// Istio's validating webhooks, and how the stack waits until they can answer.
//
// With `base.validationFailurePolicy: Fail` (istio-values.ts) the API server rejects every Istio custom
// resource while the webhook has no CA bundle to verify istiod with ("x509: certificate signed by unknown
// authority"). The charts ship the webhook without one; istiod's validation controller patches it in. And
// istiod reports ready before that: in pilot/pkg/bootstrap/validation.go (1.30.3) `initConfigValidation`
// sets `configValidationReady` as soon as the webhook server exists and only registers the controller
// (pkg/webhooks/validation/controller) as a start function, so the istiod Release can be "ready" while
// the webhook still has no `caBundle`. On an empty cluster the first Istio resources then fail.
//
// The stack waits for the `caBundle` of each webhook configuration before any Istio custom resource,
// with a ValidatingWebhookConfigurationPatch carrying `pulumi.com/waitFor` (@pulumi/kubernetes ≥ 4.18;
// provider/pkg/metadata/overrides.go ReadyCondition: a `jsonpath=` expression without a value is
// satisfied once the path exists). Chosen over the alternatives because:
// - it runs inside the Kubernetes provider, with the same cluster, credentials and provider as every
//   other resource; a `local.Command` running `kubectl wait` would need kubectl on the machine and a
//   second copy of the cluster's credentials that could point at another cluster;
// - Patch resources are not previewed (provider.go Create skips them during preview), so
//   `pulumi preview` on an empty cluster still works; a `.get()` read would fail there, and it reads
//   once instead of waiting;
// - the patch owns only its annotation (server-side apply field manager); Helm and istiod keep the rest.
// Destroy removes the patch (its annotation) before istiod, and the Istio resources before the patch.
import { istioRootNamespace } from "../core/istio-names";

/** The Pulumi annotation the Kubernetes provider awaits on create and update. */
export const waitForAnnotation = "pulumi.com/waitFor";

/** Satisfied once istiod has written a CA bundle into the (single) webhook of the configuration. */
export const caBundleWaitFor = "jsonpath={.webhooks[0].clientConfig.caBundle}";

/**
 * The ValidatingWebhookConfigurations a default-revision install has, both labelled `istio.io/rev:
 * default`, which is what istiod's controller patches: `istiod-default-validator` from the base chart
 * (templates/defaultrevision-validatingwebhookconfiguration.yaml, with `defaultRevision: default`) and
 * `istio-validator-<istio namespace>` from the istiod chart (templates/validatingwebhookconfiguration.yaml).
 * Each has one webhook.
 */
export function istioValidatingWebhookNames(istioNamespace: string = istioRootNamespace): string[] {
    return ["istiod-default-validator", `istio-validator-${istioNamespace}`];
}
