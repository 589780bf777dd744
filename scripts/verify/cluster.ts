// Which cluster `npm run verify` checks: the one the stack itself is bound to, decided by the program's
// own rule (components/cluster/cluster-binding.ts), never whatever kubectl context happens to be current.
// Pure: stack-cluster.ts reads the config and writes the private kubeconfig file, checks.ts runs kubectl.
import * as path from "path";
import {
    ClusterBinding, ClusterResolution, clusterKeys, resolveClusterBindingWith, useCurrentContextKey,
} from "../../components/cluster/cluster-binding";
import { AmbientContext, expandHome } from "../../components/cluster/kubeconfig-file";

/** A `kubernetes:*` key as `pulumi config --json` lists it: a secret shown without --show-secrets has no value. */
export interface KubernetesKey {
    readonly value?: string;
    readonly secret: boolean;
}

/** The `kubernetes:*` keys whose secret value verify must read on its own (`pulumi config get`). */
export function hiddenClusterKeys(kubernetes: Readonly<Record<string, KubernetesKey>>): string[] {
    return (clusterKeys as readonly string[]).filter((key) => kubernetes[key] !== undefined && kubernetes[key].value === undefined);
}

export interface VerifyClusterInput {
    readonly stack: string;
    readonly kubernetes: Readonly<Record<string, KubernetesKey>>;
    readonly useCurrentContext: boolean;
    readonly homeDirectory: string;
    readonly fileExists: (file: string) => boolean;
    readonly ambientContext: () => AmbientContext;
}

/** The stack's binding with the kubeconfig text as a plain string, or the program's own problems. */
export function verifyClusterBinding(input: VerifyClusterInput): ClusterResolution<string> {
    const kubernetes: Record<string, { value: string; secret: boolean }> = {};
    for (const [key, entry] of Object.entries(input.kubernetes)) {
        kubernetes[key] = { value: entry.value ?? "", secret: entry.secret };
    }
    return resolveClusterBindingWith({ ...input, kubernetes }, (content) => content);
}

export interface KubectlTarget {
    /** Put before every kubectl argument list: `--kubeconfig` and `--context` as the binding says. */
    readonly args: readonly string[];
    /** One line for the report: which context of which kubeconfig. */
    readonly describe: string;
}

/**
 * The kubectl arguments that select the stack's cluster. `privateKubeconfigFile` is where verify wrote
 * the stack's kubeconfig content (mode 0600, removed afterwards); it is asked for only then.
 */
export function kubectlTarget(binding: ClusterBinding<string>, homeDirectory: string, privateKubeconfigFile: () => string): KubectlTarget {
    if (binding.kind === "current-context") {
        return {
            args: ["--kubeconfig", binding.kubeconfigPath, "--context", binding.context],
            describe: `context ${JSON.stringify(binding.context)} of ${binding.kubeconfigPath} (the current context, as ${useCurrentContextKey} says)`,
        };
    }
    const contextArgs = binding.context !== undefined ? ["--context", binding.context] : [];
    const contextText = binding.context !== undefined ? `context ${JSON.stringify(binding.context)}` : "the current context";
    if (binding.kubeconfig?.kind === "content") {
        return {
            args: ["--kubeconfig", privateKubeconfigFile(), ...contextArgs],
            describe: `${contextText} of the kubeconfig stored in kubernetes:kubeconfig`,
        };
    }
    if (binding.kubeconfig?.kind === "path") {
        const file = path.resolve(expandHome(binding.kubeconfig.path, homeDirectory));
        return { args: ["--kubeconfig", file, ...contextArgs], describe: `${contextText} of ${file} (kubernetes:kubeconfig)` };
    }
    return { args: contextArgs, describe: `${contextText} (kubernetes:context) of the default kubeconfig` };
}

/** The jsonpath that names the cluster and API server of the selected context (`kubectl config view --minify`). */
export const clusterViewArgs = ["config", "view", "--minify", "-o", "jsonpath={.clusters[0].name} {.clusters[0].cluster.server}"] as const;
