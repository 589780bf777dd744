import { enrouteChartPods, meshNamespaceInjection, namespacePodSecurityLevel } from "../../security/namespace-pod-security";
import { podSecurityLabels } from "../../security/pod-security";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config/schema";
import { meshNamespace } from "../../samples/mesh-namespace";
import { namespaceEnrollmentLabels } from "../../core/dataplane";
import { IstioMesh } from "../../mesh/istio-mesh";
import { enrouteChartRepository, enrouteChartVersion } from "../../core/versions";
import {
    enrouteIstioGlobalConfigSpec, enrouteNamespace, enrouteReleaseName, enrouteSkipAwait, enrouteValues, enrouteWarnings,
} from "./values";

export interface EnRouteArgs {
    config: StackConfig;
    mesh: IstioMesh;
}

/**
 * The EnRoute gateway in its own injected namespace, with the chart's Istio integration, so it takes part
 * in the mesh's mutual TLS, and a GlobalConfig telling it to use the mesh's certificates upstream.
 */
export class EnRoute extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly release: k8s.helm.v3.Release;
    readonly istioGlobalConfig: k8s.apiextensions.CustomResource;
    readonly namespaceName: string = enrouteNamespace;
    /** The chart's fullnameOverride names the Service after the chart: `enroute`. */
    readonly serviceName: string = enrouteReleaseName;

    constructor(name: string, args: EnRouteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:observability:EnRoute", name, {}, opts);
        const { config, mesh } = args;

        for (const warning of enrouteWarnings(config.enroute)) {
            void pulumi.log.warn(warning, this);
        }

        // Sidecar-injected in both modes: EnRoute's Istio integration reads the mesh certificate its sidecar
        // writes out (OUTPUT_CERTS), which ambient has no equivalent of. Sidecars and ambient pods talk
        // mTLS to each other, so EnRoute keeps reaching ambient samples.
        const values = enrouteValues(config);
        const podSecurity = namespacePodSecurityLevel(enrouteChartPods(values), meshNamespaceInjection("sidecar", config.istio.cni));
        this.namespace = meshNamespace(enrouteNamespace, { ...namespaceEnrollmentLabels("sidecar"), ...podSecurityLabels(podSecurity) }, { parent: this });

        // Pods in an injected namespace cannot start before istiod's injection webhook answers.
        this.release = new k8s.helm.v3.Release(enrouteReleaseName, {
            chart: "enroute",
            version: enrouteChartVersion,
            repositoryOpts: { repo: enrouteChartRepository },
            name: enrouteReleaseName,
            namespace: this.namespace.metadata.name,
            values,
            skipAwait: enrouteSkipAwait(config),
        }, { parent: this, dependsOn: [mesh.istiod] });

        // The GlobalConfig CRD comes with the chart (its crds/ directory).
        this.istioGlobalConfig = new k8s.apiextensions.CustomResource("enroute-istio-global-config", {
            apiVersion: "enroute.saaras.io/v1",
            kind: "GlobalConfig",
            metadata: { name: "enroute-istio", namespace: this.namespace.metadata.name },
            spec: enrouteIstioGlobalConfigSpec(),
        }, { parent: this, dependsOn: [this.release] });

        this.registerOutputs({
            releaseStatus: this.release.status,
            namespace: this.namespaceName,
        });
    }
}
