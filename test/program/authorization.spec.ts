import { strict as assert } from "assert";
import { ProgramRun, RegisteredResource, runProgram } from "../harness/program";
import { validateRun } from "../harness/validate";
import { parseStackConfig } from "../../components/config/parse";
import { everythingOnStackConfig } from "../support/stack-shapes";

const authorizationType = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const gatewayPrincipal = "cluster.local/ns/istio-system/sa/istio-ingressgateway";

/** Who may call the pods labelled app=<app> in a namespace, on which ports, per the emitted policies. */
function allowed(run: ProgramRun, namespace: string, app: string): { principals: string[]; ports: string[] } {
    const policies = run.ofType(authorizationType).filter((policy) => policy.plain.metadata.namespace === namespace &&
        policy.plain.spec.selector?.matchLabels?.app === app && (policy.plain.spec.action ?? "ALLOW") === "ALLOW");
    const rules = policies.flatMap((policy) => policy.plain.spec.rules ?? []);
    return {
        principals: rules.flatMap((rule: any) => rule.from.flatMap((from: any) => from.source.principals)).sort(),
        ports: [...new Set<string>(rules.flatMap((rule: any) => rule.to.flatMap((to: any) => to.operation.ports)))].sort(),
    };
}

describe("Authorization: deny by default, allow by workload identity", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({});
    });

    it("denies everything by default in each sample namespace (an allow-nothing policy)", () => {
        for (const namespace of ["wordpress", "bookinfo", "httptools"]) {
            const denyAll = run.ofType(authorizationType).find((policy) =>
                policy.plain.metadata.namespace === namespace && policy.plain.metadata.name === "allow-nothing");
            assert.ok(denyAll, namespace);
            assert.deepEqual(denyAll.plain.spec, {}, "an empty spec matches no request, so everything else is denied");
        }
    });

    it("lets the ingress gateway reach only the front ends", () => {
        assert.deepEqual(allowed(run, "wordpress", "wordpress"), { principals: [gatewayPrincipal], ports: ["80"] });
        assert.deepEqual(allowed(run, "bookinfo", "productpage"), { principals: [gatewayPrincipal], ports: ["9080"] });
        assert.deepEqual(allowed(run, "httptools", "httpbin"), { principals: [gatewayPrincipal], ports: ["8080"] },
            "the container port behind Service port 8000");
    });

    it("denies WordPress's installer, setup script and xmlrpc.php at the gateway and on its pods, whoever calls", () => {
        const denies = run.ofType(authorizationType).filter((policy) => policy.plain.spec.action === "DENY");
        assert.deepEqual(denies.map((policy) => `${policy.plain.metadata.namespace}/${policy.plain.metadata.name}`).sort(),
            ["istio-system/deny-wordpress-installer", "wordpress/deny-wordpress-installer"]);
        const selectors = Object.fromEntries(denies.map((policy) => [policy.plain.metadata.namespace, policy.plain.spec.selector]));
        assert.deepEqual(selectors["istio-system"], { matchLabels: { istio: "ingressgateway" } }, "where every public request enters");
        assert.deepEqual(selectors.wordpress, { matchLabels: { app: "wordpress" } }, "sidecar mode: on the pods too (EnRoute does not pass the gateway)");
        for (const deny of denies) {
            const [rule] = deny.plain.spec.rules;
            const paths: string[] = rule.to[0].operation.paths;
            for (const script of ["/wp-admin/install.php", "/wp-admin/setup-config.php", "/xmlrpc.php"]) {
                assert.ok(paths.includes(script) && paths.includes(`${script}/*`) && paths.includes(`*${script}`), script);
            }
            assert.equal(rule.from, undefined, "no caller is exempt");
            assert.equal(rule.to[0].operation.hosts, undefined, "on every host: a host list could be gone around");
        }
    });

    it("serves no WordPress route before the install Job has completed", () => {
        const routes = run.get("kubernetes:networking.istio.io/v1:VirtualService", "mesh-gateway-routes");
        assert.ok(run.dependsOn(routes, run.get("kubernetes:batch/v1:Job", "wordpress-install")));
    });

    it("allows the samples' own calls and nothing more", () => {
        assert.deepEqual(allowed(run, "wordpress", "mysql"), { principals: ["cluster.local/ns/wordpress/sa/wordpress"], ports: ["3306"] });
        assert.deepEqual(allowed(run, "bookinfo", "details").principals, ["cluster.local/ns/bookinfo/sa/bookinfo-productpage"]);
        assert.deepEqual(allowed(run, "bookinfo", "reviews").principals, ["cluster.local/ns/bookinfo/sa/bookinfo-productpage"]);
        assert.deepEqual(allowed(run, "bookinfo", "ratings").principals, ["cluster.local/ns/bookinfo/sa/bookinfo-reviews"]);
    });

    it("names identities that exist: the allowed callers run as those service accounts", () => {
        const serviceAccounts = run.ofType("kubernetes:core/v1:ServiceAccount").map((account) =>
            `cluster.local/ns/${account.plain.metadata.namespace}/sa/${account.plain.metadata.name}`);
        assert.ok(serviceAccounts.includes("cluster.local/ns/wordpress/sa/wordpress"));
        const wordpressDeployments = run.ofType("kubernetes:apps/v1:Deployment").filter((deployment) =>
            deployment.plain.metadata.namespace === "wordpress" && deployment.plain.spec.template.metadata.labels.app === "wordpress");
        assert.equal(wordpressDeployments.length, 2);
        for (const deployment of wordpressDeployments) {
            assert.equal(deployment.plain.spec.template.spec.serviceAccountName, "wordpress");
        }
    });

    it("every policy waits for istiod and its namespace, and validates", async () => {
        const istiod = run.get("kubernetes:helm.sh/v3:Release", "istiod");
        for (const policy of run.ofType(authorizationType)) {
            assert.ok(run.dependsOn(policy, istiod), policy.name);
        }
        assert.deepEqual(await validateRun(run), []);
    });

    it("follows the samples: a disabled sample gets no policies", async () => {
        const noBookinfo = await runProgram({ bookinfo: { enabled: false } });
        const namespaces = new Set(noBookinfo.ofType(authorizationType).map((policy: RegisteredResource) => policy.plain.metadata.namespace));
        assert.deepEqual([...namespaces].sort(), ["httptools", "istio-system", "wordpress"], "istio-system: WordPress's installer DENY at the gateway");
        const noWordPress = await runProgram({ wordpress: { enabled: false } });
        assert.ok(!noWordPress.ofType(authorizationType).some((policy) => policy.plain.spec.action === "DENY"), "no WordPress, no installer DENY");
    });

    it("lets the gateway reach a user's route into a sample namespace on that Service's pods, port and paths only", async () => {
        const withRoutes = await runProgram({ gateway: { routes: [
            { prefix: "/api/freight-rating", service: "httpbin", namespace: "httptools", port: 8000 },
            { prefix: "/api/freight-tariff", service: "freight-tariff", namespace: "default", port: 8080 },
        ] } });
        const userRoutes = withRoutes.ofType(authorizationType).filter((policy) => /^allow-ingress-gateway-to-httpbin-[0-9a-f]{8}$/.test(policy.plain.metadata.name)
            || policy.plain.metadata.namespace === "default");
        assert.deepEqual(userRoutes.map((policy) => policy.plain.metadata.namespace), ["httptools"],
            "only sample namespaces deny by default; default has no deny-all to open");
        assert.deepEqual(userRoutes[0].plain.spec.selector, { matchLabels: { app: "httpbin" } });
        assert.deepEqual(userRoutes[0].plain.spec.rules, [{
            from: [{ source: { principals: [gatewayPrincipal] } }],
            to: [{ operation: { ports: ["8080"], paths: ["/api/freight-rating", "/api/freight-rating/*"] } }],
        }]);
        assert.deepEqual(await validateRun(withRoutes), []);
    });

    it("refuses at preview a route into a sample namespace whose Service it cannot resolve to pods and a port", async () => {
        await assert.rejects(runProgram({ gateway: { routes: [{ prefix: "/api/freight-rating", service: "freight-rating", namespace: "wordpress", port: 8080 }] } }),
            /gateway\.routes\[0\] \(\/api\/freight-rating -> freight-rating\.wordpress:8080\) goes into wordpress, which denies all by default.*Fix: run the service in a namespace of its own.*mysql:3306, wordpress:80/s);
        await assert.rejects(runProgram({ gateway: { routes: [{ prefix: "/x", service: "httpbin", namespace: "httptools", port: 9999 }] } }),
            /gateway\.routes\[0\].*httptools's Services \(httpbin:8000\)/s, "a Service the stack knows, on a port it does not have");
    });

    it("lets EnRoute reach exactly where its routes go, and nothing more", async () => {
        const enroutePrincipal = "cluster.local/ns/enroute/sa/enroute";
        const withEnRoute = await runProgram({ enroute: { enabled: true, routes: [
            { prefix: "/productpage", service: "productpage", namespace: "bookinfo", port: 9080 },
            { prefix: "/static/", service: "productpage", namespace: "bookinfo", port: 9080 },
            { prefix: "/status", service: "httpbin", namespace: "httptools", port: 8000 },
            { prefix: "/tariff", service: "freight-tariff", namespace: "default", port: 8080 },
        ] } });
        const enroutePolicies = withEnRoute.ofType(authorizationType).filter((policy) =>
            policy.plain.spec.rules?.some((rule: any) => (rule.from ?? []).some((from: any) => from.source.principals.includes(enroutePrincipal))));
        const byName = Object.fromEntries(enroutePolicies.map((policy) => [`${policy.plain.metadata.namespace}/${policy.plain.metadata.name}`, policy.plain.spec]));
        const rule = (paths: string[], ports?: string[]) => [{
            from: [{ source: { principals: [enroutePrincipal] } }],
            to: [{ operation: { ...(ports ? { ports } : {}), paths } }],
        }];
        assert.deepEqual(byName, {
            "bookinfo/allow-enroute-to-productpage": { selector: { matchLabels: { app: "productpage" } }, action: "ALLOW",
                rules: rule(["/productpage", "/productpage/*", "/static", "/static/*"], ["9080"]) },
            "httptools/allow-enroute-to-httpbin": { selector: { matchLabels: { app: "httpbin" } }, action: "ALLOW",
                rules: rule(["/status", "/status/*"], ["8080"]) },
        }, "one allow per routed service in a deny-by-default namespace; default has no deny-all to open");
        for (const app of ["details", "reviews", "ratings", "mysql", "wordpress"]) {
            const namespace = app === "mysql" || app === "wordpress" ? "wordpress" : "bookinfo";
            assert.ok(!allowed(withEnRoute, namespace, app).principals.includes(enroutePrincipal), `EnRoute may not call ${app}`);
        }
        assert.deepEqual((await validateRun(withEnRoute)).filter((problem) => problem.includes("AuthorizationPolicy")), []);

        await assert.rejects(runProgram({ enroute: { enabled: true, routes: [{ prefix: "/blog", service: "freight-blog", namespace: "wordpress", port: 8080 }] } }),
            /enroute\.routes\[0\] \(\/blog -> freight-blog\.wordpress:8080\) goes into wordpress/, "its pods are unknown: no ALLOW bounded by paths alone");

        // EnRoute without routes of its own (beside a gateway route and mTLS settings, which must not open a way for it):
        // the shape other specs render, so the run is shared.
        const noRoutes = await runProgram(everythingOnStackConfig);
        assert.equal(parseStackConfig(everythingOnStackConfig).enroute.routes.length, 0);
        assert.equal(noRoutes.ofType("iks-mesh:observability:EnRoute").length, 1, "EnRoute is on");
        assert.ok(!noRoutes.ofType(authorizationType).some((policy) => JSON.stringify(policy.plain.spec).includes(enroutePrincipal)),
            "EnRoute without routes is allowed nowhere");
    });

    it("is switchable with authorization.enabled", async () => {
        const off = await runProgram({ authorization: { enabled: false }, wordpress: { xmlrpc: true } });
        assert.deepEqual(off.ofType(authorizationType).map((policy) => policy.plain.spec.action), ["DENY", "DENY"],
            "only WordPress's installer DENYs, which guard the site and not the service graph");
        assert.equal(off.ofType("iks-mesh:mesh:Authorization").length, 0);
        const paths: string[] = off.ofType(authorizationType)[0].plain.spec.rules[0].to[0].operation.paths;
        assert.ok(paths.includes("/wp-admin/install.php") && !paths.some((path) => path.includes("xmlrpc")), "wordpress.xmlrpc: true serves it");
    });
});
