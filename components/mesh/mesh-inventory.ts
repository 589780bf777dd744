// What runs in the mesh, as facts the policy analysis and the authorization rules reason about:
// for each workload its namespace, pod labels, service account and Service ports. WordPress and
// MySQL are defined by this program; bookinfo and httpbin come from Istio's sample manifests at the
// pinned release, whose names, labels and ports are recorded here (samples/bookinfo/platform/kube/
// bookinfo.yaml, samples/httpbin/httpbin.yaml).
import { StackConfig } from "../config";
import { gatewayReleaseName, gatewaySelector, istioRootNamespace } from "./istio-values";

export interface ServicePort {
    port: number;
    /** The container port behind it: PeerAuthentication portLevelMtls and authorization match on this. */
    targetPort: number;
}

export interface MeshWorkload {
    /** Deployment-level name, for messages. */
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

export const wordpressNamespace = "wordpress";
export const bookinfoNamespace = "bookinfo";
export const httpbinNamespace = "httptools";

const bookinfoPort = [{ port: 9080, targetPort: 9080 }];

function bookinfoWorkloads(): MeshWorkload[] {
    const workload = (app: string, version: string): MeshWorkload => ({
        name: `${app}-${version}`,
        namespace: bookinfoNamespace,
        serviceAccount: `bookinfo-${app}`,
        podLabels: { app, version },
        service: { name: app, ports: bookinfoPort },
    });
    return [
        workload("productpage", "v1"), workload("details", "v1"), workload("ratings", "v1"),
        workload("reviews", "v1"), workload("reviews", "v2"), workload("reviews", "v3"),
    ];
}

function wordpressWorkloads(): MeshWorkload[] {
    const wordpress = (version: string): MeshWorkload => ({
        name: `wordpress-${version}`,
        namespace: wordpressNamespace,
        serviceAccount: "wordpress",
        podLabels: { app: "wordpress", version },
        service: { name: "wordpress", ports: [{ port: 80, targetPort: 80 }] },
    });
    return [
        wordpress("v1"), wordpress("v2"),
        {
            name: "mysql", namespace: wordpressNamespace, serviceAccount: "mysql", podLabels: { app: "mysql" },
            service: { name: "mysql", ports: [{ port: 3306, targetPort: 3306 }] },
        },
    ];
}

const httpbinWorkload: MeshWorkload = {
    name: "httpbin", namespace: httpbinNamespace, serviceAccount: "httpbin", podLabels: { app: "httpbin", version: "v1" },
    service: { name: "httpbin", ports: [{ port: 8000, targetPort: 8080 }] },
};

/** The in-mesh workloads of the samples this stack deploys (the gateway excluded). */
export function sampleWorkloads(config: StackConfig): MeshWorkload[] {
    return [
        ...(config.wordpress.enabled ? wordpressWorkloads() : []),
        ...(config.bookinfo.enabled ? bookinfoWorkloads() : []),
        ...(config.httpbin.enabled ? [httpbinWorkload] : []),
    ];
}
