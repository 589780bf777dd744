// Finds mutual-TLS conflicts in the intended configuration before anything is deployed, the job
// `istioctl authn tls-check` did until Istio 1.6 and the retired IST0113 analyzer after it. It works
// on a plain model (policies, client rules, workloads, gateway servers, external paths) so it can
// be tested on its own and run from the program before any resource is registered.
import { setCommand } from "../../config/reader";
import { serviceHost } from "../../core/routes";
import { DataplaneMode } from "../../core/dataplane";
import { MeshWorkload } from "../mesh-inventory";

export type ServerMode = "STRICT" | "PERMISSIVE" | "DISABLE" | "UNSET";
export type ClientMode = "DISABLE" | "SIMPLE" | "MUTUAL" | "ISTIO_MUTUAL";

export interface PeerAuthenticationModel {
    name: string;
    namespace: string;
    selector?: Readonly<Record<string, string>>;
    mode: ServerMode;
    /** Container port → mode; only meaningful with a selector. */
    ports?: Readonly<Record<string, ServerMode>>;
    /** The user accepted this non-STRICT scope under a STRICT mesh. */
    exception?: boolean;
    /** The config key it comes from (`mtls.mode`, `mtls.policies[1]`), so a fix names the key to set. */
    configKey?: string;
}

export interface DestinationRuleModel {
    name: string;
    namespace: string;
    host: string;
    /** Its top-level `trafficPolicy.tls.mode`; absent: no TLS setting (auto mTLS decides). */
    mode?: ClientMode;
    exception?: boolean;
    /** The config key its TLS setting was carried from (a wildcard client policy), for messages. */
    carriedFrom?: string;
    /** The config key its TLS setting comes from (`mtls.clientPolicies[0]`), its own or carried, for fixes. */
    configKey?: string;
}

export interface GatewayServerModel {
    gateway: string;
    port: number;
    protocol: string;
    tlsMode?: string;
    httpsRedirect?: boolean;
}

/** A hop into the mesh from outside it, e.g. the IKS ALB to the ingress gateway. */
export interface ExternalPathModel {
    name: string;
    protocol: "HTTP" | "HTTPS";
    target: string;
}

export interface MeshModel {
    rootNamespace: string;
    /** Which data plane enforces the policies; sidecar when not given. */
    dataplane?: DataplaneMode;
    peerAuthentications: readonly PeerAuthenticationModel[];
    destinationRules: readonly DestinationRuleModel[];
    workloads: readonly MeshWorkload[];
    gatewayServers: readonly GatewayServerModel[];
    externalPaths: readonly ExternalPathModel[];
    /**
     * Namespaces where authorization denies by default and allows only by workload identity (principals):
     * a caller without mTLS has no identity there, so nothing lets it in.
     */
    identityOnlyNamespaces?: readonly string[];
}

export interface Finding {
    severity: "error" | "warning";
    message: string;
    /** The objects involved, as `Kind namespace/name`. */
    objects: string[];
    fix: string;
}

const paRef = (pa: PeerAuthenticationModel) => `PeerAuthentication ${pa.namespace}/${pa.name}`;
const drRef = (dr: DestinationRuleModel) => `DestinationRule ${dr.namespace}/${dr.name}` +
    (dr.carriedFrom ? ` (TLS carried from ${dr.carriedFrom})` : "");
const workloadRef = (workload: MeshWorkload) => `workload ${workload.namespace}/${workload.name}`;

/** The keys of a policy that set `mode` (its own mode, and its ports'), e.g. `mtls.policies[0].ports.3306`. */
function modeKeys(pa: PeerAuthenticationModel, modes: readonly ServerMode[]): string[] {
    const key = pa.configKey;
    if (key === undefined) {
        return [];
    }
    if (key === "mtls.mode") {
        return modes.includes(pa.mode) ? [key] : [];
    }
    return [
        ...(modes.includes(pa.mode) ? [`${key}.mode`] : []),
        ...Object.entries(pa.ports ?? {}).filter(([, mode]) => modes.includes(mode)).map(([port]) => `${key}.ports.${port}`),
    ];
}

/** `pulumi config set --path` for each key, joined with "and": every key needs the new value. */
const setAll = (keys: readonly string[], value: string): string => keys.map((key) => setCommand(key, value)).join(" and ");

/**
 * Where a config entry lives when it has to go. `--path` keys parse as in Pulumi's ParsePropertyPath
 * (sdk/go/common/resource/properties_path.go: `a[0].ports.3306` is index 0, then the string key "3306"),
 * but removing index 0 that way sets it to null (PropertyPath.Delete) rather than shortening the list,
 * which the reader would refuse: the entry is deleted from the stack file by hand instead.
 */
const removeEntry = (key: string): string => `delete the entry ${key} from the stack's Pulumi.<stack>.yaml`;

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

interface EffectiveMode {
    mode: Exclude<ServerMode, "UNSET">;
    /** The policy that decided it; undefined when Istio's built-in default (PERMISSIVE) applies. */
    source?: PeerAuthenticationModel;
}

/**
 * The mode a workload's sidecar enforces on one container port, by Istio's precedence: a matching
 * workload policy (its port-level setting first), then the namespace policy, then the mesh policy in
 * the root namespace; UNSET inherits from the next level; with nothing set, PERMISSIVE.
 */
export function effectiveServerMode(model: MeshModel, workload: MeshWorkload, targetPort: number): EffectiveMode {
    const inNamespace = model.peerAuthentications.filter((pa) => pa.namespace === workload.namespace);
    const workloadPolicies = workload.namespace === model.rootNamespace ? [] :
        inNamespace.filter((pa) => pa.selector && selects(pa.selector, workload.podLabels));
    for (const pa of workloadPolicies) {
        const portMode = pa.ports?.[String(targetPort)];
        if (portMode && portMode !== "UNSET") {
            return { mode: portMode, source: pa };
        }
        if (pa.mode !== "UNSET") {
            return { mode: pa.mode, source: pa };
        }
    }
    const levels = [
        inNamespace.find((pa) => !pa.selector),
        model.peerAuthentications.find((pa) => pa.namespace === model.rootNamespace && !pa.selector),
    ];
    for (const pa of levels) {
        if (pa && pa.mode !== "UNSET") {
            return { mode: pa.mode, source: pa };
        }
    }
    return { mode: "PERMISSIVE" };
}

/** The workloads (and their Service ports) a DestinationRule host refers to, resolved as Istio does. */
export function workloadsForHost(model: MeshModel, host: string, ruleNamespace: string): { workload: MeshWorkload; port: number }[] {
    const matches = (service: string, namespace: string): boolean => {
        const name = serviceHost(service, namespace);
        if (host === "*") {
            return true;
        }
        if (host.startsWith("*.")) {
            return name.endsWith(host.slice(1));
        }
        // Short names are relative to the rule's namespace; `svc.ns` to the cluster domain.
        const expanded = host.includes(".") ? (host.endsWith(".svc.cluster.local") ? host : `${host}.svc.cluster.local`)
            : serviceHost(host, ruleNamespace);
        return name === expanded;
    };
    return model.workloads.flatMap((workload) => {
        const service = workload.service;
        if (!service || !matches(service.name, workload.namespace)) {
            return [];
        }
        return service.ports.map((port) => ({ workload, port: port.targetPort }));
    });
}

/**
 * The workloads a rule really applies to. Istio picks the most specific rule per host and never merges
 * a wildcard into a specific one (pilot/pkg/model/destination_rule.go), so a wildcard rule skips every
 * host that has a rule for its exact name.
 */
export function appliedTargets(model: MeshModel, dr: DestinationRuleModel): { workload: MeshWorkload; port: number }[] {
    const targets = workloadsForHost(model, dr.host, dr.namespace);
    if (!dr.host.startsWith("*")) {
        return targets;
    }
    const specificHosts = new Set(model.destinationRules.filter((rule) => !rule.host.startsWith("*")).map((rule) => rule.host));
    return targets.filter(({ workload }) => !(workload.service && specificHosts.has(serviceHost(workload.service.name, workload.namespace))));
}

/**
 * What PERMISSIVE means in ambient mode. ztunnel always connects enrolled pods over HBONE with mTLS, so
 * PERMISSIVE only opens an enrolled pod to plaintext from clients outside the mesh (istio.io reference,
 * PeerAuthentication: in ambient mode "STRICT mode is useful to ensure that connections that bypass the
 * mesh are not possible").
 */
const ambientPermissive = "in ambient mode ztunnel accepts plaintext from clients outside the mesh for these pods; enrolled pods still talk mTLS (HBONE) with each other";

export function analyzeMesh(model: MeshModel): Finding[] {
    const findings: Finding[] = [];
    const meshPolicy = model.peerAuthentications.find((pa) => pa.namespace === model.rootNamespace && !pa.selector);
    const meshStrict = meshPolicy?.mode === "STRICT";
    const ambient = model.dataplane === "ambient";

    if (!meshStrict) {
        findings.push({
            severity: "warning",
            message: `the mesh-wide mode is ${meshPolicy?.mode ?? "unset (Istio's default, PERMISSIVE)"}: ` +
                (ambient ? ambientPermissive : "sidecars accept plaintext"),
            objects: meshPolicy ? [paRef(meshPolicy)] : [],
            fix: "pulumi config set --path mtls.mode STRICT",
        });
    }

    for (const pa of model.peerAuthentications) {
        if (pa.selector && pa.namespace === model.rootNamespace) {
            findings.push({
                severity: "error",
                message: `${paRef(pa)} has a selector in the root namespace, where Istio ignores it`,
                objects: [paRef(pa)], fix: pa.configKey
                    ? `move it to the workload's namespace: ${setCommand(`${pa.configKey}.namespace`, "<namespace>")}`
                    : "move it to the workload's namespace",
            });
        }
        if (pa.ports && !pa.selector) {
            findings.push({
                severity: "error", message: `${paRef(pa)} sets port-level mTLS without a selector`,
                objects: [paRef(pa)], fix: pa.configKey
                    ? `add a selector for the workload whose ports it means: ${setCommand(`${pa.configKey}.selector.app`, "<app label>")}`
                    : "add a selector for the workload whose ports it means",
            });
        }
        const disabled = pa.mode === "DISABLE" || Object.values(pa.ports ?? {}).includes("DISABLE");
        if (ambient && disabled) {
            findings.push({
                severity: "error",
                message: `${paRef(pa)} sets DISABLE, which ztunnel ignores in ambient mode: the workload stays on mTLS`,
                objects: [paRef(pa)],
                fix: pa.configKey
                    ? `use PERMISSIVE: ${setAll(modeKeys(pa, ["DISABLE"]), "PERMISSIVE")}; or the sidecar data plane: ${setCommand("istio.dataplane", "sidecar")}`
                    : "use PERMISSIVE, or the sidecar data plane for this stack",
            });
        }
        const plaintext = [
            ...(pa.mode === "PERMISSIVE" || pa.mode === "DISABLE" ? [`mode ${pa.mode}`] : []),
            ...Object.entries(pa.ports ?? {}).filter(([, mode]) => mode === "PERMISSIVE" || mode === "DISABLE")
                .map(([port, mode]) => `port ${port} ${mode}`),
        ];
        if (plaintext.length > 0 && pa !== meshPolicy && (model.identityOnlyNamespaces ?? []).includes(pa.namespace)) {
            // The documented "legacy client on MySQL" exception cannot work: the port accepts plaintext, but
            // every ALLOW in the namespace names principals, which only an mTLS peer has (istio.io
            // AuthorizationPolicy Source.principals "requires mTLS enabled"), so the plaintext client is denied.
            findings.push({
                severity: "error",
                message: `${paRef(pa)} (mtls.policies) accepts plaintext (${plaintext.join(", ")}), but authorization.enabled ` +
                    `denies every caller in ${pa.namespace} that has no workload identity, and a plaintext client has none: the exception is unreachable`,
                objects: [paRef(pa)],
                fix: (pa.configKey
                    ? `end the exception (a plaintext client cannot reach ${pa.namespace} anyway): ` +
                        `${setAll(modeKeys(pa, ["PERMISSIVE", "DISABLE"]), "STRICT")}, or ${removeEntry(pa.configKey)}; or `
                    : "") + `${setCommand("authorization.enabled", "false")} for this stack`,
            });
        }
        if (!meshStrict || pa === meshPolicy) {
            continue;
        }
        const weakened = [
            ...(pa.mode === "PERMISSIVE" || pa.mode === "DISABLE" ? [`mode ${pa.mode}`] : []),
            ...Object.entries(pa.ports ?? {}).filter(([, mode]) => mode === "PERMISSIVE" || mode === "DISABLE")
                .map(([port, mode]) => `port ${port} ${mode}`),
        ];
        if (weakened.length > 0) {
            findings.push({
                severity: pa.exception ? "warning" : "error",
                message: `${paRef(pa)} weakens the STRICT mesh (${weakened.join(", ")})` +
                    (pa.exception ? " — accepted as an exception" : "") + (ambient ? `; ${ambientPermissive}` : ""),
                objects: [paRef(pa)],
                fix: weakeningFix(pa),
            });
        }
    }

    for (const dr of model.destinationRules) {
        if (dr.mode === undefined) {
            continue;
        }
        const targets = appliedTargets(model, dr);
        const plaintext = dr.mode === "DISABLE" || dr.mode === "SIMPLE";
        for (const { workload, port } of targets) {
            const server = effectiveServerMode(model, workload, port);
            const decidedBy = server.source ? [paRef(server.source)] : [];
            if (server.mode === "STRICT" && dr.mode !== "ISTIO_MUTUAL") {
                findings.push({
                    severity: dr.mode === "MUTUAL" ? "warning" : "error",
                    message: `${drRef(dr)} sends ${dr.mode === "DISABLE" ? "plaintext" : dr.mode === "SIMPLE" ? "one-way TLS" : "TLS with its own client certificate"} ` +
                        `to ${dr.host}, but ${workloadRef(workload)} requires Istio mTLS on port ${port} (STRICT` +
                        `${server.source ? ` by ${paRef(server.source)}` : ""}): ` +
                        (dr.mode === "MUTUAL" ? "the call fails unless that certificate comes from the mesh CA" : "calls fail with 503"),
                    objects: [drRef(dr), ...decidedBy, workloadRef(workload)],
                    fix: dr.configKey
                        ? `${setCommand(`${dr.configKey}.mode`, "ISTIO_MUTUAL")}, or ${removeEntry(dr.configKey)} (auto mTLS picks the right mode)`
                        : `set trafficPolicy.tls.mode ISTIO_MUTUAL in ${drRef(dr)} or remove its tls setting (auto mTLS picks the right mode)`,
                });
            } else if (server.mode === "DISABLE" && dr.mode === "ISTIO_MUTUAL") {
                findings.push({
                    severity: "error",
                    message: `${drRef(dr)} sends Istio mTLS to ${dr.host}, but ${workloadRef(workload)} accepts only plaintext on port ${port}` +
                        `${server.source ? ` (DISABLE by ${paRef(server.source)})` : ""}`,
                    objects: [drRef(dr), ...decidedBy, workloadRef(workload)],
                    fix: disabledServerFix(dr, server.source),
                });
            }
        }
        if (plaintext && meshStrict && targets.length > 0) {
            findings.push({
                severity: dr.exception ? "warning" : "error",
                message: `${drRef(dr)} turns off Istio mTLS (${dr.mode}) for ${dr.host} in a STRICT mesh` +
                    (dr.exception ? " — accepted as an exception" : ""),
                objects: [drRef(dr)],
                fix: plaintextClientFix(dr),
            });
        }
    }

    for (const server of model.gatewayServers) {
        const where = `Gateway ${server.gateway} port ${server.port}`;
        const protocol = server.protocol.toUpperCase();
        if ((protocol === "HTTP" || protocol === "HTTP2") && !server.httpsRedirect) {
            findings.push({
                severity: "error", message: `${where} serves plaintext HTTP into the mesh`,
                objects: [`Gateway ${server.gateway}`], fix: "set tls.httpsRedirect on it, or remove the server",
            });
        } else if (protocol === "HTTPS" && !server.tlsMode) {
            findings.push({
                severity: "error", message: `${where} is HTTPS without a TLS mode`,
                objects: [`Gateway ${server.gateway}`], fix: "set tls.mode SIMPLE or MUTUAL with a credentialName",
            });
        }
    }

    for (const path of model.externalPaths) {
        if (path.protocol === "HTTP") {
            findings.push({
                severity: "error", message: `${path.name} reaches ${path.target} in plaintext`,
                objects: [path.name], fix: "re-encrypt to the gateway over HTTPS (backend-protocol HTTPS)",
            });
        }
    }
    return findings;
}

/** A scope that weakens a STRICT mesh: set each weakening key to STRICT, or accept it (or end the exception). */
function weakeningFix(pa: PeerAuthenticationModel): string {
    const key = pa.configKey;
    if (key === undefined) {
        return pa.exception ? "remove the exception once the workload speaks mTLS"
            : "make it STRICT, or mark it accepted with exception: true in mtls.policies";
    }
    if (pa.exception) {
        return `once the workload speaks mTLS, ${setAll(modeKeys(pa, ["PERMISSIVE", "DISABLE"]), "STRICT")} and ${setCommand(`${key}.exception`, "false")}`;
    }
    return `make it STRICT: ${setAll(modeKeys(pa, ["PERMISSIVE", "DISABLE"]), "STRICT")}; ` +
        `or accept it as a deliberate exception: ${setCommand(`${key}.exception`, "true")}`;
}

/** Istio mTLS to a server that accepts only plaintext: open the server up, or drop the client's TLS setting. */
function disabledServerFix(dr: DestinationRuleModel, server: PeerAuthenticationModel | undefined): string {
    const serverKeys = server ? modeKeys(server, ["DISABLE"]) : [];
    const serverSide = serverKeys.length > 0 ? `make the server PERMISSIVE: ${setAll(serverKeys, "PERMISSIVE")}` : "make the server PERMISSIVE or STRICT";
    const clientSide = dr.configKey ? removeEntry(dr.configKey) : `remove the tls setting from ${drRef(dr)}`;
    return `${serverSide}; or ${clientSide}`;
}

/** A client policy that turns Istio mTLS off in a STRICT mesh: back to ISTIO_MUTUAL, or accept it (or end the exception). */
function plaintextClientFix(dr: DestinationRuleModel): string {
    const key = dr.configKey;
    if (key === undefined) {
        return dr.exception ? "remove the exception once the service speaks mTLS" : "use ISTIO_MUTUAL, or mark it accepted with exception: true";
    }
    if (dr.exception) {
        return `once the service speaks mTLS, ${setCommand(`${key}.mode`, "ISTIO_MUTUAL")} and ${setCommand(`${key}.exception`, "false")}`;
    }
    return `${setCommand(`${key}.mode`, "ISTIO_MUTUAL")}; or accept it as a deliberate exception: ${setCommand(`${key}.exception`, "true")}`;
}

/** One line per finding, with the fix, for error messages and logs. */
export function formatFinding(finding: Finding): string {
    return `${finding.message} [${finding.objects.join("; ")}]. Fix: ${finding.fix}`;
}
