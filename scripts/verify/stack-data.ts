// What verify reads from the stack: its outputs (`pulumi stack output --json --show-secrets`) and its
// config (`pulumi config --json`), turned into plain values. The config goes through the program's own
// validation (parseStackConfig), so verify sees exactly the defaults and values the program deployed.
import { parseStackConfig } from "../../components/config/parse";
import { RawConfig, StackConfig, projectName } from "../../components/config/schema";
import { parseMaybeJson } from "../../components/config/reader";
import { curlStackOutputs } from "../../components/edge/curl-commands";
import { KubernetesKey } from "./cluster";

const kubernetesPrefix = "kubernetes:";

/** Stack output names verify reads; index.ts exports them. */
export const stackOutputNames = {
    caCertificate: curlStackOutputs.caCertificate,
    clientCertificate: curlStackOutputs.clientCertificate,
    clientPrivateKey: curlStackOutputs.clientPrivateKey,
    gatewayHosts: "gatewayHosts",
    gatewayNamespace: "gatewayNamespace",
    gatewayService: "gatewayService",
    nlbSubdomain: "nlbSubdomain",
} as const;

export interface StackOutputs {
    caCertificatePem?: string;
    clientCertificatePem?: string;
    /** Secret: kept in memory, never printed or written to disk. */
    clientPrivateKeyPem?: string;
    gatewayHosts?: string[];
    gatewayNamespace?: string;
    gatewayService?: string;
    /** IKS: the NLB subdomain the stack registered for the gateway. */
    nlbSubdomain?: string;
}

export interface Parsed<T> {
    value: T;
    problems: string[];
}

function pem(outputs: Record<string, unknown>, name: string, problems: string[]): string | undefined {
    const value = outputs[name];
    if (value === undefined) {
        return undefined;
    }
    if (value === "[secret]") {
        problems.push(`stack output ${name} is hidden; read the outputs with --show-secrets`);
        return undefined;
    }
    if (typeof value !== "string" || !/^-----BEGIN [A-Z ]+-----/.test(value.trim())) {
        problems.push(`stack output ${name} is not a PEM block`);
        return undefined;
    }
    return value;
}

function text(outputs: Record<string, unknown>, name: string, problems: string[]): string | undefined {
    const value = outputs[name];
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "string" || value === "") {
        problems.push(`stack output ${name} is not a name (got ${JSON.stringify(value)})`);
        return undefined;
    }
    return value;
}

/** Parses `pulumi stack output --json --show-secrets`; problems name the output and never its value. */
export function parseStackOutputs(json: string): Parsed<StackOutputs> {
    const problems: string[] = [];
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch {
        return { value: {}, problems: ["`pulumi stack output --json` did not print JSON"] };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return { value: {}, problems: ["`pulumi stack output --json` did not print an object"] };
    }
    const outputs = parsed as Record<string, unknown>;
    const hosts = outputs[stackOutputNames.gatewayHosts];
    let gatewayHosts: string[] | undefined;
    if (hosts !== undefined) {
        if (Array.isArray(hosts) && hosts.length > 0 && hosts.every((host) => typeof host === "string" && host !== "")) {
            gatewayHosts = hosts as string[];
        } else {
            problems.push(`stack output ${stackOutputNames.gatewayHosts} is not a list of hosts`);
        }
    }
    const value: StackOutputs = {
        caCertificatePem: pem(outputs, stackOutputNames.caCertificate, problems),
        clientCertificatePem: pem(outputs, stackOutputNames.clientCertificate, problems),
        clientPrivateKeyPem: pem(outputs, stackOutputNames.clientPrivateKey, problems),
        gatewayHosts,
        gatewayNamespace: text(outputs, stackOutputNames.gatewayNamespace, problems),
        gatewayService: text(outputs, stackOutputNames.gatewayService, problems),
        nlbSubdomain: text(outputs, stackOutputNames.nlbSubdomain, problems),
    };
    return { value, problems };
}

export interface StackConfigInput {
    raw: RawConfig;
    /** Sections Pulumi holds as secrets (parseStackConfig refuses a plain `iks.apiKey`). */
    secretSections: string[];
    /** Sections that are secret and were not shown: their values are unknown here. */
    hiddenSections: string[];
    /** The `kubernetes:*` keys without the prefix: they name the stack's cluster. */
    kubernetes: Record<string, KubernetesKey>;
}

/**
 * Turns `pulumi config --json` into the raw top-level sections under the project namespace. Each key
 * comes as `{"value": "<string or JSON>", "objectValue": <object>, "secret": bool}`; a secret shown
 * without --show-secrets has no value at all.
 */
export function rawConfigFromPulumiJson(json: string): StackConfigInput {
    const parsed = JSON.parse(json) as Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>;
    const prefix = `${projectName}:`;
    const raw: Record<string, unknown> = {};
    const secretSections: string[] = [];
    const hiddenSections: string[] = [];
    const kubernetes: Record<string, KubernetesKey> = {};
    for (const [key, entry] of Object.entries(parsed)) {
        if (key.startsWith(kubernetesPrefix)) {
            kubernetes[key.slice(kubernetesPrefix.length)] = { ...(entry.value !== undefined ? { value: entry.value } : {}), secret: entry.secret === true };
            continue;
        }
        if (!key.startsWith(prefix)) {
            continue;
        }
        const section = key.slice(prefix.length);
        if (entry.secret) {
            secretSections.push(section);
        }
        if (entry.objectValue !== undefined) {
            raw[section] = entry.objectValue;
        } else if (entry.value !== undefined) {
            raw[section] = parseMaybeJson(entry.value);
        } else {
            hiddenSections.push(section);
        }
    }
    return { raw, secretSections, hiddenSections, kubernetes };
}

/** The validated config the program itself would build from the same values. */
export function stackConfigFrom(input: StackConfigInput): StackConfig {
    return parseStackConfig(input.raw, { secretSections: input.secretSections });
}

/** Secret sections verify needs the values of: `iks` decides whether the IKS checks run and against which cluster. */
export const sectionsVerifyReveals = ["iks"] as const;

/**
 * A hidden section's value, as `pulumi config get <project>:<section>` prints it decrypted, put into the
 * config input. `iks.apiKey` is dropped at once: verify calls ibmcloud as the operator (IBMCLOUD_API_KEY or
 * an existing login), so the stack's key is never used or kept here.
 */
export function revealSection(input: StackConfigInput, section: string, printed: string): StackConfigInput {
    const value = parseMaybeJson(printed.replace(/\n$/, ""));
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error(`pulumi config get ${projectName}:${section} did not print an object`);
    }
    const { apiKey: _apiKey, ...rest } = value as Record<string, unknown>;
    return {
        ...input,
        raw: { ...input.raw, [section]: section === "iks" ? rest : value },
        hiddenSections: input.hiddenSections.filter((hidden) => hidden !== section),
    };
}
