// Assembles the analysis model from the validated config and the specs the program will emit, and
// turns the findings into the program's behaviour: errors stop the run before any resource exists,
// warnings go to the Pulumi log.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/errors";
import { StackConfig } from "../../config/schema";
import { sampleSubsetRules } from "../../inventory";
import { serviceHost } from "../../core/routes";
import { carriedClientTls } from "./client-tls";
import { istioRootNamespace } from "../../core/istio-names";
import { ingressGatewayWorkload, sampleWorkloads } from "../mesh-inventory";
import { ExternalPathModel, Finding, GatewayServerModel, MeshModel, analyzeMesh, formatFinding } from "./analysis";
import { destinationRuleSpecs, duplicatePolicyProblems, peerAuthenticationSpecs } from "./specs";

/** The fields of one Gateway server that the analysis reads. */
interface GatewayServerInput {
    port?: { number?: number; protocol?: string };
    tls?: { mode?: string; httpsRedirect?: boolean };
}

/** The servers of an Istio Gateway spec, as the analysis sees them. */
export function gatewayServersOf(gatewayName: string, spec: Record<string, unknown>): GatewayServerModel[] {
    const servers = (spec.servers ?? []) as readonly GatewayServerInput[];
    return servers.map((server) => ({
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
            { name: "default", namespace: istioRootNamespace, mode: config.mtls.mode },
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
                        ...(carried ? { mode: carried.mode, exception: carried.exception, carriedFrom: carried.source } : {}),
                    };
                }),
        ],
        workloads: [ingressGatewayWorkload, ...sampleWorkloads(config)],
        gatewayServers,
        externalPaths,
    };
}

/**
 * Runs the analysis and acts on it. Call it before creating any resource: a conflict then stops
 * `pulumi preview` with every conflict listed, and nothing is half-created.
 */
export function enforceMeshPolicy(config: StackConfig, gatewayServers: readonly GatewayServerModel[],
    externalPaths: readonly ExternalPathModel[]): Finding[] {
    const duplicates = duplicatePolicyProblems(config);
    if (duplicates.length > 0) {
        throw new ConfigError(duplicates);
    }
    const findings = analyzeMesh(meshModel(config, gatewayServers, externalPaths));
    const errors = findings.filter((finding) => finding.severity === "error");
    if (errors.length > 0) {
        throw new ConfigError(errors.map((finding) => `mTLS conflict: ${formatFinding(finding)}`));
    }
    for (const warning of findings.filter((finding) => finding.severity === "warning")) {
        void pulumi.log.warn(`mTLS: ${formatFinding(warning)}`);
    }
    return findings;
}
