// The only reader of the stack's config. It applies every default in code (the mock engine does not
// apply Pulumi.yaml defaults), validates the whole contract, and either returns one frozen, typed
// object or stops the program with every problem listed, before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { flatKeyProblems, isFlatKey } from "./flat-keys";
import { ContractRecorder, ObjectReader, Problems, setCommand } from "./reader";
import {
    RawConfig, StackConfig, gatewayServiceTypes, istioPlatforms, gatewayApiCrdOwners, gatewayTlsModes, keyAlgorithms, kialiAuthStrategies, meshMtlsModes, sizingProfiles, volumeAccessModes,
} from "./schema";
import { hostingCheck, readClientPolicy, readIks, readIstioVersion, readMesh, readMtlsPolicy, readRoute } from "./sections";
import {
    ambientEnrouteProblems, ambientProblems, iksServedHostProblems, managedNamespaceProblems, platformProblems,
} from "./cross-checks";
import { routeProblems } from "../core/routes";
import { dataplaneModes } from "../core/dataplane";
import { dns1123Subdomain, isGatewayHost, isPinnedImage } from "../core/names";
import {
    chartRepositoryProblem, defaultIstioChartRepository, defaultIstioHub, hubProblem, normalizeChartRepository, withoutCredentials,
} from "../core/istio-hosting";
import { defaultImages } from "../core/versions";

export interface ParseOptions {
    /** Top-level keys that Pulumi holds as secrets (`iks` when `iks.apiKey` was set with --secret). */
    secretSections?: readonly string[];
    /** Told of every key as it is read, with its type, default and allowed values (components/config/contract.ts). */
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
    const istioVersion = readIstioVersion(istio);
    const gatewayServiceType = istio.oneOf("gatewayServiceType", gatewayServiceTypes, "LoadBalancer");
    const chartRepository = normalizeChartRepository(istio.checkedString("chartRepository", defaultIstioChartRepository,
        hostingCheck("istio.chartRepository", defaultIstioChartRepository, chartRepositoryProblem),
        { patternText: "an https:// Helm repository or an oci:// registry", show: withoutCredentials }));
    const hub = istio.checkedString("hub", defaultIstioHub, hostingCheck("istio.hub", defaultIstioHub, hubProblem),
        { patternText: "an image registry and path without scheme or tag, like docker.io/istio" });
    const dataplane = istio.oneOf("dataplane", dataplaneModes, "sidecar");
    const platform = istio.oneOf("platform", istioPlatforms, "none", { example: "minikube" });
    // istio-cni: always in ambient mode (it redirects to ztunnel); in sidecar mode it takes over istio-init's
    // iptables setup, so no pod needs NET_ADMIN/NET_RAW and sample namespaces can enforce a Pod Security
    // level. Unset: on for profile production, off otherwise.
    const cniChoice = istio.optionalBoolean("cni");
    const istioConfig = {
        version: istioVersion, gatewayServiceType, chartRepository, hub, dataplane, platform,
        cni: dataplane === "ambient" || (cniChoice ?? profile === "production"),
        gatewayApiCrds: istio.oneOf("gatewayApiCrds", gatewayApiCrdOwners, "stack", { example: "cluster" }),
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
        rotation: pki.integer("rotation", 0, { min: 0, max: 1_000_000 }),
    };
    if (pkiConfig.renewBeforeHours >= pkiConfig.validityHours) {
        pki.problem("pki.renewBeforeHours",
            `pki.renewBeforeHours must be less than pki.validityHours (got ${pkiConfig.renewBeforeHours} >= ${pkiConfig.validityHours})`,
            setCommand("pki.renewBeforeHours", String(Math.floor(pkiConfig.validityHours / 10))));
    }
    pki.finish();

    const data = root.object("data");
    const dataConfig = { retainOnDestroy: data.boolean("retainOnDestroy", true), adoptKeptVolumes: data.boolean("adoptKeptVolumes", false) };
    data.finish();
    const meshConfig = readMesh(root, profile);

    const authorization = root.object("authorization");
    const authorizationConfig = { enabled: authorization.boolean("enabled", true) };
    authorization.finish();

    const wordpress = root.object("wordpress");
    const canary = wordpress.object("canary");
    const stable = wordpress.object("stable");
    const mysql = wordpress.object("mysql");
    const cli = wordpress.object("cli");
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
        xmlrpc: wordpress.boolean("xmlrpc", false),
        cliImage: image(cli, defaultImages.wordpressCli),
    };
    for (const reader of [canary, stable, mysql, cli, wordpress]) {
        reader.finish();
    }

    const bookinfo = root.object("bookinfo");
    const bookinfoConfig = { enabled: bookinfo.boolean("enabled", true) };
    bookinfo.finish();
    const httpbin = root.object("httpbin");
    const httpbinConfig = { enabled: httpbin.boolean("enabled", true) };
    httpbin.finish();

    const iksConfig = readIks(root, options.secretSections ?? []);
    iksServedHostProblems(iksConfig, wordpressConfig.hosts, gatewayConfig.hosts, wordpress, gateway);

    const kiali = root.object("kiali");
    const kialiConfig = {
        enabled: kiali.boolean("enabled", true),
        authStrategy: kiali.oneOf("authStrategy", kialiAuthStrategies, "token"),
        allowAnonymous: kiali.boolean("allowAnonymous", false),
    };
    if (kialiConfig.authStrategy === "anonymous" && !kialiConfig.allowAnonymous) {
        // Anonymous Kiali acts with its own ServiceAccount for whoever reaches it, which may write Istio config.
        kiali.problem("kiali.allowAnonymous",
            "kiali.allowAnonymous must be true to use kiali.authStrategy anonymous, which gives anyone who reaches Kiali its full access, " +
            "including changing the mesh's Istio configuration (got kiali.authStrategy anonymous, kiali.allowAnonymous false)",
            `${setCommand("kiali.authStrategy", "token")}, or, on a private cluster only, ${setCommand("kiali.allowAnonymous", "true")}`);
    }
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

    managedNamespaceProblems(mtls, mtlsConfig, {
        wordpress: wordpressConfig.enabled, bookinfo: bookinfoConfig.enabled, httpbin: httpbinConfig.enabled, enroute: enrouteConfig.enabled,
    });

    if (istioConfig.dataplane === "ambient") {
        ambientProblems(mtls, mtlsConfig.policies);
        ambientEnrouteProblems(enroute, enrouteConfig);
    }
    platformProblems(istio, istioConfig);

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
        data: dataConfig,
        mesh: meshConfig,
        authorization: authorizationConfig,
        wordpress: wordpressConfig,
        bookinfo: bookinfoConfig,
        httpbin: httpbinConfig,
        iks: iksConfig,
        kiali: kialiConfig,
        enroute: enrouteConfig,
    });
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
