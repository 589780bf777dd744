// Which cluster a stack deploys to. A stack names its cluster with Pulumi's own Kubernetes keys,
// `kubernetes:context` and/or `kubernetes:kubeconfig`; the program turns them into ONE explicit
// provider that every Kubernetes resource uses. A stack that names nothing is refused, unless it opts
// into the current kubeconfig context (cluster.useCurrentContext, for a local quick start on kind).
// Pure: the caller reads the config, the environment and the file system.
import * as pulumi from "@pulumi/pulumi";
import { AmbientContext, expandHome } from "./kubeconfig-file";

/** The project key by which a stack accepts the current kubeconfig context as its cluster. */
export const useCurrentContextKey = "cluster.useCurrentContext";

/** The `kubernetes:*` keys this stack reads; the provider is explicit, so Pulumi would ignore any other. */
export const clusterKeys = ["context", "kubeconfig"] as const;

/**
 * `Content` is how the kubeconfig text is held: a Pulumi secret in the program, a plain string in
 * `npm run verify` (which writes it to a private file for kubectl and never prints it).
 */
export type StackKubeconfig<Content = pulumi.Output<string>> =
    /** As given (`~` included): the provider expands it, and the state stays the same on every machine. */
    | { readonly kind: "path"; readonly path: string }
    /** A kubeconfig's text, always a Pulumi secret: it carries the cluster's credentials. */
    | { readonly kind: "content"; readonly content: Content };

export type ClusterBinding<Content = pulumi.Output<string>> =
    | {
        readonly kind: "stack";
        readonly context?: string;
        readonly kubeconfig?: StackKubeconfig<Content>;
        /** The stack also opts into the current context; its own keys win. */
        readonly optInIgnored: boolean;
    }
    | {
        readonly kind: "current-context";
        /** The current context when the run started, pinned on the provider for the whole run. */
        readonly context: string;
        readonly kubeconfigPath: string;
    };

export interface ClusterSettings {
    readonly stack: string;
    /** The stack's `kubernetes:*` keys without the prefix, each with whether Pulumi holds it as a secret. */
    readonly kubernetes: Readonly<Record<string, { readonly value: string; readonly secret: boolean }>>;
    readonly useCurrentContext: boolean;
    readonly homeDirectory: string;
    readonly fileExists: (file: string) => boolean;
    /** The current context of the kubeconfig the provider would read; asked only when the stack opts in. */
    readonly ambientContext: () => AmbientContext;
}

export type ClusterResolution<Content = pulumi.Output<string>> =
    | { readonly binding: ClusterBinding<Content>; readonly problems: readonly [] }
    | { readonly problems: readonly string[] };

/** Kubeconfig text, as opposed to a file name: what the provider falls back to when no such file exists. */
function looksLikeKubeconfigText(value: string): boolean {
    return value.includes("\n") || value.trimStart().startsWith("{") || /^\s*(apiVersion|clusters|contexts|kind):/m.test(value);
}

const setContextFix = "pulumi config set kubernetes:context <context> (a name from kubectl config get-contexts)";
const setKubeconfigFix = "pulumi config set --secret kubernetes:kubeconfig < <kubeconfig file>";

/** The program's binding: kubeconfig content becomes a Pulumi secret. */
export function resolveClusterBinding(settings: ClusterSettings): ClusterResolution {
    return resolveClusterBindingWith(settings, (content) => pulumi.secret(content));
}

/**
 * The one rule for which cluster a stack names, shared by the program and `npm run verify`;
 * `holdContent` wraps the kubeconfig text (the program makes it a Pulumi secret).
 */
export function resolveClusterBindingWith<Content>(settings: ClusterSettings, holdContent: (content: string) => Content): ClusterResolution<Content> {
    const problems: string[] = [];
    for (const key of Object.keys(settings.kubernetes)) {
        if (!(clusterKeys as readonly string[]).includes(key)) {
            problems.push(`kubernetes:${key} is not read by this stack: its Kubernetes provider is explicit and takes only ` +
                `${clusterKeys.map((name) => `kubernetes:${name}`).join(" and ")} from the stack config. Fix: pulumi config rm kubernetes:${key}`);
        }
    }
    const context = nonEmpty(settings.kubernetes.context?.value);
    const kubeconfig = readKubeconfig(settings, context, problems, holdContent);

    const namesCluster = context !== undefined || nonEmpty(settings.kubernetes.kubeconfig?.value) !== undefined;
    if (!namesCluster) {
        if (!settings.useCurrentContext) {
            problems.push(`Stack ${JSON.stringify(settings.stack)} names no cluster, so it would deploy to whatever kubectl context ` +
                `is current. Fix: ${setContextFix}, or ${setKubeconfigFix}. ` +
                `(Only a throwaway local stack should instead opt into the current context: pulumi config set --path ${useCurrentContextKey} true)`);
            return { problems };
        }
        const ambient = settings.ambientContext();
        if ("problem" in ambient) {
            problems.push(`${useCurrentContextKey} is true, but there is no current context to use: ${ambient.problem}`);
            return { problems };
        }
        return problems.length > 0 ? { problems } : {
            binding: { kind: "current-context", context: ambient.context, kubeconfigPath: ambient.kubeconfigPath },
            problems: [],
        };
    }
    if (problems.length > 0) {
        return { problems };
    }
    return {
        binding: {
            kind: "stack",
            ...(context !== undefined ? { context } : {}),
            ...(kubeconfig !== undefined ? { kubeconfig } : {}),
            optInIgnored: settings.useCurrentContext,
        },
        problems: [],
    };
}

function readKubeconfig<Content>(settings: ClusterSettings, context: string | undefined, problems: string[],
    holdContent: (content: string) => Content): StackKubeconfig<Content> | undefined {
    const setting = settings.kubernetes.kubeconfig;
    const value = nonEmpty(setting?.value);
    if (setting === undefined || value === undefined) {
        return undefined;
    }
    // The provider's own rule: a value naming an existing file is a path, anything else is kubeconfig text.
    if (settings.fileExists(expandHome(value, settings.homeDirectory))) {
        if (context === undefined) {
            // kubectl config use-context rewrites a file's current-context, so a path alone binds nothing.
            problems.push(`kubernetes:kubeconfig names the file ${value}, whose current context changes with kubectl config use-context, ` +
                `and the stack names no context in it. Fix: ${setContextFix}`);
            return undefined;
        }
        return { kind: "path", path: value };
    }
    if (!looksLikeKubeconfigText(value)) {
        problems.push(`kubernetes:kubeconfig names ${JSON.stringify(value)}, which is neither an existing file on this machine nor ` +
            `a kubeconfig. Fix: pulumi config set kubernetes:kubeconfig <path of a kubeconfig file>, or store its content: ${setKubeconfigFix}`);
        return undefined;
    }
    if (!setting.secret) {
        // Never echo the value: it carries the cluster's credentials.
        problems.push("kubernetes:kubeconfig holds a kubeconfig in plain text in the stack config, with the cluster's credentials. " +
            `Fix: pulumi config rm kubernetes:kubeconfig && ${setKubeconfigFix}`);
        return undefined;
    }
    return { kind: "content", content: holdContent(value) };
}

function nonEmpty(value: string | undefined): string | undefined {
    return value === undefined || value.trim() === "" ? undefined : value;
}

/** What a run logs about its cluster: the opt-in names the context it used, every time. */
export function clusterNotice<Content>(stack: string, binding: ClusterBinding<Content>): string | undefined {
    if (binding.kind === "current-context") {
        return `Stack ${JSON.stringify(stack)} opts into the current kubeconfig context (${useCurrentContextKey}): it deploys to ` +
            `context ${JSON.stringify(binding.context)} of ${binding.kubeconfigPath}. To bind the stack to it for good: ` +
            `pulumi config set kubernetes:context ${binding.context}`;
    }
    if (binding.optInIgnored) {
        return `${useCurrentContextKey} has no effect: stack ${JSON.stringify(stack)} names its cluster with ` +
            `${binding.context !== undefined ? `kubernetes:context ${JSON.stringify(binding.context)}` : "kubernetes:kubeconfig"}`;
    }
    return undefined;
}
