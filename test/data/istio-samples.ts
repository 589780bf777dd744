// Facts about Istio's sample manifests that the stack applies by URL: which Services (selector, ports)
// and which pods (labels) each creates. Read from istio/istio at tags 1.30.3 and 1.29.4
// (samples/bookinfo/platform/kube/bookinfo.yaml, samples/httpbin/httpbin.yaml; identical in these
// respects, and neither names a namespace). Written down as facts, not copied: under mocks a ConfigFile
// is one opaque resource, so these are what the program's DestinationRules and routes are checked against.

export interface ServiceFact {
    name: string;
    selector: Record<string, string>;
    ports: number[];
}

export interface WorkloadFact {
    deployment: string;
    podLabels: Record<string, string>;
}

export interface ManifestFacts {
    services: ServiceFact[];
    workloads: WorkloadFact[];
}

const bookinfoWorkload = (app: string, version: string): WorkloadFact =>
    ({ deployment: `${app}-${version}`, podLabels: { app, version } });

export const istioSampleFacts: Record<string, ManifestFacts> = {
    "bookinfo/platform/kube/bookinfo.yaml": {
        services: ["details", "ratings", "reviews", "productpage"]
            .map((name) => ({ name, selector: { app: name }, ports: [9080] })),
        workloads: [
            bookinfoWorkload("details", "v1"),
            bookinfoWorkload("ratings", "v1"),
            bookinfoWorkload("reviews", "v1"),
            bookinfoWorkload("reviews", "v2"),
            bookinfoWorkload("reviews", "v3"),
            bookinfoWorkload("productpage", "v1"),
        ],
    },
    "httpbin/httpbin.yaml": {
        services: [{ name: "httpbin", selector: { app: "httpbin" }, ports: [8000] }],
        workloads: [{ deployment: "httpbin", podLabels: { app: "httpbin", version: "v1" } }],
    },
};
