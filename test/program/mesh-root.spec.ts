// The mesh-root program (mesh-root/index.ts) under the mock engine, like the cluster program: one root,
// one intermediate per listed cluster stack, the `cacerts` output a cluster stack's mesh.rootStack reads,
// the root key secret wherever it flows, the rotation steps, and bad config refused before any resource.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { ProgramRun, RunOptions, isSecretValue, projectRoot, runExpectingConfigError, runProgram, stringsIn } from "../harness/program";
import { cacertsKeys } from "../../components/pki/mesh-ca-spec";
import { meshRootOutputs, meshRootProjectName } from "../../components/pki/mesh-root-config";

const privateKeyType = "tls:index/privateKey:PrivateKey";
const selfSignedType = "tls:index/selfSignedCert:SelfSignedCert";
const locallySignedType = "tls:index/locallySignedCert:LocallySignedCert";
const stackReferenceType = "pulumi:pulumi:StackReference";

/** What the stack's previous `up` recorded, as its self-reference reads it (the harness answers {} by default). */
const previousOutputs = (outputs: Record<string, unknown> = {}): RunOptions["resourceState"] =>
    (args: pulumi.runtime.MockResourceArgs) => args.type === stackReferenceType ? { outputs } : undefined;

const program = { project: meshRootProjectName, main: "mesh-root/index" };
const runRoot = (config: Record<string, unknown>, previous?: Record<string, unknown>): Promise<ProgramRun> =>
    runProgram(config, { program, stack: "shared", unboundCluster: true, resourceState: previousOutputs(previous) });
const refuseRoot = (config: Record<string, unknown>, previous?: Record<string, unknown>) =>
    runExpectingConfigError(config, { program, stack: "shared", unboundCluster: true, resourceState: previousOutputs(previous) });

const rootKeyText = (name: string) => `private key of ${name}`;

describe("mesh-root: the program that holds the shared mesh root", function () {
    this.timeout(60000);
    let root: ProgramRun;
    before(async () => {
        root = await runRoot({ clusters: ["prod-us", "prod-eu"] });
    });

    it("is its own Pulumi project next to the cluster program, running its own entry", () => {
        const project = parse(fs.readFileSync(path.join(projectRoot, "mesh-root", "Pulumi.yaml"), "utf8")) as Record<string, any>;
        assert.equal(project.name, meshRootProjectName);
        assert.equal(project.runtime.name, "nodejs");
        // Without main, Pulumi's Node.js host would run the repository package.json's main: the cluster program.
        assert.equal(project.main, "index.ts");
        const cluster = parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as Record<string, any>;
        assert.deepEqual(project.backend, cluster.backend, "one backend, so a cluster stack's StackReference finds the root stack");
        for (const key of ["clusters", "rootGeneration", "rootRotation"]) {
            assert.ok(project.config[key]?.description, `${key} is declared`);
        }
    });

    it("creates one root and one intermediate per cluster stack, and no Kubernetes object", () => {
        assert.deepEqual(root.ofType(selfSignedType).map((cert) => cert.name), ["mesh-root-root-g1"]);
        assert.deepEqual(root.ofType(locallySignedType).map((cert) => cert.name).sort(), ["mesh-root-cluster-prod-eu-g1", "mesh-root-cluster-prod-us-g1"]);
        for (const intermediate of root.ofType(locallySignedType)) {
            assert.equal(intermediate.plain.caCertPem, `-----BEGIN CERTIFICATE-----\ncertificate of mesh-root-root-g1\n-----END CERTIFICATE-----\n`);
            assert.equal(intermediate.plain.isCaCertificate, true);
            assert.deepEqual([...intermediate.plain.allowedUses].sort(), ["cert_signing", "crl_signing"]);
        }
        assert.equal(root.resources.filter((resource) => resource.type.startsWith("kubernetes:")).length, 0);
        assert.equal(root.get(privateKeyType, "mesh-root-root-g1-key").plain.ecdsaCurve, "P256");
    });

    it("exports each cluster's cacerts under its stack name, with Istio's four keys, as one secret", () => {
        const cacerts = root.outputs[meshRootOutputs.cacerts];
        assert.equal(cacerts.secret, true);
        const issued = cacerts.value as Record<string, Record<string, string>>;
        assert.deepEqual(Object.keys(issued).sort(), ["prod-eu", "prod-us"]);
        for (const [stack, data] of Object.entries(issued)) {
            assert.deepEqual(Object.keys(data).sort(), [...cacertsKeys].sort());
            assert.match(data["ca-cert.pem"], new RegExp(`certificate of mesh-root-cluster-${stack}-g1`));
            assert.match(data["ca-key.pem"], new RegExp(`private key of mesh-root-cluster-${stack}-g1-key`));
            assert.equal(data["cert-chain.pem"], data["ca-cert.pem"] + String(root.outputs[meshRootOutputs.rootCertPem].value));
        }
        assert.notEqual(issued["prod-us"]["ca-key.pem"], issued["prod-eu"]["ca-key.pem"], "a key per cluster");
        const bundle = root.outputs[meshRootOutputs.rootCertPem];
        assert.equal(bundle.secret, false);
        assert.equal(bundle.value, `-----BEGIN CERTIFICATE-----\ncertificate of mesh-root-root-g1\n-----END CERTIFICATE-----\n`);
        assert.deepEqual(root.outputs[meshRootOutputs.clusters].value, ["prod-us", "prod-eu"]);
        assert.deepEqual(root.outputs[meshRootOutputs.rotation].value, { generation: 1, step: "steady" });
    });

    it("keeps the root key secret end to end: asked of the provider, in every input that carries it, in no output", () => {
        const key = root.get(privateKeyType, "mesh-root-root-g1-key");
        assert.ok(key.additionalSecretOutputs.includes("privateKeyPem"), "the provider is asked to keep it secret");
        const carriers = root.resources.filter((resource) => stringsIn(resource.inputs).some((found) => found.text.includes(rootKeyText("mesh-root-root-g1-key"))));
        assert.deepEqual(carriers.map((resource) => resource.name).sort(), ["mesh-root-cluster-prod-eu-g1", "mesh-root-cluster-prod-us-g1", "mesh-root-root-g1"]);
        for (const carrier of carriers) {
            for (const found of stringsIn(carrier.inputs).filter((found) => found.text.includes(rootKeyText("mesh-root-root-g1-key")))) {
                assert.ok(found.secret, `${carrier.name} receives the root key as a secret`);
            }
        }
        for (const [name, output] of Object.entries(root.outputs)) {
            assert.ok(!JSON.stringify(output.value ?? "").includes(rootKeyText("mesh-root-root-g1-key")), `output ${name} holds no root key`);
        }
        for (const entry of root.logs) {
            assert.ok(!entry.message.includes("PRIVATE KEY"), "no key in the log");
        }
    });

    it("its output is exactly what a cluster stack's mesh.rootStack reads", async () => {
        const cacerts = root.outputs[meshRootOutputs.cacerts].value;
        const cluster = await runProgram({ mesh: { ca: "stack", rootStack: `organization/${meshRootProjectName}/shared` } }, {
            stack: "prod-eu",
            resourceState: (args) => args.type === stackReferenceType ? { outputs: { [meshRootOutputs.cacerts]: cacerts } } : undefined,
        });
        const secret = cluster.ofType("kubernetes:core/v1:Secret").find((object) => object.plain.metadata?.name === "cacerts");
        assert.ok(secret);
        assert.deepEqual(secret.plain.stringData, (cacerts as Record<string, unknown>)["prod-eu"]);
        assert.ok(isSecretValue(secret.inputs.stringData));
        assert.ok(!stringsIn(cluster.resources.map((resource) => resource.inputs)).some((found) => found.text.includes(rootKeyText("mesh-root-root-g1-key"))),
            "no root key reaches the cluster stack");
    });

    it("steps through a root rotation, one up each, and the bundle and signer follow the documented states", async () => {
        const step = async (rootGeneration: number, rootRotation: string, previous: { generation: number; step: string }) => {
            const run = await runRoot({ clusters: ["prod-us"], rootGeneration, rootRotation }, { rotation: previous });
            const data = (run.outputs[meshRootOutputs.cacerts].value as Record<string, Record<string, string>>)["prod-us"];
            const roots = run.ofType(selfSignedType).map((cert) => cert.name).sort();
            return { data, roots };
        };
        const cert = (name: string) => `-----BEGIN CERTIFICATE-----\ncertificate of ${name}\n-----END CERTIFICATE-----\n`;
        const add = await step(2, "add-new-root", { generation: 1, step: "steady" });
        assert.deepEqual(add.roots, ["mesh-root-root-g1", "mesh-root-root-g2"]);
        assert.equal(add.data["root-cert.pem"], cert("mesh-root-root-g1") + cert("mesh-root-root-g2"));
        assert.equal(add.data["ca-cert.pem"], cert("mesh-root-cluster-prod-us-g1"));
        const sign = await step(2, "sign-with-new-root", { generation: 2, step: "add-new-root" });
        assert.equal(sign.data["root-cert.pem"], cert("mesh-root-root-g2") + cert("mesh-root-root-g1"));
        assert.equal(sign.data["cert-chain.pem"], cert("mesh-root-cluster-prod-us-g2") + cert("mesh-root-root-g2"));
        const steady = await step(2, "steady", { generation: 2, step: "sign-with-new-root" });
        assert.deepEqual(steady.roots, ["mesh-root-root-g2"]);
        assert.equal(steady.data["root-cert.pem"], cert("mesh-root-root-g2"));
    });

    it("refuses a step that skips or goes back, naming the next step, before any resource", async () => {
        const skipped = await refuseRoot({ clusters: ["prod-us"], rootGeneration: 2 }, { rotation: { generation: 1, step: "steady" } });
        assert.match(skipped.message, /rootGeneration 2 with rootRotation steady does not follow the last up's generation 1 steady/);
        assert.match(skipped.message, /Fix: pulumi config set --path rootGeneration 2; pulumi config set --path rootRotation add-new-root \(the next step\)/);
        const back = await refuseRoot({ clusters: ["prod-us"], rootGeneration: 1 }, { rotation: { generation: 2, step: "steady" } });
        assert.match(back.message, /does not follow the last up's generation 2 steady.*never back/);
        for (const refused of [skipped, back]) {
            assert.equal(refused.registered.filter((resource) => resource.custom && !resource.read).length, 0);
        }
    });

    it("refuses bad config with the key, the value and the fix", async () => {
        const none = await refuseRoot({});
        assert.match(none.message, /clusters must list the cluster stacks.*Fix: pulumi config set --path 'clusters\[0\]' prod-us/);
        const bad = await refuseRoot({ clusters: ["prod us", "eu", "eu"], rootRotation: "add-new-root", rootGenration: 2 });
        assert.match(bad.message, /clusters\[0\] must be a cluster stack's name.*\(got "prod us"\)/);
        assert.match(bad.message, /clusters\[2\] names stack eu twice/);
        assert.match(bad.message, /rootRotation add-new-root needs a previous root.*Fix: pulumi config set --path 'rootGeneration' 2/);
        assert.match(bad.message, /rootGenration is not a known setting/);
        assert.equal(bad.registered.filter((resource) => resource.custom && !resource.read).length, 0);
    });
});
