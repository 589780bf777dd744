import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { StackConfig } from "../config/schema";
import { configuredGatewayHosts } from "../edge/gateway-plan";
import { IstioMesh } from "../mesh/istio-mesh";
import { gatewayCredentialName, serverCredentialData } from "./credential-layout";
import {
    AllowedUse, caAllowedUses, caValidityHours, certificateSubjects, clientAllowedUses, privateKeySpec,
    serverAllowedUses, serverDnsNames,
} from "./pki-spec";

export interface MeshPkiArgs {
    /** `pki.*` for keys and lifetimes, the gateway's hosts for the server certificate's names. */
    config: StackConfig;
    /** Where the gateway runs: its credential Secret must live in the gateway's namespace. */
    mesh: IstioMesh;
    /** Named in the certificates' subjects, so a certificate tells which stack issued it. */
    stackName: string;
}

/**
 * A private root CA and the certificates it issues: the gateway's server certificate and one client
 * certificate for callers that must authenticate to a MUTUAL gateway (the IKS ALB, curl). Leaves are
 * renewed when `pki.rotation` is raised; every certificate also carries `earlyRenewalHours` as a safety net
 * for `pulumi up --refresh` (a new CA replaces every leaf, since their CA inputs change).
 */
export class MeshPki extends pulumi.ComponentResource {
    readonly caPrivateKey: tls.PrivateKey;
    readonly caCertificate: tls.SelfSignedCert;
    readonly serverPrivateKey: tls.PrivateKey;
    readonly serverCertificate: tls.LocallySignedCert;
    readonly clientPrivateKey: tls.PrivateKey;
    readonly clientCertificate: tls.LocallySignedCert;
    /** `tls.crt`, `tls.key`, `ca.crt` in the gateway's namespace; the Gateway's default `credentialName`. */
    readonly serverCredential: k8s.core.v1.Secret;
    readonly serverCredentialName: pulumi.Output<string>;
    /** The names the server certificate is valid for (see serverDnsNames for `*`). */
    readonly serverDnsNames: string[];
    readonly caCertPem: pulumi.Output<string>;
    readonly serverCertPem: pulumi.Output<string>;
    readonly clientCertPem: pulumi.Output<string>;
    /** Secret. */
    readonly clientPrivateKeyPem: pulumi.Output<string>;

    constructor(name: string, args: MeshPkiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:pki:MeshPki", name, {}, opts);
        const { config, mesh } = args;
        const { pki } = config;
        const keySpec = privateKeySpec(pki.keyAlgorithm);
        const subjects = certificateSubjects(args.stackName);

        this.caPrivateKey = new tls.PrivateKey(`${name}-ca-key`, keySpec, { parent: this });
        this.caCertificate = new tls.SelfSignedCert(`${name}-ca`, {
            privateKeyPem: this.caPrivateKey.privateKeyPem,
            subject: subjects.ca,
            isCaCertificate: true,
            allowedUses: [...caAllowedUses],
            validityPeriodHours: caValidityHours(pki),
            earlyRenewalHours: pki.renewBeforeHours,
        }, { parent: this });

        // pki.rotation renews the leaves on the next `up`, deterministically: @pulumi/tls renews a
        // LocallySignedCert through earlyRenewalHours only when a refresh notices readyForRenewal
        // (pulumi/pulumi-tls#39), so that stays the safety net and this is the operator's lever. The
        // `replacementTrigger` resource option (@pulumi/pulumi 3.276 resource.d.ts: "the engine will diff this
        // with the last recorded value, and trigger a replace if they are not equal") goes on the key, so the
        // renewal also rotates the key; its CSR and certificate follow because their inputs change. Only set
        // from generation 1 on, so a stack that never rotated records no trigger and upgrading to this code
        // renews nothing. The Secrets that carry them are updated in place (enableSecretMutable).
        const leafRotation: pulumi.CustomResourceOptions = pki.rotation > 0 ? { replacementTrigger: pki.rotation } : {};
        const issue = (role: string, subject: { commonName: string; organization: string }, allowedUses: AllowedUse[], dnsNames?: string[]) => {
            const key = new tls.PrivateKey(`${name}-${role}-key`, keySpec, { parent: this, ...leafRotation });
            const request = new tls.CertRequest(`${name}-${role}-csr`, {
                privateKeyPem: key.privateKeyPem,
                subject,
                ...(dnsNames ? { dnsNames } : {}),
            }, { parent: this });
            const certificate = new tls.LocallySignedCert(`${name}-${role}-cert`, {
                certRequestPem: request.certRequestPem,
                caPrivateKeyPem: this.caPrivateKey.privateKeyPem,
                caCertPem: this.caCertificate.certPem,
                allowedUses,
                validityPeriodHours: pki.validityHours,
                earlyRenewalHours: pki.renewBeforeHours,
            }, { parent: this, ...leafRotation });
            return { key, certificate };
        };

        this.serverDnsNames = serverDnsNames(configuredGatewayHosts(config), { name: mesh.gatewayServiceName, namespace: mesh.gatewayNamespace });
        const server = issue("server", subjects.server, serverAllowedUses(pki.keyAlgorithm), this.serverDnsNames);
        const client = issue("client", subjects.client, clientAllowedUses(pki.keyAlgorithm));
        this.serverPrivateKey = server.key;
        this.serverCertificate = server.certificate;
        this.clientPrivateKey = client.key;
        this.clientCertificate = client.certificate;

        this.caCertPem = this.caCertificate.certPem;
        this.serverCertPem = this.serverCertificate.certPem;
        this.clientCertPem = this.clientCertificate.certPem;
        // The provider marks private keys secret through additionalSecretOutputs, which only the engine
        // honours; wrapping here keeps them secret whatever engine or mock runs the program.
        this.clientPrivateKeyPem = pulumi.secret(this.clientPrivateKey.privateKeyPem);

        this.serverCredential = new k8s.core.v1.Secret(gatewayCredentialName, {
            metadata: { name: gatewayCredentialName, namespace: mesh.gatewayNamespace },
            type: "kubernetes.io/tls",
            stringData: serverCredentialData({
                serverCertPem: this.serverCertPem,
                serverKeyPem: pulumi.secret(this.serverPrivateKey.privateKeyPem),
                caCertPem: this.caCertPem,
            }),
        }, { parent: this, dependsOn: [mesh.namespace] });
        // The name, not the Secret's output: a Gateway that names a credential not yet written waits for
        // it inside Istio, so the Gateway need not wait for the certificate chain to be issued first.
        this.serverCredentialName = pulumi.output(gatewayCredentialName);

        this.registerOutputs({
            caCertPem: this.caCertPem,
            clientCertPem: this.clientCertPem,
            clientPrivateKeyPem: this.clientPrivateKeyPem,
            serverCredentialName: this.serverCredentialName,
        });
    }
}
