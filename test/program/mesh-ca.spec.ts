// mesh.ca: stack under the mock engine: the cacerts Secret's exact keys and chain order, istiod waiting
// for it, secrecy end to end, the rotation steps as resources, the StackReference path, and bad values.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../../components/config/parse";
import { MeshCa } from "../../components/pki/mesh-ca";
import { ProgramRun, RegisteredResource, fakeTlsPem, isSecretValue, runComponent, runExpectingConfigError, runProgram } from "../harness/program";

const privateKeyType = "tls:index/privateKey:PrivateKey";
const selfSignedType = "tls:index/selfSignedCert:SelfSignedCert";
const locallySignedType = "tls:index/locallySignedCert:LocallySignedCert";
const certRequestType = "tls:index/certRequest:CertRequest";
const secretType = "kubernetes:core/v1:Secret";
const releaseType = "kubernetes:helm.sh/v3:Release";
const stackReferenceType = "pulumi:pulumi:StackReference";

// The harness answers for the tls provider (tlsProviderState) with PEMs that name the resource that made them.
const { key: fakeKey, cert: fakeCert } = fakeTlsPem;

const run = (config: Record<string, unknown>, stack?: string, extra?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined) =>
    runProgram(config, { ...(stack ? { stack } : {}), ...(extra ? { resourceState: extra } : {}) });

const cacertsOf = (result: ProgramRun): RegisteredResource | undefined =>
    result.ofType(secretType).find((secret) => secret.plain.metadata?.name === "cacerts");

describe("mesh.ca: the mesh's identity rooted in the stack's PKI", function () {
    this.timeout(60000);
    let stack: ProgramRun;
    before(async () => {
        stack = await run({ mesh: { ca: "stack" } });
    });

    it("writes the cacerts Secret in istio-system with exactly Istio's four keys", () => {
        const secret = cacertsOf(stack);
        assert.ok(secret, "a cacerts Secret");
        assert.equal(secret.plain.metadata.namespace, "istio-system");
        assert.deepEqual(Object.keys(secret.plain.stringData).sort(), ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"]);
    });

    it("chains intermediate then root in cert-chain.pem, and the intermediate's own key", () => {
        const data = cacertsOf(stack)!.plain.stringData as Record<string, string>;
        assert.equal(data["ca-cert.pem"], fakeCert("mesh-ca-intermediate-g1"));
        assert.equal(data["ca-key.pem"], fakeKey("mesh-ca-intermediate-g1-key"));
        assert.equal(data["root-cert.pem"], fakeCert("mesh-ca-root-g1"));
        assert.equal(data["cert-chain.pem"], fakeCert("mesh-ca-intermediate-g1") + fakeCert("mesh-ca-root-g1"));
    });

    it("signs the intermediate with the root: a CA, certificate and CRL signing only, P-256, stated lifetimes", () => {
        const intermediate = stack.get(locallySignedType, "mesh-ca-intermediate-g1");
        assert.equal(intermediate.plain.caCertPem, fakeCert("mesh-ca-root-g1"));
        assert.equal(intermediate.plain.caPrivateKeyPem, fakeKey("mesh-ca-root-g1-key"));
        assert.equal(intermediate.plain.isCaCertificate, true);
        assert.equal(intermediate.plain.maxPathLength, 0);
        assert.deepEqual([...intermediate.plain.allowedUses].sort(), ["cert_signing", "crl_signing"]);
        assert.equal(intermediate.plain.validityPeriodHours, 8760);
        const root = stack.get(selfSignedType, "mesh-ca-root-g1");
        assert.equal(root.plain.isCaCertificate, true);
        assert.equal(root.plain.maxPathLength, 1);
        assert.equal(root.plain.validityPeriodHours, 87600);
        for (const key of [stack.get(privateKeyType, "mesh-ca-root-g1-key"), stack.get(privateKeyType, "mesh-ca-intermediate-g1-key")]) {
            assert.equal(key.plain.algorithm, "ECDSA");
            assert.equal(key.plain.ecdsaCurve, "P256");
        }
        const csr = stack.get(certRequestType, "mesh-ca-intermediate-g1-csr");
        assert.match(csr.plain.subject.commonName, /intermediate test g1/);
        assert.equal(csr.plain.subject.organizationalUnit, "test");
    });

    it("is separate from the ingress CA", () => {
        const intermediate = stack.get(locallySignedType, "mesh-ca-intermediate-g1");
        assert.notEqual(intermediate.plain.caCertPem, fakeCert("mesh-pki-ca"));
        assert.ok(stack.find(selfSignedType, "mesh-pki-ca"), "the ingress CA stays");
    });

    it("writes the Secret before istiod, which trusts every root of the bundle", () => {
        const istiod = stack.get(releaseType, "istiod");
        assert.ok(stack.dependsOn(istiod, cacertsOf(stack)!), "istiod waits for cacerts");
        assert.equal(istiod.plain.values.env.ISTIO_MULTIROOT_MESH, "true");
    });

    it("keeps the Secret's data secret, and the root bundle is a plain output", () => {
        const secret = cacertsOf(stack)!;
        assert.ok(isSecretValue(secret.inputs.stringData), "stringData is secret");
        assert.ok(secret.additionalSecretOutputs.includes("data"));
        assert.equal(stack.outputs.meshRootCertPem.secret, false);
        assert.equal(stack.outputs.meshRootCertPem.value, fakeCert("mesh-ca-root-g1"));
        for (const [name, output] of Object.entries(stack.outputs)) {
            assert.ok(!JSON.stringify(output.value ?? "").includes("key of mesh-ca") || output.secret, `${name} leaks a mesh CA key`);
        }
    });

    it("profile production takes the stack's CA by default; other profiles keep istiod's", async () => {
        const production = await run({ profile: "production" });
        assert.ok(cacertsOf(production));
        const small = await run({ profile: "small" });
        assert.equal(cacertsOf(small), undefined);
        assert.equal(small.ofType(stackReferenceType).length, 0);
    });

    it("mesh.ca istiod creates nothing of it and leaves istiod's values as before", async () => {
        const istiod = await run({ mesh: { ca: "istiod" } });
        assert.equal(cacertsOf(istiod), undefined);
        assert.equal(istiod.find(selfSignedType, "mesh-ca-root-g1"), undefined);
        assert.equal(istiod.get(releaseType, "istiod").plain.values.env, undefined);
        assert.equal(istiod.outputs.meshRootCertPem.value, undefined);
    });

    it("steps through a root rotation: each step changes the bundle and the signing root as documented", async () => {
        // MeshCa alone (runComponent): the whole program's cacerts Secret carries the same data (tests above).
        const data = async (rootGeneration: number, rootRotation: string) => {
            const { mesh } = parseStackConfig({ mesh: { ca: "stack", rootGeneration, rootRotation } });
            const built = await runComponent(() => ({ cacerts: new MeshCa("mesh-ca", { mesh, stackName: "test", clusterName: "test" }).cacerts }));
            assert.deepEqual(built.resources.filter((resource) => resource.type === "kubernetes:core/v1:Namespace"), [], "no program around it");
            return built.outputs.cacerts.value as Record<string, string>;
        };
        const add = await data(2, "add-new-root");
        assert.equal(add["root-cert.pem"], fakeCert("mesh-ca-root-g1") + fakeCert("mesh-ca-root-g2"));
        assert.equal(add["ca-cert.pem"], fakeCert("mesh-ca-intermediate-g1"), "the old intermediate still signs");
        const sign = await data(2, "sign-with-new-root");
        assert.equal(sign["root-cert.pem"], fakeCert("mesh-ca-root-g2") + fakeCert("mesh-ca-root-g1"));
        assert.equal(sign["cert-chain.pem"], fakeCert("mesh-ca-intermediate-g2") + fakeCert("mesh-ca-root-g2"));
        const steady = await data(2, "steady");
        assert.equal(steady["root-cert.pem"], fakeCert("mesh-ca-root-g2"));
    });

    it("with mesh.rootStack reads this stack's intermediate from the root stack, holding no root", async () => {
        const issued = { "ca-cert.pem": "I", "ca-key.pem": "K", "root-cert.pem": "R", "cert-chain.pem": "IR" };
        const referenced = await run({ mesh: { ca: "stack", rootStack: "acme/iks-mesh-root/prod" } }, "prod-us", (args) =>
            args.type === stackReferenceType ? { outputs: { cacerts: { "prod-us": issued, "prod-eu": issued } } } : undefined);
        const reference = referenced.ofType(stackReferenceType)[0];
        assert.equal(reference.plain.name, "acme/iks-mesh-root/prod");
        assert.equal(referenced.ofType(selfSignedType).filter((cert) => cert.name.startsWith("mesh-ca")).length, 0, "no root here");
        assert.deepEqual(cacertsOf(referenced)!.plain.stringData, issued);
        assert.ok(isSecretValue(cacertsOf(referenced)!.inputs.stringData));
    });

    it("records the rotation step it applied, and refuses one that skips ahead or goes back before any resource", async () => {
        assert.deepEqual(stack.outputs.meshRootRotation.value, { generation: 1, step: "steady" });
        const previous = (rotation: { generation: number; step: string }) => (args: pulumi.runtime.MockResourceArgs) =>
            args.type === stackReferenceType ? { outputs: { meshRootRotation: rotation } } : undefined;
        const self = stack.ofType(stackReferenceType);
        assert.equal(self.length, 1);
        assert.equal(self[0].plain.name, "organization/iks-mesh/test", "a read of this stack's own last outputs");
        const back = await runExpectingConfigError({ mesh: { ca: "stack", rootGeneration: 1 } },
            { resourceState: previous({ generation: 2, step: "steady" }) });
        assert.match(back.message, /mesh\.rootGeneration 1 with mesh\.rootRotation steady does not follow the last up's generation 2 steady.*never back/);
        assert.match(back.message, /Fix: pulumi config set --path mesh\.rootGeneration 3; pulumi config set --path mesh\.rootRotation add-new-root \(the next step\), or pulumi config set --path mesh\.rootGeneration 2; pulumi config set --path mesh\.rootRotation steady \(stay\)/);
        assert.equal(back.registered.filter((resource) => resource.custom && !resource.read).length, 0);
        const skipped = await runExpectingConfigError({ mesh: { ca: "stack", rootGeneration: 2, rootRotation: "sign-with-new-root" } },
            { resourceState: previous({ generation: 1, step: "steady" }) });
        assert.match(skipped.message, /mesh\.rootRotation add-new-root \(the next step\)/);
        const next = await run({ mesh: { ca: "stack", rootGeneration: 2, rootRotation: "add-new-root" } }, undefined, previous({ generation: 1, step: "steady" }));
        assert.deepEqual(next.outputs.meshRootRotation.value, { generation: 2, step: "add-new-root" });
    });

    it("refuses bad values with the fix, before any resource", async () => {
        const badStack = await runExpectingConfigError({ mesh: { ca: "stack", rootStack: "iks-mesh-root" } });
        assert.match(badStack.message, /mesh\.rootStack must be a stack name <org>\/<project>\/<stack> \(got "iks-mesh-root"\).*pulumi config set --path 'mesh.rootStack'/);
        assert.equal(badStack.registered.filter((resource) => resource.custom).length, 0);
        const noPrevious = await runExpectingConfigError({ mesh: { ca: "stack", rootRotation: "add-new-root" } });
        assert.match(noPrevious.message, /mesh\.rootGeneration must be 2 or more with mesh\.rootRotation add-new-root.*mesh.rootGeneration' 2/);
        const istiodRoot = await runExpectingConfigError({ mesh: { ca: "istiod", rootStack: "a/b/c" } });
        assert.match(istiodRoot.message, /mesh\.rootStack needs mesh\.ca stack/);
        const both = await runExpectingConfigError({ mesh: { ca: "stack", rootStack: "a/b/c", rootGeneration: 2 } });
        assert.match(both.message, /belong to the root stack a\/b\/c.*set them in the mesh-root stack as rootGeneration and rootRotation \(docs\/security\.md/);
        const mode = await runExpectingConfigError({ mesh: { ca: "vault" } });
        assert.match(mode.message, /mesh\.ca must be one of istiod \| stack \(got "vault"\)/);
    });
});
