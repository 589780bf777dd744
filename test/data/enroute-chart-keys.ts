// The value keys the enroute 0.8.7 chart reads, pinned as test data (key names only). A path ending in `.*`
// is an open map (passed to the manifests with toYaml or range).
//
// Read from saarasio/enroute helm-chart/enroute (Chart.yaml version 0.8.7): every `.Values.` reference in
// its templates, all of which values.yaml defines except autoscaling.targetMemoryUtilizationPercentage
// (commented out there, read by hpa.yaml). values.yaml also defines service.type and
// service.externalTrafficPolicy, but no template reads them (the Service is always a LoadBalancer), so they
// are left out: setting them would change nothing.
// When the chart pin moves, regenerate this list from the new chart before trusting the test.

export const enrouteChartKeysVersion = "0.8.7";

export const enrouteChartKeys: readonly string[] = [
    "affinity", "affinity.*",
    "autoscaling", "autoscaling.enabled", "autoscaling.maxReplicas", "autoscaling.minReplicas",
    "autoscaling.targetCPUUtilizationPercentage", "autoscaling.targetMemoryUtilizationPercentage",
    "enrouteService", "enrouteService.rbac", "enrouteService.rbac.create",
    "envoySettings", "envoySettings.logLevel",
    "fullnameOverride", "imagePullSecrets",
    "images", "images.enrouteService", "images.enrouteService.pullPolicy", "images.enrouteService.repository",
    "images.enrouteService.tag", "images.envoy", "images.envoy.pullPolicy", "images.envoy.repository", "images.envoy.tag",
    "images.redis", "images.redis.pullPolicy", "images.redis.repository", "images.redis.tag",
    "istio", "istio.enable", "istio.strictmtls", "istioPodAnnotations", "istioPodAnnotations.*",
    "livenessProbe", "livenessProbe.failureThreshold", "livenessProbe.initialDelaySeconds", "livenessProbe.periodSeconds",
    "livenessProbe.successThreshold", "livenessProbe.timeoutSeconds",
    "mesh", "mesh.linkerD", "nameOverride", "nodeSelector", "nodeSelector.*",
    "podAnnotations", "podAnnotations.*", "podSecurityContext", "podSecurityContext.*",
    "readinessProbe", "readinessProbe.failureThreshold", "readinessProbe.initialDelaySeconds",
    "readinessProbe.periodSeconds", "readinessProbe.successThreshold", "readinessProbe.timeoutSeconds",
    "replicaCount",
    "resources", "resources.enrouteService", "resources.enrouteService.*", "resources.envoy", "resources.envoy.*",
    "resources.redis", "resources.redis.*",
    "securityContext", "securityContext.*",
    "service", "service.annotations", "service.annotations.*", "service.ports", "service.useProxyProtocol",
    "serviceAccount", "serviceAccount.annotations", "serviceAccount.annotations.*", "serviceAccount.create",
    "serviceAccount.name",
    "tolerations",
];
