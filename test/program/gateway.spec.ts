import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../../components/config/parse";
import { curlHost, curlPath, curlStackOutputs, gatewayCurlCommand } from "../../components/edge/curl-commands";
import { meshGatewayRef } from "../../components/core/istio-names";
import { routeConflicts, userGatewayRoutes } from "../../components/edge/gateway-routes";
import { gatewaySpec } from "../../components/edge/gateway-spec";
import { GatewayHttpRoute, PathMatch, segmentPrefix } from "../../components/core/routes";
import { IstioVirtualServiceSpec, virtualServiceSpec } from "../../components/edge/virtual-service-spec";
import { ProgramRun, RegisteredResource, runExpectingConfigError, runProgram } from "../harness/program";
import { validateRun } from "../harness/validate";

const gatewayKind = ["networking.istio.io/v1", "Gateway"] as const;
const virtualServiceKind = ["networking.istio.io/v1", "VirtualService"] as const;

/** The seed's pattern: two APIs under /api and the web app on everything else, `/` declared first. */
const freightRoutes = [
    { prefix: "/", service: "web-app", namespace: "freight", port: 80 },
    { prefix: "/api/freight-rating", service: "freight-rating", namespace: "freight", port: 8080 },
    { prefix: "/api/freight-tariff", service: "freight-tariff", namespace: "freight", port: 8080 },
];

/** Samples off, so the only routes are the ones a test configures. */
const noSamples = { wordpress: { enabled: false }, bookinfo: { enabled: false }, httpbin: { enabled: false } };

/** A route with raw Istio matches (`=/x` exact, `/x` prefix), to test what the checks make of any table. */
const route = (paths: string | string[], source: string, name = source): GatewayHttpRoute => ({
    name, source, destinations: [{ host: "svc.ns.svc.cluster.local", port: 80 }],
    matches: (Array.isArray(paths) ? paths : [paths]).map((path): PathMatch => path.startsWith("=")
        ? { kind: "exact", path: path.slice(1) } : { kind: "prefix", path }),
});
/** `[kind, path]` of every match of every http route, in order. */
const matchesOf = (spec: IstioVirtualServiceSpec) => spec.http.map((http) => (http.match ?? []).map((match) => Object.entries(match.uri)[0]));
/** The gateway's VirtualService spec for routes that are not empty (the builder's undefined is for none). */
function routesSpec(routes: readonly GatewayHttpRoute[]): IstioVirtualServiceSpec {
    const spec = virtualServiceSpec({ hosts: ["*"], gatewayRef: meshGatewayRef, routes });
    assert.ok(spec, "a VirtualService spec for a non-empty route list");
    return spec;
}

describe("IngressGateway: pure builders", () => {
    it("serves HTTPS on 443 with the TLS mode and credential, and only redirects on 80", () => {
        const spec = gatewaySpec({ selector: { istio: "ingressgateway" }, hosts: ["a.example.com"], tlsMode: "MUTUAL", credentialName: "cred",
            routeNamespaces: [{ namespace: "istio-system", hosts: ["a.example.com"] }] });
        assert.deepEqual(spec.selector, { istio: "ingressgateway" });
        const [https, http] = spec.servers;
        assert.deepEqual(https.port, { number: 443, name: "https", protocol: "HTTPS" });
        assert.deepEqual(https.tls, { mode: "MUTUAL", credentialName: "cred" });
        assert.deepEqual(http.port, { number: 80, name: "http", protocol: "HTTP" });
        assert.deepEqual(http.tls, { httpsRedirect: true });
        assert.deepEqual(https.hosts, ["istio-system/a.example.com"]);
        assert.deepEqual(http.hosts, ["istio-system/a.example.com"]);
    });

    it("accepts VirtualServices only from the namespaces the stack routes from (<namespace>/<host>), never from any namespace", () => {
        const spec = gatewaySpec({ selector: { istio: "ingressgateway" }, hosts: ["*", "blog.example.com"], tlsMode: "SIMPLE", credentialName: "cred",
            routeNamespaces: [{ namespace: "istio-system", hosts: ["*", "blog.example.com"] }, { namespace: "wordpress", hosts: ["blog.example.com", "not-served.example.com"] }] });
        assert.deepEqual(spec.servers[0].hosts, ["istio-system/*", "istio-system/blog.example.com", "wordpress/blog.example.com"],
            "a bare `*` would take VirtualService hosts from any namespace; a host the gateway does not serve is not added");
        for (const server of spec.servers) {
            assert.ok(server.hosts.every((host: string) => /^[a-z0-9-]+\/[^/]+$/.test(host)), JSON.stringify(server.hosts));
        }
    });

    it("turns gateway.routes into routes to fully qualified Services, named after their config key", () => {
        const routes = userGatewayRoutes(freightRoutes);
        assert.deepEqual(routes.map((r) => r.source), ["gateway.routes[0]", "gateway.routes[1]", "gateway.routes[2]"]);
        assert.deepEqual(routes[1].destinations, [{ host: "freight-rating.freight.svc.cluster.local", port: 8080 }]);
        assert.equal(new Set(routes.map((r) => r.name)).size, 3, "route names are unique");
    });

    it("bounds a user's prefix at a path segment: the path itself and what is under it, nothing beside it", () => {
        assert.deepEqual(segmentPrefix("/api/freight-rating"), [{ kind: "exact", path: "/api/freight-rating" }, { kind: "prefix", path: "/api/freight-rating/" }]);
        assert.deepEqual(segmentPrefix("/api/freight-rating/"), segmentPrefix("/api/freight-rating"));
        assert.deepEqual(segmentPrefix("/"), [{ kind: "prefix", path: "/" }]);
    });

    it("orders the VirtualService most specific prefix first, keeping declared order otherwise", () => {
        const spec = routesSpec(userGatewayRoutes(freightRoutes));
        assert.deepEqual(matchesOf(spec), [
            [["exact", "/api/freight-rating"], ["prefix", "/api/freight-rating/"]],
            [["exact", "/api/freight-tariff"], ["prefix", "/api/freight-tariff/"]],
            [["prefix", "/"]],
        ]);
        assert.deepEqual(spec.gateways, [meshGatewayRef]);
        assert.deepEqual(spec.http[2].route, [{ destination: { host: "web-app.freight.svc.cluster.local", port: { number: 80 } } }]);
    });

    it("keeps weights and subsets of split destinations", () => {
        const split: GatewayHttpRoute = {
            name: "canary", matches: segmentPrefix("/blog"), source: "wordpress sample",
            destinations: [
                { host: "wordpress.wordpress.svc.cluster.local", port: 80, subset: "stable", weight: 90 },
                { host: "wordpress.wordpress.svc.cluster.local", port: 80, subset: "canary", weight: 10 },
            ],
        };
        const spec = routesSpec([split]);
        assert.deepEqual(spec.http[0].route.map((r) => [r.destination.subset, r.weight]), [["stable", 90], ["canary", 10]]);
    });

    it("has no VirtualService spec without routes (Istio rejects one with no routes)", () => {
        assert.equal(virtualServiceSpec({ hosts: ["*"], gatewayRef: meshGatewayRef, routes: [] }), undefined);
    });

    it("reports requests claimed by two sources, naming both, the config key first", () => {
        const [user] = userGatewayRoutes([{ prefix: "/productpage/", service: "mine", namespace: "default", port: 80 }]);
        const problems = routeConflicts([route("=/productpage", "bookinfo sample"), user]);
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^gateway\.routes\[0\] \(exact "\/productpage"\) and bookinfo sample both select the same requests/);
        assert.match(problems[0], /Fix: pulumi config set --path 'gateway\.routes\[0\]\.prefix'/);
        const samples = routeConflicts([route("/", "wordpress sample"), route("/", "bookinfo sample")]);
        assert.match(samples[0], /^wordpress sample \(prefix "\/"\) and bookinfo sample both select the same requests.*Fix: /);
    });

    it("catches a prefix without a segment boundary that takes another app's pages", () => {
        // httpbin's old `/status` next to WordPress at `/`: WordPress's /status-update/ went to httpbin.
        const [beside] = routeConflicts([route("/", "wordpress sample"), route("/status", "httpbin sample")]);
        assert.match(beside, /^httpbin sample \(prefix "\/status"\) has no path-segment boundary and takes requests of wordpress sample, such as "\/status-…"/);
        // A raw prefix that reaches into another route's own paths, exact or prefix.
        const [exact] = routeConflicts([route("=/statistics", "bookinfo sample"), route("/stat", "gateway.routes[0]")]);
        assert.match(exact, /^gateway\.routes\[0\] \(prefix "\/stat"\) has no path-segment boundary and takes requests of bookinfo sample, such as "\/statistics"/);
        assert.deepEqual(routeConflicts([route("/static/", "bookinfo sample"), route("/static", "gateway.routes[0]")]), [],
            "nested at a segment: /static/... is tried first and stays bookinfo's");
        assert.equal(routeConflicts([route("/", "wordpress sample"), route("/static/", "bookinfo sample"), route("/static", "gateway.routes[0]")]).length, 1,
            "but beside WordPress a raw /static takes its /static-page");
        // Bounded, the same paths live side by side.
        assert.deepEqual(routeConflicts([route("/", "wordpress sample"), route(["/status/", "=/headers"], "httpbin sample"),
            route(["=/productpage", "/static/", "=/login"], "bookinfo sample")]), []);
        assert.deepEqual(routeConflicts([route("=/static", "a"), route("/static/", "b")]), [], "exact /static and prefix /static/ select different requests");
    });

    it("accepts nested prefixes (ordering handles them) and rejects reused route names", () => {
        assert.deepEqual(routeConflicts([route("/api/", "a"), route(["=/api/v1", "/api/v1/"], "b"), route("/", "c"), route("=/api/v1/x", "d")]), []);
        const names = routeConflicts([route("/a", "gateway.routes[0]", "same"), route("/b", "httpbin sample", "same")]);
        assert.equal(names.length, 1);
        assert.match(names[0], /"same"/);
    });

    it("lists every conflict, and none for a clean table", () => {
        assert.equal(routeConflicts([route("/x/", "one"), route("/x/", "two"), route("=/y", "three"), route("=/y", "four")]).length, 2);
        assert.deepEqual(routeConflicts(userGatewayRoutes(freightRoutes)), []);
    });

    it("builds curl commands that verify the gateway and never carry a key", () => {
        const service = { name: "istio-ingressgateway", namespace: "istio-system" };
        const simple = gatewayCurlCommand({ hosts: ["mesh.example.com"], path: "/api", mutual: false, service });
        assert.match(simple, /--cacert mesh-ca\.crt /);
        assert.match(simple, /https:\/\/mesh\.example\.com\/api;/);
        assert.doesNotMatch(simple, /--cert|--key|--insecure|-k /);
        const mutual = gatewayCurlCommand({ hosts: ["*"], path: "/", mutual: true, service });
        assert.match(mutual, /--cert mesh-client\.crt --key mesh-client\.key/);
        assert.match(mutual, /pulumi stack output --show-secrets clientPrivateKeyPem > mesh-client\.key/);
        assert.match(mutual, /port-forward svc\/istio-ingressgateway 8443:443/);
        assert.equal(curlHost(["*.apps.example.com"]), "mesh.apps.example.com");
        assert.equal(curlHost(["*"]), "localhost");
        assert.equal(curlPath(["/api/x", "/"]), "/");
        assert.equal(curlPath(["/api/x"]), "/api/x");
    });

    it("calls a gateway with a publicly trusted name (IKS) directly, verifying with the system's roots", () => {
        const service = { name: "istio-ingressgateway", namespace: "istio-system" };
        const hosts = ["c1-0001.us-south.containers.appdomain.cloud"];
        const simple = gatewayCurlCommand({ hosts, path: "/status/418", mutual: false, service, publicName: true });
        assert.equal(simple, "curl -sS -o /dev/null -w 'HTTP %{http_code}\\n' https://c1-0001.us-south.containers.appdomain.cloud/status/418");
        const mutual = gatewayCurlCommand({ hosts, path: "/status/418", mutual: true, service, publicName: true });
        assert.match(mutual, /--cert mesh-client\.crt --key mesh-client\.key https:\/\/c1-0001/);
        assert.doesNotMatch(mutual, /--cacert|port-forward|--connect-to/);
    });
});

describe("IngressGateway in the program", function () {
    this.timeout(60000);
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({ ...noSamples, gateway: { routes: freightRoutes } });
    });

    const gatewayOf = (of: ProgramRun): RegisteredResource => {
        const gateways = of.kind(...gatewayKind);
        assert.equal(gateways.length, 1, "exactly one Gateway");
        return gateways[0];
    };

    it("emits mesh-gateway in the gateway namespace, selecting the ingress gateway pods, after istiod", () => {
        const gateway = gatewayOf(run);
        assert.equal(gateway.plain.metadata.name, "mesh-gateway");
        assert.equal(gateway.plain.metadata.namespace, "istio-system");
        assert.deepEqual(gateway.plain.spec.selector, { istio: "ingressgateway" });
        assert.equal(gateway.plain.spec.servers[0].tls.mode, "SIMPLE");
        assert.deepEqual(gateway.plain.spec.servers[1].tls, { httpsRedirect: true });
        assert.ok(run.dependsOn(gateway, run.get("kubernetes:helm.sh/v3:Release", "istiod")));
    });

    it("uses the server credential Secret of the gateway's namespace as credentialName", () => {
        const gateway = gatewayOf(run);
        const credentialName = gateway.plain.spec.servers[0].tls.credentialName;
        const secret = run.ofType("kubernetes:core/v1:Secret").find((candidate) => candidate.plain.metadata.name === credentialName);
        assert.ok(secret, `no Secret named ${credentialName}`);
        assert.equal(secret.plain.metadata.namespace, gateway.plain.metadata.namespace, "Istio reads credentials only in the gateway's namespace");
        assert.ok(!run.dependsOn(gateway, secret),
            "the Gateway names its credential without waiting for the certificate chain; Istio loads the Secret when it appears");
    });

    it("switches the HTTPS server to MUTUAL", async () => {
        // The routes are incidental here: the same stack as the MUTUAL schema check below, so one shared run.
        const mutual = await runProgram({ ...noSamples, gateway: { tlsMode: "MUTUAL", routes: freightRoutes } });
        assert.equal(gatewayOf(mutual).plain.spec.servers[0].tls.mode, "MUTUAL");
    });

    it("binds one VirtualService to the gateway with the routes most specific first, after istiod", () => {
        const services = run.kind(...virtualServiceKind);
        assert.equal(services.length, 1);
        const [service] = services;
        assert.equal(service.plain.metadata.namespace, "istio-system");
        assert.deepEqual(service.plain.spec.gateways, [meshGatewayRef]);
        assert.deepEqual(service.plain.spec.hosts.map((host: string) => `istio-system/${host}`), gatewayOf(run).plain.spec.servers[0].hosts);
        assert.deepEqual(service.plain.spec.http.map((http: any) => [Object.values(http.match[0].uri)[0], http.route[0].destination.host]), [
            ["/api/freight-rating", "freight-rating.freight.svc.cluster.local"],
            ["/api/freight-tariff", "freight-tariff.freight.svc.cluster.local"],
            ["/", "web-app.freight.svc.cluster.local"],
        ]);
        assert.ok(run.dependsOn(service, run.get("kubernetes:helm.sh/v3:Release", "istiod")));
    });

    it("emits the Gateway but no VirtualService when there are no routes", async () => {
        const bare = await runProgram({ ...noSamples });
        assert.equal(bare.kind(...gatewayKind).length, 1);
        assert.equal(bare.kind(...virtualServiceKind).length, 0);
        assert.deepEqual(await validateRun(bare), []);
    });

    it("serves the configured hosts and exports them", async () => {
        const hosts = ["mesh.example.com", "*.apps.example.com"];
        const named = await runProgram({ ...noSamples, gateway: { hosts, routes: freightRoutes } });
        for (const server of gatewayOf(named).plain.spec.servers) {
            assert.deepEqual(server.hosts, hosts.map((host) => `istio-system/${host}`));
        }
        assert.deepEqual(named.kind(...virtualServiceKind)[0].plain.spec.hosts, hosts);
        assert.deepEqual(named.outputs.gatewayHosts, { value: hosts, secret: false, known: true });
        assert.match(String(named.outputs.curlSimple.value), /https:\/\/mesh\.example\.com\/;/);
    });

    it("exports curl commands that only read outputs the stack has, with no key inside", () => {
        for (const name of ["curlSimple", "curlMutual"]) {
            const output = run.outputs[name];
            assert.equal(output.secret, false, name);
            const command = String(output.value);
            const read = [...command.matchAll(/pulumi stack output (?:--show-secrets )?(\w+)/g)].map((match) => match[1]);
            assert.ok(read.length > 0, name);
            for (const outputName of read) {
                assert.ok(outputName in run.outputs, `${name} reads ${outputName}, which the stack does not export`);
            }
            assert.doesNotMatch(command, /PRIVATE KEY/);
        }
        assert.ok(String(run.outputs.curlMutual.value).includes(`--show-secrets ${curlStackOutputs.clientPrivateKey}`));
        assert.ok(!String(run.outputs.curlSimple.value).includes("--cert"));
    });

    it("rejects a user route that collides with a sample's before registering anything", async () => {
        const withSamples = await runProgram({});
        const service = withSamples.kind(...virtualServiceKind)[0];
        const samplePath = Object.values(service.plain.spec.http[0].match[0].uri)[0] as string;
        const { problems, registered } = await runExpectingConfigError({
            gateway: { routes: [{ prefix: samplePath, service: "mine", namespace: "default", port: 80 }] },
        });
        assert.deepEqual(registered.map((resource) => `${resource.type} ${resource.name}`), []);
        assert.ok(problems.some((problem) => problem.startsWith("gateway.routes[0] (")), problems.join("\n"));
    });

    it("validates against the Istio and Kubernetes schemas for SIMPLE, MUTUAL and with routes", async () => {
        assert.deepEqual(await validateRun(run), []);
        // The published schema accepts a VirtualService with no routes; istiod's webhook does not.
        const defaults = await runProgram({});
        for (const service of [...run.kind(...virtualServiceKind), ...defaults.kind(...virtualServiceKind)]) {
            assert.ok((service.plain.spec.http ?? []).length > 0, `${service.name} has no http routes`);
        }
        assert.deepEqual(await validateRun(defaults), []);
        assert.deepEqual(await validateRun(await runProgram({ ...noSamples, gateway: { tlsMode: "MUTUAL", routes: freightRoutes } })), []);
        // With the samples' routes and a user route beside them.
        const apiRoutes = freightRoutes.filter((candidate) => candidate.prefix !== "/");
        assert.deepEqual(await validateRun(await runProgram({ gateway: { tlsMode: "MUTUAL", routes: apiRoutes } })), []);
        assert.deepEqual(await validateRun(await runProgram({ gateway: { tlsMode: "SIMPLE", hosts: ["mesh.example.com"] } })), []);
    });
});

describe("IngressGateway with a credential and hosts from elsewhere (the IKS NLB certificate)", () => {
    it("uses the given credentialName and hosts, and names the client CA Secret after that credential", async () => {
        const created: pulumi.runtime.MockResourceArgs[] = [];
        await pulumi.runtime.setMocks({
            newResource: (args) => {
                created.push(args);
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: () => ({}),
        }, "iks-mesh", "test", false);
        // Loaded after the mocks, as the SDK requires of modules that create resources.
        const { IstioMesh } = require("../../components/mesh/istio-mesh") as typeof import("../../components/mesh/istio-mesh");
        const { MeshPki } = require("../../components/pki/mesh-pki") as typeof import("../../components/pki/mesh-pki");
        const { IngressGateway } = require("../../components/edge/ingress-gateway") as typeof import("../../components/edge/ingress-gateway");
        const config = parseStackConfig({ gateway: { tlsMode: "MUTUAL" } });
        const mesh = new IstioMesh("mesh", {
            istio: config.istio, mtlsMode: config.mtls.mode, profile: config.profile, gatewayServiceAnnotations: {}, otherPods: [],
        });
        const pki = new MeshPki("mesh-pki", { config, mesh, stackName: "test" });
        const nlbHost = pulumi.output("mycluster-a1b2c3-0000.us-south.containers.appdomain.cloud");
        const ingress = new IngressGateway("ingress-gateway", {
            mesh, pki, tlsMode: "MUTUAL", routes: userGatewayRoutes(freightRoutes),
            hosts: nlbHost.apply((host) => [host]),
            credentialName: pulumi.output("mycluster-a1b2c3-0000"),
        });
        const [credentialName, hosts] = await new Promise<[string, string[]]>((resolve) =>
            pulumi.all([ingress.credentialName, ingress.hosts]).apply(resolve));
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        assert.equal(credentialName, "mycluster-a1b2c3-0000");
        assert.deepEqual(hosts, ["mycluster-a1b2c3-0000.us-south.containers.appdomain.cloud"]);
        const gateway = created.find((args) => args.type === "kubernetes:networking.istio.io/v1:Gateway");
        assert.equal(gateway?.inputs.spec.servers[0].tls.credentialName, "mycluster-a1b2c3-0000");
        assert.deepEqual(gateway?.inputs.spec.servers[0].hosts, hosts.map((host) => `istio-system/${host}`));
        const clientCa = created.find((args) => args.type === "kubernetes:core/v1:Secret" && args.inputs.metadata.name.endsWith("-cacert"));
        assert.equal(clientCa?.inputs.metadata.name, "mycluster-a1b2c3-0000-cacert");
    });
});
