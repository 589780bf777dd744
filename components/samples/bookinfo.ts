import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { meshNamespace } from "./mesh-namespace";
import { sampleNamespaceLabels } from "../mesh/authorization/ambient";
import { dataplanePodAnnotations } from "../core/dataplane";
import { manifestResources } from "../manifests/resources";
import { RenderedManifest } from "../manifests/sample-manifests";
import { bookinfoManifest, sampleNamespaces } from "../inventory";
import { versionDestinationRule } from "./version-destination-rule";
import { carriedClientTls } from "../mesh/mtls/client-tls";

export interface BookinfoArgs {
    config: StackConfig;
    /** Pods need istiod's injection webhook. */
    dataplaneReady: pulumi.Resource;
    /** Istio's manifest at the tag of istio.version, rendered for this namespace and istio.hub. */
    manifest: RenderedManifest;
    /** Istio resources need the validating webhooks to verify istiod (IstioMesh.istioConfigReady). */
    istioConfigReady: pulumi.Resource[];
}

/**
 * Istio's bookinfo sample from its own manifest at the installed Istio version, plus DestinationRules
 * naming each service's versions. Its pages reach the gateway through `sampleGatewayRoutes`.
 */
export class Bookinfo extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly namespaceName: string = sampleNamespaces.bookinfo;
    /** The manifest's objects (Services, ServiceAccounts, Deployments), each a resource of its own. */
    readonly objects: pulumi.CustomResource[];
    readonly manifestUrl: string;
    readonly destinationRules: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: BookinfoArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:apps:Bookinfo", name, {}, opts);
        this.namespace = meshNamespace(sampleNamespaces.bookinfo, sampleNamespaceLabels(args.config, sampleNamespaces.bookinfo), { parent: this });

        this.objects = manifestResources({
            objects: args.manifest.objects,
            namespace: this.namespace,
            dependsOn: [args.dataplaneReady],
            podTemplateAnnotations: dataplanePodAnnotations(args.config.istio.dataplane),
        }, this);
        this.manifestUrl = args.manifest.url;

        this.destinationRules = Object.entries(bookinfoManifest.serviceVersions).map(([service, versions]) =>
            versionDestinationRule(`bookinfo-${service}`, {
                namespace: this.namespace.metadata.name,
                namespaceName: sampleNamespaces.bookinfo,
                service,
                versions,
                clientTls: carriedClientTls(args.config, service, sampleNamespaces.bookinfo),
            }, { parent: this, dependsOn: args.istioConfigReady }));

        this.registerOutputs({ namespace: this.namespace.metadata.name, manifestUrl: this.manifestUrl });
    }
}
