// The one way this program runs the ibmcloud CLI: a `local.Command` that runs a script of
// components/ibm/scripts with bare node. What Pulumi stores for a command (its command line and
// environment) is what `pulumi destroy` runs with later, possibly on another machine, so both hold
// only relative paths and names; the API key travels only as a secret in the environment.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { skipCloudCleanupVariable } from "./scripts/cleanup";
import { storedApiKeyVariable } from "./scripts/ibmcloud";

/** Where the scripts live, relative to the project directory that Pulumi runs commands in. */
export const scriptDirectory = "components/ibm/scripts";

export type IbmCloudScript = "nlb-dns" | "alb-ingress";

/**
 * The command line of one script action: relative, so the stored command runs on any clone. The
 * scripts are TypeScript that Node runs directly; require-node.cjs first turns an older Node into
 * one clear line. Node loads the scripts as ES modules by their syntax and would warn each time
 * that package.json names no module type; the project stays CommonJS for the Pulumi program, so
 * that warning is silenced for this run only.
 */
export function scriptCommand(script: IbmCloudScript, action: string): string {
    if (!/^[a-z-]+$/.test(action)) {
        throw new Error(`script action must be a plain word (got ${JSON.stringify(action)})`);
    }
    return `node ${scriptDirectory}/require-node.cjs && ` +
        `node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON ${scriptDirectory}/run.ts ${script} ${action}`;
}

/**
 * The CLI home a stack logs in to with its own API key, relative to the project directory; the
 * scripts resolve it against their working directory and keep it out of git. Each run logs in to
 * a home of its own under it (components/ibm/scripts/cli-home.ts); plugins are shared.
 */
export function stackCliHome(stack: string): string {
    return `.ibmcloud/${stack}`;
}

export interface IbmCloudCliSettings {
    cluster: string;
    region: string;
    /** Secret; absent means IBMCLOUD_API_KEY from the environment, or the operator's existing login. */
    apiKey?: pulumi.Output<string>;
    /** Targeted at login when access to the cluster comes through a resource group. */
    resourceGroup?: string;
    stack: string;
    /** iks.skipCloudCleanup: deletes leave IBM Cloud alone and say what is left (scripts/cleanup.ts). */
    skipCloudCleanup?: boolean;
}

/**
 * The environment every ibmcloud command gets. The stack's key is stored as IKS_MESH_API_KEY, not as
 * IBMCLOUD_API_KEY: a delete runs with the stored environment appended to the current one, and a
 * stored IBMCLOUD_API_KEY would hide the operator's current key from it (scripts/ibmcloud.ts
 * chooseApiKey picks, and hands the CLI its IBMCLOUD_API_KEY). Colour and update checks are off so
 * output stays parseable and no prompt appears. IKS_MESH_SKIP_CLOUD_CLEANUP is stored only when
 * true, so that an operator can also set it in the environment of a `pulumi destroy`.
 */
export function ibmCloudEnvironment(settings: IbmCloudCliSettings): Record<string, pulumi.Input<string>> {
    return {
        IKS_CLUSTER: settings.cluster,
        IKS_REGION: settings.region,
        IBMCLOUD_COLOR: "false",
        IBMCLOUD_VERSION_CHECK: "false",
        IKS_MESH_IBMCLOUD_HOME: stackCliHome(settings.stack),
        ...(settings.resourceGroup ? { IKS_RESOURCE_GROUP: settings.resourceGroup } : {}),
        ...(settings.apiKey ? { [storedApiKeyVariable]: pulumi.secret(settings.apiKey) } : {}),
        ...(settings.skipCloudCleanup ? { [skipCloudCleanupVariable]: "true" } : {}),
    };
}

/** The CLI settings of an IKS stack; config validation guarantees cluster and region when enabled. */
export function ibmCloudCliSettings(iks: StackConfig["iks"], stack: string): IbmCloudCliSettings {
    if (!iks.cluster || !iks.region) {
        throw new Error("iks.cluster and iks.region are required when iks.enabled is true");
    }
    return {
        cluster: iks.cluster,
        region: iks.region,
        stack,
        ...(iks.apiKey ? { apiKey: iks.apiKey } : {}),
        ...(iks.resourceGroup ? { resourceGroup: iks.resourceGroup } : {}),
        ...(iks.skipCloudCleanup ? { skipCloudCleanup: true } : {}),
    };
}

export interface IbmCloudCommandArgs {
    script: IbmCloudScript;
    /** Action run on create (and on update: every action is idempotent, creating or adopting). */
    create: string;
    /** Action run on destroy and before a replacement. */
    delete?: string;
    /** Settings for the script, beside the shared CLI environment. */
    environment?: Record<string, pulumi.Input<string>>;
    /** Any change replaces the command: its delete action runs, then its create action. */
    triggers?: pulumi.Input<unknown>[];
}

/** Builds the command resources of one stack. */
export class IbmCloudCli {
    readonly environment: Record<string, pulumi.Input<string>>;

    constructor(readonly settings: IbmCloudCliSettings) {
        this.environment = ibmCloudEnvironment(settings);
    }

    command(name: string, args: IbmCloudCommandArgs, opts: pulumi.CustomResourceOptions): command.local.Command {
        return new command.local.Command(name, {
            create: scriptCommand(args.script, args.create),
            ...(args.delete ? { delete: scriptCommand(args.script, args.delete) } : {}),
            environment: { ...this.environment, ...args.environment },
            ...(args.triggers ? { triggers: args.triggers } : {}),
            // stdout is the script's one result line; stderr (progress, CLI errors, redacted) still
            // appears in the error when a command fails.
            logging: command.local.Logging.Stdout,
            // The delete action reads the create action's result from PULUMI_COMMAND_STDOUT.
            addPreviousOutputInEnv: true,
        }, {
            ...opts,
            // The stored environment holds the API key.
            additionalSecretOutputs: ["environment"],
            // The same registration must not be adopted by the replacement and then removed by the old one.
            deleteBeforeReplace: true,
        });
    }
}
