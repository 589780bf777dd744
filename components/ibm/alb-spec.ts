// What the IKS ALB needs to re-encrypt to the ingress gateway with mutual TLS, as plain data: the
// Ingress, its annotations, and for IBM's Traefik ALBs the ServersTransport. IBM's ALBs run the
// community ingress-nginx (classes `public-iks-k8s-nginx`, `private-iks-k8s-nginx`); the seeds'
// `ingress.bluemix.net/ssl-services` annotation is no longer supported. IBM is moving to Traefik
// (classes `*-iks-traefik`), whose upstream TLS is a ServersTransport named on the backend Service.
import { StackConfig } from "../config/schema";
import { ExternalPathModel } from "../mesh/mtls/analysis";

/** Names of the ALB objects in the gateway's namespace. */
export const albNames = {
    ingress: "alb-to-gateway",
    /** IBM's copy (by CRN, renewed by IBM) of the cluster's Ingress certificate, with Secrets Manager. */
    ingressTlsSecret: "iks-ingress-tls",
    /** This stack's Kubernetes copy of it, refreshed on every `pulumi up`, without Secrets Manager. */
    ingressTlsKubernetesCopy: "iks-ingress-tls-copy",
    /** Our client certificate and key for the gateway, plus the roots to verify the gateway with. */
    upstreamSecret: "alb-gateway-upstream",
    serversTransport: "alb-to-gateway",
    /** The Traefik Middleware that sends plain-HTTP requests to HTTPS (IBM's `httpsRedirect` defaults to false). */
    httpsRedirectMiddleware: "alb-https-redirect",
    /** The Traefik variant's backend: the gateway pods behind a Service carrying Traefik's annotations. */
    traefikBackendService: "istio-ingressgateway-alb",
} as const;

export const gatewayHttpsPort = 443;

export function isTraefikIngressClass(ingressClass: string): boolean {
    return ingressClass.endsWith("-iks-traefik");
}

/** The samples reachable through the ALB, each as `<app>.<ingress subdomain>`. */
export function albApps(config: StackConfig): string[] {
    return [
        ...(config.wordpress.enabled ? ["wordpress"] : []),
        ...(config.bookinfo.enabled ? ["bookinfo"] : []),
        ...(config.httpbin.enabled ? ["httpbin"] : []),
    ];
}

export function albHosts(apps: readonly string[], ingressSubdomain: string): string[] {
    return apps.map((app) => `${app}.${ingressSubdomain}`);
}

/**
 * ingress-nginx re-encrypts to the gateway, presents our client certificate, and verifies the
 * gateway's certificate against `ca.crt` for the name the gateway's certificate carries (sent as SNI
 * too, so the gateway picks that server). The Secret lives in the Ingress's own namespace:
 * cross-namespace references are off by default since ingress-nginx 1.12.
 */
export function nginxUpstreamTlsAnnotations(input: { secretNamespace: string; secretName: string; serverName: string }): Record<string, string> {
    return {
        "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
        "nginx.ingress.kubernetes.io/proxy-ssl-secret": `${input.secretNamespace}/${input.secretName}`,
        "nginx.ingress.kubernetes.io/proxy-ssl-verify": "on",
        "nginx.ingress.kubernetes.io/proxy-ssl-name": input.serverName,
        "nginx.ingress.kubernetes.io/proxy-ssl-server-name": "on",
        // nginx verifies one level by default; Let's Encrypt chains are leaf → intermediate → ISRG root,
        // with one more step when the ECDSA root X2 comes cross-signed by X1.
        "nginx.ingress.kubernetes.io/proxy-ssl-verify-depth": "3",
    };
}

/**
 * Traefik reads upstream TLS from the backend Service: HTTPS, through our ServersTransport (a CRD
 * object of the Service's namespace is named `<namespace>-<name>@kubernetescrd`).
 */
export function traefikBackendServiceAnnotations(namespace: string, serversTransport: string): Record<string, string> {
    return {
        "traefik.ingress.kubernetes.io/service.serversscheme": "https",
        "traefik.ingress.kubernetes.io/service.serverstransport": `${namespace}-${serversTransport}@kubernetescrd`,
    };
}

/**
 * The fields of Traefik's `traefik.io/v1alpha1` ServersTransport spec this stack sets (serverName, rootCAs
 * by Secret, certificatesSecrets: traefik/traefik docs/content/reference/dynamic-configuration/
 * traefik.io_serverstransports.yaml); test/program/ibm-stack.spec.ts checks the emitted keys against that CRD's.
 */
export interface TraefikServersTransportSpec {
    serverName: string;
    rootCAs: { secret: string }[];
    certificatesSecrets: string[];
}

/** Traefik's ServersTransport (traefik.io/v1alpha1): the gateway's name, the roots to verify it, our client certificate. */
export function serversTransportSpec(input: { serverName: string; upstreamSecret: string }): TraefikServersTransportSpec {
    return {
        serverName: input.serverName,
        rootCAs: [{ secret: input.upstreamSecret }],
        certificatesSecrets: [input.upstreamSecret],
    };
}

/** The fields of Traefik's `traefik.io/v1alpha1` Middleware spec this stack sets: `redirectScheme` only (traefik.io_middlewares.yaml). */
export interface TraefikRedirectSchemeMiddlewareSpec {
    redirectScheme: { scheme: "https"; permanent: boolean };
}

/**
 * Traefik's Middleware (traefik.io/v1alpha1) that redirects to HTTPS: `spec.redirectScheme` with
 * `scheme` and `permanent` (traefik/traefik docs/content/reference/dynamic-configuration/
 * traefik.io_middlewares.yaml: "For HTTP GET requests a 301 is returned, otherwise a 308"). IBM's
 * Traefik ALBs listen on 80 and 443 and a router without `router.entrypoints` attaches to both, so
 * without it the apps are also served over plain HTTP. On the HTTPS router the middleware passes
 * requests through: it redirects only when the rewritten URL differs (pkg/middlewares/redirect/
 * redirect.go, redirect_scheme.go: a TLS request already has scheme https).
 */
export function httpsRedirectMiddlewareSpec(): TraefikRedirectSchemeMiddlewareSpec {
    return { redirectScheme: { scheme: "https", permanent: true } };
}

/**
 * Attaches CRD middlewares to every router Traefik builds from an Ingress. A Middleware object of
 * namespace `ns` is referenced as `<ns>-<name>@kubernetescrd` (traefik/traefik docs/content/reference/
 * routing-configuration/kubernetes/ingress.md, `traefik.ingress.kubernetes.io/router.middlewares`;
 * pkg/provider/kubernetes/ingress/annotations.go RouterIng.Middlewares).
 */
export function traefikRouterMiddlewareAnnotations(namespace: string, middlewares: readonly string[]): Record<string, string> {
    return { "traefik.ingress.kubernetes.io/router.middlewares": middlewares.map((name) => `${namespace}-${name}@kubernetescrd`).join(",") };
}

export interface AlbIngressSpecInput {
    ingressClass: string;
    hosts: readonly string[];
    tlsSecretName: string;
    backendService: string;
}

/**
 * The fields of a Kubernetes `networking.k8s.io/v1` IngressSpec this stack sets (ingressClassName, IngressTLS,
 * IngressRule with HTTPIngressPath and an IngressServiceBackend by port number), as
 * k8s.types.input.networking.v1.IngressSpec names them; a local shape because a domain module imports no
 * resource package (test/tools/layering.spec.ts), and the Ingress resource's typed `spec` input accepts it.
 */
export interface AlbIngressSpec {
    ingressClassName: string;
    tls: { hosts: string[]; secretName: string }[];
    rules: {
        host: string;
        http: { paths: { path: string; pathType: "Prefix"; backend: { service: { name: string; port: { number: number } } } }[] };
    }[];
}

/** One rule per host, all to the gateway's HTTPS port; the gateway's routes pick the app by path. */
export function albIngressSpec(input: AlbIngressSpecInput): AlbIngressSpec {
    const backend = { service: { name: input.backendService, port: { number: gatewayHttpsPort } } };
    return {
        ingressClassName: input.ingressClass,
        tls: [{ hosts: [...input.hosts], secretName: input.tlsSecretName }],
        rules: input.hosts.map((host) => ({
            host,
            http: { paths: [{ path: "/", pathType: "Prefix", backend }] },
        })),
    };
}

/** The ALB's hop into the mesh, for the mTLS analysis: always HTTPS (re-encrypted) to the gateway. */
export function albExternalPaths(config: StackConfig, gatewayService: string): ExternalPathModel[] {
    if (!config.iks.enabled || !config.iks.alb.enabled) {
        return [];
    }
    return [{ name: `IKS ALB (${config.iks.alb.ingressClass})`, protocol: "HTTPS", target: gatewayService }];
}
