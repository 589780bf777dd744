// iks-ingress-secret: the certificate the IKS ALB serves is current. With the cluster's Ingress secret
// in Secrets Manager (its CRN, `ingress secret get`), the stack's copy by CRN must exist at IBM under
// that CRN (`ingress secret ls`), since IBM renews only such copies; without, the stack's Kubernetes
// copy must hold the same certificate as IBM's original in `default` (else IBM renewed it since the
// last pulumi up). The same decision as the deploy (components/ibm/scripts/alb-ingress.ts
// certificateSource): without a default instance no `ingress secret` call is made. Read-only.
import { albNames } from "../../components/ibm/alb-spec";
import { CertificateSource, certificateSource, findSecret, listSecrets, parseIngressDomain } from "../../components/ibm/scripts/alb-ingress";
import { IbmCloud } from "../../components/ibm/scripts/ibmcloud";
import { iksCheckIds } from "./iks-cli";
import { CheckResult, fail, pass, skip } from "./report";

const id = iksCheckIds.ingressSecret;

export interface IngressSecretFindings {
    cluster: string;
    source: { name: string; namespace: string };
    gatewayNamespace: string;
    found: CertificateSource;
    /** Secrets Manager mode: the CRN of the stack's copy at IBM, or undefined when there is none. */
    ibmCopyCrn?: string;
    /** Kubernetes-copy mode: `tls.crt` of IBM's original and of the stack's copy (undefined: not there). */
    originalCertificate?: string;
    copyCertificate?: string;
}

export function decideIngressSecret(findings: IngressSecretFindings): CheckResult {
    const { cluster, source, gatewayNamespace, found } = findings;
    const sourceRef = `${source.namespace}/${source.name}`;
    if (found.mode === "secrets-manager") {
        const target = `${gatewayNamespace}/${albNames.ingressTlsSecret}`;
        if (findings.ibmCopyCrn === undefined) {
            return fail(id, `${sourceRef} is in Secrets Manager (${found.crn}), but cluster ${cluster} has no Ingress secret ${target} copied by its CRN, ` +
                "so the ALB still serves the stack's Kubernetes copy: run pulumi up (the changed mode replaces the copy)");
        }
        if (findings.ibmCopyCrn !== found.crn) {
            return fail(id, `Ingress secret ${target} holds ${findings.ibmCopyCrn}, not ${sourceRef}'s ${found.crn}: run pulumi up`);
        }
        return pass(id, `the ALB serves ${target}, IBM's copy by CRN of ${sourceRef} (${found.crn}), which IBM renews`);
    }
    const copy = `${gatewayNamespace}/${albNames.ingressTlsKubernetesCopy}`;
    if (findings.originalCertificate === undefined) {
        return fail(id, `could not read ${sourceRef}'s certificate with kubectl`);
    }
    if (findings.copyCertificate === undefined) {
        return fail(id, `${found.why}, but the stack's Kubernetes copy ${copy} is missing: run pulumi up`);
    }
    if (findings.copyCertificate !== findings.originalCertificate) {
        return fail(id, `the stack's Kubernetes copy ${copy} differs from ${sourceRef}: IBM renewed the certificate since the last pulumi up; ` +
            "run pulumi up (and at least weekly, or move to Secrets Manager: docs/iks.md, certificate renewal)");
    }
    return pass(id, `${found.why}: the stack's Kubernetes copy ${copy} holds IBM's current certificate (refreshed only by pulumi up)`);
}

/** Reads `tls.crt` of a Secret through kubectl; undefined when it is not there. */
export type CertificateReader = (namespace: string, name: string) => Promise<string | undefined>;

export async function checkIngressSecret(cli: IbmCloud, input: { albEnabled: boolean; gatewayNamespace: string; readCertificate: CertificateReader }): Promise<CheckResult> {
    if (!input.albEnabled) {
        return skip(id, "iks.alb.enabled is false");
    }
    const { cluster } = cli.settings;
    const domain = parseIngressDomain(await cli.ensureReady(), `IKS cluster ${cluster}`);
    const source = { name: domain.secretName, namespace: domain.secretNamespace };
    const found = await certificateSource(cli, source);
    if (found.mode === "secrets-manager") {
        const copy = findSecret(await listSecrets(cli), { name: albNames.ingressTlsSecret, namespace: input.gatewayNamespace });
        return decideIngressSecret({ cluster, source, gatewayNamespace: input.gatewayNamespace, found, ...(copy ? { ibmCopyCrn: copy.crn } : {}) });
    }
    const originalCertificate = await input.readCertificate(source.namespace, source.name);
    const copyCertificate = await input.readCertificate(input.gatewayNamespace, albNames.ingressTlsKubernetesCopy);
    return decideIngressSecret({
        cluster, source, gatewayNamespace: input.gatewayNamespace, found,
        ...(originalCertificate !== undefined ? { originalCertificate } : {}),
        ...(copyCertificate !== undefined ? { copyCertificate } : {}),
    });
}
