// What the mesh's workload identity CA looks like: the root and per-cluster intermediate profiles, the
// `cacerts` Secret Istio reads, the steps of a root rotation, and the name of a root stack. Plain
// functions, so the cluster stack (mesh-ca.ts), the root stack (mesh-root/) and the test that builds
// real certificates (test/unit/pki/mesh-ca-trust.spec.ts) all follow the same rules.
import { RootRotationStep, rootRotationSteps } from "../config/schema";
import { AllowedUse, PrivateKeySpec } from "./pki-spec";

/**
 * ECDSA P-256 for root and intermediates: as strong as RSA 3072 (NIST SP 800-57 part 1, table 2) with
 * far smaller signatures, and a curve istiod, Envoy (BoringSSL) and ztunnel (rustls) all verify.
 * @pulumi/tls would otherwise pick P-224 (FACTS.md).
 */
export const meshCaKeySpec: PrivateKeySpec = { algorithm: "ECDSA", ecdsaCurve: "P256" };

/** Root and intermediates sign certificates and revocation lists, nothing else (no TLS, no signing of data). */
export const meshCaAllowedUses: readonly AllowedUse[] = ["cert_signing", "crl_signing"];

/** The root signs intermediates only: no CA may sit between it and an intermediate. */
export const meshRootMaxPathLength = 1;
/**
 * An intermediate signs workload certificates only. Asked for, but @pulumi/tls 5.6.1 cannot write it:
 * terraform-provider-tls (internal/provider/common_cert.go) sets Go's `MaxPathLen = 0` without
 * `MaxPathLenZero`, which Go's x509 encodes as "no limit". The root's path length of 1 is what holds:
 * OpenSSL, Go and BoringSSL check every CA's limit in the chain, the root's included, so a CA minted
 * under a leaked intermediate makes a chain one CA too long (test/unit/pki/mesh-ca-trust.spec.ts).
 */
export const meshIntermediateMaxPathLength = 0;

/** The path length the provider actually writes for a `maxPathLength` (see above): 0 is written as none. */
export function writtenPathLength(maxPathLength: number): number | undefined {
    return maxPathLength > 0 ? maxPathLength : undefined;
}

/**
 * Ten years for the root: it is the trust anchor every cluster and workload carries, and replacing it
 * is the three-step rotation below, so it should be rare. Istio's own tooling uses the same
 * (tools/certs/common.mk ROOTCA_DAYS 3650).
 */
export const meshRootValidityHours = 87600;
/**
 * One year for an intermediate (Istio's tooling: two). Its key sits in a cluster Secret, so it is the
 * exposed one: a shorter life bounds a leak, and renewing it is a plain `pulumi up --refresh` under the
 * same root that no workload notices (workload certificates live 24 hours and re-issue on their own).
 */
export const meshIntermediateValidityHours = 8760;
/** Replace an intermediate this long before it expires (on `pulumi up --refresh`, pulumi/pulumi-tls#39). */
export const meshIntermediateRenewBeforeHours = 720;

export interface CertificateSubject {
    commonName: string;
    organization: string;
    organizationalUnit: string;
}

/** The root of one generation, named by the stack that holds it so two roots never look alike. */
export function meshRootSubject(holder: string, generation: number): CertificateSubject {
    return { commonName: `iks-mesh mesh root g${generation}`, organization: "iks-mesh", organizationalUnit: holder };
}

/** An intermediate names its cluster and stack: a workload chain tells which cluster's istiod signed it. */
export function meshIntermediateSubject(cluster: string, stack: string, generation: number): CertificateSubject {
    return { commonName: `iks-mesh mesh intermediate ${cluster} g${generation}`, organization: "iks-mesh", organizationalUnit: stack };
}

/** Istio's name for the plug-in CA Secret in istio-system ("Plug in CA Certificates"). */
export const cacertsSecretName = "cacerts";
/** The Secret's keys, exactly as Istio documents them. */
export const cacertsKeys = ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"] as const;
export type CacertsData = Readonly<Record<string, string>> & Record<(typeof cacertsKeys)[number], string>;

/**
 * istiod values with a plugged-in CA: ISTIO_MULTIROOT_MESH makes istiod and the proxies trust every root
 * in `root-cert.pem`, not just the first (pilot/pkg/features: "mesh will support certificates signed by
 * more than one trustAnchor"), which the middle steps of a root rotation need.
 */
export const pluggedInCaValues = { env: { ISTIO_MULTIROOT_MESH: "true" } };

const pemBlock = (pem: string): string => pem.trim() + "\n";

/**
 * The `cacerts` Secret's data. `cert-chain.pem` is the intermediate followed by the root that signed it
 * (Istio tools/certs/common.mk: `cat ca-cert.pem root-cert.pem > cert-chain.pem`); `root-cert.pem` is the
 * trust bundle, which holds two roots during a rotation, the signing one first (without
 * ISTIO_MULTIROOT_MESH Istio trusts only the first).
 */
export function cacertsData(ca: { intermediateCertPem: string; intermediateKeyPem: string; signingRootPem: string; trustedRootPems: readonly string[] }): CacertsData {
    if (!ca.trustedRootPems.some((root) => pemBlock(root) === pemBlock(ca.signingRootPem))) {
        throw new Error("the trust bundle must hold the root that signs the intermediate");
    }
    return {
        "ca-cert.pem": pemBlock(ca.intermediateCertPem),
        "ca-key.pem": pemBlock(ca.intermediateKeyPem),
        "root-cert.pem": ca.trustedRootPems.map(pemBlock).join(""),
        "cert-chain.pem": pemBlock(ca.intermediateCertPem) + pemBlock(ca.signingRootPem),
    };
}

/** Which roots exist, which one signs this cluster's intermediate, and which ones workloads trust. */
export interface RootRotationState {
    /** Root generations that must exist (their keys are kept while any is trusted). */
    generations: number[];
    signingGeneration: number;
    /** In `root-cert.pem` order: the signing root first. */
    trustedGenerations: number[];
}

/**
 * Istio's multi-root transition as states of (`mesh.rootGeneration`, `mesh.rootRotation`), one
 * `pulumi up` each. Going from generation g-1 to g:
 * 1. `g, add-new-root`: root g is created and added to the trust bundle; g-1's intermediate still signs.
 *    Workloads pick up the bundle of both roots as their certificates re-issue.
 * 2. `g, sign-with-new-root`: a new intermediate under root g signs; both roots are still trusted, so
 *    a workload holding a certificate of either root is accepted by every other.
 * 3. `g, steady`: root g-1 leaves the bundle and its key is deleted.
 */
export function rootRotationState(generation: number, step: RootRotationStep): RootRotationState {
    switch (step) {
        case "steady":
            return { generations: [generation], signingGeneration: generation, trustedGenerations: [generation] };
        case "add-new-root":
            return { generations: [generation - 1, generation], signingGeneration: generation - 1, trustedGenerations: [generation - 1, generation] };
        case "sign-with-new-root":
            return { generations: [generation - 1, generation], signingGeneration: generation, trustedGenerations: [generation, generation - 1] };
    }
}

/** The `pulumi up` steps from a steady generation to the next, in order (docs/security.md runbook). */
export function rootRotationPlan(from: number): { generation: number; step: RootRotationStep }[] {
    const next = from + 1;
    return [
        { generation: from, step: "steady" },
        { generation: next, step: "add-new-root" },
        { generation: next, step: "sign-with-new-root" },
        { generation: next, step: "steady" },
    ];
}

/** A rotation step needs a previous generation: generation 1 has none. */
export function rootRotationProblem(generation: number, step: RootRotationStep): string | undefined {
    return step !== "steady" && generation < 2
        ? `mesh.rootRotation ${step} needs a previous root: raise mesh.rootGeneration to the new root's generation (got generation ${generation})`
        : undefined;
}

/**
 * Whether (previous → next) is a step of the documented sequence: the same state again, or the next one
 * of `rootRotationPlan`. Anything else skips a step (workloads would lose trust) or goes backwards (a
 * lower generation is a brand-new key under an old name).
 */
export function isRotationStep(previous: { generation: number; step: RootRotationStep }, next: { generation: number; step: RootRotationStep }): boolean {
    const order: Record<RootRotationStep, number> = { "add-new-root": 1, "sign-with-new-root": 2, steady: 3 };
    const rank = (state: { generation: number; step: RootRotationStep }) => state.generation * 3 + order[state.step];
    return rank(next) === rank(previous) || rank(next) === rank(previous) + 1;
}

export interface RotationPoint {
    generation: number;
    step: RootRotationStep;
}

function isRotationPoint(value: unknown): value is RotationPoint {
    const point = value as Partial<RotationPoint> | undefined;
    return typeof point === "object" && point !== null && Number.isInteger(point.generation)
        && (rootRotationSteps as readonly unknown[]).includes(point.step);
}

/**
 * Whether going from the state the last `up` recorded (`previous`, as read back from the stack's own
 * output) to the configured one is a step of the documented sequence; nothing recorded (a first `up`,
 * or a stack from before the state was exported) allows any state. `keys` name the config keys in the
 * problem and its fix (`mesh.rootGeneration` in a cluster stack, `rootGeneration` in mesh-root).
 */
export function rotationStepProblem(previous: unknown, next: RotationPoint, keys: { generation: string; rotation: string }): string | undefined {
    if (!isRotationPoint(previous) || isRotationStep(previous, next)) {
        return undefined;
    }
    const set = (point: RotationPoint) =>
        `pulumi config set --path ${keys.generation} ${point.generation}; pulumi config set --path ${keys.rotation} ${point.step}`;
    const plan = rootRotationPlan(previous.step === "steady" ? previous.generation : previous.generation - 1);
    const following = plan[plan.findIndex((point) => point.generation === previous.generation && point.step === previous.step) + 1];
    const fix = following ? `${set(following)} (the next step), or ${set(previous)} (stay)` : set(previous);
    return `${keys.generation} ${next.generation} with ${keys.rotation} ${next.step} does not follow the last up's generation ${previous.generation} ` +
        `${previous.step}: a root rotation goes steady → add-new-root → sign-with-new-root → steady, one pulumi up each, never back. Fix: ${fix}`;
}

/** A cluster stack that holds its own root exports the rotation state it applied under this name. */
export const meshRootRotationOutput = "meshRootRotation";

/** The root stack's output: one `cacerts` data map per cluster stack it issues for, keyed by that stack's name. */
export const rootStackCacertsOutput = "cacerts";
