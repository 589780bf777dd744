// Gateway prefix routes: ordering and ambiguity rules, kept apart from resources so they are testable alone.

/** One `gateway.routes` entry: requests whose path starts with `prefix` go to `service.namespace:port`. */
export interface PrefixRoute {
    prefix: string;
    service: string;
    namespace: string;
    port: number;
}

/**
 * What a route prefix may hold: the characters of an RFC 3986 path (`pchar` and `/`, section 3.3:
 * unreserved `A-Za-z0-9-._~`, sub-delims `!$&'()+,;=`, `:` `@`, and `%` only as a `%XX` escape), minus
 * `*`, which RFC 3986 allows but Istio's AuthorizationPolicy reads as a wildcard in `paths`, so a prefix
 * holding it would widen the ALLOW written for the route. https://www.rfc-editor.org/rfc/rfc3986#section-3.3
 * A prefix reaches the printed curl commands only shell-quoted (core/shell.ts), so `$&'();` are data there.
 */
export const routePrefixPattern = /^\/(?:[A-Za-z0-9\-._~!$&'()+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
export const routePrefixText = "a URI path starting with / made of RFC 3986 path characters: A-Za-z0-9 - . _ ~ ! $ & ' ( ) + , ; = : @ / " +
    "and %XX escapes (no spaces, *, query or fragment)";

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
 * One URI match of a gateway route, as Istio evaluates it: `exact` selects that path only; `prefix` is a
 * plain string prefix (`/status` also selects `/status-update/`), so a prefix that must not reach into
 * the neighbouring paths ends at a segment boundary (`/status/`).
 */
export interface PathMatch {
    kind: "exact" | "prefix";
    path: string;
}

export function exactPath(path: string): PathMatch[] {
    return [{ kind: "exact", path }];
}

/**
 * A route prefix bounded at a path segment: `/api` (or `/api/`) selects `/api` and everything under
 * `/api/`, never `/api-docs`; `/` selects everything. Istio has no segment-aware prefix, so this is an
 * exact match plus a prefix ending in `/`.
 */
export function segmentPrefix(prefix: string): PathMatch[] {
    const base = prefix.replace(/\/+$/, "");
    return base === "" ? [{ kind: "prefix", path: "/" }] : [{ kind: "exact", path: base }, { kind: "prefix", path: `${base}/` }];
}

/** Whether Istio, trying `placed` first, would take requests `route` means to serve. */
function shadows(placed: Pick<GatewayHttpRoute, "matches" | "authority">, route: Pick<GatewayHttpRoute, "matches" | "authority">): boolean {
    if (placed.authority !== route.authority && placed.authority !== undefined) {
        return false;
    }
    return placed.matches.some((outer) => outer.kind === "prefix" && route.matches.some((inner) =>
        inner.path.startsWith(outer.path) && !(inner.kind === "prefix" && inner.path === outer.path)));
}

/**
 * Routes in the order Istio must see them. VirtualService rules match first-wins and a prefix match
 * is a plain string prefix, so a route must come before every route whose prefix its paths start with
 * (`/api/freight-rating` before `/api/` before `/`), and routes bound to a host of their own before the
 * routes for any host. Otherwise the declared order is kept: each route is inserted just before the
 * first placed route that would shadow it.
 */
export function orderRoutes<T extends Pick<GatewayHttpRoute, "matches" | "authority">>(routes: readonly T[]): T[] {
    const ordered: T[] = [];
    const byHost = [...routes.filter((route) => route.authority !== undefined), ...routes.filter((route) => route.authority === undefined)];
    for (const route of byHost) {
        const shadowing = ordered.findIndex((placed) => shadows(placed, route));
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
    /** Set on every answer this destination gives (Istio HTTPRouteDestination `headers.response.set`), replacing the app's. */
    responseHeaders?: Readonly<Record<string, string>>;
}

/**
 * A route through the ingress gateway: URI matches to one or more destinations, on the shared gateway
 * hosts or (with `authority`) on a host of the app's own. The user's `gateway.routes` and the samples'
 * routes are all of this shape, so one VirtualService can hold them in a deterministic,
 * most-specific-first order (Istio merges several VirtualServices for one host on one gateway in an
 * undefined order).
 */
export interface GatewayHttpRoute {
    /** Route name in the VirtualService (unique). */
    name: string;
    /** Any of these selects the route. */
    matches: PathMatch[];
    /** The Host (`:authority`) this route is bound to, when its app has a host of its own. */
    authority?: string;
    destinations: RouteDestination[];
    /** Who asked for this route, for error messages: a config key such as `gateway.routes[2]` or a sample. */
    source: string;
}

/** In-cluster DNS name of a Service, as VirtualService destinations in another namespace need it. */
export function serviceHost(service: string, namespace: string): string {
    return `${service}.${namespace}.svc.cluster.local`;
}
