// Least-privilege service-to-service access for the samples: every sample namespace denies all by
// default, and each call the applications make is allowed by the caller's workload identity (its
// service account, which only mutual TLS can prove). The graph below is the samples' real call graph.
import { sampleNamespaces, wordpressNames } from "../../inventory";
import { StackConfig } from "../../config/schema";
import { PrefixRoute } from "../../core/routes";
import { DataplaneMode } from "../../core/dataplane";
import { enrouteNamespace, enrouteServiceAccount } from "../../edge/enroute/values";
import { createHash } from "crypto";
import { MeshWorkload, ingressGatewayWorkload, principal, sampleWorkloads } from "../mesh-inventory";

/** A policy's binding by name (PolicyTargetReference in the AuthorizationPolicy CRD): a Service, or the namespace's waypoint Gateway. */
export interface TargetRef {
    group: string;
    kind: "Gateway" | "Service";
    name: string;
}

/**
 * The fields of Istio's `security.istio.io/v1` AuthorizationPolicy spec this stack sets (selector,
 * targetRefs, action, and Rule's from.source.principals, to.operation.ports and paths, in the
 * AuthorizationPolicy CRD, reference/istio-1.30.3 crd-all.gen.yaml). An empty spec is an ALLOW that
 * matches nothing: the namespace's deny-all.
 */
export interface IstioAuthorizationPolicySpec {
    selector?: { matchLabels: Record<string, string> };
    targetRefs?: TargetRef[];
    action?: "ALLOW" | "DENY";
    rules?: IstioAuthorizationRule[];
}

export interface IstioAuthorizationRule {
    from?: { source: { principals: string[] } }[];
    to?: { operation: { ports?: string[]; paths?: string[] } }[];
}

export interface AuthorizationPolicySpec {
    name: string;
    namespace: string;
    spec: IstioAuthorizationPolicySpec;
}

/** The backends of a Service the inventory knows, and the container ports behind the given Service port. */
function serviceBackends(workloads: readonly MeshWorkload[], namespace: string, service: string, port: number): { app?: string; targetPorts: string[] } {
    const backends = workloads.filter((workload) => workload.namespace === namespace && workload.service?.name === service);
    const targetPorts = [...new Set(backends.flatMap((workload) => (workload.service?.ports ?? [])
        .filter((candidate) => candidate.port === port).map((candidate) => String(candidate.targetPort))))];
    return { app: backends[0]?.podLabels.app, targetPorts };
}

/** A stable, DNS-safe name part for a route prefix (prefixes hold characters names cannot). */
function prefixTag(prefix: string): string {
    return createHash("sha256").update(prefix).digest("hex").slice(0, 8);
}

/**
 * A `gateway.routes` entry into a sample namespace would hit its deny-all: one ALLOW per route, for the
 * ingress gateway's identity, on exactly that route's paths, and on that route's Service only. Sidecar
 * mode needs the Service's pods and container port (a selector and ports): only a Service the inventory
 * knows (a sample's) resolves at preview; anything else is a preview error (userRouteProblems). In
 * ambient mode the paths are enforced at the namespace's waypoint, bound to the route's Service by name
 * (targetRefs), which needs no pod labels. Routes elsewhere need nothing: no deny-all to open.
 */
function userRouteAllow(route: PrefixRoute, dataplane: DataplaneMode, workloads: readonly MeshWorkload[], namespaces: readonly string[]): AuthorizationPolicySpec[] {
    if (!namespaces.includes(route.namespace)) {
        return [];
    }
    const from = [{ source: { principals: [principal(ingressGatewayWorkload.namespace, ingressGatewayWorkload.serviceAccount)] } }];
    const { app, targetPorts } = serviceBackends(workloads, route.namespace, route.service, route.port);
    const name = `allow-ingress-gateway-to-${route.service}-${prefixTag(route.prefix)}`;
    if (app !== undefined && targetPorts.length > 0) {
        return [{ name, namespace: route.namespace, spec: {
            selector: { matchLabels: { app } },
            action: "ALLOW",
            rules: [{ from, to: [{ operation: { ports: targetPorts, paths: pathsUnder(route.prefix) } }] }],
        } }];
    }
    if (dataplane === "ambient") {
        return [{ name, namespace: route.namespace, spec: {
            targetRefs: [{ group: "", kind: "Service", name: route.service }],
            action: "ALLOW",
            rules: [{ from, to: [{ operation: { paths: pathsUnder(route.prefix) } }] }],
        } }];
    }
    return [];
}

/** Preview problems: a route into a sample namespace whose Service resolves to no pods and port (sidecar mode). */
export function userRouteProblems(config: StackConfig): string[] {
    if (!config.authorization.enabled) {
        return [];
    }
    return [
        ...(config.istio.dataplane === "ambient" ? [] : unresolvedRouteProblems(config, config.gateway.routes, "gateway.routes")),
        ...(config.enroute.enabled ? unresolvedRouteProblems(config, config.enroute.routes, "enroute.routes") : []),
    ];
}

function unresolvedRouteProblems(config: StackConfig, routes: readonly PrefixRoute[], key: string): string[] {
    const workloads = sampleWorkloads(config);
    const namespaces = new Set(workloads.map((workload) => workload.namespace));
    return routes.flatMap((route, index) => {
        if (!namespaces.has(route.namespace)) {
            return [];
        }
        const { app, targetPorts } = serviceBackends(workloads, route.namespace, route.service, route.port);
        if (app !== undefined && targetPorts.length > 0) {
            return [];
        }
        const known = [...new Set(workloads.filter((workload) => workload.namespace === route.namespace)
            .flatMap((workload) => workload.service ? workload.service.ports.map((port) => `${workload.service?.name}:${port.port}`) : []))].sort();
        return [`${key}[${index}] (${route.prefix} -> ${route.service}.${route.namespace}:${route.port}) goes into ${route.namespace}, ` +
            "which denies all by default, and the stack cannot tell which pods and container port serve that Service, so it cannot write an ALLOW " +
            `for that route alone. Fix: run the service in a namespace of its own (the stack writes no deny-all there), or route to one of ${route.namespace}'s ` +
            `Services (${known.join(", ")})`];
    });
}

/** One call the samples make: from the pods with `app: <from>` (or the ingress gateway) to those with `app: <to>`. */
interface AllowedCall {
    namespace: string;
    from: string | typeof ingressGateway;
    to: string;
}

const ingressGateway = Symbol("ingress gateway");

const allowedCalls: readonly AllowedCall[] = [
    { namespace: sampleNamespaces.wordpress, from: ingressGateway, to: "wordpress" },
    { namespace: sampleNamespaces.wordpress, from: "wordpress", to: "mysql" },
    { namespace: sampleNamespaces.bookinfo, from: ingressGateway, to: "productpage" },
    { namespace: sampleNamespaces.bookinfo, from: "productpage", to: "details" },
    { namespace: sampleNamespaces.bookinfo, from: "productpage", to: "reviews" },
    { namespace: sampleNamespaces.bookinfo, from: "reviews", to: "ratings" },
    { namespace: sampleNamespaces.httpbin, from: ingressGateway, to: "httpbin" },
];

/** The container ports behind an app's Service: AuthorizationPolicy matches the port the pod receives on. */
function appPorts(workloads: readonly MeshWorkload[], namespace: string, app: string): string[] {
    const ports = workloads.filter((workload) => workload.namespace === namespace && workload.podLabels.app === app)
        .flatMap((workload) => workload.service?.ports.map((port) => String(port.targetPort)) ?? []);
    return [...new Set(ports)];
}

export function authorizationPolicySpecs(config: StackConfig): AuthorizationPolicySpec[] {
    const workloads = sampleWorkloads(config);
    const namespaces = [...new Set(workloads.map((workload) => workload.namespace))];
    const denyAll = namespaces.map((namespace): AuthorizationPolicySpec => ({
        // An ALLOW policy with an empty spec matches nothing, so every request not allowed below is denied.
        name: "allow-nothing", namespace, spec: {},
    }));
    const callerOf = (call: AllowedCall): MeshWorkload => {
        const caller = call.from === ingressGateway ? ingressGatewayWorkload
            : workloads.find((workload) => workload.namespace === call.namespace && workload.podLabels.app === call.from);
        if (!caller) {
            throw new Error(`authorization: no workload app=${String(call.from)} in ${call.namespace}`);
        }
        return caller;
    };
    const allows = allowedCalls
        .filter((call) => namespaces.includes(call.namespace))
        .map((call): AuthorizationPolicySpec => {
            const caller = callerOf(call);
            return {
                name: `allow-${call.from === ingressGateway ? "ingress-gateway" : call.from}-to-${call.to}`,
                namespace: call.namespace,
                spec: {
                    selector: { matchLabels: { app: call.to } },
                    action: "ALLOW",
                    rules: [{
                        from: [{ source: { principals: [principal(caller.namespace, caller.serviceAccount)] } }],
                        to: [{ operation: { ports: appPorts(workloads, call.namespace, call.to) } }],
                    }],
                },
            };
        });
    const userRouteAllows = config.gateway.routes.flatMap((route) => userRouteAllow(route, config.istio.dataplane, workloads, namespaces));
    const enrouteAllows = config.enroute.enabled ? enrouteRouteAllows(config.enroute.routes, workloads, namespaces) : [];
    return [...denyAll, ...allows, ...userRouteAllows, ...enrouteAllows];
}

/** The installer and the setup script: the stack installs WordPress itself (samples/wordpress-install.ts). */
export const wordpressInstallerPaths = ["/wp-admin/install.php", "/wp-admin/setup-config.php"] as const;
export const wordpressXmlrpcPath = "/xmlrpc.php";

/**
 * Istio `paths` forms that reach one PHP script: the exact path, the script with PATH_INFO after it
 * (Apache runs `/wp-admin/install.php/x` as install.php), and any prefix before it (`//wp-admin/...`:
 * Istio's default BASE normalization does not merge slashes; Apache does). Istio matches a path exactly,
 * by prefix (`x*`) or by suffix (`*x`), one `*` per entry.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 * https://istio.io/latest/docs/ops/best-practices/security/#understand-path-normalization-in-authorization-policy
 */
export function scriptPaths(path: string): string[] {
    return [path, `${path}/*`, `*${path}`];
}

/**
 * Where the installer, the setup script and (unless `wordpress.xmlrpc`) /xmlrpc.php are denied, whoever
 * calls. Defence in depth: the install Job has already run, but a database reset would reopen the
 * installer to the first visitor. Istio evaluates DENY before ALLOW, so no ALLOW reopens them
 * (https://istio.io/latest/docs/concepts/security/#allow-deny-and-custom-action).
 *
 * - At the ingress gateway, in both data planes: the gateway is an Envoy that enforces L7 policy on the
 *   pods a selector in its own namespace picks, whatever the data plane of the apps behind it
 *   (https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/). This is where every
 *   public request enters (the LoadBalancer, and on IKS the ALB, which re-encrypts to the gateway).
 *   No `hosts` condition: the paths are WordPress's own, and a host list would be a way around the DENY
 *   (a Host header with a port, an IP address, a `*` gateway host, a host added later by a user route).
 * - On the WordPress pods too, in sidecar mode only: their sidecar enforces L7 as well, which covers a
 *   way in that does not pass the gateway (an EnRoute route to the `wordpress` Service). Not in ambient
 *   mode: there ztunnel cannot enforce paths, and a selector-bound policy with L7 fields makes it drop all
 *   traffic to the pods (https://istio.io/latest/docs/ambient/usage/l4-policy/); enforcing it on the pods
 *   would need a waypoint in `wordpress`, which the gateway skips anyway for the canary's Service
 *   (`istio.io/ingress-use-waypoint: "false"`, ambient.ts gatewaySplitServiceLabels). EnRoute is refused
 *   with ambient, so the gateway is the only way in there.
 */
export function wordpressDenySpecs(dataplane: DataplaneMode, xmlrpc: boolean): AuthorizationPolicySpec[] {
    const denied = [...wordpressInstallerPaths, ...(xmlrpc ? [] : [wordpressXmlrpcPath])];
    const spec = (matchLabels: Readonly<Record<string, string>>): IstioAuthorizationPolicySpec => ({
        selector: { matchLabels: { ...matchLabels } },
        action: "DENY",
        rules: [{ to: [{ operation: { paths: denied.flatMap(scriptPaths) } }] }],
    });
    return [
        { name: wordpressDenyPolicyName, namespace: ingressGatewayWorkload.namespace, spec: spec(ingressGatewayWorkload.podLabels) },
        ...(dataplane === "sidecar" ? [{ name: wordpressDenyPolicyName, namespace: sampleNamespaces.wordpress, spec: spec({ app: wordpressNames.appLabel }) }] : []),
    ];
}

export const wordpressDenyPolicyName = "deny-wordpress-installer";

/** `/api` → `/api` and `/api/*`: what a route prefix selects (edge/routes.ts segmentPrefix), not `/api-docs`. */
function pathsUnder(prefix: string): string[] {
    const base = prefix.replace(/\/+$/, "");
    return base === "" ? ["/*"] : [base, `${base}/*`];
}

/**
 * EnRoute calls mesh services with mutual TLS under its own identity, which no other rule names, so its
 * routes would meet the deny-all of a sample namespace. One ALLOW per routed service: EnRoute's
 * principal, the routes' path prefixes, and for a sample's own Service its pods and container ports
 * (AuthorizationPolicy matches the port the pod receives on). Namespaces without a deny-all need nothing.
 */
function enrouteRouteAllows(routes: readonly PrefixRoute[], workloads: readonly MeshWorkload[], namespaces: readonly string[]): AuthorizationPolicySpec[] {
    const byService = new Map<string, PrefixRoute[]>();
    for (const route of routes.filter((candidate) => namespaces.includes(candidate.namespace))) {
        const key = `${route.namespace}/${route.service}`;
        byService.set(key, [...(byService.get(key) ?? []), route]);
    }
    return [...byService.values()].flatMap((serviceRoutes) => {
        const { namespace, service } = serviceRoutes[0];
        const resolved = serviceRoutes.map((route) => serviceBackends(workloads, namespace, service, route.port));
        const app = resolved[0].app;
        const targetPorts = [...new Set(resolved.flatMap((backend) => backend.targetPorts))];
        // Unresolvable (a Service the inventory does not know, or a port it does not have): a preview
        // error (userRouteProblems), never an ALLOW without a workload or a port.
        if (app === undefined || resolved.some((backend) => backend.targetPorts.length === 0)) {
            return [];
        }
        return [{
            name: `allow-enroute-to-${service}`,
            namespace,
            spec: {
                selector: { matchLabels: { app } },
                action: "ALLOW",
                rules: [{
                    from: [{ source: { principals: [principal(enrouteNamespace, enrouteServiceAccount)] } }],
                    to: [{ operation: { ports: targetPorts, paths: [...new Set(serviceRoutes.flatMap((route) => pathsUnder(route.prefix)))] } }],
                }],
            },
        }];
    });
}
