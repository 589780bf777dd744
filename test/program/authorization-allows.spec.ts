// Deny-by-default without holes (#21 point 3): every AuthorizationPolicy ALLOW the rendered stacks hold
// names the workload it opens (a pod selector or targetRefs) and, where a sidecar or ztunnel enforces it
// (selector-bound), the container ports. The only ALLOWs without rules are the deny-alls (they allow
// nothing). One named exception: ambient's `allow-waypoint`, the namespace's own waypoint identity,
// namespace-wide, because every request it forwards was already checked there against the Service-bound rules.
import { strict as assert } from "assert";
import { ProgramRun, RegisteredResource, runProgram } from "../harness/program";
import { iksMocks, iksStackConfig } from "../support/iks-stack";

const policyType = "kubernetes:security.istio.io/v1:AuthorizationPolicy";

interface Operation { ports?: string[]; paths?: string[] }
interface Rule { from?: unknown[]; to?: { operation?: Operation }[] }

/** What is wrong with one ALLOW, or nothing. */
export function allowHoles(policy: { namespace: string; name: string; spec: Record<string, unknown> }): string[] {
    const spec = policy.spec;
    const where = `${policy.namespace}/${policy.name}`;
    if ((spec.action ?? "ALLOW") !== "ALLOW") {
        return [];
    }
    const rules = (spec.rules ?? []) as Rule[];
    if (rules.length === 0) {
        return [];
    }
    const selector = (spec.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
    const targetRefs = spec.targetRefs as { kind: string; name: string }[] | undefined;
    const principals = JSON.stringify(rules.map((rule) => rule.from));
    if (policy.name === "allow-waypoint" && principals === JSON.stringify([[{ source: { principals: [`cluster.local/ns/${policy.namespace}/sa/waypoint`] } }]])) {
        return [];
    }
    const holes: string[] = [];
    if ((!selector || Object.keys(selector).length === 0) && (!targetRefs || targetRefs.length === 0)) {
        holes.push(`${where}: an ALLOW on every workload of the namespace (no selector, no targetRefs)`);
    }
    if (selector) {
        for (const rule of rules) {
            const operations = (rule.to ?? []).map((to) => to.operation ?? {});
            if (operations.length === 0 || operations.some((operation) => !operation.ports || operation.ports.length === 0)) {
                holes.push(`${where}: an ALLOW on every port of the pods it selects`);
            }
        }
    }
    if (!rules.every((rule) => Array.isArray(rule.from) && rule.from.length > 0)) {
        holes.push(`${where}: an ALLOW for any caller`);
    }
    return holes;
}

const holesIn = (run: ProgramRun): string[] => run.ofType(policyType).flatMap((policy: RegisteredResource) =>
    allowHoles({ namespace: policy.plain.metadata.namespace, name: policy.plain.metadata.name, spec: policy.plain.spec }));

describe("Authorization: every ALLOW names its workload and its ports", () => {
    it("finds the holes it looks for (the check itself)", () => {
        assert.equal(allowHoles({ namespace: "a", name: "x", spec: { action: "ALLOW", rules: [{ from: [{ source: { principals: ["p"] } }], to: [{ operation: { paths: ["/*"] } }] }] } }).length, 1,
            "the old allow-ingress-gateway-to-user-routes: no selector");
        assert.equal(allowHoles({ namespace: "a", name: "x", spec: { selector: { matchLabels: { app: "x" } }, rules: [{ from: [{ source: { principals: ["p"] } }], to: [{ operation: { paths: ["/*"] } }] }] } }).length, 1,
            "a selector but no ports");
        assert.equal(allowHoles({ namespace: "a", name: "x", spec: { selector: { matchLabels: { app: "x" } }, rules: [{ to: [{ operation: { ports: ["80"] } }] }] } }).length, 1,
            "any caller");
        assert.deepEqual(allowHoles({ namespace: "a", name: "allow-nothing", spec: {} }), []);
        assert.deepEqual(allowHoles({ namespace: "a", name: "deny", spec: { action: "DENY", rules: [{ to: [{ operation: { paths: ["/x"] } }] }] } }), []);
    });

    const shapes: Record<string, () => Promise<ProgramRun>> = {
        default: () => runProgram({}),
        "sidecar with user routes into sample Services": () => runProgram({ gateway: { routes: [
            { prefix: "/api/v1", service: "productpage", namespace: "bookinfo", port: 9080 },
            { prefix: "/", service: "httpbin", namespace: "httptools", port: 8000 },
            { prefix: "/elsewhere", service: "freight", namespace: "default", port: 8080 },
        ] }, wordpress: { enabled: false } }),
        "ambient with a route to a Service the stack does not know": () => runProgram({ istio: { dataplane: "ambient" }, gateway: { routes: [
            { prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 },
        ] } }),
        "IKS with EnRoute": () => runProgram({ ...iksStackConfig, enroute: { enabled: true, routes: [
            { prefix: "/productpage", service: "productpage", namespace: "bookinfo", port: 9080 },
        ] } }, { secretSections: ["iks"], ...iksMocks }),
    };
    for (const [shape, render] of Object.entries(shapes)) {
        it(`${shape}: no ALLOW without a workload, a port or a caller`, async () => {
            const run = await render();
            assert.ok(run.ofType(policyType).some((policy) => (policy.plain.spec.rules ?? []).length > 0), "the shape has ALLOWs to check");
            assert.deepEqual(holesIn(run), []);
        });
    }

    it("gives each user route its own ALLOW on that Service's pods, container port and paths", async () => {
        const run = await shapes["sidecar with user routes into sample Services"]();
        const routeAllows = run.ofType(policyType).filter((policy) => policy.plain.metadata.name.startsWith("allow-ingress-gateway-to-")
            && policy.plain.spec.rules[0].to[0].operation.paths);
        const byNamespace = Object.fromEntries(routeAllows.map((policy) => [policy.plain.metadata.namespace, policy.plain.spec]));
        assert.deepEqual(Object.keys(byNamespace).sort(), ["bookinfo", "httptools"], "default has no deny-all to open");
        assert.deepEqual(byNamespace.httptools.selector, { matchLabels: { app: "httpbin" } });
        assert.deepEqual(byNamespace.httptools.rules[0].to, [{ operation: { ports: ["8080"], paths: ["/*"] } }],
            "a route at / opens httpbin's container port, not every workload of the namespace");
        assert.deepEqual(byNamespace.bookinfo.rules[0].to, [{ operation: { ports: ["9080"], paths: ["/api/v1", "/api/v1/*"] } }]);
    });
});
