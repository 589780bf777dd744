// Checks across sections: what one part of the config means for another (IKS and the hosts it serves,
// mTLS scopes and the namespaces the stack manages, ambient mode and DISABLE).
import { ManagedParts, managedNamespaces } from "../core/namespaces";
import { ObjectReader, setCommand } from "./reader";
import { ClientPolicyConfig, MtlsPolicyConfig } from "./schema";

/**
 * What ambient mode cannot do that the rest of the config asks for. DISABLE is not supported in ambient
 * mode (istio.io reference, PeerAuthentication), and what istiod does with it is treat it as PERMISSIVE:
 * the scope stops being strict and ztunnel accepts plaintext from anyone as well as HBONE
 * (pilot/pkg/serviceregistry/ambient/authorization.go and policies.go at 1.30.3: DISABLE and PERMISSIVE
 * take the same branches). Nothing turns ztunnel's own mTLS off, so a client that meant to speak plaintext
 * to a DISABLE scope gets PERMISSIVE's semantics instead of what it asked for: refused, with the reason.
 */
export function ambientProblems(mtls: ObjectReader, policies: readonly MtlsPolicyConfig[]): void {
    policies.forEach((policy, index) => {
        const disabled = [
            ...(policy.mode === "DISABLE" ? [`mtls.policies[${index}].mode`] : []),
            ...Object.entries(policy.ports ?? {}).filter(([, mode]) => mode === "DISABLE").map(([port]) => `mtls.policies[${index}].ports.${port}`),
        ];
        for (const key of disabled) {
            mtls.problem(key, `${key} is DISABLE, which ambient mode does not support (got istio.dataplane ambient): ` +
                "istiod gives ztunnel PERMISSIVE for it, so the scope would accept both plaintext and mTLS, not what DISABLE says",
            `${setCommand(key, "PERMISSIVE")} (accepts plaintext from clients outside the mesh), or ${setCommand("istio.dataplane", "sidecar")}`);
        }
    });
}

/**
 * EnRoute cannot reach ambient pods. It stays sidecar-injected, but its own Envoy calls mesh services with
 * plain Istio mTLS using the certificate its sidecar writes out (OUTPUT_CERTS), not HBONE; under STRICT,
 * ztunnel's static policy denies every connection without an authenticated principal
 * (pilot/pkg/serviceregistry/ambient/policies.go at 1.30.3, the static STRICT DENY). Refused until there
 * is a path that works.
 */
export function ambientEnrouteProblems(enroute: ObjectReader, config: { enabled: boolean }): void {
    if (config.enabled) {
        enroute.problem("enroute.enabled", "enroute.enabled cannot be true with istio.dataplane ambient: EnRoute's Envoy calls the samples " +
            "with the mTLS certificate its sidecar writes out, not over HBONE, and ztunnel refuses connections without an HBONE " +
            "identity under STRICT (docs/ambient.md)",
        `${setCommand("enroute.enabled", "false")}, or ${setCommand("istio.dataplane", "sidecar")}`);
    }
}

/**
 * Istio's OpenShift profile turns on `pilot.cni.enabled` in istiod, so the injector leaves traffic
 * redirection to istio-cni: sidecar pods without it would start without redirection
 * (manifests/charts/istio-control/istio-discovery/files/profile-platform-openshift.yaml at 1.30.3).
 */
export function platformProblems(istio: ObjectReader, config: { platform: string; dataplane: string; cni: boolean }): void {
    if (config.platform === "openshift" && config.dataplane === "sidecar" && !config.cni) {
        // Named under istio.cni: that is what must change on OpenShift, the platform is a fact.
        istio.problem("istio.cni", "istio.cni must be true with istio.dataplane sidecar and istio.platform openshift: Istio's OpenShift " +
            "profile leaves sidecar redirection to istio-cni",
        `${setCommand("istio.cni", "true")}, or ${setCommand("istio.dataplane", "ambient")}, or pulumi config rm --path istio.platform if the cluster is not OpenShift`);
    }
}

/** The namespace of an in-cluster host (`reviews.bookinfo.svc.cluster.local` → bookinfo). */
export function hostNamespace(host: string): string | undefined {
    const match = /^[^.]+\.([^.]+)\.svc\.cluster\.local$/.exec(host);
    return match ? match[1] : undefined;
}

/**
 * On IKS the gateway serves the NLB subdomain (and the ALB's hosts) with IBM's certificate, so other
 * names would be routed to nothing or fail certificate checks: say so instead of ignoring them.
 */
export function iksServedHostProblems(iks: { enabled: boolean }, wordpressHosts: readonly string[], gatewayHosts: readonly string[],
    wordpress: ObjectReader, gateway: ObjectReader): void {
    if (!iks.enabled) {
        return;
    }
    if (wordpressHosts.length > 0) {
        wordpress.problem("wordpress.hosts", `wordpress.hosts cannot be served when iks.enabled is true (got ${JSON.stringify(wordpressHosts)}): ` +
            "the gateway serves the NLB subdomain with IBM's certificate", "pulumi config rm --path wordpress.hosts " +
            "(WordPress is then served at / of the NLB subdomain and at wordpress.<ingress subdomain> through the ALB)");
    }
    if (gatewayHosts.length !== 1 || gatewayHosts[0] !== "*") {
        gateway.problem("gateway.hosts", `gateway.hosts has no effect when iks.enabled is true (got ${JSON.stringify(gatewayHosts)}): ` +
            "the gateway serves the NLB subdomain", "pulumi config rm --path gateway.hosts");
    }
}

/** mTLS scopes and client policies may only name namespaces this stack creates, and never the root namespace. */
export function managedNamespaceProblems(mtls: ObjectReader,
    config: { policies: readonly MtlsPolicyConfig[]; clientPolicies: readonly ClientPolicyConfig[] },
    enabled: ManagedParts): void {
    const namespaces = managedNamespaces(enabled);
    config.clientPolicies.forEach((policy, index) => {
        const namespace = hostNamespace(policy.host);
        if (namespace !== undefined && !namespaces.includes(namespace)) {
            mtls.problem(`mtls.clientPolicies[${index}].host`,
                `mtls.clientPolicies[${index}].host must be a service in a namespace this stack manages: ${namespaces.join(", ")} ` +
                `(got ${JSON.stringify(policy.host)})`,
                "use a host such as reviews.bookinfo.svc.cluster.local, or enable the sample that owns it");
        }
    });
    config.policies.forEach((policy, index) => {
        if (policy.namespace === "istio-system") {
            // The root namespace's namespace-wide policy is the mesh policy (mtls.mode); a selector there is ignored by Istio.
            mtls.problem(`mtls.policies[${index}].namespace`,
                `mtls.policies[${index}].namespace must not be istio-system, the root namespace: a selector there is ignored ` +
                "and the namespace-wide policy there is the mesh policy",
                setCommand("mtls.mode", policy.mode === "STRICT" ? "STRICT" : "PERMISSIVE") + " for the mesh, or a policy in an app namespace");
        } else if (!namespaces.includes(policy.namespace)) {
            mtls.problem(`mtls.policies[${index}].namespace`,
                `mtls.policies[${index}].namespace must be a namespace this stack manages: ${namespaces.join(", ")} ` +
                `(got ${JSON.stringify(policy.namespace)})`,
                `use one of those, or enable the sample that owns ${JSON.stringify(policy.namespace)}`);
        }
    });
}
