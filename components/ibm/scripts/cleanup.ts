// Destroy when IBM Cloud cannot be reached any more (the account, the API key or the cluster is
// gone): with iks.skipCloudCleanup (stored with the commands at the next `pulumi up`) or
// IKS_MESH_SKIP_CLOUD_CLEANUP=true in the environment of a `pulumi destroy` (a delete runs with its
// stored environment appended to the current one, so a variable stored only when true leaves the
// current one in charge otherwise), the delete actions make no ibmcloud call: they log what stays
// behind in IBM Cloud and the commands that remove it by hand, and succeed.

export const skipCloudCleanupVariable = "IKS_MESH_SKIP_CLOUD_CLEANUP";

export function skipCloudCleanup(env: NodeJS.ProcessEnv): boolean {
    return /^(true|1|yes)$/i.test(env[skipCloudCleanupVariable]?.trim() ?? "");
}

/** Appended to a failed delete: how to let destroy finish when the failure is that IBM Cloud is gone. */
export const skipCleanupHint = "If the cluster or the IBM Cloud account no longer exists, let destroy finish without IBM Cloud: " +
    `${skipCloudCleanupVariable}=true pulumi destroy (it logs what stays behind and how to remove it)`;
