// Istio's sample manifests (bookinfo, httpbin, the Prometheus addon) and the Gateway API CRDs, rendered into plain Kubernetes objects
// that the program registers one by one, so that the tests see every Deployment, image, port and label
// and a preview diff shows each object. Pure functions: parse, place in a namespace, point Istio's images
// at istio.hub.
import * as YAML from "yaml";
import { defaultIstioHub, retiredHostNamedIn } from "../core/istio-hosting";

export interface ManifestObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [field: string]: unknown;
}

/**
 * The object types the stack applies from Istio's manifests (all that bookinfo, httpbin and the Prometheus
 * addon contain). Another type in a later manifest is refused before any resource, so it gets looked at.
 */
export const manifestKinds = [
    "v1/ServiceAccount", "v1/Service", "v1/ConfigMap", "apps/v1/Deployment",
    "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
    "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding",
    // The Gateway API's standard install (ambient mode): its CRDs and the admission policy guarding them.
    "apiextensions.k8s.io/v1/CustomResourceDefinition", "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
] as const;
export type ManifestKind = (typeof manifestKinds)[number];

export function manifestKindOf(object: ManifestObject): ManifestKind | undefined {
    const kind = `${object.apiVersion}/${object.kind}`;
    return (manifestKinds as readonly string[]).includes(kind) ? kind as ManifestKind : undefined;
}

/** Kinds that have no namespace; every other kind the renderer accepts is namespaced. */
const clusterScopedKinds = [
    "ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
];

export function isClusterScoped(object: ManifestObject): boolean {
    return clusterScopedKinds.includes(object.kind);
}

/**
 * Nulls removed: a manifest's `annotations: {}`-style blanks and `rollingUpdate: null` mean "not set" to
 * kubectl, and the objects should carry only what they set.
 */
function withoutNulls(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.filter((item) => item !== null).map(withoutNulls);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).filter(([, child]) => child !== null).map(([key, child]) => [key, withoutNulls(child)]));
    }
    return value;
}

function isManifestObject(value: unknown): value is ManifestObject {
    return typeof field(value, "apiVersion") === "string" && typeof field(value, "kind") === "string"
        && typeof field(value, "metadata", "name") === "string";
}

/** The objects of a multi-document YAML manifest; `source` names it in errors. */
export function parseManifest(text: string, source: string): ManifestObject[] {
    return YAML.parseAllDocuments(text).flatMap((document, index) => {
        if (document.errors.length > 0) {
            throw new Error(`${source}: document ${index + 1} is not valid YAML: ${document.errors[0].message}`);
        }
        const object = withoutNulls(document.toJS());
        if (object === undefined || object === null) {
            return [];
        }
        if (!isManifestObject(object)) {
            throw new Error(`${source}: document ${index + 1} is not a Kubernetes object with apiVersion, kind and metadata.name`);
        }
        return [object];
    });
}

/**
 * Namespaced objects that name no namespace go to `namespace` (Istio's bookinfo and httpbin name none, so
 * `kubectl apply -n` decides); objects that name one keep it (the Prometheus addon names istio-system).
 */
export function placeInNamespace(objects: readonly ManifestObject[], namespace: string): ManifestObject[] {
    return objects.map((object) => isClusterScoped(object) || object.metadata.namespace
        ? object
        : { ...object, metadata: { ...object.metadata, namespace } });
}

interface Container {
    image?: string;
    [field: string]: unknown;
}

interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    [field: string]: unknown;
}

/** A nested field of an object, if every step on the way is an object. */
function field(value: unknown, ...path: string[]): unknown {
    let node = value;
    for (const key of path) {
        if (typeof node !== "object" || node === null) {
            return undefined;
        }
        node = (node as Record<string, unknown>)[key];
    }
    return node;
}

/** The pod spec of a workload object, wherever its kind keeps it. */
function podSpecOf(object: ManifestObject): PodSpec | undefined {
    const path = object.kind === "Pod" ? ["spec"]
        : object.kind === "CronJob" ? ["spec", "jobTemplate", "spec", "template", "spec"]
            : ["spec", "template", "spec"];
    const spec = field(object, ...path);
    return typeof spec === "object" && spec !== null ? spec as PodSpec : undefined;
}

function containersOf(object: ManifestObject): Container[] {
    const pod = podSpecOf(object);
    return pod ? [...pod.containers ?? [], ...pod.initContainers ?? [], ...pod.ephemeralContainers ?? []] : [];
}

/** Every container image an object runs. */
export function imagesOf(object: ManifestObject): string[] {
    return containersOf(object).flatMap((container) => typeof container.image === "string" ? [container.image] : []);
}

/**
 * An Istio image under `hub`: images from a retired Istio host (registry.istio.io/release/...,
 * gcr.io/istio-release/...) or from Istio's default hub keep their name and tag and move to the hub
 * (`registry.istio.io/release/examples-bookinfo-details-v1:1.20.3` → `docker.io/istio/examples-bookinfo-details-v1:1.20.3`,
 * the reference bookinfo.yaml used before Istio 1.30 switched it to registry.istio.io). Other images
 * (httpbin's mccutchen/go-httpbin, Prometheus) are not Istio's and stay as they are.
 */
export function istioImage(image: string, hub: string): string {
    const isIstios = retiredHostNamedIn(image) !== undefined || image.startsWith(`${defaultIstioHub}/`);
    if (!isIstios) {
        return image;
    }
    const nameAndTag = image.slice(image.lastIndexOf("/") + 1);
    return `${hub}/${nameAndTag}`;
}

/** The objects with every Istio image moved to `hub` (a deep copy; the input is not changed). */
export function rewriteIstioImages(objects: readonly ManifestObject[], hub: string): ManifestObject[] {
    return objects.map((original) => {
        const object = structuredClone(original);
        for (const container of containersOf(object)) {
            if (typeof container.image === "string") {
                container.image = istioImage(container.image, hub);
            }
        }
        return object;
    });
}

/** Every string in an object that still names a retired Istio host, with where it sits. */
export function retiredHostsInObject(object: ManifestObject): string[] {
    const found: string[] = [];
    const visit = (value: unknown, path: string) => {
        if (typeof value === "string") {
            const host = retiredHostNamedIn(value);
            if (host) {
                found.push(`${object.kind} ${object.metadata.name} ${path}: ${value}`);
            }
        } else if (Array.isArray(value)) {
            value.forEach((child, index) => visit(child, `${path}[${index}]`));
        } else if (typeof value === "object" && value !== null) {
            Object.entries(value).forEach(([key, child]) => visit(child, path ? `${path}.${key}` : key));
        }
    };
    visit(object, "");
    return found;
}

export interface RenderOptions {
    /** Where namespaced objects that name no namespace go. */
    namespace: string;
    hub: string;
    /** The manifest's URL, for errors. */
    source: string;
}

/**
 * A manifest as the stack applies it: parsed, placed, Istio's images on the hub. Refuses a manifest that
 * would still deploy something from a retired host, so a new reference in a later Istio release fails the
 * tests and the preview instead of a pull in December.
 */
export function renderManifest(text: string, options: RenderOptions): ManifestObject[] {
    const objects = rewriteIstioImages(placeInNamespace(parseManifest(text, options.source), options.namespace), options.hub);
    const unsupported = objects.filter((object) => !manifestKindOf(object)).map((object) => `${object.apiVersion}/${object.kind} ${object.metadata.name}`);
    if (unsupported.length > 0) {
        throw new Error(`${options.source} has objects of a type the stack does not apply yet: ${unsupported.join(", ")} ` +
            "(add the type to manifestKinds in components/manifests/istio-manifest.ts and to the resource table in manifest-resources.ts)");
    }
    const elsewhere = objects.filter((object) => object.metadata.namespace !== undefined && object.metadata.namespace !== options.namespace);
    if (elsewhere.length > 0) {
        throw new Error(`${options.source} puts ${elsewhere.map((object) => `${object.kind} ${object.metadata.name} in namespace ` +
            `${object.metadata.namespace}`).join(", ")}, but the stack applies it to ${options.namespace}`);
    }
    const leftovers = objects.flatMap(retiredHostsInObject);
    if (leftovers.length > 0) {
        throw new Error(`${options.source} still names a retired Istio host after moving its images to ${options.hub}:\n  ${leftovers.join("\n  ")}`);
    }
    return objects;
}

/** The Pulumi name of a rendered object: `<namespace>/<name>`, or `<name>` for cluster-scoped kinds. */
export function resourceName(object: ManifestObject): string {
    return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}
