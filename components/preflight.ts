// Every check that precedes the first resource, in one pass: the config and the cluster binding, then,
// on a valid config, the combined gateway route table, the mTLS analysis and ambient authorization. One
// error lists every problem found, each with its fix, so a user fixes their stack in one round instead
// of one stage at a time. Only a config that cannot be read at all stops before the later checks (they
// need its values); everything after that is reported together.
import * as pulumi from "@pulumi/pulumi";
import { ClusterBinding } from "./cluster/cluster-binding";
import { ConfigError } from "./config/errors";
import { readStack } from "./config/load";
import { StackConfig } from "./config/schema";
import { GatewayHttpRoute } from "./core/routes";
import { gatewaySelector, gatewayReleaseName, istioRootNamespace, meshGatewayName } from "./core/istio-names";
import { gatewayTlsMode, configuredGatewayHosts } from "./edge/gateway-plan";
import { routeConflicts, userGatewayRoutes } from "./edge/gateway-routes";
import { GatewayTlsMode, gatewaySpec } from "./edge/gateway-spec";
import { albExternalPaths } from "./ibm/alb-spec";
import { ambientAuthorizationProblems } from "./mesh/authorization/ambient-analysis";
import { userRouteProblems } from "./mesh/authorization/rules";
import { gatewayServersOf, meshPolicyProblems } from "./mesh/mtls/mesh-model";
import { sampleGatewayRoutes } from "./samples/sample-routes";
import { sidecarWithoutCniWarnings } from "./security/namespace-pod-security";

/** What the program builds from, once every check has passed. */
export interface CheckedStack {
    readonly config: StackConfig;
    readonly cluster: ClusterBinding;
    /** The stack's name, read once here and handed to the components that need it. */
    readonly stackName: string;
    /** Every route through the gateway (the user's and the samples'), as one table without conflicts. */
    readonly gatewayRoutes: readonly GatewayHttpRoute[];
    /** MUTUAL behind the IKS ALB, else gateway.tlsMode. */
    readonly tlsMode: GatewayTlsMode;
}

/** The checks that need a valid config; returns the problems and the warnings for the log. */
export function planProblems(config: StackConfig): { gatewayRoutes: GatewayHttpRoute[]; tlsMode: GatewayTlsMode; problems: string[]; warnings: string[] } {
    const gatewayRoutes = [...userGatewayRoutes(config.gateway.routes), ...sampleGatewayRoutes(config)];
    const tlsMode = gatewayTlsMode(config);
    // The analysis reads the gateway's servers, not its credential.
    const plannedGatewayServers = gatewayServersOf(meshGatewayName, gatewaySpec({
        selector: gatewaySelector, hosts: configuredGatewayHosts(config), tlsMode, credentialName: "not-analysed",
        routeNamespaces: [{ namespace: istioRootNamespace, hosts: configuredGatewayHosts(config) }],
    }));
    const meshPolicy = meshPolicyProblems(config, plannedGatewayServers, albExternalPaths(config, `${gatewayReleaseName}:443`));
    return {
        gatewayRoutes,
        tlsMode,
        problems: [...routeConflicts(gatewayRoutes), ...meshPolicy.problems, ...ambientAuthorizationProblems(config), ...userRouteProblems(config)],
        warnings: [...meshPolicy.warnings, ...sidecarWithoutCniWarnings(config.istio)],
    };
}

/** Runs every pre-resource check; throws one ConfigError with all problems, or returns the checked stack. */
export function preflight(): CheckedStack {
    const reading = readStack();
    const { config, cluster, stackName } = reading;
    if (config === undefined) {
        // The later checks need the config's values.
        throw new ConfigError(reading.problems);
    }
    const { gatewayRoutes, tlsMode, problems, warnings } = planProblems(config);
    const all = [...reading.problems, ...problems];
    if (cluster === undefined || all.length > 0) {
        throw new ConfigError(all);
    }
    for (const warning of warnings) {
        void pulumi.log.warn(warning);
    }
    return { config, cluster, stackName, gatewayRoutes, tlsMode };
}
