// The value keys that Istio's 1.30.3 charts define, pinned as test data (key names only). Helm ignores
// an unknown key in base and istiod without a word, and the gateway chart's schema rejects one, so
// tests check every value the program sets against these lists. A path ending in `.*` is an open map
// (labels, annotations, MeshConfig) under which any key is allowed.
//
// Read from the charts' values.yaml (base, istiod) and values.schema.json (gateway) at tag 1.30.3.
// `base.validationFailurePolicy` is read by the webhook templates of both charts but only appears
// commented out in istiod's values.yaml, so it is listed by hand.
// When istio.version moves, regenerate these lists from the new charts before trusting the test.

export const chartKeysVersion = "1.30.3";

export const istioChartKeys: Record<"base" | "istiod" | "gateway", readonly string[]> = {
    base: [
        "base", "base.enableCRDTemplates", "base.enableIstioConfigCRDs", "base.excludedCRDs", "base.validationCABundle",
        "base.validationFailurePolicy", "base.validationURL", "defaultRevision", "experimental",
        "experimental.stableValidationPolicy", "global", "global.enableReaderRBAC", "global.imagePullSecrets",
        "global.istioNamespace", "global.resourceScope",
    ],
    istiod: [
        "affinity.*", "autoscaleBehavior.*", "autoscaleEnabled", "autoscaleMax", "autoscaleMin", "base",
        "base.enableIstioConfigCRDs", "base.validationFailurePolicy", "cni", "cni.enabled", "cni.provider", "configMap",
        "cpu", "cpu.targetAverageUtilization", "deploymentAnnotations.*", "deploymentLabels.*", "env.*", "envVarFrom",
        "experimental", "experimental.stableValidationPolicy", "extraContainerArgs", "gatewayClasses.*", "gateways",
        "gateways.seccompProfile.*", "gateways.securityContext.*", "global", "global.caAddress", "global.caName",
        "global.certSigners", "global.configCluster", "global.configValidation", "global.defaultPodDisruptionBudget",
        "global.defaultPodDisruptionBudget.enabled", "global.defaultResources", "global.defaultResources.requests",
        "global.defaultResources.requests.cpu", "global.externalIstiod", "global.hub", "global.imagePullPolicy",
        "global.imagePullSecrets", "global.istioNamespace", "global.istiod", "global.istiod.enableAnalysis",
        "global.logAsJson", "global.logging", "global.logging.level", "global.meshID", "global.meshNetworks.*",
        "global.mountMtlsCerts", "global.multiCluster", "global.multiCluster.clusterName", "global.nativeNftables",
        "global.network", "global.networkPolicy", "global.networkPolicy.enabled", "global.omitSidecarInjectorConfigMap",
        "global.operatorManageWebhooks", "global.pilotCertProvider", "global.priorityClassName", "global.proxy",
        "global.proxy.autoInject", "global.proxy.clusterDomain", "global.proxy.componentLogLevel",
        "global.proxy.excludeIPRanges", "global.proxy.excludeInboundPorts", "global.proxy.excludeOutboundPorts",
        "global.proxy.image", "global.proxy.includeIPRanges", "global.proxy.includeInboundPorts",
        "global.proxy.includeOutboundPorts", "global.proxy.logLevel", "global.proxy.outlierLogPath",
        "global.proxy.privileged", "global.proxy.readinessFailureThreshold", "global.proxy.readinessInitialDelaySeconds",
        "global.proxy.readinessPeriodSeconds", "global.proxy.resources", "global.proxy.resources.limits",
        "global.proxy.resources.limits.cpu", "global.proxy.resources.limits.memory", "global.proxy.resources.requests",
        "global.proxy.resources.requests.cpu", "global.proxy.resources.requests.memory", "global.proxy.seccompProfile.*",
        "global.proxy.startupProbe", "global.proxy.startupProbe.enabled", "global.proxy.startupProbe.failureThreshold",
        "global.proxy.statusPort", "global.proxy.tracer", "global.proxy_init", "global.proxy_init.forceApplyIptables",
        "global.proxy_init.image", "global.remotePilotAddress", "global.resourceScope", "global.sds", "global.sds.token",
        "global.sds.token.aud", "global.sts", "global.sts.servicePort", "global.tag", "global.variant", "global.waypoint",
        "global.waypoint.affinity.*", "global.waypoint.nodeSelector.*", "global.waypoint.resources",
        "global.waypoint.resources.limits", "global.waypoint.resources.limits.cpu",
        "global.waypoint.resources.limits.memory", "global.waypoint.resources.requests",
        "global.waypoint.resources.requests.cpu", "global.waypoint.resources.requests.memory",
        "global.waypoint.tolerations", "global.waypoint.topologySpreadConstraints", "hub", "image", "initContainers",
        "ipFamilies", "ipFamilyPolicy", "istiodRemote", "istiodRemote.enabled", "istiodRemote.enabledLocalInjectorIstiod",
        "istiodRemote.injectionCABundle", "istiodRemote.injectionPath", "istiodRemote.injectionURL",
        "jwksResolverExtraRootCA", "keepaliveMaxServerConnectionAge", "memory.*", "meshConfig.*", "nodeSelector.*",
        "ownerName", "pdb", "pdb.minAvailable", "pdb.unhealthyPodEvictionPolicy", "podAnnotations.*", "podLabels.*",
        "replicaCount", "resources", "resources.requests", "resources.requests.cpu", "resources.requests.memory",
        "revision", "revisionTags", "rollingMaxSurge", "rollingMaxUnavailable", "seccompProfile.*",
        "serviceAccountAnnotations.*", "serviceAnnotations.*", "sidecarInjectorWebhook",
        "sidecarInjectorWebhook.alwaysInjectSelector", "sidecarInjectorWebhook.defaultTemplates",
        "sidecarInjectorWebhook.enableNamespacesByDefault", "sidecarInjectorWebhook.injectedAnnotations.*",
        "sidecarInjectorWebhook.neverInjectSelector", "sidecarInjectorWebhook.reinvocationPolicy",
        "sidecarInjectorWebhook.rewriteAppHTTPProbe", "sidecarInjectorWebhook.templates.*",
        "sidecarInjectorWebhookAnnotations.*", "tag", "taint", "taint.enabled", "taint.name", "taint.namespace",
        "telemetry", "telemetry.enabled", "telemetry.v2", "telemetry.v2.enabled", "telemetry.v2.prometheus",
        "telemetry.v2.prometheus.enabled", "telemetry.v2.stackdriver", "telemetry.v2.stackdriver.enabled", "tolerations",
        "topologySpreadConstraints", "traceSampling", "trustedZtunnelName", "trustedZtunnelNamespace", "variant",
        "volumeMounts", "volumes",
    ],
    gateway: [
        "additionalContainers", "affinity.*", "annotations.*", "autoscaling", "autoscaling.enabled",
        "autoscaling.maxReplicas", "autoscaling.minReplicas", "autoscaling.targetCPUUtilizationPercentage",
        "compatibilityVersion", "containerSecurityContext.*", "defaultRevision", "enabled", "env.*", "envVarFrom",
        "global.*", "imagePullPolicy", "imagePullSecrets", "initContainers", "kind", "labels.*", "lifecycle",
        "lifecycle.postStart.*", "lifecycle.preStop.*", "minReadySeconds", "name", "networkGateway",
        "networkGatewayPorts.*", "nodeSelector.*", "pilot.*", "platform", "podAnnotations",
        "podAnnotations.inject.istio.io/templates", "podAnnotations.prometheus.io/path",
        "podAnnotations.prometheus.io/port", "podAnnotations.prometheus.io/scrape", "podDisruptionBudget",
        "podDisruptionBudget.maxUnavailable", "podDisruptionBudget.minAvailable",
        "podDisruptionBudget.unhealthyPodEvictionPolicy", "priorityClassName", "profile", "rbac", "rbac.enabled",
        "readinessProbe.*", "replicaCount", "resources", "resources.limits", "resources.limits.cpu",
        "resources.limits.memory", "resources.requests", "resources.requests.cpu", "resources.requests.memory",
        "revision", "runAsRoot", "securityContext.*", "service", "service.annotations.*", "service.externalTrafficPolicy",
        "service.ipFamilies", "service.ipFamilyPolicy", "service.loadBalancerIP", "service.loadBalancerSourceRanges",
        "service.ports", "service.selectorLabels.*", "service.type", "serviceAccount", "serviceAccount.annotations.*",
        "serviceAccount.create", "serviceAccount.name", "strategy.*", "terminationGracePeriodSeconds", "tolerations",
        "topologySpreadConstraints", "unprivilegedPort", "volumeMounts", "volumes",
    ],
};
