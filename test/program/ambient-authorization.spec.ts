// Authorization in ambient mode: L4 rules stay with ztunnel, L7 rules go to a waypoint bound with
// targetRefs, and the preview-time analysis refuses an L7 rule ztunnel would turn into deny-all. Also the
// Gateway API CRDs the waypoints are made of.
import { podSecurityLabels } from "../../components/security/pod-security";
import { strict as assert } from "assert";
import { ambientAuthorizationFindings } from "../../components/mesh/authorization/ambient-analysis";
import { AuthorizationPolicySpec } from "../../components/mesh/authorization/rules";
import { l7FieldsOf, plannedAuthorizationPolicies, waypointNamespaces } from "../../components/mesh/authorization/ambient";
import { parseStackConfig } from "../../components/config/parse";
import { gatewayApiStandardInstallUrl } from "../../components/core/versions";
import { ProgramRun, RegisteredResource, lastRunResources, runProgram } from "../harness/program";
import { validateKubernetesObject, validateRun } from "../harness/validate";
import { fixtureManifest } from "../support/istio-manifests";

const policyType = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const gatewayType = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const crdType = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const releaseType = "kubernetes:helm.sh/v3:Release";
/** A user's route into a sample namespace: its allow carries paths, an L7 field. */
const userRoute = { prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 };
const ambient = { istio: { dataplane: "ambient" } };
/** An AuthorizationPolicy as registered (a RegisteredResource) or as planned, read through `plain`. */
interface PolicyLike { plain: Record<string, any> }

const policies = (run: ProgramRun, namespace?: string): RegisteredResource[] =>
    run.ofType(policyType).filter((policy) => namespace === undefined || policy.plain.metadata.namespace === namespace);
const policy = (run: ProgramRun, namespace: string, name: string): RegisteredResource => {
    const found = policies(run, namespace).find((candidate) => candidate.plain.metadata.name === name);
    assert.ok(found, `no AuthorizationPolicy ${namespace}/${name}: ${policies(run, namespace).map((p) => p.plain.metadata.name).join(", ")}`);
    return found;
};

describe("ambient authorization: what ztunnel can enforce", () => {
    it("tells L7 fields from L4 ones", () => {
        assert.deepEqual(l7FieldsOf({ rules: [{ from: [{ source: { principals: ["a"], namespaces: ["b"] } }], to: [{ operation: { ports: ["80"] } }] }] }), []);
        assert.deepEqual(l7FieldsOf({ rules: [{ to: [{ operation: { paths: ["/a"], methods: ["GET"] } }] }] }), ["methods", "paths"]);
        assert.deepEqual(l7FieldsOf({ rules: [{ to: [{ operation: { hosts: ["x"] } }] }] }), ["hosts"]);
        assert.deepEqual(l7FieldsOf({ rules: [{ from: [{ source: { requestPrincipals: ["*"] } }] }] }), ["requestPrincipals"]);
        assert.deepEqual(l7FieldsOf({ rules: [{ when: [{ key: "request.headers[x]" }, { key: "source.ip" }] }] }), ["request.headers[x]"]);
        assert.deepEqual(l7FieldsOf({}), []);
    });

    it("the samples' own rules are L4 only: no waypoint unless a user route needs one", () => {
        assert.deepEqual(waypointNamespaces(plannedAuthorizationPolicies(parseStackConfig(ambient))), []);
        assert.deepEqual(waypointNamespaces(plannedAuthorizationPolicies(parseStackConfig({ ...ambient, gateway: { routes: [userRoute] } }))), ["bookinfo"]);
    });

    it("refuses, before anything exists, an L7 rule left to ztunnel, and a binding to a waypoint that is not there", () => {
        const l7: AuthorizationPolicySpec = { name: "allow-paths", namespace: "bookinfo", spec: { action: "ALLOW", rules: [{ to: [{ operation: { paths: ["/a*"] } }] }] } };
        const [unbound] = ambientAuthorizationFindings([l7], []);
        assert.equal(unbound.severity, "error");
        assert.match(unbound.message, /ztunnel would deny all traffic to every pod in bookinfo/);
        assert.match(unbound.fix, /targetRefs/);
        const bound: AuthorizationPolicySpec = { ...l7, spec: { ...l7.spec, targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }] } };
        assert.deepEqual(ambientAuthorizationFindings([bound], ["bookinfo"]), []);
        const [missing] = ambientAuthorizationFindings([bound], []);
        assert.match(missing.message, /bookinfo has no waypoint/);
        const l4: AuthorizationPolicySpec = { name: "allow-l4", namespace: "bookinfo", spec: { action: "ALLOW", rules: [{ to: [{ operation: { ports: ["9080"] } }] }] } };
        assert.deepEqual(ambientAuthorizationFindings([l4], []), [], "an L4 rule is ztunnel's");
    });

    it("finds nothing to refuse in what the stack plans, with and without user routes", () => {
        for (const raw of [ambient, { ...ambient, gateway: { routes: [userRoute] } }]) {
            const config = parseStackConfig(raw);
            assert.deepEqual(ambientAuthorizationFindings(plannedAuthorizationPolicies(config),
                waypointNamespaces(plannedAuthorizationPolicies(config))), []);
        }
    });
});

describe("ambient authorization: the program", () => {
    /** The sidecar-mode policies the ambient ones are compared with, as the planner gives them (see "registers what the planner plans"). */
    let sidecar: PolicyLike[];
    let sidecarDefault: ProgramRun;
    let plain: ProgramRun;
    let routed: ProgramRun;
    /** A policy as the program registers it (metadata and spec), for comparing a run with the planner. */
    const registered = (run: ProgramRun) => policies(run).map((p) => JSON.stringify([p.plain.metadata, p.plain.spec])).sort();
    const plannedFor = (raw: Record<string, unknown>): PolicyLike[] => plannedAuthorizationPolicies(parseStackConfig(raw))
        .map((p) => ({ plain: { metadata: { name: p.name, namespace: p.namespace }, spec: p.spec } }));
    before(async () => {
        // Sidecar mode cannot resolve the user's own Service to pods (a preview error there): its peer here
        // routes the same prefix to a sample's Service. The program registers exactly what the planner plans
        // (checked below on the default and routed runs), so the planner's answer stands for that stack's run.
        sidecar = plannedFor({ gateway: { routes: [{ ...userRoute, service: "details", port: 9080 }] } });
        sidecarDefault = await runProgram({});
        plain = await runProgram(ambient);
        routed = await runProgram({ ...ambient, gateway: { routes: [userRoute] } });
    });

    it("registers what the planner plans, one AuthorizationPolicy each with its name, namespace and spec (sidecar and ambient)", () => {
        // Objects, not JSON: the engine's copy need not keep the planner's key order.
        const byName = (entries: PolicyLike[]) => entries
            .map((p) => ({ metadata: p.plain.metadata, spec: p.plain.spec }))
            .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
        // The Authorization component's policies (the gateway's own DENY on the ingress gateway is another component's).
        const ofAuthorization = (run: ProgramRun) => {
            const [component] = run.ofType("iks-mesh:mesh:Authorization");
            assert.ok(component, "no Authorization component");
            return run.subtree(component).filter((resource) => resource.type === policyType);
        };
        assert.deepEqual(byName(ofAuthorization(sidecarDefault)), byName(plannedFor({})));
        assert.deepEqual(byName(ofAuthorization(routed)), byName(plannedFor({ ...ambient, gateway: { routes: [userRoute] } })));
        assert.ok(ofAuthorization(routed).length > 0);
    });

    it("keeps L4 rules as they are without a waypoint: same policies as sidecar mode, less the installer DENY on the pods", () => {
        const shape = registered;
        const sidecarOnly = shape(sidecarDefault).filter((entry) => !shape(plain).includes(entry));
        assert.deepEqual(sidecarOnly.map((entry) => JSON.parse(entry)[0]), [{ name: "deny-wordpress-installer", namespace: "wordpress" }],
            "ztunnel cannot enforce paths; in ambient mode the gateway's DENY alone guards the installer");
        assert.deepEqual(shape(plain), shape(sidecarDefault).filter((entry) => !sidecarOnly.includes(entry)));
        assert.ok(shape(plain).some((entry) => entry.includes('"namespace":"istio-system"') && entry.includes("deny-wordpress-installer")));
        assert.deepEqual(plain.ofType(gatewayType), [], "the installer DENY needs no waypoint: the ingress gateway enforces it");
    });

    it("deploys a waypoint where a user route's path rule needs one, enrolling the namespace for Service and ingress traffic", () => {
        const [waypoint] = routed.ofType(gatewayType);
        assert.equal(routed.ofType(gatewayType).length, 1);
        assert.deepEqual(waypoint.plain.metadata.name, "waypoint");
        assert.equal(waypoint.plain.metadata.namespace, "bookinfo");
        assert.deepEqual(waypoint.plain.spec, { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] });
        assert.ok(routed.dependsOn(waypoint, routed.get(releaseType, "ztunnel")));
        assert.deepEqual(waypoint.plain.metadata.annotations, { "pulumi.com/waitFor": "condition=Programmed" }, "awaited until istiod has deployed it");
        assert.ok(routed.ofType(crdType).every((crd) => routed.dependsOn(waypoint, crd)), "the waypoint waits for the Gateway API CRDs");
        const labels = routed.get("kubernetes:core/v1:Namespace", "bookinfo").plain.metadata.labels;
        // Plus the Pod Security labels (test/program/pod-security.spec.ts): the waypoint meets restricted too.
        assert.deepEqual(labels, {
            "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint", "istio.io/ingress-use-waypoint": "true",
            ...podSecurityLabels("restricted"),
        });
        assert.deepEqual(routed.get("kubernetes:core/v1:Namespace", "wordpress").plain.metadata.labels,
            { "istio.io/dataplane-mode": "ambient", ...podSecurityLabels("restricted") });
    });

    it("binds the user route's path rule to the waypoint by its Service's name (targetRefs), keeping its paths and caller", () => {
        const byPrefix = (candidates: PolicyLike[]) => candidates.find((candidate) =>
            candidate.plain.metadata.namespace === "bookinfo" && /^allow-ingress-gateway-to-.*-[0-9a-f]{8}$/.test(candidate.plain.metadata.name));
        const sidecarRule = byPrefix(sidecar);
        const ambientRule = byPrefix(policies(routed));
        assert.ok(sidecarRule && ambientRule);
        assert.equal(ambientRule.plain.metadata.name.replace("extras", "details"), sidecarRule.plain.metadata.name, "named by Service and prefix");
        assert.equal(ambientRule.plain.spec.selector, undefined);
        assert.deepEqual(ambientRule.plain.spec.targetRefs, [{ group: "", kind: "Service", name: "extras" }], "that route's Service only, not the whole waypoint");
        assert.deepEqual(ambientRule.plain.spec.rules[0].from, sidecarRule.plain.spec.rules[0].from, "same caller");
        assert.deepEqual(ambientRule.plain.spec.rules[0].to[0].operation.paths, sidecarRule.plain.spec.rules[0].to[0].operation.paths, "same paths");
        assert.deepEqual(sidecarRule.plain.spec.rules[0].to[0].operation.ports, ["9080"], "sidecar mode: the pods' container port");
    });

    it("keeps the L4 rules for ztunnel and enforces them at the waypoint too, bound to their Service", () => {
        const l4 = policy(routed, "bookinfo", "allow-productpage-to-reviews");
        assert.deepEqual(l4.plain.spec, sidecar.find((p) => p.plain.metadata.namespace === "bookinfo" && p.plain.metadata.name === "allow-productpage-to-reviews")?.plain.spec);
        const atWaypoint = policy(routed, "bookinfo", "allow-productpage-to-reviews-at-waypoint");
        assert.deepEqual(atWaypoint.plain.spec.targetRefs, [{ group: "", kind: "Service", name: "reviews" }]);
        assert.deepEqual(atWaypoint.plain.spec.rules, [{ from: [{ source: { principals: ["cluster.local/ns/bookinfo/sa/bookinfo-productpage"] } }] }]);
        const denyAll = policy(routed, "bookinfo", "allow-nothing-at-waypoint");
        assert.deepEqual(denyAll.plain.spec, { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }] });
        const waypointAllowed = policy(routed, "bookinfo", "allow-waypoint");
        assert.deepEqual(waypointAllowed.plain.spec.rules, [{ from: [{ source: { principals: ["cluster.local/ns/bookinfo/sa/waypoint"] } }] }]);
        assert.equal(waypointAllowed.plain.spec.selector, undefined);
    });

    it("keeps the WordPress canary split when a user route puts a waypoint in wordpress", async () => {
        // The route into wordpress gives the namespace a waypoint with ingress-use-waypoint "true". istiod
        // would then give the gateway the waypoint's endpoints for the subset clusters too (endpoint_builder.go
        // at 1.30.3: the waypoint lookup comes before the subset filter), and the waypoint balances over all
        // pods. The Service's own "false" wins over the namespace's (services.go ingressUseWaypointFromLabels).
        const intoWordpress = { prefix: "/shop", service: "shop", namespace: "wordpress", port: 8080 };
        const run = await runProgram({ ...ambient, gateway: { routes: [intoWordpress] }, wordpress: { canary: { weight: 10 } } });
        assert.equal(run.ofType(gatewayType).find((gateway) => gateway.plain.metadata.namespace === "wordpress")?.plain.metadata.name, "waypoint");
        const namespaceLabels = run.get("kubernetes:core/v1:Namespace", "wordpress").plain.metadata.labels;
        assert.equal(namespaceLabels["istio.io/ingress-use-waypoint"], "true", "the user's Service goes through the waypoint");
        const service = run.ofType("kubernetes:core/v1:Service").find((candidate) => candidate.plain.metadata.namespace === "wordpress" && candidate.plain.metadata.name === "wordpress");
        assert.ok(service, "no wordpress Service");
        assert.equal(service.plain.metadata.labels["istio.io/ingress-use-waypoint"], "false", "the gateway goes to the pods by subset");
        const routes = run.kind("networking.istio.io/v1", "VirtualService").flatMap((vs) => vs.plain.spec.http ?? []);
        const split = routes.find((route: any) => route.route?.some((r: any) => r.destination.host === "wordpress.wordpress.svc.cluster.local"));
        assert.deepEqual(split.route.map((r: any) => [r.destination.subset, r.weight]), [["v1", 90], ["v2", 10]]);
        const rule = run.kind("networking.istio.io/v1", "DestinationRule").find((candidate) => candidate.plain.metadata.namespace === "wordpress");
        assert.deepEqual(rule?.plain.spec.subsets.map((subset: any) => [subset.name, subset.labels.version]), [["v1", "v1"], ["v2", "v2"]]);
        // ztunnel still checks the direct path: the gateway's L4 allow to wordpress stays bound to the pods.
        assert.deepEqual(policy(run, "wordpress", "allow-ingress-gateway-to-wordpress").plain.spec.selector, { matchLabels: { app: "wordpress" } });
        const sidecarService = sidecarDefault.ofType("kubernetes:core/v1:Service").find((candidate) => candidate.plain.metadata.name === "wordpress");
        assert.equal(sidecarService?.plain.metadata.labels["istio.io/ingress-use-waypoint"], undefined, "sidecar mode keeps its Service as it was");
    });

    it("leaves no policy with L7 fields unbound in ambient mode, except those the ingress gateway's own Envoy enforces", () => {
        const atIngressGateway = (candidate: RegisteredResource) => candidate.plain.metadata.namespace === "istio-system"
            && JSON.stringify(candidate.plain.spec.selector) === JSON.stringify({ matchLabels: { istio: "ingressgateway" } });
        assert.ok(policies(routed).some(atIngressGateway), "the installer DENY is there");
        for (const candidate of policies(routed)) {
            if (l7FieldsOf(candidate.plain.spec).length > 0 && !atIngressGateway(candidate)) {
                assert.ok(candidate.plain.spec.targetRefs, `${candidate.name} is L7 and unbound`);
            }
        }
    });

    it("installs the Gateway API standard CRDs (v1.5.1) before istiod in ambient mode only, kept on delete", () => {
        assert.deepEqual(sidecarDefault.ofType(crdType), []);
        const crds = routed.ofType(crdType);
        assert.deepEqual(crds.map((crd) => crd.plain.spec.names.kind).sort(),
            ["BackendTLSPolicy", "GRPCRoute", "Gateway", "GatewayClass", "HTTPRoute", "ListenerSet", "ReferenceGrant", "TLSRoute"]);
        const istiod = routed.get(releaseType, "istiod");
        for (const crd of crds) {
            assert.equal(crd.plain.metadata.annotations["gateway.networking.k8s.io/channel"], "standard");
            assert.ok(routed.dependsOn(istiod, crd), `istiod waits for ${crd.name}`);
            assert.ok(crd.retainOnDelete, `${crd.name} stays when the stack stops managing it`);
        }
        assert.equal(routed.kind("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy").length, 1);
        assert.equal(routed.kind("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding").length, 1);
    });

    it("stops before any resource when the Gateway API CRDs cannot be fetched", async () => {
        const failing = (url: string) => url === gatewayApiStandardInstallUrl("v1.5.1") ? Promise.reject(new Error("HTTP 404 Not Found")) : fixtureManifest(url);
        await assert.rejects(runProgram(ambient, { fetchManifest: failing }), /Gateway API CRDs .*standard-install\.yaml.*HTTP 404.*istio\.dataplane/s);
        assert.deepEqual(lastRunResources().filter((resource) => resource.custom), []);
    });

    it("emits only objects that validate against their schemas (Gateway API, CRDs, admission policies, targetRefs)", async () => {
        assert.deepEqual(await validateRun(routed), []);
    });

    it("the Gateway API schema check can fail (a listener without a port)", async () => {
        const [waypoint] = routed.ofType(gatewayType);
        const broken = { ...waypoint, plain: { ...waypoint.plain, spec: { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", protocol: "HBONE" }] } } };
        const problems = await validateKubernetesObject(broken);
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /port/);
    });
});
