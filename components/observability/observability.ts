import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { mergeValues } from "../core/merge-values";
import { kialiSizingValues } from "../sizing";
import { IstioMesh } from "../mesh/istio-mesh";
import { kialiChartRepository, kialiChartVersionFor } from "../core/versions";
import {
    kialiAuthWarnings, kialiInstanceName, kialiLoginRole, kialiLoginRules, kialiLoginServiceAccount, kialiPortForwardCommand,
    kialiTokenCommand, kialiValues,
} from "./kiali-values";
import { manifestResources } from "../manifests/resources";
import { RenderedManifest } from "../manifests/sample-manifests";
import { prometheusNetworkPolicyName, prometheusNetworkPolicySpec, prometheusUrl, withoutLifecycleApi } from "./prometheus-addon";
import { manifestHardening } from "../security/workload-hardening";

export interface ObservabilityArgs {
    config: StackConfig;
    mesh: IstioMesh;
    /** Istio's Prometheus addon at the tag of istio.version, rendered (its objects name istio-system). */
    prometheus: RenderedManifest;
}

/**
 * Prometheus scraping the mesh (Istio's addon at the installed Istio version) and Kiali reading it.
 * Kiali does not wait for Prometheus: it starts without it and shows the graph once metrics arrive.
 */
export class Observability extends pulumi.ComponentResource {
    /** The addon's objects (ServiceAccount, ConfigMap, ClusterRole and binding, Service, Deployment). */
    readonly prometheus: pulumi.CustomResource[];
    readonly kiali: k8s.helm.v3.Release;
    readonly prometheusUrl: string = prometheusUrl();
    /** How to open the Kiali UI at http://localhost:20001. */
    readonly portForwardCommand: string = kialiPortForwardCommand();
    /** How to get a short-lived token for Kiali's token login, of the read-only login ServiceAccount. */
    readonly tokenCommand: string = kialiTokenCommand();
    readonly loginBinding: k8s.rbac.v1.ClusterRoleBinding;
    /** Only Kiali's pods may connect to Prometheus (where the CNI enforces NetworkPolicy). */
    readonly prometheusNetworkPolicy: k8s.networking.v1.NetworkPolicy;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:observability:Observability", name, {}, opts);
        const { config, mesh } = args;

        // The addon carries its own `namespace: istio-system`; it needs the namespace, not istiod
        // (its pod opts out of injection).
        this.prometheus = manifestResources({
            objects: withoutLifecycleApi(args.prometheus.objects), namespace: mesh.namespace, dependsOn: [],
            hardening: manifestHardening.prometheus,
        }, this);

        // Prometheus answers its query API to whoever connects, and neither it nor Kiali is in the mesh, so
        // the CNI is what keeps other pods out (prometheus-addon.ts prometheusNetworkPolicySpec).
        this.prometheusNetworkPolicy = new k8s.networking.v1.NetworkPolicy(prometheusNetworkPolicyName, {
            metadata: { name: prometheusNetworkPolicyName, namespace: mesh.namespace.metadata.name },
            spec: prometheusNetworkPolicySpec(args.prometheus.objects, kialiInstanceName),
        }, { parent: this });

        for (const warning of kialiAuthWarnings(config.kiali.authStrategy)) {
            void pulumi.log.warn(warning, this);
        }

        // Kiali reads istiod's registry and proxy status, and destroy should remove it before the control plane.
        this.kiali = new k8s.helm.v3.Release(kialiInstanceName, {
            chart: "kiali-server",
            version: kialiChartVersionFor(config.istio.version),
            repositoryOpts: { repo: kialiChartRepository },
            name: kialiInstanceName,
            namespace: mesh.namespace.metadata.name,
            values: mergeValues(kialiValues(config.kiali), kialiSizingValues(config.profile)),
        }, { parent: this, dependsOn: [mesh.istiod] });

        // The login identity: a token of it is all `kialiTokenCommand` hands out (kiali-values.ts kialiLoginRules).
        const loginAccount = new k8s.core.v1.ServiceAccount(kialiLoginServiceAccount, {
            metadata: { name: kialiLoginServiceAccount, namespace: mesh.namespace.metadata.name },
            automountServiceAccountToken: false,
        }, { parent: this });
        const loginRole = new k8s.rbac.v1.ClusterRole(kialiLoginRole, {
            metadata: { name: kialiLoginRole },
            rules: kialiLoginRules(),
        }, { parent: this });
        this.loginBinding = new k8s.rbac.v1.ClusterRoleBinding(kialiLoginRole, {
            metadata: { name: kialiLoginRole },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: loginRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: loginAccount.metadata.name, namespace: mesh.namespace.metadata.name }],
        }, { parent: this });

        this.registerOutputs({
            kialiStatus: this.kiali.status,
            portForwardCommand: this.portForwardCommand,
            tokenCommand: this.tokenCommand,
        });
    }
}
