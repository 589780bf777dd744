// The narrower mTLS scopes the user configured, as the PeerAuthentication and DestinationRule specs
// the MtlsPolicy component emits and the conflict analysis reads: one source for both, so what is
// analysed is exactly what is deployed.
import { StackConfig } from "../../config/schema";
import { mtlsExceptionAnnotation } from "../../core/istio-names";
import { ClientMode, DestinationRuleModel, PeerAuthenticationModel, ServerMode } from "./analysis";

/**
 * The fields of Istio's `security.istio.io/v1` PeerAuthentication spec this stack sets (selector,
 * mtls.mode and portLevelMtls, keyed by container port, in the PeerAuthentication CRD,
 * reference/istio-1.30.3 crd-all.gen.yaml).
 */
export interface IstioPeerAuthenticationSpec {
    mtls: { mode: ServerMode };
    selector?: { matchLabels: Record<string, string> };
    portLevelMtls?: Record<string, { mode: ServerMode }>;
}

/**
 * The fields of Istio's `networking.istio.io/v1` DestinationRule spec this stack sets (host and the
 * top-level trafficPolicy.tls.mode, ClientTLSSettings in the DestinationRule CRD, reference/istio-1.30.3).
 */
export interface IstioDestinationRuleSpec {
    host: string;
    trafficPolicy: { tls: { mode: ClientMode } };
}

export interface PeerAuthenticationSpec extends PeerAuthenticationModel {
    spec: IstioPeerAuthenticationSpec;
}

export interface DestinationRuleSpec extends DestinationRuleModel {
    spec: IstioDestinationRuleSpec;
    annotations: Record<string, string>;
}

/** A Kubernetes name from label values (`{app: reviews, version: v2}` → `reviews-v2`). */
function nameFromLabels(labels: Readonly<Record<string, string>>): string {
    const name = Object.keys(labels).sort().map((key) => labels[key]).join("-")
        .toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
    return name.slice(0, 50).replace(/-+$/, "") || "workload";
}

/**
 * PeerAuthentications for `mtls.policies`: namespace-wide ones are named `default` (one per namespace,
 * as Istio expects), workload ones after their selector. Port-level settings go to `portLevelMtls`,
 * which Istio keys by container port.
 */
export function peerAuthenticationSpecs(config: StackConfig): PeerAuthenticationSpec[] {
    return config.mtls.policies.map((policy, index) => {
        const name = policy.selector ? `mtls-${nameFromLabels(policy.selector)}` : "default";
        const spec: IstioPeerAuthenticationSpec = {
            mtls: { mode: policy.mode },
            ...(policy.selector ? { selector: { matchLabels: { ...policy.selector } } } : {}),
            ...(policy.ports ? {
                portLevelMtls: Object.fromEntries(Object.entries(policy.ports).map(([port, mode]) => [port, { mode }])),
            } : {}),
        };
        return {
            name, namespace: policy.namespace, mode: policy.mode, exception: policy.exception, spec, configKey: `mtls.policies[${index}]`,
            ...(policy.selector ? { selector: policy.selector } : {}),
            ...(policy.ports ? { ports: policy.ports } : {}),
        };
    });
}

/** DestinationRules for `mtls.clientPolicies`, each in the namespace of its host. */
export function destinationRuleSpecs(config: StackConfig): DestinationRuleSpec[] {
    return config.mtls.clientPolicies.map((policy, index) => {
        const [service, namespace] = policy.host.split(".");
        const name = `mtls-client-${service === "*" ? "all" : service}`;
        const annotations: Record<string, string> = policy.exception
            ? { [mtlsExceptionAnnotation]: `mtls.clientPolicies[${index}].exception in the stack config` }
            : {};
        return {
            name, namespace, host: policy.host, mode: policy.mode, exception: policy.exception, configKey: `mtls.clientPolicies[${index}]`,
            spec: { host: policy.host, trafficPolicy: { tls: { mode: policy.mode } } },
            annotations,
        };
    });
}

/** Two policies that would land on one object name are a config mistake, not a silent overwrite. */
export function duplicatePolicyProblems(config: StackConfig): string[] {
    const seen = new Map<string, number>();
    const problems: string[] = [];
    peerAuthenticationSpecs(config).forEach((pa, index) => {
        const key = `${pa.namespace}/${pa.name}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
            problems.push(`mtls.policies[${index}] and mtls.policies[${earlier}] both define PeerAuthentication ${key}. ` +
                "Fix: merge them into one entry");
        }
        seen.set(key, index);
    });
    const hosts = new Map<string, number>();
    config.mtls.clientPolicies.forEach((policy, index) => {
        const earlier = hosts.get(policy.host);
        if (earlier !== undefined) {
            problems.push(`mtls.clientPolicies[${index}] repeats the host ${policy.host} of mtls.clientPolicies[${earlier}]. ` +
                "Fix: keep one of them");
        }
        hosts.set(policy.host, index);
    });
    return problems;
}
