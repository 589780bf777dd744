// The gateway's route table as one list from every source (the user's `gateway.routes`, the samples),
// checked as a whole: each source is validated on its own elsewhere, but only the combined list shows
// two sources claiming the same requests, or one reaching into another's pages, on the shared hosts.
import { setCommand } from "../config/reader";
import { GatewayHttpRoute, PathMatch, PrefixRoute, segmentPrefix, serviceHost } from "../core/routes";

/**
 * The user's `gateway.routes`, in declared order, as gateway routes. A prefix is bounded at a path
 * segment (`/api/freight-rating` selects `/api/freight-rating` and `/api/freight-rating/...`, not
 * `/api/freight-ratings`), so it cannot take the pages of whatever serves the paths around it.
 */
export function userGatewayRoutes(routes: readonly PrefixRoute[]): GatewayHttpRoute[] {
    return routes.map((route, index) => ({
        name: `gateway-routes-${index}-${route.service}`,
        matches: segmentPrefix(route.prefix),
        destinations: [{ host: serviceHost(route.service, route.namespace), port: route.port }],
        source: `gateway.routes[${index}]`,
    }));
}

const userSource = /^gateway\.routes\[\d+\]$/;

function conflictFix(first: GatewayHttpRoute, second: GatewayHttpRoute): string {
    const user = [first, second].find((route) => userSource.test(route.source));
    if (user) {
        return `${setCommand(`${user.source}.prefix`, "<another prefix>")}, or remove ${user.source}, ` +
            "or disable the sample that owns the other route";
    }
    return "disable one of the two samples";
}

const describeMatch = (match: PathMatch) => `${match.kind} ${JSON.stringify(match.path)}`;

/**
 * A prefix match without a segment boundary (`/status`, not `/status/` or `/`) reaches into paths it
 * does not name: an example of another route's requests it would take, or undefined. It takes the
 * other's paths that start with it (`/status-update/` of an exact or prefix route), and, when the other
 * route's prefix holds it (WordPress at `/`), that route's pages next to it (`/status-…`).
 */
function captured(prefix: PathMatch, other: readonly PathMatch[]): string | undefined {
    if (prefix.kind !== "prefix" || prefix.path.endsWith("/")) {
        return undefined;
    }
    const inside = other.find((match) => match.path !== prefix.path && match.path.startsWith(prefix.path)
        && match.path[prefix.path.length] !== "/");
    if (inside) {
        return inside.path;
    }
    const around = other.find((match) => match.kind === "prefix" && match.path !== prefix.path && prefix.path.startsWith(match.path));
    return around ? `${prefix.path}-…` : undefined;
}

/**
 * Problems with the combined route list, for routes on the shared gateway hosts (a route bound to an
 * app's own host cannot take another's requests):
 * - two sources selecting the same requests (the same exact path, or the same prefix);
 * - a prefix without a segment boundary taking another source's pages (`/status` next to WordPress at
 *   `/` takes `/status-update/`);
 * - route names used twice.
 * A user route is named first, so the message starts with the config key to change. Nested routes
 * (`/api/v1/products` inside `/api/`, any route inside `/`) are fine: the most specific is tried first.
 */
export function routeConflicts(routes: readonly GatewayHttpRoute[]): string[] {
    const problems: string[] = [];
    const shared = routes.filter((route) => route.authority === undefined);
    const userFirst = (a: GatewayHttpRoute, b: GatewayHttpRoute): [GatewayHttpRoute, GatewayHttpRoute] =>
        userSource.test(b.source) && !userSource.test(a.source) ? [b, a] : [a, b];
    shared.forEach((later, laterIndex) => {
        for (const earlier of shared.slice(0, laterIndex)) {
            if (earlier.source === later.source) {
                continue;
            }
            const [first, second] = userFirst(earlier, later);
            const same = first.matches.find((match) => second.matches.some((other) => other.kind === match.kind && other.path === match.path));
            if (same) {
                problems.push(`${first.source} (${describeMatch(same)}) and ${second.source} both select the same requests on the ` +
                    `gateway hosts, so one would silently shadow the other. Fix: ${conflictFix(first, second)}`);
                continue;
            }
            for (const [taker, owner] of [[first, second], [second, first]] as const) {
                for (const match of taker.matches) {
                    const example = captured(match, owner.matches);
                    if (example) {
                        problems.push(`${taker.source} (${describeMatch(match)}) has no path-segment boundary and takes requests of ` +
                            `${owner.source}, such as ${JSON.stringify(example)}. Fix: end the prefix with "/" or match the path ` +
                            `exactly; otherwise ${conflictFix(taker, owner)}`);
                    }
                }
            }
        }
    });
    const byName = new Map<string, GatewayHttpRoute>();
    for (const route of routes) {
        const sameName = byName.get(route.name);
        if (sameName) {
            problems.push(`${route.source} and ${sameName.source} both name their gateway route ${JSON.stringify(route.name)}; ` +
                `route names must be unique in the VirtualService. Fix: ${conflictFix(sameName, route)}`);
        } else {
            byName.set(route.name, route);
        }
    }
    return problems;
}

