import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { meshNamespace } from "./mesh-namespace";
import { sampleNamespaceLabels } from "../mesh/authorization/ambient";
import { dataplanePodAnnotations } from "../core/dataplane";
import { manifestResources } from "../manifests/resources";
import { RenderedManifest } from "../manifests/sample-manifests";
import { httpbinManifest, sampleNamespaces } from "../inventory";
import { versionDestinationRule } from "./version-destination-rule";
import { carriedClientTls } from "../mesh/mtls/client-tls";

export interface HttpbinArgs {
    config: StackConfig;
    /** Pods need istiod's injection webhook. */
    dataplaneReady: pulumi.Resource;
    /** Istio's manifest at the tag of istio.version, rendered for this namespace and istio.hub. */
    manifest: RenderedManifest;
    /** Istio resources need the validating webhooks to verify istiod (IstioMesh.istioConfigReady). */
    istioConfigReady: pulumi.Resource[];
}

/**
 * Istio's httpbin sample in `httptools`, from its manifest at the installed
 * Istio version; `/status` and `/headers` reach it through the gateway via `sampleGatewayRoutes`.
 */
export class Httpbin extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly namespaceName: string = sampleNamespaces.httpbin;
    /** The manifest's objects (Services, ServiceAccounts, Deployments), each a resource of its own. */
    readonly objects: pulumi.CustomResource[];
    readonly manifestUrl: string;
    readonly destinationRule: k8s.apiextensions.CustomResource;

    constructor(name: string, args: HttpbinArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:apps:Httpbin", name, {}, opts);
        this.namespace = meshNamespace(sampleNamespaces.httpbin, sampleNamespaceLabels(args.config, sampleNamespaces.httpbin), { parent: this });

        this.objects = manifestResources({
            objects: args.manifest.objects,
            namespace: this.namespace,
            dependsOn: [args.dataplaneReady],
            podTemplateAnnotations: dataplanePodAnnotations(args.config.istio.dataplane),
        }, this);
        this.manifestUrl = args.manifest.url;

        this.destinationRule = versionDestinationRule("httpbin", {
            namespace: this.namespace.metadata.name,
            namespaceName: sampleNamespaces.httpbin,
            service: httpbinManifest.service,
            versions: httpbinManifest.versions,
            clientTls: carriedClientTls(args.config, httpbinManifest.service, sampleNamespaces.httpbin),
        }, { parent: this, dependsOn: args.istioConfigReady });

        this.registerOutputs({ namespace: this.namespace.metadata.name, manifestUrl: this.manifestUrl });
    }
}
