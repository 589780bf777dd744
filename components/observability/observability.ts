import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { mergeValues } from "../core/merge-values";
import { kialiSizingValues } from "../sizing";
import { IstioMesh } from "../mesh/istio-mesh";
import { kialiChartRepository, kialiChartVersionFor } from "../core/versions";
import {
    kialiAuthWarnings, kialiInstanceName, kialiPortForwardCommand, kialiTokenCommand, kialiValues,
} from "./kiali-values";
import { manifestResources } from "../manifests/resources";
import { RenderedManifest } from "../manifests/sample-manifests";
import { prometheusUrl } from "./prometheus-addon";
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
    /** How to get a token for Kiali's token login. */
    readonly tokenCommand: string = kialiTokenCommand();

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:observability:Observability", name, {}, opts);
        const { config, mesh } = args;

        // The addon carries its own `namespace: istio-system`; it needs the namespace, not istiod
        // (its pod opts out of injection).
        this.prometheus = manifestResources({
            objects: args.prometheus.objects, namespace: mesh.namespace, dependsOn: [], hardening: manifestHardening.prometheus,
        }, this);

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

        this.registerOutputs({
            kialiStatus: this.kiali.status,
            portForwardCommand: this.portForwardCommand,
            tokenCommand: this.tokenCommand,
        });
    }
}
