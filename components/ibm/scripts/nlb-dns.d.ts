// Generated from nlb-dns.js (tsc --allowJs --declaration); test/ibm-parsers.spec.ts fails when it is stale. Do not edit.
export type NlbSettings = {
    infrastructure: "classic" | "vpc";
    address: LoadBalancerAddress;
    secretNamespace: string;
    timeoutSeconds: number;
    pollSeconds: number;
    /**
     * from the stored output of the last create
     */
    previousSubdomain: string | undefined;
};
/**
 * One NLB subdomain as `ibmcloud ks nlb-dns ls --output json` lists it, in either infrastructure's shape.
 */
export type NlbRegistration = {
    /**
     * which JSON layout it came from
     */
    shape: "classic" | "vpc";
    subdomain: string;
    ips: string[];
    /**
     * VPC load balancers only
     */
    lbHostname: string | undefined;
    /**
     * the certificate Secret IBM creates in secretNamespace
     */
    secretName: string;
    /**
     * `created` once the certificate is issued
     */
    secretStatus: string;
    secretNamespace: string;
};
export type LoadBalancerAddress = {
    ip: string;
} | {
    hostname: string;
};
export type NlbResult = {
    subdomain: string;
    secretName: string;
    secretNamespace: string;
};
/**
 * @param {NlbRegistration} registration
 * @returns {boolean}
 */
export function certificateReady(registration: NlbRegistration): boolean;
/**
 * @param {{ infrastructure: "classic" | "vpc", cluster: string, address: LoadBalancerAddress, secretNamespace: string }} request
 * @returns {string[]}
 */
export function createArgs({ infrastructure, cluster, address, secretNamespace }: {
    infrastructure: "classic" | "vpc";
    cluster: string;
    address: LoadBalancerAddress;
    secretNamespace: string;
}): string[];
/**
 * The registration of our load balancer: the one listing our IP, or our LB hostname. Other
 * subdomains (other load balancers of the cluster) never match. When several do, the one we created
 * before (`preferredSubdomain`, from the previous run's output) wins.
 * @param {readonly NlbRegistration[]} registrations
 * @param {LoadBalancerAddress} address
 * @param {string} [preferredSubdomain]
 * @returns {NlbRegistration | undefined}
 */
export function findRegistration(registrations: readonly NlbRegistration[], address: LoadBalancerAddress, preferredSubdomain?: string): NlbRegistration | undefined;
/**
 * The one line the create command prints, which the NlbDns component reads back.
 * @param {NlbRegistration} registration
 * @returns {string}
 */
export function formatResult(registration: NlbRegistration): string;
/**
 * @param {string} cluster
 * @returns {string[]}
 */
export function listArgs(cluster: string): string[];
/**
 * An IP (classic, VPC NLB) or a hostname (VPC application load balancer), as the Service reports it.
 * @param {string} value
 * @returns {LoadBalancerAddress}
 */
export function parseAddress(value: string): LoadBalancerAddress;
/**
 * Normalises `nlb-dns ls --output json`. Classic lists flat objects (nlbHost, nlbIPArray,
 * nlbSslSecretName, nlbSslSecretStatus); VPC wraps the subdomain in `Nlb` and puts the secret beside
 * it (secretName, secretStatus). Both may appear in one list; an empty list may be `null`.
 * @param {unknown} listed parsed JSON
 * @returns {NlbRegistration[]}
 */
export function parseNlbList(listed: unknown): NlbRegistration[];
/**
 * Reads the create command's output back.
 * @param {string | undefined} stdout
 * @returns {NlbResult}
 */
export function parseResult(stdout: string | undefined): NlbResult;
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
export function readNlbSettings(env: NodeJS.ProcessEnv): NlbSettings;
/**
 * Classic removes one IP from its subdomain (the subdomain itself stays); VPC removes the subdomain.
 * @param {NlbRegistration} registration
 * @param {{ cluster: string, address: LoadBalancerAddress }} request
 * @returns {string[]}
 */
export function removeArgs(registration: NlbRegistration, { cluster, address }: {
    cluster: string;
    address: LoadBalancerAddress;
}): string[];
