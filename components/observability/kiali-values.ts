// Helm values for the kiali-server chart, and what an operator needs to reach the result. The chart copies
// its values into Kiali's config (the Kiali CR's `spec` shape), so every key here is one the chart's
// values.yaml or the Kiali CR schema of the pinned version defines (test/data/kiali-chart-keys.ts).
import { StackConfig } from "../config/schema";
import { istioRootNamespace } from "../core/istio-names";
import { prometheusUrl } from "./prometheus-addon";

export type KialiAuthStrategy = StackConfig["kiali"]["authStrategy"];

/** Kiali runs beside istiod, as Istio's own addon installs it. */
export const kialiNamespace = istioRootNamespace;
/**
 * The chart names its Service, ServiceAccount and Deployment after `deployment.instance_name`; setting it
 * here (to the chart's default) ties the commands below to the values that create those objects.
 */
export const kialiInstanceName = "kiali";
export const kialiServerPort = 20001;

export function kialiValues(kiali: StackConfig["kiali"]): Record<string, unknown> {
    return {
        auth: { strategy: kiali.authStrategy },
        deployment: { instance_name: kialiInstanceName },
        server: { port: kialiServerPort },
        external_services: {
            // `istio_namespace` is ignored since Kiali 2.11; the root namespace is the key that still counts.
            istio: { root_namespace: istioRootNamespace },
            prometheus: { url: prometheusUrl() },
        },
    };
}

/** Warnings for strategies that are unsafe or that this stack cannot finish configuring. */
export function kialiAuthWarnings(strategy: KialiAuthStrategy): string[] {
    switch (strategy) {
        case "anonymous":
            return ["kiali.authStrategy is anonymous: anyone who can reach Kiali gets its full access, including " +
                "changing the mesh's Istio configuration. Use it only on a private cluster; " +
                "pulumi config set --path kiali.authStrategy token restores the login."];
        case "openid":
            return ["kiali.authStrategy is openid, but this stack does not set Kiali's auth.openid.client_id and " +
                "auth.openid.issuer_uri, and the cluster's API server must accept the identity provider's tokens: " +
                "logins fail until both are configured outside this stack."];
        case "header":
            return ["kiali.authStrategy is header: Kiali takes each user's credentials from an Authorization header " +
                "(and optional impersonation headers) that a reverse proxy in front of it must inject; this stack " +
                "deploys no such proxy, so nobody can log in until one is placed in front of Kiali."];
        default:
            return [];
    }
}

export function kialiPortForwardCommand(): string {
    return `kubectl -n ${kialiNamespace} port-forward svc/${kialiInstanceName} ${kialiServerPort}:${kialiServerPort}`;
}

/**
 * A short-lived token of Kiali's own ServiceAccount (the chart names it after the instance: `kiali`, not the
 * operator's `kiali-service-account`). It carries Kiali's cluster-wide rights; a token of a narrower
 * ServiceAccount works as well.
 */
export function kialiTokenCommand(): string {
    return `kubectl -n ${kialiNamespace} create token ${kialiInstanceName}`;
}
