// Assembles the analysis model from the validated config and the specs the program will emit, and
// turns the findings into pre-flight problems (components/preflight.ts): errors stop the run before any
// resource exists, warnings go to the Pulumi log.
import { StackConfig } from "../../config/schema";
import { sampleSubsetRules } from "../../inventory";
import { serviceHost } from "../../core/routes";
import { carriedClientTls } from "./client-tls";
import { istioRootNamespace } from "../../core/istio-names";
import { ingressGatewayWorkload, sampleWorkloads } from "../mesh-inventory";
import { ExternalPathModel, GatewayServerModel, MeshModel, analyzeMesh, formatFinding } from "./analysis";
import { destinationRuleSpecs, duplicatePolicyProblems, peerAuthenticationSpecs } from "./specs";

/** The fields of one Gateway server that the analysis reads. */
interface GatewayServerInput {
    port?: { number?: number; protocol?: string };
    tls?: { mode?: string; httpsRedirect?: boolean };
}

/** The servers of an Istio Gateway spec, as the analysis sees them. */
export function gatewayServersOf(gatewayName: string, spec: { servers?: readonly GatewayServerInput[] }): GatewayServerModel[] {
    return (spec.servers ?? []).map((server) => ({
        gateway: gatewayName,
        port: server.port?.number ?? 0,
        protocol: String(server.port?.protocol ?? ""),
        ...(server.tls?.mode ? { tlsMode: server.tls.mode } : {}),
        ...(server.tls?.httpsRedirect ? { httpsRedirect: true } : {}),
    }));
}

export function meshModel(config: StackConfig, gatewayServers: readonly GatewayServerModel[],
    externalPaths: readonly ExternalPathModel[]): MeshModel {
    return {
        rootNamespace: istioRootNamespace,
        dataplane: config.istio.dataplane,
        peerAuthentications: [
            { name: "default", namespace: istioRootNamespace, mode: config.mtls.mode, configKey: "mtls.mode" },
            ...peerAuthenticationSpecs(config),
        ],
        // The client policies' rules, and the samples' own specific rules with whatever TLS they carry:
        // Istio applies the most specific rule per host, so a wildcard reaches only hosts without one.
        destinationRules: [
            ...destinationRuleSpecs(config),
            ...sampleSubsetRules({ wordpress: config.wordpress.enabled, bookinfo: config.bookinfo.enabled, httpbin: config.httpbin.enabled })
                .map((rule) => {
                    const carried = carriedClientTls(config, rule.service, rule.namespace);
                    return {
                        name: rule.service, namespace: rule.namespace, host: serviceHost(rule.service, rule.namespace),
                        ...(carried ? { mode: carried.mode, exception: carried.exception, carriedFrom: carried.source, configKey: carried.source } : {}),
                    };
                }),
        ],
        workloads: [ingressGatewayWorkload, ...sampleWorkloads(config)],
        gatewayServers,
        externalPaths,
        // mesh/authorization/rules.ts: a deny-all and principal-only ALLOWs in every sample namespace.
        identityOnlyNamespaces: config.authorization.enabled ? [...new Set(sampleWorkloads(config).map((workload) => workload.namespace))] : [],
    };
}

/**
 * The analysis as pre-flight problems: conflicts (and duplicated scopes) are problems that stop the run
 * before any resource; warnings (accepted exceptions) are returned for the log.
 */
export function meshPolicyProblems(config: StackConfig, gatewayServers: readonly GatewayServerModel[],
    externalPaths: readonly ExternalPathModel[]): { problems: string[]; warnings: string[] } {
    const duplicates = duplicatePolicyProblems(config);
    if (duplicates.length > 0) {
        // Two policies for one scope make the model ambiguous: report them alone, the analysis would only echo them.
        return { problems: duplicates, warnings: [] };
    }
    const findings = analyzeMesh(meshModel(config, gatewayServers, externalPaths));
    return {
        problems: findings.filter((finding) => finding.severity === "error").map((finding) => `mTLS conflict: ${formatFinding(finding)}`),
        warnings: findings.filter((finding) => finding.severity === "warning").map((finding) => `mTLS: ${formatFinding(finding)}`),
    };
}
