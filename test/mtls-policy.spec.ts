import { strict as assert } from "assert";
import { ProgramRun, runExpectingConfigError, runProgram } from "./harness/program";
import { validateRun } from "./harness/validate";

const peerType = "kubernetes:security.istio.io/v1:PeerAuthentication";
const ruleType = "kubernetes:networking.istio.io/v1:DestinationRule";

const byName = (run: ProgramRun, type: string, namespace: string, name: string) => run.ofType(type)
    .find((resource) => resource.plain.metadata?.namespace === namespace && resource.plain.metadata?.name === name);

describe("MtlsPolicy: narrower scopes under mocks", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({
            mtls: {
                policies: [
                    { namespace: "bookinfo", mode: "STRICT" },
                    { namespace: "wordpress", selector: { app: "mysql" }, mode: "STRICT", ports: { 3306: "PERMISSIVE" }, exception: true },
                    { namespace: "httptools", selector: { app: "httpbin" }, mode: "PERMISSIVE", exception: true },
                ],
                clientPolicies: [{ host: "reviews.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" }],
            },
        });
    });

    it("creates a namespace-scope PeerAuthentication named default in that namespace", () => {
        const policy = byName(run, peerType, "bookinfo", "default");
        assert.ok(policy);
        assert.deepEqual(policy.plain.spec, { mtls: { mode: "STRICT" } });
    });

    it("creates workload and port-level policies with a selector", () => {
        const mysql = byName(run, peerType, "wordpress", "mtls-mysql");
        assert.ok(mysql);
        assert.deepEqual(mysql.plain.spec, {
            mtls: { mode: "STRICT" }, selector: { matchLabels: { app: "mysql" } }, portLevelMtls: { 3306: { mode: "PERMISSIVE" } },
        });
        assert.equal(byName(run, peerType, "httptools", "mtls-httpbin")?.plain.spec.mtls.mode, "PERMISSIVE");
    });

    it("creates the explicit ISTIO_MUTUAL client policy in the host's namespace", () => {
        const rule = byName(run, ruleType, "bookinfo", "mtls-client-reviews");
        assert.ok(rule);
        assert.deepEqual(rule.plain.spec, { host: "reviews.bookinfo.svc.cluster.local", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } });
    });

    it("logs each accepted exception as a warning", () => {
        const warnings = run.logs.filter((entry) => entry.severity === "warn" && entry.message.startsWith("mTLS:"));
        assert.equal(warnings.length, 2, warnings.map((entry) => entry.message).join("\n"));
        assert.ok(warnings.some((entry) => entry.message.includes('wordpress/mtls-mysql weakens the STRICT mesh (port 3306 PERMISSIVE)')));
    });

    it("puts every policy after istiod and its namespace", () => {
        const istiod = run.get("kubernetes:helm.sh/v3:Release", "istiod");
        for (const resource of [...run.ofType(peerType), ...run.ofType(ruleType)]) {
            assert.ok(run.dependsOn(resource, istiod), `${resource.name} must wait for istiod`);
            const namespace = run.ofType("kubernetes:core/v1:Namespace").find((candidate) =>
                candidate.plain.metadata.name === resource.plain.metadata.namespace);
            assert.ok(namespace && run.dependsOn(resource, namespace), `${resource.name} must wait for its namespace`);
        }
    });

    it("emits only valid objects", async () => {
        assert.deepEqual(await validateRun(run), []);
    });
});

describe("MtlsPolicy: EnRoute's namespace", () => {
    it("takes a policy in the enroute namespace when EnRoute is on", async () => {
        const run = await runProgram({ enroute: { enabled: true }, mtls: { policies: [{ namespace: "enroute", mode: "STRICT" }] } });
        const policy = byName(run, peerType, "enroute", "default");
        assert.ok(policy);
        const namespace = run.get("kubernetes:core/v1:Namespace", "enroute");
        assert.ok(run.dependsOn(policy, namespace));
    });
});

describe("MtlsPolicy: conflicts stop the program before any resource", () => {
    const conflicts: { name: string; config: Record<string, unknown>; expect: RegExp }[] = [
        {
            name: "a DISABLE client policy to STRICT reviews (the seeds' 503)",
            config: { mtls: { clientPolicies: [{ host: "reviews.bookinfo.svc.cluster.local", mode: "DISABLE" }] } },
            expect: /calls fail with 503/,
        },
        {
            name: "a PERMISSIVE namespace in a STRICT mesh without an exception",
            config: { mtls: { policies: [{ namespace: "wordpress", mode: "PERMISSIVE" }] } },
            expect: /wordpress\/default weakens the STRICT mesh/,
        },
        {
            name: "two namespace-wide policies for one namespace",
            config: { mtls: { policies: [{ namespace: "bookinfo", mode: "STRICT" }, { namespace: "bookinfo", mode: "STRICT" }] } },
            expect: /both define PeerAuthentication bookinfo\/default/,
        },
        {
            name: "port-level mTLS without a selector",
            config: { mtls: { policies: [{ namespace: "bookinfo", mode: "STRICT", ports: { 9080: "PERMISSIVE" } }] } },
            expect: /ports needs mtls\.policies\[0\]\.selector/,
        },
        {
            name: "a workload policy in the root namespace",
            config: { mtls: { policies: [{ namespace: "istio-system", selector: { istio: "ingressgateway" }, mode: "PERMISSIVE" }] } },
            expect: /must not be istio-system/,
        },
    ];
    for (const conflict of conflicts) {
        it(conflict.name, async () => {
            const { message, registered } = await runExpectingConfigError(conflict.config);
            assert.match(message, conflict.expect);
            assert.deepEqual(registered, [], "nothing may be registered");
        });
    }
});
