// What `npm run bench` measures and what the tests hold it to: the stacks whose critical path is
// measured, the typical changes whose blast radius is measured, and the minimum each may reach.
import * as pulumi from "@pulumi/pulumi";
import { MockHooks, ProgramRun, RegisteredResource, RunOptions, pureHook } from "../../test/harness/program";
import { iksMocks, iksStackConfig } from "../../test/support/iks-stack";

export interface StackShape {
    name: string;
    config: Record<string, unknown>;
    options: RunOptions;
    /**
     * The longest chain nothing can shorten. Off IKS: Namespace → base (CRDs) → istiod (webhooks) → the
     * sample Namespace, whose enrollment labels wait for the data plane so that a data-plane switch relabels
     * only once the new one is ready (components/samples/mesh-namespace.ts) → the ServiceAccount its pods run
     * as → WordPress stable → canary. The two steps the labels add are API object creates (milliseconds),
     * not Helm releases. On IKS the gateway's load balancer address → the NLB
     * subdomain with its certificate (one command: create, then wait for `created`) → the client-CA
     * Secret named after IBM's certificate Secret (a MUTUAL Gateway without it would briefly trust
     * whatever CA that Secret carries) → the Gateway that serves the subdomain. With WordPress on, its
     * canary starts after stable (one step more than any workload): on an empty shared wp-content only
     * one entrypoint may populate it.
     */
    minimumCriticalPath: number;
}

export const stackShapes: StackShape[] = [
    { name: "default (any cluster)", config: {}, options: {}, minimumCriticalPath: 7 },
    { name: "MUTUAL gateway, routes", config: {
        gateway: { tlsMode: "MUTUAL", routes: [{ prefix: "/api/freight-rating", service: "httpbin", namespace: "httptools", port: 8000 }] },
    }, options: {}, minimumCriticalPath: 7 },
    // EnRoute's GlobalConfig is a custom resource of a CRD that the EnRoute chart installs: one step more.
    { name: "EnRoute", config: { enroute: { enabled: true } }, options: {}, minimumCriticalPath: 7 },
    { name: "IKS (NLB DNS + ALB)", config: iksStackConfig, options: { secretSections: ["iks"], ...iksMocks }, minimumCriticalPath: 8 },
];

/**
 * A renewed certificate comes back from the tls provider with new PEM; nothing else about it changes. Every
 * other answer is the harness's own tls provider state (tlsProviderState: a PEM named after each key and
 * certificate). Pure, so that the runs it makes can be shared like the rest (test/harness/program.ts).
 */
const renewedServerCertificate: MockHooks = {
    resourceState: pureHook((args: pulumi.runtime.MockResourceArgs) => args.type === "tls:index/locallySignedCert:LocallySignedCert" &&
        args.name.endsWith("server-cert")
        ? { certPem: "-----BEGIN CERTIFICATE-----\nrenewed\n-----END CERTIFICATE-----\n" }
        : undefined),
};

export interface Change {
    name: string;
    before: { config: Record<string, unknown>; options: RunOptions };
    after: { config: Record<string, unknown>; options: RunOptions };
    /** The fewest resources a correct program must touch for this change, given the run before it. */
    minimum: (before: ProgramRun) => number;
}

/** Resources that belong to one sample: everything in its namespace, and the namespace. */
function ownedBySample(run: ProgramRun, namespace: string): RegisteredResource[] {
    return run.resources.filter((resource) => {
        const inputs = resource.plain as { metadata?: { name?: string; namespace?: string }; namespace?: string };
        return resource.custom && (inputs.metadata?.namespace === namespace ||
            (resource.type === "kubernetes:core/v1:Namespace" && inputs.metadata?.name === namespace) ||
            (resource.type === "pulumi:providers:kubernetes" && inputs.namespace === namespace));
    });
}

// The default stack, the same run as stackShapes' first: a spec process evaluates it once for both.
const base = { config: {}, options: {} };

export const changes: Change[] = [
    {
        name: "canary weight 10 → 20",
        before: base,
        after: { config: { wordpress: { canary: { weight: 20 } } }, options: {} },
        minimum: () => 1, // the VirtualService holding the split
    },
    {
        name: "add a prefix route",
        before: base,
        after: {
            config: { gateway: { routes: [{ prefix: "/api/freight-tariff", service: "freight-tariff", namespace: "default", port: 8080 }] } },
            options: {},
        },
        minimum: () => 1, // the gateway's VirtualService
    },
    {
        name: "add a prefix route into a sample namespace",
        before: base,
        after: {
            config: { gateway: { routes: [{ prefix: "/api/freight-rating", service: "httpbin", namespace: "httptools", port: 8000 }] } },
            options: {},
        },
        minimum: () => 2, // the VirtualService, and the allow rule that opens the namespace's deny-all for it
    },
    {
        name: "switch httpbin off",
        before: base,
        after: { config: { httpbin: { enabled: false } }, options: {} },
        // Its own resources go, and the gateway's VirtualService loses its routes.
        minimum: (before) => ownedBySample(before, "httptools").length + 1,
    },
    {
        name: "renew the gateway's server certificate",
        before: base,
        after: { config: {}, options: renewedServerCertificate },
        minimum: () => 1, // the credential Secret the gateway reads
    },
];

/** `count` user routes to distinct services, for measuring how evaluation time grows. */
export function manyRoutes(count: number): Record<string, unknown> {
    return {
        gateway: {
            routes: Array.from({ length: count }, (_, index) => ({
                // A namespace the stack does not manage: a route to an unknown Service in a sample namespace is refused (#21).
                prefix: `/api/service-${index}`, service: `service-${index}`, namespace: "freight", port: 8080,
            })),
        },
    };
}
