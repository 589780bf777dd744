import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { manifestResources } from "../manifests/resources";
import { RenderedManifest } from "../manifests/sample-manifests";
import { StackConfig } from "../config/schema";
import { istioChartSource } from "../core/istio-hosting";
import { mergeValues } from "../core/merge-values";
import { cniSizingValues, gatewaySizingValues, istiodSizingValues, ztunnelSizingValues } from "../sizing";
import { baseValues, cniValues, gatewayValues, istiodValues, ztunnelValues } from "./istio-values";
import { gatewayReleaseName, gatewaySelector, istioRootNamespace, mtlsOptOutAnnotation } from "../core/istio-names";
import { cacertsSecretName, pluggedInCaValues } from "../pki/mesh-ca-spec";
import { caBundleWaitFor, istioValidatingWebhookNames, waitForAnnotation } from "./validation-webhooks";
import { PodTemplateLike, istioSystemChartPods, namespacePodSecurityLevel } from "../security/namespace-pod-security";
import { podSecurityLabels } from "../security/pod-security";

export interface IstioMeshArgs {
    /** Version, chart repository, hub, data plane and the gateway Service's type. */
    istio: StackConfig["istio"];
    /** The mesh-wide PeerAuthentication's mode. */
    mtlsMode: StackConfig["mtls"]["mode"];
    profile: StackConfig["profile"];
    /** The cloud's load-balancer annotations for the gateway Service (IKS), or none. */
    gatewayServiceAnnotations: Readonly<Record<string, string>>;
    /** Ambient mode: the Gateway API CRDs (rendered from their pinned release), installed before istiod. */
    gatewayApiCrds?: RenderedManifest;
    /**
     * The provider that adopts objects which already exist (components/cluster/cluster-provider.ts,
     * clusterPrerequisiteArgs): required with gatewayApiCrds, which may ship with the cluster or outlive a
     * destroy or a data-plane switch (they are kept on delete).
     */
    prerequisitesProvider?: k8s.Provider;
    /**
     * `mesh.ca: stack`: the data of Istio's `cacerts` Secret (components/pki/mesh-ca.ts), written before
     * istiod, which reads it at start. Absent: istiod signs with its own self-signed root, as before.
     */
    caCerts?: pulumi.Output<Readonly<Record<string, string>>>;
    /**
     * The pods other components run in istio-system (Prometheus, Kiali), for the namespace's Pod Security
     * level; Istio's own charts' pods are added here.
     */
    otherPods: readonly PodTemplateLike[];
}

/**
 * Istio from its official charts: base (CRDs) → istiod (control plane, webhooks) → ingress gateway,
 * plus the mesh-wide PeerAuthentication; in ambient mode also istiod → cni → ztunnel. Later components'
 * pods depend on `dataplaneReady` (istiod's sidecar injection, or ztunnel in ambient mode) and their Istio
 * custom resources on `istioConfigReady` (the validating webhooks can verify istiod), so both come up in
 * order and destroy removes them first.
 */
export class IstioMesh extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly base: k8s.helm.v3.Release;
    readonly istiod: k8s.helm.v3.Release;
    /** `mesh.ca: stack` only: Istio's plug-in CA Secret. */
    readonly caCerts?: k8s.core.v1.Secret;
    /** One wait per validating webhook configuration, until istiod has patched in its CA bundle. */
    readonly validationWebhooks: k8s.admissionregistration.v1.ValidatingWebhookConfigurationPatch[];
    /** What every Istio custom resource must depend on (validation-webhooks.ts explains why). */
    readonly istioConfigReady: pulumi.Resource[];
    readonly gateway: k8s.helm.v3.Release;
    /** Ambient mode only: the Gateway API CRDs (what waypoints are made of). */
    readonly gatewayApiCrds: pulumi.CustomResource[];
    /** The istio-cni node agent (ambient mode, or sidecar mode with istio.cni). */
    readonly cni?: k8s.helm.v3.Release;
    /** Ambient mode only: the ztunnel DaemonSet. */
    readonly ztunnel?: k8s.helm.v3.Release;
    /**
     * What a pod of the mesh needs before it starts: istiod's injection webhook (sidecar), or ztunnel on
     * every node (ambient; it comes up after cni, which comes up after istiod).
     */
    readonly dataplaneReady: k8s.helm.v3.Release;
    readonly meshPeerAuthentication: k8s.apiextensions.CustomResource;
    /** Namespace of the ingress gateway Deployment: Gateway credentials must be Secrets here. */
    readonly gatewayNamespace: string = istioRootNamespace;
    readonly rootNamespace: string = istioRootNamespace;
    /** Pod labels of the ingress gateway, for Gateway selectors and authorization rules. */
    readonly gatewaySelector: Readonly<Record<string, string>> = gatewaySelector;
    /** The gateway's workload identity, for AuthorizationPolicy principals. */
    readonly gatewayServiceAccount: string = gatewayReleaseName;
    readonly gatewayServiceName: string = gatewayReleaseName;

    constructor(name: string, args: IstioMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:mesh:IstioMesh", name, {}, opts);
        const { istio, mtlsMode, profile } = args;
        // All three charts from one repository (istio.chartRepository), pinned to one version.
        const chart = (chartName: string) => istioChartSource(istio.chartRepository, chartName, istio.version);

        // Pod Security: restricted with istiod and the gateway (given RuntimeDefault seccomp through their
        // values) and the observability pods; privileged once a node agent (istio-cni,
        // ztunnel) runs here, as Istio asks for the namespace holding them (istio.io "Install Istio with Pod Security
        // Admission": istio-cni-node needs hostPath volumes). The namespace is
        // not labelled for injection, so the injector adds nothing here.
        const istiodChartValues = mergeValues(mergeValues(istiodValues(istio), istiodSizingValues(profile, istio.dataplane)), args.caCerts ? pluggedInCaValues : {});
        const gatewayChartValues = mergeValues(gatewayValues(istio.gatewayServiceType, args.gatewayServiceAnnotations, istio.dataplane), gatewaySizingValues(profile));
        const podSecurity = namespacePodSecurityLevel([
            ...istioSystemChartPods(istio, { istiod: istiodChartValues, gateway: gatewayChartValues }), ...args.otherPods,
        ], "none");
        this.namespace = new k8s.core.v1.Namespace(istioRootNamespace, {
            metadata: { name: istioRootNamespace, labels: podSecurityLabels(podSecurity) },
        }, { parent: this });
        const namespace = this.namespace.metadata.name;

        this.base = new k8s.helm.v3.Release("istio-base", {
            ...chart("base"),
            name: "istio-base",
            namespace,
            values: baseValues(),
        }, { parent: this });

        // istiod must be ready before the gateway: a gateway installed first gets image "auto" and
        // never starts (istio/istio#46307). The Release waits for readiness by default.
        // istio.io "Install with Helm" (ambient) installs the Gateway API CRDs after base and before istiod.
        // Kept on delete: other tools may use them, as Istio keeps its own CRDs when base is uninstalled.
        // Created through the adopting provider, so a create finds them already there (a second ambient
        // stack, destroy then up, ambient → sidecar → ambient, a managed cluster that ships them) and
        // applies our version over them instead of failing with "already exists".
        if (args.gatewayApiCrds && !args.prerequisitesProvider) {
            throw new Error("IstioMesh: the Gateway API CRDs need the adopting prerequisites provider (index.ts passes it)");
        }
        this.gatewayApiCrds = args.gatewayApiCrds && args.prerequisitesProvider ? manifestResources({
            objects: args.gatewayApiCrds.objects, namespace: this.namespace, dependsOn: [], retainOnDelete: true,
            provider: args.prerequisitesProvider,
        }, this) : [];

        // Istio "Plug in CA Certificates": the Secret must exist before istiod starts, or istiod makes its own root.
        this.caCerts = args.caCerts ? new k8s.core.v1.Secret(cacertsSecretName, {
            metadata: { name: cacertsSecretName, namespace },
            type: "Opaque",
            stringData: pulumi.secret(args.caCerts),
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] }) : undefined;

        this.istiod = new k8s.helm.v3.Release("istiod", {
            ...chart("istiod"),
            name: "istiod",
            namespace,
            values: istiodChartValues,
        }, { parent: this, dependsOn: [this.base, ...this.gatewayApiCrds, ...(this.caCerts ? [this.caCerts] : [])] });

        this.validationWebhooks = istioValidatingWebhookNames(istioRootNamespace).map((webhookName) =>
            new k8s.admissionregistration.v1.ValidatingWebhookConfigurationPatch(`${webhookName}-ca-bundle`, {
                metadata: { name: webhookName, annotations: { [waitForAnnotation]: caBundleWaitFor } },
            }, { parent: this, dependsOn: [this.istiod] }));
        this.istioConfigReady = [...this.validationWebhooks];

        if (istio.cni) {
            // istio.io "Install with Helm" (ambient): istiod, then the cni node agent, then ztunnel, each
            // with --wait. cni must be ready before ztunnel so pods enrolled later are redirected to it. In
            // sidecar mode it must be ready before any injected pod: those carry no istio-init, and their
            // istio-validation check fails until the node agent has written the pod's rules.
            this.cni = new k8s.helm.v3.Release("istio-cni", {
                ...chart("cni"),
                name: "istio-cni",
                namespace,
                values: mergeValues(cniValues(istio), cniSizingValues(profile)),
            }, { parent: this, dependsOn: [this.istiod] });
        }
        if (istio.dataplane === "ambient" && this.cni) {
            this.ztunnel = new k8s.helm.v3.Release("ztunnel", {
                ...chart("ztunnel"),
                name: "ztunnel",
                namespace,
                values: mergeValues(ztunnelValues(istio), ztunnelSizingValues(profile)),
            }, { parent: this, dependsOn: [this.cni] });
        }
        this.dataplaneReady = this.ztunnel ?? this.cni ?? this.istiod;

        this.gateway = new k8s.helm.v3.Release(gatewayReleaseName, {
            ...chart("gateway"),
            name: gatewayReleaseName,
            namespace,
            values: gatewayChartValues,
            // A cloud load balancer can take minutes to get its address.
            timeout: 600,
        }, { parent: this, dependsOn: [this.istiod] });

        this.meshPeerAuthentication = new k8s.apiextensions.CustomResource("mesh-default-peer-authentication", {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            // `default` in the root namespace is the mesh-wide policy (what MeshPolicy was before Istio 1.6).
            metadata: {
                name: "default",
                namespace,
                ...(mtlsMode === "STRICT" ? {} : {
                    annotations: { [mtlsOptOutAnnotation]: `mtls.mode=${mtlsMode} in the stack config` },
                }),
            },
            spec: { mtls: { mode: mtlsMode } },
        }, { parent: this, dependsOn: this.istioConfigReady });

        this.registerOutputs({
            istiodStatus: this.istiod.status,
            ...(this.ztunnel ? { ztunnelStatus: this.ztunnel.status } : {}),
            gatewayStatus: this.gateway.status,
        });
    }
}
