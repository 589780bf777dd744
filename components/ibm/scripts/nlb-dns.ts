// Registers the ingress gateway's load balancer under an IKS NLB subdomain (create or adopt), waits
// for IBM to issue the subdomain's certificate, and prints one JSON line {subdomain, secretName,
// secretNamespace}; `delete` removes the registration again. Run by the NlbDns command resource:
//
//   node components/ibm/scripts/run.ts nlb-dns create|delete
//
// The exported functions are the pure part (parsing both `nlb-dns ls` shapes, matching, arguments),
// which the TypeScript side and the tests use directly.
import * as net from "node:net";
import { IbmCloud, IbmCloudError, numberSetting, parseResultLine, requiredSetting, sleep } from "./ibmcloud.ts";

/** One NLB subdomain as `ibmcloud ks nlb-dns ls --output json` lists it, in either infrastructure's shape. */
export interface NlbRegistration {
    /** which JSON layout it came from */
    shape: "classic" | "vpc";
    subdomain: string;
    ips: string[];
    /** VPC load balancers only */
    lbHostname: string | undefined;
    /** the certificate Secret IBM creates in secretNamespace */
    secretName: string;
    /** `created` once the certificate is issued */
    secretStatus: string;
    secretNamespace: string;
}

export type LoadBalancerAddress = { ip: string } | { hostname: string };

export interface NlbResult {
    subdomain: string;
    secretName: string;
    secretNamespace: string;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

const strings = (value: unknown): string[] =>
    (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item !== "") : []);

/**
 * Normalises `nlb-dns ls --output json`. Classic lists flat objects (nlbHost, nlbIPArray,
 * nlbSslSecretName, nlbSslSecretStatus); VPC wraps the subdomain in `Nlb` and puts the secret beside
 * it (secretName, secretStatus). Both may appear in one list; an empty list may be `null`.
 */
export function parseNlbList(listed: unknown): NlbRegistration[] {
    if (listed === null || listed === undefined) {
        return [];
    }
    if (!Array.isArray(listed)) {
        throw new IbmCloudError(`nlb-dns ls did not print a list (got ${JSON.stringify(listed).slice(0, 120)})`, { transient: true });
    }
    return listed.flatMap((item: unknown): NlbRegistration[] => {
        if (typeof item !== "object" || item === null) {
            return [];
        }
        const entry = item as Record<string, unknown>;
        if (typeof entry.Nlb === "object" && entry.Nlb !== null) {
            const nlb = entry.Nlb as Record<string, unknown>;
            return [{
                shape: "vpc",
                subdomain: text(nlb.nlbSubdomain),
                ips: strings(nlb.nlbIPArray),
                lbHostname: text(nlb.lbHostname) || undefined,
                secretName: text(entry.secretName),
                secretStatus: text(entry.secretStatus),
                secretNamespace: text(nlb.secretNamespace),
            }];
        }
        const ips = strings(entry.nlbIPArray);
        if (ips.length === 0 && text(entry.nlbIP)) {
            ips.push(...text(entry.nlbIP).split(",").map((ip) => ip.trim()).filter((ip) => ip !== ""));
        }
        return [{
            shape: "classic",
            subdomain: text(entry.nlbHost),
            ips,
            lbHostname: undefined,
            secretName: text(entry.nlbSslSecretName),
            secretStatus: text(entry.nlbSslSecretStatus),
            secretNamespace: text(entry.secretNamespace),
        }];
    }).filter((registration) => registration.subdomain !== "");
}

/** An IP (classic, VPC NLB) or a hostname (VPC application load balancer), as the Service reports it. */
export function parseAddress(value: string): LoadBalancerAddress {
    const trimmed = value.trim();
    if (trimmed === "") {
        throw new IbmCloudError("the load balancer address is empty");
    }
    return net.isIP(trimmed) ? { ip: trimmed } : { hostname: trimmed.toLowerCase() };
}

/**
 * The registration of our load balancer: the one listing our IP, or our LB hostname. Other
 * subdomains (other load balancers of the cluster) never match. When several do, the one we created
 * before (`preferredSubdomain`, from the previous run's output) wins.
 */
export function findRegistration(registrations: readonly NlbRegistration[], address: LoadBalancerAddress,
    preferredSubdomain?: string): NlbRegistration | undefined {
    const matches = registrations.filter((registration) => ("ip" in address
        ? registration.ips.includes(address.ip)
        : (registration.lbHostname ?? "").toLowerCase() === address.hostname));
    return matches.find((registration) => registration.subdomain === preferredSubdomain) ?? matches[0];
}

export function certificateReady(registration: NlbRegistration): boolean {
    return registration.secretStatus.toLowerCase() === "created" && registration.secretName !== "";
}

export function listArgs(cluster: string): string[] {
    return ["ks", "nlb-dns", "ls", "--cluster", cluster, "--output", "json"];
}

export function createArgs({ infrastructure, cluster, address, secretNamespace }:
    { infrastructure: "classic" | "vpc"; cluster: string; address: LoadBalancerAddress; secretNamespace: string }): string[] {
    if (infrastructure === "classic") {
        if (!("ip" in address)) {
            throw new IbmCloudError(`classic load balancers have an IP, but the gateway Service reports hostname ${address.hostname}; ` +
                "is iks.infrastructure right? Fix: pulumi config set --path iks.infrastructure vpc");
        }
        return ["ks", "nlb-dns", "create", "classic", "--cluster", cluster, "--ip", address.ip, "--secret-namespace", secretNamespace];
    }
    const target = "ip" in address ? ["--ip", address.ip] : ["--lb-host", address.hostname];
    return ["ks", "nlb-dns", "create", "vpc-gen2", "--cluster", cluster, ...target, "--secret-namespace", secretNamespace];
}

/** Classic removes one IP from its subdomain (the subdomain itself stays); VPC removes the subdomain. */
export function removeArgs(registration: NlbRegistration, { cluster, address }: { cluster: string; address: LoadBalancerAddress }): string[] {
    if (registration.shape === "classic") {
        if (!("ip" in address)) {
            throw new IbmCloudError(`cannot remove hostname ${address.hostname} from classic subdomain ${registration.subdomain}`);
        }
        return ["ks", "nlb-dns", "rm", "classic", "--cluster", cluster, "--ip", address.ip, "--nlb-host", registration.subdomain];
    }
    return ["ks", "nlb-dns", "rm", "vpc-gen2", "--cluster", cluster, "--nlb-subdomain", registration.subdomain];
}

/** The one line the create command prints, which the NlbDns component reads back. */
export function formatResult(registration: NlbRegistration): string {
    const result: NlbResult = {
        subdomain: registration.subdomain,
        secretName: registration.secretName,
        secretNamespace: registration.secretNamespace,
    };
    return JSON.stringify(result);
}

/** Reads the create command's output back. */
export function parseResult(stdout: string | undefined): NlbResult {
    return parseResultLine(stdout, ["subdomain", "secretName", "secretNamespace"] as const, "nlb-dns create");
}

export interface NlbSettings {
    infrastructure: "classic" | "vpc";
    address: LoadBalancerAddress;
    secretNamespace: string;
    timeoutSeconds: number;
    pollSeconds: number;
    /** from the stored output of the last create */
    previousSubdomain: string | undefined;
}

export function readNlbSettings(env: NodeJS.ProcessEnv): NlbSettings {
    const infrastructure = requiredSetting(env, "IKS_INFRASTRUCTURE");
    if (infrastructure !== "classic" && infrastructure !== "vpc") {
        throw new IbmCloudError(`IKS_INFRASTRUCTURE must be classic or vpc (got ${JSON.stringify(infrastructure)})`);
    }
    let previousSubdomain: string | undefined;
    try {
        previousSubdomain = env.PULUMI_COMMAND_STDOUT ? parseResult(env.PULUMI_COMMAND_STDOUT).subdomain : undefined;
    } catch {
        previousSubdomain = undefined;
    }
    return {
        infrastructure,
        address: parseAddress(requiredSetting(env, "NLB_ADDRESS")),
        secretNamespace: requiredSetting(env, "NLB_SECRET_NAMESPACE"),
        timeoutSeconds: numberSetting(env, "NLB_DNS_TIMEOUT_SECONDS", 900, { min: 0, max: 7200 }),
        pollSeconds: numberSetting(env, "NLB_DNS_POLL_SECONDS", 20, { min: 0, max: 600 }),
        previousSubdomain,
    };
}

const describeAddress = (nlb: NlbSettings): string => ("ip" in nlb.address ? `IP ${nlb.address.ip}` : `hostname ${nlb.address.hostname}`);

/** Create or adopt, then wait for the certificate; returns the result line. */
async function createRegistration(cli: IbmCloud, nlb: NlbSettings): Promise<string> {
    const { cluster } = cli.settings;
    const started = Date.now();
    const deadline = started + nlb.timeoutSeconds * 1000;
    await cli.ensureReady();
    const list = async () => parseNlbList(await cli.retry("ibmcloud ks nlb-dns ls", () => cli.json(listArgs(cluster))));
    const find = async () => findRegistration(await list(), nlb.address, nlb.previousSubdomain);

    let registration = await find();
    if (registration) {
        cli.log(`adopting NLB subdomain ${registration.subdomain}, which already lists ${describeAddress(nlb)}`);
    } else {
        const args = createArgs({ infrastructure: nlb.infrastructure, cluster, address: nlb.address, secretNamespace: nlb.secretNamespace });
        cli.log(`registering ${describeAddress(nlb)} under a new NLB subdomain of ${cluster}`);
        registration = await cli.retry("ibmcloud ks nlb-dns create", async () => {
            const result = await cli.run(args);
            // The exit status is not documented as reliable: whether it is listed now decides.
            const listed = await find();
            if (!listed && result.code !== 0) {
                throw new IbmCloudError(cli.describeFailure(args, result), { transient: true });
            }
            return listed;
        });
    }

    while (!registration || !certificateReady(registration)) {
        const remaining = (deadline - Date.now()) / 1000;
        if (remaining <= 0) {
            const waited = Math.round((Date.now() - started) / 1000);
            const fix = `Fix: raise iks.dnsTimeoutSeconds (pulumi config set --path iks.dnsTimeoutSeconds 1800) and run pulumi up again; ` +
                `the registration is kept and adopted. Check it with: ibmcloud ks nlb-dns ls --cluster ${cluster}`;
            if (!registration) {
                throw new IbmCloudError(`Timed out after ${waited}s: nlb-dns create ran, but nlb-dns ls never listed a subdomain for ` +
                    `${describeAddress(nlb)}. ${fix}`);
            }
            throw new IbmCloudError(`Timed out after ${waited}s waiting for the TLS certificate of NLB subdomain ${registration.subdomain} ` +
                `(secret ${registration.secretName || "not named yet"}, status ${registration.secretStatus || "unknown"}; IBM issues it ` +
                `asynchronously, usually within minutes). ${fix}`);
        }
        cli.log(registration
            ? `waiting for the certificate of ${registration.subdomain} (status ${registration.secretStatus || "unknown"})`
            : `waiting for nlb-dns ls to list ${describeAddress(nlb)}`);
        await sleep(Math.min(nlb.pollSeconds, remaining));
        registration = await find();
    }
    cli.log(`NLB subdomain ${registration.subdomain} is ready; its certificate is Secret ${registration.secretNamespace}/${registration.secretName}`);
    return formatResult(registration);
}

/** Removes our address from its subdomain; succeeds when it is not registered (any more). */
async function deleteRegistration(cli: IbmCloud, nlb: NlbSettings): Promise<undefined> {
    const { cluster, retryAttempts, retryBaseSeconds } = cli.settings;
    await cli.ensureReady();
    const find = async () => findRegistration(
        parseNlbList(await cli.retry("ibmcloud ks nlb-dns ls", () => cli.json(listArgs(cluster)))), nlb.address, nlb.previousSubdomain);
    for (let attempt = 1; attempt <= retryAttempts; attempt++) {
        const registration = await find();
        if (!registration) {
            cli.log(attempt === 1 ? `${describeAddress(nlb)} is not registered; nothing to remove` : `removed ${describeAddress(nlb)}`);
            return undefined;
        }
        const args = removeArgs(registration, { cluster, address: nlb.address });
        cli.log(`removing ${describeAddress(nlb)} from NLB subdomain ${registration.subdomain}`);
        const result = await cli.run(args);
        if (result.code !== 0) {
            cli.log(cli.describeFailure(args, result));
        }
        if (attempt < retryAttempts) {
            await sleep(Math.min(60, retryBaseSeconds * 2 ** (attempt - 1)));
        }
    }
    const left = await find();
    if (!left) {
        cli.log(`removed ${describeAddress(nlb)}`);
        return undefined;
    }
    throw new IbmCloudError(`NLB subdomain ${left.subdomain} still lists ${describeAddress(nlb)} after ${retryAttempts} tries to remove it. ` +
        `Fix: ibmcloud ${removeArgs(left, { cluster, address: nlb.address }).join(" ")}`);
}

export const nlbDnsActions = ["create", "delete"] as const;

/** One action of the NlbDns command resource, with its settings from the environment. */
export async function nlbDnsMain(cli: IbmCloud, action: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
    const nlb = readNlbSettings(env);
    if (action === "create") {
        return createRegistration(cli, nlb);
    }
    if (action === "delete") {
        return deleteRegistration(cli, nlb);
    }
    throw new IbmCloudError(`usage: node components/ibm/scripts/run.ts nlb-dns ${nlbDnsActions.join("|")} (got ${JSON.stringify(action)})`);
}
