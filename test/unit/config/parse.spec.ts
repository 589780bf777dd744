import { strict as assert } from "assert";
import { parseStackConfig } from "../../../components/config/parse";
import { runExpectingConfigError } from "../../harness/program";
import { stackProjectConfig } from "../../support/stack-files";
import { configProblemsOf } from "../../support/config-problems";

describe("config: the committed dev stack", () => {
    it("is valid and keeps IBM Cloud off, with a gateway Service kind and minikube can serve", () => {
        const config = parseStackConfig(stackProjectConfig("dev"));
        assert.equal(config.iks.enabled, false);
        assert.equal(config.istio.gatewayServiceType, "NodePort");
    });
});

describe("config: defaults and values", () => {
    it("applies the contract's defaults in code", () => {
        const config = parseStackConfig({});
        assert.equal(config.istio.version, "1.30.5");
        assert.equal(config.istio.chartRepository, "https://blob.istio.io/istio-release/charts");
        assert.equal(config.istio.hub, "docker.io/istio");
        assert.equal(config.istio.gatewayServiceType, "LoadBalancer");
        assert.equal(config.mtls.mode, "STRICT");
        assert.deepEqual(config.gateway.hosts, ["*"]);
        assert.equal(config.gateway.tlsMode, "SIMPLE");
        assert.equal(config.wordpress.canaryWeight, 10);
        assert.equal(config.iks.enabled, false);
        assert.equal(config.iks.alb.ingressClass, "public-iks-traefik");
        assert.equal(config.iks.loadBalancer.visibility, "public");
        assert.equal(config.iks.resourceGroup, undefined);
        assert.equal(config.kiali.enabled, true);
        assert.equal(config.enroute.enabled, false);
        assert.equal(config.wordpress.storageClass, undefined);
    });

    it("returns a deeply frozen object", () => {
        const config = parseStackConfig({ gateway: { hosts: ["a.example.com"] } });
        assert.ok(Object.isFrozen(config));
        assert.ok(Object.isFrozen(config.gateway));
        assert.ok(Object.isFrozen(config.gateway.hosts));
    });

    it("accepts numbers and booleans as `pulumi config set --path` stores them (strings)", () => {
        const config = parseStackConfig({ wordpress: { canary: { weight: "25" }, enabled: "false" } });
        assert.equal(config.wordpress.canaryWeight, 25);
        assert.equal(config.wordpress.enabled, false);
    });

    it("accepts structured values given as JSON text", () => {
        const config = parseStackConfig({
            gateway: { routes: JSON.stringify([{ prefix: "/api", service: "api", namespace: "default", port: 8080 }]) },
        });
        assert.deepEqual(config.gateway.routes, [{ prefix: "/api", service: "api", namespace: "default", port: 8080 }]);
    });

    it("holds iks.apiKey only as a Pulumi secret", async () => {
        const config = parseStackConfig({ iks: { apiKey: "k-123" } }, { secretSections: ["iks"] });
        assert.ok(config.iks.apiKey);
        const output = config.iks.apiKey as unknown as { isSecret: Promise<boolean> };
        assert.equal(await output.isSecret, true);
    });

    it("refuses an API key stored in plain text without echoing it", () => {
        const problems = configProblemsOf({ iks: { apiKey: "plain-key-value" } });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /iks\.apiKey is stored in plain text/);
        assert.match(problems[0], /--secret/);
        assert.ok(!problems[0].includes("plain-key-value"), "the problem text must not contain the key");
    });

    it("reads enroute.routes like gateway.routes, and refuses them without EnRoute", () => {
        const route = { prefix: "/productpage", service: "productpage", namespace: "bookinfo", port: 9080 };
        assert.deepEqual(parseStackConfig({ enroute: { enabled: true, routes: [route] } }).enroute.routes, [route]);
        assert.deepEqual(parseStackConfig({}).enroute.routes, []);
        const [withoutEnRoute] = configProblemsOf({ enroute: { routes: [route] } });
        assert.match(withoutEnRoute, /enroute\.routes has no effect when enroute\.enabled is false.*enroute\.enabled' true/);
        const missing = configProblemsOf({ enroute: { enabled: true, routes: [{ prefix: "/x", service: "x", namespace: "bookinfo" }] } });
        assert.ok(missing.some((problem) => problem.includes('enroute.routes[0].port is required')), missing.join("\n"));
        const repeated = configProblemsOf({ enroute: { enabled: true, routes: [route, route] } });
        assert.ok(repeated.some((problem) => problem.includes('enroute.routes[1].prefix "/productpage" repeats enroute.routes[0]')), repeated.join("\n"));
    });

    it("reports every problem at once", () => {
        const problems = configProblemsOf({
            istio: { gatewayServiceType: "Ingress" },
            wordpress: { canary: { weight: 140 } },
            gateway: { tlsMode: "STRICT" },
        });
        assert.equal(problems.length, 3, problems.join("\n"));
    });
});

/** Bad configurations: each must stop the program, name the key, and register nothing. */
const badConfigs: { name: string; config: Record<string, unknown>; key: string; secretSections?: string[] }[] = [
    { name: "gateway service type outside the enum", config: { istio: { gatewayServiceType: "Ingress" } }, key: "istio.gatewayServiceType" },
    { name: "Istio version that is not a release", config: { istio: { version: "latest" } }, key: "istio.version" },
    { name: "Istio version of an unsupported older line", config: { istio: { version: "1.22.0" } }, key: "istio.version" },
    { name: "Istio version of an unsupported major", config: { istio: { version: "2.0.0" } }, key: "istio.version" },
    { name: "chart repository over plain http", config: { istio: { chartRepository: "http://charts.example.com/istio" } }, key: "istio.chartRepository" },
    { name: "empty chart repository", config: { istio: { chartRepository: "" } }, key: "istio.chartRepository" },
    { name: "malformed chart repository", config: { istio: { chartRepository: "blob.istio.io/istio-release/charts" } }, key: "istio.chartRepository" },
    { name: "chart repository on the retired googleapis host", config: { istio: { chartRepository: "https://istio-release.storage.googleapis.com/charts" } }, key: "istio.chartRepository" },
    { name: "empty image hub", config: { istio: { hub: "" } }, key: "istio.hub" },
    { name: "image hub with a scheme", config: { istio: { hub: "https://registry.example.internal/istio" } }, key: "istio.hub" },
    { name: "image hub on the retired registry.istio.io", config: { istio: { hub: "registry.istio.io/release" } }, key: "istio.hub" },
    { name: "mesh mTLS mode DISABLE", config: { mtls: { mode: "DISABLE" } }, key: "mtls.mode" },
    { name: "canary weight above 100", config: { wordpress: { canary: { weight: 101 } } }, key: "wordpress.canary.weight" },
    { name: "canary weight below 0", config: { wordpress: { canary: { weight: -1 } } }, key: "wordpress.canary.weight" },
    { name: "fractional canary weight", config: { wordpress: { canary: { weight: 10.5 } } }, key: "wordpress.canary.weight" },
    { name: "canary weight as a word", config: { wordpress: { canary: { weight: "ten" } } }, key: "wordpress.canary.weight" },
    { name: "IKS on without a cluster", config: { iks: { enabled: true, region: "us-south" } }, key: "iks.cluster" },
    { name: "IKS on without a region", config: { iks: { enabled: true, cluster: "c1" } }, key: "iks.region" },
    { name: "unknown infrastructure", config: { iks: { infrastructure: "satellite" } }, key: "iks.infrastructure" },
    { name: "route port 0", config: { gateway: { routes: [{ prefix: "/a", service: "a", namespace: "default", port: 0 }] } }, key: "gateway.routes[0].port" },
    { name: "route port 70000", config: { gateway: { routes: [{ prefix: "/a", service: "a", namespace: "default", port: 70000 }] } }, key: "gateway.routes[0].port" },
    { name: "route namespace not a Kubernetes name", config: { gateway: { routes: [{ prefix: "/a", service: "a", namespace: "Bad_NS", port: 80 }] } }, key: "gateway.routes[0].namespace" },
    { name: "route prefix without a slash", config: { gateway: { routes: [{ prefix: "api", service: "a", namespace: "default", port: 80 }] } }, key: "gateway.routes[0].prefix" },
    { name: "route with an unknown field", config: { gateway: { routes: [{ prefix: "/a", service: "a", namespace: "default", port: 80, weight: 5 }] } }, key: "gateway.routes[0].weight" },
    { name: "gateway host that is not a hostname", config: { gateway: { hosts: ["not a host"] } }, key: "gateway.hosts[0]" },
    { name: "typo inside a section", config: { gateway: { tlsmode: "MUTUAL" } }, key: "gateway.tlsmode" },
    { name: "unknown top-level section", config: { gatway: { hosts: ["a.example.com"] } }, key: "gatway" },
    { name: "boolean that is not a boolean", config: { kiali: { enabled: "yes" } }, key: "kiali.enabled" },
    { name: "floating image tag", config: { wordpress: { mysql: { image: "mysql:latest" } } }, key: "wordpress.mysql.image" },
    { name: "storage class not a Kubernetes name", config: { wordpress: { storageClass: "Fast SSD" } }, key: "wordpress.storageClass" },
    { name: "API key in plain text", config: { iks: { apiKey: "abc" } }, key: "iks.apiKey" },
    { name: "a private load balancer on classic, where IBM registers no subdomain for it", config: {
        iks: { enabled: true, cluster: "c1", region: "us-south", loadBalancer: { visibility: "private" } } }, key: "iks.loadBalancer.visibility" },
    { name: "an unknown load-balancer visibility", config: { iks: { loadBalancer: { visibility: "internal" } } }, key: "iks.loadBalancer.visibility" },
    { name: "a private ALB class without a custom domain", config: {
        iks: { enabled: true, cluster: "c1", region: "us-south", alb: { ingressClass: "private-iks-traefik" } } }, key: "iks.alb.ingressClass" },
    { name: "an ALB class IBM does not serve", config: { iks: { alb: { ingressClass: "nginx" } } }, key: "iks.alb.ingressClass" },
    { name: "a resource group name IBM would refuse", config: { iks: { resourceGroup: "rg/with/slashes" } }, key: "iks.resourceGroup" },
    { name: "renewal window longer than validity", config: { pki: { validityHours: 100, renewBeforeHours: 200 } }, key: "pki.renewBeforeHours" },
    { name: "duplicate route prefixes", config: { gateway: { routes: [
        { prefix: "/api", service: "a", namespace: "default", port: 80 },
        { prefix: "/api/", service: "b", namespace: "default", port: 80 }] } }, key: "gateway.routes[1].prefix" },
    { name: "mTLS policy for a namespace the stack does not manage", config: { mtls: { policies: [{ namespace: "payments", mode: "STRICT" }] } }, key: "mtls.policies[0].namespace" },
    { name: "mTLS policy with an unknown mode", config: { mtls: { policies: [{ namespace: "bookinfo", mode: "OFF" }] } }, key: "mtls.policies[0].mode" },
    { name: "structured key that is not an object", config: { istio: "1.30.3" }, key: "istio" },
    { name: "WordPress hosts on IKS, where the gateway serves the NLB subdomain", config: {
        iks: { enabled: true, cluster: "c1", region: "us-south" }, wordpress: { hosts: ["blog.example.com"] } }, key: "wordpress.hosts" },
    { name: "gateway hosts on IKS", config: {
        iks: { enabled: true, cluster: "c1", region: "us-south" }, gateway: { hosts: ["mesh.example.com"] } }, key: "gateway.hosts" },
];

describe("config: bad input stops the program before any resource", () => {
    it(`covers at least 15 distinct bad configurations (${badConfigs.length})`, () => {
        assert.ok(badConfigs.length >= 15);
        assert.equal(new Set(badConfigs.map((bad) => bad.name)).size, badConfigs.length);
    });

    for (const bad of badConfigs) {
        it(`rejects ${bad.name}, naming ${bad.key}`, async () => {
            const { message, problems, registered } = await runExpectingConfigError(bad.config, { secretSections: bad.secretSections });
            assert.deepEqual(registered.map((resource) => `${resource.type} ${resource.name}`), [],
                "no resource may be registered when the config is bad");
            assert.ok(problems.some((problem) => problem.startsWith(bad.key) || problem.includes(` ${bad.key} `)),
                `no problem names ${bad.key}:\n${message}`);
            assert.ok(problems.every((problem) => problem.includes('Fix: ')), `every problem says how to fix it:\n${message}`);
        });
    }
});
