// The one VirtualService that carries every route through the mesh gateway. One resource, not one per
// source: Istio merges several VirtualServices for the same host on one gateway in no defined order,
// and prefix routes only work when the most specific prefix is tried first.
import { GatewayHttpRoute, RouteDestination, orderRoutes } from "../core/routes";

/** Name of the VirtualService holding the gateway's routes. */
export const meshGatewayRoutesName = "mesh-gateway-routes";

/** One Istio HTTPRouteDestination from the project's route shape. */
export function istioRouteDestination(destination: RouteDestination): Record<string, unknown> {
    return {
        destination: {
            host: destination.host,
            port: { number: destination.port },
            ...(destination.subset !== undefined ? { subset: destination.subset } : {}),
        },
        ...(destination.weight !== undefined ? { weight: destination.weight } : {}),
        ...(destination.responseHeaders !== undefined ? { headers: { response: { set: { ...destination.responseHeaders } } } } : {}),
    };
}

function httpRoute(route: GatewayHttpRoute): Record<string, unknown> {
    return {
        name: route.name,
        match: route.matches.map((match) => ({
            uri: { [match.kind]: match.path },
            ...(route.authority !== undefined ? { authority: { exact: route.authority } } : {}),
        })),
        route: route.destinations.map(istioRouteDestination),
    };
}

/**
 * The VirtualService spec for the gateway's routes, most specific prefix first; undefined when there
 * are no routes, because Istio rejects a VirtualService without any http, tls or tcp route.
 */
export function virtualServiceSpec(input: {
    hosts: readonly string[];
    gatewayRef: string;
    routes: readonly GatewayHttpRoute[];
}): Record<string, unknown> | undefined {
    if (input.routes.length === 0) {
        return undefined;
    }
    return {
        hosts: [...input.hosts],
        gateways: [input.gatewayRef],
        http: orderRoutes(input.routes).map(httpRoute),
    };
}
