// A stack's settings for the CI job, read from its committed Pulumi.<stack>.yaml: whether the IBM
// Cloud CLI is needed. A demo stack has no file of its own: it gets the config (only the config: the
// source's encryptionsalt belongs to the source stack) of the stack it is modelled on.

import * as YAML from "yaml";
import { stackNamePattern } from "./stack-list";

export interface StackSettings {
    iksEnabled: boolean;
}

export function stackFileName(stack: string): string {
    if (!stackNamePattern.test(stack)) {
        throw new Error(`not a stack name: ${JSON.stringify(stack)}`);
    }
    return `Pulumi.${stack}.yaml`;
}

/** The content of a demo stack's Pulumi.<stack>.yaml, made from its source stack's file. */
export function configOnlyCopy(sourceFileText: string): string {
    const source = (YAML.parse(sourceFileText) ?? {}) as { config?: unknown };
    return YAML.stringify({ config: source.config ?? {} });
}

export function readStackSettings(stackFileText: string | undefined): StackSettings {
    const settings = (stackFileText === undefined ? {} : YAML.parse(stackFileText) ?? {}) as { config?: Record<string, unknown> };
    const iks = settings.config?.["iks-mesh:iks"] as { enabled?: unknown } | null | undefined;
    return { iksEnabled: iks?.enabled === true };
}

export interface ProviderPlugin {
    name: string;
    version: string;
}

/**
 * The resource plugins the locked provider packages need: each package.json with
 * `pulumi: {resource: true, name, version}` (what @pulumi/kubernetes' and @pulumi/command's install
 * scripts pass to `pulumi plugin install resource`, scripts/install-pulumi-plugin.js).
 */
export function providerPlugins(packageJsonTexts: readonly string[]): ProviderPlugin[] {
    return packageJsonTexts.flatMap((text) => {
        const pulumi = (JSON.parse(text) as { pulumi?: { resource?: unknown; name?: unknown; version?: unknown } }).pulumi;
        if (pulumi?.resource !== true || typeof pulumi.name !== "string" || typeof pulumi.version !== "string") {
            return [];
        }
        if (!/^[a-z0-9-]+$/.test(pulumi.name) || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(pulumi.version)) {
            throw new Error(`provider package declares an unexpected plugin ${JSON.stringify(pulumi.name)} ${JSON.stringify(pulumi.version)}`);
        }
        return [{ name: pulumi.name, version: pulumi.version }];
    }).sort((a, b) => a.name.localeCompare(b.name));
}
