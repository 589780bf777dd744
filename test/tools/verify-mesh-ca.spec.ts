// verify's `mesh-ca` check (scripts/verify/mesh-ca.ts) on real certificates made with openssl in the
// mesh CA's shape (root → intermediate → 24-hour SPIFFE workload certificate, as istiod issues from
// `cacerts`), fed through recorded kubectl and ztunnel shapes (test/fixtures/verify/README.md): decisions
// in process, then the whole script (its `main`, in process: verify.spec.ts spawns the command line) against
// stand-in pulumi and kubectl, in sidecar and in ambient mode
// (there through a stand-in `kubectl port-forward` to a local HTTP server playing ztunnel's admin port).
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parseStackConfig } from "../../components/config/parse";
import {
    MeshCaKubectl, ZtunnelDumpReader, certificatesIn, chainEndsAt, checkMeshCa, meshCaCheckId, pickAmbientWorkload, pickZtunnelPod,
    rootsOfConfigMap, sameRoots, secretsDumpCommand, stackRoots, workloadSecrets, ztunnelWorkloadCertificates,
} from "../../scripts/verify/mesh-ca";
import { readZtunnelConfigDump } from "../../scripts/verify/ztunnel-admin";
import { main as verifyMain } from "../../scripts/verify";
import { runMain } from "../support/in-process";
import { writeStandInKubectl, writeStandInPulumi } from "../support/verify-stand-ins";

const repoRoot = path.resolve(__dirname, "..", "..");
const fixtures = path.join(repoRoot, "test", "fixtures", "verify");
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name), "utf8");

interface Pki {
    dir: string;
    pem: (name: string) => string;
}

/** Two roots of one mesh (a rotation's old and new), an unrelated root, intermediates and workload certificates. */
function makePki(): Pki {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-mesh-ca-"));
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    const root = (name: string) => openssl("req", "-x509", ...ec, "-keyout", `${name}.key`, "-out", `${name}.pem`, "-subj", `/O=iks-mesh/CN=${name}`,
        "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE,pathlen:1", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    const sign = (name: string, issuer: string, subject: string, extensions: string) => {
        fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
        openssl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
        openssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${issuer}.pem`, "-CAkey", `${issuer}.key`, "-CAcreateserial", "-out", `${name}.pem`,
            "-days", "1", "-extfile", `${name}.ext`);
    };
    const intermediate = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";
    const workload = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n" +
        "subjectAltName=URI:spiffe://cluster.local/ns/wordpress/sa/wordpress\n";
    for (const name of ["root-g1", "root-g2", "other-root"]) {
        root(name);
    }
    sign("intermediate-g1", "root-g1", "/O=iks-mesh/CN=intermediate prod g1", intermediate);
    sign("intermediate-other", "other-root", "/O=elsewhere/CN=intermediate other", intermediate);
    sign("workload-g1", "intermediate-g1", "/O=cluster.local", workload);
    sign("workload-other", "intermediate-other", "/O=cluster.local", workload);
    return { dir, pem: (name) => fs.readFileSync(path.join(dir, `${name}.pem`), "utf8") };
}

const opensslPresent = spawnSync("bash", ["-c", "command -v openssl"]).status === 0;

/** What istiod hands a workload: its certificate, then cert-chain.pem (intermediate, root). */
const chainOf = (pki: Pki, workload: string, intermediate: string, root: string) => pki.pem(workload) + pki.pem(intermediate) + pki.pem(root);
const configMapWith = (roots: string) => fixture("configmap-istio-ca-root-cert.json").replace("__ROOT_CERT_PEM__", JSON.stringify(roots).slice(1, -1));
/**
 * ztunnel's `/config_dump` with the wordpress identity's certificates: one CertDump per certificate, `pem`
 * as base64 of its PEM (istio/ztunnel src/admin.rs dump_cert), the other fields as the certificate says.
 */
const ztunnelDumpWith = (chain: string, roots: string) => {
    const dumps = (pem: string) => JSON.stringify((pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? []).map((block) => {
        const certificate = new X509Certificate(block);
        return {
            pem: Buffer.from(block).toString("base64"), serialNumber: certificate.serialNumber,
            validFrom: new Date(certificate.validFrom).toISOString(), expirationTime: new Date(certificate.validTo).toISOString(),
        };
    }));
    return fixture("ztunnel-config-dump.json").replace("\"__CERT_CHAIN__\"", dumps(chain)).replace("\"__ROOT_CERTS__\"", dumps(roots));
};
const configDumpWith = (chain: string, roots: string) => fixture("config-dump-secrets.json")
    .replace("__CHAIN_BASE64__", Buffer.from(chain).toString("base64"))
    .replace("__ROOTS_BASE64__", Buffer.from(roots).toString("base64"));

describe("verify: mesh-ca", function () {
    this.timeout(60_000);
    let pki: Pki;
    before(function () {
        if (!opensslPresent) {
            this.skip();
        }
        pki = makePki();
    });
    after(() => {
        if (pki) {
            fs.rmSync(pki.dir, { recursive: true, force: true });
        }
    });
    const certs = (pem: string): X509Certificate[] => {
        const parsed = certificatesIn(pem);
        assert.ok("certificates" in parsed, JSON.stringify(parsed));
        return parsed.certificates;
    };

    it("reads a PEM bundle in order, and says when it holds nothing or garbage", () => {
        assert.deepEqual(certs(pki.pem("root-g1") + pki.pem("root-g2")).map((cert) => /CN=(.*)/.exec(cert.subject)?.[1]), ["root-g1", "root-g2"]);
        assert.deepEqual(certificatesIn("nothing"), { problem: "holds no PEM certificate" });
        assert.match((certificatesIn("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----") as { problem: string }).problem, /does not parse/);
    });

    it("compares root sets by fingerprint, whatever the order, and names what differs", () => {
        const both = certs(pki.pem("root-g1") + pki.pem("root-g2"));
        assert.equal(sameRoots(both, certs(pki.pem("root-g2") + pki.pem("root-g1"))), undefined);
        assert.match(sameRoots(both, certs(pki.pem("root-g1"))) ?? "", /^lacks root-g2 \([0-9A-F:]{11}\)$/);
        assert.match(sameRoots(certs(pki.pem("root-g1")), certs(pki.pem("other-root"))) ?? "", /^lacks root-g1 .* and has other-root .* that the stack does not$/);
    });

    it("reads the roots istiod published from a recorded ConfigMap", () => {
        const published = rootsOfConfigMap(configMapWith(pki.pem("root-g1")));
        assert.ok("certificates" in published);
        assert.equal(published.certificates[0].fingerprint256, certs(pki.pem("root-g1"))[0].fingerprint256);
        assert.deepEqual(rootsOfConfigMap("{\"data\":{}}"), { problem: "has no root-cert.pem" });
        assert.deepEqual(rootsOfConfigMap("not json"), { problem: "is not JSON" });
    });

    it("reads the workload chain and ROOTCA from a recorded config dump", () => {
        const secrets = workloadSecrets(configDumpWith(chainOf(pki, "workload-g1", "intermediate-g1", "root-g1"), pki.pem("root-g1")));
        assert.ok("chain" in secrets, JSON.stringify(secrets));
        assert.equal(secrets.chain.length, 3);
        assert.match(secrets.chain[0].subjectAltName ?? "", /spiffe:\/\/cluster\.local\/ns\/wordpress\/sa\/wordpress/);
        assert.equal(secrets.roots.length, 1);
        const empty = JSON.stringify({ configs: [] });
        assert.deepEqual(workloadSecrets(empty), { problem: "the proxy holds no workload certificate (secret default) yet" });
    });

    it("reads a workload's chain and roots from a recorded ztunnel config dump, by its exact identity", () => {
        const held = ztunnelWorkloadCertificates(ztunnelDumpWith(chainOf(pki, "workload-g1", "intermediate-g1", "root-g1"), pki.pem("root-g1")),
            "wordpress", "wordpress");
        assert.ok("chain" in held, JSON.stringify(held));
        assert.equal(held.identity, "spiffe://cluster.local/ns/wordpress/sa/wordpress");
        assert.deepEqual(held.chain.map((certificate) => certificate.fingerprint256),
            certs(chainOf(pki, "workload-g1", "intermediate-g1", "root-g1")).map((certificate) => certificate.fingerprint256));
        assert.deepEqual(held.roots.map((certificate) => certificate.fingerprint256), certs(pki.pem("root-g1")).map((certificate) => certificate.fingerprint256));
        const dump = ztunnelDumpWith(pki.pem("workload-g1"), pki.pem("root-g1"));
        assert.match((ztunnelWorkloadCertificates(dump, "bookinfo", "bookinfo-productpage") as { problem: string }).problem,
            /^its certificate for spiffe:\/\/cluster\.local\/ns\/bookinfo\/sa\/bookinfo-productpage is Initializing, not Available$/);
        assert.match((ztunnelWorkloadCertificates(dump, "httpbin", "httpbin") as { problem: string }).problem,
            /^it holds no certificate for identity spiffe:\/\/…\/ns\/httpbin\/sa\/httpbin \(it holds spiffe:\/\/cluster\.local\/ns\/bookinfo/);
        // Another namespace's identity that merely ends the same way is not the workload's.
        const lookalike = dump.replace("spiffe://cluster.local/ns/wordpress/sa/wordpress", "spiffe://cluster.local/ns/evil/ns/wordpress/sa/wordpress");
        assert.match((ztunnelWorkloadCertificates(lookalike, "wordpress", "wordpress") as { problem: string }).problem, /holds no certificate/);
        const misfiled = dump.replace("spiffe://cluster.local/ns/wordpress/sa/wordpress", "spiffe://cluster.local/ns/wordpress/sa/mysql");
        assert.deepEqual(ztunnelWorkloadCertificates(misfiled, "wordpress", "mysql"), {
            problem: "its certificate filed under spiffe://cluster.local/ns/wordpress/sa/mysql names URI:spiffe://cluster.local/ns/wordpress/sa/wordpress",
        });
        assert.deepEqual(ztunnelWorkloadCertificates("{}", "wordpress", "wordpress"), { problem: "its config dump has no certificates section" });
        assert.deepEqual(ztunnelWorkloadCertificates("<html>", "wordpress", "wordpress"), { problem: "its config dump is not JSON" });
        const empty = fixture("ztunnel-config-dump.json").replace("\"__CERT_CHAIN__\"", "[]").replace("\"__ROOT_CERTS__\"", "[]");
        assert.match((ztunnelWorkloadCertificates(empty, "wordpress", "wordpress") as { problem: string }).problem,
            /^its certificate chain for spiffe:\/\/cluster\.local\/ns\/wordpress\/sa\/wordpress holds no PEM certificate$/);
    });

    it("picks an ambient workload (not a waypoint, a finished Job or a sidecar pod) and the ztunnel on its node", () => {
        assert.deepEqual(pickAmbientWorkload(fixture("pods-wordpress-ambient.json")),
            { pod: "wordpress-v1-5d9f8b7c6d-fghij", node: "10.240.0.4", serviceAccount: "wordpress" });
        assert.deepEqual(pickAmbientWorkload(fixture("pods-wordpress-classic-sidecar.json")),
            { problem: "no running ambient workload (of 1 pods) to read a certificate for" });
        assert.equal(pickZtunnelPod(fixture("pods-ztunnel.json")), "ztunnel-7xk2p");
        assert.equal(pickZtunnelPod(JSON.stringify({ items: [] })), undefined);
    });

    it("passes a chain that ends at a stack root, and fails one under another root or with a broken link", () => {
        const roots = certs(pki.pem("root-g1") + pki.pem("root-g2"));
        const good = chainEndsAt(certs(chainOf(pki, "workload-g1", "intermediate-g1", "root-g1")), roots);
        assert.ok("root" in good && good.root.subject.includes("root-g1"));
        // Without the root in the chain, the last certificate must be signed by a stack root.
        assert.ok("root" in chainEndsAt(certs(pki.pem("workload-g1") + pki.pem("intermediate-g1")), roots));
        const foreign = chainEndsAt(certs(chainOf(pki, "workload-other", "intermediate-other", "other-root")), roots);
        assert.match((foreign as { problem: string }).problem, /ends at other-root .* not under the stack's mesh root/);
        const broken = chainEndsAt(certs(pki.pem("workload-other") + pki.pem("intermediate-g1") + pki.pem("root-g1")), roots);
        assert.match((broken as { problem: string }).problem, /certificate 1 of the chain .* is not signed by the next \(intermediate prod g1/);
    });

    it("reads the stack's bundle from the outputs without echoing them", () => {
        assert.equal((stackRoots(JSON.stringify({ meshRootCertPem: pki.pem("root-g1") })) as { certificates: X509Certificate[] }).certificates.length, 1);
        assert.deepEqual(stackRoots("{}"), { problem: "the stack has no meshRootCertPem output (run pulumi up with mesh.ca stack first)" });
        assert.doesNotMatch((stackRoots(JSON.stringify({ meshRootCertPem: "secret-looking text" })) as { problem: string }).problem, /secret-looking/);
    });

    describe("against a stand-in kubectl", () => {
        const sidecarStack = parseStackConfig({ mesh: { ca: "stack" }, bookinfo: { enabled: false }, httpbin: { enabled: false } });
        /**
         * A kubectl that answers exactly the command lines in `answers` (the rest fail like an unknown kubectl call)
         * and records every call.
         */
        function answering(answers: Readonly<Record<string, string>>): { kubectl: MeshCaKubectl; calls: string[] } {
            const calls: string[] = [];
            const kubectl: MeshCaKubectl = (args) => {
                const line = args.join(" ");
                calls.push(line);
                const answer = answers[line];
                return Promise.resolve(answer === undefined
                    ? { code: 9, stdout: "", stderr: `unexpected kubectl ${line}` }
                    : { code: 0, stdout: answer, stderr: "" });
            };
            return { kubectl, calls };
        }
        /** Answers the calls the check makes in sidecar mode. */
        function standIn(cluster: { roots: string; chain: string; proxyRoots?: string; pods?: string }): { kubectl: MeshCaKubectl; calls: string[] } {
            return answering({
                "-n wordpress get configmap istio-ca-root-cert -o json": configMapWith(cluster.roots),
                "-n wordpress get pods -o json": cluster.pods ?? fixture("pods-wordpress-classic-sidecar.json"),
                [`-n wordpress exec wordpress-v1-5d9f8b7c6d-abcde -c istio-proxy -- ${secretsDumpCommand.join(" ")}`]:
                    configDumpWith(cluster.chain, cluster.proxyRoots ?? cluster.roots),
            });
        }
        const outputs = (roots: string) => JSON.stringify({ meshRootCertPem: roots });
        /** Sidecar stacks never reach ztunnel: a call fails the test. */
        const noZtunnel: ZtunnelDumpReader = (pod) => Promise.reject(new Error(`unexpected ztunnel read of ${pod}`));

        it("passes when the namespace and the proxy trust the stack's root and the workload chains to it", async () => {
            const { kubectl, calls } = standIn({ roots: pki.pem("root-g1"), chain: chainOf(pki, "workload-g1", "intermediate-g1", "root-g1") });
            const result = await checkMeshCa(sidecarStack, outputs(pki.pem("root-g1")), kubectl, noZtunnel);
            assert.equal(result.status, "PASS", result.reason);
            assert.equal(result.id, meshCaCheckId);
            assert.match(result.reason, /^istio-ca-root-cert in wordpress holds the stack's mesh root \(root-g1 .*\); wordpress\/wordpress-v1-5d9f8b7c6d-abcde's certificate chains through 2 CA certificate\(s\) to root-g1/);
            assert.equal(calls.length, 3);
        });

        it("passes mid-rotation, when both roots are published and the workload still holds the old chain", async () => {
            const bundle = pki.pem("root-g2") + pki.pem("root-g1");
            const { kubectl } = standIn({ roots: pki.pem("root-g1") + pki.pem("root-g2"), chain: chainOf(pki, "workload-g1", "intermediate-g1", "root-g1") });
            assert.equal((await checkMeshCa(sidecarStack, outputs(bundle), kubectl, noZtunnel)).status, "PASS");
        });

        it("fails when istiod publishes its own root, when the proxy trusts another, or when the workload chains elsewhere", async () => {
            const stackRoot = outputs(pki.pem("root-g1"));
            const selfSigned = standIn({ roots: pki.pem("other-root"), chain: chainOf(pki, "workload-other", "intermediate-other", "other-root") });
            const published = await checkMeshCa(sidecarStack, stackRoot, selfSigned.kubectl, noZtunnel);
            assert.equal(published.status, "FAIL");
            assert.match(published.reason, /^ConfigMap wordpress\/istio-ca-root-cert lacks root-g1 .* and has other-root .*: istiod publishes another root than the stack's mesh root$/);
            assert.equal(selfSigned.calls.length, 1, "stops at the first difference");
            const proxy = await checkMeshCa(sidecarStack, stackRoot, standIn({
                roots: pki.pem("root-g1"), proxyRoots: pki.pem("other-root"), chain: chainOf(pki, "workload-g1", "intermediate-g1", "root-g1"),
            }).kubectl, noZtunnel);
            assert.match(proxy.reason, /proxy trusts a bundle that lacks root-g1/);
            const chain = await checkMeshCa(sidecarStack, stackRoot, standIn({
                roots: pki.pem("root-g1"), chain: chainOf(pki, "workload-other", "intermediate-other", "other-root"),
            }).kubectl, noZtunnel);
            assert.equal(chain.status, "FAIL");
            assert.match(chain.reason, /ends at other-root .* not under the stack's mesh root/);
        });

        it("fails without a sidecar pod to read", async () => {
            const noPods = standIn({ roots: pki.pem("root-g1"), chain: "", pods: JSON.stringify({ items: [] }) });
            assert.match((await checkMeshCa(sidecarStack, outputs(pki.pem("root-g1")), noPods.kubectl, noZtunnel)).reason, /no running pod with a sidecar in wordpress/);
        });

        describe("in ambient mode, through the ztunnel on the workload's node", () => {
            const ambient = parseStackConfig({ mesh: { ca: "stack" }, istio: { dataplane: "ambient" }, bookinfo: { enabled: false }, httpbin: { enabled: false } });
            const ztunnelList = "-n istio-system get pods -l app=ztunnel --field-selector spec.nodeName=10.240.0.4 -o json";
            /** The namespace's root, its ambient pods, the ztunnel on node 10.240.0.4 and what that ztunnel's admin port answers. */
            function ambientCluster(dump: string | Error, ztunnels = fixture("pods-ztunnel.json")) {
                const { kubectl, calls } = answering({
                    "-n wordpress get configmap istio-ca-root-cert -o json": configMapWith(pki.pem("root-g1")),
                    "-n wordpress get pods -o json": fixture("pods-wordpress-ambient.json"),
                    [ztunnelList]: ztunnels,
                });
                const read: ZtunnelDumpReader = (pod) => {
                    calls.push(`GET /config_dump of ${pod}`);
                    return dump instanceof Error ? Promise.reject(dump) : Promise.resolve(dump);
                };
                return { check: () => checkMeshCa(ambient, outputs(pki.pem("root-g1")), kubectl, read), calls };
            }

            it("passes when ztunnel holds the workload's chain up to the stack's root and trusts that root", async () => {
                const { check, calls } = ambientCluster(ztunnelDumpWith(chainOf(pki, "workload-g1", "intermediate-g1", "root-g1"), pki.pem("root-g1")));
                const result = await check();
                assert.equal(result.status, "PASS", result.reason);
                assert.match(result.reason, /^istio-ca-root-cert in wordpress holds the stack's mesh root \(root-g1 .*\); wordpress\/wordpress-v1-5d9f8b7c6d-fghij's certificate \(spiffe:\/\/cluster\.local\/ns\/wordpress\/sa\/wordpress, held by ztunnel ztunnel-7xk2p\) chains through 2 CA certificate\(s\) to root-g1/);
                assert.deepEqual(calls, ["-n wordpress get configmap istio-ca-root-cert -o json", "-n wordpress get pods -o json", ztunnelList,
                    "GET /config_dump of ztunnel-7xk2p"]);
            });

            it("fails on a foreign chain, on a foreign trust bundle and on a broken link", async () => {
                const foreign = await ambientCluster(ztunnelDumpWith(chainOf(pki, "workload-other", "intermediate-other", "other-root"), pki.pem("root-g1"))).check();
                assert.equal(foreign.status, "FAIL");
                assert.match(foreign.reason, /^ztunnel ztunnel-7xk2p: the chain ends at other-root .* not under the stack's mesh root$/);
                const bundle = await ambientCluster(ztunnelDumpWith(chainOf(pki, "workload-other", "intermediate-other", "other-root"), pki.pem("other-root"))).check();
                assert.match(bundle.reason, /^ztunnel ztunnel-7xk2p trusts a bundle that lacks root-g1 .* and has other-root .* that the stack does not$/);
                const broken = await ambientCluster(ztunnelDumpWith(pki.pem("workload-other") + pki.pem("intermediate-g1") + pki.pem("root-g1"), pki.pem("root-g1"))).check();
                assert.equal(broken.status, "FAIL");
                assert.match(broken.reason, /^ztunnel ztunnel-7xk2p: certificate 1 of the chain .* is not signed by the next \(intermediate prod g1/);
            });

            it("fails when ztunnel cannot be read, is absent from the node or has no certificate ready", async () => {
                const refused = await ambientCluster(new Error("kubectl port-forward to pod/ztunnel-7xk2p in istio-system exited: error: lost connection to pod")).check();
                assert.match(refused.reason, /, but could not read ztunnel ztunnel-7xk2p's \/config_dump: kubectl port-forward to pod\/ztunnel-7xk2p in istio-system exited/);
                const absent = await ambientCluster("{}", JSON.stringify({ items: [] })).check();
                assert.match(absent.reason, /, but no running ztunnel on node 10\.240\.0\.4, where wordpress\/wordpress-v1-5d9f8b7c6d-fghij runs$/);
                const initializing = ztunnelDumpWith(pki.pem("workload-g1"), pki.pem("root-g1")).replace("\"Available\"", "\"Unavailable: CA unreachable\"");
                assert.match((await ambientCluster(initializing).check()).reason,
                    /, but ztunnel ztunnel-7xk2p \(node 10\.240\.0\.4\): its certificate for spiffe:\/\/cluster\.local\/ns\/wordpress\/sa\/wordpress is Unavailable: CA unreachable, not Available$/);
            });
        });

        it("fails when the stack has no root output or the ConfigMap cannot be read", async () => {
            assert.match((await checkMeshCa(sidecarStack, "{}", standIn({ roots: "", chain: "" }).kubectl, noZtunnel)).reason, /no meshRootCertPem output/);
            const unreadable: MeshCaKubectl = () => Promise.resolve({ code: 1, stdout: "", stderr: "Error from server (NotFound): configmaps \"istio-ca-root-cert\" not found" });
            assert.match((await checkMeshCa(sidecarStack, outputs(pki.pem("root-g1")), unreadable, noZtunnel)).reason,
                /could not read ConfigMap wordpress\/istio-ca-root-cert: Error from server \(NotFound\)/);
        });
    });

    describe("ztunnel's admin reader (scripts/verify/ztunnel-admin.ts)", () => {
        /**
         * A stand-in kubectl running `script`, which prints what `kubectl port-forward` prints once it listens
         * (test/fixtures/verify/port-forward.txt) and runs until killed, or fails like it.
         */
        async function withKubectl<T>(script: string, body: (bin: string) => Promise<T>): Promise<T> {
            const bin = fs.mkdtempSync(path.join(os.tmpdir(), "verify-ztunnel-admin-"));
            fs.writeFileSync(path.join(bin, "kubectl"), `#!/bin/bash\necho "$*" >> "${bin}/kubectl.log"\n${script}\n`, { mode: 0o755 });
            const savedPath = process.env.PATH;
            process.env.PATH = `${bin}:${savedPath ?? ""}`;
            try {
                return await body(bin);
            } finally {
                process.env.PATH = savedPath;
                fs.rmSync(bin, { recursive: true, force: true });
            }
        }
        async function adminAnswering(status: number, body: string): Promise<{ port: number; close: () => void }> {
            const server = http.createServer((_request, response) => { response.writeHead(status).end(body); });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            return { port: (server.address() as AddressInfo).port, close: () => { server.close(); } };
        }

        it("forwards to the pod's port 15000 with the cluster arguments and returns the dump", async () => {
            const admin = await adminAnswering(200, "{\"certificates\":[]}");
            try {
                await withKubectl(`echo "Forwarding from 127.0.0.1:${admin.port} -> 15000"; exec sleep 30`, async (bin) => {
                    assert.equal(await readZtunnelConfigDump(["--context", "prod-cluster"], "ztunnel-7xk2p"), "{\"certificates\":[]}");
                    assert.equal(fs.readFileSync(path.join(bin, "kubectl.log"), "utf8").trim(),
                        "--context prod-cluster -n istio-system port-forward pod/ztunnel-7xk2p :15000");
                });
            } finally {
                admin.close();
            }
        });

        it("refuses an answer other than 200, and a port-forward that ends before it listens", async () => {
            const admin = await adminAnswering(404, "");
            try {
                await withKubectl(`echo "Forwarding from 127.0.0.1:${admin.port} -> 15000"; exec sleep 30`, async () => {
                    await assert.rejects(readZtunnelConfigDump([], "ztunnel-7xk2p"), /^Error: HTTP 404 from \/config_dump$/);
                });
            } finally {
                admin.close();
            }
            // kubectl's refusal for a pod not Running (kubernetes/kubectl pkg/cmd/portforward/portforward.go, RunPortForwardContext).
            await withKubectl("echo 'error: unable to forward port because pod is not running. Current status=Pending' >&2; exit 1", async () => {
                await assert.rejects(readZtunnelConfigDump([], "ztunnel-7xk2p"),
                    /kubectl port-forward to pod\/ztunnel-7xk2p in istio-system exited: error: unable to forward port because pod is not running/);
            });
        });
    });

    // A mesh.ca: istiod stack never runs it: verify.spec.ts's whole-script runs (istiod by default) count exactly their checks.
    describe("inside `npm run verify`", () => {
        /** Stand-in pulumi (a mesh.ca: stack stack, WordPress only) and kubectl answering `cases` (bash case arms) and the cluster view. */
        function standInTools(config: Record<string, unknown>, cases: (bin: string) => string[]): string {
            const bin = fs.mkdtempSync(path.join(os.tmpdir(), "verify-mesh-ca-bin-"));
            const pulumiConfig = JSON.parse(fixture("pulumi-config.json")) as Record<string, unknown>;
            for (const [key, value] of Object.entries({ mesh: { ca: "stack" }, bookinfo: { enabled: false }, httpbin: { enabled: false }, ...config })) {
                pulumiConfig[`iks-mesh:${key}`] = { value: JSON.stringify(value), objectValue: value, secret: false };
            }
            const outputsFile = { ...JSON.parse(fixture("pulumi-stack-output.json")) as Record<string, unknown>, meshRootCertPem: pki.pem("root-g1") };
            fs.writeFileSync(path.join(bin, "outputs.json"), JSON.stringify(outputsFile));
            fs.writeFileSync(path.join(bin, "config.json"), JSON.stringify(pulumiConfig));
            fs.writeFileSync(path.join(bin, "configmap.json"), configMapWith(pki.pem("root-g1")));
            // The fixture's iks section is secret (hidden in the listing): verify reads it decrypted, as verify.spec's stand-in answers.
            writeStandInPulumi(bin, { configGet: [`if [ "$3" = iks-mesh:iks ]; then echo '{"enabled":false}'; exit 0; fi; exit 2`] });
            // Only the cluster view and the mesh-ca calls answer; every other check fails on its first call, which is not under test here.
            writeStandInKubectl(bin, [`*' -n wordpress get configmap istio-ca-root-cert -o json '*) cat "${bin}/configmap.json" ;;`, ...cases(bin)]);
            return bin;
        }
        /** verify's `main` in this process (test/support/in-process.ts), the stand-ins first on PATH: verify.spec.ts spawns the command line itself. */
        function runVerify(bin: string): Promise<{ stdout: string; stderr: string }> {
            return runMain(() => verifyMain(["--stack", "prod"]), { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` }, repoRoot);
        }
        const meshCaCalls = (bin: string, pattern: RegExp) =>
            fs.readFileSync(path.join(bin, "kubectl.log"), "utf8").trim().split("\n").filter((call) => pattern.test(call));

        it("reads a sidecar's secrets with the stack's context", async () => {
            const bin = standInTools({}, (dir) => [
                `*' -n wordpress get pods -o json '*) cat "${path.join(fixtures, "pods-wordpress-classic-sidecar.json")}" ;;`,
                `*' -n wordpress exec wordpress-v1-5d9f8b7c6d-abcde -c istio-proxy -- pilot-agent request GET config_dump?resource=dynamic_active_secrets '*) cat "${dir}/dump.json" ;;`,
            ]);
            fs.writeFileSync(path.join(bin, "dump.json"), configDumpWith(chainOf(pki, "workload-g1", "intermediate-g1", "root-g1"), pki.pem("root-g1")));
            const result = await runVerify(bin);
            assert.match(result.stdout, /^PASS {2}mesh-ca +istio-ca-root-cert in wordpress holds the stack's mesh root/m, result.stdout + result.stderr);
            const calls = meshCaCalls(bin, /istio-ca-root-cert|pilot-agent/);
            assert.equal(calls.length, 2);
            for (const call of calls) {
                assert.ok(call.startsWith("--context prod-cluster "), call);
            }
            assert.ok(!result.stdout.includes("PRIVATE KEY") && !result.stdout.includes("W3JlZGFjdGVkXQ"), "prints no key material");
            fs.rmSync(bin, { recursive: true, force: true });
        });

        it("reads ztunnel's certificates through a port-forward to its admin port, with the stack's context, and closes it", async () => {
            // ztunnel's admin port, played by a local server answering GET /config_dump only (istio/ztunnel src/admin.rs).
            const requests: string[] = [];
            const admin = http.createServer((request, response) => {
                requests.push(`${request.method ?? ""} ${request.url ?? ""}`);
                if (request.url === "/config_dump") {
                    response.writeHead(200, { "content-type": "application/json" });
                    response.end(ztunnelDumpWith(chainOf(pki, "workload-g1", "intermediate-g1", "root-g1"), pki.pem("root-g1")));
                } else {
                    response.writeHead(404).end();
                }
            });
            await new Promise<void>((resolve) => admin.listen(0, "127.0.0.1", resolve));
            const adminPort = (admin.address() as AddressInfo).port;
            const bin = standInTools({ istio: { dataplane: "ambient" } }, (dir) => [
                `*' -n wordpress get pods -o json '*) cat "${path.join(fixtures, "pods-wordpress-ambient.json")}" ;;`,
                `*' -n istio-system get pods -l app=ztunnel --field-selector spec.nodeName=10.240.0.4 -o json '*) cat "${path.join(fixtures, "pods-ztunnel.json")}" ;;`,
                // What kubectl prints once the forward listens (test/fixtures/verify/port-forward.txt); it then runs until killed.
                `*' -n istio-system port-forward pod/ztunnel-7xk2p :15000 '*) echo "Forwarding from 127.0.0.1:${adminPort} -> 15000"; echo $$ > "${dir}/forward.pid"; exec sleep 60 ;;`,
            ]);
            try {
                const result = await runVerify(bin);
                assert.match(result.stdout,
                    /^PASS {2}mesh-ca +istio-ca-root-cert in wordpress holds .*; wordpress\/wordpress-v1-5d9f8b7c6d-fghij's certificate \(spiffe:\/\/cluster\.local\/ns\/wordpress\/sa\/wordpress, held by ztunnel ztunnel-7xk2p\) chains through 2 CA certificate\(s\) to root-g1/m,
                    result.stdout + result.stderr);
                assert.deepEqual(requests, ["GET /config_dump"]);
                const calls = meshCaCalls(bin, /istio-ca-root-cert|app=ztunnel|port-forward pod\/ztunnel/);
                assert.equal(calls.length, 3);
                for (const call of calls) {
                    assert.ok(call.startsWith("--context prod-cluster "), call);
                }
                // verify killed its port-forward: the stand-in's process is gone. In process, this process is its
                // parent and reaps it on the SIGCHLD that follows verify's kill, so give that a moment (an unkilled
                // stand-in sleeps 60 s, far past the wait).
                const pid = Number(fs.readFileSync(path.join(bin, "forward.pid"), "utf8"));
                const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
                for (const deadline = Date.now() + 5_000; alive() && Date.now() < deadline;) {
                    await new Promise((resolve) => setTimeout(resolve, 20));
                }
                assert.throws(() => process.kill(pid, 0), /ESRCH/);
            } finally {
                admin.close();
                fs.rmSync(bin, { recursive: true, force: true });
            }
        });
    });
});
