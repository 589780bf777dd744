// The stack's Kubernetes providers. Every Kubernetes resource goes through them: index.ts hands the main
// provider to each component (`providers: [cluster]`), whose children inherit it through `parent`, and
// Pulumi.yaml disables the default Kubernetes provider so a resource that missed it fails instead of
// following the ambient kubeconfig (`pulumi:disable-default-providers`, pulumi/pulumi#8829).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterBinding, clusterNotice } from "./cluster-binding";

/** The stack's explicit provider: what makes every Kubernetes resource land in the bound cluster. */
export const clusterProviderName = "cluster";
/** The same cluster, for the objects that may exist before the stack or outlive it (clusterPrerequisiteArgs). */
export const prerequisitesProviderName = "cluster-prerequisites";

/**
 * Provider arguments for a binding. Portable state: the provider's inputs are stored in the stack's state,
 * and `pulumi destroy` (which does not run the program) and a preview from another machine use the
 * stored ones. So they never hold a path that came from this machine's environment:
 * - `kubeconfig` is ALWAYS set. Left unset, @pulumi/kubernetes provider.js fills it from the KUBECONFIG
 *   variable (`args.kubeconfig ?? getEnv("KUBECONFIG")`), and the state would keep e.g.
 *   /home/runner/work/_temp/kubeconfig. An empty string is kept as is by the SDK, and the provider takes ""
 *   as "not given" and uses client-go's default loading rules of the machine the run is on: its own
 *   KUBECONFIG, else ~/.kube/config (pulumi-kubernetes provider/pkg/provider/provider.go, Configure: "the
 *   Python SDK was setting the kubeconfig value to "" by default, so explicitly check for empty string").
 * - A context-only binding (`kubernetes:context`, or the current-context opt-in) stores the context name only.
 * - `kubernetes:kubeconfig` is stored as the stack gave it: its content as a secret, or a path as typed (`~`
 *   included, which the provider expands on each machine). Neither comes from the environment.
 *
 * `enableSecretMutable`: Secret data is immutable to the provider by default, so a renewed certificate
 * would delete and re-create the gateway credential, the client-CA Secret and the ALB Secrets, and TLS
 * fails in the gap. With it, a changed Secret is updated in place (stable since pulumi-kubernetes 4.24;
 * provider.d.ts `enableSecretMutable`). No Secret of this stack relies on immutability.
 */
export function clusterProviderArgs(binding: ClusterBinding): k8s.ProviderArgs {
    const common = { enableSecretMutable: true } as const;
    if (binding.kind === "current-context") {
        // Pinned to the context the run started with, so the log names what the run used and a later
        // `kubectl config use-context` shows up as a provider change instead of a silent switch.
        return { ...common, context: binding.context, kubeconfig: "" };
    }
    return {
        ...common,
        ...(binding.context !== undefined ? { context: binding.context } : {}),
        kubeconfig: binding.kubeconfig?.kind === "path" ? binding.kubeconfig.path
            : binding.kubeconfig?.kind === "content" ? binding.kubeconfig.content : "",
    };
}

/**
 * The second provider, for cluster-scoped prerequisites only: the Gateway API CRDs and their
 * ValidatingAdmissionPolicy and binding. Since pulumi-kubernetes 4.29 a create refuses an object that
 * already exists (pulumi/pulumi-kubernetes#4278) unless the provider sets `upsertExistingObjects`. These
 * objects are `retainOnDelete` (other tools use them), may ship with the cluster, and outlive a destroy or
 * an ambient → sidecar → ambient switch, so their create must adopt what exists.
 *
 * Why a provider with `upsertExistingObjects` and not `*Patch` resources: a Patch resource manages only
 * the fields it names and never owns the object, so on a cluster without the CRDs there would be nothing
 * that creates them as a whole, and an older CRD would keep the fields our version dropped. An upserting
 * create applies the whole object server-side, which creates or takes over (`enablePatchForce` resolves
 * field conflicts with a previous `kubectl apply`, as `kubectl apply --server-side --force-conflicts`,
 * the Gateway API's own upgrade instruction, does). It is a separate provider so that every other object
 * keeps the provider's protection against silently taking over (and, on a rename, deleting) an object
 * the stack did not create. The rename hazard #4278 fixed does not apply here: these objects are retained
 * on delete, so a create-then-delete leaves them in place.
 */
export function clusterPrerequisiteArgs(binding: ClusterBinding): k8s.ProviderArgs {
    return { ...clusterProviderArgs(binding), upsertExistingObjects: true, enablePatchForce: true };
}

export function clusterProvider(binding: ClusterBinding, stackName: string): k8s.Provider {
    const provider = new k8s.Provider(clusterProviderName, clusterProviderArgs(binding));
    const notice = clusterNotice(stackName, binding);
    if (notice !== undefined) {
        void pulumi.log.info(notice);
    }
    return provider;
}

/**
 * Made only by a stack that has prerequisites (ambient mode). Moving an existing ambient stack's CRDs from
 * the cluster provider to this one is an update, not a replacement: the engine replaces a resource on a
 * provider change only when the provider's DiffConfig says the cluster changed, and both name the same one.
 */
export function prerequisitesProvider(binding: ClusterBinding): k8s.Provider {
    return new k8s.Provider(prerequisitesProviderName, clusterPrerequisiteArgs(binding));
}
