// Composition root: read the validated config, check the whole intended mesh, fetch Istio's pinned
// manifests, build the components, return what operators need. Resource logic lives in components/;
// docs/architecture.md shows the order things come up in. Every check that can stop the run happens before the first
// resource is registered.
//
// The program is an async function (Pulumi awaits an exported function and takes the object it returns as
// the stack outputs). It awaits the sample manifests before registering anything, so every object of
// them is registered by the program itself, as a resource of its own: a preview lists each Deployment,
// Service and role with its diff, and the tests see every image, port and label. Registering them later,
// inside an apply of a fetched value, would hide them from preview whenever the value is unknown; a yaml
// ConfigFile would show the engine and the tests one opaque resource. The fetch is a parameter so the
// tests serve fixtures instead of the network.
import { sampleHostRoutes } from "./components/samples/sample-routes";
import { IstioSample } from "./components/samples/istio-sample";
import { ManifestFetcher, fetchManifestOverHttps } from "./components/manifests/fetch";
import { loadSampleManifests } from "./components/manifests/sample-manifests";
import { WordPress } from "./components/samples/wordpress";
import { clusterProvider, prerequisitesProvider } from "./components/cluster/cluster-provider";
import { preflight } from "./components/preflight";
import * as pulumi from "@pulumi/pulumi";
import { curlHost, curlPath, gatewayCurlCommand } from "./components/edge/curl-commands";
import { configuredGatewayHosts } from "./components/edge/gateway-plan";
import { IngressGateway } from "./components/edge/ingress-gateway";
import { IksEdge } from "./components/ibm/iks-edge";
import { gatewayServiceAnnotations } from "./components/ibm/load-balancer";
import { Authorization } from "./components/mesh/authorization/authorization";
import { IstioMesh } from "./components/mesh/istio-mesh";
import { MtlsPolicy } from "./components/mesh/mtls/mtls-policy";
import { EnRoute } from "./components/edge/enroute/enroute";
import { Observability } from "./components/observability/observability";
import { observabilityPodTemplates } from "./components/security/namespace-pod-security";
import { MeshPki } from "./components/pki/mesh-pki";
import { MeshCa } from "./components/pki/mesh-ca";
import { meshRootRotationOutput, rotationStepProblem } from "./components/pki/mesh-ca-spec";
import { previousRotation } from "./components/pki/previous-rotation";
import { ConfigError } from "./components/config/errors";

export = async (fetchManifest: ManifestFetcher = fetchManifestOverHttps) => {
    // Every check before anything exists: config, cluster binding, routes, mTLS, ambient authorization.
    const { config, cluster, stackName, gatewayRoutes, tlsMode } = preflight();

    // A root held in this stack rotates one documented step per `up`: checked against what the last `up`
    // applied, read back through a reference to this stack (a read, before anything is created; it needs
    // the engine, so it cannot be part of the synchronous preflight).
    const meshRootRotation = config.mesh.ca === "stack" && config.mesh.rootStack === undefined
        ? { generation: config.mesh.rootGeneration, step: config.mesh.rootRotation } : undefined;
    if (meshRootRotation) {
        const problem = rotationStepProblem(await previousRotation("mesh-ca-previous", meshRootRotationOutput), meshRootRotation,
            { generation: "mesh.rootGeneration", rotation: "mesh.rootRotation" });
        if (problem !== undefined) {
            throw new ConfigError([problem]);
        }
    }

    // Istio's manifests at the tag of istio.version: fetched and rendered before the first resource (see above).
    const manifests = await loadSampleManifests(config, fetchManifest);

    // --- The cluster: one explicit provider, handed to every component; their children inherit it ---
    const onCluster = { providers: [clusterProvider(cluster, stackName)] };

    // --- The mesh's workload identity CA (mesh.ca: stack): an intermediate plugged into istiod ---
    const meshCa = config.mesh.ca === "stack" ? new MeshCa("mesh-ca", {
        mesh: config.mesh, stackName, clusterName: config.iks.cluster ?? stackName,
    }) : undefined;

    // --- Istio: base → istiod → gateway, mesh-wide STRICT ---
    const mesh = new IstioMesh("mesh", {
        ...(meshCa ? { caCerts: meshCa.cacerts } : {}),
        istio: config.istio,
        mtlsMode: config.mtls.mode,
        profile: config.profile,
        gatewayServiceAnnotations: gatewayServiceAnnotations(config.iks, stackName),
        otherPods: observabilityPodTemplates(manifests.prometheus?.objects),
        ...(manifests.gatewayApiCrds ? { gatewayApiCrds: manifests.gatewayApiCrds, prerequisitesProvider: prerequisitesProvider(cluster) } : {}),
    }, onCluster);

    // --- PKI and ingress gateway ---
    const pki = new MeshPki("mesh-pki", { config, mesh, stackName }, onCluster);
    // On IKS the gateway serves its NLB subdomain with IBM's certificate, and MUTUAL behind the ALB.
    const iks = config.iks.enabled ? new IksEdge("iks", { config, mesh, pki, stackName }, onCluster) : undefined;
    const gatewayHostList = iks?.gatewayHosts ?? configuredGatewayHosts(config);
    // WordPress is installed by a Job before any route reaches it (the installer would otherwise belong
    // to the first visitor); its site URL is its own first host, else the gateway's.
    const wordpress = config.wordpress.enabled ? new WordPress("wordpress", {
        config, dataplaneReady: mesh.dataplaneReady, istioConfigReady: mesh.istioConfigReady,
        siteUrl: pulumi.output(gatewayHostList).apply((hosts) => `https://${curlHost(config.wordpress.hosts.length > 0 ? config.wordpress.hosts : hosts)}`),
    }, onCluster) : undefined;
    const ingressGateway = new IngressGateway("ingress-gateway", {
        mesh,
        pki,
        tlsMode,
        hosts: gatewayHostList,
        ...(wordpress ? { routesAfter: wordpress.routesAfter, hostsRoutedFrom: [{ namespace: wordpress.namespaceName, hosts: config.wordpress.hosts }] } : {}),
        ...(iks ? { credentialName: iks.gatewayCredentialName } : {}),
        routes: gatewayRoutes,
        // Behind the IKS ALB each sample has `<app>.<ingress subdomain>` to itself.
        ...(iks?.alb ? { hostRoutes: iks.alb.ingressSubdomain.apply((subdomain) => sampleHostRoutes(config, subdomain)) } : {}),
    }, onCluster);

    // --- Samples ---
    // Each sample's pods wait for the data plane (istiod's sidecar injection, or in ambient mode ztunnel,
    // which comes after istiod) and its Istio resources for istiod's webhooks, and for nothing else: the
    // samples never wait on each other. A disabled sample creates nothing.
    const bookinfo = manifests.bookinfo ? new IstioSample("bookinfo", {
        sample: "bookinfo", config, dataplaneReady: mesh.dataplaneReady, istioConfigReady: mesh.istioConfigReady, manifest: manifests.bookinfo,
    }, onCluster) : undefined;
    const httpbin = manifests.httpbin ? new IstioSample("httpbin", {
        sample: "httpbin", config, dataplaneReady: mesh.dataplaneReady, istioConfigReady: mesh.istioConfigReady, manifest: manifests.httpbin,
    }, onCluster) : undefined;
    const samples = [wordpress, bookinfo, httpbin].flatMap((sample) => sample ? [sample] : []);

    // --- Observability and EnRoute ---
    const observability = manifests.prometheus
        ? new Observability("observability", { config, mesh, prometheus: manifests.prometheus }, onCluster) : undefined;
    const enroute = config.enroute.enabled ? new EnRoute("enroute", { config, mesh }, onCluster) : undefined;

    // --- Narrower mTLS scopes (in any namespace the stack manages) and authorization in the sample namespaces ---
    const managedNamespaces = {
        [mesh.rootNamespace]: mesh.namespace,
        ...Object.fromEntries([...samples, ...(enroute ? [enroute] : [])].map((owner) => [owner.namespaceName, owner.namespace])),
    };
    new MtlsPolicy("mtls", { config, mesh, namespaces: managedNamespaces }, onCluster);
    if (config.authorization.enabled) {
        new Authorization("authorization", { config, mesh, namespaces: managedNamespaces }, onCluster);
    }

    // --- Stack outputs ---
    const istioVersion = config.istio.version;
    const meshMtlsMode = config.mtls.mode;
    const gatewayNamespace = mesh.gatewayNamespace;
    const gatewayService = mesh.gatewayServiceName;
    const caCertificatePem = pki.caCertPem;
    const clientCertificatePem = pki.clientCertPem;
    /** Secret: read it with `pulumi stack output clientPrivateKeyPem --show-secrets`. */
    const clientPrivateKeyPem = pki.clientPrivateKeyPem;
    const gatewayHosts = ingressGateway.hosts;
    const curlCommand = (mutual: boolean) => ingressGateway.hosts.apply((hosts) => gatewayCurlCommand({
        hosts,
        path: curlPath(gatewayRoutes.map((route) => route.matches[0].path)),
        mutual,
        service: { name: mesh.gatewayServiceName, namespace: mesh.gatewayNamespace },
        publicName: config.iks.enabled,
    }));
    /** Under MUTUAL this one is refused by design: it presents no client certificate. */
    const curlSimple = curlCommand(false);
    const curlMutual = curlCommand(true);
    const sampleNamespaces = samples.map((sample) => sample.namespaceName);
    const wordpressCanaryWeight = wordpress ? config.wordpress.canaryWeight : undefined;
    const wordpressAdminUser = wordpress?.adminUser;
    /** Secret: `pulumi stack output wordpressAdminPassword --show-secrets`. */
    const wordpressAdminPassword = wordpress?.adminPassword;
    /** The gateway's public name on IKS, with IBM's certificate. */
    const nlbSubdomain = iks?.nlbDns.subdomain;
    /** `<app>.<ingress subdomain>`: through the IKS ALB, which re-encrypts to the gateway with mutual TLS. */
    const albHosts = iks?.alb?.hosts;
    /** Opens Kiali at http://localhost:20001. */
    const kialiPortForward = observability?.portForwardCommand;
    /** Prints a token for Kiali's token login. */
    const kialiTokenCommand = observability?.tokenCommand;
    const enrouteNamespace = enroute?.namespaceName;

    return {
        istioVersion,
        meshMtlsMode,
        gatewayNamespace,
        gatewayService,
        caCertificatePem,
        clientCertificatePem,
        clientPrivateKeyPem,
        gatewayHosts,
        curlSimple,
        curlMutual,
        sampleNamespaces,
        wordpressCanaryWeight,
        wordpressAdminUser,
        wordpressAdminPassword,
        nlbSubdomain,
        albHosts,
        kialiPortForward,
        kialiTokenCommand,
        enrouteNamespace,
        /** mesh.ca stack: the trust bundle every workload gets (`root-cert.pem`). */
        meshRootCertPem: meshCa?.rootCertPem,
        /** A root held in this stack: the rotation step this `up` applied, which the next one checks. */
        [meshRootRotationOutput]: meshRootRotation,
    };
};
