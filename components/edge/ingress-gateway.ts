import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IstioMesh } from "../mesh/istio-mesh";
import { clientCaData, clientCaSecretName } from "../pki/credential-layout";
import { MeshPki } from "../pki/mesh-pki";
import { meshGatewayName, meshGatewayRef } from "../core/istio-names";
import { GatewayTlsMode, HostBinding, gatewaySpec } from "./gateway-spec";
import { GatewayHttpRoute } from "../core/routes";
import { meshGatewayRoutesName, virtualServiceSpec } from "./virtual-service-spec";

export interface IngressGatewayArgs {
    mesh: IstioMesh;
    /** Issues the default server credential and is the client CA for MUTUAL. */
    pki: MeshPki;
    tlsMode: GatewayTlsMode;
    /** Hosts the gateway serves; an input because on IKS they are the NLB subdomain, known only after deployment. */
    hosts: pulumi.Input<string[]>;
    /** Secret the HTTPS server presents, in the gateway's namespace; defaults to the PKI's server credential. */
    credentialName?: pulumi.Input<string>;
    /** Every route through the gateway (user routes and samples), already checked for conflicts. */
    routes: readonly GatewayHttpRoute[];
    /** Routes bound to an app's own host, known only after deployment (IKS: `<app>.<ingress subdomain>`). */
    hostRoutes?: pulumi.Input<GatewayHttpRoute[]>;
    /** What must be complete before any route is served (WordPress's install Job). */
    routesAfter?: pulumi.Resource[];
    /** Hosts that a VirtualService in another namespace the stack manages publishes (WordPress's own hosts). */
    hostsRoutedFrom?: readonly HostBinding[];
}

/**
 * The mesh's front door: one Istio Gateway (HTTPS with SIMPLE or MUTUAL TLS, HTTP only redirecting)
 * and one VirtualService carrying every prefix route, most specific first. For MUTUAL, the client CA
 * Secret is named after whichever credential the Gateway uses, which is where Istio looks for it.
 */
export class IngressGateway extends pulumi.ComponentResource {
    readonly gateway: k8s.apiextensions.CustomResource;
    /** Absent when there are no routes: a VirtualService without routes is invalid. */
    readonly virtualService?: k8s.apiextensions.CustomResource;
    /** Present for MUTUAL only. */
    readonly clientCaSecret?: k8s.core.v1.Secret;
    readonly hosts: pulumi.Output<string[]>;
    readonly credentialName: pulumi.Output<string>;
    readonly tlsMode: GatewayTlsMode;

    constructor(name: string, args: IngressGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:edge:IngressGateway", name, {}, opts);
        const { mesh, pki } = args;
        this.tlsMode = args.tlsMode;
        this.hosts = pulumi.output(args.hosts);
        this.credentialName = pulumi.output(args.credentialName ?? pki.serverCredentialName);
        const istioResource = { parent: this, dependsOn: mesh.istioConfigReady };

        const gatewayDependencies: pulumi.Resource[] = [...mesh.istioConfigReady];
        if (args.tlsMode === "MUTUAL") {
            this.clientCaSecret = new k8s.core.v1.Secret(`${name}-client-ca`, {
                metadata: { name: this.credentialName.apply(clientCaSecretName), namespace: mesh.gatewayNamespace },
                type: "Opaque",
                stringData: clientCaData(pki.caCertPem),
            }, { parent: this, dependsOn: [mesh.namespace] });
            // Without its client CA a MUTUAL gateway would fall back to the credential's own ca.crt.
            gatewayDependencies.push(this.clientCaSecret);
        }

        this.gateway = new k8s.apiextensions.CustomResource(meshGatewayName, {
            apiVersion: "networking.istio.io/v1",
            kind: "Gateway",
            metadata: { name: meshGatewayName, namespace: mesh.gatewayNamespace },
            spec: pulumi.all([this.hosts, this.credentialName]).apply(([hosts, credentialName]) => gatewaySpec({
                selector: mesh.gatewaySelector,
                hosts,
                tlsMode: args.tlsMode,
                credentialName,
                // The gateway's own VirtualService carries every host; others only what the stack routes from them.
                routeNamespaces: [{ namespace: mesh.gatewayNamespace, hosts }, ...(args.hostsRoutedFrom ?? [])],
            })),
        }, { parent: this, dependsOn: gatewayDependencies });

        if (args.routes.length > 0 || args.hostRoutes !== undefined) {
            const routes = pulumi.output(args.hostRoutes ?? []).apply((hostRoutes) => [...hostRoutes, ...args.routes]);
            this.virtualService = new k8s.apiextensions.CustomResource(meshGatewayRoutesName, {
                apiVersion: "networking.istio.io/v1",
                kind: "VirtualService",
                metadata: { name: meshGatewayRoutesName, namespace: mesh.gatewayNamespace },
                spec: pulumi.all([this.hosts, routes]).apply(([hosts, allRoutes]) =>
                    virtualServiceSpec({ hosts, gatewayRef: meshGatewayRef, routes: allRoutes }) ?? {}),
            }, { ...istioResource, dependsOn: [...mesh.istioConfigReady, ...(args.routesAfter ?? [])] });
        }

        this.registerOutputs({
            hosts: this.hosts,
            credentialName: this.credentialName,
        });
    }
}
