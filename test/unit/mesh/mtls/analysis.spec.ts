import { strict as assert } from "assert";
import { parseStackConfig } from "../../../../components/config/parse";
import { meshModel } from "../../../../components/mesh/mtls/mesh-model";
import { ingressGatewayWorkload, sampleWorkloads } from "../../../../components/mesh/mesh-inventory";
import { ExternalPathModel, Finding, GatewayServerModel, analyzeMesh, appliedTargets, effectiveServerMode } from "../../../../components/mesh/mtls/analysis";

const secureGateway: GatewayServerModel[] = [
    { gateway: "istio-system/mesh-gateway", port: 80, protocol: "HTTP", httpsRedirect: true },
    { gateway: "istio-system/mesh-gateway", port: 443, protocol: "HTTPS", tlsMode: "SIMPLE" },
];
const albOverHttps: ExternalPathModel[] = [{ name: "Ingress istio-system/alb", protocol: "HTTPS", target: "istio-ingressgateway:443" }];

/**
 * The mTLS scenarios below are about mTLS alone, so they run with authorization off: with it on, every
 * non-STRICT scope in a sample namespace is refused as unreachable (the last describe block).
 */
function analyze(raw: Record<string, unknown>, servers = secureGateway, paths: ExternalPathModel[] = []): Finding[] {
    return analyzeMesh(meshModel(parseStackConfig({ authorization: { enabled: false }, ...raw }), servers, paths));
}
const errors = (findings: Finding[]) => findings.filter((finding) => finding.severity === "error");
const warnings = (findings: Finding[]) => findings.filter((finding) => finding.severity === "warning");

describe("mTLS analysis: clean configurations", () => {
    it("the default stack (STRICT mesh, secure gateway) has no finding", () => {
        assert.deepEqual(analyze({}), []);
    });

    it("an explicit ISTIO_MUTUAL client policy is fine under STRICT", () => {
        assert.deepEqual(analyze({ mtls: { clientPolicies: [{ host: "reviews.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" }] } }), []);
    });

    it("a namespace that repeats STRICT is fine", () => {
        assert.deepEqual(analyze({ mtls: { policies: [{ namespace: "bookinfo", mode: "STRICT" }] } }), []);
    });

    it("a PERMISSIVE mesh with a plaintext client to a PERMISSIVE server works, with a warning only", () => {
        const findings = analyze({
            mtls: { mode: "PERMISSIVE", clientPolicies: [{ host: "httpbin.httptools.svc.cluster.local", mode: "DISABLE" }] },
        });
        assert.deepEqual(errors(findings), []);
        assert.equal(warnings(findings).length, 1);
        assert.match(warnings(findings)[0].message, /mesh-wide mode is PERMISSIVE/);
    });

    it("a PERMISSIVE workload accepted as an exception is a warning, not an error", () => {
        const findings = analyze({ mtls: { policies: [{ namespace: "bookinfo", selector: { app: "ratings" }, mode: "PERMISSIVE", exception: true }] } });
        assert.deepEqual(errors(findings), []);
        assert.equal(warnings(findings).length, 1);
        assert.match(warnings(findings)[0].message, /accepted as an exception/);
    });

    it("a port-level exception on MySQL is a warning, not an error", () => {
        const findings = analyze({
            mtls: { policies: [{ namespace: "wordpress", selector: { app: "mysql" }, mode: "STRICT", ports: { 3306: "PERMISSIVE" }, exception: true }] },
        });
        assert.deepEqual(errors(findings), []);
        assert.match(warnings(findings)[0].message, /port 3306 PERMISSIVE/);
    });

    it("the ALB re-encrypting to the gateway over HTTPS is no plaintext path", () => {
        assert.deepEqual(analyze({}, secureGateway, albOverHttps), []);
    });
});

describe("mTLS analysis: conflicts", () => {
    it("a DISABLE client policy to a STRICT service is the 503 case", () => {
        const findings = errors(analyze({ mtls: { clientPolicies: [{ host: "reviews.bookinfo.svc.cluster.local", mode: "DISABLE" }] } }));
        const calls = findings.filter((finding) => finding.message.includes('calls fail with 503'));
        assert.equal(calls.length, 3, "one per reviews version");
        assert.ok(calls.every((finding) => finding.objects.includes("DestinationRule bookinfo/mtls-client-reviews")));
        assert.ok(calls.every((finding) => finding.objects.includes("PeerAuthentication istio-system/default")));
        assert.match(calls[0].fix, /ISTIO_MUTUAL/);
    });

    it("a SIMPLE client policy to a STRICT service fails too", () => {
        const findings = errors(analyze({ mtls: { clientPolicies: [{ host: "httpbin.httptools.svc.cluster.local", mode: "SIMPLE" }] } }));
        assert.ok(findings.some((finding) => finding.message.includes('one-way TLS to httpbin.httptools.svc.cluster.local')));
    });

    it("a wildcard client policy reaches every service of the namespace", () => {
        const findings = errors(analyze({ mtls: { clientPolicies: [{ host: "*.wordpress.svc.cluster.local", mode: "DISABLE" }] } }));
        const workloads = new Set(findings.flatMap((finding) => finding.objects.filter((object) => object.startsWith("workload"))));
        assert.deepEqual([...workloads].sort(), ["workload wordpress/mysql", "workload wordpress/wordpress-v1", "workload wordpress/wordpress-v2"]);
    });

    it("a PERMISSIVE namespace under a STRICT mesh is an error without an exception", () => {
        const findings = errors(analyze({ mtls: { policies: [{ namespace: "httptools", mode: "PERMISSIVE" }] } }));
        assert.equal(findings.length, 1);
        assert.match(findings[0].message, /PeerAuthentication httptools\/default weakens the STRICT mesh \(mode PERMISSIVE\)/);
    });

    it("Istio mTLS to a workload that only accepts plaintext fails", () => {
        const findings = errors(analyze({
            mtls: {
                policies: [{ namespace: "bookinfo", selector: { app: "details" }, mode: "DISABLE", exception: true }],
                clientPolicies: [{ host: "details.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" }],
            },
        }));
        assert.equal(findings.length, 1);
        assert.match(findings[0].message, /accepts only plaintext on port 9080 \(DISABLE by PeerAuthentication bookinfo\/mtls-details\)/);
    });

    it("a plaintext gateway server is a plaintext path into the mesh", () => {
        const findings = errors(analyze({}, [{ gateway: "istio-system/mesh-gateway", port: 80, protocol: "HTTP" }]));
        assert.equal(findings.length, 1);
        assert.match(findings[0].message, /serves plaintext HTTP into the mesh/);
    });

    it("an ALB that talks HTTP to the gateway is a plaintext path", () => {
        const findings = errors(analyze({}, secureGateway, [{ name: "Ingress istio-system/alb", protocol: "HTTP", target: "istio-ingressgateway:443" }]));
        assert.match(findings[0].message, /reaches istio-ingressgateway:443 in plaintext/);
    });

    it("a STRICT namespace wins over a PERMISSIVE mesh (precedence)", () => {
        const findings = errors(analyze({
            mtls: {
                mode: "PERMISSIVE",
                policies: [{ namespace: "bookinfo", mode: "STRICT" }],
                clientPolicies: [{ host: "ratings.bookinfo.svc.cluster.local", mode: "DISABLE" }],
            },
        }));
        assert.equal(findings.length, 1);
        assert.ok(findings[0].objects.includes("PeerAuthentication bookinfo/default"));
    });

    it("port-level STRICT applies to the container port behind the Service port (httpbin 8000 → 8080)", () => {
        const findings = errors(analyze({
            mtls: {
                mode: "PERMISSIVE",
                policies: [{ namespace: "httptools", selector: { app: "httpbin" }, mode: "PERMISSIVE", ports: { 8080: "STRICT" } }],
                clientPolicies: [{ host: "httpbin.httptools.svc.cluster.local", mode: "DISABLE" }],
            },
        }));
        assert.equal(findings.length, 1);
        assert.match(findings[0].message, /requires Istio mTLS on port 8080/);
    });

    it("lists every conflict at once", () => {
        const findings = errors(analyze({
            mtls: {
                policies: [{ namespace: "httptools", mode: "DISABLE" }],
                clientPolicies: [{ host: "productpage.bookinfo.svc.cluster.local", mode: "DISABLE" }],
            },
        }, [{ gateway: "istio-system/mesh-gateway", port: 80, protocol: "HTTP" }]));
        const kinds = findings.map((finding) => finding.message);
        assert.ok(kinds.some((message) => message.includes('httptools/default weakens')));
        assert.ok(kinds.some((message) => message.includes('calls fail with 503')));
        assert.ok(kinds.some((message) => message.includes('turns off Istio mTLS')));
        assert.ok(kinds.some((message) => message.includes('plaintext HTTP')));
    });
});

describe("mTLS analysis: effective mode", () => {
    const config = parseStackConfig({});
    const model = meshModel(config, secureGateway, []);
    const reviews = sampleWorkloads(config).find((workload) => workload.name === "reviews-v2");

    it("falls back to Istio's default PERMISSIVE when nothing is set", () => {
        const bare = { ...model, peerAuthentications: [] };
        assert.deepEqual(effectiveServerMode(bare, reviews!, 9080), { mode: "PERMISSIVE" });
    });

    it("lets UNSET inherit from the namespace", () => {
        const withUnset = {
            ...model,
            peerAuthentications: [
                ...model.peerAuthentications,
                { name: "default", namespace: "bookinfo", mode: "DISABLE" as const },
                { name: "r", namespace: "bookinfo", selector: { app: "reviews" }, mode: "UNSET" as const },
            ],
        };
        assert.equal(effectiveServerMode(withUnset, reviews!, 9080).mode, "DISABLE");
    });

    it("ignores a selector-carrying policy in the root namespace", () => {
        const gatewayModel = {
            ...model,
            peerAuthentications: [...model.peerAuthentications,
                { name: "gw", namespace: "istio-system", selector: { istio: "ingressgateway" }, mode: "DISABLE" as const }],
        };
        assert.equal(effectiveServerMode(gatewayModel, ingressGatewayWorkload, 443).mode, "STRICT");
        assert.ok(analyzeMesh(gatewayModel).some((finding) => finding.message.includes('selector in the root namespace')));
    });
});

describe("mTLS analysis: the most specific DestinationRule wins", () => {
    it("a wildcard rule skips every host that has a rule of its own", () => {
        const model = meshModel(parseStackConfig({}), secureGateway, []);
        const withRules = {
            ...model,
            destinationRules: [
                { name: "all", namespace: "wordpress", host: "*.wordpress.svc.cluster.local", mode: "DISABLE" as const },
                { name: "wordpress", namespace: "wordpress", host: "wordpress.wordpress.svc.cluster.local" },
            ],
        };
        const targets = appliedTargets(withRules, withRules.destinationRules[0]).map(({ workload }) => workload.name);
        assert.deepEqual(targets, ["mysql"], "WordPress has its own rule; the wildcard reaches only MySQL");
        const findings = errors(analyzeMesh(withRules));
        assert.ok(findings.some((finding) => finding.objects.includes("workload wordpress/mysql")));
        assert.ok(!findings.some((finding) => finding.objects.some((object) => object.startsWith("workload wordpress/wordpress-"))),
            "a rule without a TLS setting leaves WordPress to auto mTLS");
    });
});

describe("mTLS analysis: an exception that authorization makes unreachable", () => {
    const mysqlException = { namespace: "wordpress", selector: { app: "mysql" }, mode: "STRICT", ports: { 3306: "PERMISSIVE" }, exception: true };

    it("refuses the PERMISSIVE MySQL port while authorization denies callers without a workload identity, naming both settings", () => {
        const findings = errors(analyze({ authorization: { enabled: true }, mtls: { policies: [mysqlException] } }));
        assert.equal(findings.length, 1);
        assert.match(findings[0].message, /PeerAuthentication wordpress\/mtls-mysql \(mtls\.policies\) accepts plaintext \(port 3306 PERMISSIVE\), but authorization\.enabled denies every caller in wordpress that has no workload identity/);
        assert.match(findings[0].fix, /delete the entry mtls\.policies\[0\].*'authorization\.enabled' false/);
    });

    it("refuses a PERMISSIVE or DISABLE workload or namespace in any sample namespace, exception or not", () => {
        for (const policy of [
            { namespace: "bookinfo", selector: { app: "ratings" }, mode: "PERMISSIVE", exception: true },
            { namespace: "httptools", mode: "DISABLE", exception: true },
        ]) {
            assert.ok(errors(analyze({ authorization: { enabled: true }, mtls: { policies: [policy] } })).some((finding) => finding.message.includes("the exception is unreachable")), policy.namespace);
        }
    });

    it("keeps the exception (a warning) with authorization off, and says nothing of STRICT scopes", () => {
        assert.deepEqual(errors(analyze({ mtls: { policies: [mysqlException] } })), []);
        assert.deepEqual(analyze({ authorization: { enabled: true }, mtls: { policies: [{ namespace: "bookinfo", mode: "STRICT" }] } }), []);
    });
});
