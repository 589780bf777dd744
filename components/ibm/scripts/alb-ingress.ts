// What the IKS ALB path needs from IBM Cloud, for the AlbIngress command resources:
//
//   node components/ibm/scripts/run.ts alb-ingress domain            → {hostname, secretName, secretNamespace}
//   node components/ibm/scripts/run.ts alb-ingress certificate-mode  → {mode, crn}
//   node components/ibm/scripts/run.ts alb-ingress secret-create     → {mode, name, namespace, crn}
//   node components/ibm/scripts/run.ts alb-ingress secret-delete
//
// `domain` reads the cluster's Ingress subdomain and its TLS secret, and first checks that an enabled
// ALB serves the stack's IngressClass (alb-check.ts). `secret-create` gets that IBM-managed
// certificate into the gateway's namespace:
//   - with a default Secrets Manager instance registered to the cluster (`ingress instance ls`), as a
//     copy by CRN (`ingress secret create --cert-crn`), which IBM keeps renewing (mode secrets-manager);
//   - without one there is no CRN to copy by (`ingress secret get` shows none), so the Pulumi program
//     keeps a Kubernetes copy of the default Ingress secret instead, refreshed on every `pulumi up`
//     (mode kubernetes-copy; IBM: "ingress secret create … you must have a default Secrets Manager
//     instance", topic=containers-secrets).
// `certificate-mode` is a read-only probe of the same decision. pulumi-command runs a create only when
// an input changes, so the probe is re-run whenever the source certificate changes (IBM moves a secret
// into Secrets Manager only by regenerating it, or at its renewal), and its mode is one of
// secret-create's triggers: a changed mode replaces the copy, an unchanged one leaves it alone.
// `secret-delete` removes the CRN copy, succeeding when it is already gone (or was never made).
// The exported functions are the pure part.
import { albClassProblem, needsDomainTargets, parseAlbList, parseDomainTargets, parseLoadBalancerBackend } from "./alb-check.ts";
import { skipCleanupHint, skipCloudCleanup } from "./cleanup.ts";
import { IbmCloud, IbmCloudError, backoffSeconds, parseResultLine, readListed, requiredSetting, sleep } from "./ibmcloud.ts";

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

/** IBM's own deploy scripts take the first of a comma-separated `.ingress.hostname` / `.secretName`. */
const first = (value: unknown): string => text(value).split(",").map((part) => part.trim()).find((part) => part !== "") ?? "";

const record = (value: unknown): Record<string, unknown> =>
    (typeof value === "object" && value !== null ? value as Record<string, unknown> : {});

/**
 * The Ingress subdomain and secret from `ibmcloud ks cluster get --output json`: `.ingress.hostname`
 * and `.ingress.secretName`, or the older top-level `ingressHostname` / `ingressSecretName`.
 */
export function parseIngressDomain(cluster: unknown, clusterName = "the cluster"): IngressDomain {
    const details = record(cluster);
    const ingress = record(details.ingress);
    const hostname = first(ingress.hostname) || first(details.ingressHostname);
    const secretName = first(ingress.secretName) || first(details.ingressSecretName);
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
 * The CRN of an Ingress secret (`ibmcloud ks ingress secret get --output json`, field `crn`, bluemix-go
 * containerv2 Secret). Without a default Secrets Manager instance IBM shows `NO_DEFAULT_INSTANCE`
 * there; older secrets show a `cloudcerts` CRN (IBM's Secrets Manager migration steps).
 */
export function parseSecretCrn(secret: unknown): string {
    if (typeof secret !== "object" || secret === null || Array.isArray(secret)) {
        throw new IbmCloudError(`ibmcloud ks ingress secret get printed no secret (got ${JSON.stringify(secret).slice(0, 160)})`, { transient: true });
    }
    return text(record(secret).crn);
}

/** Whether a CRN names a certificate in Secrets Manager, the only kind `ingress secret create --cert-crn` copies and IBM renews. */
export function isSecretsManagerCrn(crn: string): boolean {
    return crn.startsWith("crn:") && crn.includes(":secrets-manager:");
}

/** The Ingress secrets of a cluster (`ibmcloud ks ingress secret ls --output json`). */
export function parseSecretList(listed: unknown): IngressSecret[] {
    return readListed(listed, "ingress secret ls", (item): IngressSecret[] => {
        const secret = record(item);
        return text(secret.name) ? [{ name: text(secret.name), namespace: text(secret.namespace), crn: text(secret.crn) }] : [];
    });
}

export function findSecret(secrets: readonly IngressSecret[], wanted: { name: string; namespace: string }): IngressSecret | undefined {
    return secrets.find((secret) => secret.name === wanted.name && secret.namespace === wanted.namespace);
}

export const parseDomainResult = (stdout: string | undefined): IngressDomain =>
    parseResultLine(stdout, ["hostname", "secretName", "secretNamespace"] as const, "alb-ingress domain");

/** How the ALB gets the Ingress certificate: IBM's CRN copy, or the Pulumi program's Kubernetes copy. */
export type CertificateMode = "secrets-manager" | "kubernetes-copy";

export interface CertificateResult {
    mode: CertificateMode;
    name: string;
    namespace: string;
    /** The certificate's CRN; empty without Secrets Manager. */
    crn: string;
}

export const parseSecretResult = (stdout: string | undefined): CertificateResult => {
    const line = parseResultLine(stdout, ["mode", "name", "namespace"] as const, "alb-ingress secret-create");
    if (line.mode !== "secrets-manager" && line.mode !== "kubernetes-copy") {
        throw new Error(`alb-ingress secret-create printed an unknown mode ${JSON.stringify(line.mode)}`);
    }
    const crn = parseResultLine(stdout, ["mode", "crn"] as const, "alb-ingress secret-create", { optional: true })?.crn ?? "";
    return { mode: line.mode, name: line.name, namespace: line.namespace, crn };
};

/** A Secrets Manager instance as `ibmcloud ks ingress instance ls --output json` lists it (bluemix-go containerv2 Instance). */
export interface SecretsManagerInstance {
    name: string;
    crn: string;
    isDefault: boolean;
}

export function parseInstanceList(listed: unknown): SecretsManagerInstance[] {
    return readListed(listed, "ingress instance ls", (item): SecretsManagerInstance[] => {
        const instance = record(item);
        return text(instance.name) || text(instance.crn)
            ? [{ name: text(instance.name), crn: text(instance.crn), isDefault: instance.isDefault === true }]
            : [];
    });
}

export interface CopySettings {
    source: { name: string; namespace: string };
    target: { name: string; namespace: string };
    /** The Kubernetes copy the Pulumi program keeps, served when there is no Secrets Manager. */
    kubernetesCopy: string;
}

/** The cluster's Ingress secret (ALB_SOURCE_SECRET, ALB_SOURCE_NAMESPACE). */
export function readSourceSettings(env: NodeJS.ProcessEnv): { name: string; namespace: string } {
    return { name: requiredSetting(env, "ALB_SOURCE_SECRET"), namespace: env.ALB_SOURCE_NAMESPACE?.trim() || defaultIngressSecretNamespace };
}

export function readCopySettings(env: NodeJS.ProcessEnv): CopySettings {
    return {
        source: readSourceSettings(env),
        target: { name: requiredSetting(env, "ALB_TARGET_SECRET"), namespace: requiredSetting(env, "ALB_TARGET_NAMESPACE") },
        kubernetesCopy: env.ALB_KUBERNETES_COPY_SECRET?.trim() || "",
    };
}

export async function listSecrets(cli: IbmCloud): Promise<IngressSecret[]> {
    const args = ["ks", "ingress", "secret", "ls", "--cluster", cli.settings.cluster, "--output", "json"];
    return parseSecretList(await cli.retry("ibmcloud ks ingress secret ls", () => cli.json(args)));
}

/** Refuses an IngressClass that no enabled ALB serves, with IBM's fix (ALB_INGRESS_CLASS and IKS_INFRASTRUCTURE set it). */
async function checkAlbServesClass(cli: IbmCloud, env: NodeJS.ProcessEnv, ingressDomain: string): Promise<void> {
    const ingressClass = env.ALB_INGRESS_CLASS?.trim();
    const infrastructure = env.IKS_INFRASTRUCTURE?.trim();
    if (!ingressClass || (infrastructure !== "classic" && infrastructure !== "vpc")) {
        return;
    }
    const { cluster } = cli.settings;
    const albs = parseAlbList(await cli.retry("ibmcloud ks ingress alb ls", () =>
        cli.json(["ks", "ingress", "alb", "ls", "--cluster", cluster, "--output", "json"])));
    let backend: "traefik" | "nginx" | undefined;
    if (infrastructure === "vpc") {
        const config = await cli.retry("ibmcloud ks ingress load-balancer get", () =>
            cli.json(["ks", "ingress", "load-balancer", "get", "--cluster", cluster, "--output", "json"]));
        backend = parseLoadBalancerBackend(config, ingressClass.startsWith("private-") ? "private" : "public");
        if (!backend) {
            cli.log(`ingress load-balancer get does not say which ALBs the load balancer forwards to; assuming ${ingressClass}'s`);
        }
    }
    let domain: { name: string; targets: string[] } | undefined;
    if (needsDomainTargets({ infrastructure, ingressClass, albs })) {
        domain = { name: ingressDomain, targets: await readDomainTargets(cli, ingressDomain) };
    }
    const problem = albClassProblem({ cluster, infrastructure, ingressClass, albs, ...(backend ? { backend } : {}), ...(domain ? { domain } : {}) });
    if (problem) {
        throw new IbmCloudError(problem);
    }
}

/**
 * The IPs the Ingress domain points at (`ingress domain get`), or none when that cannot be read: the
 * check then falls back to what IBM does without a domain update. A denial still stops the run.
 */
async function readDomainTargets(cli: IbmCloud, domain: string): Promise<string[]> {
    const args = ["ks", "ingress", "domain", "get", "--cluster", cli.settings.cluster, "--domain", domain, "--output", "json"];
    try {
        const targets = parseDomainTargets(await cli.retry("ibmcloud ks ingress domain get", () => cli.json(args)));
        cli.log(`Ingress domain ${domain} points at ${targets.join(", ") || "no IP address"}`);
        return targets;
    } catch (error) {
        if (error instanceof IbmCloudError && error.permission) {
            throw error;
        }
        cli.log(`could not read where Ingress domain ${domain} points (${error instanceof Error ? error.message : String(error)})`);
        return [];
    }
}

async function readDomain(cli: IbmCloud, env: NodeJS.ProcessEnv): Promise<string> {
    const cluster = await cli.ensureReady();
    const domain = parseIngressDomain(cluster, `IKS cluster ${cli.settings.cluster}`);
    await checkAlbServesClass(cli, env, domain.hostname);
    return JSON.stringify(domain);
}

/** Where the Ingress certificate can come from: IBM's CRN copy (with its CRN), or only the Kubernetes copy, and why. */
export type CertificateSource = { mode: "secrets-manager"; crn: string } | { mode: "kubernetes-copy"; why: string };

/**
 * Decides the mode from IBM's answers: a default Secrets Manager instance (`ingress instance ls`) and a
 * source secret whose CRN names Secrets Manager (`ingress secret get`). Without a default instance no
 * `ingress secret` call is made (those need Administrator; an Editor-only key still deploys).
 */
export async function certificateSource(cli: IbmCloud, source: { name: string; namespace: string }): Promise<CertificateSource> {
    const { cluster } = cli.settings;
    const instances = parseInstanceList(await cli.retry("ibmcloud ks ingress instance ls", () =>
        cli.json(["ks", "ingress", "instance", "ls", "--cluster", cluster, "--output", "json"])));
    const defaultInstance = instances.find((instance) => instance.isDefault);
    if (!defaultInstance) {
        return { mode: "kubernetes-copy", why: `cluster ${cluster} has no default Secrets Manager instance` };
    }
    const where = `${source.namespace}/${source.name}`;
    const getArgs = ["ks", "ingress", "secret", "get", "--cluster", cluster, "--name", source.name,
        "--namespace", source.namespace, "--output", "json"];
    const crn = await cli.retry(`reading Ingress secret ${where}`, async () => parseSecretCrn(await cli.json(getArgs)));
    if (!isSecretsManagerCrn(crn)) {
        return {
            mode: "kubernetes-copy",
            why: `Ingress secret ${where} is not in Secrets Manager yet (CRN ${crn || "none"}), although ` +
                `${defaultInstance.name || defaultInstance.crn} is the cluster's default instance: IBM moves it there when it is regenerated ` +
                `(ibmcloud ks nlb-dns secret regenerate --cluster ${cluster} --nlb-subdomain <Ingress subdomain>; at most 5 a day) ` +
                "or at its next renewal; the certificate then changes, which makes the next pulumi up probe the mode again and switch to IBM's renewed copy",
        };
    }
    return { mode: "secrets-manager", crn };
}

/** The mode as the probe reports it, for the copy command's triggers: `{mode, crn}`. */
export interface ProbedMode {
    mode: CertificateMode;
    crn: string;
}

export const parseProbedMode = (stdout: string | undefined): ProbedMode => {
    const line = parseResultLine(stdout, ["mode"] as const, "alb-ingress certificate-mode");
    if (line.mode !== "secrets-manager" && line.mode !== "kubernetes-copy") {
        throw new Error(`alb-ingress certificate-mode printed an unknown mode ${JSON.stringify(line.mode)}`);
    }
    const crn = parseResultLine(stdout, ["mode", "crn"] as const, "alb-ingress certificate-mode", { optional: true })?.crn ?? "";
    return { mode: line.mode, crn };
};

/** The read-only probe: which mode secret-create would choose now. */
async function probeCertificateMode(cli: IbmCloud, source: { name: string; namespace: string }): Promise<string> {
    await cli.ensureReady();
    const found = await certificateSource(cli, source);
    cli.log(found.mode === "secrets-manager"
        ? `Ingress secret ${source.namespace}/${source.name} is in Secrets Manager (${found.crn})`
        : `${found.why}: the ALB serves the stack's Kubernetes copy`);
    const result: ProbedMode = { mode: found.mode, crn: found.mode === "secrets-manager" ? found.crn : "" };
    return JSON.stringify(result);
}

async function createSecretCopy(cli: IbmCloud, copy: CopySettings): Promise<string> {
    const { cluster } = cli.settings;
    await cli.ensureReady();
    const source = `${copy.source.namespace}/${copy.source.name}`;
    const found = await certificateSource(cli, copy.source);
    if (found.mode === "kubernetes-copy") {
        if (!copy.kubernetesCopy) {
            throw new IbmCloudError(`${found.why}, so its Ingress certificate has no Secrets Manager CRN to copy by. ` +
                `Fix: ibmcloud ks ingress instance register --cluster ${cluster} --crn <Secrets Manager CRN> --is-default, then ` +
                `ibmcloud ks nlb-dns secret regenerate --cluster ${cluster} --nlb-subdomain <Ingress subdomain>, and run pulumi up again`);
        }
        cli.log(`${found.why}: the ALB serves a Kubernetes copy (${copy.target.namespace}/${copy.kubernetesCopy}) of ${source}, ` +
            "refreshed on every pulumi up");
        const result: CertificateResult = { mode: "kubernetes-copy", name: copy.kubernetesCopy, namespace: copy.target.namespace, crn: "" };
        return JSON.stringify(result);
    }
    const { crn } = found;
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
    const result: CertificateResult = { mode: "secrets-manager", name: copy.target.name, namespace: copy.target.namespace, crn };
    return JSON.stringify(result);
}

/** The mode the last secret-create chose (its result line, in PULUMI_COMMAND_STDOUT), when there is one. */
function previousMode(env: NodeJS.ProcessEnv): CertificateMode | undefined {
    try {
        return env.PULUMI_COMMAND_STDOUT ? parseSecretResult(env.PULUMI_COMMAND_STDOUT).mode : undefined;
    } catch {
        return undefined;
    }
}

async function deleteSecretCopy(cli: IbmCloud, copy: CopySettings, env: NodeJS.ProcessEnv): Promise<undefined> {
    const { cluster, retryAttempts, retryBaseSeconds } = cli.settings;
    const where = `${copy.target.namespace}/${copy.target.name}`;
    const rmArgs = ["ks", "ingress", "secret", "rm", "--cluster", cluster, "--name", copy.target.name, "--namespace", copy.target.namespace];
    if (previousMode(env) === "kubernetes-copy") {
        // The Kubernetes copy is a resource of its own, deleted by Pulumi; IBM holds nothing of ours.
        cli.log(`the ALB served this stack's Kubernetes copy of the Ingress certificate; no Ingress secret ${where} was made at IBM`);
        return undefined;
    }
    if (skipCloudCleanup(env)) {
        cli.log(`iks.skipCloudCleanup: not touching IBM Cloud. Left behind if the cluster still exists: Ingress secret ${where} ` +
            `(a copy by CRN). Remove it with: ibmcloud ${rmArgs.join(" ")}`);
        return undefined;
    }
    await cli.ensureReady();
    for (let attempt = 1; attempt <= retryAttempts; attempt++) {
        if (!findSecret(await listSecrets(cli), copy.target)) {
            cli.log(attempt === 1 ? `Ingress secret ${where} does not exist; nothing to remove` : `removed Ingress secret ${where}`);
            return undefined;
        }
        await cli.callCheckedLater(rmArgs);
        if (attempt < retryAttempts) {
            await sleep(backoffSeconds(attempt, retryBaseSeconds));
        }
    }
    if (!findSecret(await listSecrets(cli), copy.target)) {
        return undefined;
    }
    throw new IbmCloudError(`Ingress secret ${where} still exists after ${retryAttempts} tries to remove it. Fix: ibmcloud ${rmArgs.join(" ")}`);
}

export const albIngressActions = ["domain", "certificate-mode", "secret-create", "secret-delete"] as const;

/** One action of the AlbIngress command resources, with its settings from the environment. */
export async function albIngressMain(cli: IbmCloud, action: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
    switch (action) {
        case "domain":
            return readDomain(cli, env);
        case "certificate-mode":
            return probeCertificateMode(cli, readSourceSettings(env));
        case "secret-create":
            return createSecretCopy(cli, readCopySettings(env));
        case "secret-delete":
            try {
                return await deleteSecretCopy(cli, readCopySettings(env), env);
            } catch (error) {
                throw new IbmCloudError(`${error instanceof Error ? error.message : String(error)}. ${skipCleanupHint}`,
                    { permission: error instanceof IbmCloudError && error.permission });
            }
        default:
            throw new IbmCloudError(`usage: node components/ibm/scripts/run.ts alb-ingress ${albIngressActions.join("|")} (got ${JSON.stringify(action)})`);
    }
}
