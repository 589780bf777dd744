import * as command from "@pulumi/command";
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clientCredentialData } from "../pki/credential-layout";
import {
    albHosts, albIngressSpec, albNames, gatewayHttpsPort, httpsRedirectMiddlewareSpec, isTraefikIngressClass,
    nginxUpstreamTlsAnnotations, serversTransportSpec, traefikBackendServiceAnnotations, traefikRouterMiddlewareAnnotations,
} from "./alb-spec";
import { IbmCloudCli } from "./ibmcloud-cli";
import { IksInfrastructure } from "./load-balancer";
import { parseDomainResult, parseProbedMode, parseSecretResult } from "./scripts/alb-ingress";

export interface AlbIngressArgs {
    cli: IbmCloudCli;
    infrastructure: IksInfrastructure;
    /** `public-iks-traefik` (IBM's supported ALB) or `public-iks-k8s-nginx`; the private classes need a custom domain. */
    ingressClass: string;
    /** Each is served as `<app>.<ingress subdomain>`. */
    apps: readonly string[];
    gateway: {
        namespace: string;
        serviceName: string;
        /** Pod labels of the gateway, for the Traefik variant's own backend Service. */
        selector: Readonly<Record<string, string>>;
        /** What the Ingress objects wait for (the gateway's namespace and release). */
        dependsOn: pulumi.Resource[];
    };
    /** The name the gateway's certificate carries (the NLB subdomain): verified, and sent as SNI. */
    upstreamServerName: pulumi.Input<string>;
    /** The roots that sign the gateway's certificate: Let's Encrypt's for IBM's, our CA for ours. */
    upstreamCaPem: pulumi.Input<string>;
    /** Our client certificate and key (the gateway requires one issued by our CA). */
    clientCertPem: pulumi.Input<string>;
    clientKeyPem: pulumi.Input<string>;
}

/**
 * The IKS ALB in front of the ingress gateway: an Ingress for `<app>.<ingress subdomain>` that
 * serves the cluster's Ingress certificate and re-encrypts to the gateway with our client
 * certificate, verifying the gateway's. The certificate reaches the gateway's namespace as IBM's copy
 * by CRN when a default Secrets Manager instance is registered (IBM renews it), else as a Kubernetes
 * copy of the default Ingress secret that this stack refreshes on every `pulumi up`.
 */
export class AlbIngress extends pulumi.ComponentResource {
    readonly domainLookup: command.local.Command;
    /** Which certificate mode the cluster allows now; re-run when the source certificate changes. */
    readonly certificateModeProbe: command.local.Command;
    readonly tlsSecretCopy: command.local.Command;
    readonly ingressSubdomain: pulumi.Output<string>;
    readonly hosts: pulumi.Output<string[]>;
    /** The copy of the Ingress certificate in the gateway's namespace. */
    readonly tlsSecretName: pulumi.Output<string>;
    /** `secrets-manager` (IBM's renewed copy) or `kubernetes-copy` (this stack's copy). */
    readonly certificateMode: pulumi.Output<string>;
    /** The Kubernetes copy of the default Ingress secret, served when there is no Secrets Manager. */
    readonly tlsSecretKubernetesCopy: k8s.core.v1.Secret;
    readonly upstreamSecret: k8s.core.v1.Secret;
    readonly ingress: k8s.networking.v1.Ingress;
    readonly traefik?: {
        serversTransport: k8s.apiextensions.CustomResource;
        backendService: k8s.core.v1.Service;
        httpsRedirect: k8s.apiextensions.CustomResource;
    };

    constructor(name: string, args: AlbIngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:ibm:AlbIngress", name, {}, opts);
        const { cli, gateway } = args;
        const namespace = gateway.namespace;

        this.domainLookup = cli.command(`${name}-domain`, {
            script: "alb-ingress",
            create: "domain",
            // The lookup first checks that an enabled ALB serves this class (alb-check.ts).
            environment: { ALB_INGRESS_CLASS: args.ingressClass, IKS_INFRASTRUCTURE: args.infrastructure },
        }, { parent: this });
        const domain = this.domainLookup.stdout.apply(parseDomainResult);
        this.ingressSubdomain = domain.apply((found) => found.hostname);
        this.hosts = this.ingressSubdomain.apply((subdomain) => albHosts(args.apps, subdomain));

        const sourceSecret = domain.apply((found) => found.secretName);
        const sourceNamespace = domain.apply((found) => found.secretNamespace);
        // Read on every run, so each `pulumi up` carries IBM's renewed certificate over. Kept in both
        // modes: which one the cluster has is known only once the commands have run (a resource made
        // inside an apply would be invisible to previews).
        const source = k8s.core.v1.Secret.get(`${name}-ingress-secret`, pulumi.interpolate`${sourceNamespace}/${sourceSecret}`,
            { parent: this, dependsOn: [this.domainLookup] });

        // pulumi-command runs a create only when an input changes, and nothing in the copy's inputs
        // changes when IBM moves the certificate into Secrets Manager. IBM does that only by issuing it
        // anew (`nlb-dns secret regenerate`, or the renewal; IBM's Secrets Manager migration steps), so
        // the probe re-runs when the certificate changes, and the mode it finds is a trigger of the copy:
        // a changed mode replaces the copy, a renewal in the same mode leaves it alone.
        this.certificateModeProbe = cli.command(`${name}-certificate-mode`, {
            script: "alb-ingress",
            create: "certificate-mode",
            environment: { ALB_SOURCE_SECRET: sourceSecret, ALB_SOURCE_NAMESPACE: sourceNamespace },
            triggers: [sourceSecret, sourceNamespace, certificateFingerprint(source)],
        }, { parent: this });
        const probedMode = this.certificateModeProbe.stdout.apply((stdout) => parseProbedMode(stdout).mode);

        this.tlsSecretCopy = cli.command(`${name}-tls-secret`, {
            script: "alb-ingress",
            create: "secret-create",
            delete: "secret-delete",
            environment: {
                ALB_SOURCE_SECRET: sourceSecret,
                ALB_SOURCE_NAMESPACE: sourceNamespace,
                ALB_TARGET_SECRET: albNames.ingressTlsSecret,
                ALB_TARGET_NAMESPACE: namespace,
                ALB_KUBERNETES_COPY_SECRET: albNames.ingressTlsKubernetesCopy,
            },
            triggers: [sourceSecret, sourceNamespace, albNames.ingressTlsSecret, namespace, probedMode],
        }, { parent: this, dependsOn: gateway.dependsOn });
        const certificate = this.tlsSecretCopy.stdout.apply(parseSecretResult);
        this.tlsSecretName = certificate.apply((result) => result.name);
        this.certificateMode = certificate.apply((result) => result.mode);

        this.tlsSecretKubernetesCopy = new k8s.core.v1.Secret(`${name}-ingress-tls-copy`, {
            metadata: { name: albNames.ingressTlsKubernetesCopy, namespace },
            type: "kubernetes.io/tls",
            data: pulumi.secret(source.data),
        }, { parent: this, dependsOn: gateway.dependsOn });
        certificate.apply((result) => {
            if (result.mode === "kubernetes-copy") {
                void pulumi.log.warn(`The Ingress certificate of cluster ${cli.settings.cluster} is not in Secrets Manager, so the ALB serves ` +
                    `${namespace}/${albNames.ingressTlsKubernetesCopy}, this stack's copy of it, taken on this pulumi up. IBM renews its ` +
                    "certificates (Let's Encrypt) 37 days before they expire, only in the original secret; the copy follows on the next " +
                    "pulumi up. Run pulumi up at least weekly (Let's Encrypt certificates become 64-day in February 2027), or move to " +
                    "Secrets Manager (docs/iks.md, certificate renewal).", this);
            }
        });

        this.upstreamSecret = new k8s.core.v1.Secret(`${name}-upstream`, {
            metadata: { name: albNames.upstreamSecret, namespace },
            type: "kubernetes.io/tls",
            stringData: clientCredentialData({
                clientCertPem: args.clientCertPem,
                clientKeyPem: pulumi.secret(args.clientKeyPem),
                caCertPem: args.upstreamCaPem,
            }),
        }, { parent: this, dependsOn: gateway.dependsOn });

        let backendService = gateway.serviceName;
        let routerAnnotations: Record<string, string> = {};
        const ingressDependencies: pulumi.Resource[] = [...gateway.dependsOn, this.upstreamSecret, this.tlsSecretCopy, this.tlsSecretKubernetesCopy];
        if (isTraefikIngressClass(args.ingressClass)) {
            const serversTransport = new k8s.apiextensions.CustomResource(`${name}-servers-transport`, {
                apiVersion: "traefik.io/v1alpha1",
                kind: "ServersTransport",
                metadata: { name: albNames.serversTransport, namespace },
                spec: pulumi.output(args.upstreamServerName).apply((serverName) =>
                    serversTransportSpec({ serverName, upstreamSecret: albNames.upstreamSecret })),
            }, { parent: this, dependsOn: [...gateway.dependsOn, this.upstreamSecret] });
            // Traefik takes upstream TLS from annotations on the backend Service; the gateway chart
            // owns istio-ingressgateway's Service, so the ALB gets a Service of its own to the same pods.
            const traefikService = new k8s.core.v1.Service(`${name}-backend`, {
                metadata: {
                    name: albNames.traefikBackendService,
                    namespace,
                    annotations: traefikBackendServiceAnnotations(namespace, albNames.serversTransport),
                },
                spec: {
                    type: "ClusterIP",
                    selector: { ...gateway.selector },
                    ports: [{ name: "https", port: gatewayHttpsPort, targetPort: gatewayHttpsPort, protocol: "TCP" }],
                },
            }, { parent: this, dependsOn: gateway.dependsOn });
            // HTTPS only: IBM's `httpsRedirect` defaults to false, so a Traefik ALB in native mode
            // serves the Ingress on port 80 too. ingress-nginx (and Traefik's ingress-nginx
            // compatibility provider, pkg/provider/kubernetes/ingress-nginx/middleware.go
            // buildSSLRedirect) redirect by default because the Ingress has a TLS block; the native
            // provider needs this Middleware.
            const httpsRedirect = new k8s.apiextensions.CustomResource(`${name}-https-redirect`, {
                apiVersion: "traefik.io/v1alpha1",
                kind: "Middleware",
                metadata: { name: albNames.httpsRedirectMiddleware, namespace },
                spec: httpsRedirectMiddlewareSpec(),
            }, { parent: this, dependsOn: gateway.dependsOn });
            this.traefik = { serversTransport, backendService: traefikService, httpsRedirect };
            backendService = albNames.traefikBackendService;
            routerAnnotations = traefikRouterMiddlewareAnnotations(namespace, [albNames.httpsRedirectMiddleware]);
            ingressDependencies.push(serversTransport, traefikService, httpsRedirect);
        }
        // The nginx annotations go on the Traefik Ingress too. IBM runs its Traefik ALBs with Traefik's
        // ingress-nginx compatibility provider (`ingressProvider: ingress-nginx`), which builds the
        // upstream transport from these Ingress annotations (traefik/traefik
        // pkg/provider/kubernetes/ingress-nginx/annotations.go: backend-protocol, proxy-ssl-secret,
        // -verify, -name, -server-name) and ignores the Service's traefik.ingress.kubernetes.io/service.*
        // ones; without them that ALB presents no client certificate and every request gets a 502.
        // Traefik's native Kubernetes Ingress provider ignores nginx annotations and uses the ServersTransport.
        const annotations = pulumi.output(args.upstreamServerName).apply((serverName) => ({
            ...nginxUpstreamTlsAnnotations({
                secretNamespace: namespace,
                secretName: albNames.upstreamSecret,
                serverName,
            }),
            ...routerAnnotations,
        }));

        this.ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: { name: albNames.ingress, namespace, annotations },
            spec: pulumi.all([this.hosts, this.tlsSecretName]).apply(([hosts, tlsSecretName]) => albIngressSpec({
                ingressClass: args.ingressClass,
                hosts,
                tlsSecretName,
                backendService,
            })),
        }, { parent: this, dependsOn: ingressDependencies });

        this.registerOutputs({
            ingressSubdomain: this.ingressSubdomain,
            hosts: this.hosts,
            tlsSecretName: this.tlsSecretName,
        });
    }
}

/**
 * SHA-256 of the certificate (`tls.crt`) of the cluster's Ingress secret: it changes when IBM issues the
 * certificate anew, and only then. The certificate is public, so its digest is not kept secret (the
 * Secret's data arrives as a secret; the key never enters the digest).
 */
function certificateFingerprint(source: k8s.core.v1.Secret): pulumi.Output<string> {
    return pulumi.unsecret(source.data.apply((data) => createHash("sha256").update(data?.["tls.crt"] ?? "").digest("hex")));
}
