import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";
import { IstioMesh } from "../mesh/istio-mesh";
import { MeshPki } from "../pki/mesh-pki";
import { AlbIngress } from "./alb-ingress";
import { albApps } from "./alb-spec";
import { IbmCloudCli, ibmCloudCliSettings } from "./ibmcloud-cli";
import { letsEncryptRootsPem } from "./lets-encrypt-roots";
import { NlbDns } from "./nlb-dns";

export interface IksEdgeArgs {
    config: StackConfig;
    mesh: IstioMesh;
    /** Issues the client certificate the ALB presents to the gateway. */
    pki: MeshPki;
    /** Each stack's IBM CLI runs get a home of their own. */
    stackName: string;
}

/**
 * The IKS front of the mesh: the gateway's load balancer gets an NLB subdomain with IBM's certificate,
 * and (with `iks.alb.enabled`) the IKS ALB serves `<app>.<ingress subdomain>` and re-encrypts to the
 * gateway with our client certificate. It tells the IngressGateway what to serve: the hosts and IBM's
 * certificate Secret as credential. The gateway is MUTUAL behind the ALB (gatewayTlsMode in
 * edge/gateway-plan.ts), with our private CA as the only client CA: IBM's certificate is Let's
 * Encrypt's, and trusting Let's Encrypt for clients would let any of its certificate holders in.
 */
export class IksEdge extends pulumi.ComponentResource {
    readonly cli: IbmCloudCli;
    readonly nlbDns: NlbDns;
    readonly alb?: AlbIngress;
    /** What the Gateway serves: the NLB subdomain, and the ALB's hosts when the ALB path is on. */
    readonly gatewayHosts: pulumi.Output<string[]>;
    /** IBM's certificate Secret for the NLB subdomain, in the gateway's namespace. */
    readonly gatewayCredentialName: pulumi.Output<string>;

    constructor(name: string, args: IksEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:ibm:IksEdge", name, {}, opts);
        const { config, mesh, pki } = args;
        const { iks } = config;
        this.cli = new IbmCloudCli(ibmCloudCliSettings(iks, args.stackName));

        this.nlbDns = new NlbDns(`${name}-nlb-dns`, {
            cli: this.cli,
            infrastructure: iks.infrastructure,
            gatewayRelease: mesh.gateway,
            gatewayNamespace: mesh.gatewayNamespace,
            gatewayServiceName: mesh.gatewayServiceName,
            timeoutSeconds: iks.dnsTimeoutSeconds,
            visibility: iks.loadBalancer.visibility,
        }, { parent: this });
        this.gatewayCredentialName = this.nlbDns.secretName;

        const apps = albApps(config);
        if (iks.alb.enabled && apps.length === 0) {
            void pulumi.log.warn("iks.alb.enabled is true but no sample is enabled, so the ALB has no host to serve; " +
                "no Ingress is created", this);
        }
        if (iks.alb.enabled && apps.length > 0) {
            this.alb = new AlbIngress(`${name}-alb`, {
                cli: this.cli,
                infrastructure: iks.infrastructure,
                ingressClass: iks.alb.ingressClass,
                apps,
                gateway: {
                    namespace: mesh.gatewayNamespace,
                    serviceName: mesh.gatewayServiceName,
                    selector: mesh.gatewaySelector,
                    dependsOn: [mesh.namespace, mesh.gateway],
                },
                upstreamServerName: this.nlbDns.subdomain,
                // The gateway presents IBM's (Let's Encrypt) certificate for the NLB subdomain.
                upstreamCaPem: letsEncryptRootsPem(),
                clientCertPem: pki.clientCertPem,
                clientKeyPem: pki.clientPrivateKeyPem,
            }, { parent: this });
        }
        this.gatewayHosts = this.alb
            ? pulumi.all([this.nlbDns.subdomain, this.alb.hosts]).apply(([subdomain, hosts]) => [subdomain, ...hosts])
            : this.nlbDns.subdomain.apply((subdomain) => [subdomain]);

        this.registerOutputs({
            gatewayHosts: this.gatewayHosts,
            gatewayCredentialName: this.gatewayCredentialName,
        });
    }
}
