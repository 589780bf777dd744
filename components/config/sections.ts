// Readers of the sections of the config that have structure of their own: routes, mTLS scopes, client
// policies, the IKS section, Istio's version and hosting. Each reports its problems through the reader
// it is given (key, value, fix) and returns what it could read.
import * as pulumi from "@pulumi/pulumi";
import { ObjectReader, isPlainObject, parseMaybeJson, setCommand } from "./reader";
import { ClientPolicyConfig, MeshCaMode, MtlsPolicyConfig, PeerAuthenticationMode, SizingProfile, StackConfig, clientTlsModes, meshCaModes, rootRotationSteps, iksAlbIngressClasses, iksInfrastructures, iksLoadBalancerVisibilities, peerAuthenticationModes } from "./schema";
import { PrefixRoute, routePrefixPattern, routePrefixText } from "../core/routes";
import { dns1035Label, dns1123Label, labelKey, labelValue, semver } from "../core/names";
import { HostingProblem } from "../core/istio-hosting";
import { defaultIstioVersion, istioLineOf, supportedIstioRange } from "../core/versions";

/** istio.version: a release of a supported minor line, so charts, values, samples and Kiali are known to match. */
export function readIstioVersion(istio: ObjectReader): string {
    const version = istio.string("version", defaultIstioVersion, { pattern: semver, patternText: `a release of a supported Istio line: ${supportedIstioRange()}` });
    if (!istioLineOf(version)) {
        istio.problem("istio.version", `istio.version must be a release of a supported Istio line: ${supportedIstioRange()} ` +
            `(got ${JSON.stringify(version)})`, setCommand("istio.version", defaultIstioVersion));
        return defaultIstioVersion;
    }
    return version;
}

/** A hosting rule as a reader check: its problem, and a fix that sets the default or names the alternatives. */
export function hostingCheck(key: string, fallback: string, problemOf: (value: string) => HostingProblem | undefined) {
    return (value: string) => {
        const problem = problemOf(value);
        return problem ? { message: problem.message, fix: `${setCommand(key, fallback)} (${problem.alternatives})` } : undefined;
    };
}

/** One `{prefix, service, namespace, port}` entry of `gateway.routes` or `enroute.routes`. */
export function readRoute(section: ObjectReader, item: unknown, key: string): PrefixRoute | undefined {
    if (!isPlainObject(item)) {
        section.problem(key, `${key} must be an object {prefix, service, namespace, port} (got ${JSON.stringify(item)})`,
            setCommand(`${key}.prefix`, "/api/freight-rating"));
        return undefined;
    }
    const routeReader = section.reader(key, item);
    const prefix = routeReader.string("prefix", "", {
        pattern: routePrefixPattern, patternText: routePrefixText, example: "/api/freight-rating",
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

export function readMtlsPolicy(mtls: ObjectReader, item: unknown, key: string): MtlsPolicyConfig | undefined {
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

export function readClientPolicy(mtls: ObjectReader, item: unknown, key: string): ClientPolicyConfig | undefined {
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

/** `iks`; `secretSections` are the top-level keys Pulumi holds as secrets (a plain `iks.apiKey` is refused). */
export function readIks(root: ObjectReader, secretSections: readonly string[]): StackConfig["iks"] {
    const iks = root.object("iks");
    const alb = iks.object("alb");
    const enabled = iks.boolean("enabled", false);
    const cluster = iks.optionalString("cluster", { pattern: /^[A-Za-z0-9][-A-Za-z0-9_.]{0,99}$/, patternText: "a cluster name or ID", example: "my-cluster" });
    const region = iks.optionalString("region", { pattern: /^[a-z]{2}-[a-z]+(-\d)?$/, patternText: "an IBM Cloud region like us-south", example: "us-south" });
    const infrastructure = iks.oneOf("infrastructure", iksInfrastructures, "classic");
    const apiKeyValue = iks.optionalString("apiKey", {
        secret: true,
        fix: "pulumi config set --path --secret iks.apiKey < ibmcloud-api-key.txt (a file holding only the key)",
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
        iks.problem("iks.cluster", "iks.cluster is required when iks.enabled is true (got nothing)", setCommand("iks.cluster", "<cluster name or ID>"));
    }
    if (enabled && !region) {
        iks.problem("iks.region", "iks.region is required when iks.enabled is true (got nothing)", setCommand("iks.region", "us-south"));
    }
    if (enabled && infrastructure === "classic" && loadBalancerConfig.visibility === "private") {
        // IBM: "You currently can't create subdomains for private NLBs" (classic NLB DNS docs).
        iks.problem("iks.loadBalancer.visibility", "iks.loadBalancer.visibility private is not possible on classic " +
            "infrastructure (got \"private\"): IBM registers NLB DNS subdomains only for public classic load balancers",
        setCommand("iks.loadBalancer.visibility", "public"));
    }
    if (enabled && albConfig.enabled && albConfig.ingressClass.startsWith("private-")) {
        // IBM: "Private ALBs do not reference the IBM-provided Ingress subdomain and instead require a custom domain."
        iks.problem("iks.alb.ingressClass", `iks.alb.ingressClass ${albConfig.ingressClass} needs a custom domain and ` +
            `certificate, which this stack does not configure (got "${albConfig.ingressClass}"): private ALBs do not serve the ` +
            "IBM-provided Ingress subdomain", `${setCommand("iks.alb.ingressClass", "public-iks-traefik")}, or ${setCommand("iks.alb.enabled", "false")}`);
    }
    if (apiKeyValue !== undefined && !secretSections.includes("iks")) {
        // Never echo the value: it is a credential that was stored in plain text.
        iks.problem("iks.apiKey", "iks.apiKey is stored in plain text in the stack config",
            "pulumi config rm --path iks.apiKey && pulumi config set --path --secret iks.apiKey < ibmcloud-api-key.txt");
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

/** `<org>/<project>/<stack>`, the fully qualified stack name a StackReference needs. */
export const rootStackName = /^[A-Za-z0-9][-A-Za-z0-9_.]*\/[A-Za-z0-9][-A-Za-z0-9_.]*\/[A-Za-z0-9][-A-Za-z0-9_.]*$/;

/**
 * `mesh`: the workload identity CA. An unset `mesh.ca` follows the profile (production gets the stack's
 * CA, as Istio advises against its self-signed root in production); every choice stays visible in the
 * config reference. Rotation keys belong to the stack that holds the root.
 */
export function readMesh(root: ObjectReader, profile: SizingProfile): StackConfig["mesh"] {
    const mesh = root.object("mesh");
    const chosen = mesh.oneOf<MeshCaMode | "">("ca", meshCaModes, "", { example: "stack" });
    const ca: MeshCaMode = chosen === "" ? (profile === "production" ? "stack" : "istiod") : chosen;
    const rootStack = mesh.optionalString("rootStack", {
        pattern: rootStackName, patternText: "a stack name <org>/<project>/<stack>", example: "my-org/iks-mesh-root/prod",
    });
    const rootGeneration = mesh.integer("rootGeneration", 1, { min: 1, max: 1000 });
    const rootRotation = mesh.oneOf("rootRotation", rootRotationSteps, "steady");
    mesh.finish();
    if (ca === "istiod" && rootStack !== undefined) {
        mesh.problem("mesh.rootStack", `mesh.rootStack needs mesh.ca stack: istiod signs with its own root (got mesh.ca ${ca})`,
            `${setCommand("mesh.ca", "stack")}, or pulumi config rm --path mesh.rootStack`);
    }
    const rotationSet = mesh.raw("rootGeneration") !== undefined || mesh.raw("rootRotation") !== undefined;
    if (rootStack !== undefined && rotationSet) {
        mesh.problem("mesh.rootGeneration", `mesh.rootGeneration and mesh.rootRotation belong to the root stack ${rootStack} when mesh.rootStack is set`,
            "pulumi config rm --path mesh.rootGeneration; pulumi config rm --path mesh.rootRotation; set them in the mesh-root stack as rootGeneration and rootRotation (docs/security.md, Mesh CA runbook)");
    }
    if (rootRotation !== "steady" && rootGeneration < 2) {
        // Keyed on the generation: the rotation step is valid, the generation it names is what is missing.
        mesh.problem("mesh.rootGeneration", `mesh.rootGeneration must be 2 or more with mesh.rootRotation ${rootRotation}: it names the ` +
            `new root, and generation 1 has no previous root to rotate from (got ${rootGeneration})`,
        setCommand("mesh.rootGeneration", String(rootGeneration + 1)));
    }
    return { ca, rootGeneration, rootRotation, ...(rootStack !== undefined ? { rootStack } : {}) };
}
