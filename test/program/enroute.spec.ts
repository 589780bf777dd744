import { strict as assert } from "assert";
import { parseStackConfig } from "../../components/config/parse";
import {
    enrouteIstioGlobalConfigSpec, enrouteProxyConfig, enrouteSkipAwait, enrouteValues, enrouteWarnings,
} from "../../components/edge/enroute/values";
import { isPinnedImage } from "../../components/core/names";
import { enrouteChartRepository } from "../../components/core/versions";
import { enrouteChartKeys } from "../data/enroute-chart-keys";
import { ProgramRun, RegisteredResource, runProgram } from "../harness/program";
import { customValidators, unknownValuePaths, validateRun } from "../harness/validate";

const releaseType = "kubernetes:helm.sh/v3:Release";
const namespaceType = "kubernetes:core/v1:Namespace";
const globalConfigType = "kubernetes:enroute.saaras.io/v1:GlobalConfig";
const componentType = "iks-mesh:observability:EnRoute";

// No published model covers EnRoute's CRDs. This checks a GlobalConfig against the chart's CRD
// (crds/enroute.saaras.io_globalconfigs.yaml: namespaced; spec {name, type, config} all strings) and, for
// type globalconfig_globals, its JSON against EnRoute's ProxyConfigGlobals fields.
const globalConfigTypes = ["globalconfig_ratelimit", "globalconfig_accesslog", "globalconfig_globals"];
const proxyConfigGlobalsFields = ["linkerd_enabled", "istio_enabled", "linkerd_header_disabled", "linkerd_servicemode_disabled"];
const dns1123Subdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateGlobalConfig(object: Record<string, any>): string[] {
    const problems: string[] = [];
    if (object.apiVersion !== "enroute.saaras.io/v1" || object.kind !== "GlobalConfig") {
        problems.push(`apiVersion/kind must be enroute.saaras.io/v1 GlobalConfig (got ${object.apiVersion}/${object.kind})`);
    }
    const metadata = object.metadata ?? {};
    if (typeof metadata.name !== "string" || !dns1123Subdomain.test(metadata.name)) {
        problems.push(`metadata.name must be a DNS-1123 subdomain (got ${JSON.stringify(metadata.name)})`);
    }
    if (typeof metadata.namespace !== "string" || metadata.namespace === "") {
        problems.push("metadata.namespace is required: GlobalConfig is namespaced");
    }
    const spec = object.spec;
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
        return [...problems, "spec is required and must be an object"];
    }
    for (const [key, value] of Object.entries(spec)) {
        if (!["name", "type", "config"].includes(key)) {
            problems.push(`spec.${key} is not a GlobalConfig field (the API server would prune it)`);
        } else if (typeof value !== "string") {
            problems.push(`spec.${key} must be a string (got ${JSON.stringify(value)})`);
        }
    }
    if (!globalConfigTypes.includes(spec.type)) {
        problems.push(`spec.type must be one of ${globalConfigTypes.join(", ")} (got ${JSON.stringify(spec.type)})`);
    }
    if (spec.type === "globalconfig_globals" && typeof spec.config === "string") {
        let parsed: unknown;
        try {
            parsed = JSON.parse(spec.config);
        } catch {
            return [...problems, "spec.config must be JSON"];
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
            problems.push("spec.config must be a JSON object");
        } else {
            for (const [field, value] of Object.entries(parsed)) {
                if (!proxyConfigGlobalsFields.includes(field)) {
                    problems.push(`spec.config.${field} is not a ProxyConfigGlobals field`);
                } else if (typeof value !== "boolean") {
                    problems.push(`spec.config.${field} must be a boolean`);
                }
            }
        }
    }
    return problems;
}
customValidators.set(globalConfigType, validateGlobalConfig);


function proxyMetadata(release: RegisteredResource): Record<string, string> {
    return JSON.parse(release.plain.values.istioPodAnnotations["proxy.istio.io/config"]).proxyMetadata;
}

function enrouteWarningLogs(run: ProgramRun): string[] {
    return run.logs.filter((entry) => entry.severity === "warn" && entry.message.includes("enroute.")).map((entry) => entry.message);
}

describe("EnRoute values (pure)", () => {
    it("turns on the chart's Istio integration without its second mesh-wide PeerAuthentication", () => {
        const values = enrouteValues(parseStackConfig({ enroute: { enabled: true } }));
        assert.equal(values.istio.enable, true);
        assert.equal(values.istio.strictmtls, false);
    });

    it("passes SECRET_TTL always and OUTPUT_CERTS only when enroute.outputCerts is true", () => {
        const off = JSON.parse(enrouteProxyConfig(parseStackConfig({ enroute: { secretTtlSeconds: 600, outputCerts: false } }).enroute));
        assert.deepEqual(off, { proxyMetadata: { SECRET_TTL: "600s" } });
        const on = JSON.parse(enrouteProxyConfig(parseStackConfig({}).enroute));
        assert.deepEqual(on, { proxyMetadata: { SECRET_TTL: "3600s", OUTPUT_CERTS: "/etc/istio-certs" } });
    });

    it("pins the Redis image the chart would leave at latest", () => {
        const values = enrouteValues(parseStackConfig({}));
        assert.ok(isPinnedImage(`redis:${values.images.redis.tag}`), values.images.redis.tag);
    });

    it("sets only keys that the enroute 0.8.7 templates read", () => {
        for (const enroute of [{}, { outputCerts: false }]) {
            assert.deepEqual(unknownValuePaths(enrouteValues(parseStackConfig({ enroute })), enrouteChartKeys), []);
        }
        // service.type is in values.yaml but the Service template hard-codes LoadBalancer.
        assert.deepEqual(unknownValuePaths({ service: { type: "NodePort" } }, enrouteChartKeys), ["service.type"]);
    });

    it("skips waiting for the chart's LoadBalancer only where the stack says there is none", () => {
        assert.equal(enrouteSkipAwait(parseStackConfig({})), false);
        assert.equal(enrouteSkipAwait(parseStackConfig({ istio: { gatewayServiceType: "NodePort" } })), true);
    });

    it("warns that without OUTPUT_CERTS EnRoute has no mesh certificate", () => {
        assert.equal(enrouteWarnings(parseStackConfig({ enroute: { outputCerts: false } }).enroute).length, 1);
        assert.deepEqual(enrouteWarnings(parseStackConfig({}).enroute), [], "the default writes the certificate out");
    });

    it("the GlobalConfig enables Istio in EnRoute's global settings", () => {
        const spec = enrouteIstioGlobalConfigSpec();
        assert.equal(spec.type, "globalconfig_globals");
        assert.deepEqual(JSON.parse(spec.config), { istio_enabled: true });
    });

    it("the GlobalConfig validator catches what the CRD or EnRoute would not accept", () => {
        const good = { apiVersion: "enroute.saaras.io/v1", kind: "GlobalConfig", metadata: { name: "g", namespace: "enroute" },
            spec: enrouteIstioGlobalConfigSpec() };
        assert.deepEqual(validateGlobalConfig(good), []);
        assert.equal(validateGlobalConfig({ ...good, metadata: { name: "g" } }).length, 1);
        assert.equal(validateGlobalConfig({ ...good, spec: { ...good.spec, config: '{"istioEnabled": true}' } }).length, 1);
        assert.equal(validateGlobalConfig({ ...good, spec: { ...good.spec, type: "globals" } }).length, 1);
        assert.equal(validateGlobalConfig({ ...good, spec: { ...good.spec, enabled: true } }).length, 1);
    });
});

describe("EnRoute: the gateway joined to the mesh", () => {
    let off: ProgramRun;
    let on: ProgramRun;
    before(async () => {
        off = await runProgram({});
        on = await runProgram({ enroute: { enabled: true, outputCerts: true, secretTtlSeconds: 900 } });
    });

    it("writes no deny-all in enroute: its sidecar captures no inbound traffic, so no policy there would be evaluated", () => {
        // The chart's istioPodAnnotations carry traffic.sidecar.istio.io/includeInboundPorts: '' (saarasio/enroute
        // helm-chart/enroute/values.yaml, chart 0.8.7), and Helm merges the stack's map into it: the stack must
        // not set that key, or the public listener would go through the sidecar (docs/security.md, "Authorization").
        const release = on.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.name === "enroute");
        assert.ok(release);
        assert.deepEqual(Object.keys(release.plain.values.istioPodAnnotations), ["proxy.istio.io/config"]);
        const policies = on.ofType("kubernetes:security.istio.io/v1:AuthorizationPolicy");
        assert.ok(policies.length > 0);
        assert.deepEqual(policies.filter((policy) => policy.plain.metadata.namespace === "enroute").map((policy) => policy.name), []);
    });

    it("is off by default", () => {
        assert.equal(off.ofType(componentType).length, 0);
        assert.equal(off.find(namespaceType, "enroute"), undefined);
        assert.equal(off.outputs.enrouteNamespace?.value, undefined);
    });

    it("puts EnRoute in its own namespace with sidecar injection", () => {
        const namespace = on.get(namespaceType, "enroute");
        assert.equal(namespace.plain.metadata.name, "enroute");
        assert.equal(namespace.plain.metadata.labels["istio-injection"], "enabled");
        assert.equal(on.outputs.enrouteNamespace.value, "enroute");
    });

    it("installs the pinned enroute chart there with the Istio integration, SECRET_TTL and OUTPUT_CERTS", () => {
        const release = on.get(releaseType, "enroute");
        assert.equal(release.plain.chart, "enroute");
        assert.equal(release.plain.version, "0.8.7");
        assert.equal(release.plain.repositoryOpts.repo, enrouteChartRepository);
        assert.equal(release.plain.namespace, "enroute");
        assert.equal(release.plain.values.istio.enable, true);
        assert.deepEqual(proxyMetadata(release), { SECRET_TTL: "900s", OUTPUT_CERTS: "/etc/istio-certs" });
        assert.deepEqual(enrouteWarningLogs(on), []);
    });

    it("without enroute.outputCerts, leaves OUTPUT_CERTS out and says what that breaks", async () => {
        const noCerts = await runProgram({ enroute: { enabled: true, outputCerts: false } });
        assert.deepEqual(proxyMetadata(noCerts.get(releaseType, "enroute")), { SECRET_TTL: "3600s" });
        const [warning] = enrouteWarningLogs(noCerts);
        assert.match(warning, /enroute\.outputCerts/);
        assert.deepEqual(await validateRun(noCerts), []);
    });

    it("waits for istiod (injection) and creates the GlobalConfig after the chart's CRDs", () => {
        const release = on.get(releaseType, "enroute");
        assert.ok(on.dependsOn(release, on.get(releaseType, "istiod")), "injected pods need istiod's webhook");
        assert.ok(on.dependsOn(release, on.get(namespaceType, "enroute")));
        const [globalConfig] = on.ofType(globalConfigType);
        assert.ok(globalConfig, "GlobalConfig missing");
        assert.equal(globalConfig.plain.metadata.namespace, "enroute");
        assert.deepEqual(JSON.parse(globalConfig.plain.spec.config), { istio_enabled: true });
        assert.ok(on.dependsOn(globalConfig, release), "the GlobalConfig CRD comes with the chart");
    });

    it("does not wait for a load balancer on clusters without one", async () => {
        assert.equal(on.get(releaseType, "enroute").plain.skipAwait, false);
        const nodePort = await runProgram({ enroute: { enabled: true }, istio: { gatewayServiceType: "NodePort" } });
        assert.equal(nodePort.get(releaseType, "enroute").plain.skipAwait, true);
    });

    it("enroute.enabled false removes EnRoute's resources and leaves everything else alone", () => {
        const ours = new Set(on.subtree(on.get(componentType, "enroute")).map((resource) => resource.urn));
        assert.ok(ours.size >= 4, "component, namespace, release, GlobalConfig");
        const offUrns = new Set(off.resources.map((resource) => resource.urn));
        const onUrns = new Set(on.resources.map((resource) => resource.urn));
        // Other components may put objects into the enroute namespace while it exists; those go with it.
        const removed = on.resources.filter((resource) => !offUrns.has(resource.urn))
            .filter((resource) => !ours.has(resource.urn) && resource.plain.metadata?.namespace !== "enroute");
        assert.deepEqual(removed.map((resource) => resource.urn), []);
        assert.ok([...ours].every((urn) => !offUrns.has(urn)));
        assert.deepEqual([...offUrns].filter((urn) => !onUrns.has(urn)), []);
    });

    it("emits only objects that validate, the GlobalConfig included", async () => {
        assert.deepEqual(await validateRun(on), []);
    });
});
