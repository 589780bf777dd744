// Issue #22, day two: what the second `up`, a destroy and a run from another machine find. Each stack
// shape runs once (before, the harness's shared runs) and every assertion reads that run; the portable-state
// test adds the one run made with KUBECONFIG set.
import { strict as assert } from "assert";
import * as vm from "vm";
import * as os from "os";
import { parseStackConfig } from "../../components/config/parse";
import { ProgramRun, RegisteredResource, runProgram, stringsIn } from "../harness/program";
import { iksMocks, iksStackConfig } from "../support/iks-stack";

const ambient = { istio: { dataplane: "ambient" } };
/** A path no machine has, standing for the CI runner's temporary kubeconfig. */
const ciKubeconfig = "/home/runner/work/_temp/kubeconfig-day-two";

function withEnvironment<T>(variables: Record<string, string>, body: () => Promise<T>): Promise<T> {
    const before = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    Object.assign(process.env, variables);
    return body().finally(() => {
        for (const [name, value] of Object.entries(before)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
    });
}

function providerOf(run: ProgramRun, resource: RegisteredResource): RegisteredResource | undefined {
    const urn = resource.provider.slice(0, resource.provider.lastIndexOf("::"));
    return run.ofType("pulumi:providers:kubernetes").find((provider) => provider.urn === urn);
}

const gatewayApiKinds = [
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
];

describe("day two: what each stack shape leaves in the state", () => {
    const shapes: Record<string, { config: Record<string, unknown>; options?: Parameters<typeof runProgram>[1] }> = {
        default: { config: {} },
        ambient: { config: ambient },
        iks: { config: iksStackConfig, options: { secretSections: ["iks"], ...iksMocks } },
    };
    const runs: Record<string, ProgramRun> = {};
    const home = os.homedir();

    before(async function () {
        this.timeout(60_000);
        // The same runs other spec files ask for (shared by the harness): nothing here but the next test reads the environment.
        for (const [name, shape] of Object.entries(shapes)) {
            runs[name] = await runProgram(shape.config, shape.options);
        }
    });

    it("registers no provider input holding KUBECONFIG's path or a path under the home directory (portable state)", async () => {
        // Run with KUBECONFIG set to this machine's path. The ambient shape builds both Kubernetes providers the
        // program has (cluster-provider.ts: the cluster's and the prerequisites', each from the cluster binding
        // alone, whatever the shape), so it stands for the others; the other shapes' providers are held below
        // to be the cluster provider only.
        const run = await withEnvironment({ KUBECONFIG: ciKubeconfig }, () => runProgram(ambient));
        const providers = run.ofType("pulumi:providers:kubernetes");
        assert.deepEqual(providers.map((provider) => provider.name).sort(), ["cluster", "cluster-prerequisites"]);
        for (const provider of providers) {
            const leaks = stringsIn(provider.inputs).map((entry) => entry.text)
                .filter((text) => text.includes(ciKubeconfig) || (home !== "/" && text.startsWith(home)));
            assert.deepEqual(leaks, [], `provider ${provider.name} stores ${leaks.join(", ")}`);
            // The SDK copies KUBECONFIG when kubeconfig is unset; an explicit "" stops it.
            assert.ok("kubeconfig" in provider.plain, `provider ${provider.name} leaves kubeconfig unset`);
        }
        for (const shape of ["default", "iks"]) {
            assert.deepEqual(runs[shape].ofType("pulumi:providers:kubernetes").map((provider) => provider.name), ["cluster"], shape);
            assert.deepEqual(runs[shape].get("pulumi:providers:kubernetes", "cluster").plain, run.get("pulumi:providers:kubernetes", "cluster").plain,
                `${shape}: the same cluster provider as the shape run with KUBECONFIG set`);
        }
    });

    it("lets Secrets update in place on the cluster provider, and no Secret forces its own replacement", () => {
        for (const [shape, run] of Object.entries(runs)) {
            assert.equal(run.get("pulumi:providers:kubernetes", "cluster").plain.enableSecretMutable, "true", shape);
            for (const secret of run.kind("core/v1", "Secret")) {
                assert.deepEqual(secret.replaceOnChanges ?? [], [], `${shape}: Secret ${secret.name} has replaceOnChanges`);
                assert.equal(secret.deleteBeforeReplace ?? false, false, `${shape}: Secret ${secret.name} is deleteBeforeReplace`);
                const provider = providerOf(run, secret);
                assert.equal(provider?.plain.enableSecretMutable, "true", `${shape}: Secret ${secret.name} goes through ${provider?.name}`);
            }
        }
        // The TLS Secrets this is about exist in the shapes that were run.
        assert.ok(runs.default.kind("core/v1", "Secret").some((secret) => secret.plain.type === "kubernetes.io/tls"));
    });

    it("creates the Gateway API CRDs and their admission policy through the adopting provider, kept on delete", () => {
        const run = runs.ambient;
        const prerequisites = run.resources.filter((resource) => gatewayApiKinds.includes(resource.type));
        assert.ok(prerequisites.length >= 3, "the ambient run registered no Gateway API objects");
        for (const object of prerequisites) {
            const provider = providerOf(run, object);
            assert.equal(provider?.name, "cluster-prerequisites", `${object.type} ${object.name} goes through ${provider?.name}`);
            assert.equal(provider?.plain.upsertExistingObjects, "true");
            assert.equal(object.retainOnDelete, true, `${object.name} is not kept on delete`);
        }
        // Same cluster as everything else.
        assert.equal(run.get("pulumi:providers:kubernetes", "cluster-prerequisites").plain.context,
            run.get("pulumi:providers:kubernetes", "cluster").plain.context);
    });

    it("keeps every other object under the provider that refuses to take over an existing object", () => {
        for (const [shape, run] of Object.entries(runs)) {
            for (const resource of run.resources.filter((candidate) => candidate.type.startsWith("kubernetes:") && !gatewayApiKinds.includes(candidate.type))) {
                const provider = providerOf(run, resource);
                assert.notEqual(provider?.plain.upsertExistingObjects, "true", `${shape}: ${resource.type} ${resource.name} would adopt silently`);
            }
        }
        assert.equal(runs.default.find("pulumi:providers:kubernetes", "cluster-prerequisites"), undefined,
            "a sidecar stack has no prerequisites to adopt");
    });

    it("keeps MySQL's and WordPress's volumes on destroy by default (data.retainOnDestroy)", () => {
        const claims = runs.default.kind("core/v1", "PersistentVolumeClaim");
        assert.ok(claims.length >= 2);
        for (const claim of claims) {
            assert.equal(claim.retainOnDelete, true, `${claim.name} is deleted with the stack`);
        }
    });

    it("puts a shape guard before each kept claim, so a change that would replace it stops at preview", () => {
        const guardType = "pulumi-nodejs:dynamic:VolumeShapeGuard";
        const guards = runs.default.ofType(guardType);
        assert.deepEqual(guards.map((guard) => guard.name).sort(), ["mysql-data-shape", "wordpress-content-shape"]);
        for (const claim of runs.default.kind("core/v1", "PersistentVolumeClaim")) {
            const guard = runs.default.get(guardType, `${claim.name}-shape`);
            assert.ok(runs.default.dependsOn(claim, guard), `${claim.name} waits for its guard's Diff`);
            assert.equal(guard.plain.claim, `${claim.plain.metadata.namespace}/${claim.name}`);
            assert.deepEqual(guard.plain.accessModes, claim.plain.spec.accessModes);
            assert.equal(guard.plain.storageClassName, claim.plain.spec.storageClassName ?? "");
            assert.equal(guard.plain.retain, true);
            assert.equal(typeof guard.plain.__provider, "string", "the provider is serialized into the state");
        }
    });

    it("the serialized guard (what Pulumi's dynamic provider plugin runs) refuses a storage class change on its own", async () => {
        const guard = runs.default.get("pulumi-nodejs:dynamic:VolumeShapeGuard", "wordpress-content-shape");
        // The plugin loads `__provider` as a CommonJS module and calls exports.handler() for the provider object.
        const module = { exports: {} as { handler?: () => { diff: (id: string, olds: unknown, news: unknown) => Promise<unknown> } } };
        vm.runInNewContext(guard.plain.__provider as string, { exports: module.exports, module, require, Promise, JSON, Error });
        const provider = module.exports.handler?.();
        assert.ok(provider);
        const olds = { ...guard.plain };
        await assert.rejects(provider.diff("id", olds, { ...olds, storageClassName: "nfs-client" }),
            /Refusing to replace the PersistentVolumeClaim wordpress\/wordpress-content: storage class \(cluster default\) → nfs-client/);
        assert.equal(JSON.stringify(await provider.diff("id", olds, { ...olds })), JSON.stringify({ changes: false }));
    });

    it("renews nothing until pki.rotation is raised (no trigger recorded at generation 0)", () => {
        const tlsResources = runs.default.resources.filter((resource) => resource.type.startsWith("tls:"));
        assert.ok(tlsResources.length > 0);
        for (const resource of tlsResources) {
            assert.equal(resource.replacementTrigger, undefined, `${resource.type} ${resource.name}`);
        }
    });
});

describe("day two: the operator's switches", () => {
    it("deletes the volumes with a throwaway stack that sets data.retainOnDestroy false", async function () {
        this.timeout(30_000);
        const run = await runProgram({ data: { retainOnDestroy: false } });
        for (const claim of run.kind("core/v1", "PersistentVolumeClaim")) {
            assert.equal(claim.retainOnDelete, false, claim.name);
        }
    });

    it("renews every leaf key and certificate, and only those, when pki.rotation changes", async function () {
        this.timeout(30_000);
        const [first, second] = [await runProgram({ pki: { rotation: 1 } }), await runProgram({ pki: { rotation: 2 } })];
        const triggered = (run: ProgramRun) => Object.fromEntries(run.resources
            .filter((resource) => resource.replacementTrigger !== undefined).map((resource) => [`${resource.type} ${resource.name}`, resource.replacementTrigger]));
        const one = triggered(first);
        const two = triggered(second);
        assert.deepEqual(Object.keys(one).sort(), [
            "tls:index/locallySignedCert:LocallySignedCert mesh-pki-client-cert",
            "tls:index/locallySignedCert:LocallySignedCert mesh-pki-server-cert",
            "tls:index/privateKey:PrivateKey mesh-pki-client-key",
            "tls:index/privateKey:PrivateKey mesh-pki-server-key",
        ]);
        assert.deepEqual(Object.keys(two).sort(), Object.keys(one).sort());
        for (const [resource, trigger] of Object.entries(one)) {
            // The engine replaces a resource whose trigger differs from the recorded one.
            assert.notDeepEqual(two[resource], trigger, resource);
        }
        // The CA is not rotated by a leaf generation: clients that trust it keep working.
        assert.ok(!Object.keys(one).some((name) => name.includes("mesh-pki-ca")));
    });

    it("keeps the wordpress namespace with its claims (deleting a namespace deletes its claims), and imports none of them by default", async function () {
        this.timeout(30_000);
        const kept = await runProgram({});
        const namespace = kept.get("kubernetes:core/v1:Namespace", "wordpress");
        assert.equal(namespace.retainOnDelete, true, "a deleted namespace takes its kept claims with it");
        for (const claim of kept.kind("core/v1", "PersistentVolumeClaim")) {
            assert.equal(claim.plain.metadata.namespace, "wordpress", `${claim.name} is kept only if its namespace is`);
            assert.equal(claim.importId, "");
        }
        assert.equal(namespace.importId, "");
        const demo = await runProgram({ data: { retainOnDestroy: false } });
        assert.equal(demo.get("kubernetes:core/v1:Namespace", "wordpress").retainOnDelete, false);
        for (const other of kept.kind("core/v1", "Namespace").filter((candidate) => candidate.name !== "wordpress")) {
            assert.equal(other.retainOnDelete, false, `${other.name} holds no kept data`);
        }
    });

    it("with data.adoptKeptVolumes, imports exactly what a destroy kept: the namespace and the two claims, by ID", async function () {
        this.timeout(30_000);
        const run = await runProgram({ data: { adoptKeptVolumes: true } });
        const imported = run.resources.filter((resource) => resource.importId !== "").map((resource) => `${resource.type} ${resource.importId}`).sort();
        assert.deepEqual(imported, [
            "kubernetes:core/v1:Namespace wordpress",
            "kubernetes:core/v1:PersistentVolumeClaim wordpress/mysql-data",
            "kubernetes:core/v1:PersistentVolumeClaim wordpress/wordpress-content",
        ]);
    });

    it("validates the new keys", () => {
        assert.equal(parseStackConfig({}).pki.rotation, 0);
        assert.equal(parseStackConfig({}).data.retainOnDestroy, true);
        assert.throws(() => parseStackConfig({ pki: { rotation: -1 } }), /pki\.rotation/);
        assert.throws(() => parseStackConfig({ data: { retainOnDestroy: "no" } }), /data\.retainOnDestroy/);
        assert.equal(parseStackConfig({}).data.adoptKeptVolumes, false);
        assert.throws(() => parseStackConfig({ data: { adoptKeptVolumes: "yes" } }), /data\.adoptKeptVolumes/);
    });
});
