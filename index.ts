// Composition root: read the validated config, check the whole intended mesh, build the components,
// export what operators need. Resource logic lives in components/; README.md shows the order things
// come up in. Every check that can stop the run happens before the first resource is registered.
import { sampleGatewayRoutes, sampleHostRoutes } from "./components/apps/sample-routes";
import { Bookinfo } from "./components/apps/bookinfo";
import { Httpbin } from "./components/apps/httpbin";
import { WordPress } from "./components/apps/wordpress";
import { loadStackConfig } from "./components/config";
import { curlPath, gatewayCurlCommand } from "./components/edge/curl-commands";
import { gatewayTlsMode, offIksGatewayHosts } from "./components/edge/gateway-plan";
import { assertNoRouteConflicts, userGatewayRoutes } from "./components/edge/gateway-routes";
import { meshGatewayName } from "./components/edge/gateway-names";
import { gatewaySpec } from "./components/edge/gateway-spec";
import { IngressGateway } from "./components/edge/ingress-gateway";
import { albExternalPaths } from "./components/ibm/alb-spec";
import { IksEdge } from "./components/ibm/iks-edge";
import { Authorization } from "./components/mesh/authorization";
import { IstioMesh } from "./components/mesh/istio-mesh";
import { gatewaySelector, gatewayReleaseName } from "./components/mesh/istio-values";
import { enforceMeshPolicy, gatewayServersOf } from "./components/mesh/mesh-model";
import { MtlsPolicy } from "./components/mesh/mtls-policy";
import { EnRoute } from "./components/observability/enroute";
import { Observability } from "./components/observability/observability";
import { MeshPki } from "./components/pki/mesh-pki";

const config = loadStackConfig();

// --- Checks before anything exists ---
// Every route through the gateway (the user's and the samples'), as one table without conflicts.
const gatewayRoutes = [...userGatewayRoutes(config.gateway.routes), ...sampleGatewayRoutes(config)];
assertNoRouteConflicts(gatewayRoutes);
// mTLS conflicts across the mesh policy, narrower scopes, client rules, the gateway and the ALB path.
// MUTUAL behind the IKS ALB, else gateway.tlsMode; the analysis reads the servers, not the credential name.
const tlsMode = gatewayTlsMode(config);
const plannedGatewayServers = gatewayServersOf(meshGatewayName, gatewaySpec({
    selector: gatewaySelector, hosts: offIksGatewayHosts(config), tlsMode, credentialName: "not-analysed",
}));
enforceMeshPolicy(config, plannedGatewayServers, albExternalPaths(config, `${gatewayReleaseName}:443`));

// --- Istio: base → istiod → gateway, mesh-wide STRICT ---
const mesh = new IstioMesh("mesh", { config });

// --- PKI and ingress gateway ---
const pki = new MeshPki("mesh-pki", { config, mesh });
// On IKS the gateway serves its NLB subdomain with IBM's certificate, and MUTUAL behind the ALB.
const iks = config.iks.enabled ? new IksEdge("iks", { config, mesh, pki }) : undefined;
const ingressGateway = new IngressGateway("ingress-gateway", {
    mesh,
    pki,
    tlsMode,
    hosts: iks?.gatewayHosts ?? offIksGatewayHosts(config),
    ...(iks ? { credentialName: iks.gatewayCredentialName } : {}),
    routes: gatewayRoutes,
    // Behind the IKS ALB each sample has `<app>.<ingress subdomain>` to itself.
    ...(iks?.alb ? { hostRoutes: iks.alb.ingressSubdomain.apply((subdomain) => sampleHostRoutes(config, subdomain)) } : {}),
});

// --- Samples ---
// Each sample waits for istiod (sidecar injection, Istio resource validation) and for nothing else:
// the samples never wait on each other. A disabled sample creates nothing.
const wordpress = config.wordpress.enabled ? new WordPress("wordpress", { config, istiod: mesh.istiod, istioConfigReady: mesh.istioConfigReady }) : undefined;
const bookinfo = config.bookinfo.enabled ? new Bookinfo("bookinfo", { config, istiod: mesh.istiod, istioConfigReady: mesh.istioConfigReady }) : undefined;
const httpbin = config.httpbin.enabled ? new Httpbin("httpbin", { config, istiod: mesh.istiod, istioConfigReady: mesh.istioConfigReady }) : undefined;
const samples = [wordpress, bookinfo, httpbin].flatMap((sample) => sample ? [sample] : []);

// --- Observability and EnRoute ---
const observability = config.kiali.enabled ? new Observability("observability", { config, mesh }) : undefined;
const enroute = config.enroute.enabled ? new EnRoute("enroute", { config, mesh }) : undefined;

// --- Narrower mTLS scopes (in any namespace the stack manages) and authorization in the sample namespaces ---
const managedNamespaces = {
    [mesh.rootNamespace]: mesh.namespace,
    ...Object.fromEntries([...samples, ...(enroute ? [enroute] : [])].map((owner) => [owner.namespaceName, owner.namespace])),
};
new MtlsPolicy("mtls", { config, mesh, namespaces: managedNamespaces });
if (config.authorization.enabled) {
    new Authorization("authorization", { config, mesh, namespaces: managedNamespaces });
}

// --- Stack outputs ---
export const istioVersion = config.istio.version;
export const meshMtlsMode = config.mtls.mode;
export const gatewayNamespace = mesh.gatewayNamespace;
export const gatewayService = mesh.gatewayServiceName;
export const caCertificatePem = pki.caCertPem;
export const clientCertificatePem = pki.clientCertPem;
/** Secret: read it with `pulumi stack output clientPrivateKeyPem --show-secrets`. */
export const clientPrivateKeyPem = pki.clientPrivateKeyPem;
export const gatewayHosts = ingressGateway.hosts;
const curlCommand = (mutual: boolean) => ingressGateway.hosts.apply((hosts) => gatewayCurlCommand({
    hosts,
    path: curlPath(gatewayRoutes.map((route) => route.matches[0].path)),
    mutual,
    service: { name: mesh.gatewayServiceName, namespace: mesh.gatewayNamespace },
    publicName: config.iks.enabled,
}));
/** Under MUTUAL this one is refused by design: it presents no client certificate. */
export const curlSimple = curlCommand(false);
export const curlMutual = curlCommand(true);
export const sampleNamespaces = samples.map((sample) => sample.namespaceName);
export const wordpressCanaryWeight = wordpress ? config.wordpress.canaryWeight : undefined;
/** The gateway's public name on IKS, with IBM's certificate. */
export const nlbSubdomain = iks?.nlbDns.subdomain;
/** `<app>.<ingress subdomain>`: through the IKS ALB, which re-encrypts to the gateway with mutual TLS. */
export const albHosts = iks?.alb?.hosts;
/** Opens Kiali at http://localhost:20001. */
export const kialiPortForward = observability?.portForwardCommand;
/** Prints a token for Kiali's token login. */
export const kialiTokenCommand = observability?.tokenCommand;
export const enrouteNamespace = enroute?.namespaceName;
