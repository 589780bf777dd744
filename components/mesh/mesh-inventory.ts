// What runs in the mesh, as the policy analysis and the authorization rules reason about it: for
// each workload its namespace, pod labels, service account and Service ports. Built from the names
// the sample components use (components/inventory.ts), so both always agree.
import {
    bookinfoManifest, httpbinManifest, mysqlNames, sampleNamespaces, wordpressNames,
} from "../inventory";
import { StackConfig } from "../config/schema";
import { gatewayReleaseName, gatewaySelector, istioRootNamespace } from "../core/istio-names";

export interface ServicePort {
    port: number;
    /** The container port behind it: PeerAuthentication portLevelMtls and authorization match on this. */
    targetPort: number;
}

export interface MeshWorkload {
    /** Deployment name, for messages. */
    name: string;
    namespace: string;
    serviceAccount: string;
    podLabels: Readonly<Record<string, string>>;
    /** The Service in front of the workload, when it has one. */
    service?: { name: string; ports: readonly ServicePort[] };
}

const trustDomain = "cluster.local";

/** A workload identity as AuthorizationPolicy principals spell it. */
export function principal(namespace: string, serviceAccount: string): string {
    return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

export const ingressGatewayWorkload: MeshWorkload = {
    name: gatewayReleaseName,
    namespace: istioRootNamespace,
    serviceAccount: gatewayReleaseName,
    podLabels: gatewaySelector,
    service: { name: gatewayReleaseName, ports: [{ port: 80, targetPort: 80 }, { port: 443, targetPort: 443 }] },
};

function bookinfoWorkloads(): MeshWorkload[] {
    const port = { port: bookinfoManifest.port, targetPort: bookinfoManifest.port };
    return Object.entries(bookinfoManifest.serviceVersions).flatMap(([app, versions]) => versions.map((version) => ({
        name: `${app}-${version}`,
        namespace: sampleNamespaces.bookinfo,
        serviceAccount: `${bookinfoManifest.serviceAccountPrefix}${app}`,
        podLabels: { app, version },
        service: { name: app, ports: [port] },
    })));
}

function wordpressWorkloads(): MeshWorkload[] {
    const wordpress = ({ deployment, version }: { deployment: string; version: string }): MeshWorkload => ({
        name: deployment,
        namespace: sampleNamespaces.wordpress,
        serviceAccount: wordpressNames.serviceAccount,
        podLabels: { app: wordpressNames.appLabel, version },
        service: { name: wordpressNames.service, ports: [{ port: wordpressNames.port, targetPort: wordpressNames.port }] },
    });
    return [
        wordpress(wordpressNames.stable), wordpress(wordpressNames.canary),
        {
            name: mysqlNames.deployment, namespace: sampleNamespaces.wordpress, serviceAccount: mysqlNames.serviceAccount,
            podLabels: { app: mysqlNames.appLabel },
            service: { name: mysqlNames.service, ports: [{ port: mysqlNames.port, targetPort: mysqlNames.port }] },
        },
    ];
}

function httpbinWorkloads(): MeshWorkload[] {
    return httpbinManifest.versions.map((version) => ({
        name: httpbinManifest.service,
        namespace: sampleNamespaces.httpbin,
        serviceAccount: httpbinManifest.serviceAccount,
        podLabels: { app: httpbinManifest.service, version },
        service: { name: httpbinManifest.service, ports: [{ port: httpbinManifest.port, targetPort: httpbinManifest.targetPort }] },
    }));
}

/** The in-mesh workloads of the samples this stack deploys (the gateway excluded). */
export function sampleWorkloads(config: StackConfig): MeshWorkload[] {
    return [
        ...(config.wordpress.enabled ? wordpressWorkloads() : []),
        ...(config.bookinfo.enabled ? bookinfoWorkloads() : []),
        ...(config.httpbin.enabled ? httpbinWorkloads() : []),
    ];
}
