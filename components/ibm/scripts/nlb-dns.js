// @ts-check
// Registers the ingress gateway's load balancer under an IKS NLB subdomain (create or adopt), waits
// for IBM to issue the subdomain's certificate, and prints one JSON line {subdomain, secretName,
// secretNamespace}; `delete` removes the registration again. Run by the NlbDns command resource:
//
//   node components/ibm/scripts/nlb-dns.js create|delete
//
// The exported functions are the pure part (parsing both `nlb-dns ls` shapes, matching, arguments),
// which the TypeScript side and the tests use directly.
"use strict";

const net = require("net");
const { IbmCloud, IbmCloudError, numberSetting, parseResultLine, readCliSettings, requiredSetting, runMain, sleep } = require("./ibmcloud");

/**
 * One NLB subdomain as `ibmcloud ks nlb-dns ls --output json` lists it, in either infrastructure's shape.
 * @typedef {object} NlbRegistration
 * @property {"classic" | "vpc"} shape which JSON layout it came from
 * @property {string} subdomain
 * @property {string[]} ips
 * @property {string | undefined} lbHostname VPC load balancers only
 * @property {string} secretName the certificate Secret IBM creates in secretNamespace
 * @property {string} secretStatus `created` once the certificate is issued
 * @property {string} secretNamespace
 */

/** @typedef {{ ip: string } | { hostname: string }} LoadBalancerAddress */

/** @typedef {{ subdomain: string, secretName: string, secretNamespace: string }} NlbResult */

/**
 * @param {unknown} value
 * @returns {string}
 */
const text = (value) => (typeof value === "string" ? value : "");

/**
 * @param {unknown} value
 * @returns {string[]}
 */
const strings = (value) => (Array.isArray(value) ? value.filter((item) => typeof item === "string" && item !== "") : []);

/**
 * Normalises `nlb-dns ls --output json`. Classic lists flat objects (nlbHost, nlbIPArray,
 * nlbSslSecretName, nlbSslSecretStatus); VPC wraps the subdomain in `Nlb` and puts the secret beside
 * it (secretName, secretStatus). Both may appear in one list; an empty list may be `null`.
 * @param {unknown} listed parsed JSON
 * @returns {NlbRegistration[]}
 */
function parseNlbList(listed) {
    if (listed === null || listed === undefined) {
        return [];
    }
    if (!Array.isArray(listed)) {
        throw new IbmCloudError(`nlb-dns ls did not print a list (got ${JSON.stringify(listed).slice(0, 120)})`, { transient: true });
    }
    return listed.flatMap((/** @type {unknown} */ item) => {
        if (typeof item !== "object" || item === null) {
            return /** @type {NlbRegistration[]} */ ([]);
        }
        const entry = /** @type {Record<string, unknown>} */ (item);
        if (typeof entry.Nlb === "object" && entry.Nlb !== null) {
            const nlb = /** @type {Record<string, unknown>} */ (entry.Nlb);
            /** @type {NlbRegistration} */
            const vpc = {
                shape: "vpc",
                subdomain: text(nlb.nlbSubdomain),
                ips: strings(nlb.nlbIPArray),
                lbHostname: text(nlb.lbHostname) || undefined,
                secretName: text(entry.secretName),
                secretStatus: text(entry.secretStatus),
                secretNamespace: text(nlb.secretNamespace),
            };
            return [vpc];
        }
        const ips = strings(entry.nlbIPArray);
        if (ips.length === 0 && text(entry.nlbIP)) {
            ips.push(...text(entry.nlbIP).split(",").map((ip) => ip.trim()).filter((ip) => ip !== ""));
        }
        /** @type {NlbRegistration} */
        const classic = {
            shape: "classic",
            subdomain: text(entry.nlbHost),
            ips,
            lbHostname: undefined,
            secretName: text(entry.nlbSslSecretName),
            secretStatus: text(entry.nlbSslSecretStatus),
            secretNamespace: text(entry.secretNamespace),
        };
        return [classic];
    }).filter((registration) => registration.subdomain !== "");
}

/**
 * An IP (classic, VPC NLB) or a hostname (VPC application load balancer), as the Service reports it.
 * @param {string} value
 * @returns {LoadBalancerAddress}
 */
function parseAddress(value) {
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
 * @param {readonly NlbRegistration[]} registrations
 * @param {LoadBalancerAddress} address
 * @param {string} [preferredSubdomain]
 * @returns {NlbRegistration | undefined}
 */
function findRegistration(registrations, address, preferredSubdomain) {
    const matches = registrations.filter((registration) => ("ip" in address
        ? registration.ips.includes(address.ip)
        : (registration.lbHostname ?? "").toLowerCase() === address.hostname));
    return matches.find((registration) => registration.subdomain === preferredSubdomain) ?? matches[0];
}

/**
 * @param {NlbRegistration} registration
 * @returns {boolean}
 */
function certificateReady(registration) {
    return registration.secretStatus.toLowerCase() === "created" && registration.secretName !== "";
}

/**
 * @param {string} cluster
 * @returns {string[]}
 */
function listArgs(cluster) {
    return ["ks", "nlb-dns", "ls", "--cluster", cluster, "--output", "json"];
}

/**
 * @param {{ infrastructure: "classic" | "vpc", cluster: string, address: LoadBalancerAddress, secretNamespace: string }} request
 * @returns {string[]}
 */
function createArgs({ infrastructure, cluster, address, secretNamespace }) {
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

/**
 * Classic removes one IP from its subdomain (the subdomain itself stays); VPC removes the subdomain.
 * @param {NlbRegistration} registration
 * @param {{ cluster: string, address: LoadBalancerAddress }} request
 * @returns {string[]}
 */
function removeArgs(registration, { cluster, address }) {
    if (registration.shape === "classic") {
        if (!("ip" in address)) {
            throw new IbmCloudError(`cannot remove hostname ${address.hostname} from classic subdomain ${registration.subdomain}`);
        }
        return ["ks", "nlb-dns", "rm", "classic", "--cluster", cluster, "--ip", address.ip, "--nlb-host", registration.subdomain];
    }
    return ["ks", "nlb-dns", "rm", "vpc-gen2", "--cluster", cluster, "--nlb-subdomain", registration.subdomain];
}

/**
 * The one line the create command prints, which the NlbDns component reads back.
 * @param {NlbRegistration} registration
 * @returns {string}
 */
function formatResult(registration) {
    /** @type {NlbResult} */
    const result = {
        subdomain: registration.subdomain,
        secretName: registration.secretName,
        secretNamespace: registration.secretNamespace,
    };
    return JSON.stringify(result);
}

/**
 * Reads the create command's output back.
 * @param {string | undefined} stdout
 * @returns {NlbResult}
 */
function parseResult(stdout) {
    return parseResultLine(stdout, /** @type {const} */ (["subdomain", "secretName", "secretNamespace"]), "nlb-dns create");
}

/**
 * @typedef {object} NlbSettings
 * @property {"classic" | "vpc"} infrastructure
 * @property {LoadBalancerAddress} address
 * @property {string} secretNamespace
 * @property {number} timeoutSeconds
 * @property {number} pollSeconds
 * @property {string | undefined} previousSubdomain from the stored output of the last create
 */

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {NlbSettings}
 */
function readNlbSettings(env) {
    const infrastructure = requiredSetting(env, "IKS_INFRASTRUCTURE");
    if (infrastructure !== "classic" && infrastructure !== "vpc") {
        throw new IbmCloudError(`IKS_INFRASTRUCTURE must be classic or vpc (got ${JSON.stringify(infrastructure)})`);
    }
    let previousSubdomain;
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

/**
 * @param {NlbSettings} nlb
 * @returns {string}
 */
const describeAddress = (nlb) => ("ip" in nlb.address ? `IP ${nlb.address.ip}` : `hostname ${nlb.address.hostname}`);

/**
 * Create or adopt, then wait for the certificate.
 * @param {IbmCloud} cli
 * @param {NlbSettings} nlb
 * @returns {Promise<string>} the result line
 */
async function createRegistration(cli, nlb) {
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

/**
 * Removes our address from its subdomain; succeeds when it is not registered (any more).
 * @param {IbmCloud} cli
 * @param {NlbSettings} nlb
 * @returns {Promise<undefined>}
 */
async function deleteRegistration(cli, nlb) {
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

/** @param {string | undefined} action */
async function main(action) {
    const cli = new IbmCloud(readCliSettings(process.env));
    const nlb = readNlbSettings(process.env);
    if (action === "create") {
        return createRegistration(cli, nlb);
    }
    if (action === "delete") {
        return deleteRegistration(cli, nlb);
    }
    throw new IbmCloudError(`usage: node components/ibm/scripts/nlb-dns.js create|delete (got ${JSON.stringify(action)})`);
}

if (require.main === module) {
    runMain(() => main(process.argv[2]), [process.env.IBMCLOUD_API_KEY]);
}

module.exports = {
    certificateReady,
    createArgs,
    findRegistration,
    formatResult,
    listArgs,
    parseAddress,
    parseNlbList,
    parseResult,
    readNlbSettings,
    removeArgs,
};
