// Real certificates in the mesh CA's profile (components/pki/mesh-ca-spec.ts: key spec, allowed uses,
// path lengths as @pulumi/tls writes them, subjects, lifetimes, the cacerts layout), made with the
// openssl binary (.ci/run installs it), since @pulumi/tls produces none under the mock engine. Proves that
// two clusters under one root accept each other's workloads and that another root's do not.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    CacertsData, CertificateSubject, cacertsData, meshCaAllowedUses, meshCaKeySpec, meshIntermediateMaxPathLength, meshIntermediateSubject,
    meshIntermediateValidityHours, meshRootMaxPathLength, meshRootSubject, meshRootValidityHours, writtenPathLength,
} from "../../../components/pki/mesh-ca-spec";
import { AllowedUse } from "../../../components/pki/pki-spec";

/** OpenSSL's names for @pulumi/tls's key usages (terraform-provider-tls common_cert.go keyUsages). */
const opensslUsage: Partial<Record<AllowedUse, string>> = { cert_signing: "keyCertSign", crl_signing: "cRLSign", digital_signature: "digitalSignature" };

describe("mesh CA trust with real certificates (openssl)", function () {
    this.timeout(60000);
    let dir: string;
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString();

    const newKey = (name: string) => {
        assert.equal(meshCaKeySpec.ecdsaCurve, "P256");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file(`${name}.key`));
    };
    const subjectArg = (subject: CertificateSubject) => `/O=${subject.organization}/OU=${subject.organizationalUnit}/CN=${subject.commonName}`;
    const caExtensions = (name: string, maxPathLength: number) => {
        const pathLength = writtenPathLength(maxPathLength);
        fs.writeFileSync(file(`${name}.ext`), [
            "[ext]",
            `basicConstraints = critical, CA:true${pathLength === undefined ? "" : `, pathlen:${pathLength}`}`,
            `keyUsage = critical, ${meshCaAllowedUses.map((use) => opensslUsage[use]).join(", ")}`,
            "subjectKeyIdentifier = hash",
            "",
        ].join("\n"));
    };
    const days = (hours: number) => String(Math.ceil(hours / 24));

    function root(name: string, holder: string): void {
        newKey(name);
        caExtensions(name, meshRootMaxPathLength);
        openssl("req", "-x509", "-new", "-key", file(`${name}.key`), "-subj", subjectArg(meshRootSubject(holder, 1)), "-days", days(meshRootValidityHours),
            "-extensions", "ext", "-config", file(`${name}.ext`), "-out", file(`${name}.pem`));
    }
    function sign(name: string, issuer: string, subject: string, extensions: string[], validityDays: string): void {
        newKey(name);
        fs.writeFileSync(file(`${name}.ext`), ["[ext]", ...extensions, ""].join("\n"));
        openssl("req", "-new", "-key", file(`${name}.key`), "-subj", subject, "-out", file(`${name}.csr`));
        openssl("x509", "-req", "-in", file(`${name}.csr`), "-CA", file(`${issuer}.pem`), "-CAkey", file(`${issuer}.key`), "-CAcreateserial",
            "-days", validityDays, "-extfile", file(`${name}.ext`), "-extensions", "ext", "-out", file(`${name}.pem`));
    }
    function intermediate(name: string, rootName: string, cluster: string): CacertsData {
        caExtensions(name, meshIntermediateMaxPathLength);
        const ext = fs.readFileSync(file(`${name}.ext`), "utf8").split("\n").slice(1).filter(Boolean);
        sign(name, rootName, subjectArg(meshIntermediateSubject(cluster, cluster, 1)), ext, days(meshIntermediateValidityHours));
        const data = cacertsData({
            intermediateCertPem: fs.readFileSync(file(`${name}.pem`), "utf8"),
            intermediateKeyPem: fs.readFileSync(file(`${name}.key`), "utf8"),
            signingRootPem: fs.readFileSync(file(`${rootName}.pem`), "utf8"),
            trustedRootPems: [fs.readFileSync(file(`${rootName}.pem`), "utf8")],
        });
        for (const [key, value] of Object.entries(data)) {
            fs.writeFileSync(file(`${name}-${key}`), value);
        }
        return data;
    }
    /** What istiod issues from a cacerts Secret: a 24-hour workload certificate with a SPIFFE identity. */
    function workload(name: string, ca: string, namespace: string): void {
        // Istio's istiod signs with ca-cert.pem/ca-key.pem; openssl needs them under the names sign() reads.
        fs.copyFileSync(file(`${ca}-ca-cert.pem`), file(`${ca}-signer.pem`));
        fs.copyFileSync(file(`${ca}-ca-key.pem`), file(`${ca}-signer.key`));
        sign(name, `${ca}-signer`, `/O=cluster.local`, [
            "basicConstraints = critical, CA:false",
            "keyUsage = critical, digitalSignature",
            "extendedKeyUsage = serverAuth, clientAuth",
            `subjectAltName = URI:spiffe://cluster.local/ns/${namespace}/sa/default`,
        ], "1");
    }
    /** openssl verify's failure text, or "" when the chain verifies. */
    const verifyError = (leaf: string, chainOf: string, trustOf: string): string => {
        try {
            openssl("verify", "-x509_strict", "-CAfile", file(`${trustOf}-root-cert.pem`), "-untrusted", file(`${chainOf}-cert-chain.pem`), file(`${leaf}.pem`));
            return "";
        } catch (error) {
            return String((error as { stdout?: Buffer }).stdout ?? "") + String((error as { stderr?: Buffer }).stderr ?? "");
        }
    };
    const verify = (leaf: string, chainOf: string, trustOf: string): boolean => verifyError(leaf, chainOf, trustOf) === "";

    before(function () {
        try {
            execFileSync("openssl", ["version"]);
        } catch {
            // .ci/run installs openssl; a workstation without it cannot run this check, and says so.
            this.skip();
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-ca-"));
        root("root", "mesh-root-prod");
        root("other-root", "someone-else");
        intermediate("east", "root", "east");
        intermediate("west", "root", "west");
        intermediate("rogue", "other-root", "rogue");
        workload("east-app", "east", "bookinfo");
        workload("west-app", "west", "httpbin");
        workload("rogue-app", "rogue", "bookinfo");
    });
    after(() => {
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("each cluster's workloads verify against their own root-cert.pem", () => {
        assert.ok(verify("east-app", "east", "east"));
        assert.ok(verify("west-app", "west", "west"));
    });

    it("two clusters under one root cross-verify: each workload chain ends at the other's root-cert.pem", () => {
        assert.ok(verify("east-app", "east", "west"), "east's workload is trusted in west");
        assert.ok(verify("west-app", "west", "east"), "west's workload is trusted in east");
        const west = fs.readFileSync(file("west-root-cert.pem"), "utf8");
        const eastChain = new crypto.X509Certificate(fs.readFileSync(file("east-ca-cert.pem")));
        const westRoot = new crypto.X509Certificate(west);
        assert.ok(eastChain.checkIssued(westRoot) && eastChain.verify(westRoot.publicKey), "east's intermediate is signed by west's root");
    });

    it("a chain under another root does not verify", () => {
        assert.match(verifyError("rogue-app", "rogue", "east"), /self-signed certificate in certificate chain|unable to get (local )?issuer certificate/);
        const rogue = new crypto.X509Certificate(fs.readFileSync(file("rogue-ca-cert.pem")));
        const eastRoot = new crypto.X509Certificate(fs.readFileSync(file("east-root-cert.pem")));
        assert.equal(rogue.verify(eastRoot.publicKey), false);
    });

    it("cert-chain.pem is the intermediate followed by its root", () => {
        const chain = fs.readFileSync(file("east-cert-chain.pem"), "utf8").match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
        assert.equal(chain.length, 2);
        const [first, second] = chain.map((pem) => new crypto.X509Certificate(pem));
        assert.match(first.subject, /intermediate east/);
        assert.ok(first.checkIssued(second));
        assert.equal(second.subject, second.issuer, "the second is the self-signed root");
    });

    it("a CA minted under a leaked intermediate is refused: the root's path length 1 holds where @pulumi/tls cannot write 0", () => {
        fs.copyFileSync(file("east-ca-cert.pem"), file("east-signer.pem"));
        fs.copyFileSync(file("east-ca-key.pem"), file("east-signer.key"));
        sign("minted", "east-signer", "/CN=minted CA", ["basicConstraints = critical, CA:true", "keyUsage = critical, keyCertSign"], "30");
        fs.copyFileSync(file("minted.pem"), file("minted-signer.pem"));
        fs.copyFileSync(file("minted.key"), file("minted-signer.key"));
        sign("minted-app", "minted-signer", "/O=cluster.local", ["basicConstraints = critical, CA:false", "subjectAltName = URI:spiffe://cluster.local/ns/x/sa/y"], "1");
        fs.writeFileSync(file("minted-cert-chain.pem"), fs.readFileSync(file("minted.pem"), "utf8") + fs.readFileSync(file("east-cert-chain.pem"), "utf8"));
        assert.match(verifyError("minted-app", "minted", "east"), /path length constraint exceeded/);
    });
});
