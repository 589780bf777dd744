import { strict as assert } from "assert";
import { ProgramRun, RegisteredResource, fakeTlsPem, runProgram, stringsIn } from "../harness/program";
import { validateRun } from "../harness/validate";

const privateKeyType = "tls:index/privateKey:PrivateKey";
const selfSignedType = "tls:index/selfSignedCert:SelfSignedCert";
const certRequestType = "tls:index/certRequest:CertRequest";
const locallySignedType = "tls:index/locallySignedCert:LocallySignedCert";
const secretType = "kubernetes:core/v1:Secret";

// The harness answers for the tls provider (tlsProviderState): every PEM names the resource that made it, so a
// test can tell which one went where. The mock engine returns inputs as state and, unlike the real engine,
// ignores additionalSecretOutputs, so these keys arrive plain: secrecy must come from the program.
const { key: fakeKey, cert: fakeCert, csr: fakeCsr } = fakeTlsPem;
const runWithPki = (config: Record<string, unknown> = {}) => runProgram(config);

/** RSA keys behind a MUTUAL gateway: one stack (one shared run) for the RSA test and the schema test. */
const mutualRsa = { gateway: { tlsMode: "MUTUAL" }, pki: { keyAlgorithm: "RSA" } };
/**
 * Custom validity and gateway hosts in one stack (one shared run): the validity test reads only the
 * certificates' periods, the hosts test only the requests' DNS names, and neither key touches the other.
 */
const customPki = { pki: { validityHours: 2000, renewBeforeHours: 150 }, gateway: { hosts: ["mesh.example.com", "*.apps.example.com"] } };

function secretNamed(run: ProgramRun, name: string): RegisteredResource | undefined {
    return run.ofType(secretType).find((secret) => secret.plain.metadata?.name === name);
}

describe("MeshPki: a private CA and the gateway's certificates", function () {
    this.timeout(60000);
    let run: ProgramRun;
    before(async () => {
        run = await runWithPki({});
    });

    it("makes ECDSA keys on P-256 by default (the provider's own default curve is P-224)", () => {
        const keys = run.ofType(privateKeyType);
        assert.deepEqual(keys.map((key) => key.name).sort(), ["mesh-pki-ca-key", "mesh-pki-client-key", "mesh-pki-server-key"]);
        for (const key of keys) {
            assert.equal(key.plain.algorithm, "ECDSA", key.name);
            assert.equal(key.plain.ecdsaCurve, "P256", key.name);
            assert.equal(key.plain.rsaBits, undefined, key.name);
        }
    });

    it("makes 2048-bit RSA keys when pki.keyAlgorithm is RSA", async () => {
        // The stack the schema test below renders (one shared run): the gateway's TLS mode adds no key.
        const rsa = await runWithPki(mutualRsa);
        const keys = rsa.ofType(privateKeyType);
        assert.equal(keys.length, 3);
        for (const key of keys) {
            assert.equal(key.plain.algorithm, "RSA", key.name);
            assert.equal(key.plain.rsaBits, 2048, key.name);
            assert.equal(key.plain.ecdsaCurve, undefined, key.name);
        }
        const server = rsa.get(locallySignedType, "mesh-pki-server-cert");
        assert.ok(server.plain.allowedUses.includes("key_encipherment"), "RSA server keys encipher the TLS 1.2 key exchange");
    });

    it("gives each certificate only the uses its role needs", () => {
        const ca = run.get(selfSignedType, "mesh-pki-ca");
        assert.equal(ca.plain.isCaCertificate, true);
        assert.deepEqual([...ca.plain.allowedUses].sort(), ["cert_signing", "crl_signing", "digital_signature"]);

        const server = run.get(locallySignedType, "mesh-pki-server-cert");
        const client = run.get(locallySignedType, "mesh-pki-client-cert");
        assert.ok(server.plain.allowedUses.includes("server_auth"));
        assert.ok(server.plain.allowedUses.includes("digital_signature"));
        assert.ok(client.plain.allowedUses.includes("client_auth"));
        assert.ok(client.plain.allowedUses.includes("digital_signature"));
        assert.ok(!server.plain.allowedUses.includes("client_auth"), "the server certificate must not pass as a client");
        assert.ok(!client.plain.allowedUses.includes("server_auth"), "the client certificate must not serve a host");
        for (const leaf of [server, client]) {
            assert.ok(!leaf.plain.allowedUses.includes("cert_signing"), `${leaf.name} must not sign certificates`);
            assert.ok(!leaf.plain.isCaCertificate, `${leaf.name} is not a CA`);
            assert.ok(!leaf.plain.allowedUses.includes("key_encipherment"), `${leaf.name}: RFC 5480 forbids keyEncipherment on ECDSA keys`);
        }
    });

    it("takes validity and the renewal window from pki.*, with a CA that outlives its leaves tenfold", async () => {
        const custom = await runWithPki(customPki);
        const ca = custom.get(selfSignedType, "mesh-pki-ca");
        assert.equal(ca.plain.validityPeriodHours, 20000);
        assert.equal(ca.plain.earlyRenewalHours, 150);
        for (const name of ["mesh-pki-server-cert", "mesh-pki-client-cert"]) {
            const leaf = custom.get(locallySignedType, name);
            assert.equal(leaf.plain.validityPeriodHours, 2000, name);
            assert.equal(leaf.plain.earlyRenewalHours, 150, name);
        }
    });

    it("signs both leaf certificates with the CA: their CA inputs are the CA's outputs", () => {
        const caKey = run.get(privateKeyType, "mesh-pki-ca-key");
        const ca = run.get(selfSignedType, "mesh-pki-ca");
        assert.equal(ca.plain.privateKeyPem, fakeKey("mesh-pki-ca-key"), "the CA certificate is self-signed with the CA key");
        for (const role of ["server", "client"]) {
            const leaf = run.get(locallySignedType, `mesh-pki-${role}-cert`);
            const request = run.get(certRequestType, `mesh-pki-${role}-csr`);
            assert.equal(leaf.plain.caCertPem, fakeCert("mesh-pki-ca"), role);
            assert.equal(leaf.plain.caPrivateKeyPem, fakeKey("mesh-pki-ca-key"), role);
            assert.equal(leaf.plain.certRequestPem, fakeCsr(`mesh-pki-${role}-csr`), role);
            assert.equal(request.plain.privateKeyPem, fakeKey(`mesh-pki-${role}-key`), `${role}: the request is made with its own key, not the CA's`);
            assert.ok(leaf.propertyDependencies.caCertPem.includes(ca.urn), `${role}: caCertPem depends on the CA certificate`);
            assert.ok(leaf.propertyDependencies.caPrivateKeyPem.includes(caKey.urn), `${role}: caPrivateKeyPem depends on the CA key`);
            assert.ok(leaf.propertyDependencies.certRequestPem.includes(request.urn), `${role}: certRequestPem depends on its request`);
            assert.ok(run.dependsOn(leaf, ca));
        }
    });

    it("names the server certificate after the gateway hosts, or what a caller can dial when hosts is *", async () => {
        const defaultNames = run.get(certRequestType, "mesh-pki-server-csr").plain.dnsNames;
        assert.deepEqual(defaultNames, ["istio-ingressgateway.istio-system.svc", "istio-ingressgateway.istio-system.svc.cluster.local", "localhost"]);
        const named = await runWithPki(customPki);
        assert.deepEqual(named.get(certRequestType, "mesh-pki-server-csr").plain.dnsNames, ["mesh.example.com", "*.apps.example.com"]);
        assert.equal(named.get(certRequestType, "mesh-pki-client-csr").plain.dnsNames, undefined, "a client certificate names no host");
    });

    it("puts the server credential in the gateway's namespace with exactly tls.crt, tls.key and ca.crt", () => {
        const credential = run.get(secretType, "mesh-gateway-credential");
        assert.equal(credential.plain.metadata.namespace, "istio-system");
        assert.equal(credential.plain.type, "kubernetes.io/tls");
        assert.deepEqual(Object.keys(credential.plain.stringData).sort(), ["ca.crt", "tls.crt", "tls.key"]);
        assert.equal(credential.plain.stringData["tls.crt"], fakeCert("mesh-pki-server-cert"));
        assert.equal(credential.plain.stringData["tls.key"], fakeKey("mesh-pki-server-key"));
        assert.equal(credential.plain.stringData["ca.crt"], fakeCert("mesh-pki-ca"));
        assert.ok(run.dependsOn(credential, run.get("kubernetes:core/v1:Namespace", "istio-system")));
    });

    it("keeps every private key secret: in every resource input and in the stack outputs", async () => {
        for (const config of [{}, { gateway: { tlsMode: "MUTUAL" } }]) {
            const checked = await runWithPki(config);
            let seen = 0;
            for (const resource of checked.resources) {
                for (const found of stringsIn(resource.inputs).filter((entry) => entry.text.includes("PRIVATE KEY"))) {
                    seen++;
                    assert.ok(found.secret, `${resource.type} ${resource.name} holds a private key in plain text`);
                }
            }
            // CA key → CA cert and 2 leaf certs; server and client key → their requests; server key → credential.
            assert.ok(seen >= 6, `expected to find the private keys in the inputs (found ${seen})`);
            for (const [name, output] of Object.entries(checked.outputs)) {
                if (stringsIn(output.value).some((entry) => entry.text.includes("PRIVATE KEY"))) {
                    assert.ok(output.secret, `stack output ${name} shows a private key`);
                }
            }
            assert.equal(checked.outputs.clientPrivateKeyPem.secret, true);
            assert.equal(checked.outputs.clientPrivateKeyPem.value, fakeKey("mesh-pki-client-key"));
        }
    });

    it("asks the engine to keep the provider's private key outputs secret", () => {
        for (const key of run.ofType(privateKeyType)) {
            assert.ok(key.additionalSecretOutputs.includes("privateKeyPem"), key.name);
        }
    });

    it("exports the CA and client certificates in plain text (they are public)", () => {
        assert.deepEqual(run.outputs.caCertificatePem, { value: fakeCert("mesh-pki-ca"), secret: false, known: true });
        assert.deepEqual(run.outputs.clientCertificatePem, { value: fakeCert("mesh-pki-client-cert"), secret: false, known: true });
    });

    it("creates the -cacert client CA Secret only for MUTUAL, holding only our CA", async () => {
        assert.equal(secretNamed(run, "mesh-gateway-credential-cacert"), undefined, "SIMPLE needs no client CA");
        const mutual = await runWithPki({ gateway: { tlsMode: "MUTUAL" } });
        const clientCa = secretNamed(mutual, "mesh-gateway-credential-cacert");
        assert.ok(clientCa, "MUTUAL needs <credentialName>-cacert");
        assert.equal(clientCa.plain.metadata.namespace, "istio-system");
        assert.deepEqual(Object.keys(clientCa.plain.stringData), ["ca.crt"]);
        assert.equal(clientCa.plain.stringData["ca.crt"], fakeCert("mesh-pki-ca"), "the client CA is the CA that issued the client certificate");
        const [gateway] = mutual.kind("networking.istio.io/v1", "Gateway");
        assert.equal(`${gateway.plain.spec.servers[0].tls.credentialName}-cacert`, clientCa.plain.metadata.name);
        assert.ok(mutual.dependsOn(gateway, clientCa), "a MUTUAL gateway must not come up before its client CA");
    });

    it("emits Secrets that validate against the Kubernetes schema, with real-looking contents", async () => {
        assert.deepEqual(await validateRun(run), []);
        assert.deepEqual(await validateRun(await runWithPki(mutualRsa)), []);
    });
});
