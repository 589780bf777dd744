// Stack shapes that several program specs render. One config object per shape, so that the harness runs
// each shape once per worker process and hands the same run to every spec that asks for it
// (test/harness/program.ts runProgram): a spec whose checks hold for any stack with these features uses
// the shape here instead of a near copy of its own, which would cost a whole-program evaluation more.

/**
 * Every optional feature the sidecar (non-IKS) stack can add on top of the default at once: EnRoute (with
 * no routes of its own), a MUTUAL gateway with a user route, WordPress on its own host, an mTLS scope and a
 * client policy. So each Istio resource kind, each workload and each provider the config can add is there.
 */
export const everythingOnStackConfig: Record<string, unknown> = {
    enroute: { enabled: true },
    gateway: { tlsMode: "MUTUAL", routes: [{ prefix: "/api/freight", service: "httpbin", namespace: "httptools", port: 8000 }] },
    wordpress: { hosts: ["blog.example.com"] },
    mtls: {
        policies: [{ namespace: "bookinfo", selector: { app: "reviews" }, mode: "STRICT" }],
        clientPolicies: [{ host: "ratings.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" }],
    },
};
