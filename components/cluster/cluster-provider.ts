// The stack's one Kubernetes provider. Every Kubernetes resource goes through it: index.ts hands the provider to each component
// (`providers: [cluster]`), whose children inherit it through `parent`, and Pulumi.yaml disables
// the default Kubernetes provider so a resource that missed it fails instead of following the
// ambient kubeconfig (`pulumi:disable-default-providers`, pulumi/pulumi#8829).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterBinding, clusterNotice } from "./cluster-binding";

/** The stack's explicit provider: what makes every Kubernetes resource land in the bound cluster. */
export const clusterProviderName = "cluster";

/** Provider arguments for a binding. Without `kubeconfig`, the SDK passes KUBECONFIG and the provider reads that file. */
export function clusterProviderArgs(binding: ClusterBinding): k8s.ProviderArgs {
    if (binding.kind === "current-context") {
        // Pinned to the context the run started with, so the log names what the run used and a later
        // `kubectl config use-context` shows up as a provider change instead of a silent switch.
        return { context: binding.context };
    }
    return {
        ...(binding.context !== undefined ? { context: binding.context } : {}),
        ...(binding.kubeconfig?.kind === "path" ? { kubeconfig: binding.kubeconfig.path } : {}),
        ...(binding.kubeconfig?.kind === "content" ? { kubeconfig: binding.kubeconfig.content } : {}),
    };
}

export function clusterProvider(binding: ClusterBinding, stackName: string): k8s.Provider {
    const args = clusterProviderArgs(binding);
    const provider = new k8s.Provider(clusterProviderName, args);
    const notice = clusterNotice(stackName, binding);
    if (notice !== undefined) {
        void pulumi.log.info(notice);
    }
    return provider;
}
