// @ts-check
// What the IKS ALB path needs from IBM Cloud, for the AlbIngress command resources:
//
//   node components/ibm/scripts/alb-ingress.js domain          → {hostname, secretName, secretNamespace}
//   node components/ibm/scripts/alb-ingress.js secret-create   → {name, namespace, crn}
//   node components/ibm/scripts/alb-ingress.js secret-delete
//
// `domain` reads the cluster's Ingress subdomain and its TLS secret. `secret-create` copies that
// IBM-managed certificate into the gateway's namespace by its CRN (`ingress secret create
// --cert-crn`), so IBM keeps renewing the copy; `secret-delete` removes the copy, succeeding when it
// is already gone. The exported functions are the pure part.
"use strict";

const { IbmCloud, IbmCloudError, parseResultLine, readCliSettings, requiredSetting, runMain, sleep } = require("./ibmcloud");

/** The namespace IKS keeps the cluster's default Ingress secret in. */
const defaultIngressSecretNamespace = "default";

/** @typedef {{ hostname: string, secretName: string, secretNamespace: string }} IngressDomain */
/** @typedef {{ name: string, namespace: string, crn: string }} IngressSecret */

/**
 * @param {unknown} value
 * @returns {string}
 */
const text = (value) => (typeof value === "string" ? value.trim() : "");

/**
 * The Ingress subdomain and secret from `ibmcloud ks cluster get --output json`: `.ingress.hostname`
 * and `.ingress.secretName`, or the older top-level `ingressHostname` / `ingressSecretName`.
 * @param {unknown} cluster parsed JSON
 * @param {string} [clusterName] for the error message
 * @returns {IngressDomain}
 */
function parseIngressDomain(cluster, clusterName = "the cluster") {
    const details = typeof cluster === "object" && cluster !== null ? /** @type {Record<string, unknown>} */ (cluster) : {};
    const ingress = typeof details.ingress === "object" && details.ingress !== null
        ? /** @type {Record<string, unknown>} */ (details.ingress) : {};
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

/**
 * The CRN of an Ingress secret (`ibmcloud ks ingress secret get --output json`, field `crn`).
 * @param {unknown} secret parsed JSON
 * @returns {string}
 */
function parseSecretCrn(secret) {
    const crn = typeof secret === "object" && secret !== null ? text(/** @type {{ crn?: unknown }} */ (secret).crn) : "";
    if (!crn.startsWith("crn:")) {
        throw new IbmCloudError(`ibmcloud ks ingress secret get printed no certificate CRN (got ${JSON.stringify(secret).slice(0, 160)})`, { transient: true });
    }
    return crn;
}

/**
 * The Ingress secrets of a cluster (`ibmcloud ks ingress secret ls --output json`).
 * @param {unknown} listed parsed JSON
 * @returns {IngressSecret[]}
 */
function parseSecretList(listed) {
    if (listed === null || listed === undefined) {
        return [];
    }
    if (!Array.isArray(listed)) {
        throw new IbmCloudError(`ingress secret ls did not print a list (got ${JSON.stringify(listed).slice(0, 120)})`, { transient: true });
    }
    return listed.flatMap((item) => {
        if (typeof item !== "object" || item === null) {
            return [];
        }
        const secret = /** @type {Record<string, unknown>} */ (item);
        return text(secret.name) ? [{ name: text(secret.name), namespace: text(secret.namespace), crn: text(secret.crn) }] : [];
    });
}

/**
 * @param {readonly IngressSecret[]} secrets
 * @param {{ name: string, namespace: string }} wanted
 * @returns {IngressSecret | undefined}
 */
function findSecret(secrets, wanted) {
    return secrets.find((secret) => secret.name === wanted.name && secret.namespace === wanted.namespace);
}

/**
 * @param {string | undefined} stdout
 * @returns {IngressDomain}
 */
const parseDomainResult = (stdout) => parseResultLine(stdout, /** @type {const} */ (["hostname", "secretName", "secretNamespace"]), "alb-ingress domain");

/**
 * @param {string | undefined} stdout
 * @returns {IngressSecret}
 */
const parseSecretResult = (stdout) => parseResultLine(stdout, /** @type {const} */ (["name", "namespace", "crn"]), "alb-ingress secret-create");

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ source: { name: string, namespace: string }, target: { name: string, namespace: string } }}
 */
function readCopySettings(env) {
    return {
        source: { name: requiredSetting(env, "ALB_SOURCE_SECRET"), namespace: env.ALB_SOURCE_NAMESPACE?.trim() || defaultIngressSecretNamespace },
        target: { name: requiredSetting(env, "ALB_TARGET_SECRET"), namespace: requiredSetting(env, "ALB_TARGET_NAMESPACE") },
    };
}

/**
 * @param {IbmCloud} cli
 * @returns {Promise<IngressSecret[]>}
 */
async function listSecrets(cli) {
    const args = ["ks", "ingress", "secret", "ls", "--cluster", cli.settings.cluster, "--output", "json"];
    return parseSecretList(await cli.retry("ibmcloud ks ingress secret ls", () => cli.json(args)));
}

/**
 * @param {IbmCloud} cli
 * @returns {Promise<string>}
 */
async function readDomain(cli) {
    const cluster = await cli.ensureReady();
    return JSON.stringify(parseIngressDomain(cluster, `IKS cluster ${cli.settings.cluster}`));
}

/**
 * @param {IbmCloud} cli
 * @param {ReturnType<typeof readCopySettings>} copy
 * @returns {Promise<string>}
 */
async function createSecretCopy(cli, copy) {
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
            const result = await cli.run(createArgs);
            if (!findSecret(await listSecrets(cli), copy.target)) {
                throw new IbmCloudError(cli.describeFailure(createArgs, result), { transient: true });
            }
        });
    }
    /** @type {IngressSecret} */
    const result = { name: copy.target.name, namespace: copy.target.namespace, crn };
    return JSON.stringify(result);
}

/**
 * @param {IbmCloud} cli
 * @param {ReturnType<typeof readCopySettings>} copy
 * @returns {Promise<undefined>}
 */
async function deleteSecretCopy(cli, copy) {
    const { cluster, retryAttempts, retryBaseSeconds } = cli.settings;
    await cli.ensureReady();
    const where = `${copy.target.namespace}/${copy.target.name}`;
    const rmArgs = ["ks", "ingress", "secret", "rm", "--cluster", cluster, "--name", copy.target.name, "--namespace", copy.target.namespace];
    for (let attempt = 1; attempt <= retryAttempts; attempt++) {
        if (!findSecret(await listSecrets(cli), copy.target)) {
            cli.log(attempt === 1 ? `Ingress secret ${where} does not exist; nothing to remove` : `removed Ingress secret ${where}`);
            return undefined;
        }
        const result = await cli.run(rmArgs);
        if (result.code !== 0) {
            cli.log(cli.describeFailure(rmArgs, result));
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

/** @param {string | undefined} action */
async function main(action) {
    const cli = new IbmCloud(readCliSettings(process.env));
    switch (action) {
        case "domain":
            return readDomain(cli);
        case "secret-create":
            return createSecretCopy(cli, readCopySettings(process.env));
        case "secret-delete":
            return deleteSecretCopy(cli, readCopySettings(process.env));
        default:
            throw new IbmCloudError(`usage: node components/ibm/scripts/alb-ingress.js domain|secret-create|secret-delete (got ${JSON.stringify(action)})`);
    }
}

if (require.main === module) {
    runMain(() => main(process.argv[2]), [process.env.IBMCLOUD_API_KEY]);
}

module.exports = {
    defaultIngressSecretNamespace,
    findSecret,
    parseDomainResult,
    parseIngressDomain,
    parseSecretCrn,
    parseSecretList,
    parseSecretResult,
    readCopySettings,
};
