// Registers the ingress gateway's load balancer under an IKS NLB subdomain, waits for IBM to issue
// the subdomain's certificate, and prints one JSON line {subdomain, secretName, secretNamespace,
// address}; `delete` takes the registration down again. Run by the NlbDns command resource:
//
//   node components/ibm/scripts/run.ts nlb-dns create|delete
//
// `create` also runs on update (a new load balancer address), with the previous result line in
// PULUMI_COMMAND_STDOUT. In order, it:
//   1. adopts a subdomain that already lists our address (refusing one whose certificate is outside
//      the gateway's namespace: the gateway can read Secrets only there);
//   2. else reuses the subdomain this stack recorded (the previous result line, in the state):
//      classic `nlb-dns add --nlb-host`, VPC `nlb-dns replace`. Never any other empty subdomain: it
//      may belong to another stack, to a set-up made by hand, or have a certificate IBM stopped;
//   3. else creates a new one (on VPC retried for minutes: a new load balancer is not usable at once).
// Then it waits for the certificate by its status (IBM, "Registering a DNS subdomain", and the
// Secrets Manager migration steps): `created` is done; `creating`/`regenerating` (and the older
// `pending`) wait; `deleted` (what `nlb-dns secret rm` leaves) is regenerated once with `nlb-dns
// secret regenerate` (IBM: at most 5 times a day, Let's Encrypt's limit); `rate_limited` stops at once
// with IBM's explanation, since waiting minutes cannot help.
// `delete` removes our address (classic `rm` drops one IP; VPC `rm vpc-gen2` only detaches the
// hostname; in both the subdomain itself stays: no command deletes one) and then stops the now
// unused subdomain's certificate with `nlb-dns secret rm -f` (without -f the CLI prompts, and with
// no input fails "Could not read from input: EOF").
//
// The exported functions are the pure part (parsing both `nlb-dns ls` shapes, matching, arguments),
// which the TypeScript side and the tests use directly.
import * as net from "node:net";
import { skipCleanupHint, skipCloudCleanup } from "./cleanup.ts";
import { IbmCloud, IbmCloudError, backoffSeconds, numberSetting, parseResultLine, readListed, requiredSetting, sleep } from "./ibmcloud.ts";

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
    /** `created` once the certificate is issued; see certificateState */
    secretStatus: string;
    secretNamespace: string;
}

export type LoadBalancerAddress = { ip: string } | { hostname: string };

export interface NlbResult {
    subdomain: string;
    secretName: string;
    secretNamespace: string;
    /** The address registered; absent in results of older versions. */
    address?: string;
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
    return readListed(listed, "nlb-dns ls", (item): NlbRegistration[] => {
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
            ips.push(...parseIpList(text(entry.nlbIP)));
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

/**
 * Classic `nlbIP` is a JSON-encoded list (`"[\"169.1.1.1\"]"`), or in older answers a comma-separated
 * string; either way, the IPs in it.
 */
export function parseIpList(value: string): string[] {
    const trimmed = value.trim();
    if (trimmed.startsWith("[")) {
        try {
            return strings(JSON.parse(trimmed)).map((ip) => ip.trim());
        } catch {
            // not JSON after all: read it as a list of words below
        }
    }
    return trimmed.replace(/[[\]"]/g, "").split(",").map((ip) => ip.trim()).filter((ip) => ip !== "");
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

/**
 * What the certificate's status means for us. IBM lists `created`, `creating` and `regenerating`
 * ("wait", it can take hours), `rate_limited` (Let's Encrypt's limit: 7 days, cannot be lifted) and
 * `deleted` (after `nlb-dns secret rm`: never renewed again until regenerated). Anything else, and an
 * empty status on a registration IBM has only just made, is waited on.
 */
export type CertificateState = "ready" | "issuing" | "rate-limited" | "deleted";

export function certificateState(registration: NlbRegistration): CertificateState {
    const status = registration.secretStatus.trim().toLowerCase();
    if (status === "created") {
        return registration.secretName !== "" ? "ready" : "issuing";
    }
    if (status === "rate_limited") {
        return "rate-limited";
    }
    if (status === "deleted") {
        return "deleted";
    }
    return "issuing";
}

export function certificateReady(registration: NlbRegistration): boolean {
    return certificateState(registration) === "ready";
}

/** Whether no load balancer is registered under the subdomain any more (what `rm` leaves behind). */
export function isEmpty(registration: NlbRegistration): boolean {
    return registration.ips.length === 0 && !registration.lbHostname;
}

/**
 * The subdomain to register the address under instead of minting a new one: only the one this stack
 * recorded (its previous result line, whatever it lists: a new address replaces the old), when its
 * certificate is in the gateway's namespace. An empty subdomain is not evidence of ownership: other
 * stacks, registrations made by hand and the stack's own destroyed past all leave empty ones, the
 * last with a certificate IBM no longer renews.
 */
export function findReusable(registrations: readonly NlbRegistration[], nlb: { secretNamespace: string; address: LoadBalancerAddress },
    previousSubdomain?: string): NlbRegistration | undefined {
    if (!previousSubdomain) {
        return undefined;
    }
    return registrations.find((registration) => registration.subdomain === previousSubdomain
        && registration.secretNamespace === nlb.secretNamespace
        && (registration.shape === "classic" ? "ip" in nlb.address : "hostname" in nlb.address));
}

/** Registers the address under an existing subdomain: classic adds the IP, VPC points the subdomain at the hostname. */
export function attachArgs(registration: NlbRegistration, { cluster, address }: { cluster: string; address: LoadBalancerAddress }): string[] {
    if ("ip" in address) {
        return ["ks", "nlb-dns", "add", "--cluster", cluster, "--ip", address.ip, "--nlb-host", registration.subdomain];
    }
    return ["ks", "nlb-dns", "replace", "--cluster", cluster, "--lb-host", address.hostname, "--nlb-subdomain", registration.subdomain];
}

/**
 * Stops the certificate of a subdomain this stack no longer uses (IBM would otherwise renew it
 * forever). `-f`: "Force the command to run with no user prompts" (IBM's CLI reference); without it
 * the CLI asks for a confirmation and, with no input, fails.
 */
export function secretRemoveArgs(registration: NlbRegistration, cluster: string): string[] {
    return ["ks", "nlb-dns", "secret", "rm", "--cluster", cluster, "--nlb-subdomain", registration.subdomain, "-f"];
}

/** Asks IBM for a new certificate for a subdomain whose certificate was deleted (IBM: at most 5 times a day). */
export function secretRegenerateArgs(registration: NlbRegistration, cluster: string): string[] {
    return ["ks", "nlb-dns", "secret", "regenerate", "--cluster", cluster, "--nlb-subdomain", registration.subdomain];
}

export function listArgs(cluster: string): string[] {
    return ["ks", "nlb-dns", "ls", "--cluster", cluster, "--output", "json"];
}

export function createArgs({ infrastructure, cluster, address, secretNamespace, visibility = "public" }:
    { infrastructure: "classic" | "vpc"; cluster: string; address: LoadBalancerAddress; secretNamespace: string; visibility?: "public" | "private" }): string[] {
    if (infrastructure === "classic") {
        if (!("ip" in address)) {
            throw new IbmCloudError(`classic load balancers have an IP, but the gateway Service reports hostname ${address.hostname}; ` +
                "is iks.infrastructure right? Fix: pulumi config set --path iks.infrastructure vpc");
        }
        // `--type public`: the CLI reference's synopsis names it, and public is the only type classic subdomains have.
        return ["ks", "nlb-dns", "create", "classic", "--cluster", cluster, "--ip", address.ip, "--secret-namespace", secretNamespace, "--type", "public"];
    }
    const target = "ip" in address ? ["--ip", address.ip] : ["--lb-host", address.hostname];
    // The subdomain's type matches the load balancer's (iks.loadBalancer.visibility).
    return ["ks", "nlb-dns", "create", "vpc-gen2", "--cluster", cluster, ...target, "--secret-namespace", secretNamespace, "--type", visibility];
}

/** Classic removes one IP from its subdomain; VPC detaches the hostname. The subdomain stays in both. */
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
export function formatResult(registration: NlbRegistration, address: LoadBalancerAddress): string {
    const result: NlbResult = {
        subdomain: registration.subdomain,
        secretName: registration.secretName,
        secretNamespace: registration.secretNamespace,
        address: "ip" in address ? address.ip : address.hostname,
    };
    return JSON.stringify(result);
}

/** Reads the create command's output back. */
export function parseResult(stdout: string | undefined): NlbResult {
    const result: NlbResult = parseResultLine(stdout, ["subdomain", "secretName", "secretNamespace"] as const, "nlb-dns create");
    const address = parseResultLine(stdout, ["subdomain", "address"] as const, "nlb-dns create", { optional: true })?.address;
    return address ? { ...result, address } : result;
}

export interface NlbSettings {
    infrastructure: "classic" | "vpc";
    address: LoadBalancerAddress;
    secretNamespace: string;
    /** `--type` of a new VPC subdomain */
    visibility: "public" | "private";
    timeoutSeconds: number;
    pollSeconds: number;
    /** from the stored output of the last create */
    previousSubdomain: string | undefined;
    previousAddress: string | undefined;
}

export function readNlbSettings(env: NodeJS.ProcessEnv): NlbSettings {
    const infrastructure = requiredSetting(env, "IKS_INFRASTRUCTURE");
    if (infrastructure !== "classic" && infrastructure !== "vpc") {
        throw new IbmCloudError(`IKS_INFRASTRUCTURE must be classic or vpc (got ${JSON.stringify(infrastructure)})`);
    }
    let previous: NlbResult | undefined;
    try {
        previous = env.PULUMI_COMMAND_STDOUT ? parseResult(env.PULUMI_COMMAND_STDOUT) : undefined;
    } catch {
        previous = undefined;
    }
    const visibility = env.NLB_TYPE?.trim() || "public";
    if (visibility !== "public" && visibility !== "private") {
        throw new IbmCloudError(`NLB_TYPE must be public or private (got ${JSON.stringify(visibility)})`);
    }
    return {
        infrastructure,
        address: parseAddress(requiredSetting(env, "NLB_ADDRESS")),
        secretNamespace: requiredSetting(env, "NLB_SECRET_NAMESPACE"),
        visibility,
        timeoutSeconds: numberSetting(env, "NLB_DNS_TIMEOUT_SECONDS", 900, { min: 0, max: 7200 }),
        pollSeconds: numberSetting(env, "NLB_DNS_POLL_SECONDS", 20, { min: 0, max: 600 }),
        previousSubdomain: previous?.subdomain,
        previousAddress: previous?.address,
    };
}

const describeAddress = (nlb: NlbSettings): string => ("ip" in nlb.address ? `IP ${nlb.address.ip}` : `hostname ${nlb.address.hostname}`);

/** The fix for a registration whose certificate the gateway cannot read: take our address off it, then run again. */
function foreignNamespaceError(cli: IbmCloud, nlb: NlbSettings, registration: NlbRegistration): IbmCloudError {
    return new IbmCloudError(`NLB subdomain ${registration.subdomain} already lists ${describeAddress(nlb)}, but its certificate ` +
        `Secret ${registration.secretName || "(none yet)"} is in namespace ${registration.secretNamespace || "default"}, and the gateway ` +
        `in ${nlb.secretNamespace} can read Secrets only in its own namespace (a registration made by hand without --secret-namespace ` +
        `keeps its certificate in default). Fix: ibmcloud ${removeArgs(registration, { cluster: cli.settings.cluster, address: nlb.address }).join(" ")}, ` +
        `then pulumi up registers the address anew with --secret-namespace ${nlb.secretNamespace}`);
}

/** Adopt, reuse or create the registration, then wait for the certificate; returns the result line. */
async function createRegistration(cli: IbmCloud, nlb: NlbSettings): Promise<string> {
    const { cluster } = cli.settings;
    const started = Date.now();
    const deadline = started + nlb.timeoutSeconds * 1000;
    await cli.ensureReady();
    const list = async () => parseNlbList(await cli.retry("ibmcloud ks nlb-dns ls", () => cli.json(listArgs(cluster))));
    const find = async () => findRegistration(await list(), nlb.address, nlb.previousSubdomain);

    const listed = await list();
    let registration = findRegistration(listed, nlb.address, nlb.previousSubdomain);
    const reusable = registration ? undefined : findReusable(listed, nlb, nlb.previousSubdomain);
    if (registration) {
        if (registration.secretNamespace !== nlb.secretNamespace) {
            throw foreignNamespaceError(cli, nlb, registration);
        }
        cli.log(`adopting NLB subdomain ${registration.subdomain}, which already lists ${describeAddress(nlb)}`);
    } else if (reusable) {
        const args = attachArgs(reusable, { cluster, address: nlb.address });
        cli.log(`registering ${describeAddress(nlb)} under this stack's NLB subdomain ${reusable.subdomain} instead of a new one`);
        registration = await cli.retry(`ibmcloud ${args.slice(0, 3).join(" ")}`, async () => {
            const result = await cli.call(args);
            const attached = await find();
            if (!attached && result.code !== 0) {
                throw cli.failure(args, result);
            }
            return attached;
        });
        await removePreviousAddress(cli, nlb, reusable);
    } else {
        const args = createArgs({ infrastructure: nlb.infrastructure, cluster, address: nlb.address, secretNamespace: nlb.secretNamespace, visibility: nlb.visibility });
        cli.log(`registering ${describeAddress(nlb)} under a new NLB subdomain of ${cluster}`);
        registration = nlb.infrastructure === "vpc"
            ? await createUntilReady(cli, nlb, args, find, deadline)
            : await cli.retry("ibmcloud ks nlb-dns create", async () => {
                const result = await cli.call(args);
                // The exit status is not documented as reliable: whether it is listed now decides.
                const created = await find();
                if (!created && result.code !== 0) {
                    throw cli.failure(args, result);
                }
                return created;
            });
    }

    let regenerated = false;
    while (!registration || !certificateReady(registration)) {
        const state = registration ? certificateState(registration) : "issuing";
        if (registration && state === "rate-limited") {
            throw rateLimitedError(cli, registration);
        }
        if (registration && state === "deleted" && !regenerated) {
            await regenerateCertificate(cli, registration);
            regenerated = true;
            registration = await find();
            continue;
        }
        const remaining = (deadline - Date.now()) / 1000;
        if (remaining <= 0) {
            const waited = Math.round((Date.now() - started) / 1000);
            const fix = `Fix: raise iks.dnsTimeoutSeconds (pulumi config set --path iks.dnsTimeoutSeconds 1800) and run pulumi up again; ` +
                `the registration is kept and adopted. Check it with: ibmcloud ks nlb-dns ls --cluster ${cluster}`;
            if (!registration) {
                throw new IbmCloudError(`Timed out after ${waited}s: nlb-dns ran, but nlb-dns ls never listed a subdomain for ` +
                    `${describeAddress(nlb)}. ${fix}`);
            }
            throw new IbmCloudError(`Timed out after ${waited}s waiting for the TLS certificate of NLB subdomain ${registration.subdomain} ` +
                `(secret ${registration.secretName || "not named yet"}, status ${registration.secretStatus || "unknown"}; IBM issues it ` +
                `asynchronously, usually within minutes, and says that creating or regenerating can take a few hours). ${fix}`);
        }
        cli.log(registration
            ? `waiting for the certificate of ${registration.subdomain} (status ${registration.secretStatus || "unknown"})`
            : `waiting for nlb-dns ls to list ${describeAddress(nlb)}`);
        await sleep(Math.min(nlb.pollSeconds, remaining));
        registration = await find();
    }
    cli.log(`NLB subdomain ${registration.subdomain} is ready; its certificate is Secret ${registration.secretNamespace}/${registration.secretName}`);
    return formatResult(registration, nlb.address);
}

/** IBM's explanation of `rate_limited`, and the only fix there is: waiting. */
function rateLimitedError(cli: IbmCloud, registration: NlbRegistration): IbmCloudError {
    return new IbmCloudError(`The TLS certificate of NLB subdomain ${registration.subdomain} has status rate_limited: Let's Encrypt ` +
        "refused to issue it because its rate limit was reached. IBM says to wait 7 days before the certificate can be issued " +
        "again, and the limit cannot be lifted, so waiting here cannot help. Fix: run pulumi up again after that; meanwhile check " +
        `it with: ibmcloud ks nlb-dns ls --cluster ${cli.settings.cluster}`);
}

/** Asks for a new certificate for a subdomain whose certificate was deleted (`nlb-dns secret rm`, by this stack's destroy or by hand). */
async function regenerateCertificate(cli: IbmCloud, registration: NlbRegistration): Promise<void> {
    const args = secretRegenerateArgs(registration, cli.settings.cluster);
    cli.log(`the certificate of ${registration.subdomain} was deleted (IBM stopped renewing it); asking IBM for a new one ` +
        "(IBM allows at most 5 regenerations a day)");
    const result = await cli.call(args);
    if (result.code !== 0) {
        const failure = cli.failure(args, result);
        throw new IbmCloudError(`${failure.message}. The subdomain's certificate stays deleted, and the gateway cannot serve TLS ` +
            "with it. Fix: wait (Let's Encrypt's limit: at most 5 regenerations a day) and run pulumi up again", { permission: failure.permission });
    }
}

/**
 * A new VPC load balancer has a hostname minutes before IBM's DNS service accepts it, so `nlb-dns
 * create vpc-gen2` is tried again until the deadline; only a missing permission stops at once.
 */
async function createUntilReady(cli: IbmCloud, nlb: NlbSettings, args: string[], find: () => Promise<NlbRegistration | undefined>,
    deadline: number): Promise<NlbRegistration | undefined> {
    for (let attempt = 1; ; attempt++) {
        const result = await cli.call(args);
        const created = await find();
        if (created || result.code === 0) {
            return created;
        }
        const failure = cli.failure(args, result);
        if (failure.permission || Date.now() >= deadline) {
            throw failure;
        }
        const wait = Math.min(nlb.pollSeconds, Math.max(0, (deadline - Date.now()) / 1000));
        cli.log(`nlb-dns create vpc-gen2 failed (try ${attempt}; the load balancer may still be provisioning), retrying in ${wait}s: ${failure.message}`);
        await sleep(wait);
    }
}

/** After a classic subdomain got the new IP, the old one (the replaced load balancer's) comes off it. */
async function removePreviousAddress(cli: IbmCloud, nlb: NlbSettings, reused: NlbRegistration): Promise<void> {
    const previous = nlb.previousAddress;
    if (reused.shape !== "classic" || !previous || ("ip" in nlb.address && nlb.address.ip === previous) || !reused.ips.includes(previous)) {
        return;
    }
    const args = removeArgs(reused, { cluster: cli.settings.cluster, address: { ip: previous } });
    cli.log(`removing the previous load balancer's IP ${previous} from ${reused.subdomain}`);
    const result = await cli.call(args);
    if (result.code !== 0) {
        cli.log(`could not remove ${previous} (${cli.describeFailure(args, result)}); remove it by hand: ibmcloud ${args.join(" ")}`);
    }
}

/**
 * Takes our address off its subdomain (succeeding when it is not registered any more), then stops
 * the certificate of the subdomain left empty: the stack is gone, and IBM would renew it forever.
 * Only the subdomain this stack registered (found by our address, or recorded in the state) is
 * touched, and its certificate only when IBM has not deleted it already.
 */
async function deleteRegistration(cli: IbmCloud, nlb: NlbSettings): Promise<undefined> {
    const { cluster, retryAttempts, retryBaseSeconds } = cli.settings;
    await cli.ensureReady();
    const list = async () => parseNlbList(await cli.retry("ibmcloud ks nlb-dns ls", () => cli.json(listArgs(cluster))));
    let ours: NlbRegistration | undefined;
    for (let attempt = 1; attempt <= retryAttempts; attempt++) {
        const registration = findRegistration(await list(), nlb.address, nlb.previousSubdomain);
        if (!registration) {
            cli.log(attempt === 1 ? `${describeAddress(nlb)} is not registered; nothing to remove` : `removed ${describeAddress(nlb)}`);
            break;
        }
        ours = registration;
        const args = removeArgs(registration, { cluster, address: nlb.address });
        cli.log(`removing ${describeAddress(nlb)} from NLB subdomain ${registration.subdomain} (the subdomain itself stays)`);
        await cli.callCheckedLater(args);
        if (attempt < retryAttempts) {
            await sleep(backoffSeconds(attempt, retryBaseSeconds));
        } else {
            const left = findRegistration(await list(), nlb.address, nlb.previousSubdomain);
            if (left) {
                throw new IbmCloudError(`NLB subdomain ${left.subdomain} still lists ${describeAddress(nlb)} after ${retryAttempts} tries to remove it. ` +
                    `Fix: ibmcloud ${removeArgs(left, { cluster, address: nlb.address }).join(" ")}`);
            }
            cli.log(`removed ${describeAddress(nlb)}`);
        }
    }
    const subdomain = ours?.subdomain ?? nlb.previousSubdomain;
    const left = (await list()).find((registration) => registration.subdomain === subdomain);
    if (left && isEmpty(left) && left.secretNamespace === nlb.secretNamespace && left.secretName !== "" && certificateState(left) !== "deleted") {
        const args = secretRemoveArgs(left, cluster);
        cli.log(`stopping the certificate of the now unused NLB subdomain ${left.subdomain}`);
        const result = await cli.call(args);
        if (result.code !== 0) {
            throw new IbmCloudError(`${cli.failure(args, result).message}. The subdomain's certificate keeps being renewed until it is removed. ` +
                `Fix: ibmcloud ${args.join(" ")}`);
        }
    }
    return undefined;
}

/** What a destroy without IBM Cloud leaves behind, and the commands that remove it once IBM Cloud is reachable again. */
export function nlbLeftovers(nlb: NlbSettings, cluster: string): string {
    const address = "ip" in nlb.address ? nlb.address.ip : nlb.address.hostname;
    if (!nlb.previousSubdomain) {
        return `iks.skipCloudCleanup: not touching IBM Cloud. This stack recorded no NLB subdomain; if one lists ${address}, ` +
            `find it with: ibmcloud ks nlb-dns ls --cluster ${cluster}`;
    }
    const registration: NlbRegistration = {
        shape: nlb.infrastructure === "classic" ? "classic" : "vpc", subdomain: nlb.previousSubdomain, ips: [], lbHostname: undefined,
        secretName: "", secretStatus: "", secretNamespace: nlb.secretNamespace,
    };
    return `iks.skipCloudCleanup: not touching IBM Cloud. Left behind if the cluster still exists: NLB subdomain ${nlb.previousSubdomain} ` +
        `with ${address} registered, and its certificate, which IBM keeps renewing. Remove them with: ` +
        `ibmcloud ${removeArgs(registration, { cluster, address: nlb.address }).join(" ")} && ibmcloud ${secretRemoveArgs(registration, cluster).join(" ")}`;
}

export const nlbDnsActions = ["create", "delete"] as const;

/** One action of the NlbDns command resource, with its settings from the environment. */
export async function nlbDnsMain(cli: IbmCloud, action: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
    const nlb = readNlbSettings(env);
    if (action === "create") {
        return createRegistration(cli, nlb);
    }
    if (action === "delete") {
        if (skipCloudCleanup(env)) {
            cli.log(nlbLeftovers(nlb, cli.settings.cluster));
            return undefined;
        }
        try {
            return await deleteRegistration(cli, nlb);
        } catch (error) {
            throw new IbmCloudError(`${error instanceof Error ? error.message : String(error)}. ${skipCleanupHint}`,
                { permission: error instanceof IbmCloudError && error.permission });
        }
    }
    throw new IbmCloudError(`usage: node components/ibm/scripts/run.ts nlb-dns ${nlbDnsActions.join("|")} (got ${JSON.stringify(action)})`);
}
