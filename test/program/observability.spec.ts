import { strict as assert } from "assert";
import { parseStackConfig } from "../../components/config/parse";
import {
    kialiAuthWarnings, kialiPortForwardCommand, kialiTokenCommand, kialiValues,
} from "../../components/observability/kiali-values";
import { prometheusAddonUrl, prometheusNetworkPolicySpec, prometheusUrl } from "../../components/observability/prometheus-addon";
import { istioSampleUrl, kialiChartRepository } from "../../components/core/versions";
import { kialiChartKeys } from "../data/kiali-chart-keys";
import { ProgramRun, runProgram } from "../harness/program";
import { fixtureManifest } from "../support/istio-manifests";
import { loadSampleManifests } from "../../components/manifests/sample-manifests";
import { unknownValuePaths, validateRun } from "../harness/validate";

const releaseType = "kubernetes:helm.sh/v3:Release";
const prometheusDeploymentType = "kubernetes:apps/v1:Deployment";
const prometheusName = "istio-system/prometheus";
const componentType = "iks-mesh:observability:Observability";


function urns(run: ProgramRun): Set<string> {
    return new Set(run.resources.map((resource) => resource.urn));
}

function kialiWarnings(run: ProgramRun): string[] {
    return run.logs.filter((entry) => entry.severity === "warn" && entry.message.includes("kiali.authStrategy"))
        .map((entry) => entry.message);
}

describe("Prometheus's NetworkPolicy (pure)", () => {
    it("refuses an addon without the Prometheus Deployment's selector rather than select no pod", () => {
        const service = { apiVersion: "v1", kind: "Service", metadata: { name: "prometheus" }, spec: {} };
        assert.throws(() => prometheusNetworkPolicySpec([service], "kiali"), /no Deployment prometheus with spec\.selector\.matchLabels/);
        const bare = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "prometheus" }, spec: { selector: { matchLabels: {} } } };
        assert.throws(() => prometheusNetworkPolicySpec([bare], "kiali"), /would select no pod/);
    });
});

describe("Kiali values and commands (pure)", () => {
    it("uses token login unless the stack config asks for another strategy", () => {
        assert.equal(kialiValues(parseStackConfig({}).kiali).auth.strategy, "token");
        const anonymous = parseStackConfig({ kiali: { authStrategy: "anonymous", allowAnonymous: true } }).kiali;
        assert.equal(kialiValues(anonymous).auth.strategy, "anonymous");
    });

    it("points Kiali at the addon's Prometheus Service and at Istio's root namespace", () => {
        const values = kialiValues(parseStackConfig({}).kiali);
        assert.equal(values.external_services.prometheus.url, "http://prometheus.istio-system:9090");
        assert.equal(values.external_services.prometheus.url, prometheusUrl());
        assert.equal(values.external_services.istio.root_namespace, "istio-system");
        assert.ok(!("istio_namespace" in values), "istio_namespace is ignored by Kiali 2.26");
    });

    it("sets only keys that kiali-server 2.26.0 defines, for every strategy", () => {
        for (const authStrategy of ["token", "anonymous", "openid", "header"]) {
            const values = kialiValues(parseStackConfig({ kiali: { authStrategy, allowAnonymous: authStrategy === "anonymous" } }).kiali);
            assert.deepEqual(unknownValuePaths(values, kialiChartKeys), [], authStrategy);
        }
    });

    it("the key list rejects what Kiali would ignore", () => {
        assert.deepEqual(unknownValuePaths({ istio_namespace: "istio-system", auth: { strategy: "login" } }, kialiChartKeys),
            ["istio_namespace"]);
        assert.deepEqual(unknownValuePaths({ external_services: { prometheus: { address: "x" } } }, kialiChartKeys),
            ["external_services.prometheus.address"]);
    });

    it("warns for anonymous (anyone reaching Kiali can change the mesh) and for strategies the stack cannot finish", () => {
        assert.deepEqual(kialiAuthWarnings("token"), []);
        const [anonymous] = kialiAuthWarnings("anonymous");
        assert.match(anonymous, /anyone who can reach Kiali/);
        assert.match(anonymous, /kiali\.authStrategy token/, "names the fix");
        assert.equal(kialiAuthWarnings("openid").length, 1);
        assert.equal(kialiAuthWarnings("header").length, 1);
    });

    it("derives the commands from the chart's instance name, port and namespace", () => {
        assert.equal(kialiPortForwardCommand(), "kubectl -n istio-system port-forward svc/kiali 20001:20001");
        // A dedicated read-only account, never Kiali's own (`kiali`, with the chart's cluster-wide rights), short-lived.
        assert.equal(kialiTokenCommand(), "kubectl -n istio-system create token kiali-login --duration=1h");
    });

    it("takes Prometheus from Istio's addon at the installed Istio version", () => {
        assert.equal(prometheusAddonUrl("1.30.3"), "https://raw.githubusercontent.com/istio/istio/1.30.3/samples/addons/prometheus.yaml");
        assert.equal(prometheusAddonUrl("1.31.1"), istioSampleUrl("1.31.1", "addons/prometheus.yaml"));
    });
});

describe("Observability: Prometheus and Kiali in the mesh", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram({});
    });

    it("applies Istio's Prometheus addon pinned to istio.version, its Service where Kiali looks", async () => {
        // What is fetched for a version is decided by loadSampleManifests, the one place the program hands its
        // fetcher to (index.ts): checked here without the program, per line. That the program registers what it
        // loads is the default run's Deployment below, and that it loads at a non-default version's tag is
        // samples.spec.ts's "takes the sample manifests from the tag of a non-default istio.version".
        for (const version of ["1.30.5", "1.31.1"]) {
            const fetched: string[] = [];
            const loaded = await loadSampleManifests(parseStackConfig({ istio: { version } }),
                async (url) => { fetched.push(url); return fixtureManifest(url); });
            assert.ok(fetched.includes(istioSampleUrl(version, "addons/prometheus.yaml")), version);
            assert.equal(loaded.prometheus?.url, istioSampleUrl(version, "addons/prometheus.yaml"), version);
            assert.ok(loaded.prometheus?.objects.some((object) => object.kind === "Deployment" && object.metadata.name === "prometheus"), version);
        }
        assert.ok(run.find(prometheusDeploymentType, prometheusName));
        const service = run.get("kubernetes:core/v1:Service", prometheusName).plain;
        assert.equal(`http://${service.metadata.name}.${service.metadata.namespace}:${service.spec.ports[0].port}`, prometheusUrl());
    });

    it("installs kiali-server 2.26.0 (the 1.30 line's Kiali) from kiali.org into istio-system as release kiali", () => {
        const kiali = run.get(releaseType, "kiali");
        assert.equal(kiali.plain.chart, "kiali-server");
        assert.equal(kiali.plain.version, "2.26.0");
        assert.equal(kiali.plain.repositoryOpts.repo, kialiChartRepository);
        assert.equal(kiali.plain.repositoryOpts.repo, "https://kiali.org/helm-charts");
        assert.equal(kiali.plain.namespace, "istio-system");
        assert.equal(kiali.plain.name, "kiali");
    });

    it("logs in with tokens by default and reads the addon's Prometheus", () => {
        const values = run.get(releaseType, "kiali").plain.values;
        assert.equal(values.auth.strategy, "token");
        assert.equal(values.external_services.prometheus.url, "http://prometheus.istio-system:9090");
        assert.equal(values.external_services.istio.root_namespace, "istio-system");
        assert.deepEqual(kialiWarnings(run), []);
    });

    it("Kiali waits for istiod, not for Prometheus; Prometheus waits only for its namespace", () => {
        const kiali = run.get(releaseType, "kiali");
        const prometheus = run.get(prometheusDeploymentType, prometheusName);
        assert.ok(run.dependsOn(kiali, run.get(releaseType, "istiod")), "Kiali must wait for istiod");
        assert.ok(run.dependsOn(kiali, run.get("kubernetes:core/v1:Namespace", "istio-system")));
        assert.ok(!run.dependsOn(kiali, prometheus), "Kiali tolerates Prometheus arriving later");
        assert.ok(run.dependsOn(prometheus, run.get("kubernetes:core/v1:Namespace", "istio-system")));
        assert.ok(!run.dependsOn(prometheus, run.get(releaseType, "istiod")), "Prometheus runs without a sidecar");
    });

    it("exports how to open Kiali and how to get a login token, in plain text", () => {
        assert.deepEqual(run.outputs.kialiPortForward,
            { value: "kubectl -n istio-system port-forward svc/kiali 20001:20001", secret: false, known: true });
        assert.deepEqual(run.outputs.kialiTokenCommand,
            { value: "kubectl -n istio-system create token kiali-login --duration=1h", secret: false, known: true });
    });

    it("hands out login tokens of a read-only account: no port-forward, logs or pod proxy, and no write verb", () => {
        const account = run.get("kubernetes:core/v1:ServiceAccount", "kiali-login").plain;
        assert.equal(account.metadata.namespace, "istio-system");
        const role = run.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kiali-login-viewer").plain;
        const resources = role.rules.flatMap((rule: any) => rule.resources);
        for (const forbidden of ["pods/portforward", "pods/log", "pods/proxy", "pods/exec", "secrets"]) {
            assert.ok(!resources.includes(forbidden), forbidden);
        }
        assert.deepEqual([...new Set(role.rules.flatMap((rule: any) => rule.verbs))].sort(), ["get", "list", "watch"]);
        const binding = run.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kiali-login-viewer").plain;
        assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kiali-login-viewer" });
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "kiali-login", namespace: "istio-system" }], "bound to that account alone");
    });

    it("runs Prometheus without its lifecycle API (no /-/quit, /-/reload), rolling it when its config changes", () => {
        const prometheus = run.get(prometheusDeploymentType, prometheusName).plain;
        const args = prometheus.spec.template.spec.containers.flatMap((container: any) => container.args ?? []);
        assert.ok(args.includes("--config.file=/etc/config/prometheus.yml"), "the other flags stay");
        assert.ok(!args.some((arg: string) => arg.startsWith("--web.enable-lifecycle")), "the fixture carries the flag upstream sets; it is gone");
        assert.match(prometheus.spec.template.metadata.annotations["iks-mesh.io/prometheus-config-sha256"], /^[0-9a-f]{64}$/);
    });

    it("lets only Kiali's pods connect to Prometheus, on its port, by a NetworkPolicy (neither is in the mesh)", () => {
        const policy = run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "prometheus-ingress-from-kiali").plain;
        assert.equal(policy.metadata.namespace, "istio-system");
        const prometheus = run.get(prometheusDeploymentType, prometheusName).plain;
        // Selects Prometheus's pods: the Deployment's own selector, which its template's labels carry.
        assert.deepEqual(policy.spec.podSelector.matchLabels, prometheus.spec.selector.matchLabels);
        for (const [key, value] of Object.entries(policy.spec.podSelector.matchLabels)) {
            assert.equal(prometheus.spec.template.metadata.labels[key], value, key);
        }
        assert.deepEqual(policy.spec.policyTypes, ["Ingress"], "its scrapes, outbound, stay open");
        assert.equal(policy.spec.ingress.length, 1);
        const [rule] = policy.spec.ingress;
        // Kiali's chart labels its pods app.kubernetes.io/name=kiali and instance=<deployment.instance_name>
        // (kiali-server templates/_helpers.tpl selectorLabels).
        const kiali = run.get(releaseType, "kiali").plain;
        assert.deepEqual(rule.from, [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "kiali", "app.kubernetes.io/instance": kiali.values.deployment.instance_name } } }]);
        const service = run.get("kubernetes:core/v1:Service", prometheusName).plain;
        assert.deepEqual(rule.ports, [{ protocol: "TCP", port: service.spec.ports[0].targetPort }]);
        // No pod the stack renders itself carries Kiali's labels, so none of them is admitted.
        for (const deployment of run.ofType("kubernetes:apps/v1:Deployment")) {
            const labels = deployment.plain.spec.template.metadata?.labels ?? {};
            assert.notEqual(labels["app.kubernetes.io/name"], "kiali", deployment.name);
        }
    });

    it("refuses anonymous unless kiali.allowAnonymous, then switches and still warns in the log", async () => {
        await assert.rejects(runProgram({ kiali: { authStrategy: "anonymous" } }),
            /kiali\.allowAnonymous must be true to use kiali\.authStrategy anonymous, which gives anyone who reaches Kiali its full access.*Fix: .*kiali\.authStrategy.*token/s);
        const anonymous = await runProgram({ kiali: { authStrategy: "anonymous", allowAnonymous: true } });
        assert.equal(anonymous.get(releaseType, "kiali").plain.values.auth.strategy, "anonymous");
        const warnings = kialiWarnings(anonymous);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /anonymous/);
        assert.deepEqual(await validateRun(anonymous), []);
    });

    it("kiali.enabled false removes exactly Prometheus, Kiali and their component", async () => {
        const off = await runProgram({ kiali: { enabled: false } });
        const component = run.get(componentType, "observability");
        const ours = new Set(run.subtree(component).map((resource) => resource.urn));
        assert.ok(ours.size >= 3, "component, Prometheus and Kiali");
        const offUrns = urns(off);
        const removed = [...urns(run)].filter((urn) => !offUrns.has(urn));
        assert.deepEqual(removed.sort(), [...ours].sort());
        const added = [...offUrns].filter((urn) => !urns(run).has(urn));
        assert.deepEqual(added, []);
        assert.equal(off.outputs.kialiPortForward?.value, undefined);
        assert.equal(off.outputs.kialiTokenCommand?.value, undefined);
        assert.deepEqual(await validateRun(off), []);
    });

    it("emits only objects that validate against the upstream schemas and chart keys", async () => {
        assert.deepEqual(await validateRun(run), []);
    });
});
