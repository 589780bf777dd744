// Guardrails every preview of an iks-mesh stack must pass. Each check is a plain function over a
// resource's type and inputs, wrapped as a mandatory policy; the tests call the same functions.
import { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { mtlsExceptionAnnotation, mtlsOptOutAnnotation } from "../components/core/istio-names";
import { isPinnedImage } from "../components/core/names";
import {
    DestinationRuleInputs, GatewayInputs, PeerAuthenticationInputs, ReleaseInputs, SecretLikeInputs, WorkloadInputs,
} from "./resource-shapes";

const peerAuthenticationType = "kubernetes:security.istio.io/v1:PeerAuthentication";
const istioTypes = (kind: string) => ["v1", "v1beta1", "v1alpha3"].map((version) => `kubernetes:networking.istio.io/${version}:${kind}`);

/** What a check needs of a resource: its type token, its inputs, and its options. */
export interface ResourceFacts {
    type: string;
    name: string;
    props: Record<string, unknown>;
    additionalSecretOutputs: readonly string[];
}

export type Check = (resource: ResourceFacts) => string[];

export const meshMtlsStrict: Check = ({ type, props: inputs }) => {
    const props = inputs as PeerAuthenticationInputs;
    if (type !== peerAuthenticationType || props.metadata?.namespace !== "istio-system" || props.metadata?.name !== "default") {
        return [];
    }
    const mode = props.spec?.mtls?.mode ?? "UNSET";
    if (mode === "STRICT" || props.metadata?.annotations?.[mtlsOptOutAnnotation]) {
        return [];
    }
    return [`the mesh-wide PeerAuthentication is ${mode}, not STRICT, and the stack did not opt out ` +
        `(set mtls.mode in the stack config, which records the ${mtlsOptOutAnnotation} annotation)`];
};

const weakClientModes = ["DISABLE", "SIMPLE"];

export const noPlaintextToMesh: Check = ({ type, props: inputs }) => {
    if (!istioTypes("DestinationRule").includes(type)) {
        return [];
    }
    const props = inputs as DestinationRuleInputs;
    const host = props.spec?.host ?? "";
    // An exception the stack config accepted is on the record, as the program's own analysis allows it.
    if (!host.endsWith(".svc.cluster.local") || props.metadata?.annotations?.[mtlsExceptionAnnotation]) {
        return [];
    }
    const policies = [props.spec?.trafficPolicy, ...(props.spec?.subsets ?? []).map((subset) => subset.trafficPolicy)];
    const modes = policies.flatMap((policy) => [
        policy?.tls?.mode,
        ...(policy?.portLevelSettings ?? []).map((setting) => setting.tls?.mode),
    ]).filter((mode: unknown): mode is string => typeof mode === "string");
    const weak = [...new Set(modes.filter((mode) => weakClientModes.includes(mode)))];
    return weak.map((mode) => `DestinationRule for in-mesh host ${host} sets tls.mode ${mode}: ` +
        "it overrides auto mTLS and breaks calls to STRICT workloads; use ISTIO_MUTUAL or drop the tls setting");
};

const modesWithoutCredential = ["ISTIO_MUTUAL", "PASSTHROUGH", "AUTO_PASSTHROUGH"];

export const gatewayHttpsHasCredential: Check = ({ type, props }) => {
    if (!istioTypes("Gateway").includes(type)) {
        return [];
    }
    return ((props as GatewayInputs).spec?.servers ?? []).filter((server) => server.port?.number === 443).flatMap((server) => {
        const tls = server.tls;
        if (!tls?.mode) {
            return ["Gateway server on port 443 has no TLS settings"];
        }
        if (!modesWithoutCredential.includes(tls.mode) && !tls.credentialName) {
            return [`Gateway server on port 443 (tls.mode ${tls.mode}) has no credentialName`];
        }
        return [];
    });
};

const privateKeyPem = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function mentionsPrivateKey(value: unknown): boolean {
    return JSON.stringify(value ?? "").search(privateKeyPem) >= 0;
}

function holdsKeyMaterial(props: SecretLikeInputs): boolean {
    const keyNames = ["tls.key", "key", "private.key"];
    return [props.data, props.stringData].some((field) => field &&
        (Object.keys(field).some((key) => keyNames.includes(key)) || mentionsPrivateKey(field)));
}

/**
 * Private keys travel only as Pulumi secrets. A policy sees inputs with secrets already unwrapped,
 * so it checks where a key can be and whether that place is kept secret: a Kubernetes Secret holding
 * one must keep data/stringData secret in state; a ConfigMap, a command line or any other plain
 * property must never contain one.
 */
export const privateKeysAreSecret: Check = ({ type, props: inputs, additionalSecretOutputs }) => {
    const props = inputs as SecretLikeInputs & Record<string, unknown>;
    if (type === "kubernetes:core/v1:Secret") {
        if (!holdsKeyMaterial(props)) {
            return [];
        }
        const missing = ["data", "stringData"].filter((field) => props[field] && !additionalSecretOutputs.includes(field));
        return missing.map((field) => `Secret ${props.metadata?.name ?? ""} holds a private key in ${field}, which is not kept secret`);
    }
    if (type === "kubernetes:core/v1:ConfigMap" && mentionsPrivateKey(props)) {
        return [`ConfigMap ${props.metadata?.name ?? ""} holds a private key; use a Secret`];
    }
    if (type === "command:local:Command") {
        const commandLines = ["create", "update", "delete"].map((field) => props[field]);
        if (mentionsPrivateKey(commandLines) || commandLines.some((line) => typeof line === "string" && /IBMCLOUD_API_KEY=|--apikey\s/.test(line))) {
            return ["a command line carries a credential; pass it through the command's environment as a secret"];
        }
    }
    return [];
};

const workloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"];

export const imagesPinned: Check = ({ type, props: inputs }) => {
    const match = /^kubernetes:(apps|batch|core)\/v1:(\w+)$/.exec(type);
    if (!match || !(workloadKinds.includes(match[2]) || match[2] === "Pod")) {
        return [];
    }
    const props = inputs as WorkloadInputs;
    const podSpec = match[2] === "Pod" ? props.spec : props.spec?.template?.spec;
    const containers = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
    return containers.filter((container) => !isPinnedImage(container.image ?? ""))
        .map((container) => `container ${container.name ?? ""} uses image ${JSON.stringify(container.image)}, which is not pinned ` +
            "to a tag or digest (no :latest, no untagged)");
};

export const checks: Record<string, { description: string; check: Check }> = {
    "mesh-mtls-strict": { description: "The mesh-wide PeerAuthentication is STRICT unless the stack opts out.", check: meshMtlsStrict },
    "no-plaintext-destination-rule": {
        description: "No DestinationRule with tls DISABLE or SIMPLE for *.svc.cluster.local hosts.", check: noPlaintextToMesh,
    },
    "gateway-https-credential": { description: "Every Gateway server on 443 has TLS with a credentialName.", check: gatewayHttpsHasCredential },
    "private-keys-are-secrets": { description: "Private keys are Pulumi secrets and never in plain properties.", check: privateKeysAreSecret },
    "images-pinned": { description: "Container images are pinned to a tag or digest.", check: imagesPinned },
};

function factsOf(args: ResourceValidationArgs): ResourceFacts {
    return { type: args.type, name: args.name, props: args.props as Record<string, unknown>, additionalSecretOutputs: args.opts.additionalSecretOutputs ?? [] };
}

const resourcePolicies: ResourceValidationPolicy[] = Object.entries(checks).map(([name, { description, check }]) => ({
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        for (const violation of check(factsOf(args))) {
            reportViolation(violation);
        }
    },
}));

/** The mesh policy must exist at all whenever Istio is installed. */
const meshPolicyPresent: StackValidationPolicy = {
    name: "mesh-peer-authentication-present",
    description: "A stack that installs istiod also declares the mesh-wide PeerAuthentication.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const installsIstiod = args.resources.some((resource) =>
            resource.type === "kubernetes:helm.sh/v3:Release" && (resource.props as ReleaseInputs).chart === "istiod");
        const hasMeshPolicy = args.resources.some((resource) => resource.type === peerAuthenticationType &&
            (resource.props as PeerAuthenticationInputs).metadata?.namespace === "istio-system" &&
            (resource.props as PeerAuthenticationInputs).metadata?.name === "default");
        if (installsIstiod && !hasMeshPolicy) {
            reportViolation("istiod is installed but no PeerAuthentication default in istio-system sets the mesh-wide mode");
        }
    },
};

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [...resourcePolicies, meshPolicyPresent];
