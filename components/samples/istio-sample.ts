// Istio's own samples (bookinfo, httpbin): one component for both, since both are the same thing, a
// manifest from Istio's repository at the installed version, rendered object by object into a namespace
// of their own, plus one DestinationRule per Service naming its versions.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { meshNamespace } from "./mesh-namespace";
import { sampleNamespaceLabels } from "../mesh/authorization/ambient";
import { dataplanePodAnnotations } from "../core/dataplane";
import { manifestResources } from "../manifests/resources";
import { RenderedManifest } from "../manifests/sample-manifests";
import { sampleNamespaces, sampleSubsetRules } from "../inventory";
import { versionDestinationRule } from "./version-destination-rule";
import { carriedClientTls } from "../mesh/mtls/client-tls";
import { manifestHardening } from "../security/workload-hardening";
import { manifestPodTemplates, meshNamespaceInjection, namespacePodSecurityLevel } from "../security/namespace-pod-security";
import { podSecurityLabels } from "../security/pod-security";

export type IstioSampleName = "bookinfo" | "httpbin";

/**
 * Each sample's type token, as deployed stacks know it: a URN carries it, so it never changes
 * (test/program/urn-stability.spec.ts).
 */
const typeTokens: Record<IstioSampleName, string> = {
    bookinfo: "iks-mesh:apps:Bookinfo",
    httpbin: "iks-mesh:apps:Httpbin",
};

export interface IstioSampleArgs {
    sample: IstioSampleName;
    config: StackConfig;
    /** Pods need the data plane: istiod's injection webhook, or ztunnel in ambient mode. */
    dataplaneReady: pulumi.Resource;
    /** Istio's manifest at the tag of istio.version, rendered for this namespace and istio.hub. */
    manifest: RenderedManifest;
    /** Istio resources need the validating webhooks to verify istiod (IstioMesh.istioConfigReady). */
    istioConfigReady: pulumi.Resource[];
}

/** A DestinationRule's resource name: the sample's own Service keeps its name, others carry the sample's (`bookinfo-reviews`). */
const ruleName = (sample: IstioSampleName, service: string): string => service === sample ? service : `${sample}-${service}`;

/** One of Istio's samples; its pages reach the gateway through `sampleGatewayRoutes`. */
export class IstioSample extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly namespaceName: string;
    /** The manifest's objects (Services, ServiceAccounts, Deployments), each a resource of its own. */
    readonly objects: pulumi.CustomResource[];
    readonly manifestUrl: string;
    readonly destinationRules: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: IstioSampleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(typeTokens[args.sample], name, {}, opts);
        const namespaceName = sampleNamespaces[args.sample];
        this.namespaceName = namespaceName;
        // The strictest Pod Security level the sample's pods meet once hardened and injected.
        const podSecurity = namespacePodSecurityLevel(manifestPodTemplates(args.manifest.objects, manifestHardening[args.sample]),
            meshNamespaceInjection(args.config.istio.dataplane, args.config.istio.cni));
        this.namespace = meshNamespace(namespaceName, { ...sampleNamespaceLabels(args.config, namespaceName), ...podSecurityLabels(podSecurity) },
            // The enrollment labels wait for the data plane they enroll into (meshNamespace explains why).
            { parent: this, dependsOn: [args.dataplaneReady] });

        this.objects = manifestResources({
            objects: args.manifest.objects,
            namespace: this.namespace,
            dependsOn: [args.dataplaneReady],
            podTemplateAnnotations: dataplanePodAnnotations(args.config.istio.dataplane),
            hardening: manifestHardening[args.sample],
        }, this);
        this.manifestUrl = args.manifest.url;

        const onlyThisSample = { wordpress: false, bookinfo: args.sample === "bookinfo", httpbin: args.sample === "httpbin" };
        this.destinationRules = sampleSubsetRules(onlyThisSample).map((rule) =>
            versionDestinationRule(ruleName(args.sample, rule.service), {
                namespace: this.namespace.metadata.name,
                namespaceName,
                service: rule.service,
                versions: rule.versions,
                clientTls: carriedClientTls(args.config, rule.service, namespaceName),
            }, { parent: this, dependsOn: args.istioConfigReady }));

        this.registerOutputs({ namespace: this.namespace.metadata.name, manifestUrl: this.manifestUrl });
    }
}
