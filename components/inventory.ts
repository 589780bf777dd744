// Names the sample components and their gateway routes share: namespaces, Services, ports and pod
// labels. Bookinfo's and httpbin's are facts about Istio's own manifests (fetched at deploy time, never copied),
// so the DestinationRules and routes written here must agree with those manifests.
import { sampleNamespaces } from "./core/namespaces";
import { PathMatch, exactPath, segmentPrefix } from "./core/routes";

// The samples' namespaces are a leaf fact (core/namespaces.ts) that the config layer reads too.
export { sampleNamespaces };

export const wordpressNames = {
    service: "wordpress",
    port: 80,
    /** Both WordPress Deployments run as this identity; authorization rules name it. */
    serviceAccount: "wordpress",
    appLabel: "wordpress",
    stable: { deployment: "wordpress-v1", version: "v1" },
    canary: { deployment: "wordpress-v2", version: "v2" },
    contentClaim: "wordpress-content",
    database: "wordpress",
    databaseUser: "wordpress",
} as const;

export const mysqlNames = {
    service: "mysql",
    port: 3306,
    /** `tcp-` prefix: MySQL speaks first, so Istio must treat the port as opaque TCP, never sniff it. */
    portName: "tcp-mysql",
    serviceAccount: "mysql",
    deployment: "mysql",
    appLabel: "mysql",
    dataClaim: "mysql-data",
    configMap: "mysql-config",
    credentialsSecret: "mysql-credentials",
    rootPasswordKey: "root-password",
    userPasswordKey: "password",
} as const;

/** Istio's bookinfo manifest: every Service listens on 9080; Deployments `<service>-<version>` carry app/version labels. */
export const bookinfoManifest = {
    samplePath: "bookinfo/platform/kube/bookinfo.yaml",
    port: 9080,
    /** Each bookinfo service runs as ServiceAccount `bookinfo-<service>`; authorization rules name them. */
    serviceAccountPrefix: "bookinfo-",
    entryService: "productpage",
    serviceVersions: {
        productpage: ["v1"],
        reviews: ["v1", "v2", "v3"],
        ratings: ["v1"],
        details: ["v1"],
    },
} as const;

/** Istio's httpbin manifest: Service httpbin on 8000 → container 8080, pods labelled app: httpbin, version: v1. */
export const httpbinManifest = {
    samplePath: "httpbin/httpbin.yaml",
    service: "httpbin",
    port: 8000,
    targetPort: 8080,
    serviceAccount: "httpbin",
    versions: ["v1"],
} as const;

/**
 * What bookinfo's product page needs through the gateway, as upstream routes it
 * (samples/bookinfo/networking/bookinfo-gateway.yaml at 1.30.3: exact /productpage, /login, /logout;
 * prefixes /static and /api/v1/products). Upstream's two prefixes are plain string prefixes that would
 * take a neighbour's `/static-page/` or `/api/v1/products-old`: here they end at a path segment
 * (the product page's assets are all under /static/, its API is /api/v1/products[/<id>/...]).
 */
export const bookinfoGatewayMatches: readonly PathMatch[] = [
    ...exactPath("/productpage"),
    { kind: "prefix", path: "/static/" },
    ...exactPath("/login"),
    ...exactPath("/logout"),
    ...segmentPrefix("/api/v1/products"),
];

/**
 * httpbin endpoints exposed through the gateway: `/status/<code>` (`npm run verify` asks for the teapot,
 * `/status/418`) and `/headers`. Bounded so WordPress keeps pages like `/status-update/` and `/headers-and-footers/`.
 */
export const httpbinGatewayMatches: readonly PathMatch[] = [
    { kind: "prefix", path: "/status/" },
    ...exactPath("/headers"),
];

/** A DestinationRule a sample owns for one of its Services (named after it, in its namespace). */
export interface SampleSubsetRule {
    namespace: string;
    service: string;
    versions: readonly string[];
}

/** The samples' own DestinationRules (version subsets), given which samples are on. */
export function sampleSubsetRules(enabled: { wordpress: boolean; bookinfo: boolean; httpbin: boolean }): SampleSubsetRule[] {
    return [
        ...(enabled.wordpress ? [{
            namespace: sampleNamespaces.wordpress, service: wordpressNames.service,
            versions: [wordpressNames.stable.version, wordpressNames.canary.version],
        }] : []),
        ...(enabled.bookinfo ? Object.entries(bookinfoManifest.serviceVersions).map(([service, versions]) =>
            ({ namespace: sampleNamespaces.bookinfo, service, versions })) : []),
        ...(enabled.httpbin ? [{ namespace: sampleNamespaces.httpbin, service: httpbinManifest.service, versions: httpbinManifest.versions }] : []),
    ];
}

/** Subsets named after the `version` pod label, the convention of Istio's samples and of the WordPress canary. */
export function versionSubsets(versions: readonly string[]): { name: string; labels: { version: string } }[] {
    return versions.map((version) => ({ name: version, labels: { version } }));
}
