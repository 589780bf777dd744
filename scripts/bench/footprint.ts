// What a stack asks the scheduler for, computed from what the program registers (under mocks): the Helm
// values of istiod, the gateway and Kiali (over the pinned charts' defaults), every Deployment's
// containers, and one sidecar per pod in an injected namespace at the size istiod's values give
// proxies. Requests only: they decide whether pods fit a node. Pods that request nothing are listed,
// not counted, and so is anything whose pods cannot be seen (a chart without known defaults).

export interface Quantity {
    /** millicores */
    cpu: number;
    /** MiB */
    memory: number;
}

/**
 * "data plane" is what the mesh adds to carry the workloads' traffic: sidecars, or in ambient mode
 * ztunnel and istio-cni on every node plus the waypoints. istio-cni proxies nothing, but ambient mode
 * cannot run without it and sidecar mode here does not install it, so a fair comparison counts it.
 */
export const footprintBuckets = ["control plane", "gateway", "data plane", "observability", "workloads"] as const;
export type FootprintBucket = (typeof footprintBuckets)[number];

export interface FootprintPart {
    bucket: FootprintBucket;
    what: string;
    pods: number;
    perPod: Quantity;
    /** How this part grows with the mesh: one per node (ztunnel, istio-cni), one per mesh pod (a sidecar). */
    scales?: "node" | "mesh pod";
}

export interface Footprint {
    parts: FootprintPart[];
    byBucket: Record<FootprintBucket, Quantity>;
    total: Quantity;
    /** Pods that request nothing (BestEffort): they fit anywhere and are evicted first. */
    unrequested: string[];
    /** Resources whose pods this cannot see. */
    uncounted: string[];
}

/** The subset of a registered resource this reads; `plain` is its inputs as the engine got them. */
export interface FootprintResource {
    type: string;
    name: string;
    plain: object;
}

// The shapes read from the inputs (untyped JSON under mocks), as far as this reads them.
interface Requests { cpu?: string | number; memory?: string | number }
interface ResourcesShape { requests?: Requests }
interface Metadata { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface ReleaseInputs { chart?: string; values?: object }
interface IstiodValues {
    autoscaleEnabled?: boolean; autoscaleMin?: number; replicaCount?: number; resources?: ResourcesShape;
    global?: { proxy?: { resources?: ResourcesShape }; waypoint?: { resources?: ResourcesShape } };
}
interface GatewayValues { autoscaling?: { enabled?: boolean; minReplicas?: number }; replicaCount?: number; resources?: ResourcesShape }
interface KialiValues { deployment?: { replicas?: number; resources?: ResourcesShape } }
interface DeploymentInputs {
    metadata?: Metadata;
    spec?: { replicas?: number; template?: { metadata?: Metadata; spec?: { containers?: { resources?: ResourcesShape }[] } } };
}

/**
 * Defaults of the pinned charts where the stack sets nothing (facts, with their sources):
 * istiod 1.30.3 values.yaml `resources.requests` 500m / 2048Mi, `autoscaleEnabled: true`,
 * `autoscaleMin: 1`, `replicaCount: 1`; `global.proxy.resources.requests` 100m / 128Mi;
 * gateway 1.30.3 values.yaml `resources.requests` 100m / 128Mi, `autoscaling.enabled: true`,
 * `minReplicas: 1`; kiali-server 2.26.0 values.yaml `deployment.resources.requests` 10m / 64Mi,
 * `deployment.replicas: 1`.
 */
export const chartDefaults = {
    istiod: { cpu: "500m", memory: "2048Mi" },
    proxy: { cpu: "100m", memory: "128Mi" },
    gateway: { cpu: "100m", memory: "128Mi" },
    kiali: { cpu: "10m", memory: "64Mi" },
    // ztunnel 1.30.3 values.yaml `resources.requests`; cni 1.30.3 values.yaml `resources.requests`;
    // istiod 1.30.3 values.yaml `global.waypoint.resources.requests` (each waypoint Deployment).
    ztunnel: { cpu: "200m", memory: "512Mi" },
    cni: { cpu: "100m", memory: "100Mi" },
    waypoint: { cpu: "100m", memory: "128Mi" },
} as const;

/**
 * Nodes assumed for the per-node DaemonSets (ztunnel, istio-cni): a three-worker cluster, the smallest
 * multizone IKS cluster (one worker in each of three zones). Stated in every bench table that uses it.
 */
export const defaultNodeCount = 3;

export interface FootprintOptions {
    /** Nodes the DaemonSets run on (defaultNodeCount when not given). */
    nodes?: number;
}

export function parseCpu(value: string | number | undefined): number {
    const text = String(value ?? "0");
    return text.endsWith("m") ? Number(text.slice(0, -1)) : Number(text) * 1000;
}

const memoryUnits: Record<string, number> = {
    Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576,
};

export function parseMemory(value: string | number | undefined): number {
    const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(String(value ?? "0"));
    if (!match) {
        throw new Error(`not a memory quantity: ${String(value)}`);
    }
    const unit = match[2];
    if (unit === "") {
        return Number(match[1]) / 1048576;
    }
    if (!(unit in memoryUnits)) {
        throw new Error(`unknown memory unit in ${String(value)}`);
    }
    return Number(match[1]) * memoryUnits[unit];
}

const quantity = (requests: Requests | undefined): Quantity =>
    ({ cpu: parseCpu(requests?.cpu), memory: parseMemory(requests?.memory) });
const add = (a: Quantity, b: Quantity): Quantity => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory });
const times = (q: Quantity, n: number): Quantity => ({ cpu: q.cpu * n, memory: q.memory * n });
const zero: Quantity = { cpu: 0, memory: 0 };

/** Pods of a chart that autoscales: its HPA's minimum; otherwise its fixed replica count. */
function chartPods(autoscale: boolean, minimum: number | undefined, replicaCount: number | undefined): number {
    return autoscale ? minimum ?? 1 : replicaCount ?? 1;
}

export function footprint(resources: readonly FootprintResource[], options: FootprintOptions = {}): Footprint {
    const nodes = options.nodes ?? defaultNodeCount;
    const parts: FootprintPart[] = [];
    const unrequested: string[] = [];
    const uncounted: string[] = [];
    const releases = resources.filter((resource) => resource.type === "kubernetes:helm.sh/v3:Release")
        .map((resource): { name: string; inputs: ReleaseInputs } => ({ name: resource.name, inputs: resource.plain }));
    const valuesOf = (chart: string): object | undefined => releases.find((release) => release.inputs.chart === chart)?.inputs.values;

    const istiod = valuesOf("istiod") as IstiodValues | undefined;
    let proxy = quantity(chartDefaults.proxy);
    if (istiod) {
        parts.push({
            bucket: "control plane", what: "istiod",
            pods: chartPods(istiod.autoscaleEnabled ?? true, istiod.autoscaleMin, istiod.replicaCount),
            perPod: quantity(istiod.resources?.requests ?? chartDefaults.istiod),
        });
        proxy = quantity(istiod.global?.proxy?.resources?.requests ?? chartDefaults.proxy);
    }
    const gateway = valuesOf("gateway") as GatewayValues | undefined;
    if (gateway) {
        parts.push({
            bucket: "gateway", what: "ingress gateway",
            pods: chartPods(gateway.autoscaling?.enabled ?? true, gateway.autoscaling?.minReplicas, gateway.replicaCount),
            perPod: quantity(gateway.resources?.requests ?? chartDefaults.gateway),
        });
    }
    const kiali = valuesOf("kiali-server") as KialiValues | undefined;
    if (kiali) {
        parts.push({
            bucket: "observability", what: "Kiali",
            pods: kiali.deployment?.replicas ?? 1,
            perPod: quantity(kiali.deployment?.resources?.requests ?? chartDefaults.kiali),
        });
    }
    const ztunnel = valuesOf("ztunnel") as { resources?: ResourcesShape } | undefined;
    if (ztunnel) {
        parts.push({ bucket: "data plane", what: `ztunnel (one per node, ${nodes} nodes)`, pods: nodes, scales: "node",
            perPod: quantity(ztunnel.resources?.requests ?? chartDefaults.ztunnel) });
    }
    const cni = valuesOf("cni") as { resources?: ResourcesShape } | undefined;
    if (cni) {
        parts.push({ bucket: "data plane", what: `istio-cni (one per node, ${nodes} nodes)`, pods: nodes, scales: "node",
            perPod: quantity(cni.resources?.requests ?? chartDefaults.cni) });
    }
    const waypoint = quantity(istiod?.global?.waypoint?.resources?.requests ?? chartDefaults.waypoint);
    for (const gateway of resources.filter((resource) => resource.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway")) {
        const inputs = gateway.plain as { metadata?: Metadata; spec?: { gatewayClassName?: string } };
        if (inputs.spec?.gatewayClassName === "istio-waypoint") {
            parts.push({ bucket: "data plane", what: `waypoint ${inputs.metadata?.namespace ?? "?"}/${inputs.metadata?.name ?? gateway.name}`, pods: 1, perPod: waypoint });
        }
    }
    for (const release of releases.filter((candidate) => !["base", "istiod", "gateway", "kiali-server", "ztunnel", "cni"].includes(candidate.inputs.chart ?? ""))) {
        uncounted.push(`Helm release ${release.name} (chart ${release.inputs.chart ?? "?"}: no known defaults)`);
    }

    const injected = new Set(resources.filter((resource) => resource.type === "kubernetes:core/v1:Namespace")
        .map((resource) => (resource.plain as { metadata?: Metadata }).metadata ?? {})
        .filter((metadata) => metadata.labels?.["istio-injection"] === "enabled").map((metadata) => metadata.name));
    for (const resource of resources.filter((candidate) => candidate.type === "kubernetes:apps/v1:Deployment")) {
        const deployment = resource.plain as DeploymentInputs;
        const metadata = deployment.metadata ?? {};
        const template = deployment.spec?.template ?? {};
        const pods = deployment.spec?.replicas ?? 1;
        const what = `${metadata.namespace ?? "?"}/${metadata.name ?? resource.name}`;
        const requested = (template.spec?.containers ?? []).reduce((sum, container) => add(sum, quantity(container.resources?.requests)), zero);
        if (requested.cpu === 0 && requested.memory === 0) {
            unrequested.push(what);
        }
        parts.push({ bucket: metadata.namespace === "istio-system" ? "observability" : "workloads", what, pods, perPod: requested });
        const annotations = template.metadata?.annotations ?? {};
        if (injected.has(metadata.namespace) && annotations["sidecar.istio.io/inject"] !== "false") {
            const cpu = annotations["sidecar.istio.io/proxyCPU"];
            const memory = annotations["sidecar.istio.io/proxyMemory"];
            parts.push({
                bucket: "data plane", what: `sidecar of ${what}`, pods, scales: "mesh pod",
                perPod: { cpu: cpu !== undefined ? parseCpu(cpu) : proxy.cpu, memory: memory !== undefined ? parseMemory(memory) : proxy.memory },
            });
        }
    }

    const byBucket = Object.fromEntries(footprintBuckets.map((bucket) => [bucket, parts.filter((part) => part.bucket === bucket)
        .reduce((sum, part) => add(sum, times(part.perPod, part.pods)), zero)])) as Record<FootprintBucket, Quantity>;
    const total = footprintBuckets.reduce((sum, bucket) => add(sum, byBucket[bucket]), zero);
    return { parts, byBucket, total, unrequested, uncounted };
}

/**
 * The data plane of a measured stack grown to `pods` mesh pods on `nodes` nodes: per-node parts (ztunnel,
 * istio-cni) once per node, sidecars at their mean measured size once per mesh pod, the rest (waypoints)
 * as measured. Requests stay at the profile's sizes: a projection of what the scheduler reserves, not of
 * what a busier ztunnel would use.
 */
export function dataPlaneAt(measured: Footprint, scale: { pods: number; nodes: number }): Quantity {
    const dataPlane = measured.parts.filter((part) => part.bucket === "data plane");
    const sidecars = dataPlane.filter((part) => part.scales === "mesh pod");
    const sidecarPods = sidecars.reduce((sum, part) => sum + part.pods, 0);
    const perSidecar = sidecarPods > 0 ? times(sidecars.reduce((sum, part) => add(sum, times(part.perPod, part.pods)), zero), 1 / sidecarPods) : zero;
    return dataPlane.filter((part) => part.scales !== "mesh pod").reduce((sum, part) =>
        add(sum, times(part.perPod, part.scales === "node" ? scale.nodes : part.pods)), sidecarPods > 0 ? times(perSidecar, scale.pods) : zero);
}

/** `1234m / 2.4 GiB`, for tables. */
export function formatQuantity(q: Quantity): string {
    const memory = q.memory >= 1024 ? `${(q.memory / 1024).toFixed(2)} GiB` : `${Math.round(q.memory)} MiB`;
    return `${Math.round(q.cpu)}m / ${memory}`;
}
