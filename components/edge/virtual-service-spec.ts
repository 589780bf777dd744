// The one VirtualService that carries every route through the mesh gateway. One resource, not one per
// source: Istio merges several VirtualServices for the same host on one gateway in no defined order,
// and prefix routes only work when the most specific prefix is tried first.
import { GatewayHttpRoute, PathMatch, RouteDestination, orderRoutes } from "../core/routes";

/** Name of the VirtualService holding the gateway's routes. */
export const meshGatewayRoutesName = "mesh-gateway-routes";

/**
 * The fields of Istio's `networking.istio.io/v1` VirtualService spec this stack sets (VirtualService,
 * HTTPRoute, HTTPMatchRequest, StringMatch, HTTPRouteDestination, Destination, PortSelector and
 * Headers.HeaderOperations in the VirtualService CRD, reference/istio-1.30.3 crd-all.gen.yaml); tests
 * validate the emitted objects against @kubernetes-models/istio.
 */
export interface IstioVirtualServiceSpec {
    hosts: string[];
    gateways?: string[];
    http: IstioHttpRoute[];
}

export interface IstioHttpRoute {
    name: string;
    match?: IstioHttpMatchRequest[];
    route: IstioHttpRouteDestination[];
}

/** A StringMatch is one of `exact`, `prefix` or `regex`; the stack writes the first two only. */
export type IstioStringMatch = { exact: string } | { prefix: string };

export interface IstioHttpMatchRequest {
    uri: IstioStringMatch;
    authority?: { exact: string };
}

export interface IstioHttpRouteDestination {
    destination: { host: string; port: { number: number }; subset?: string };
    weight?: number;
    headers?: { response: { set: Record<string, string> } };
}

/** One Istio HTTPRouteDestination from the project's route shape. */
export function istioRouteDestination(destination: RouteDestination): IstioHttpRouteDestination {
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

function stringMatch(match: PathMatch): IstioStringMatch {
    return match.kind === "exact" ? { exact: match.path } : { prefix: match.path };
}

function httpRoute(route: GatewayHttpRoute): IstioHttpRoute {
    return {
        name: route.name,
        match: route.matches.map((match) => ({
            uri: stringMatch(match),
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
}): IstioVirtualServiceSpec | undefined {
    if (input.routes.length === 0) {
        return undefined;
    }
    return {
        hosts: [...input.hosts],
        gateways: [input.gatewayRef],
        http: orderRoutes(input.routes).map(httpRoute),
    };
}
