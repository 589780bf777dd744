// Proves that the trust layout MeshPki and IngressGateway build is the one that works: real
// certificates in the program's shape (same key specs, same allowed uses, same names), put where the
// layout functions say, served by a local HTTPS server that requires client certificates the way a
// MUTUAL gateway does. Node has no API to issue certificates, so a minimal DER encoder below writes
// them (X.509 v3 per RFC 5280) and Node's crypto signs them: no openssl binary or extra package needed.
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as https from "https";
import { AddressInfo } from "net";
import { TLSSocket } from "tls";
import { curlHost } from "../../../components/edge/curl-commands";
import { clientCaData, clientCredentialData, serverCredentialData } from "../../../components/pki/credential-layout";
import {
    AllowedUse, KeyAlgorithm, caAllowedUses, certificateSubjects, clientAllowedUses, privateKeySpec, serverAllowedUses, serverDnsNames,
} from "../../../components/pki/pki-spec";

// --- DER ---------------------------------------------------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
    const length = content.length;
    if (length < 0x80) {
        return Buffer.concat([Buffer.from([tag, length]), content]);
    }
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest >>= 8) {
        bytes.unshift(rest & 0xff);
    }
    return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}
const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (tagNumber: number, content: Buffer) => tlv(0xa0 | tagNumber, content);
const octetString = (content: Buffer) => tlv(0x04, content);
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, "utf8"));
const booleanTrue = () => Buffer.from([0x01, 0x01, 0xff]);
const derNull = () => Buffer.from([0x05, 0x00]);
const bitString = (content: Buffer, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));

function integer(bytes: Buffer): Buffer {
    const positive = bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
    return tlv(0x02, positive);
}

function objectIdentifier(dotted: string): Buffer {
    const [first, second, ...rest] = dotted.split(".").map(Number);
    const bytes = [40 * first + second];
    for (const arc of rest) {
        const groups: number[] = [arc & 0x7f];
        for (let value = arc >> 7; value > 0; value >>= 7) {
            groups.unshift(0x80 | (value & 0x7f));
        }
        bytes.push(...groups);
    }
    return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
    const two = (value: number) => String(value).padStart(2, "0");
    const text = `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}` +
        `${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
    return tlv(0x17, Buffer.from(text, "ascii"));
}

/** A KeyUsage BIT STRING (bit 0 is the most significant bit), minimally encoded as DER requires. */
function keyUsageBits(bits: number[]): Buffer {
    const highest = Math.max(...bits);
    const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
    for (const bit of bits) {
        bytes[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
    }
    return bitString(bytes, bytes.length * 8 - (highest + 1));
}

// --- X.509 -------------------------------------------------------------------------------------

/** What each @pulumi/tls allowed use means in X.509 (RFC 5280 §4.2.1.3 and §4.2.1.12). */
const x509Use: Record<AllowedUse, { keyUsageBit: number } | { extendedKeyUsage: string }> = {
    digital_signature: { keyUsageBit: 0 },
    key_encipherment: { keyUsageBit: 2 },
    cert_signing: { keyUsageBit: 5 },
    crl_signing: { keyUsageBit: 6 },
    server_auth: { extendedKeyUsage: "1.3.6.1.5.5.7.3.1" },
    client_auth: { extendedKeyUsage: "1.3.6.1.5.5.7.3.2" },
};

const oids = {
    commonName: "2.5.4.3",
    organization: "2.5.4.10",
    basicConstraints: "2.5.29.19",
    keyUsage: "2.5.29.15",
    extendedKeyUsage: "2.5.29.37",
    subjectAltName: "2.5.29.17",
    subjectKeyIdentifier: "2.5.29.14",
    authorityKeyIdentifier: "2.5.29.35",
    ecdsaWithSha256: "1.2.840.10045.4.3.2",
    sha256WithRsa: "1.2.840.113549.1.1.11",
};

interface Issued {
    certPem: string;
    keyPem: string;
    privateKey: crypto.KeyObject;
    subjectKeyId: Buffer;
    subjectDer: Buffer;
}

interface CertificateShape {
    algorithm: KeyAlgorithm;
    subject: { commonName: string; organization: string };
    allowedUses: readonly AllowedUse[];
    isCa?: boolean;
    dnsNames?: string[];
    issuer?: Issued;
}

function generateKey(algorithm: KeyAlgorithm): crypto.KeyPairKeyObjectResult {
    const spec = privateKeySpec(algorithm);
    if (spec.algorithm === "ECDSA") {
        assert.equal(spec.ecdsaCurve, "P256");
        return crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    }
    return crypto.generateKeyPairSync("rsa", { modulusLength: spec.rsaBits ?? 0 });
}

function name(subject: { commonName: string; organization: string }): Buffer {
    return sequence(
        set(sequence(objectIdentifier(oids.organization), utf8String(subject.organization))),
        set(sequence(objectIdentifier(oids.commonName), utf8String(subject.commonName))),
    );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
    return sequence(objectIdentifier(oid), ...(critical ? [booleanTrue()] : []), octetString(value));
}

/** Issues a certificate the way @pulumi/tls would for the given shape (self-signed when there is no issuer). */
function issue(shape: CertificateShape): Issued {
    const { publicKey, privateKey } = generateKey(shape.algorithm);
    const signer = shape.issuer?.privateKey ?? privateKey;
    const signatureOid = signer.asymmetricKeyType === "ec" ? oids.ecdsaWithSha256 : oids.sha256WithRsa;
    const signatureAlgorithm = signatureOid === oids.sha256WithRsa
        ? sequence(objectIdentifier(signatureOid), derNull())
        : sequence(objectIdentifier(signatureOid));
    const spki = publicKey.export({ type: "spki", format: "der" });
    const subjectKeyId = crypto.createHash("sha1").update(spki).digest();
    const subjectDer = name(shape.subject);

    const keyUsage = shape.allowedUses.flatMap((use) => { const meaning = x509Use[use]; return "keyUsageBit" in meaning ? [meaning.keyUsageBit] : []; });
    const extendedKeyUsage = shape.allowedUses.flatMap((use) => { const meaning = x509Use[use]; return "extendedKeyUsage" in meaning ? [meaning.extendedKeyUsage] : []; });
    const extensions = [
        extension(oids.basicConstraints, true, shape.isCa ? sequence(booleanTrue()) : sequence()),
        extension(oids.keyUsage, true, keyUsageBits(keyUsage)),
        ...(extendedKeyUsage.length > 0 ? [extension(oids.extendedKeyUsage, false, sequence(...extendedKeyUsage.map(objectIdentifier)))] : []),
        extension(oids.subjectKeyIdentifier, false, octetString(subjectKeyId)),
        ...(shape.issuer ? [extension(oids.authorityKeyIdentifier, false, sequence(tlv(0x80, shape.issuer.subjectKeyId)))] : []),
        ...(shape.dnsNames ? [extension(oids.subjectAltName, false, sequence(...shape.dnsNames.map((dns) => tlv(0x82, Buffer.from(dns, "ascii")))))] : []),
    ];
    const serial = crypto.randomBytes(16);
    serial[0] = (serial[0] & 0x7f) | 0x01;
    const now = Date.now();
    const tbs = sequence(
        explicit(0, integer(Buffer.from([2]))),
        integer(serial),
        signatureAlgorithm,
        shape.issuer?.subjectDer ?? subjectDer,
        sequence(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 3_600_000))),
        subjectDer,
        spki,
        explicit(3, sequence(...extensions)),
    );
    const signature = crypto.sign("sha256", tbs, signer);
    const der = sequence(tbs, signatureAlgorithm, bitString(signature));
    const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString("base64").match(/.{1,64}/g)?.join("\n")}\n-----END CERTIFICATE-----\n`;
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    return { certPem, keyPem, privateKey, subjectKeyId, subjectDer };
}

/** The program's PKI: CA → server certificate, CA → client certificate, same uses and names. */
function meshPki(algorithm: KeyAlgorithm, hosts: string[]) {
    const subjects = certificateSubjects("trust-test");
    const ca = issue({ algorithm, subject: subjects.ca, allowedUses: caAllowedUses, isCa: true });
    const server = issue({
        algorithm, subject: subjects.server, allowedUses: serverAllowedUses(algorithm), issuer: ca,
        dnsNames: serverDnsNames(hosts, { name: "istio-ingressgateway", namespace: "istio-system" }),
    });
    const client = issue({ algorithm, subject: subjects.client, allowedUses: clientAllowedUses(algorithm), issuer: ca });
    return { ca, server, client };
}

// --- HTTPS -------------------------------------------------------------------------------------

interface Attempt {
    status?: number;
    body?: string;
    error?: string;
}

async function listen(server: https.Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
}

function call(port: number, options: { servername: string; ca: string; cert?: string; key?: string }): Promise<Attempt> {
    return new Promise((resolve) => {
        const request = https.request({
            host: "127.0.0.1", port, path: "/", method: "GET", agent: false, timeout: 5000,
            servername: options.servername, ca: options.ca,
            ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        }, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => { body += chunk; });
            response.on("end", () => resolve({ status: response.statusCode, body }));
            response.on("error", (error) => resolve({ error: error.message }));
        });
        request.on("timeout", () => request.destroy(new Error("timed out")));
        request.on("error", (error) => resolve({ error: error.message }));
        request.end();
    });
}

for (const algorithm of ["ECDSA", "RSA"] as const) {
    describe(`Gateway trust layout with real ${algorithm} certificates (local HTTPS server requiring client certificates)`, function () {
        this.timeout(30000);
        const hosts = ["*"];
        let pki: ReturnType<typeof meshPki>;
        let server: https.Server;
        let port: number;
        /** The same server that lets every handshake through and answers why it would have refused it. */
        let witness: https.Server;
        let witnessPort: number;
        const reached: (string | undefined)[] = [];
        /** What curl and the ALB hold, in the layout the ALB's proxy-ssl Secret uses. */
        let caller: ReturnType<typeof clientCredentialData<string>>;
        const servername = curlHost(hosts);

        before(async () => {
            pki = meshPki(algorithm, hosts);
            // The gateway's Secrets, built by the functions the components use.
            const credential = serverCredentialData({ serverCertPem: pki.server.certPem, serverKeyPem: pki.server.keyPem, caCertPem: pki.ca.certPem });
            const clientCa = clientCaData(pki.ca.certPem);
            caller = clientCredentialData({ clientCertPem: pki.client.certPem, clientKeyPem: pki.client.keyPem, caCertPem: credential["ca.crt"] });
            const gatewayOptions = { key: credential["tls.key"], cert: credential["tls.crt"], ca: clientCa["ca.crt"], requestCert: true };
            server = https.createServer({ ...gatewayOptions, rejectUnauthorized: true }, (request, response) => {
                const peer = (request.socket as TLSSocket).getPeerCertificate();
                // A subject may carry a field more than once; the CN this project issues is always one.
                reached.push([peer.subject?.CN].flat()[0]);
                response.end("ok");
            });
            witness = https.createServer({ ...gatewayOptions, rejectUnauthorized: false }, (request, response) => {
                const socket = request.socket as TLSSocket;
                response.end(socket.authorized ? "authorized" : String(socket.authorizationError));
            });
            port = await listen(server);
            witnessPort = await listen(witness);
        });

        after(async () => {
            for (const running of [server, witness]) {
                await new Promise<void>((resolve) => running ? running.close(() => resolve()) : resolve());
            }
        });

        beforeEach(() => {
            reached.length = 0;
        });

        it("issues certificates Node reads as CA → server (for the dialled name) and CA → client", () => {
            const ca = new crypto.X509Certificate(pki.ca.certPem);
            const leafServer = new crypto.X509Certificate(pki.server.certPem);
            const leafClient = new crypto.X509Certificate(pki.client.certPem);
            assert.ok(ca.ca && !leafServer.ca && !leafClient.ca);
            assert.ok(leafServer.verify(ca.publicKey) && leafClient.verify(ca.publicKey));
            assert.ok(leafServer.checkIssued(ca) && leafClient.checkIssued(ca));
            assert.equal(leafServer.checkHost(servername), servername, "the curl host is a name the server certificate carries");
            assert.deepEqual(leafServer.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
            assert.deepEqual(leafClient.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
        });

        it("accepts a caller holding the client certificate", async () => {
            const result = await call(port, { servername, ca: caller["ca.crt"], cert: caller["tls.crt"], key: caller["tls.key"] });
            assert.deepEqual(result, { status: 200, body: "ok" });
            assert.deepEqual(reached, [certificateSubjects("trust-test").client.commonName]);
        });

        it("refuses a caller without a client certificate", async () => {
            const result = await call(port, { servername, ca: caller["ca.crt"] });
            assert.ok(result.error, `expected a refusal, got ${JSON.stringify(result)}`);
            assert.deepEqual(reached, []);
            const why = await call(witnessPort, { servername, ca: caller["ca.crt"] });
            assert.notEqual(why.body, "authorized");
        });

        it("refuses a client certificate of the same shape from a different CA", async () => {
            const stranger = meshPki(algorithm, hosts);
            const strangerCredential = { servername, ca: caller["ca.crt"], cert: stranger.client.certPem, key: stranger.client.keyPem };
            const result = await call(port, strangerCredential);
            assert.ok(result.error, `expected a refusal, got ${JSON.stringify(result)}`);
            assert.deepEqual(reached, []);
            // Same issuer name, different key: refused on the signature, not on a name mismatch.
            assert.equal((await call(witnessPort, strangerCredential)).body, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
        });

        it("refuses our own server certificate offered as a client certificate (allowed uses matter)", async () => {
            const serverAsClient = { servername, ca: caller["ca.crt"], cert: pki.server.certPem, key: pki.server.keyPem };
            const result = await call(port, serverAsClient);
            assert.ok(result.error, `expected a refusal, got ${JSON.stringify(result)}`);
            assert.deepEqual(reached, []);
            assert.equal((await call(witnessPort, serverAsClient)).body, "INVALID_PURPOSE");
        });

        it("lets the caller verify the gateway only with our CA", async () => {
            const stranger = meshPki(algorithm, hosts);
            const result = await call(port, { servername, ca: stranger.ca.certPem, cert: caller["tls.crt"], key: caller["tls.key"] });
            assert.ok(result.error, `a caller trusting another CA must not accept the gateway, got ${JSON.stringify(result)}`);
            const wrongName = await call(port, { servername: "not-the-gateway.example.com", ca: caller["ca.crt"], cert: caller["tls.crt"], key: caller["tls.key"] });
            assert.ok(wrongName.error, "a name the certificate does not carry must fail verification");
        });
    });
}
