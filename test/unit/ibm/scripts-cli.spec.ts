// The IKS command scripts run for real, with node, against a stub `ibmcloud` on PATH that answers
// with IBM's documented JSON shapes: what `pulumi up` and `pulumi destroy` would make them do. This file:
// how the scripts drive the CLI: IAM roles, resource groups and logins, parallel runs and their CLI homes, prerequisites, the environment of every call, and the Node version check.
// (The scripts specs are split so that mocha's parallel workers share them; shared helpers in
// test/support/ibm-scripts.ts.)
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { scriptCommand } from "../../../components/ibm/ibmcloud-cli";
import { parseResult } from "../../../components/ibm/scripts/nlb-dns";
import { IbmCloudStub, projectRoot, runProcess } from "../../fixtures/ibmcloud-stub/stub";
import {
    apiKey, assertFails, assertOk, cliSettings, cluster, crnCopySettings, gatewayHostname, itRecordsNoApiKey, nlbSettings, scenario, scriptSession,
} from "../../support/ibm-scripts";

describe("IKS scripts against a stub ibmcloud: the CLI: logins, homes, prerequisites and the Node check", function () {
    this.timeout(60000);
    const session = scriptSession();
    const { runs, newStub, run } = session;

    describe("IAM, resource groups and logins", () => {
        it("a missing IAM role fails at once, naming the role: Editor for nlb-dns", async () => {
            const stub = newStub(scenario("classic", { denied: { "ks nlb-dns create": true } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertFails(result, /\(A0007\)\. IBM refused the call: .*lacks the Editor platform access role for the cluster.*context-based restriction.*Fix: assign the role in IBM Cloud IAM/);
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1, "not retried");
        });

        it("a missing IAM role fails at once, naming the role: Administrator for ingress secret", async () => {
            const stub = newStub(scenario("classic", { denied: { "ks ingress secret create": true } }));
            const result = await run(stub, "alb-ingress", "secret-create", crnCopySettings());
            assertFails(result, /lacks the Administrator platform access role for the cluster/);
            assert.equal(stub.callsOf("ks", "ingress", "secret", "create").length, 1, "not retried");
        });

        it("an expired login logs in again and carries on", async () => {
            const stub = newStub(scenario("classic", { failures: { "ks nlb-dns ls": { count: 1, message: "Not logged in. Use 'ibmcloud login' to log in." } } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(result, "create");
            assert.equal(stub.callsOf("login").length, 2);
            assert.match(result.stderr, /the login is gone; logging in again/);
        });

        it("access through a resource group: without iks.resourceGroup the cluster is not visible, and the error says to set it", async () => {
            const state = scenario("classic", { resourceGroups: ["default", "mesh-rg"] });
            state.clusters[cluster].resourceGroup = "mesh-rg";
            const stub = newStub(state);
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic")),
                /could not be found.*set iks\.resourceGroup \(pulumi config set --path iks\.resourceGroup <group>\)/);
        });

        it("access through a resource group: iks.resourceGroup is targeted at login (`-g`)", async () => {
            const state = scenario("classic", { resourceGroups: ["default", "mesh-rg"] });
            state.clusters[cluster].resourceGroup = "mesh-rg";
            const stub = newStub(state);
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic", { IKS_RESOURCE_GROUP: "mesh-rg" })), "create");
            assert.deepEqual(stub.callsOf("login")[0].argv, ["login", "-r", "us-south", "-g", "mesh-rg", "-q"]);
        });

        it("with the operator's own login, a resource group other than the targeted one is refused with the fix", async () => {
            const stub = newStub(scenario("classic", { homes: { default: { plugins: ["container-service"], loggedIn: true, resourceGroup: "other" } } }));
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic", { IKS_RESOURCE_GROUP: "mesh-rg" }, false)),
                /iks\.resourceGroup is mesh-rg, but your ibmcloud login targets resource group other\. Fix: ibmcloud target -g mesh-rg/);
        });
    });

    describe("parallel commands", () => {
        const latency = { IBMCLOUD_STUB_LATENCY_MS: "150" };

        it("the stub models the shared-home hazard: a login in one process logs out a call running in another", async () => {
            const stub = newStub(scenario("classic"));
            const home = path.join(stub.dir, "shared-home");
            const env = { ...stub.environment({ IBMCLOUD_API_KEY: apiKey, IBMCLOUD_HOME: home, ...latency }) };
            assert.equal((await runProcess(path.join(stub.binDir, "ibmcloud"), ["login", "-r", "us-south", "-q"], env, stub.workDir)).code, 0);
            // The call holds its session for 2 s (a slow API round trip); the login lands inside that window.
            const [call] = await Promise.all([
                runProcess(path.join(stub.binDir, "ibmcloud"), ["ks", "cluster", "get", "--cluster", cluster, "--output", "json"],
                    { ...env, IBMCLOUD_STUB_LATENCY_MS: "2000" }, stub.workDir),
                new Promise((resolve) => setTimeout(resolve, 500)).then(() =>
                    runProcess(path.join(stub.binDir, "ibmcloud"), ["login", "-r", "us-south", "-q"], { ...env, IBMCLOUD_STUB_LATENCY_MS: "0" }, stub.workDir)),
            ]);
            assert.notEqual(call.code, 0);
            assert.match(call.stdout, /Not logged in/);
        });

        it("concurrent runs (registration, certificate copy, domain lookup) each log in to a home of their own and none is logged out", async () => {
            const stub = newStub(scenario("classic", { newHomePlugins: [] }));
            // Four scripts at once with 150 ms per call: a loaded machine stretches their certificate waits past the
            // 10 s the other specs allow, and the wait's bound is not what this test is about.
            const patient = { ...latency, NLB_DNS_TIMEOUT_SECONDS: "50" };
            const results = await Promise.all([
                run(stub, "nlb-dns", "create", nlbSettings("classic", patient)),
                run(stub, "alb-ingress", "secret-create", crnCopySettings(latency)),
                run(stub, "alb-ingress", "domain", cliSettings(latency)),
                run(stub, "nlb-dns", "create", nlbSettings("classic", patient)),
            ]);
            results.forEach((result, index) => assertOk(result, `run ${index}`));
            const logins = stub.callsOf("login");
            assert.equal(new Set(logins.map((call) => call.home)).size, 4, "four runs, four CLI homes");
            assert.deepEqual(stub.calls().filter((call) => (call.message ?? "").includes("Not logged in")), [], "no call lost its login");
            assert.equal(stub.state().pluginInstalls, 1, "the plugin is installed once, into the shared plugin directory");
        });
    });

    describe("parallel commands on the operator's own login", () => {
        it("run their CLI calls one at a time (a lock), since they share the operator's CLI home", async () => {
            const stub = newStub(scenario("classic"));
            const latency = { IBMCLOUD_STUB_LATENCY_MS: "60" };
            const results = await Promise.all([
                run(stub, "nlb-dns", "create", nlbSettings("classic", latency, false)),
                run(stub, "alb-ingress", "domain", { IKS_CLUSTER: cluster, IKS_REGION: "us-south", ...latency }),
            ]);
            results.forEach((result, index) => assertOk(result, `run ${index}`));
            const calls = stub.calls().filter((call) => call.home === "default").sort((a, b) => a.startedAt - b.startedAt);
            assert.ok(calls.length >= 6);
            for (let index = 1; index < calls.length; index++) {
                assert.ok(calls[index].startedAt >= calls[index - 1].endedAt,
                    `${calls[index].argv.slice(0, 3).join(" ")} started while ${calls[index - 1].argv.slice(0, 3).join(" ")} ran`);
            }
        });
    });

    describe("prerequisites fail with clear messages", () => {
        it("ibmcloud missing from PATH", async () => {
            const stub = newStub(scenario("classic"));
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic"), { withCli: false }),
                /The ibmcloud CLI was not found on PATH\. Install it .*ibmcloud plugin install container-service/);
        });

        it("container-service plugin missing, with an existing login", async () => {
            const stub = newStub(scenario("classic", { homes: { default: { plugins: [], loggedIn: true } } }));
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic", {}, false)),
                /The ibmcloud container-service plugin \(the `ibmcloud ks` commands\) is not installed\. Fix: ibmcloud plugin install container-service/);
            assert.equal(stub.callsOf("plugin", "install").length, 0, "the operator's own CLI home is not changed");
        });

        it("container-service plugin missing in the stack's CLI home and not installable", async () => {
            const stub = newStub(scenario("classic", { newHomePlugins: [], pluginInstallable: false }));
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic")),
                /container-service plugin is not installed in this stack's CLI home \(\.ibmcloud\/dev\) and installing it failed: .*no such host.*Fix: IBMCLOUD_HOME=\.ibmcloud\/dev ibmcloud plugin install container-service/);
        });

        it("installs the plugin into the stack's own CLI home when it can", async () => {
            const stub = newStub(scenario("classic", { newHomePlugins: [] }));
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic")), "create");
            const [install] = stub.callsOf("plugin", "install");
            assert.deepEqual(install.argv, ["plugin", "install", "container-service", "-f"]);
            assert.equal(path.dirname(install.home), path.join(stub.workDir, ".ibmcloud", "dev", "runs"), "a run's own home");
            assert.ok(fs.existsSync(path.join(stub.workDir, ".ibmcloud", "dev", ".bluemix", "plugins")), "the plugins live in the stack's home");
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic")), "second create");
            assert.equal(stub.callsOf("plugin", "install").length, 1, "the next run finds the plugin through its link");
        });

        it("not logged in and no API key", async () => {
            const stub = newStub(scenario("classic", { homes: { default: { plugins: ["container-service"], loggedIn: false } } }));
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic", {}, false)),
                /Not logged in to IBM Cloud .*Fix: pulumi config set --path --secret iks\.apiKey < ibmcloud-api-key\.txt, export IBMCLOUD_API_KEY="\$\(cat ibmcloud-api-key\.txt\)", or run `ibmcloud login`/);
        });

        it("an API key that IBM Cloud refuses", async () => {
            const stub = newStub(scenario("classic"));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic", { IBMCLOUD_API_KEY: "not-the-right-key-7731" }));
            assertFails(result, /ibmcloud login -r us-south -q failed \(exit 1\): .*Unable to authenticate.*Fix: check iks\.apiKey \(or IBMCLOUD_API_KEY\), iks\.region/);
            assert.equal(stub.callsOf("login").length, 1, "a refused key is not a transient failure: no retry");
            assert.ok(!result.stderr.includes("not-the-right-key-7731"));
        });

        it("an unknown cluster", async () => {
            const stub = newStub(scenario("classic"));
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic", { IKS_CLUSTER: "no-such-cluster" })),
                /IKS cluster "no-such-cluster" is unknown or not accessible: .*could not be found.*Fix: check iks\.cluster against `ibmcloud ks cluster ls`/);
        });

        it("an address that does not fit the infrastructure", async () => {
            const stub = newStub(scenario("classic"));
            assertFails(await run(stub, "nlb-dns", "create", nlbSettings("classic", { NLB_ADDRESS: gatewayHostname })),
                /classic load balancers have an IP, but the gateway Service reports hostname .*iks\.infrastructure/);
        });
    });

    describe("the CLI's environment", () => {
        it("logs in with the key from IBMCLOUD_API_KEY into the stack's own CLI home, resolved against the working directory", async () => {
            const stub = newStub(scenario("classic"));
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic")), "create");
            const home = path.join(stub.workDir, ".ibmcloud", "dev");
            const [login] = stub.callsOf("login");
            assert.deepEqual(login.argv, ["login", "-r", "us-south", "-q"]);
            assert.ok(login.apiKeyInEnvironment);
            assert.equal(new Set(stub.calls().map((call) => call.home)).size, 1, "one run, one CLI home");
            assert.equal(path.dirname(login.home), path.join(home, "runs"), "under the stack's CLI home");
            assert.ok(!fs.existsSync(login.home), "the run's home (its login tokens) is removed at the end");
            assert.equal(fs.readFileSync(path.join(home, ".gitignore"), "utf8"), "*\n", "the login tokens stay out of git");
        });

        it("without a key, uses the existing login and the operator's CLI home, and never logs in", async () => {
            const stub = newStub(scenario("classic"));
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic", {}, false)), "create");
            assert.equal(stub.callsOf("login").length, 0);
            assert.ok(stub.calls().every((call) => call.home === "default"));
            assert.ok(!fs.existsSync(path.join(stub.workDir, ".ibmcloud")));
        });

        it("turns colour and version checks off for every call", async () => {
            const stub = newStub(scenario("classic"));
            const env = stub.environment(nlbSettings("classic"));
            delete env.IBMCLOUD_COLOR;
            delete env.IBMCLOUD_VERSION_CHECK;
            assertOk(await stub.run("nlb-dns", "create", env), "create");
            assert.ok(stub.calls().every((call) => call.color === "false" && call.versionCheck === "false"));
        });

        it("the stored command line runs from the project directory with bare node, printing only the result", async () => {
            const stub = newStub(scenario("classic"));
            const result = await runProcess("/bin/sh", ["-c", scriptCommand("nlb-dns", "create")],
                { ...stub.environment(nlbSettings("classic", {}, false)), PATH: `${stub.binDir}:${path.dirname(process.execPath)}` }, projectRoot);
            runs.push(result);
            assertOk(result, "create from the project directory");
            assert.equal(parseResult(result.stdout).secretNamespace, "istio-system");
            assert.doesNotMatch(result.stderr, /Warning|ExperimentalWarning|MODULE_TYPELESS/, "Node prints no warning of its own");
        });
    });

    describe("the Node version check before every script", () => {
        /** A `node` on PATH that reports `version` to the programs it runs (the real Node underneath). */
        function nodeReporting(stub: IbmCloudStub, version: string): string {
            const binDir = path.join(stub.dir, `node-${version}`);
            fs.mkdirSync(binDir, { recursive: true });
            const preload = path.join(binDir, "report-version.cjs");
            fs.writeFileSync(preload, `Object.defineProperty(process, "versions", { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n` +
                `Object.defineProperty(process, "version", { value: ${JSON.stringify(`v${version}`)} });\n`);
            fs.writeFileSync(path.join(binDir, "node"), `#!/bin/sh\nexec "${process.execPath}" -r "${preload}" "$@"\n`, { mode: 0o755 });
            return binDir;
        }
        const runWithNode = async (version: string) => {
            const stub = newStub(scenario("classic"));
            const result = await runProcess("/bin/sh", ["-c", scriptCommand("nlb-dns", "create")],
                { ...stub.environment(nlbSettings("classic")), PATH: `${stub.binDir}:${nodeReporting(stub, version)}` }, projectRoot);
            runs.push(result);
            return { stub, result };
        };

        for (const version of ["20.19.5", "22.17.1", "23.5.0"]) {
            it(`stops Node ${version} with one line naming the Node found and the Node needed, before any IBM call`, async () => {
                const { stub, result } = await runWithNode(version);
                assert.notEqual(result.code, 0);
                const lines = result.stderr.trim().split("\n");
                assert.equal(lines.length, 1, result.stderr);
                assert.match(lines[0], new RegExp(`need Node\\.js >= 22\\.18\\.0 .*found Node v${version.replace(/\./g, "\\.")} at /`));
                assert.deepEqual(stub.calls(), [], "no ibmcloud call");
            });
        }

        for (const version of ["22.18.0", "23.6.0", "24.0.0"]) {
            it(`lets Node ${version} run the script`, async () => {
                const { result } = await runWithNode(version);
                assertOk(result, `create on Node ${version}`);
            });
        }

        it("asks for the Node that package.json's engines names", () => {
            const engines = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).engines.node;
            const guard = fs.readFileSync(path.join(projectRoot, "components", "ibm", "scripts", "require-node.cjs"), "utf8");
            assert.equal(engines, `>=${/var needed = "([^"]+)"/.exec(guard)?.[1]}`);
        });
    });

    describe("the API key never leaks", () => {
        itRecordsNoApiKey(session, 15);
    });
});
