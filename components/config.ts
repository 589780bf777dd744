// The only reader of the stack's config. It applies every default in code (the mock engine does not
// apply Pulumi.yaml defaults), validates the whole contract, and either returns one frozen, typed
// object or stops the program with every problem listed, before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import { ClusterBinding, resolveClusterBinding } from "./cluster/cluster-binding";
import { currentKubeconfigContext } from "./cluster/kubeconfig-file";
import { flatKeyProblems, isFlatKey } from "./config-flat-keys";
import { ContractRecorder, ObjectReader, Problems, isPlainObject, parseMaybeJson, setCommand } from "./config-reader";
import { PrefixRoute, routeProblems } from "./edge/routes";
import { DataplaneMode, dataplaneModes } from "./mesh/dataplane";
import { dns1035Label, dns1123Label, isGatewayHost, isPinnedImage } from "./names";
import {
    HostingProblem, chartRepositoryProblem, defaultIstioChartRepository, defaultIstioHub, hubProblem, normalizeChartRepository, withoutCredentials,
} from "./istio-hosting";
import { defaultImages, defaultIstioVersion, istioLineOf, supportedIstioRange } from "./versions";
import { SizingProfile, sizingProfiles } from "./sizing";

export const projectName = "iks-mesh";

export const gatewayServiceTypes = ["LoadBalancer", "NodePort", "ClusterIP"] as const;
export const meshMtlsModes = ["STRICT", "PERMISSIVE"] as const;
export const peerAuthenticationModes = ["STRICT", "PERMISSIVE", "DISABLE"] as const;
export const gatewayTlsModes = ["SIMPLE", "MUTUAL"] as const;
export const keyAlgorithms = ["ECDSA", "RSA"] as const;
export const volumeAccessModes = ["ReadWriteOnce", "ReadWriteMany"] as const;
export const iksInfrastructures = ["classic", "vpc"] as const;
export const iksLoadBalancerVisibilities = ["public", "private"] as const;
/** IBM's ALB classes (ingress-nginx builds 1.x, Traefik builds 3.x); Traefik is the one IBM supports going forward. */
export const iksAlbIngressClasses = ["public-iks-traefik", "public-iks-k8s-nginx", "private-iks-traefik", "private-iks-k8s-nginx"] as const;
export const kialiAuthStrategies = ["token", "anonymous", "openid", "header"] as const;

export const clientTlsModes = ["ISTIO_MUTUAL", "DISABLE", "SIMPLE"] as const;

export type PeerAuthenticationMode = (typeof peerAuthenticationModes)[number];
export type ClientTlsMode = (typeof clientTlsModes)[number];

/** One narrower mTLS scope from `mtls.policies`. */
export interface MtlsPolicyConfig {
    namespace: string;
    /** Pod labels; absent means the whole namespace. */
    selector?: Readonly<Record<string, string>>;
    mode: PeerAuthenticationMode;
    /** Per container port overrides; requires a selector. */
    ports?: Readonly<Record<string, PeerAuthenticationMode>>;
    /** The user accepts this non-STRICT scope under a STRICT mesh; the analysis reports it as a warning only. */
    exception: boolean;
}

/** An explicit client-side TLS policy (a DestinationRule) from `mtls.clientPolicies`. */
export interface ClientPolicyConfig {
    /** `<svc>.<ns>.svc.cluster.local` or `*.<ns>.svc.cluster.local`. */
    host: string;
    mode: ClientTlsMode;
    /** The user accepts a non-mTLS client policy; the analysis reports it as a warning only. */
    exception: boolean;
}

export interface StackConfig {
    /** Which cluster the stack deploys to is in `kubernetes:*` keys (cluster/cluster-binding.ts); this is the opt-out. */
    readonly cluster: {
        /** The stack accepts the current kubeconfig context as its cluster (a local quick start). */
        readonly useCurrentContext: boolean;
    };
    /** How much each component requests (components/sizing.ts); `standard` is the charts' own defaults. */
    readonly profile: SizingProfile;
    readonly istio: {
        /** A patch release of a supported line (components/versions.ts supportedIstioLines). */
        readonly version: string;
        readonly gatewayServiceType: (typeof gatewayServiceTypes)[number];
        /** Where all of Istio's charts come from: an https:// Helm repository or an oci:// registry, no trailing slash. */
        readonly chartRepository: string;
        /** Image hub of istiod, of every proxy it injects (gateway, sidecars) and of Istio's sample images. */
        readonly hub: string;
        /** Envoy sidecars in every sample pod, or ambient mode (ztunnel per node, waypoints for L7). */
        readonly dataplane: DataplaneMode;
    };
    readonly mtls: {
        readonly mode: (typeof meshMtlsModes)[number];
        readonly policies: readonly MtlsPolicyConfig[];
        readonly clientPolicies: readonly ClientPolicyConfig[];
    };
    readonly gateway: {
        readonly hosts: readonly string[];
        readonly tlsMode: (typeof gatewayTlsModes)[number];
        readonly routes: readonly PrefixRoute[];
    };
    readonly pki: {
        readonly validityHours: number;
        readonly renewBeforeHours: number;
        readonly keyAlgorithm: (typeof keyAlgorithms)[number];
    };
    readonly authorization: { readonly enabled: boolean };
    readonly wordpress: {
        readonly enabled: boolean;
        readonly canaryWeight: number;
        readonly stableImage: string;
        readonly canaryImage: string;
        readonly mysqlImage: string;
        /** Undefined: the cluster's default storage class. */
        readonly storageClass?: string;
        readonly accessMode: (typeof volumeAccessModes)[number];
        readonly hosts: readonly string[];
    };
    readonly bookinfo: { readonly enabled: boolean };
    readonly httpbin: { readonly enabled: boolean };
    readonly iks: {
        readonly enabled: boolean;
        readonly cluster?: string;
        readonly region?: string;
        readonly infrastructure: (typeof iksInfrastructures)[number];
        /** Secret; undefined means IBMCLOUD_API_KEY from the environment or an existing login. */
        readonly apiKey?: pulumi.Output<string>;
        readonly dnsTimeoutSeconds: number;
        /** Targeted at login (`ibmcloud login -g`) when cluster access is granted through a resource group. */
        readonly resourceGroup?: string;
        readonly loadBalancer: { readonly visibility: (typeof iksLoadBalancerVisibilities)[number] };
        readonly alb: { readonly enabled: boolean; readonly ingressClass: (typeof iksAlbIngressClasses)[number] };
        /** Deletes leave IBM Cloud alone (account or cluster gone) and log what is left and how to remove it. */
        readonly skipCloudCleanup: boolean;
    };
    readonly kiali: {
        readonly enabled: boolean;
        readonly authStrategy: (typeof kialiAuthStrategies)[number];
    };
    readonly enroute: {
        readonly enabled: boolean;
        readonly secretTtlSeconds: number;
        readonly outputCerts: boolean;
        /**
         * Where the user's EnRoute routes send traffic: the authorization policies let EnRoute's identity
         * reach exactly these (service, port, path prefix) and nothing else in the sample namespaces.
         */
        readonly routes: readonly PrefixRoute[];
    };
}

/** The top-level config objects of the contract; anything else under `iks-mesh:` is a typo. */
export const configSections = [
    "cluster", "profile", "istio", "mtls", "gateway", "pki", "authorization", "wordpress", "bookinfo", "httpbin", "iks", "kiali", "enroute",
] as const;

/**
 * Stops the program before anything is created. A RunError prints its message without a stack
 * trace, which is what a user with a typo in their stack config needs.
 */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly string[]) {
        super(`The stack config has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was created:\n` +
            problems.map((problem) => `  - ${problem}`).join("\n"));
        this.name = "ConfigError";
    }
}

const semver = /^\d+\.\d+\.\d+$/;
const labelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Raw values of the top-level keys under the project namespace, JSON already parsed. */
export type RawConfig = Readonly<Record<string, unknown>>;

export interface ParseOptions {
    /** Top-level keys that Pulumi holds as secrets (`iks` when `iks.apiKey` was set with --secret). */
    secretSections?: readonly string[];
    /** Told of every key as it is read, with its type, default and allowed values (components/config-contract.ts). */
    record?: ContractRecorder;
}

/** Validates the whole contract; throws ConfigError listing every problem at once. */
export function parseStackConfig(raw: RawConfig, options: ParseOptions = {}): StackConfig {
    const problems: Problems = [];
    // Every key the program reads, to tell a flat key that was meant as one of them (config-flat-keys.ts).
    const knownKeys: string[] = [];
    const root = new ObjectReader("", raw, problems, (entry) => {
        knownKeys.push(entry.key);
        options.record?.(entry);
    });

    const cluster = root.object("cluster");
    const clusterConfig = { useCurrentContext: cluster.boolean("useCurrentContext", false) };
    cluster.finish();
    const profile = root.oneOf("profile", sizingProfiles, "standard", { example: "small" });

    const istio = root.object("istio");
    const istioConfig = {
        version: readIstioVersion(istio),
        gatewayServiceType: istio.oneOf("gatewayServiceType", gatewayServiceTypes, "LoadBalancer"),
        chartRepository: normalizeChartRepository(istio.checkedString("chartRepository", defaultIstioChartRepository,
            hostingCheck("istio.chartRepository", defaultIstioChartRepository, chartRepositoryProblem),
            { patternText: "an https:// Helm repository or an oci:// registry", show: withoutCredentials })),
        hub: istio.checkedString("hub", defaultIstioHub, hostingCheck("istio.hub", defaultIstioHub, hubProblem),
            { patternText: "an image registry and path without scheme or tag, like docker.io/istio" }),
        dataplane: istio.oneOf("dataplane", dataplaneModes, "sidecar"),
    };
    istio.finish();

    const mtls = root.object("mtls");
    const mtlsConfig = {
        mode: mtls.oneOf("mode", meshMtlsModes, "STRICT"),
        policies: mtls.array("policies", (item, key) => readMtlsPolicy(mtls, item, key)),
        clientPolicies: mtls.array("clientPolicies", (item, key) => readClientPolicy(mtls, item, key)),
    };
    mtls.finish();

    const gateway = root.object("gateway");
    const gatewayConfig = {
        hosts: gateway.stringList("hosts", ["*"], isGatewayHost, "a DNS hostname, *.domain or *", { example: "mesh.example.com" }),
        tlsMode: gateway.oneOf("tlsMode", gatewayTlsModes, "SIMPLE"),
        routes: gateway.array("routes", (item, key) => readRoute(gateway, item, key)),
    };
    for (const problem of routeProblems(gatewayConfig.routes)) {
        problems.push({ key: "gateway.routes", message: problem });
    }
    gateway.finish();

    const pki = root.object("pki");
    const pkiConfig = {
        validityHours: pki.integer("validityHours", 8760, { min: 24, max: 87600 }),
        renewBeforeHours: pki.integer("renewBeforeHours", 720, { min: 1, max: 87600 }),
        keyAlgorithm: pki.oneOf("keyAlgorithm", keyAlgorithms, "ECDSA"),
    };
    if (pkiConfig.renewBeforeHours >= pkiConfig.validityHours) {
        pki.problem("pki.renewBeforeHours",
            `pki.renewBeforeHours must be less than pki.validityHours (got ${pkiConfig.renewBeforeHours} >= ${pkiConfig.validityHours})`,
            setCommand("pki.renewBeforeHours", String(Math.floor(pkiConfig.validityHours / 10))));
    }
    pki.finish();

    const authorization = root.object("authorization");
    const authorizationConfig = { enabled: authorization.boolean("enabled", true) };
    authorization.finish();

    const wordpress = root.object("wordpress");
    const canary = wordpress.object("canary");
    const stable = wordpress.object("stable");
    const mysql = wordpress.object("mysql");
    const image = (reader: ObjectReader, fallback: string): string => {
        const value = reader.string("image", fallback);
        if (!isPinnedImage(value)) {
            reader.problem(`${reader.path}.image`,
                `${reader.path}.image must be pinned to a tag or digest, not floating (got ${JSON.stringify(value)})`,
                setCommand(`${reader.path}.image`, fallback));
            return fallback;
        }
        return value;
    };
    const wordpressConfig = {
        enabled: wordpress.boolean("enabled", true),
        canaryWeight: canary.integer("weight", 10, { min: 0, max: 100 }),
        stableImage: image(stable, defaultImages.wordpressStable),
        canaryImage: image(canary, defaultImages.wordpressCanary),
        mysqlImage: image(mysql, defaultImages.mysql),
        storageClass: wordpress.optionalString("storageClass", {
            pattern: dns1123Subdomain, patternText: "a storage class name (lowercase DNS subdomain)", example: "ibmc-file-gold-gid",
        }),
        accessMode: wordpress.oneOf("accessMode", volumeAccessModes, "ReadWriteOnce"),
        hosts: wordpress.stringList("hosts", [], isGatewayHost, "a DNS hostname or *.domain", { example: "blog.example.com" }),
    };
    for (const reader of [canary, stable, mysql, wordpress]) {
        reader.finish();
    }

    const bookinfo = root.object("bookinfo");
    const bookinfoConfig = { enabled: bookinfo.boolean("enabled", true) };
    bookinfo.finish();
    const httpbin = root.object("httpbin");
    const httpbinConfig = { enabled: httpbin.boolean("enabled", true) };
    httpbin.finish();

    const iksConfig = readIks(root, problems, options);
    if (iksConfig.enabled) {
        // On IKS the gateway serves the NLB subdomain (and the ALB's hosts) with IBM's certificate, so
        // other names would be routed to nothing or fail certificate checks: say so instead of ignoring them.
        if (wordpressConfig.hosts.length > 0) {
            wordpress.problem("wordpress.hosts", `wordpress.hosts cannot be served when iks.enabled is true (got ${JSON.stringify(wordpressConfig.hosts)}): ` +
                "the gateway serves the NLB subdomain with IBM's certificate", "pulumi config rm --path wordpress.hosts " +
                "(WordPress is then served at / of the NLB subdomain and at wordpress.<ingress subdomain> through the ALB)");
        }
        if (gatewayConfig.hosts.length !== 1 || gatewayConfig.hosts[0] !== "*") {
            gateway.problem("gateway.hosts", `gateway.hosts has no effect when iks.enabled is true (got ${JSON.stringify(gatewayConfig.hosts)}): ` +
                "the gateway serves the NLB subdomain", "pulumi config rm --path gateway.hosts");
        }
    }

    const kiali = root.object("kiali");
    const kialiConfig = {
        enabled: kiali.boolean("enabled", true),
        authStrategy: kiali.oneOf("authStrategy", kialiAuthStrategies, "token"),
    };
    kiali.finish();

    const enroute = root.object("enroute");
    const enrouteConfig = {
        enabled: enroute.boolean("enabled", false),
        secretTtlSeconds: enroute.integer("secretTtlSeconds", 3600, { min: 60, max: 86400 }),
        // On by default: EnRoute's Istio integration reads the mesh certificate the sidecar writes out.
        outputCerts: enroute.boolean("outputCerts", true),
        routes: enroute.array("routes", (item, key) => readRoute(enroute, item, key)),
    };
    for (const problem of routeProblems(enrouteConfig.routes, "enroute.routes")) {
        problems.push({ key: "enroute.routes", message: problem });
    }
    if (!enrouteConfig.enabled && enrouteConfig.routes.length > 0) {
        enroute.problem("enroute.routes", `enroute.routes has no effect when enroute.enabled is false (got ${enrouteConfig.routes.length} routes)`,
            `${setCommand("enroute.enabled", "true")}, or pulumi config rm --path enroute.routes`);
    }
    enroute.finish();

    const namespaces = knownNamespaces(wordpressConfig.enabled, bookinfoConfig.enabled, httpbinConfig.enabled, enrouteConfig.enabled);
    mtlsConfig.clientPolicies.forEach((policy, index) => {
        const namespace = hostNamespace(policy.host);
        if (namespace !== undefined && !namespaces.includes(namespace)) {
            mtls.problem(`mtls.clientPolicies[${index}].host`,
                `mtls.clientPolicies[${index}].host must be a service in a namespace this stack manages: ${namespaces.join(", ")} ` +
                `(got ${JSON.stringify(policy.host)})`,
                "use a host such as reviews.bookinfo.svc.cluster.local, or enable the sample that owns it");
        }
    });
    mtlsConfig.policies.forEach((policy, index) => {
        if (policy.namespace === "istio-system") {
            // The root namespace's namespace-wide policy is the mesh policy (mtls.mode); a selector there is ignored by Istio.
            mtls.problem(`mtls.policies[${index}].namespace`,
                `mtls.policies[${index}].namespace must not be istio-system, the root namespace: a selector there is ignored ` +
                "and the namespace-wide policy there is the mesh policy",
                setCommand("mtls.mode", policy.mode === "STRICT" ? "STRICT" : "PERMISSIVE") + " for the mesh, or a policy in an app namespace");
        } else if (!namespaces.includes(policy.namespace)) {
            mtls.problem(`mtls.policies[${index}].namespace`,
                `mtls.policies[${index}].namespace must be a namespace this stack manages: ${namespaces.join(", ")} ` +
                `(got ${JSON.stringify(policy.namespace)})`,
                `use one of those, or enable the sample that owns ${JSON.stringify(policy.namespace)}`);
        }
    });

    if (istioConfig.dataplane === "ambient") {
        // No version check of its own: every supported Istio line (versions.ts) runs ambient with the
        // Gateway API v1.5 CRDs, which Istio reads from 1.30 on; test/ambient-install.spec.ts holds that.
        ambientProblems(mtls, mtlsConfig.policies);
    }

    for (const key of Object.keys(raw).filter(isFlatKey)) {
        root.raw(key);
    }
    problems.push(...flatKeyProblems(raw, knownKeys, options.secretSections ?? []));
    root.finish();
    if (problems.length > 0) {
        throw new ConfigError(problems.map((problem) => problem.message));
    }
    return deepFreeze({
        cluster: clusterConfig,
        profile,
        istio: istioConfig,
        mtls: mtlsConfig,
        gateway: gatewayConfig,
        pki: pkiConfig,
        authorization: authorizationConfig,
        wordpress: wordpressConfig,
        bookinfo: bookinfoConfig,
        httpbin: httpbinConfig,
        iks: iksConfig,
        kiali: kialiConfig,
        enroute: enrouteConfig,
    });
}

/** istio.version: a release of a supported minor line, so charts, values, samples and Kiali are known to match. */
function readIstioVersion(istio: ObjectReader): string {
    const version = istio.string("version", defaultIstioVersion, { pattern: semver, patternText: `a release of a supported Istio line: ${supportedIstioRange()}` });
    if (!istioLineOf(version)) {
        istio.problem("istio.version", `istio.version must be a release of a supported Istio line: ${supportedIstioRange()} ` +
            `(got ${JSON.stringify(version)})`, setCommand("istio.version", defaultIstioVersion));
        return defaultIstioVersion;
    }
    return version;
}

/** A hosting rule as a reader check: its problem, and a fix that sets the default or names the alternatives. */
function hostingCheck(key: string, fallback: string, problemOf: (value: string) => HostingProblem | undefined) {
    return (value: string) => {
        const problem = problemOf(value);
        return problem ? { message: problem.message, fix: `${setCommand(key, fallback)} (${problem.alternatives})` } : undefined;
    };
}

/**
 * What ambient mode cannot do that the rest of the config asks for. ztunnel always speaks mTLS (HBONE),
 * so a PeerAuthentication DISABLE is not supported there (istio.io reference, PeerAuthentication: "In
 * ambient mode ... DISABLE mode is not supported"): the scope would silently stay encrypted and a
 * plaintext-only server behind it would break.
 */
function ambientProblems(mtls: ObjectReader, policies: readonly MtlsPolicyConfig[]): void {
    policies.forEach((policy, index) => {
        const disabled = [
            ...(policy.mode === "DISABLE" ? [`mtls.policies[${index}].mode`] : []),
            ...Object.entries(policy.ports ?? {}).filter(([, mode]) => mode === "DISABLE").map(([port]) => `mtls.policies[${index}].ports.${port}`),
        ];
        for (const key of disabled) {
            mtls.problem(key, `${key} is DISABLE, which ambient mode ignores (got istio.dataplane ambient): ztunnel always ` +
                "speaks mTLS, so the scope would stay encrypted and a plaintext-only server would break",
            `${setCommand(key, "PERMISSIVE")} (accepts plaintext from clients outside the mesh), or ${setCommand("istio.dataplane", "sidecar")}`);
        }
    });
}

const dns1123Subdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Namespaces this stack creates, given which parts are switched on. */
export function knownNamespaces(wordpress: boolean, bookinfo: boolean, httpbin: boolean, enroute: boolean): string[] {
    return [
        "istio-system",
        ...(wordpress ? ["wordpress"] : []),
        ...(bookinfo ? ["bookinfo"] : []),
        ...(httpbin ? ["httptools"] : []),
        ...(enroute ? ["enroute"] : []),
    ];
}

/** One `{prefix, service, namespace, port}` entry of `gateway.routes` or `enroute.routes`. */
function readRoute(section: ObjectReader, item: unknown, key: string): PrefixRoute | undefined {
    if (!isPlainObject(item)) {
        section.problem(key, `${key} must be an object {prefix, service, namespace, port} (got ${JSON.stringify(item)})`,
            setCommand(`${key}.prefix`, "/api/freight-rating"));
        return undefined;
    }
    const routeReader = section.reader(key, item);
    const prefix = routeReader.string("prefix", "", {
        pattern: /^\/[^\s?#]*$/, patternText: "a URI path starting with / (no spaces, query or fragment)", example: "/api/freight-rating",
    });
    const service = routeReader.string("service", "", { pattern: dns1035Label, patternText: "a Service name (RFC 1035 label)", example: "freight-rating" });
    const namespace = routeReader.string("namespace", "", { pattern: dns1123Label, patternText: "a namespace name (RFC 1123 label)", example: "default" });
    const port = routeReader.integer("port", 0, { min: 1, max: 65535 }, { example: "8080" });
    for (const [field, value] of [["prefix", prefix], ["service", service], ["namespace", namespace]] as const) {
        if (value === "" && item[field] === undefined) {
            routeReader.problem(`${key}.${field}`, `${key}.${field} is required`, setCommand(`${key}.${field}`, "<value>"));
        }
    }
    if (item.port === undefined) {
        routeReader.problem(`${key}.port`, `${key}.port is required (1-65535)`, setCommand(`${key}.port`, "8080"));
    }
    routeReader.finish();
    if (!prefix || !service || !namespace || port === 0) {
        return undefined;
    }
    return { prefix, service, namespace, port };
}

function readLabels(reader: ObjectReader, key: string, value: unknown): Record<string, string> | undefined {
    const parsed = parseMaybeJson(value);
    if (!isPlainObject(parsed) || Object.keys(parsed).length === 0) {
        reader.problem(key, `${key} must be a non-empty map of pod labels (got ${JSON.stringify(value)})`,
            setCommand(`${key}.app`, "reviews"));
        return undefined;
    }
    const labels: Record<string, string> = {};
    for (const [name, labelVal] of Object.entries(parsed)) {
        if (!labelKey.test(name) || typeof labelVal !== "string" || !labelValue.test(labelVal)) {
            reader.problem(`${key}.${name}`, `${key}.${name} must be a valid Kubernetes label (got ${JSON.stringify(labelVal)})`,
                setCommand(`${key}.${name}`, "<label value>"));
            continue;
        }
        labels[name] = labelVal;
    }
    return labels;
}

function readMtlsPolicy(mtls: ObjectReader, item: unknown, key: string): MtlsPolicyConfig | undefined {
    if (!isPlainObject(item)) {
        mtls.problem(key, `${key} must be an object {namespace, selector?, mode, ports?, exception?} (got ${JSON.stringify(item)})`,
            setCommand(`${key}.namespace`, "bookinfo"));
        return undefined;
    }
    const policy = mtls.reader(key, item);
    const namespace = policy.string("namespace", "", { pattern: dns1123Label, patternText: "a namespace name (RFC 1123 label)", example: "bookinfo" });
    if (item.namespace === undefined) {
        policy.problem(`${key}.namespace`, `${key}.namespace is required`, setCommand(`${key}.namespace`, "bookinfo"));
    }
    const mode = policy.oneOf("mode", peerAuthenticationModes, "STRICT");
    if (item.mode === undefined) {
        policy.problem(`${key}.mode`, `${key}.mode is required (STRICT | PERMISSIVE | DISABLE)`, setCommand(`${key}.mode`, "STRICT"));
    }
    const selectorRaw = policy.raw("selector");
    const selector = selectorRaw === undefined ? undefined : readLabels(policy, `${key}.selector`, selectorRaw);
    const portsRaw = parseMaybeJson(policy.raw("ports"));
    let ports: Record<string, PeerAuthenticationMode> | undefined;
    if (portsRaw !== undefined) {
        if (!isPlainObject(portsRaw) || Object.keys(portsRaw).length === 0) {
            policy.problem(`${key}.ports`, `${key}.ports must be a map of container port to mode (got ${JSON.stringify(portsRaw)})`,
                setCommand(`${key}.ports.8080`, "PERMISSIVE"));
        } else {
            const portsReader = policy.reader(`${key}.ports`, portsRaw);
            ports = {};
            for (const port of Object.keys(portsRaw)) {
                const number = Number(port);
                if (!/^\d+$/.test(port) || number < 1 || number > 65535) {
                    portsReader.problem(`${key}.ports.${port}`, `${key}.ports key ${JSON.stringify(port)} must be a port 1-65535`,
                        setCommand(`${key}.ports.8080`, "PERMISSIVE"));
                    portsReader.raw(port);
                    continue;
                }
                ports[port] = portsReader.oneOf(port, peerAuthenticationModes, "STRICT");
            }
            portsReader.finish();
        }
    }
    if (ports && !selector) {
        // Istio's CRD enforces this with a CEL rule; catching it here stops the run before anything is created.
        policy.problem(`${key}.ports`, `${key}.ports needs ${key}.selector: port-level mTLS applies to a workload, not a namespace`,
            setCommand(`${key}.selector.app`, "<app label>"));
    }
    const exception = policy.boolean("exception", false);
    policy.finish();
    if (!namespace) {
        return undefined;
    }
    return { namespace, mode, exception, ...(selector ? { selector } : {}), ...(ports ? { ports } : {}) };
}

const clientPolicyHost = /^(\*|[a-z]([-a-z0-9]*[a-z0-9])?)\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\.svc\.cluster\.local$/;

/** The namespace of an in-cluster host (`reviews.bookinfo.svc.cluster.local` → bookinfo). */
export function hostNamespace(host: string): string | undefined {
    const match = /^[^.]+\.([^.]+)\.svc\.cluster\.local$/.exec(host);
    return match ? match[1] : undefined;
}

function readClientPolicy(mtls: ObjectReader, item: unknown, key: string): ClientPolicyConfig | undefined {
    if (!isPlainObject(item)) {
        mtls.problem(key, `${key} must be an object {host, mode, exception?} (got ${JSON.stringify(item)})`,
            setCommand(`${key}.host`, "reviews.bookinfo.svc.cluster.local"));
        return undefined;
    }
    const policy = mtls.reader(key, item);
    const host = policy.string("host", "", {
        pattern: clientPolicyHost, patternText: "a fully qualified in-cluster host (<svc>.<ns>.svc.cluster.local or *.<ns>.svc.cluster.local)",
        example: "reviews.bookinfo.svc.cluster.local",
    });
    if (item.host === undefined) {
        policy.problem(`${key}.host`, `${key}.host is required`, setCommand(`${key}.host`, "reviews.bookinfo.svc.cluster.local"));
    }
    const mode = policy.oneOf("mode", clientTlsModes, "ISTIO_MUTUAL");
    const exception = policy.boolean("exception", false);
    policy.finish();
    return host ? { host, mode, exception } : undefined;
}

function readIks(root: ObjectReader, problems: Problems, options: ParseOptions): StackConfig["iks"] {
    const iks = root.object("iks");
    const alb = iks.object("alb");
    const enabled = iks.boolean("enabled", false);
    const cluster = iks.optionalString("cluster", { pattern: /^[A-Za-z0-9][-A-Za-z0-9_.]{0,99}$/, patternText: "a cluster name or ID", example: "my-cluster" });
    const region = iks.optionalString("region", { pattern: /^[a-z]{2}-[a-z]+(-\d)?$/, patternText: "an IBM Cloud region like us-south", example: "us-south" });
    const infrastructure = iks.oneOf("infrastructure", iksInfrastructures, "classic");
    const apiKeyValue = iks.optionalString("apiKey", {
        secret: true,
        fix: "pulumi config set --path --secret iks.apiKey <key>",
    });
    const dnsTimeoutSeconds = iks.integer("dnsTimeoutSeconds", 900, { min: 60, max: 7200 });
    // IBM allows letters, digits, spaces, `-` and `_` in resource group names (40 characters at most).
    const resourceGroup = iks.optionalString("resourceGroup", {
        pattern: /^[A-Za-z0-9][-A-Za-z0-9_ ]{0,39}$/, patternText: "a resource group name", example: "default",
    });
    const skipCloudCleanup = iks.boolean("skipCloudCleanup", false);
    const loadBalancer = iks.object("loadBalancer");
    const loadBalancerConfig = { visibility: loadBalancer.oneOf("visibility", iksLoadBalancerVisibilities, "public") };
    loadBalancer.finish();
    const albConfig = {
        enabled: alb.boolean("enabled", true),
        ingressClass: alb.oneOf("ingressClass", iksAlbIngressClasses, "public-iks-traefik"),
    };
    alb.finish();
    iks.finish();
    if (enabled && !cluster) {
        problems.push({ key: "iks.cluster", message: `iks.cluster is required when iks.enabled is true (got nothing). Fix: ${setCommand("iks.cluster", "<cluster name or ID>")}` });
    }
    if (enabled && !region) {
        problems.push({ key: "iks.region", message: `iks.region is required when iks.enabled is true (got nothing). Fix: ${setCommand("iks.region", "us-south")}` });
    }
    if (enabled && infrastructure === "classic" && loadBalancerConfig.visibility === "private") {
        // IBM: "You currently can't create subdomains for private NLBs" (classic NLB DNS docs).
        problems.push({ key: "iks.loadBalancer.visibility", message: "iks.loadBalancer.visibility private is not possible on classic " +
            "infrastructure (got \"private\"): IBM registers NLB DNS subdomains only for public classic load balancers. " +
            `Fix: ${setCommand("iks.loadBalancer.visibility", "public")}` });
    }
    if (enabled && albConfig.enabled && albConfig.ingressClass.startsWith("private-")) {
        // IBM: "Private ALBs do not reference the IBM-provided Ingress subdomain and instead require a custom domain."
        problems.push({ key: "iks.alb.ingressClass", message: `iks.alb.ingressClass ${albConfig.ingressClass} needs a custom domain and ` +
            `certificate, which this stack does not configure (got "${albConfig.ingressClass}"): private ALBs do not serve the ` +
            `IBM-provided Ingress subdomain. Fix: ${setCommand("iks.alb.ingressClass", "public-iks-traefik")}, or ${setCommand("iks.alb.enabled", "false")}` });
    }
    if (apiKeyValue !== undefined && !(options.secretSections ?? []).includes("iks")) {
        // Never echo the value: it is a credential that was stored in plain text.
        problems.push({ key: "iks.apiKey", message: "iks.apiKey is stored in plain text in the stack config. Fix: " +
            "pulumi config rm --path iks.apiKey && pulumi config set --path --secret iks.apiKey <key>" });
    }
    return {
        enabled,
        infrastructure,
        dnsTimeoutSeconds,
        loadBalancer: loadBalancerConfig,
        alb: albConfig,
        skipCloudCleanup,
        ...(resourceGroup ? { resourceGroup } : {}),
        ...(cluster ? { cluster } : {}),
        ...(region ? { region } : {}),
        ...(apiKeyValue ? { apiKey: pulumi.secret(apiKeyValue) } : {}),
    };
}

function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !pulumi.Output.isInstance(value)) {
        for (const child of Object.values(value)) {
            deepFreeze(child);
        }
        Object.freeze(value);
    }
    return value;
}

/**
 * Whether Pulumi holds a config key as a secret. The SDK marks `isConfigSecret` internal, but it is
 * the only way to tell a `--secret` value from a plain one, and a plain API key must be refused.
 */
function isConfigSecret(fullKey: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    if (typeof runtime.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer exposes runtime.isConfigSecret; update components/config.ts");
    }
    return runtime.isConfigSecret(fullKey);
}

/** What the program runs with: the validated project config and the cluster the stack is bound to. */
export interface Stack {
    readonly config: StackConfig;
    readonly cluster: ClusterBinding;
}

const kubernetesPrefix = "kubernetes:";

/**
 * Reads the stack's config from the Pulumi runtime: the project's keys and the `kubernetes:*` keys
 * that name the cluster. Keys outside the contract under the project namespace are reported too (a
 * mistyped section would otherwise be ignored). Every problem of both is reported at once.
 */
export function loadStack(): Stack {
    const prefix = `${projectName}:`;
    const raw: Record<string, unknown> = {};
    const secretSections: string[] = [];
    const kubernetes: Record<string, { value: string; secret: boolean }> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (fullKey.startsWith(kubernetesPrefix)) {
            kubernetes[fullKey.slice(kubernetesPrefix.length)] = { value, secret: isConfigSecret(fullKey) };
            continue;
        }
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const section = fullKey.slice(prefix.length);
        raw[section] = parseMaybeJson(value);
        if (isConfigSecret(fullKey)) {
            secretSections.push(section);
        }
    }
    const problems: string[] = [];
    let config: StackConfig | undefined;
    try {
        config = parseStackConfig(raw, { secretSections });
    } catch (error) {
        if (!(error instanceof ConfigError)) {
            throw error;
        }
        problems.push(...error.problems);
    }
    const readFile = (file: string): string | undefined => {
        try {
            return fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
    };
    const resolution = resolveClusterBinding({
        stack: pulumi.getStack(),
        kubernetes,
        // When the project config has problems too, still tell whether the stack opted in.
        useCurrentContext: config?.cluster.useCurrentContext ?? optsIntoCurrentContext(raw.cluster),
        homeDirectory: os.homedir(),
        fileExists: (file) => fs.existsSync(file),
        ambientContext: () => currentKubeconfigContext(process.env.KUBECONFIG, os.homedir(), readFile),
    });
    problems.push(...resolution.problems);
    if (config === undefined || !("binding" in resolution) || problems.length > 0) {
        throw new ConfigError(problems);
    }
    return { config, cluster: resolution.binding };
}

function optsIntoCurrentContext(cluster: unknown): boolean {
    const value = isPlainObject(cluster) ? cluster.useCurrentContext : undefined;
    return value === true || value === "true";
}
