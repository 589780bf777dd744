// Gateway prefix routes: ordering and ambiguity rules, kept apart from resources so they are testable alone.

/** One `gateway.routes` entry: requests whose path starts with `prefix` go to `service.namespace:port`. */
export interface PrefixRoute {
    prefix: string;
    service: string;
    namespace: string;
    port: number;
}

/** `/api/` and `/api` select the same requests in practice; compare prefixes without the trailing slash. */
export function normalizePrefix(prefix: string): string {
    return prefix.length > 1 ? prefix.replace(/\/+$/, "") : prefix;
}

/**
 * Problems with a route list: duplicate prefixes, or two prefixes that differ only by a trailing
 * slash (Istio would match them in declaration order and one would silently shadow the other).
 */
export function routeProblems(routes: readonly PrefixRoute[], key = "gateway.routes"): string[] {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    routes.forEach((route, index) => {
        const normalized = normalizePrefix(route.prefix);
        const earlier = seen.get(normalized);
        if (earlier !== undefined) {
            const what = routes[earlier].prefix === route.prefix ? "repeats" : "is ambiguous with";
            problems.push(`${key}[${index}].prefix ${JSON.stringify(route.prefix)} ${what} ${key}[${earlier}].prefix ` +
                `${JSON.stringify(routes[earlier].prefix)}: both select the same requests. Fix: keep one of them`);
        } else {
            seen.set(normalized, index);
        }
    });
    return problems;
}

/**
 * Routes in the order Istio must see them. VirtualService rules match first-wins and a prefix match
 * is a plain string prefix, so a route must come before every route whose prefix is a prefix of its
 * own (`/api/freight-rating` before `/api` before `/`). Otherwise the declared order is kept: each
 * route is inserted just before the first placed route that would shadow it.
 */
export function orderRoutes<T extends Pick<PrefixRoute, "prefix">>(routes: readonly T[]): T[] {
    const ordered: T[] = [];
    for (const route of routes) {
        const prefix = normalizePrefix(route.prefix);
        const shadowing = ordered.findIndex((placed) => prefix.startsWith(normalizePrefix(placed.prefix)));
        if (shadowing === -1) {
            ordered.push(route);
        } else {
            ordered.splice(shadowing, 0, route);
        }
    }
    return ordered;
}

/** One backend of a gateway route; `weight` is set on every destination of a split, and sums to 100. */
export interface RouteDestination {
    /** Fully qualified (`<svc>.<ns>.svc.cluster.local`): the VirtualService lives in the gateway's namespace. */
    host: string;
    port: number;
    subset?: string;
    weight?: number;
}

/**
 * A route through the ingress gateway on the shared gateway hosts: one URI prefix to one or more
 * destinations. The user's `gateway.routes` and the samples' routes are all of this shape, so one
 * VirtualService can hold them in a deterministic, most-specific-first order (Istio merges several
 * VirtualServices for one host on one gateway in an undefined order).
 */
export interface GatewayHttpRoute extends Pick<PrefixRoute, "prefix"> {
    /** Route name in the VirtualService (unique). */
    name: string;
    destinations: RouteDestination[];
    /** Who asked for this route, for error messages: a config key such as `gateway.routes[2]` or a sample. */
    source: string;
}

/** In-cluster DNS name of a Service, as VirtualService destinations in another namespace need it. */
export function serviceHost(service: string, namespace: string): string {
    return `${service}.${namespace}.svc.cluster.local`;
}
