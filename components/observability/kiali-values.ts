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

/**
 * The kiali-server chart's keys the stack sets, named as in the chart's values.yaml and the Kiali CR spec
 * of the pinned release (test/data/kiali-chart-keys.ts lists them; the specs check these against it).
 */
export interface KialiValues {
    auth: { strategy: KialiAuthStrategy };
    deployment: { instance_name: string };
    server: { port: number };
    external_services: {
        istio: { root_namespace: string };
        prometheus: { url: string };
    };
}

export function kialiValues(kiali: StackConfig["kiali"]): KialiValues {
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

/** The ServiceAccount whose tokens log in to Kiali: nothing runs as it, and it can only read. */
export const kialiLoginServiceAccount = "kiali-login";
/** Its ClusterRole, narrower than the chart's `kiali-viewer` (see kialiLoginRules). */
export const kialiLoginRole = "kiali-login-viewer";
/** How long a login token lives: `kubectl create token --duration` (the API server may shorten it). */
export const kialiLoginTokenDuration = "1h";

/**
 * What a Kiali login may read: the chart's `kiali-viewer` ClusterRole (kiali/helm-charts
 * kiali-server/templates/role-viewer.yaml) without `pods/portforward`, `pods/log` and `pods/proxy`, so a
 * leaked login token opens no tunnel around the mesh's authorization (a port-forward reaches a pod's port
 * directly) and reads no application logs or pod endpoints, and without the OpenShift and iter8 groups
 * this stack never has. Kiali's Logs tab and pod proxy views need those rights: they stay off for this token.
 */
export function kialiLoginRules(): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
    return [
        { apiGroups: [""], resources: ["configmaps", "endpoints", "namespaces", "nodes", "pods", "replicationcontrollers", "services"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["extensions", "apps"], resources: ["deployments", "replicasets", "statefulsets"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["networking.istio.io", "security.istio.io"], resources: ["*"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["monitoring.kiali.io"], resources: ["monitoringdashboards"], verbs: ["get", "list"] },
    ];
}

/**
 * A short-lived token of the dedicated login ServiceAccount, never of Kiali's own (`kiali`, which holds
 * the chart's cluster-wide rights including `pods/portforward`).
 */
export function kialiTokenCommand(): string {
    return `kubectl -n ${kialiNamespace} create token ${kialiLoginServiceAccount} --duration=${kialiLoginTokenDuration}`;
}
