// The IKS command scripts run for real, with node, against a stub `ibmcloud` on PATH that answers
// with IBM's documented JSON shapes: what `pulumi up` and `pulumi destroy` would make them do. This file:
// failures: waits and timeouts, retries, A0007 denials, and destroys that always finish (prompts, a gone cluster, skipped cleanup, signals).
// (The scripts specs are split so that mocha's parallel workers share them; shared helpers in
// test/support/ibm-scripts.ts.)
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseResult } from "../../../components/ibm/scripts/nlb-dns";
import { projectRoot, runProcess } from "../../fixtures/ibmcloud-stub/stub";
import {
    apiKey, assertFails, assertOk, cliSettings, cluster, gatewayIp, itRecordsNoApiKey, nlbSettings, ours, scenario, scriptSession,
} from "../../support/ibm-scripts";

describe("IKS scripts against a stub ibmcloud: waits, retries, denials and destroys that finish", function () {
    this.timeout(60000);
    const session = scriptSession();
    const { newStub, run } = session;

    describe("nlb-dns waiting, retries and timeouts", () => {
        it("waits through several pending listings until the certificate is created", async () => {
            const stub = newStub(scenario("classic", { certificateReadyAfterPolls: 5 }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(result, "create");
            assert.match(result.stderr, /waiting for the certificate of .* \(status creating\)/);
            assert.ok(stub.callsOf("ks", "nlb-dns", "ls").length >= 6);
        });

        it("times out with a clear error when the certificate is never issued, keeping the registration", async () => {
            const stub = newStub(scenario("classic", { certificateReadyAfterPolls: null }));
            const started = Date.now();
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic", { NLB_DNS_TIMEOUT_SECONDS: "0.5" }));
            assertFails(result, /Timed out after \d+s waiting for the TLS certificate of NLB subdomain \S+ \(secret \S+, status creating/);
            assert.match(result.stderr, /raise iks\.dnsTimeoutSeconds/);
            assert.ok(Date.now() - started < 15000, "the timeout bounds the wait");
            assert.equal(ours(stub, { ip: gatewayIp }).length, 1, "the registration stays, for the next run to adopt");
        });

        it("retries transient CLI failures with backoff", async () => {
            const stub = newStub(scenario("classic", { failures: { "ks nlb-dns ls": 2, "ks cluster get": 1 } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(result, "create");
            assert.match(result.stderr, /ibmcloud ks nlb-dns ls failed \(try 1\/5\), retrying/);
            assert.match(result.stderr, /try 2\/5/);
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1);
        });

        it("gives up after a bounded number of tries, naming the last error", async () => {
            const stub = newStub(scenario("classic", { failures: { "ks nlb-dns ls": 50 } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic", { IBMCLOUD_RETRY_ATTEMPTS: "3" }));
            assertFails(result, /ibmcloud ks nlb-dns ls failed 3 times; last error: .*Internal Server Error/);
            assert.equal(stub.callsOf("ks", "nlb-dns", "ls").length, 3);
        });

        it("trusts the listing over the exit status of `nlb-dns create` (no duplicate registration)", async () => {
            const stub = newStub(scenario("classic", { createExitCode: 1 }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(result, "create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1);
            assert.equal(ours(stub, { ip: gatewayIp }).length, 1);
        });
    });

    describe("destroy finishes (`nlb-dns secret rm -f`)", () => {
        it("the stub prompts for `nlb-dns secret rm` without -f and, with stdin closed, fails as the CLI does", async () => {
            const state = scenario("classic");
            state.nlb[cluster].push({ subdomain: "mesh-cluster-0005.us-south.stg.containers.appdomain.cloud", ips: [], secretName: "mesh-cluster-0005",
                secretNamespace: "istio-system", secretStatus: "created" });
            const stub = newStub(state);
            const env = stub.environment({});
            const args = ["ks", "nlb-dns", "secret", "rm", "--cluster", cluster, "--nlb-subdomain", "mesh-cluster-0005.us-south.stg.containers.appdomain.cloud"];
            // stdin closed, as the scripts spawn the CLI (and as pulumi-command runs a command with no stdin input).
            const prompted = spawnSync(path.join(stub.binDir, "ibmcloud"), args, { env, cwd: stub.workDir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", timeout: 20000 });
            assert.notEqual(prompted.status, 0);
            assert.match(prompted.stdout, /\[y\/N\]> FAILED\nCould not read from input: EOF/);
            assert.equal(stub.state().nlb[cluster][1].secretStatus, "created", "nothing was deleted");
            const forced = await runProcess(path.join(stub.binDir, "ibmcloud"), [...args, "-f"], env, stub.workDir);
            assert.equal(forced.code, 0, forced.stdout);
            assert.equal(stub.state().nlb[cluster][1].secretStatus, "deleted");
        });

        it("destroy → up on the same cluster registers a subdomain of its own, never the one whose certificate it deleted", async () => {
            const stub = newStub(scenario("classic", { certificateReadyAfterPolls: 0 }));
            const first = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(first, "create");
            assertOk(await run(stub, "nlb-dns", "delete", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: first.stdout })), "destroy");
            const again = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(again, "up after destroy");
            assert.notEqual(parseResult(again.stdout).subdomain, parseResult(first.stdout).subdomain);
            const [registered] = ours(stub, { ip: gatewayIp });
            assert.equal(registered.secretStatus, "created");
        });
    });

    describe("denials as IBM words them (A0007)", () => {
        it("VPC: a denied `nlb-dns create` is not retried until iks.dnsTimeoutSeconds", async () => {
            const stub = newStub(scenario("vpc", { denied: { "ks nlb-dns create": true } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("vpc", { NLB_DNS_TIMEOUT_SECONDS: "600" }));
            assertFails(result, /A0007.*Editor platform access role/);
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1);
        });

        it("a denied delete stops at once (no retries), naming Editor", async () => {
            const stub = newStub(scenario("classic"));
            const first = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(first, "create");
            stub.setState({ ...stub.state(), denied: { "ks nlb-dns rm": true } });
            const result = await run(stub, "nlb-dns", "delete", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: first.stdout }));
            assertFails(result, /A0007.*Editor platform access role/);
            assert.equal(stub.callsOf("ks", "nlb-dns", "rm").length, 1);
        });

        it("`nlb-dns ls` needs Editor too", async () => {
            const stub = newStub(scenario("classic", { denied: { "ks nlb-dns ls": true } }));
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic")), /A0007.*Editor platform access role/);
            assert.equal(stub.callsOf("ks", "nlb-dns", "ls").length, 1);
        });
    });

    describe("destroy that always finishes (#22)", () => {
        const goneCluster = () => {
            const state = scenario("classic");
            state.clusters = {};
            return newStub(state);
        };
        const recorded = JSON.stringify({ subdomain: "mesh-cluster-0003.us-south.stg.containers.appdomain.cloud", secretName: "mesh-cluster-0003",
            secretNamespace: "istio-system", address: gatewayIp });

        it("with the cluster gone, a delete fails naming the way out", async () => {
            const stub = goneCluster();
            assertFails(await run(stub, "nlb-dns", "delete", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: recorded })),
                /could not be found.*IKS_MESH_SKIP_CLOUD_CLEANUP=true pulumi destroy/);
        });

        it("IKS_MESH_SKIP_CLOUD_CLEANUP=true: both deletes succeed without any ibmcloud call, logging what is left and the commands", async () => {
            const stub = goneCluster();
            const nlb = await run(stub, "nlb-dns", "delete", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: recorded, IKS_MESH_SKIP_CLOUD_CLEANUP: "true" }));
            assertOk(nlb, "nlb-dns delete");
            assert.match(nlb.stderr, new RegExp("Left behind if the cluster still exists: NLB subdomain mesh-cluster-0003\\S+ with 169\\.61\\.20\\.30 .*" +
                "ibmcloud ks nlb-dns rm classic --cluster mesh-cluster --ip 169\\.61\\.20\\.30 --nlb-host mesh-cluster-0003\\S+ && " +
                "ibmcloud ks nlb-dns secret rm --cluster mesh-cluster --nlb-subdomain mesh-cluster-0003\\S+ -f"));
            const copy = await run(stub, "alb-ingress", "secret-delete", cliSettings({
                ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_TARGET_SECRET: "iks-ingress-tls", ALB_TARGET_NAMESPACE: "istio-system",
                IKS_MESH_SKIP_CLOUD_CLEANUP: "true",
                PULUMI_COMMAND_STDOUT: JSON.stringify({ mode: "secrets-manager", name: "iks-ingress-tls", namespace: "istio-system", crn: "crn:v1:x" }),
            }));
            assertOk(copy, "secret-delete");
            assert.match(copy.stderr, /Ingress secret istio-system\/iks-ingress-tls .*ibmcloud ks ingress secret rm --cluster mesh-cluster --name iks-ingress-tls --namespace istio-system/);
            assert.deepEqual(stub.calls(), [], "no ibmcloud call");
        });

        it("a delete prefers the API key of the current environment to the stored one, and says so", async () => {
            const stub = newStub(scenario("classic", { certificateReadyAfterPolls: 0 }));
            const first = await run(stub, "nlb-dns", "create", nlbSettings("classic", { IKS_MESH_API_KEY: apiKey }, false));
            assertOk(first, "create with the stored key");
            // The stored key was revoked since; the operator exports the new one.
            const removal = await run(stub, "nlb-dns", "delete", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: first.stdout, IKS_MESH_API_KEY: "revoked-key-0000" }));
            assertOk(removal, "delete with the current key");
            assert.match(removal.stderr, /IBMCLOUD_API_KEY in this environment differs from the key stored with this command at the last pulumi up; deleting with the one from the environment/);
            assert.ok(!removal.stderr.includes("revoked-key-0000"));
            // An up keeps the stack's key.
            const up = await run(stub, "nlb-dns", "create", nlbSettings("classic", { IKS_MESH_API_KEY: "revoked-key-0000" }));
            assertFails(up, /Unable to authenticate/);
            assert.match(up.stderr, /differs from the stack's iks\.apiKey; using iks\.apiKey/);
        });

        for (const signal of ["SIGTERM", "SIGINT"] as const) {
            it(`${signal}: the run's CLI home (its login tokens) is removed before the script exits`, async () => {
                const stub = newStub(scenario("classic", { certificateReadyAfterPolls: null }));
                const env = stub.environment(nlbSettings("classic", { NLB_DNS_TIMEOUT_SECONDS: "60" }));
                const child = spawn(process.execPath, ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", path.join(projectRoot, "components", "ibm", "scripts", "run.ts"),
                    "nlb-dns", "create"], { env, cwd: stub.workDir, stdio: ["ignore", "pipe", "pipe"] });
                const runs = path.join(stub.workDir, ".ibmcloud", "dev", "runs");
                let stderr = "";
                child.stderr.on("data", (chunk) => { stderr += chunk; });
                while (!stderr.includes("waiting for the certificate")) {
                    await new Promise((resolve) => setTimeout(resolve, 50));
                }
                assert.equal(fs.readdirSync(runs).length, 1, "the run has its home");
                const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
                child.kill(signal);
                assert.equal(await exited, 128 + (signal === "SIGTERM" ? 15 : 2));
                assert.deepEqual(fs.readdirSync(runs), []);
            });
        }

        it("SIGKILL (how pulumi-command stops a cancelled command): the next run removes the dead run's home at once", async () => {
            const stub = newStub(scenario("classic", { certificateReadyAfterPolls: null }));
            const env = stub.environment(nlbSettings("classic", { NLB_DNS_TIMEOUT_SECONDS: "60" }));
            const child = spawn(process.execPath, ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", path.join(projectRoot, "components", "ibm", "scripts", "run.ts"),
                "nlb-dns", "create"], { env, cwd: stub.workDir, stdio: ["ignore", "pipe", "pipe"] });
            let stderr = "";
            child.stderr.on("data", (chunk) => { stderr += chunk; });
            while (!stderr.includes("waiting for the certificate")) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            const runs = path.join(stub.workDir, ".ibmcloud", "dev", "runs");
            const [killedHome] = fs.readdirSync(runs);
            await new Promise((resolve) => { child.on("exit", resolve); child.kill("SIGKILL"); });
            assert.deepEqual(fs.readdirSync(runs), [killedHome], "SIGKILL leaves it behind");
            stub.updateState((state) => ({ ...state, certificateReadyAfterPolls: 0 }));
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic")), "next run");
            assert.deepEqual(fs.readdirSync(runs), [], "the dead run's home went with the next run");
        });
    });

    describe("the API key never leaks", () => {
        itRecordsNoApiKey(session, 10);
        it("is redacted even when the CLI itself echoes it in an error", async () => {
            const stub = newStub(scenario("classic", { validApiKey: "some-other-key" }));
            // A stand-in CLI that prints the key it was given, as a careless CLI error might.
            const stubCli = path.join(stub.dir, "stub-ibmcloud");
            fs.renameSync(path.join(stub.binDir, "ibmcloud"), stubCli);
            fs.writeFileSync(path.join(stub.binDir, "ibmcloud"),
                `#!/bin/sh\nif [ "$1" = login ]; then echo "FAILED: API key $IBMCLOUD_API_KEY is invalid"; exit 1; fi\nexec "${stubCli}" "$@"\n`, { mode: 0o755 });
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic", { IBMCLOUD_RETRY_ATTEMPTS: "2" }));
            assertFails(result, /API key \[redacted\] is invalid/);
            assert.ok(!result.stderr.includes(apiKey));
        });
    });
});
