// Loads the stack's config from the Pulumi runtime: the project's keys and the `kubernetes:*` keys that
// bind the stack to its cluster, checked together.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import { ClusterBinding, resolveClusterBinding } from "../cluster/cluster-binding";
import { currentKubeconfigContext } from "../cluster/kubeconfig-file";
import { ConfigError } from "./errors";
import { parseStackConfig } from "./parse";
import { isPlainObject, parseMaybeJson } from "./reader";
import { StackConfig, projectName } from "./schema";

/**
 * Whether Pulumi holds a config key as a secret. The SDK marks `isConfigSecret` internal, but it is
 * the only way to tell a `--secret` value from a plain one, and a plain API key must be refused.
 */
function isConfigSecret(fullKey: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    if (typeof runtime.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer exposes runtime.isConfigSecret; update components/config/parse.ts");
    }
    return runtime.isConfigSecret(fullKey);
}

/** What the program runs with: the validated project config and the cluster the stack is bound to. */
export interface Stack {
    readonly config: StackConfig;
    readonly cluster: ClusterBinding;
}

const kubernetesPrefix = "kubernetes:";

/** What `readStack` could read: the config and the binding where they are valid, and every problem of both. */
export interface StackReading {
    readonly config?: StackConfig;
    readonly cluster?: ClusterBinding;
    readonly stackName: string;
    readonly problems: readonly string[];
}

/**
 * Reads the stack's config from the Pulumi runtime: the project's keys and the `kubernetes:*` keys
 * that name the cluster. Keys outside the contract under the project namespace are reported too (a
 * mistyped section would otherwise be ignored). Every problem of both is returned, with whichever of
 * the two was valid, so later checks can still run on a valid config (components/preflight.ts).
 */
export function readStack(): StackReading {
    const prefix = `${projectName}:`;
    const raw: Record<string, unknown> = {};
    const secretSections: string[] = [];
    const kubernetes: Record<string, { value: string; secret: boolean }> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (fullKey.startsWith(kubernetesPrefix)) {
            kubernetes[fullKey.slice(kubernetesPrefix.length)] = { value, secret: isConfigSecret(fullKey) };
            continue;
        }
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const section = fullKey.slice(prefix.length);
        raw[section] = parseMaybeJson(value);
        if (isConfigSecret(fullKey)) {
            secretSections.push(section);
        }
    }
    const problems: string[] = [];
    let config: StackConfig | undefined;
    try {
        config = parseStackConfig(raw, { secretSections });
    } catch (error) {
        if (!(error instanceof ConfigError)) {
            throw error;
        }
        problems.push(...error.problems);
    }
    const readFile = (file: string): string | undefined => {
        try {
            return fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
    };
    const stackName = pulumi.getStack();
    const resolution = resolveClusterBinding({
        stack: stackName,
        kubernetes,
        // When the project config has problems too, still tell whether the stack opted in.
        useCurrentContext: config?.cluster.useCurrentContext ?? optsIntoCurrentContext(raw.cluster),
        homeDirectory: os.homedir(),
        fileExists: (file) => fs.existsSync(file),
        ambientContext: () => currentKubeconfigContext(process.env.KUBECONFIG, os.homedir(), readFile),
    });
    problems.push(...resolution.problems);
    return {
        stackName,
        problems,
        ...(config ? { config } : {}),
        ...("binding" in resolution ? { cluster: resolution.binding } : {}),
    };
}

/** `readStack`, stopping the program with every problem when there is any. */
export function loadStack(): Stack {
    const { config, cluster, problems } = readStack();
    if (config === undefined || cluster === undefined || problems.length > 0) {
        throw new ConfigError(problems);
    }
    return { config, cluster };
}

function optsIntoCurrentContext(cluster: unknown): boolean {
    const value = isPlainObject(cluster) ? cluster.useCurrentContext : undefined;
    return value === true || value === "true";
}

