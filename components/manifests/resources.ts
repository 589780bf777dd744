// Registers the objects of a rendered Istio manifest as resources of their own (not a yaml ConfigFile, which
// the engine and the tests see as one opaque resource): each Deployment, Service and role shows in a
// preview diff and in the tests' view of the program.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ManifestKind, ManifestObject, manifestKindOf, resourceName } from "./istio-manifest";
import { PodHardening, hardenManifestObject } from "../security/workload-hardening";

// Each class takes its kind's typed args; a rendered object is that shape by construction (renderManifest
// checked apiVersion and kind), which the type system cannot see through YAML.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ObjectResource = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const resourceTypes: Record<ManifestKind, ObjectResource> = {
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "v1/Service": k8s.core.v1.Service,
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
    "apiextensions.k8s.io/v1/CustomResourceDefinition": k8s.apiextensions.v1.CustomResourceDefinition,
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
};

export interface ManifestResourcesArgs {
    /** Rendered objects (renderManifest): every namespaced one is in `namespace`. */
    objects: readonly ManifestObject[];
    /** Namespaced objects take their namespace from this resource's output, so each waits for it. */
    namespace: k8s.core.v1.Namespace;
    /** What else every object waits for (istiod, for sidecar injection; ztunnel in ambient mode). */
    dependsOn: pulumi.Input<pulumi.Resource>[];
    /** Leave the objects in the cluster when the stack stops managing them (CRDs other tools may use). */
    retainOnDelete?: boolean;
    /** A provider other than the one inherited from the parent (the adopting one, for cluster prerequisites). */
    provider?: pulumi.ProviderResource;
    /** Added to each Deployment's pod template (the data-plane marker that rolls them on a switch). */
    podTemplateAnnotations?: Readonly<Record<string, string>>;
    /** The securityContext (and token mount) each Deployment's pods get; upstream manifests set none. */
    hardening?: PodHardening;
}

/** A Deployment with extra pod-template annotations; any other object, and an empty set, unchanged. */
export function withPodTemplateAnnotations(object: ManifestObject, annotations: Readonly<Record<string, string>>): ManifestObject {
    if (object.kind !== "Deployment" || Object.keys(annotations).length === 0) {
        return object;
    }
    const spec = (object.spec ?? {}) as { template?: { metadata?: { annotations?: Record<string, string> } } };
    const template = spec.template ?? {};
    const metadata = template.metadata ?? {};
    return {
        ...object,
        spec: { ...spec, template: { ...template, metadata: { ...metadata, annotations: { ...metadata.annotations, ...annotations } } } },
    };
}

export function manifestResources(args: ManifestResourcesArgs, parent: pulumi.Resource): pulumi.CustomResource[] {
    return args.objects.map((rendered) => {
        const annotated = withPodTemplateAnnotations(rendered, args.podTemplateAnnotations ?? {});
        const object = args.hardening ? hardenManifestObject(annotated, args.hardening) : annotated;
        const kind = manifestKindOf(object);
        if (!kind) {
            throw new Error(`${object.apiVersion}/${object.kind} ${object.metadata.name}: renderManifest should have refused this type`);
        }
        const metadata = object.metadata.namespace === undefined
            ? object.metadata
            : { ...object.metadata, namespace: args.namespace.metadata.name };
        return new resourceTypes[kind](resourceName(object), { ...object, metadata }, {
            parent, dependsOn: args.dependsOn, ...(args.retainOnDelete ? { retainOnDelete: true } : {}),
            ...(args.provider ? { provider: args.provider } : {}),
        });
    });
}
