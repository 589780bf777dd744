import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IbmCloudCli } from "./ibmcloud-cli";
import { IksInfrastructure, loadBalancerAddress } from "./load-balancer";
import { parseResult } from "./scripts/nlb-dns";

export interface NlbDnsArgs {
    cli: IbmCloudCli;
    infrastructure: IksInfrastructure;
    /** The ingress gateway's Helm release: its Service's load balancer is what gets the subdomain. */
    gatewayRelease: k8s.helm.v3.Release;
    gatewayNamespace: string;
    gatewayServiceName: string;
    /** How long to wait for IBM to issue the subdomain's certificate. */
    timeoutSeconds: number;
    /** The load balancer's visibility, which a new VPC subdomain's type matches. */
    visibility: "public" | "private";
}

/**
 * An IBM NLB DNS subdomain for the ingress gateway's load balancer, with the TLS certificate IBM
 * issues and renews for it, as a Secret in the gateway's namespace (where the Gateway can use it).
 * The registration is created, or adopted when the address is already registered, by a command
 * resource; a new address is moved onto the same subdomain (see scripts/nlb-dns.ts).
 */
export class NlbDns extends pulumi.ComponentResource {
    /** The gateway's Service as the cluster reports it (read, not managed). */
    readonly gatewayService: k8s.core.v1.Service;
    /** IP (classic) or hostname (VPC) of the gateway's load balancer. */
    readonly address: pulumi.Output<string>;
    readonly registration: command.local.Command;
    readonly subdomain: pulumi.Output<string>;
    /** The certificate Secret IBM keeps in `secretNamespace`: the Gateway's credentialName. */
    readonly secretName: pulumi.Output<string>;
    readonly secretNamespace: pulumi.Output<string>;

    constructor(name: string, args: NlbDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:ibm:NlbDns", name, {}, opts);
        const { cli, infrastructure, gatewayNamespace, gatewayServiceName } = args;
        const serviceRef = `${gatewayNamespace}/${gatewayServiceName}`;

        // The ID is unknown until the release exists, so a preview of a new stack skips this read
        // instead of failing on a Service that is not there yet.
        const serviceId = args.gatewayRelease.status.apply((status) => `${status?.namespace ?? gatewayNamespace}/${gatewayServiceName}`);
        this.gatewayService = k8s.core.v1.Service.get(`${name}-gateway-service`, serviceId,
            { parent: this, dependsOn: [args.gatewayRelease] });
        this.address = this.gatewayService.status.apply((status) => loadBalancerAddress(status, infrastructure, serviceRef));

        this.registration = cli.command(`${name}-registration`, {
            script: "nlb-dns",
            create: "create",
            delete: "delete",
            environment: {
                IKS_INFRASTRUCTURE: infrastructure,
                NLB_ADDRESS: this.address,
                NLB_SECRET_NAMESPACE: gatewayNamespace,
                NLB_DNS_TIMEOUT_SECONDS: String(args.timeoutSeconds),
                NLB_TYPE: args.visibility,
            },
            // Another cluster or namespace is a new registration (the old one is taken down first). A new
            // load balancer address is an update instead: the script moves the stack's subdomain to it,
            // so the hostname and certificate stay.
            triggers: [cli.settings.cluster, infrastructure, gatewayNamespace],
        }, { parent: this });

        const result = this.registration.stdout.apply(parseResult);
        this.subdomain = result.apply((registered) => registered.subdomain);
        this.secretName = result.apply((registered) => registered.secretName);
        this.secretNamespace = result.apply((registered) => registered.secretNamespace);

        this.registerOutputs({
            address: this.address,
            subdomain: this.subdomain,
            secretName: this.secretName,
            secretNamespace: this.secretNamespace,
        });
    }
}
