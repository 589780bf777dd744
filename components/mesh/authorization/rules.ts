// Least-privilege service-to-service access for the samples: every sample namespace denies all by
// default, and each call the applications make is allowed by the caller's workload identity (its
// service account, which only mutual TLS can prove). The graph below is the samples' real call graph.
import { sampleNamespaces, wordpressNames } from "../../inventory";
import { StackConfig } from "../../config/schema";
import { PrefixRoute } from "../../core/routes";
import { DataplaneMode } from "../../core/dataplane";
import { enrouteNamespace, enrouteServiceAccount } from "../../edge/enroute/values";
import { MeshWorkload, ingressGatewayWorkload, principal, sampleWorkloads } from "../mesh-inventory";

export interface AuthorizationPolicySpec {
    name: string;
    namespace: string;
    spec: Record<string, unknown>;
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
    const denyAll = namespaces.map((namespace) => ({
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
        .map((call) => {
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
    // The user's gateway.routes into a sample namespace would hit its deny-all: let the gateway through
    // on exactly the paths those routes select (the services behind them are the user's, so no pod selector).
    const userRouteAllows = namespaces.flatMap((namespace) => {
        const prefixes = config.gateway.routes.filter((route) => route.namespace === namespace).map((route) => route.prefix);
        if (prefixes.length === 0) {
            return [];
        }
        return [{
            name: "allow-ingress-gateway-to-user-routes",
            namespace,
            spec: {
                action: "ALLOW",
                rules: [{
                    from: [{ source: { principals: [principal(ingressGatewayWorkload.namespace, ingressGatewayWorkload.serviceAccount)] } }],
                    to: [{ operation: { paths: [...new Set(prefixes.flatMap(pathsUnder))] } }],
                }],
            },
        }];
    });
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
    const spec = (matchLabels: Readonly<Record<string, string>>): Record<string, unknown> => ({
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
    return [...byService.values()].map((serviceRoutes) => {
        const { namespace, service } = serviceRoutes[0];
        const backends = workloads.filter((workload) => workload.namespace === namespace && workload.service?.name === service);
        const targetPorts = [...new Set(backends.flatMap((workload) => (workload.service?.ports ?? [])
            .filter((port) => serviceRoutes.some((route) => route.port === port.port)).map((port) => String(port.targetPort))))];
        const podLabels = backends.length > 0 ? { app: backends[0].podLabels.app } : undefined;
        return {
            name: `allow-enroute-to-${service}`,
            namespace,
            spec: {
                ...(podLabels?.app ? { selector: { matchLabels: podLabels } } : {}),
                action: "ALLOW",
                rules: [{
                    from: [{ source: { principals: [principal(enrouteNamespace, enrouteServiceAccount)] } }],
                    to: [{ operation: {
                        // A sample's Service on a port it does not have gets that port, which matches nothing.
                        ...(targetPorts.length > 0 ? { ports: targetPorts }
                            : backends.length > 0 ? { ports: [...new Set(serviceRoutes.map((route) => String(route.port)))] } : {}),
                        paths: [...new Set(serviceRoutes.flatMap((route) => pathsUnder(route.prefix)))],
                    } }],
                }],
            },
        };
    });
}
