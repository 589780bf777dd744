// Sizing profiles (`profile`): what each component requests, from a 2-CPU laptop cluster to production.
// Each function returns the Helm values or container resources one component gets; `standard` adds
// nothing to the charts (their own defaults) and keeps the samples' own requests. Every Helm key here
// exists in the pinned charts (test/data/*-chart-keys.ts).
//
// Chart defaults this departs from (Istio 1.30.3 charts, kiali-server 2.26.0): istiod requests
// 500m / 2Gi with an HPA of 1-5; each sidecar 100m / 128Mi (limits 2 CPU / 1Gi); the gateway
// 100m / 128Mi (limits 2 CPU / 1Gi) with an HPA of 1-5; Kiali 10m / 64Mi (limit 1Gi).
import { gatewaySelector } from "./core/istio-names";
import { SizingProfile } from "./config/schema";
import { DataplaneMode } from "./core/dataplane";
import { mergeValues } from "./core/merge-values";


/** A container's requests, as a chart's `resources.requests` takes them. */
interface Requests {
    cpu: string;
    memory: string;
}

export interface ContainerResources {
    // Spelled out, not `Requests`: a Deployment's typed resources take only a type with an index signature,
    // which an object type literal has and an interface has not.
    requests: { cpu: string; memory: string };
    limits?: { cpu?: string; memory?: string };
}

/**
 * small: everything on a 2-CPU / 4-GiB single node with every sample on. Requests are what the
 * scheduler reserves; these leave room for Kubernetes' own pods. Sidecars at Istio's `demo` profile
 * size (10m / 40Mi), one istiod and one gateway without autoscaling.
 */
const small = {
    istiod: { cpu: "100m", memory: "256Mi" },
    proxy: { requests: { cpu: "10m", memory: "40Mi" }, limits: { cpu: "1000m", memory: "256Mi" } },
    gateway: { requests: { cpu: "10m", memory: "40Mi" }, limits: { cpu: "1000m", memory: "256Mi" } },
    kiali: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "512Mi" } },
    wordpress: { requests: { cpu: "25m", memory: "96Mi" }, limits: { memory: "256Mi" } },
    mysql: { requests: { cpu: "50m", memory: "384Mi" }, limits: { memory: "768Mi" } },
} satisfies Record<string, unknown>;

/**
 * production: no single point of failure in the data path's control, and room for real traffic.
 * istiod and the gateway run at least two replicas (HPAs from 2), each with a PodDisruptionBudget
 * (minAvailable 1) and spread over zones and nodes. Sizes follow Istio's performance guidance (istiod
 * about 1 vCPU and 1.5 GB per 1,000 services; a sidecar about 0.2 vCPU per 1,000 requests/s).
 */
const production = {
    istiod: { cpu: "1000m", memory: "2Gi" },
    proxy: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2000m", memory: "1Gi" } },
    gateway: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "1Gi" } },
    kiali: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    wordpress: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "512Mi" } },
    mysql: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2000m", memory: "2Gi" } },
    minReplicas: 2,
    maxReplicas: 5,
} satisfies Record<string, unknown>;

/** The samples' own containers under `standard` (what they requested before profiles existed). */
const standardWorkloads = {
    wordpress: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    mysql: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } },
} satisfies Record<string, ContainerResources>;

/**
 * Spread replicas of the pods with these labels: across zones when the cluster has several (a single
 * zone still schedules), and across nodes always (a second replica never shares the first's node).
 */
/** The fields of a Kubernetes core/v1 TopologySpreadConstraint this stack sets. */
export interface TopologySpreadConstraint {
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: "ScheduleAnyway" | "DoNotSchedule";
    labelSelector: { matchLabels: Record<string, string> };
}

export function zoneAndNodeSpread(labels: Readonly<Record<string, string>>): TopologySpreadConstraint[] {
    const labelSelector = { matchLabels: { ...labels } };
    return [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector },
    ];
}

/** istiod's pod labels in the istiod chart (templates/deployment.yaml), for its spread constraints. */
const istiodLabels = { app: "istiod" } as const;

/**
 * ztunnel's requests per node (ambient mode). The chart's default, 200m / 512Mi, is sized for a cluster of
 * about 200k pods or 100k open connections (ztunnel values.yaml at 1.30.3); Istio measured about 0.06 vCPU
 * and 12 MB per ztunnel at 1,000 requests/s (istio.io performance and scalability, 1.24). `small` and
 * `standard` size it for the samples' scale; `production` keeps the chart's default.
 */
const ztunnelRequests: Partial<Record<SizingProfile, Requests>> = {
    small: { cpu: "10m", memory: "48Mi" },
    standard: { cpu: "50m", memory: "128Mi" },
};

/**
 * istio-cni's requests per node (ambient mode). It proxies no traffic: it sets up each pod's redirection
 * when the pod starts, so its load follows pod churn, not requests. Istio's own figures: the chart's
 * default 100m / 100Mi (istio-cni values.yaml at 1.30.3) and the `demo` profile's 10m / 40Mi
 * (manifests/helm-profiles/demo.yaml at 1.30.3). `small` and `standard` take the demo size, like the
 * samples' scale; `production` keeps the chart's default.
 */
const cniRequests: Partial<Record<SizingProfile, Requests>> = {
    small: { cpu: "10m", memory: "40Mi" },
    standard: { cpu: "10m", memory: "40Mi" },
};

// The keys each sizing builder sets, named as in the charts' values.yaml (Istio 1.30.3's istiod, gateway,
// istio-cni and ztunnel charts; kiali-server 2.26.0), all optional: `standard` sets none.

/** The istio-cni and ztunnel charts' keys the profiles set. */
export interface NodeAgentSizingValues {
    resources?: { requests: Requests };
}

/** The istiod chart's keys the profiles set. */
export interface IstiodSizingValues {
    autoscaleEnabled?: boolean;
    autoscaleMin?: number;
    autoscaleMax?: number;
    replicaCount?: number;
    resources?: { requests: Requests };
    pdb?: { minAvailable: number };
    topologySpreadConstraints?: TopologySpreadConstraint[];
    global?: {
        defaultPodDisruptionBudget?: { enabled: boolean };
        proxy?: { resources: ContainerResources };
        waypoint?: { resources: { requests: Requests } };
    };
}

/** The gateway chart's keys the profiles set. */
export interface GatewaySizingValues {
    autoscaling?: { enabled: boolean; minReplicas?: number; maxReplicas?: number };
    replicaCount?: number;
    resources?: ContainerResources;
    podDisruptionBudget?: { minAvailable: number };
    topologySpreadConstraints?: TopologySpreadConstraint[];
}

/** The kiali-server chart's keys the profiles set. */
export interface KialiSizingValues {
    deployment?: { resources: ContainerResources };
}

/** Values for the istio-cni chart (ambient mode). */
export function cniSizingValues(profile: SizingProfile): NodeAgentSizingValues {
    const requests = cniRequests[profile];
    return requests ? { resources: { requests } } : {};
}

/**
 * Each waypoint's requests (istiod's `global.waypoint.resources`, ambient mode only). The chart's default
 * is 100m / 128Mi (istiod values.yaml at 1.30.3), kept by `standard` and `production`; `small` takes
 * Istio's `demo` profile size, 10m / 40Mi (manifests/helm-profiles/demo.yaml at 1.30.3), as its sidecars do.
 */
function waypointSizingValues(profile: SizingProfile, dataplane: DataplaneMode): IstiodSizingValues {
    return profile === "small" && dataplane === "ambient" ? { global: { waypoint: { resources: { requests: small.proxy.requests } } } } : {};
}

/** Values for the ztunnel chart (ambient mode). */
export function ztunnelSizingValues(profile: SizingProfile): NodeAgentSizingValues {
    const requests = ztunnelRequests[profile];
    return requests ? { resources: { requests } } : {};
}

/** Values for the istiod chart: istiod itself, (global.proxy) every injected sidecar and (global.waypoint) every waypoint. */
export function istiodSizingValues(profile: SizingProfile, dataplane: DataplaneMode = "sidecar"): IstiodSizingValues {
    return mergeValues(istiodOwnSizingValues(profile), waypointSizingValues(profile, dataplane));
}

function istiodOwnSizingValues(profile: SizingProfile): IstiodSizingValues {
    switch (profile) {
        case "small":
            return {
                autoscaleEnabled: false,
                replicaCount: 1,
                resources: { requests: small.istiod },
                global: { proxy: { resources: small.proxy } },
            };
        case "production":
            return {
                autoscaleEnabled: true,
                autoscaleMin: production.minReplicas,
                autoscaleMax: production.maxReplicas,
                resources: { requests: production.istiod },
                // The chart renders its PDB only with more than one replica (autoscaleMin > 1).
                pdb: { minAvailable: 1 },
                topologySpreadConstraints: zoneAndNodeSpread(istiodLabels),
                global: { defaultPodDisruptionBudget: { enabled: true }, proxy: { resources: production.proxy } },
            };
        default:
            return {};
    }
}

export function gatewaySizingValues(profile: SizingProfile): GatewaySizingValues {
    switch (profile) {
        case "small":
            return { autoscaling: { enabled: false }, replicaCount: 1, resources: small.gateway };
        case "production":
            return {
                autoscaling: { enabled: true, minReplicas: production.minReplicas, maxReplicas: production.maxReplicas },
                resources: production.gateway,
                // Rendered by the chart only with more than one replica (autoscaling.minReplicas > 1).
                podDisruptionBudget: { minAvailable: 1 },
                topologySpreadConstraints: zoneAndNodeSpread(gatewaySelector),
            };
        default:
            return {};
    }
}

export function kialiSizingValues(profile: SizingProfile): KialiSizingValues {
    switch (profile) {
        case "small":
            return { deployment: { resources: small.kiali } };
        case "production":
            return { deployment: { resources: production.kiali } };
        default:
            return {};
    }
}

/**
 * Containers of Istio's manifests (bookinfo, httpbin, the Prometheus addon), which request nothing as
 * upstream ships them (BestEffort pods, first to be evicted, invisible to the scheduler). By container
 * name; `default` for the rest. bookinfo's reviews runs on a JVM (Open Liberty) and needs the most.
 */
const manifestContainers: Partial<Record<SizingProfile, Record<string, ContainerResources>>> = {
    small: {
        default: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        reviews: { requests: { cpu: "10m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        "prometheus-server": { requests: { cpu: "25m", memory: "192Mi" }, limits: { memory: "1Gi" } },
        "prometheus-server-configmap-reload": { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    },
    production: {
        default: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1000m", memory: "512Mi" } },
        reviews: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "1Gi" } },
        "prometheus-server": { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2000m", memory: "4Gi" } },
        "prometheus-server-configmap-reload": { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    },
};

/** What a container of one of Istio's manifests gets; undefined under `standard` (the manifest as shipped). */
export function manifestContainerResources(profile: SizingProfile, container: string): ContainerResources | undefined {
    const table = manifestContainers[profile];
    return table ? table[container] ?? table.default : undefined;
}

/** Requests and limits of the samples' own containers. */
export function workloadResources(profile: SizingProfile, workload: "wordpress" | "mysql"): ContainerResources {
    const table = profile === "small" ? small : profile === "production" ? production : standardWorkloads;
    return table[workload];
}
