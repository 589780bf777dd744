import { strict as assert } from "assert";
import { ProgramRun, runExpectingConfigError, runProgram } from "../harness/program";
import { validateRun } from "../harness/validate";

const peerType = "kubernetes:security.istio.io/v1:PeerAuthentication";
const ruleType = "kubernetes:networking.istio.io/v1:DestinationRule";

const byName = (run: ProgramRun, type: string, namespace: string, name: string) => run.ofType(type)
    .find((resource) => resource.plain.metadata?.namespace === namespace && resource.plain.metadata?.name === name);

describe("MtlsPolicy: narrower scopes under mocks", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({
            // The PERMISSIVE exceptions below are unreachable while authorization denies plaintext callers.
            authorization: { enabled: false },
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

describe("MtlsPolicy: wildcard client policies reach what Istio applies them to", () => {
    // Istio applies only the most specific DestinationRule per host and never merges a wildcard into a
    // specific one (pilot/pkg/model/destination_rule.go). The samples own specific rules (their subsets).
    const bookinfoRules = ["productpage", "reviews", "ratings", "details"];
    const wildcardDisable = { host: "*.bookinfo.svc.cluster.local", mode: "DISABLE" };

    it("carries a wildcard's TLS into each sample rule of its namespace, and the analysis sees those rules", async () => {
        const run = await runProgram({ mtls: { mode: "PERMISSIVE", clientPolicies: [wildcardDisable] } });
        for (const service of bookinfoRules) {
            const rule = byName(run, ruleType, "bookinfo", service);
            assert.ok(rule, service);
            assert.deepEqual(rule.plain.spec.trafficPolicy, { tls: { mode: "DISABLE" } }, `${service}: plaintext, as the wildcard says`);
            assert.equal(rule.plain.metadata.annotations["iks-mesh.io/client-tls-from"], "mtls.clientPolicies[0]");
            assert.ok(rule.plain.spec.subsets.length > 0, "its subsets stay");
        }
        for (const [namespace, service] of [["wordpress", "wordpress"], ["httptools", "httpbin"]]) {
            assert.equal(byName(run, ruleType, namespace, service)?.plain.spec.trafficPolicy, undefined, `${service}: another namespace`);
        }
        assert.deepEqual(await validateRun(run), []);
    });

    it("stops a STRICT mesh naming the sample rules the wildcard would turn to plaintext", async () => {
        const { problems, registered } = await runExpectingConfigError({ mtls: { clientPolicies: [wildcardDisable] } });
        assert.equal(registered.filter((resource) => resource.custom).length, 0);
        for (const service of bookinfoRules) {
            assert.ok(problems.some((problem) => problem.includes(`DestinationRule bookinfo/${service} (TLS carried from mtls.clientPolicies[0]) sends plaintext`)),
                `${service}:\n${problems.join("\n")}`);
        }
        assert.ok(problems.filter((problem) => problem.includes("requires Istio mTLS"))
            .every((problem) => problem.includes("Fix: pulumi config set --path 'mtls.clientPolicies[0].mode' ISTIO_MUTUAL")), "the fix names the config key");
    });

    it("records an accepted exception on the carried rules, so the policy pack accepts them", async () => {
        const run = await runProgram({ mtls: { mode: "PERMISSIVE", clientPolicies: [{ ...wildcardDisable, exception: true }] } });
        for (const service of bookinfoRules) {
            assert.match(byName(run, ruleType, "bookinfo", service)?.plain.metadata.annotations["iks-mesh.io/mtls-exception"],
                /mtls\.clientPolicies\[0\]\.exception/);
        }
    });

    it("cannot reach a service with a client policy of its own: that one wins, in what is rendered and in the analysis", async () => {
        const run = await runProgram({ mtls: { mode: "PERMISSIVE", clientPolicies: [
            wildcardDisable,
            { host: "reviews.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" },
        ] } });
        // Same host, same namespace: Istio merges the subsets rule and the client policy's rule, and only
        // the latter has a traffic policy, so reviews keeps Istio mTLS.
        assert.equal(byName(run, ruleType, "bookinfo", "reviews")?.plain.spec.trafficPolicy, undefined);
        assert.deepEqual(byName(run, ruleType, "bookinfo", "mtls-client-reviews")?.plain.spec.trafficPolicy, { tls: { mode: "ISTIO_MUTUAL" } });
        assert.deepEqual(byName(run, ruleType, "bookinfo", "ratings")?.plain.spec.trafficPolicy, { tls: { mode: "DISABLE" } });
        const mtlsLogs = run.logs.filter((entry) => entry.message.startsWith("mTLS:")).map((entry) => entry.message);
        assert.ok(!mtlsLogs.some((message) => message.includes('reviews')), mtlsLogs.join("\n"));

        // Under STRICT the same config fails for ratings, details and productpage, never for reviews.
        const { problems } = await runExpectingConfigError({ mtls: { clientPolicies: [
            wildcardDisable, { host: "reviews.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" },
        ] } });
        assert.ok(problems.some((problem) => problem.includes("bookinfo/ratings")));
        assert.ok(!problems.some((problem) => problem.includes("workload bookinfo/reviews")), problems.join("\n"));
    });
});
