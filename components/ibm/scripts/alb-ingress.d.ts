// Generated from alb-ingress.js (tsc --allowJs --declaration); test/ibm-parsers.spec.ts fails when it is stale. Do not edit.
export type IngressDomain = {
    hostname: string;
    secretName: string;
    secretNamespace: string;
};
export type IngressSecret = {
    name: string;
    namespace: string;
    crn: string;
};
/** The namespace IKS keeps the cluster's default Ingress secret in. */
export const defaultIngressSecretNamespace: "default";
/**
 * @param {readonly IngressSecret[]} secrets
 * @param {{ name: string, namespace: string }} wanted
 * @returns {IngressSecret | undefined}
 */
export function findSecret(secrets: readonly IngressSecret[], wanted: {
    name: string;
    namespace: string;
}): IngressSecret | undefined;
/**
 * @param {string | undefined} stdout
 * @returns {IngressDomain}
 */
export function parseDomainResult(stdout: string | undefined): IngressDomain;
/**
 * The Ingress subdomain and secret from `ibmcloud ks cluster get --output json`: `.ingress.hostname`
 * and `.ingress.secretName`, or the older top-level `ingressHostname` / `ingressSecretName`.
 * @param {unknown} cluster parsed JSON
 * @param {string} [clusterName] for the error message
 * @returns {IngressDomain}
 */
export function parseIngressDomain(cluster: unknown, clusterName?: string): IngressDomain;
/**
 * The CRN of an Ingress secret (`ibmcloud ks ingress secret get --output json`, field `crn`).
 * @param {unknown} secret parsed JSON
 * @returns {string}
 */
export function parseSecretCrn(secret: unknown): string;
/**
 * The Ingress secrets of a cluster (`ibmcloud ks ingress secret ls --output json`).
 * @param {unknown} listed parsed JSON
 * @returns {IngressSecret[]}
 */
export function parseSecretList(listed: unknown): IngressSecret[];
/**
 * @param {string | undefined} stdout
 * @returns {IngressSecret}
 */
export function parseSecretResult(stdout: string | undefined): IngressSecret;
/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ source: { name: string, namespace: string }, target: { name: string, namespace: string } }}
 */
export function readCopySettings(env: NodeJS.ProcessEnv): {
    source: {
        name: string;
        namespace: string;
    };
    target: {
        name: string;
        namespace: string;
    };
};
