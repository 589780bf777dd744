// The config contract's vocabulary: every type the program reads from the stack config and every set of
// allowed values. Validation lives beside it (parse.ts, sections.ts, cross-checks.ts); this file only
// says what a valid config is made of.
import * as pulumi from "@pulumi/pulumi";
import { PrefixRoute } from "../core/routes";
import { DataplaneMode } from "../core/dataplane";

export const projectName = "iks-mesh";

/** `profile`: how much each component requests (components/sizing.ts), from a 2-CPU laptop cluster to production. */
export const sizingProfiles = ["small", "standard", "production"] as const;
export type SizingProfile = (typeof sizingProfiles)[number];

export const gatewayServiceTypes = ["LoadBalancer", "NodePort", "ClusterIP"] as const;
/**
 * Istio's platform profiles (`global.platform`): the istiod, istio-cni and ztunnel charts of every supported
 * line ship `files/profile-platform-<name>.yaml` for exactly these six, and fail on any other name ("unknown
 * platform", templates/zzz_profile.yaml at 1.30.3 and 1.31.0-rc.0). `none` sets no platform: right for IKS,
 * kind and any cluster whose CNI uses /opt/cni/bin, /etc/cni/net.d and /var/run/netns (the charts' defaults).
 */
export const istioPlatforms = ["none", "minikube", "k3s", "k3d", "microk8s", "gke", "openshift"] as const;
/**
 * Who installs the Gateway API CRDs ambient mode needs: `stack` applies the release pinned for the Istio line
 * (adopting CRDs that exist); `cluster` applies none and relies on the cluster's own, for a cluster that ships
 * newer ones or whose CRDs another tool owns. The program cannot read the cluster's version at preview
 * (`.get` of a CRD that does not exist fails the whole run, and pulumi-kubernetes has no read-if-exists), so
 * the operator chooses (docs/ambient.md).
 */
export const gatewayApiCrdOwners = ["stack", "cluster"] as const;
export const meshMtlsModes = ["STRICT", "PERMISSIVE"] as const;
export const peerAuthenticationModes = ["STRICT", "PERMISSIVE", "DISABLE"] as const;
export const gatewayTlsModes = ["SIMPLE", "MUTUAL"] as const;
export const keyAlgorithms = ["ECDSA", "RSA"] as const;
export const volumeAccessModes = ["ReadWriteOnce", "ReadWriteMany"] as const;
export const iksInfrastructures = ["classic", "vpc"] as const;
export const iksLoadBalancerVisibilities = ["public", "private"] as const;
/** IBM's ALB classes (ingress-nginx builds 1.x, Traefik builds 3.x); Traefik is the one IBM supports going forward. */
export const iksAlbIngressClasses = ["public-iks-traefik", "public-iks-k8s-nginx", "private-iks-traefik", "private-iks-k8s-nginx"] as const;
export const kialiAuthStrategies = ["token", "anonymous", "openid", "header"] as const;

/**
 * `mesh.ca`: who signs workload certificates. `istiod` is Istio's self-signed in-cluster root (Istio: not
 * for production); `stack` plugs an intermediate CA made by the stack into istiod (the `cacerts` Secret).
 */
export const meshCaModes = ["istiod", "stack"] as const;
export type MeshCaMode = (typeof meshCaModes)[number];
/** `mesh.rootRotation`: the steps of Istio's multi-root transition (components/pki/mesh-ca-spec.ts rootRotationState). */
export const rootRotationSteps = ["steady", "add-new-root", "sign-with-new-root"] as const;
export type RootRotationStep = (typeof rootRotationSteps)[number];

export const clientTlsModes = ["ISTIO_MUTUAL", "DISABLE", "SIMPLE"] as const;

export type PeerAuthenticationMode = (typeof peerAuthenticationModes)[number];
export type ClientTlsMode = (typeof clientTlsModes)[number];

/** One narrower mTLS scope from `mtls.policies`. */
export interface MtlsPolicyConfig {
    namespace: string;
    /** Pod labels; absent means the whole namespace. */
    selector?: Readonly<Record<string, string>>;
    mode: PeerAuthenticationMode;
    /** Per container port overrides; requires a selector. */
    ports?: Readonly<Record<string, PeerAuthenticationMode>>;
    /** The user accepts this non-STRICT scope under a STRICT mesh; the analysis reports it as a warning only. */
    exception: boolean;
}

/** An explicit client-side TLS policy (a DestinationRule) from `mtls.clientPolicies`. */
export interface ClientPolicyConfig {
    /** `<svc>.<ns>.svc.cluster.local` or `*.<ns>.svc.cluster.local`. */
    host: string;
    mode: ClientTlsMode;
    /** The user accepts a non-mTLS client policy; the analysis reports it as a warning only. */
    exception: boolean;
}

export interface StackConfig {
    /** Which cluster the stack deploys to is in `kubernetes:*` keys (cluster/cluster-binding.ts); this is the opt-out. */
    readonly cluster: {
        /** The stack accepts the current kubeconfig context as its cluster (a local quick start). */
        readonly useCurrentContext: boolean;
    };
    /** How much each component requests (components/sizing.ts); `standard` is the charts' own defaults. */
    readonly profile: SizingProfile;
    readonly istio: {
        /** A patch release of a supported line (components/core/versions.ts supportedIstioLines). */
        readonly version: string;
        readonly gatewayServiceType: (typeof gatewayServiceTypes)[number];
        /** Where all of Istio's charts come from: an https:// Helm repository or an oci:// registry, no trailing slash. */
        readonly chartRepository: string;
        /** Image hub of istiod, of every proxy it injects (gateway, sidecars) and of Istio's sample images. */
        readonly hub: string;
        /** Envoy sidecars in every sample pod, or ambient mode (ztunnel per node, waypoints for L7). */
        readonly dataplane: DataplaneMode;
        /** Istio's platform profile for istiod, istio-cni and ztunnel (CNI paths, quotas); `none` for the charts' defaults. */
        readonly platform: (typeof istioPlatforms)[number];
        /**
         * Resolved: Istio's cni node agent is installed. Always true in ambient mode; in sidecar mode
         * `istio.cni`, or when unset true for profile production (the injector then adds no istio-init).
         */
        readonly cni: boolean;
        /** Ambient mode: whether the stack applies its pinned Gateway API CRDs (`stack`) or uses the cluster's (`cluster`). */
        readonly gatewayApiCrds: (typeof gatewayApiCrdOwners)[number];
    };
    readonly mtls: {
        readonly mode: (typeof meshMtlsModes)[number];
        readonly policies: readonly MtlsPolicyConfig[];
        readonly clientPolicies: readonly ClientPolicyConfig[];
    };
    readonly gateway: {
        readonly hosts: readonly string[];
        readonly tlsMode: (typeof gatewayTlsModes)[number];
        readonly routes: readonly PrefixRoute[];
    };
    readonly pki: {
        readonly validityHours: number;
        readonly renewBeforeHours: number;
        readonly keyAlgorithm: (typeof keyAlgorithms)[number];
        /** Leaf generation: raising it renews the gateway's and the client's key and certificate on the next `up`. */
        readonly rotation: number;
    };
    readonly data: {
        /** MySQL's and WordPress's volumes (PVCs) stay in the cluster when the stack deletes them. */
        readonly retainOnDestroy: boolean;
        /**
         * Take over the `wordpress` namespace and the two claims a destroy kept (the `import` option), instead of
         * failing on "already exists"; only for the `up` that re-creates the stack over them.
         */
        readonly adoptKeptVolumes: boolean;
    };
    /** The mesh's workload identity CA (components/pki/mesh-ca.ts, docs/security.md "Mesh CA"). */
    readonly mesh: {
        /** Resolved: an unset `mesh.ca` is `stack` for profile production and `istiod` otherwise. */
        readonly ca: MeshCaMode;
        /** `<org>/<project>/<stack>` of a mesh-root stack that issues this cluster's intermediate; undefined: the root lives in this stack. */
        readonly rootStack?: string;
        /** Generation of the stack-held root; a new generation is a new root key. */
        readonly rootGeneration: number;
        readonly rootRotation: RootRotationStep;
    };
    readonly authorization: { readonly enabled: boolean };
    readonly wordpress: {
        readonly enabled: boolean;
        readonly canaryWeight: number;
        readonly stableImage: string;
        readonly canaryImage: string;
        readonly mysqlImage: string;
        /** Undefined: the cluster's default storage class. */
        readonly storageClass?: string;
        readonly accessMode: (typeof volumeAccessModes)[number];
        readonly hosts: readonly string[];
        /** Serve /xmlrpc.php (pingbacks, old apps); denied by default: a brute-force and DDoS amplifier. */
        readonly xmlrpc: boolean;
        /** The image of the one-off Job that runs `wp core install` (WP-CLI). */
        readonly cliImage: string;
    };
    readonly bookinfo: { readonly enabled: boolean };
    readonly httpbin: { readonly enabled: boolean };
    readonly iks: {
        readonly enabled: boolean;
        readonly cluster?: string;
        readonly region?: string;
        readonly infrastructure: (typeof iksInfrastructures)[number];
        /** Secret; undefined means IBMCLOUD_API_KEY from the environment or an existing login. */
        readonly apiKey?: pulumi.Output<string>;
        readonly dnsTimeoutSeconds: number;
        /** Targeted at login (`ibmcloud login -g`) when cluster access is granted through a resource group. */
        readonly resourceGroup?: string;
        readonly loadBalancer: { readonly visibility: (typeof iksLoadBalancerVisibilities)[number] };
        readonly alb: { readonly enabled: boolean; readonly ingressClass: (typeof iksAlbIngressClasses)[number] };
        /** Deletes leave IBM Cloud alone (account or cluster gone) and log what is left and how to remove it. */
        readonly skipCloudCleanup: boolean;
    };
    readonly kiali: {
        readonly enabled: boolean;
        readonly authStrategy: (typeof kialiAuthStrategies)[number];
        /** Required with authStrategy anonymous: the user accepts an open Kiali (still warned about). */
        readonly allowAnonymous: boolean;
    };
    readonly enroute: {
        readonly enabled: boolean;
        readonly secretTtlSeconds: number;
        readonly outputCerts: boolean;
        /**
         * Where the user's EnRoute routes send traffic: the authorization policies let EnRoute's identity
         * reach exactly these (service, port, path prefix) and nothing else in the sample namespaces.
         */
        readonly routes: readonly PrefixRoute[];
    };
}

/** The top-level config objects of the contract; anything else under `iks-mesh:` is a typo. */
export const configSections = [
    "cluster", "profile", "istio", "mtls", "gateway", "pki", "data", "mesh", "authorization", "wordpress", "bookinfo", "httpbin", "iks", "kiali",
    "enroute",
] as const;

/** Raw values of the top-level keys under the project namespace, JSON already parsed. */
export type RawConfig = Readonly<Record<string, unknown>>;
