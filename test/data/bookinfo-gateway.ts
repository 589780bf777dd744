// The URI matches of Istio's own bookinfo route, as facts: samples/bookinfo/networking/bookinfo-gateway.yaml
// at tag 1.30.3 (https://github.com/istio/istio/blob/1.30.3/samples/bookinfo/networking/bookinfo-gateway.yaml),
// VirtualService `bookinfo`, its one http route to productpage:9080.
export const upstreamBookinfoMatches1303 = [
    { kind: "exact", path: "/productpage" },
    { kind: "prefix", path: "/static" },
    { kind: "exact", path: "/login" },
    { kind: "exact", path: "/logout" },
    { kind: "prefix", path: "/api/v1/products" },
] as const;
