// The resources of the mesh CA: one root per live generation and one intermediate per cluster, signed
// by the generation the rotation state says. Shared by the cluster stack (mesh-ca.ts, root held in the
// stack itself) and the root stack (mesh-root/index.ts), so both issue exactly the same profile.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { RootRotationStep } from "../config/schema";
import {
    CacertsData, cacertsData, meshCaAllowedUses, meshCaKeySpec, meshIntermediateMaxPathLength, meshIntermediateRenewBeforeHours,
    meshIntermediateSubject, meshIntermediateValidityHours, meshRootMaxPathLength, meshRootSubject, meshRootValidityHours, rootRotationState,
} from "./mesh-ca-spec";

export interface MeshCaCluster {
    /** Part of the intermediate's resource names (a cluster stack's name in the root stack, `intermediate` in a cluster stack). */
    resourceName: string;
    /** Named in the intermediate's subject. */
    cluster: string;
    stack: string;
}

export interface MeshCaIssue {
    /** Per cluster (by resourceName): the `cacerts` data, secret as a whole (it holds the intermediate's key). */
    cacerts: Record<string, pulumi.Output<CacertsData>>;
    /** The trust bundle, in `root-cert.pem` order: public. */
    trustedRootPems: pulumi.Output<string[]>;
}

/**
 * Creates the roots of every generation the rotation state keeps and, for each cluster, an
 * intermediate under the signing generation. Resource names carry the generation, so a rotation step
 * adds or removes whole roots and intermediates and never replaces one in place under the same name.
 */
export function issueMeshCa(name: string, parent: pulumi.Resource, args: {
    holder: string;
    generation: number;
    rotation: RootRotationStep;
    clusters: readonly MeshCaCluster[];
}): MeshCaIssue {
    const state = rootRotationState(args.generation, args.rotation);
    const roots = new Map(state.generations.map((generation) => {
        const key = new tls.PrivateKey(`${name}-root-g${generation}-key`, meshCaKeySpec, { parent });
        const certificate = new tls.SelfSignedCert(`${name}-root-g${generation}`, {
            privateKeyPem: key.privateKeyPem,
            subject: meshRootSubject(args.holder, generation),
            isCaCertificate: true,
            maxPathLength: meshRootMaxPathLength,
            allowedUses: [...meshCaAllowedUses],
            validityPeriodHours: meshRootValidityHours,
            setSubjectKeyId: true,
        }, { parent });
        return [generation, { key, certificate }] as const;
    }));
    const root = (generation: number) => {
        const found = roots.get(generation);
        if (!found) {
            throw new Error(`mesh CA: no root of generation ${generation} in state ${JSON.stringify(state)}`);
        }
        return found;
    };
    const signing = root(state.signingGeneration);
    const trustedRootPems = pulumi.all(state.trustedGenerations.map((generation) => root(generation).certificate.certPem));

    const cacerts: Record<string, pulumi.Output<CacertsData>> = {};
    for (const cluster of args.clusters) {
        const prefix = `${name}-${cluster.resourceName}-g${state.signingGeneration}`;
        const key = new tls.PrivateKey(`${prefix}-key`, meshCaKeySpec, { parent });
        const request = new tls.CertRequest(`${prefix}-csr`, {
            privateKeyPem: key.privateKeyPem,
            subject: meshIntermediateSubject(cluster.cluster, cluster.stack, state.signingGeneration),
        }, { parent });
        const certificate = new tls.LocallySignedCert(prefix, {
            certRequestPem: request.certRequestPem,
            caPrivateKeyPem: signing.key.privateKeyPem,
            caCertPem: signing.certificate.certPem,
            isCaCertificate: true,
            maxPathLength: meshIntermediateMaxPathLength,
            allowedUses: [...meshCaAllowedUses],
            validityPeriodHours: meshIntermediateValidityHours,
            earlyRenewalHours: meshIntermediateRenewBeforeHours,
            setSubjectKeyId: true,
        }, { parent });
        // The provider marks private keys secret only through the engine; wrapping keeps the whole map
        // secret under any engine or mock, end to end into the Secret and the root stack's output.
        cacerts[cluster.resourceName] = pulumi.secret(pulumi.all([certificate.certPem, key.privateKeyPem, signing.certificate.certPem, trustedRootPems])
            .apply(([intermediateCertPem, intermediateKeyPem, signingRootPem, trusted]) => cacertsData({
                intermediateCertPem, intermediateKeyPem, signingRootPem, trustedRootPems: trusted,
            })));
    }
    return { cacerts, trustedRootPems };
}
