// The gateway's route table as one list from every source (the user's `gateway.routes`, the samples),
// checked as a whole: each source is validated on its own elsewhere, but only the combined list shows
// two sources claiming the same prefix on the shared gateway hosts.
import { ConfigError } from "../config";
import { setCommand } from "../config-reader";
import { GatewayHttpRoute, PrefixRoute, normalizePrefix, serviceHost } from "./routes";

/** The user's `gateway.routes`, in declared order, as gateway routes. */
export function userGatewayRoutes(routes: readonly PrefixRoute[]): GatewayHttpRoute[] {
    return routes.map((route, index) => ({
        name: `gateway-routes-${index}-${route.service}`,
        prefix: route.prefix,
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

/**
 * Problems with the combined route list: two routes whose prefixes select the same requests (equal,
 * or equal but for a trailing slash), naming both sources; and route names used twice. A user route
 * is named first, so the message starts with the config key to change.
 */
export function routeConflicts(routes: readonly GatewayHttpRoute[]): string[] {
    const problems: string[] = [];
    const byPrefix = new Map<string, GatewayHttpRoute>();
    const byName = new Map<string, GatewayHttpRoute>();
    for (const route of routes) {
        const normalized = normalizePrefix(route.prefix);
        const earlier = byPrefix.get(normalized);
        if (earlier) {
            const [first, second] = userSource.test(route.source) && !userSource.test(earlier.source) ? [route, earlier] : [earlier, route];
            const what = first.prefix === second.prefix ? "is the same as" : "is ambiguous with";
            problems.push(`${first.source} prefix ${JSON.stringify(first.prefix)} ${what} ${second.source} prefix ` +
                `${JSON.stringify(second.prefix)}: both select the same requests on the gateway hosts, so one would ` +
                `silently shadow the other. Fix: ${conflictFix(first, second)}`);
        } else {
            byPrefix.set(normalized, route);
        }
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

/** Stops the program, before any resource is registered, when two sources claim the same requests. */
export function assertNoRouteConflicts(routes: readonly GatewayHttpRoute[]): void {
    const problems = routeConflicts(routes);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
}
