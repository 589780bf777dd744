// The certificate-mode probe against the stub `ibmcloud`: the mode secret-create would choose, read
// without changing anything, so that the AlbIngress copy can carry it among its triggers and be
// replaced when IBM moves the Ingress certificate into Secrets Manager (components/ibm/alb-ingress.ts).
import { strict as assert } from "assert";
import * as path from "path";
import { parseProbedMode } from "../../../components/ibm/scripts/alb-ingress";
import { runProcess } from "../../fixtures/ibmcloud-stub/stub";
import { assertOk, copySettings, stubCluster, stubIngressSubdomain, stubScenario } from "../../support/ibm-stub-scenario";
import { scriptSession } from "../../support/ibm-scripts";

describe("alb-ingress certificate-mode (the probe behind the copy's replacement trigger)", function () {
    this.timeout(60000);
    const session = scriptSession();

    /** A cluster whose Ingress secret predates its default Secrets Manager instance (IBM shows NO_DEFAULT_INSTANCE until it is regenerated). */
    const beforeMigration = () => {
        const state = stubScenario("classic");
        state.ingressSecrets[stubCluster] = [{ name: "mesh-cluster-0000", namespace: "default", crn: "NO_DEFAULT_INSTANCE", domain: stubIngressSubdomain }];
        state.nlb[stubCluster].push({ subdomain: stubIngressSubdomain, ips: ["169.61.1.1"], secretName: "mesh-cluster-0000",
            secretNamespace: "default", secretStatus: "created" });
        return session.newStub(state);
    };

    it("reads the mode without changing anything: only `instance ls` and `secret get`", async () => {
        const stub = beforeMigration();
        const probed = await session.run(stub, "alb-ingress", "certificate-mode", copySettings());
        assertOk(probed, "certificate-mode");
        assert.deepEqual(parseProbedMode(probed.stdout), { mode: "kubernetes-copy", crn: "" });
        const ks = stub.calls().filter((call) => call.argv[0] === "ks").map((call) => call.argv.slice(0, 4).join(" "));
        assert.deepEqual([...new Set(ks)].sort(), ["ks cluster get --cluster", "ks ingress instance ls", "ks ingress secret get"]);
        assert.match(probed.stderr, /is not in Secrets Manager yet \(CRN NO_DEFAULT_INSTANCE\)/);
    });

    it("flips to secrets-manager once IBM regenerates the certificate, and the replaced copy then copies by CRN", async () => {
        const stub = beforeMigration();
        const copyBefore = await session.run(stub, "alb-ingress", "secret-create", copySettings());
        assertOk(copyBefore, "secret-create before the migration");
        assert.equal(JSON.parse(copyBefore.stdout).mode, "kubernetes-copy");

        const regenerate = await runProcess(path.join(stub.binDir, "ibmcloud"), ["ks", "nlb-dns", "secret", "regenerate", "--cluster", stubCluster,
            "--nlb-subdomain", stubIngressSubdomain], stub.environment({}), stub.workDir);
        assert.equal(regenerate.code, 0, regenerate.stdout);

        const probed = await session.run(stub, "alb-ingress", "certificate-mode", copySettings());
        assertOk(probed, "certificate-mode after regenerate");
        const mode = parseProbedMode(probed.stdout);
        assert.equal(mode.mode, "secrets-manager");
        assert.match(mode.crn, /:secrets-manager:/);

        // The replacement pulumi-command runs for the changed trigger: the stored delete (of a
        // Kubernetes copy: nothing at IBM), then the create, which now copies by CRN.
        assertOk(await session.run(stub, "alb-ingress", "secret-delete", copySettings({ PULUMI_COMMAND_STDOUT: copyBefore.stdout })), "secret-delete");
        assert.equal(stub.callsOf("ks", "ingress", "secret", "rm").length, 0);
        const copyAfter = await session.run(stub, "alb-ingress", "secret-create", copySettings());
        assertOk(copyAfter, "secret-create after the migration");
        assert.deepEqual(JSON.parse(copyAfter.stdout), { mode: "secrets-manager", name: "iks-ingress-tls", namespace: "istio-system", crn: mode.crn });
        assert.equal(stub.callsOf("ks", "ingress", "secret", "create").length, 1);
    });

    it("without a default instance, an Editor-only key probes too: no `ingress secret` call", async () => {
        const stub = session.newStub(stubScenario("classic", { instances: { [stubCluster]: [] }, denied: { "ks ingress secret": true } }));
        const probed = await session.run(stub, "alb-ingress", "certificate-mode", copySettings());
        assertOk(probed, "certificate-mode");
        assert.deepEqual(parseProbedMode(probed.stdout), { mode: "kubernetes-copy", crn: "" });
        assert.deepEqual(stub.callsOf("ks", "ingress", "secret"), []);
    });

    it("parses only the two modes", () => {
        assert.throws(() => parseProbedMode(JSON.stringify({ mode: "both" })), /unknown mode "both"/);
        assert.throws(() => parseProbedMode(""), /printed no result line with mode/);
    });
});
