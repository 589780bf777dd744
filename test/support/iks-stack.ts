// An IKS stack for mock-engine runs: its config, and what the cluster and IBM Cloud would report
// back (the gateway Service's load-balancer address, the ibmcloud commands' result lines; the tls
// provider's PEMs come from the harness). Run it with `runProgram(iksStackConfig, { secretSections: ["iks"], ...iksMocks })`.
import * as pulumi from "@pulumi/pulumi";
import { MockHooks, pureHook, unwrapSecrets } from "../harness/program";

/** Distinctive, so a test can search every registered input and output for it. */
export const iksApiKey = "iks-test-api-key-0f9e8d7c6b5a";

export const iksFacts = {
    cluster: "mesh-cluster",
    region: "us-south",
    classicIp: "169.61.20.30",
    vpcHostname: "8c2f1e7a-us-south.lb.appdomain.cloud",
    nlbSubdomain: "mesh-cluster-0f1e2d3c4b5a-0001.us-south.containers.appdomain.cloud",
    nlbSecretName: "mesh-cluster-0f1e2d3c4b5a-0001",
    ingressSubdomain: "mesh-cluster-0f1e2d3c4b5a-0000.us-south.containers.appdomain.cloud",
    ingressSecretName: "mesh-cluster-0f1e2d3c4b5a-0000",
    ingressCertCrn: "crn:v1:bluemix:public:secrets-manager:us-south:a/0123:4567::secret:89ab",
    ingressCertBase64: Buffer.from("ingress certificate of mesh-cluster").toString("base64"),
    ingressKeyBase64: Buffer.from("ingress private key of mesh-cluster").toString("base64"),
} as const;

export const iksStackConfig: Record<string, unknown> = {
    iks: { enabled: true, cluster: iksFacts.cluster, region: iksFacts.region, apiKey: iksApiKey },
};

/** The command line of a resource, to tell the ibmcloud commands apart. */
const commandLine = (args: pulumi.runtime.MockResourceArgs) => String(args.inputs?.create ?? "");

/**
 * What IBM Cloud and the cluster report. `infrastructure` decides whether the gateway's load balancer
 * has an IP or a hostname.
 */
export function iksResourceState(args: pulumi.runtime.MockResourceArgs, infrastructure: "classic" | "vpc" = "classic",
    secretsManager = true): Record<string, unknown> | undefined {
    switch (args.type) {
        case "kubernetes:core/v1:Secret":
            // The cluster's default Ingress secret, read by the ALB path.
            return args.id === `default/${iksFacts.ingressSecretName}`
                ? { type: "kubernetes.io/tls", data: { "tls.crt": iksFacts.ingressCertBase64, "tls.key": iksFacts.ingressKeyBase64 } }
                : undefined;
        case "kubernetes:core/v1:Service":
            if (!args.id) {
                return undefined;
            }
            return {
                status: { loadBalancer: { ingress: [infrastructure === "classic" ? { ip: iksFacts.classicIp } : { hostname: iksFacts.vpcHostname }] } },
            };
        case "command:local:Command":
            if (commandLine(args).endsWith("nlb-dns create")) {
                return { stdout: JSON.stringify({ subdomain: iksFacts.nlbSubdomain, secretName: iksFacts.nlbSecretName, secretNamespace: "istio-system" }) };
            }
            if (commandLine(args).endsWith("alb-ingress domain")) {
                return { stdout: JSON.stringify({ hostname: iksFacts.ingressSubdomain, secretName: iksFacts.ingressSecretName, secretNamespace: "default" }) };
            }
            if (commandLine(args).endsWith("alb-ingress certificate-mode")) {
                return { stdout: JSON.stringify(secretsManager ? { mode: "secrets-manager", crn: iksFacts.ingressCertCrn } : { mode: "kubernetes-copy", crn: "" }) };
            }
            if (commandLine(args).endsWith("alb-ingress secret-create")) {
                // The environment holds the API key, so it arrives wrapped as a secret.
                const environment = unwrapSecrets(args.inputs.environment ?? {});
                return { stdout: JSON.stringify(secretsManager
                    ? { mode: "secrets-manager", name: environment.ALB_TARGET_SECRET, namespace: environment.ALB_TARGET_NAMESPACE, crn: iksFacts.ingressCertCrn }
                    : { mode: "kubernetes-copy", name: environment.ALB_KUBERNETES_COPY_SECRET, namespace: environment.ALB_TARGET_NAMESPACE, crn: "" }) };
            }
            return undefined;
        default:
            return undefined;
    }
}

// Pure (iksResourceState reads only its arguments and constants), so runs with them can be shared.
export const iksMocks: MockHooks = { resourceState: pureHook((args: pulumi.runtime.MockResourceArgs) => iksResourceState(args, "classic")) };
export const iksVpcMocks: MockHooks = { resourceState: pureHook((args: pulumi.runtime.MockResourceArgs) => iksResourceState(args, "vpc")) };
/** A cluster without a default Secrets Manager instance. */
export const iksNoSecretsManagerMocks: MockHooks = { resourceState: pureHook((args: pulumi.runtime.MockResourceArgs) => iksResourceState(args, "classic", false)) };
