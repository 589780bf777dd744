// Checks everything a mock run emitted against upstream definitions: Kubernetes objects against
// kubernetes-models, Istio custom resources against @kubernetes-models/istio, Gateway API objects against
// @kubernetes-models/gateway-api, and Helm values against
// the keys the pinned charts define. Any `kubernetes:` type without a known check is itself an error,
// so nothing the program emits goes unvalidated.
import { chartKeys, keysMatchVersion } from "../data/chart-keys";
import { ProgramRun, RegisteredResource } from "./program";

interface Validatable { validate(): void }
type ModelClass = new (data: Record<string, unknown>) => Validatable;

/** `kubernetes:apps/v1:Deployment` → `{apiVersion: "apps/v1", kind: "Deployment"}`. */
export function apiVersionKind(type: string): { apiVersion: string; kind: string } | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!match) {
        return undefined;
    }
    const [group, version] = match[1].includes("/") ? match[1].split("/") : ["core", match[1]];
    return { apiVersion: group === "core" ? version : `${group}/${version}`, kind: match[2] };
}

/** Package subpaths that hold models, by API group. */
function modelModule(apiVersion: string): string | undefined {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    if (group === "gateway.networking.k8s.io") {
        return `@kubernetes-models/gateway-api/${apiVersion}`;
    }
    if (group.endsWith(".istio.io")) {
        return `@kubernetes-models/istio/${apiVersion}`;
    }
    if (group === "" || group.endsWith(".k8s.io") || !group.includes(".")) {
        return `kubernetes-models/${apiVersion}`;
    }
    return undefined;
}

/** Types that are not Kubernetes objects but are checked here in their own way. */
const helmReleaseType = "kubernetes:helm.sh/v3:Release";

/** Extra validators for custom resources that no published model covers (registered by their tests' owners). */
export const customValidators = new Map<string, (object: Record<string, any>) => string[]>();

export async function validateKubernetesObject(resource: RegisteredResource): Promise<string[]> {
    const where = `${resource.type} ${resource.name}`;
    const gvk = apiVersionKind(resource.type);
    if (!gvk) {
        return [`${where}: not a Kubernetes type`];
    }
    const object = { ...resource.plain };
    const custom = customValidators.get(resource.type);
    if (custom) {
        return custom(object).map((problem) => `${where}: ${problem}`);
    }
    // A `<Kind>Patch` (server-side apply patch) is a partial object of `<Kind>`: check it against that model.
    if (gvk.kind.endsWith("Patch")) {
        gvk.kind = gvk.kind.slice(0, -"Patch".length);
    }
    const moduleName = modelModule(gvk.apiVersion);
    if (!moduleName) {
        return [`${where}: no schema is known for ${gvk.apiVersion}; add a validator to customValidators`];
    }
    let Model: ModelClass | undefined;
    try {
        const models = (await import(moduleName)) as Record<string, ModelClass>;
        Model = models[gvk.kind];
    } catch (error) {
        return [`${where}: cannot load models for ${gvk.apiVersion}: ${(error as Error).message}`];
    }
    if (!Model) {
        return [`${where}: ${moduleName} has no model for kind ${gvk.kind}`];
    }
    if (object.apiVersion !== gvk.apiVersion || object.kind !== gvk.kind) {
        return [`${where}: apiVersion/kind ${object.apiVersion}/${object.kind} do not match the type token`];
    }
    try {
        new Model(object).validate();
        return [];
    } catch (error) {
        return [`${where}: ${(error as Error).message}`];
    }
}

/** Every leaf path of a values object (`service.type`); arrays are leaves. */
export function valuePaths(values: unknown, prefix = ""): string[] {
    if (typeof values !== "object" || values === null || Array.isArray(values) || Object.keys(values).length === 0) {
        return prefix ? [prefix] : [];
    }
    return Object.entries(values).flatMap(([key, child]) => valuePaths(child, prefix ? `${prefix}.${key}` : key));
}

/** Value paths that the chart does not define (a path under an open map `x.*` is defined). */
export function unknownValuePaths(values: unknown, knownPaths: readonly string[]): string[] {
    const known = new Set(knownPaths);
    const openMaps = knownPaths.filter((key) => key.endsWith(".*")).map((key) => key.slice(0, -2));
    return valuePaths(values).filter((leaf) => {
        if (known.has(leaf)) {
            return false;
        }
        return !openMaps.some((open) => leaf === open || leaf.startsWith(`${open}.`));
    });
}

export function validateHelmRelease(resource: RegisteredResource): string[] {
    const where = `${resource.type} ${resource.name}`;
    const { chart: chartRef, version, repositoryOpts, values } = resource.plain;
    const repo: string | undefined = repositoryOpts?.repo;
    // An OCI chart is named by its full reference (oci://<registry>/<path>/<chart>), with no repositoryOpts.
    const chart = String(chartRef).startsWith("oci://") ? String(chartRef).split("/").pop() : chartRef;
    const candidates = chartKeys.filter((candidate) => candidate.chart === chart && (candidate.repo === undefined || candidate.repo === repo));
    if (candidates.length === 0) {
        return [`${where}: chart ${chartRef} from ${repo ?? "its OCI reference"} has no pinned key list in test/data/chart-keys.ts`];
    }
    const entry = candidates.find((candidate) => keysMatchVersion(candidate, version));
    if (!entry) {
        return [`${where}: chart ${chart} is ${version} but its key list is for ${candidates.map((c) => c.version).join(", ")}; ` +
            "generate one with npm run charts:keys"];
    }
    return unknownValuePaths(values ?? {}, entry.keys)
        .map((path) => `${where}: value ${path} does not exist in chart ${chart} ${entry.version}`);
}

/** Every Kubernetes-provider resource of a run, checked; returns all problems found. */
export async function validateRun(run: ProgramRun): Promise<string[]> {
    const problems: string[] = [];
    for (const resource of run.resources) {
        if (!resource.type.startsWith("kubernetes:") || resource.read) {
            continue;
        }
        if (resource.type === helmReleaseType) {
            problems.push(...validateHelmRelease(resource));
        } else if (resource.type.startsWith("kubernetes:") && resource.custom && !resource.type.startsWith("pulumi:providers")) {
            problems.push(...(await validateKubernetesObject(resource)));
        }
    }
    return problems;
}
