// verify's IKS part (scripts/verify/iks-*.ts) against the stub `ibmcloud`: each check's decision, and
// that it calls only read-only commands (ls/get) with the operator's key, never the stack's.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig } from "../../components/config/parse";
import { IbmCloud } from "../../components/ibm/scripts/ibmcloud";
import { main as verifyMain } from "../../scripts/verify";
import { verifyCliSettings } from "../../scripts/verify/iks-cli";
import { rawConfigFromPulumiJson, revealSection } from "../../scripts/verify/stack-data";
import { checkIngressSecret } from "../../scripts/verify/iks-ingress-secret";
import { checkLbBackend, keyPaths } from "../../scripts/verify/iks-lb-backend";
import { checkNlbSubdomain } from "../../scripts/verify/iks-nlb-subdomain";
import { IbmCloudStub, StubState } from "../fixtures/ibmcloud-stub/stub";
import { stubApiKey, stubCluster, stubScenario } from "../support/ibm-stub-scenario";
import { scriptSession } from "../support/ibm-scripts";
import { runMain } from "../support/in-process";
import { writeStandInKubectl, writeStandInPulumi } from "../support/verify-stand-ins";

const ours = { subdomain: "mesh-cluster-0001.us-south.stg.containers.appdomain.cloud", secretName: "mesh-cluster-0001", secretNamespace: "istio-system" };
const gatewayIp = "169.61.20.30";

/** The read-only verbs of the ibmcloud ks commands verify may call. */
const readOnly = (stub: IbmCloudStub) => stub.calls().filter((call) => call.argv[0] === "ks")
    .every((call) => ["ls", "get"].includes(call.argv.slice(1).find((word) => ["ls", "get", "create", "rm", "update", "add", "replace", "regenerate", "register"].includes(word)) ?? ""));

describe("verify: IKS checks against the stub ibmcloud", function () {
    this.timeout(60000);
    const session = scriptSession();

    const cliFor = (stub: IbmCloudStub, infrastructure: "classic" | "vpc" = "classic") => {
        const config = parseStackConfig({ iks: { enabled: true, cluster: stubCluster, region: "us-south", infrastructure } });
        const settings = verifyCliSettings(config.iks, "dev", { IBMCLOUD_API_KEY: stubApiKey, IBMCLOUD_RETRY_BASE_SECONDS: "0.01" });
        assert.ok(!("problem" in settings));
        const logged: string[] = [];
        const cli = new IbmCloud(settings, { env: stub.environment({}), cwd: stub.workDir, log: (message) => logged.push(message) });
        return { cli, logged };
    };
    const withOurs = (state: StubState, status: "created" | "deleted" | "creating" = "created", ips = [gatewayIp]) => {
        state.nlb[stubCluster].push({ ...ours, ips, secretStatus: status });
        return session.newStub(state);
    };

    describe("iks-nlb-subdomain", () => {
        it("passes for the recorded subdomain with the gateway's address and a created certificate, with `nlb-dns ls` only", async () => {
            const stub = withOurs(stubScenario("classic"));
            const { cli } = cliFor(stub);
            try {
                const result = await checkNlbSubdomain(cli, { subdomain: ours.subdomain, secretNamespace: "istio-system", address: gatewayIp });
                assert.equal(result.status, "PASS", result.reason);
                assert.deepEqual(stub.callsOf("ks", "nlb-dns").map((call) => call.argv), [["ks", "nlb-dns", "ls", "--cluster", stubCluster, "--output", "json"]]);
                assert.ok(readOnly(stub));
                assert.ok(stub.calls().filter((call) => call.argv[0] === "login").every((call) => call.apiKeyInEnvironment), "logs in with the operator's key");
            } finally {
                cli.close();
            }
        });

        it("fails for a deleted certificate, a moved address, a certificate in another namespace, and a subdomain IBM no longer lists", async () => {
            const cases: [StubState, Parameters<typeof checkNlbSubdomain>[1], RegExp][] = [
                [stubScenario("classic"), { subdomain: ours.subdomain, secretNamespace: "istio-system", address: gatewayIp }, /not among the NLB subdomains.*run pulumi up/],
            ];
            const deleted = withOurs(stubScenario("classic"), "deleted");
            const moved = withOurs(stubScenario("classic"), "created", ["169.61.20.99"]);
            const elsewhere = withOurs(stubScenario("classic"));
            const checks: [IbmCloudStub, Parameters<typeof checkNlbSubdomain>[1], RegExp][] = [
                [session.newStub(cases[0][0]), cases[0][1], cases[0][2]],
                [deleted, { subdomain: ours.subdomain, secretNamespace: "istio-system", address: gatewayIp }, /status deleted.*nlb-dns secret regenerate/],
                [moved, { subdomain: ours.subdomain, secretNamespace: "istio-system", address: gatewayIp }, /lists 169\.61\.20\.99, not the gateway's load balancer 169\.61\.20\.30/],
                [elsewhere, { subdomain: ours.subdomain, secretNamespace: "mesh-gateway", address: gatewayIp }, /in namespace istio-system, not in the gateway's mesh-gateway/],
            ];
            for (const [stub, recorded, pattern] of checks) {
                const { cli } = cliFor(stub);
                try {
                    const result = await checkNlbSubdomain(cli, recorded);
                    assert.equal(result.status, "FAIL", result.reason);
                    assert.match(result.reason, pattern);
                    assert.ok(readOnly(stub));
                } finally {
                    cli.close();
                }
            }
        });
    });

    describe("iks-ingress-secret", () => {
        const certificates = (values: Record<string, string>) => (namespace: string, name: string) => Promise.resolve(values[`${namespace}/${name}`]);

        it("Secrets Manager: passes when the stack's copy by CRN exists under the source's CRN, fails (run pulumi up) when it does not", async () => {
            const state = stubScenario("classic");
            const crn = state.ingressSecrets[stubCluster][0].crn;
            state.ingressSecrets[stubCluster].push({ name: "iks-ingress-tls", namespace: "istio-system", crn });
            for (const [stub, status, pattern] of [
                [session.newStub(state), "PASS", /IBM's copy by CRN of default\/mesh-cluster-0000/],
                [session.newStub(stubScenario("classic")), "FAIL", /has no Ingress secret istio-system\/iks-ingress-tls copied by its CRN.*run pulumi up/],
            ] as const) {
                const { cli } = cliFor(stub);
                try {
                    const result = await checkIngressSecret(cli, { albEnabled: true, gatewayNamespace: "istio-system", readCertificate: certificates({}) });
                    assert.equal(result.status, status, result.reason);
                    assert.match(result.reason, pattern);
                    assert.ok(readOnly(stub));
                } finally {
                    cli.close();
                }
            }
        });

        it("Kubernetes copy: passes while the copy holds IBM's current certificate, fails once IBM renewed it; an Editor-only key makes no `ingress secret` call", async () => {
            const stub = session.newStub(stubScenario("classic", { instances: { [stubCluster]: [] }, denied: { "ks ingress secret": true } }));
            const { cli } = cliFor(stub);
            try {
                const current = await checkIngressSecret(cli, { albEnabled: true, gatewayNamespace: "istio-system",
                    readCertificate: certificates({ "default/mesh-cluster-0000": "Y2VydC0x", "istio-system/iks-ingress-tls-copy": "Y2VydC0x" }) });
                assert.equal(current.status, "PASS", current.reason);
                const renewed = await checkIngressSecret(cli, { albEnabled: true, gatewayNamespace: "istio-system",
                    readCertificate: certificates({ "default/mesh-cluster-0000": "Y2VydC0y", "istio-system/iks-ingress-tls-copy": "Y2VydC0x" }) });
                assert.equal(renewed.status, "FAIL");
                assert.match(renewed.reason, /differs from default\/mesh-cluster-0000: IBM renewed the certificate since the last pulumi up/);
                const missing = await checkIngressSecret(cli, { albEnabled: true, gatewayNamespace: "istio-system",
                    readCertificate: certificates({ "default/mesh-cluster-0000": "Y2VydC0x" }) });
                assert.match(missing.reason, /iks-ingress-tls-copy is missing: run pulumi up/);
                assert.deepEqual(stub.callsOf("ks", "ingress", "secret"), []);
            } finally {
                cli.close();
            }
        });

        it("is skipped without the ALB path, with no ibmcloud call", async () => {
            const stub = session.newStub(stubScenario("classic"));
            const { cli } = cliFor(stub);
            const result = await checkIngressSecret(cli, { albEnabled: false, gatewayNamespace: "istio-system", readCertificate: certificates({}) });
            cli.close();
            assert.equal(result.status, "SKIP");
            assert.deepEqual(stub.calls(), []);
        });
    });

    describe("iks-lb-backend", () => {
        it("VPC, the published answer (cluster, type, proxyProtocol): SKIP naming the keys IBM answered, since no source names the backend field", async () => {
            const state = stubScenario("vpc");
            state.clusters[stubCluster].albs = [{ albID: "public-crc0ffee-alb2", albBuild: "3.4.1_6012_iks", enable: true }];
            const stub = session.newStub(state);
            const { cli } = cliFor(stub, "vpc");
            try {
                const result = await checkLbBackend(cli, { infrastructure: "vpc", albEnabled: true, ingressClass: "public-iks-traefik" });
                assert.equal(result.status, "SKIP");
                assert.match(result.reason, /names no backend \(its keys: cluster, type, proxyProtocol\.enable\).*issue #24/);
                assert.deepEqual(stub.callsOf("ks", "ingress", "load-balancer").map((call) => call.argv),
                    [["ks", "ingress", "load-balancer", "get", "--cluster", stubCluster, "--output", "json"]]);
            } finally {
                cli.close();
            }
        });

        it("VPC, an answer that names the backend (hypothetical key): fails when it is not the class's controller", async () => {
            const state = stubScenario("vpc");
            state.clusters[stubCluster].publicBackend = "nginx";
            const stub = session.newStub(state);
            const { cli } = cliFor(stub, "vpc");
            try {
                const result = await checkLbBackend(cli, { infrastructure: "vpc", albEnabled: true, ingressClass: "public-iks-traefik" });
                assert.equal(result.status, "FAIL");
                assert.match(result.reason, /forwards to the nginx ALBs.*--public-backend traefik/);
            } finally {
                cli.close();
            }
        });

        it("classic: skipped without a call", async () => {
            const stub = session.newStub(stubScenario("classic"));
            const { cli } = cliFor(stub);
            const result = await checkLbBackend(cli, { infrastructure: "classic", albEnabled: true, ingressClass: "public-iks-traefik" });
            cli.close();
            assert.equal(result.status, "SKIP");
            assert.deepEqual(stub.calls(), []);
        });

        it("shows an answer's shape as key paths, without its values", () => {
            assert.deepEqual(keyPaths({ cluster: "c", proxyProtocol: { enable: false, cidr: ["10.0.0.0/8"] }, list: [{ a: 1 }, { a: 2, b: 3 }] }),
                ["cluster", "proxyProtocol.enable", "proxyProtocol.cidr[]", "list[].a", "list[].b"]);
        });
    });

    it("reads a secret iks section decrypted, dropping the stack's API key at once", () => {
        const input = rawConfigFromPulumiJson(JSON.stringify({ "iks-mesh:iks": { secret: true }, "kubernetes:context": { value: "prod" } }));
        assert.deepEqual(input.hiddenSections, ["iks"]);
        const revealed = revealSection(input, "iks", `${JSON.stringify({ enabled: true, cluster: stubCluster, region: "us-south", apiKey: "stack-key" })}\n`);
        assert.deepEqual(revealed.raw.iks, { enabled: true, cluster: stubCluster, region: "us-south" });
        assert.deepEqual(revealed.hiddenSections, []);
        assert.ok(!JSON.stringify(revealed).includes("stack-key"));
        assert.throws(() => revealSection(input, "iks", "[secret]"), /did not print an object/);
    });

    it("verify on an IKS stack runs the three checks, as the operator, read-only (stand-in pulumi and kubectl, stub ibmcloud)", async function () {
        this.timeout(120000);
        const state = stubScenario("classic", { instances: { [stubCluster]: [] } });
        const stub = withOurs(state);
        const bin = path.join(stub.dir, "stand-ins");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "outputs.json"), JSON.stringify({ gatewayNamespace: "istio-system", gatewayService: "istio-ingressgateway", nlbSubdomain: ours.subdomain }));
        fs.writeFileSync(path.join(bin, "config.json"), JSON.stringify({ "iks-mesh:iks": { secret: true }, "kubernetes:context": { value: "prod-cluster", secret: false } }));
        writeStandInPulumi(bin, { configGet: [
            `[ "$3" = iks-mesh:iks ] || exit 4; echo '{"enabled":true,"cluster":"${stubCluster}","region":"us-south","apiKey":"stack-key-never-used"}'`,
        ] });
        writeStandInKubectl(bin, [
            `*' -n istio-system get service istio-ingressgateway -o json '*) echo '{"status":{"loadBalancer":{"ingress":[{"ip":"${gatewayIp}"}]}}}' ;;`,
            "*' -n default get secret mesh-cluster-0000 '*|*' -n istio-system get secret iks-ingress-tls-copy '*) echo -n Y2VydA== ;;",
        ]);
        const env = { ...stub.environment({ IBMCLOUD_API_KEY: stubApiKey }), PATH: `${bin}:${stub.binDir}:${path.dirname(process.execPath)}:/usr/bin:/bin` };
        // verify's main in this process (test/support/in-process.ts), run in a project directory of its own
        // (the stack's CLI home lands there); verify.spec.ts spawns the command line itself.
        const result = await runMain(() => verifyMain(["--stack", "prod", "--via", "port-forward"]), env, stub.workDir);
        const lines = result.stdout.split("\n");
        const line = (id: string) => lines.find((candidate) => new RegExp(`^(PASS|FAIL|SKIP)  ${id} `).test(candidate)) ?? `(no ${id} line)\n${result.stdout}${result.stderr}`;
        assert.match(line("iks-nlb-subdomain"), /^PASS .*lists 169\.61\.20\.30, certificate mesh-cluster-0001 created in istio-system/);
        assert.match(line("iks-ingress-secret"), /^PASS .*no default Secrets Manager instance: the stack's Kubernetes copy istio-system\/iks-ingress-tls-copy holds IBM's current certificate/);
        assert.match(line("iks-lb-backend"), /^SKIP .*classic/);
        assert.ok(readOnly(stub), JSON.stringify(stub.calls().map((call) => call.argv)));
        assert.ok(stub.callsOf("login").length > 0 && stub.callsOf("login").every((call) => call.outcome === "ok"), "logged in with the operator's key (the stub accepts no other)");
        assert.ok(!`${result.stdout}${result.stderr}${stub.recordedText()}`.includes("stack-key-never-used"));
        assert.deepEqual(fs.readdirSync(path.join(stub.workDir, ".ibmcloud", "prod", "runs")), [], "the run's CLI home is gone");
    });

    it("verify uses the operator's key and the stack's CLI home, never the stack's own secret key", () => {
        const config = parseStackConfig({ iks: { enabled: true, cluster: stubCluster, region: "us-south" } });
        const settings = verifyCliSettings(config.iks, "prod", { IBMCLOUD_API_KEY: "operator-key", IKS_MESH_API_KEY: "stored-key" });
        assert.ok(!("problem" in settings));
        assert.equal(settings.apiKey, "operator-key");
        assert.equal(settings.stackHome, ".ibmcloud/prod");
        assert.deepEqual(verifyCliSettings(parseStackConfig({}).iks, "dev", {}), { problem: "iks.enabled is false" });
    });
});
