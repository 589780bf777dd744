// What the IKS ALB path needs from IBM Cloud, for the AlbIngress command resources:
//
//   node components/ibm/scripts/run.ts alb-ingress domain          → {hostname, secretName, secretNamespace}
//   node components/ibm/scripts/run.ts alb-ingress secret-create   → {name, namespace, crn}
//   node components/ibm/scripts/run.ts alb-ingress secret-delete
//
// `domain` reads the cluster's Ingress subdomain and its TLS secret. `secret-create` copies that
// IBM-managed certificate into the gateway's namespace by its CRN (`ingress secret create
// --cert-crn`); `secret-delete` removes the copy, succeeding when it is already gone. The exported
// functions are the pure part.
import { IbmCloud, IbmCloudError, parseResultLine, requiredSetting, sleep } from "./ibmcloud.ts";

/** The namespace IKS keeps the cluster's default Ingress secret in. */
export const defaultIngressSecretNamespace = "default";

export interface IngressDomain {
    hostname: string;
    secretName: string;
    secretNamespace: string;
}

export interface IngressSecret {
    name: string;
    namespace: string;
    crn: string;
}

const text = (value: unknown): string => (typeof value === "string" ? value.trim() : "");

const record = (value: unknown): Record<string, unknown> =>
    (typeof value === "object" && value !== null ? value as Record<string, unknown> : {});

/**
 * The Ingress subdomain and secret from `ibmcloud ks cluster get --output json`: `.ingress.hostname`
 * and `.ingress.secretName`, or the older top-level `ingressHostname` / `ingressSecretName`.
 */
export function parseIngressDomain(cluster: unknown, clusterName = "the cluster"): IngressDomain {
    const details = record(cluster);
    const ingress = record(details.ingress);
    const hostname = text(ingress.hostname) || text(details.ingressHostname);
    const secretName = text(ingress.secretName) || text(details.ingressSecretName);
    if (!hostname || !secretName) {
        const status = text(ingress.status) || text(details.ingressStatus) || "unknown";
        const message = text(ingress.message) || text(details.ingressMessage);
        throw new IbmCloudError(`${clusterName} has no Ingress subdomain and secret yet (Ingress status ${status}${message ? `: ${message}` : ""}). ` +
            "IKS assigns them when the cluster's workers are ready; check `ibmcloud ks ingress status-report get`, " +
            "or turn the ALB path off: pulumi config set --path iks.alb.enabled false");
    }
    return { hostname: hostname.toLowerCase(), secretName, secretNamespace: defaultIngressSecretNamespace };
}

/** The CRN of an Ingress secret (`ibmcloud ks ingress secret get --output json`, field `crn`). */
export function parseSecretCrn(secret: unknown): string {
    const crn = text(record(secret).crn);
    if (!crn.startsWith("crn:")) {
        throw new IbmCloudError(`ibmcloud ks ingress secret get printed no certificate CRN (got ${JSON.stringify(secret).slice(0, 160)})`, { transient: true });
    }
    return crn;
}

/** The Ingress secrets of a cluster (`ibmcloud ks ingress secret ls --output json`). */
export function parseSecretList(listed: unknown): IngressSecret[] {
    if (listed === null || listed === undefined) {
        return [];
    }
    if (!Array.isArray(listed)) {
        throw new IbmCloudError(`ingress secret ls did not print a list (got ${JSON.stringify(listed).slice(0, 120)})`, { transient: true });
    }
    return listed.flatMap((item: unknown): IngressSecret[] => {
        const secret = record(item);
        return text(secret.name) ? [{ name: text(secret.name), namespace: text(secret.namespace), crn: text(secret.crn) }] : [];
    });
}

export function findSecret(secrets: readonly IngressSecret[], wanted: { name: string; namespace: string }): IngressSecret | undefined {
    return secrets.find((secret) => secret.name === wanted.name && secret.namespace === wanted.namespace);
}

export const parseDomainResult = (stdout: string | undefined): IngressDomain =>
    parseResultLine(stdout, ["hostname", "secretName", "secretNamespace"] as const, "alb-ingress domain");

export const parseSecretResult = (stdout: string | undefined): IngressSecret =>
    parseResultLine(stdout, ["name", "namespace", "crn"] as const, "alb-ingress secret-create");

export interface CopySettings {
    source: { name: string; namespace: string };
    target: { name: string; namespace: string };
}

export function readCopySettings(env: NodeJS.ProcessEnv): CopySettings {
    return {
        source: { name: requiredSetting(env, "ALB_SOURCE_SECRET"), namespace: env.ALB_SOURCE_NAMESPACE?.trim() || defaultIngressSecretNamespace },
        target: { name: requiredSetting(env, "ALB_TARGET_SECRET"), namespace: requiredSetting(env, "ALB_TARGET_NAMESPACE") },
    };
}

async function listSecrets(cli: IbmCloud): Promise<IngressSecret[]> {
    const args = ["ks", "ingress", "secret", "ls", "--cluster", cli.settings.cluster, "--output", "json"];
    return parseSecretList(await cli.retry("ibmcloud ks ingress secret ls", () => cli.json(args)));
}

async function readDomain(cli: IbmCloud): Promise<string> {
    const cluster = await cli.ensureReady();
    return JSON.stringify(parseIngressDomain(cluster, `IKS cluster ${cli.settings.cluster}`));
}

async function createSecretCopy(cli: IbmCloud, copy: CopySettings): Promise<string> {
    const { cluster } = cli.settings;
    await cli.ensureReady();
    const getArgs = ["ks", "ingress", "secret", "get", "--cluster", cluster, "--name", copy.source.name,
        "--namespace", copy.source.namespace, "--output", "json"];
    const crn = await cli.retry(`reading Ingress secret ${copy.source.namespace}/${copy.source.name}`,
        async () => parseSecretCrn(await cli.json(getArgs)));
    const where = `${copy.target.namespace}/${copy.target.name}`;
    const existing = findSecret(await listSecrets(cli), copy.target);
    if (existing && existing.crn !== crn) {
        throw new IbmCloudError(`Ingress secret ${where} already exists for another certificate (${existing.crn}). ` +
            `Fix: ibmcloud ks ingress secret rm --cluster ${cluster} --name ${copy.target.name} --namespace ${copy.target.namespace}`);
    }
    if (existing) {
        cli.log(`Ingress secret ${where} already holds ${crn}; adopting it`);
    } else {
        const createArgs = ["ks", "ingress", "secret", "create", "--cluster", cluster, "--cert-crn", crn,
            "--name", copy.target.name, "--namespace", copy.target.namespace];
        cli.log(`copying the Ingress certificate into ${where}`);
        await cli.retry(`ibmcloud ks ingress secret create ${where}`, async () => {
            const result = await cli.call(createArgs);
            if (!findSecret(await listSecrets(cli), copy.target)) {
                throw cli.failure(createArgs, { ...result, code: result.code || 1 });
            }
        });
    }
    const result: IngressSecret = { name: copy.target.name, namespace: copy.target.namespace, crn };
    return JSON.stringify(result);
}

async function deleteSecretCopy(cli: IbmCloud, copy: CopySettings): Promise<undefined> {
    const { cluster, retryAttempts, retryBaseSeconds } = cli.settings;
    await cli.ensureReady();
    const where = `${copy.target.namespace}/${copy.target.name}`;
    const rmArgs = ["ks", "ingress", "secret", "rm", "--cluster", cluster, "--name", copy.target.name, "--namespace", copy.target.namespace];
    for (let attempt = 1; attempt <= retryAttempts; attempt++) {
        if (!findSecret(await listSecrets(cli), copy.target)) {
            cli.log(attempt === 1 ? `Ingress secret ${where} does not exist; nothing to remove` : `removed Ingress secret ${where}`);
            return undefined;
        }
        const result = await cli.call(rmArgs);
        if (result.code !== 0) {
            const failure = cli.failure(rmArgs, result);
            if (failure.permission) {
                throw failure;
            }
            cli.log(failure.message);
        }
        if (attempt < retryAttempts) {
            await sleep(Math.min(60, retryBaseSeconds * 2 ** (attempt - 1)));
        }
    }
    if (!findSecret(await listSecrets(cli), copy.target)) {
        return undefined;
    }
    throw new IbmCloudError(`Ingress secret ${where} still exists after ${retryAttempts} tries to remove it. Fix: ibmcloud ${rmArgs.join(" ")}`);
}

export const albIngressActions = ["domain", "secret-create", "secret-delete"] as const;

/** One action of the AlbIngress command resources, with its settings from the environment. */
export async function albIngressMain(cli: IbmCloud, action: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
    switch (action) {
        case "domain":
            return readDomain(cli);
        case "secret-create":
            return createSecretCopy(cli, readCopySettings(env));
        case "secret-delete":
            return deleteSecretCopy(cli, readCopySettings(env));
        default:
            throw new IbmCloudError(`usage: node components/ibm/scripts/run.ts alb-ingress ${albIngressActions.join("|")} (got ${JSON.stringify(action)})`);
    }
}
