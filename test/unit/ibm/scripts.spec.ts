// The IKS command scripts run for real, with node, against a stub `ibmcloud` on PATH that answers
// with IBM's documented JSON shapes: what `pulumi up` and `pulumi destroy` would make them do.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { scriptCommand } from "../../../components/ibm/ibmcloud-cli";
import { parseResult } from "../../../components/ibm/scripts/nlb-dns";
import { IbmCloudStub, ScriptRun, StubRegistration, StubState, projectRoot, runProcess } from "../../fixtures/ibmcloud-stub/stub";

const apiKey = "ibm-test-key-Zq81xWv3Lm0p";
const cluster = "mesh-cluster";
const gatewayIp = "169.61.20.30";
const gatewayHostname = "8c2f1e7a-us-south.lb.appdomain.cloud";

/** Another load balancer's subdomain in the same cluster: never ours to adopt or remove. */
const unrelated: StubRegistration = {
    subdomain: "mesh-cluster-0099.us-south.stg.containers.appdomain.cloud",
    ips: ["169.61.99.99"],
    lbHostname: "ffff0000-us-south.lb.appdomain.cloud",
    secretName: "mesh-cluster-0099",
    secretNamespace: "default",
    secretStatus: "created",
};

function scenario(infrastructure: "classic" | "vpc", overrides: Partial<StubState> = {}): StubState {
    return {
        homes: { default: { plugins: ["container-service"], loggedIn: true } },
        newHomePlugins: ["container-service"],
        pluginInstallable: true,
        validApiKey: apiKey,
        clusters: {
            [cluster]: {
                id: "c0ffee1234", infrastructure,
                ingress: { hostname: "mesh-cluster-0000.us-south.containers.appdomain.cloud", secretName: "mesh-cluster-0000" },
            },
        },
        nlb: { [cluster]: [{ ...unrelated, ips: infrastructure === "classic" ? [...unrelated.ips] : [] }] },
        certificateReadyAfterPolls: 2,
        ingressSecrets: { [cluster]: [{ name: "mesh-cluster-0000", namespace: "default", crn: "crn:v1:bluemix:public:secrets-manager:us-south:a/1:2::secret:3" }] },
        instances: { [cluster]: [{ name: "mesh-secrets", crn: "crn:v1:bluemix:public:secrets-manager:us-south:a/1:5::", isDefault: true }] },
        ...overrides,
    };
}

/** The environment the NlbDns command resource stores, with the API key when `withKey`. */
function nlbSettings(infrastructure: "classic" | "vpc", extra: Record<string, string> = {}, withKey = true): Record<string, string> {
    return {
        IKS_CLUSTER: cluster,
        IKS_REGION: "us-south",
        IKS_INFRASTRUCTURE: infrastructure,
        IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev",
        NLB_ADDRESS: infrastructure === "classic" ? gatewayIp : gatewayHostname,
        NLB_SECRET_NAMESPACE: "istio-system",
        NLB_DNS_TIMEOUT_SECONDS: "10",
        ...(withKey ? { IBMCLOUD_API_KEY: apiKey } : {}),
        ...extra,
    };
}

const ours = (stub: IbmCloudStub, address: { ip?: string; hostname?: string }) => stub.state().nlb[cluster]
    .filter((entry) => (address.ip ? entry.ips.includes(address.ip) : entry.lbHostname === address.hostname));

function assertOk(run: ScriptRun, what: string): void {
    assert.equal(run.code, 0, `${what} failed:\n${run.stderr}\n${run.stdout}`);
}

function assertFails(run: ScriptRun, pattern: RegExp): void {
    assert.notEqual(run.code, 0, `expected a failure, got stdout ${run.stdout}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stdout, "", "a failed run prints no result line");
}

describe("IKS scripts against a stub ibmcloud", function () {
    this.timeout(60000);
    const stubs: IbmCloudStub[] = [];
    const runs: ScriptRun[] = [];
    const newStub = (state: StubState) => {
        const stub = new IbmCloudStub(state);
        stubs.push(stub);
        return stub;
    };
    const run = async (stub: IbmCloudStub, script: "nlb-dns" | "alb-ingress", action: string, settings: Record<string, string>,
        options: { withCli?: boolean } = {}) => {
        const result = await stub.run(script, action, stub.environment(settings, options));
        runs.push(result);
        return result;
    };
    after(() => {
        for (const stub of stubs) {
            stub.remove();
        }
    });

    describe("nlb-dns on classic", () => {
        let stub: IbmCloudStub;
        let first: ScriptRun;
        before(async () => {
            stub = newStub(scenario("classic"));
            first = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
        });

        it("registers the gateway IP with `nlb-dns create classic … --secret-namespace <gateway namespace>`", () => {
            assertOk(first, "create");
            const creates = stub.callsOf("ks", "nlb-dns", "create");
            assert.equal(creates.length, 1);
            assert.deepEqual(creates[0].argv, ["ks", "nlb-dns", "create", "classic", "--cluster", cluster, "--ip", gatewayIp,
                "--secret-namespace", "istio-system", "--type", "public"]);
        });

        it("prints one JSON line with the subdomain, certificate secret and namespace that `ls` reports", () => {
            const lines = first.stdout.trim().split("\n");
            assert.equal(lines.length, 1);
            const [registered] = ours(stub, { ip: gatewayIp });
            assert.deepEqual(JSON.parse(lines[0]), {
                subdomain: registered.subdomain, secretName: registered.secretName, secretNamespace: "istio-system", address: gatewayIp,
            });
            assert.deepEqual(parseResult(first.stdout), JSON.parse(lines[0]));
        });

        it("waits while the certificate is pending and returns once it is created", () => {
            const [registered] = ours(stub, { ip: gatewayIp });
            assert.equal(registered.secretStatus, "created");
            const listingsAfterCreate = stub.calls().slice(stub.calls().findIndex((call) => call.argv[2] === "create"))
                .filter((call) => call.argv[2] === "ls");
            assert.ok(listingsAfterCreate.length >= 2, `polled ${listingsAfterCreate.length} times`);
        });

        it("leaves the unrelated subdomain alone", () => {
            const other = stub.state().nlb[cluster].find((entry) => entry.subdomain === unrelated.subdomain);
            assert.deepEqual(other?.ips, unrelated.ips);
            assert.ok(stub.calls().every((call) => !call.argv.includes(unrelated.subdomain)));
        });

        it("adopts the registration on a second run instead of creating another", async () => {
            const second = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(second, "second create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1, "no second nlb-dns create");
            assert.deepEqual(JSON.parse(second.stdout), JSON.parse(first.stdout));
            assert.equal(ours(stub, { ip: gatewayIp }).length, 1);
        });

        it("delete removes the IP from the subdomain with `rm classic --ip … --nlb-host …`, and is idempotent", async () => {
            const registered = JSON.parse(first.stdout);
            const removal = await run(stub, "nlb-dns", "delete", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: first.stdout }));
            assertOk(removal, "delete");
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "rm").map((call) => call.argv), [
                ["ks", "nlb-dns", "rm", "classic", "--cluster", cluster, "--ip", gatewayIp, "--nlb-host", registered.subdomain],
            ]);
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "secret", "rm").map((call) => call.argv),
                [["ks", "nlb-dns", "secret", "rm", "--cluster", cluster, "--nlb-subdomain", registered.subdomain, "-f"]],
                "the certificate of the now unused subdomain is stopped, with -f (no prompt)");
            assert.equal(stub.state().nlb[cluster].find((entry) => entry.subdomain === registered.subdomain)?.secretStatus, "deleted");
            assert.deepEqual(ours(stub, { ip: gatewayIp }), []);
            assert.deepEqual(stub.state().nlb[cluster].find((entry) => entry.subdomain === unrelated.subdomain)?.ips, unrelated.ips);

            const again = await run(stub, "nlb-dns", "delete", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: first.stdout }));
            assertOk(again, "second delete");
            assert.equal(stub.callsOf("ks", "nlb-dns", "rm").length, 1, "nothing left to remove");
        });
    });

    describe("nlb-dns on VPC", () => {
        let stub: IbmCloudStub;
        let first: ScriptRun;
        before(async () => {
            stub = newStub(scenario("vpc"));
            first = await run(stub, "nlb-dns", "create", nlbSettings("vpc"));
        });

        it("registers the load balancer hostname with `nlb-dns create vpc-gen2 --lb-host`", () => {
            assertOk(first, "create");
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "create").map((call) => call.argv), [
                ["ks", "nlb-dns", "create", "vpc-gen2", "--cluster", cluster, "--lb-host", gatewayHostname, "--secret-namespace", "istio-system",
                    "--type", "public"],
            ]);
            const [registered] = ours(stub, { hostname: gatewayHostname });
            assert.deepEqual(JSON.parse(first.stdout), { subdomain: registered.subdomain, secretName: registered.secretName, secretNamespace: "istio-system",
                address: gatewayHostname });
        });

        it("adopts on a second run and never touches the unrelated subdomain", async () => {
            const second = await run(stub, "nlb-dns", "create", nlbSettings("vpc"));
            assertOk(second, "second create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1);
            assert.deepEqual(JSON.parse(second.stdout), JSON.parse(first.stdout));
            assert.ok(stub.state().nlb[cluster].some((entry) => entry.subdomain === unrelated.subdomain));
        });

        it("delete detaches the hostname with `rm vpc-gen2 --nlb-subdomain` (the subdomain stays), stops its certificate, and is idempotent", async () => {
            const { subdomain } = JSON.parse(first.stdout);
            assertOk(await run(stub, "nlb-dns", "delete", nlbSettings("vpc", { PULUMI_COMMAND_STDOUT: first.stdout })), "delete");
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "rm").map((call) => call.argv),
                [["ks", "nlb-dns", "rm", "vpc-gen2", "--cluster", cluster, "--nlb-subdomain", subdomain]]);
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "secret", "rm").map((call) => call.argv),
                [["ks", "nlb-dns", "secret", "rm", "--cluster", cluster, "--nlb-subdomain", subdomain, "-f"]]);
            assert.deepEqual(ours(stub, { hostname: gatewayHostname }), []);
            const left = stub.state().nlb[cluster].find((entry) => entry.subdomain === subdomain);
            assert.ok(left, "IBM keeps the subdomain: rm vpc-gen2 only detaches the hostname");
            assert.equal(left.lbHostname, "");
            assert.equal(left.secretStatus, "deleted", "its certificate is no longer renewed");
            assert.ok(stub.state().nlb[cluster].some((entry) => entry.subdomain === unrelated.subdomain));
            // Without the stored output too: the address alone finds (or does not find) the registration.
            assertOk(await run(stub, "nlb-dns", "delete", nlbSettings("vpc")), "second delete");
            assert.equal(stub.callsOf("ks", "nlb-dns", "rm").length, 1);
            assert.equal(stub.callsOf("ks", "nlb-dns", "secret", "rm").length, 1);
        });
    });

    describe("nlb-dns subdomain lifecycle", () => {
        /** An empty subdomain this stack left behind: no address, certificate in the gateway's namespace, still issued. */
        const leftover = (infrastructure: "classic" | "vpc"): StubRegistration => ({
            subdomain: "mesh-cluster-0007.us-south.stg.containers.appdomain.cloud", ips: [], lbHostname: "",
            secretName: "mesh-cluster-0007", secretNamespace: "istio-system", secretStatus: "created",
            ...(infrastructure === "vpc" ? {} : {}),
        });

        /** The result line this stack recorded for the leftover (what PULUMI_COMMAND_STDOUT holds on an update). */
        const recorded = (registration: StubRegistration, address: string) => JSON.stringify({
            subdomain: registration.subdomain, secretName: registration.secretName, secretNamespace: registration.secretNamespace, address,
        });

        it("classic: reuses the subdomain this stack recorded with `nlb-dns add --nlb-host` instead of minting a new one", async () => {
            const stub = newStub(scenario("classic", { nlb: { [cluster]: [{ ...unrelated }, leftover("classic")] } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: recorded(leftover("classic"), "169.61.20.1") }));
            assertOk(result, "create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 0, "no new subdomain, no new certificate");
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "add").map((call) => call.argv),
                [["ks", "nlb-dns", "add", "--cluster", cluster, "--ip", gatewayIp, "--nlb-host", leftover("classic").subdomain]]);
            assert.equal(parseResult(result.stdout).subdomain, leftover("classic").subdomain);
        });

        it("VPC: reuses the subdomain this stack recorded with `nlb-dns replace --lb-host --nlb-subdomain`", async () => {
            const stub = newStub(scenario("vpc", { nlb: { [cluster]: [{ ...unrelated, ips: [] }, leftover("vpc")] } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("vpc", { PULUMI_COMMAND_STDOUT: recorded(leftover("vpc"), "old-us-south.lb.appdomain.cloud") }));
            assertOk(result, "create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 0);
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "replace").map((call) => call.argv),
                [["ks", "nlb-dns", "replace", "--cluster", cluster, "--lb-host", gatewayHostname, "--nlb-subdomain", leftover("vpc").subdomain]]);
            assert.equal(parseResult(result.stdout).subdomain, leftover("vpc").subdomain);
        });

        it("a new load balancer (update) moves onto the previous subdomain; classic then drops the old IP", async () => {
            const stub = newStub(scenario("classic"));
            const first = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(first, "create");
            const newIp = "169.61.20.99";
            const update = await run(stub, "nlb-dns", "create", nlbSettings("classic", { NLB_ADDRESS: newIp, PULUMI_COMMAND_STDOUT: first.stdout }));
            assertOk(update, "update");
            const { subdomain } = parseResult(first.stdout);
            assert.equal(parseResult(update.stdout).subdomain, subdomain, "same subdomain, same certificate");
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1);
            assert.deepEqual(stub.state().nlb[cluster].find((entry) => entry.subdomain === subdomain)?.ips, [newIp]);
        });

        it("never takes over an empty subdomain this stack did not record, even one in the gateway's namespace (another stack's, a hand-made one)", async () => {
            const stub = newStub(scenario("classic", { nlb: { [cluster]: [leftover("classic")] } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(result, "create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "add").length, 0);
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1, "a subdomain of its own");
            assert.notEqual(parseResult(result.stdout).subdomain, leftover("classic").subdomain);
            assert.ok(stub.calls().every((call) => !call.argv.includes(leftover("classic").subdomain)), "the other subdomain is not touched");
        });

        it("never reuses a subdomain whose certificate is outside the gateway's namespace, nor one whose certificate was stopped", async () => {
            const stub = newStub(scenario("classic", { nlb: { [cluster]: [
                { ...leftover("classic"), secretNamespace: "default" },
                { ...leftover("classic"), subdomain: "mesh-cluster-0008.us-south.stg.containers.appdomain.cloud", secretStatus: "deleted" },
            ] } }));
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic")), "create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "add").length, 0);
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1);
        });

        for (const infrastructure of ["classic", "vpc"] as const) {
            it(`${infrastructure}: refuses to adopt a registration whose certificate is in default, with the fix`, async () => {
                const byHand: StubRegistration = { ...leftover(infrastructure), secretNamespace: "default",
                    ...(infrastructure === "classic" ? { ips: [gatewayIp] } : { lbHostname: gatewayHostname }) };
                const stub = newStub(scenario(infrastructure, { nlb: { [cluster]: [byHand] } }));
                const fix = infrastructure === "classic"
                    ? `ibmcloud ks nlb-dns rm classic --cluster ${cluster} --ip ${gatewayIp} --nlb-host ${byHand.subdomain}`
                    : `ibmcloud ks nlb-dns rm vpc-gen2 --cluster ${cluster} --nlb-subdomain ${byHand.subdomain}`;
                const result = await run(stub, "nlb-dns", "create", nlbSettings(infrastructure));
                assertFails(result, /certificate Secret mesh-cluster-0007 is in namespace default, and the gateway in istio-system can read Secrets only in its own namespace/);
                assert.ok(result.stderr.includes(`Fix: ${fix}`), result.stderr);
                assert.equal(stub.callsOf("ks", "nlb-dns", "create").length + stub.callsOf("ks", "nlb-dns", "add").length, 0);
            });
        }

        it("VPC: retries `nlb-dns create` while the new load balancer is still provisioning", async () => {
            const stub = newStub(scenario("vpc", { vpcLbNotReadyCreates: 3 }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("vpc", { IBMCLOUD_RETRY_ATTEMPTS: "2" }));
            assertOk(result, "create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 4, "more tries than the ordinary retry budget of 2");
            assert.match(result.stderr, /the load balancer may still be provisioning/);
        });

        it("VPC: a private load balancer gets a private subdomain (`--type private`)", async () => {
            const stub = newStub(scenario("vpc"));
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("vpc", { NLB_TYPE: "private" })), "create");
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "create")[0].argv.slice(-2), ["--type", "private"]);
        });

        it("reads classic listings that give the IPs as the JSON-encoded nlbIP", async () => {
            const stub = newStub(scenario("classic", { classicListing: "nlbIP" }));
            const first = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(first, "create");
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic")), "second create");
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1, "adopted through nlbIP");
        });
    });

    describe("IAM, resource groups and logins", () => {
        it("a missing IAM role fails at once, naming the role: Editor for nlb-dns", async () => {
            const stub = newStub(scenario("classic", { denied: { "ks nlb-dns create": true } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertFails(result, /\(A0007\)\. IBM refused the call: .*lacks the Editor platform access role for the cluster.*context-based restriction.*Fix: assign the role in IBM Cloud IAM/);
            assert.equal(stub.callsOf("ks", "nlb-dns", "create").length, 1, "not retried");
        });

        it("a missing IAM role fails at once, naming the role: Administrator for ingress secret", async () => {
            const stub = newStub(scenario("classic", { denied: { "ks ingress secret create": true } }));
            const result = await run(stub, "alb-ingress", "secret-create", {
                IKS_CLUSTER: cluster, IKS_REGION: "us-south", IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev", IBMCLOUD_API_KEY: apiKey,
                ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_SOURCE_NAMESPACE: "default", ALB_TARGET_SECRET: "iks-ingress-tls", ALB_TARGET_NAMESPACE: "istio-system",
            });
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
            const albSettings = { IKS_CLUSTER: cluster, IKS_REGION: "us-south", IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev", IBMCLOUD_API_KEY: apiKey, ...latency };
            const results = await Promise.all([
                run(stub, "nlb-dns", "create", nlbSettings("classic", latency)),
                run(stub, "alb-ingress", "secret-create", { ...albSettings, ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_SOURCE_NAMESPACE: "default",
                    ALB_TARGET_SECRET: "iks-ingress-tls", ALB_TARGET_NAMESPACE: "istio-system" }),
                run(stub, "alb-ingress", "domain", albSettings),
                run(stub, "nlb-dns", "create", nlbSettings("classic", latency)),
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

    describe("alb-ingress", () => {
        const albSettings = (extra: Record<string, string> = {}) => ({
            IKS_CLUSTER: cluster, IKS_REGION: "us-south", IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev", IBMCLOUD_API_KEY: apiKey, ...extra,
        });
        const copySettings = (extra: Record<string, string> = {}) => albSettings({
            ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_SOURCE_NAMESPACE: "default",
            ALB_TARGET_SECRET: "iks-ingress-tls", ALB_TARGET_NAMESPACE: "istio-system", ...extra,
        });

        for (const layout of ["current", "legacy"] as const) {
            it(`domain reads the Ingress subdomain and secret from \`cluster get\` (${layout} layout)`, async () => {
                const state = scenario("classic");
                state.clusters[cluster].layout = layout;
                const stub = newStub(state);
                const result = await run(stub, "alb-ingress", "domain", albSettings());
                assertOk(result, "domain");
                assert.deepEqual(JSON.parse(result.stdout), {
                    hostname: "mesh-cluster-0000.us-south.containers.appdomain.cloud", secretName: "mesh-cluster-0000", secretNamespace: "default",
                });
            });
        }

        it("domain fails clearly while the cluster has no Ingress subdomain", async () => {
            const state = scenario("classic");
            state.clusters[cluster].ingress = { status: "pending" };
            const stub = newStub(state);
            assertFails(await run(stub, "alb-ingress", "domain", albSettings()),
                /IKS cluster mesh-cluster has no Ingress subdomain and secret yet \(Ingress status pending\).*iks\.alb\.enabled false/);
        });

        it("secret-create copies the Ingress certificate by CRN into the gateway namespace, adopts on a second run, and delete is idempotent", async () => {
            const stub = newStub(scenario("classic"));
            const crn = stub.state().ingressSecrets[cluster][0].crn;
            const first = await run(stub, "alb-ingress", "secret-create", copySettings());
            assertOk(first, "secret-create");
            assert.deepEqual(JSON.parse(first.stdout), { mode: "secrets-manager", name: "iks-ingress-tls", namespace: "istio-system", crn });
            assert.deepEqual(stub.callsOf("ks", "ingress", "instance", "ls")[0].argv, ["ks", "ingress", "instance", "ls", "--cluster", cluster, "--output", "json"]);
            assert.deepEqual(stub.callsOf("ks", "ingress", "secret", "get")[0].argv, ["ks", "ingress", "secret", "get", "--cluster", cluster,
                "--name", "mesh-cluster-0000", "--namespace", "default", "--output", "json"]);
            assert.deepEqual(stub.callsOf("ks", "ingress", "secret", "create").map((call) => call.argv), [["ks", "ingress", "secret", "create",
                "--cluster", cluster, "--cert-crn", crn, "--name", "iks-ingress-tls", "--namespace", "istio-system"]]);

            assertOk(await run(stub, "alb-ingress", "secret-create", copySettings()), "second secret-create");
            assert.equal(stub.callsOf("ks", "ingress", "secret", "create").length, 1, "adopted, not created twice");

            assertOk(await run(stub, "alb-ingress", "secret-delete", copySettings()), "secret-delete");
            assert.deepEqual(stub.callsOf("ks", "ingress", "secret", "rm").map((call) => call.argv), [["ks", "ingress", "secret", "rm",
                "--cluster", cluster, "--name", "iks-ingress-tls", "--namespace", "istio-system"]]);
            assert.deepEqual(stub.state().ingressSecrets[cluster].map((secret) => `${secret.namespace}/${secret.name}`), ["default/mesh-cluster-0000"]);
            assertOk(await run(stub, "alb-ingress", "secret-delete", copySettings()), "second secret-delete");
            assert.equal(stub.callsOf("ks", "ingress", "secret", "rm").length, 1);
        });

        it("without a default Secrets Manager instance, secret-create makes no CRN copy and hands over to the stack's Kubernetes copy", async () => {
            const stub = newStub(scenario("classic", { instances: { [cluster]: [{ name: "other", crn: "crn:v1:x", isDefault: false }] } }));
            const result = await run(stub, "alb-ingress", "secret-create", copySettings({ ALB_KUBERNETES_COPY_SECRET: "iks-ingress-tls-copy" }));
            assertOk(result, "secret-create");
            assert.deepEqual(JSON.parse(result.stdout), { mode: "kubernetes-copy", name: "iks-ingress-tls-copy", namespace: "istio-system", crn: "" });
            assert.equal(stub.callsOf("ks", "ingress", "secret", "create").length, 0, "IBM refuses a CRN copy without Secrets Manager");
            assert.match(result.stderr, /no default Secrets Manager instance: the ALB serves a Kubernetes copy \(istio-system\/iks-ingress-tls-copy\) of default\/mesh-cluster-0000, refreshed on every pulumi up/);
            assertOk(await run(stub, "alb-ingress", "secret-delete", copySettings()), "secret-delete has nothing to remove");
        });

        describe("the ALB class check before the Ingress", () => {
            const nginxAlb = { albID: "public-crc0ffee-alb1", albBuild: "1.12.4_5384_iks", enable: true };
            const traefikAlb = { albID: "public-crc0ffee-alb2", albBuild: "3.4.1_6012_iks", enable: true };
            const withAlbs = (infrastructure: "classic" | "vpc", albs: object[], publicBackend?: "nginx" | "traefik") => {
                const state = scenario(infrastructure);
                Object.assign(state.clusters[cluster], { albs, ...(publicBackend ? { publicBackend } : {}) });
                return newStub(state);
            };
            const domain = (stub: IbmCloudStub, infrastructure: "classic" | "vpc", ingressClass = "public-iks-traefik") =>
                run(stub, "alb-ingress", "domain", albSettings({ ALB_INGRESS_CLASS: ingressClass, IKS_INFRASTRUCTURE: infrastructure }));

            it("classic: a Traefik class with only ingress-nginx ALBs is refused with IBM's fix", async () => {
                const stub = withAlbs("classic", [nginxAlb]);
                assertFails(await domain(stub, "classic"), new RegExp("no enabled public ALB of cluster mesh-cluster runs traefik \\(enabled public ALBs: " +
                    "public-crc0ffee-alb1 \\(1\\.12\\.4_5384_iks\\)\\).*Fix: list Traefik versions with `ibmcloud ks ingress alb versions`, then move an ALB to one: " +
                    "ibmcloud ks ingress alb enable classic --alb <alb_id> --version <traefik_version> --cluster mesh-cluster; .*iks\\.alb\\.ingressClass public-iks-k8s-nginx"));
                assert.deepEqual(stub.callsOf("ks", "ingress", "alb", "ls")[0].argv, ["ks", "ingress", "alb", "ls", "--cluster", cluster, "--output", "json"]);
            });

            it("classic: Traefik ALBs beside enabled ingress-nginx ones do not get the subdomain: refused with the disable command", async () => {
                assertFails(await domain(withAlbs("classic", [nginxAlb, traefikAlb]), "classic"),
                    /still has enabled ingress-nginx ALBs \(public-crc0ffee-alb1\).*Fix: first choice: .*ingressClass public-iks-k8s-nginx.*ibmcloud ks ingress alb disable classic --alb public-crc0ffee-alb1 --cluster mesh-cluster/);
            });

            it("classic: a cluster on Traefik serves the Traefik class", async () => {
                assertOk(await domain(withAlbs("classic", [traefikAlb, { ...nginxAlb, enable: false }]), "classic"), "domain");
            });

            it("classic: the ingress-nginx class on a Traefik-only cluster is refused, pointing at the Traefik class", async () => {
                assertFails(await domain(withAlbs("classic", [traefikAlb]), "classic", "public-iks-k8s-nginx"),
                    /no enabled public ALB of cluster mesh-cluster runs nginx.*pulumi config set --path iks\.alb\.ingressClass public-iks-traefik/);
            });

            it("VPC: Traefik ALBs while the load balancer still forwards to ingress-nginx are refused with `load-balancer backend set`", async () => {
                const stub = withAlbs("vpc", [nginxAlb, traefikAlb], "nginx");
                assertFails(await domain(stub, "vpc"),
                    /forwards to the nginx ALBs.*Fix: ibmcloud ks ingress load-balancer backend set --cluster mesh-cluster --public-backend traefik/);
                assert.deepEqual(stub.callsOf("ks", "ingress", "load-balancer", "get")[0].argv,
                    ["ks", "ingress", "load-balancer", "get", "--cluster", cluster, "--output", "json"]);
            });

            it("VPC: with the backend on Traefik the class is served", async () => {
                assertOk(await domain(withAlbs("vpc", [nginxAlb, traefikAlb], "traefik"), "vpc"), "domain");
            });
        });

        it("secret-create refuses to take over a secret of the same name holding another certificate", async () => {
            const state = scenario("classic");
            state.ingressSecrets[cluster].push({ name: "iks-ingress-tls", namespace: "istio-system", crn: "crn:v1:other" });
            const stub = newStub(state);
            assertFails(await run(stub, "alb-ingress", "secret-create", copySettings()),
                /Ingress secret istio-system\/iks-ingress-tls already exists for another certificate \(crn:v1:other\)/);
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

    describe("the certificate's status", () => {
        const deletedOne: StubRegistration = {
            subdomain: "mesh-cluster-0007.us-south.stg.containers.appdomain.cloud", ips: [], lbHostname: "",
            secretName: "mesh-cluster-0007", secretNamespace: "istio-system", secretStatus: "deleted",
        };
        const recorded = JSON.stringify({ subdomain: deletedOne.subdomain, secretName: deletedOne.secretName, secretNamespace: "istio-system", address: "169.61.20.1" });

        it("deleted: the recorded subdomain gets `nlb-dns secret regenerate` once, then the wait for `created`", async () => {
            const stub = newStub(scenario("classic", { nlb: { [cluster]: [{ ...deletedOne }] } }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic", { PULUMI_COMMAND_STDOUT: recorded }));
            assertOk(result, "create");
            assert.deepEqual(stub.callsOf("ks", "nlb-dns", "secret", "regenerate").map((call) => call.argv),
                [["ks", "nlb-dns", "secret", "regenerate", "--cluster", cluster, "--nlb-subdomain", deletedOne.subdomain]]);
            assert.match(result.stderr, /was deleted \(IBM stopped renewing it\); asking IBM for a new one \(IBM allows at most 5 regenerations a day\)/);
            assert.match(result.stderr, /status regenerating/);
            assert.equal(parseResult(result.stdout).subdomain, deletedOne.subdomain);
            assert.equal(stub.state().nlb[cluster][0].secretStatus, "created");
        });

        it("rate_limited: fails at once with IBM's explanation instead of waiting out iks.dnsTimeoutSeconds", async () => {
            const stub = newStub(scenario("classic", { newCertificateStatus: "rate_limited" }));
            const started = Date.now();
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic", { NLB_DNS_TIMEOUT_SECONDS: "600" }));
            assertFails(result, /has status rate_limited: Let's Encrypt refused to issue it .*IBM says to wait 7 days .*cannot be lifted/);
            assert.ok(Date.now() - started < 15000);
            assert.equal(stub.callsOf("ks", "nlb-dns", "secret", "regenerate").length, 0, "regenerating cannot lift the limit");
        });

        it("creating: waits, and so does regenerating (statuses IBM lists as still in progress)", async () => {
            const stub = newStub(scenario("classic", { certificateReadyAfterPolls: 3 }));
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic"));
            assertOk(result, "create");
            assert.match(result.stderr, /status creating/);
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

    describe("IAM that matches the mode: `ingress secret` needs Administrator", () => {
        const copySettings = (extra: Record<string, string> = {}) => ({
            IKS_CLUSTER: cluster, IKS_REGION: "us-south", IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev", IBMCLOUD_API_KEY: apiKey,
            ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_SOURCE_NAMESPACE: "default", ALB_TARGET_SECRET: "iks-ingress-tls",
            ALB_TARGET_NAMESPACE: "istio-system", ALB_KUBERNETES_COPY_SECRET: "iks-ingress-tls-copy", ...extra,
        });

        it("without Secrets Manager, an Editor-only key deploys and destroys: no `ingress secret` call at all", async () => {
            const stub = newStub(scenario("classic", { instances: { [cluster]: [] }, denied: { "ks ingress secret": true } }));
            const created = await run(stub, "alb-ingress", "secret-create", copySettings());
            assertOk(created, "secret-create");
            assert.equal(JSON.parse(created.stdout).mode, "kubernetes-copy");
            assertOk(await run(stub, "alb-ingress", "secret-delete", copySettings({ PULUMI_COMMAND_STDOUT: created.stdout })), "secret-delete");
            assert.deepEqual(stub.callsOf("ks", "ingress", "secret"), []);
        });

        it("with Secrets Manager, a key without Administrator is refused at once, naming Administrator", async () => {
            const stub = newStub(scenario("classic", { denied: { "ks ingress secret": true } }));
            assertFails(await run(stub, "alb-ingress", "secret-create", copySettings()), /A0007.*Administrator platform access role/);
            assert.equal(stub.callsOf("ks", "ingress", "secret", "get").length, 1);
        });
    });

    describe("Secrets Manager mode from the source secret's CRN", () => {
        it("an instance registered as default is not enough: until the secret is regenerated it has no Secrets Manager CRN, so the Kubernetes copy serves", async () => {
            const state = scenario("classic");
            state.ingressSecrets[cluster] = [{ name: "mesh-cluster-0000", namespace: "default", crn: "NO_DEFAULT_INSTANCE",
                domain: "mesh-cluster-0000.us-south.containers.appdomain.cloud" }];
            state.nlb[cluster].push({ subdomain: "mesh-cluster-0000.us-south.containers.appdomain.cloud", ips: ["169.61.1.1"], secretName: "mesh-cluster-0000",
                secretNamespace: "default", secretStatus: "created" });
            const stub = newStub(state);
            const settings = {
                IKS_CLUSTER: cluster, IKS_REGION: "us-south", IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev", IBMCLOUD_API_KEY: apiKey,
                ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_SOURCE_NAMESPACE: "default", ALB_TARGET_SECRET: "iks-ingress-tls",
                ALB_TARGET_NAMESPACE: "istio-system", ALB_KUBERNETES_COPY_SECRET: "iks-ingress-tls-copy",
            };
            const before = await run(stub, "alb-ingress", "secret-create", settings);
            assertOk(before, "secret-create before regenerate");
            assert.equal(JSON.parse(before.stdout).mode, "kubernetes-copy");
            assert.match(before.stderr, /is not in Secrets Manager yet \(CRN NO_DEFAULT_INSTANCE\).*nlb-dns secret regenerate/);
            assert.equal(stub.callsOf("ks", "ingress", "secret", "create").length, 0);

            const regenerate = await runProcess(path.join(stub.binDir, "ibmcloud"), ["ks", "nlb-dns", "secret", "regenerate", "--cluster", cluster,
                "--nlb-subdomain", "mesh-cluster-0000.us-south.containers.appdomain.cloud"], { ...stub.environment({}) }, stub.workDir);
            assert.equal(regenerate.code, 0, regenerate.stdout);
            const after = await run(stub, "alb-ingress", "secret-create", settings);
            assertOk(after, "secret-create after regenerate");
            assert.equal(JSON.parse(after.stdout).mode, "secrets-manager");
            assert.match(JSON.parse(after.stdout).crn, /:secrets-manager:/);
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
            const copy = await run(stub, "alb-ingress", "secret-delete", {
                IKS_CLUSTER: cluster, IKS_REGION: "us-south", IBMCLOUD_API_KEY: apiKey, IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev",
                ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_TARGET_SECRET: "iks-ingress-tls", ALB_TARGET_NAMESPACE: "istio-system",
                IKS_MESH_SKIP_CLOUD_CLEANUP: "true",
                PULUMI_COMMAND_STDOUT: JSON.stringify({ mode: "secrets-manager", name: "iks-ingress-tls", namespace: "istio-system", crn: "crn:v1:x" }),
            });
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
            stub.setState({ ...stub.state(), certificateReadyAfterPolls: 0 });
            assertOk(await run(stub, "nlb-dns", "create", nlbSettings("classic")), "next run");
            assert.deepEqual(fs.readdirSync(runs), [], "the dead run's home went with the next run");
        });
    });

    describe("the API key never leaks", () => {
        it("is in no recorded argument and no captured output of any run above", () => {
            assert.ok(runs.length > 20, `only ${runs.length} runs were captured`);
            for (const stub of stubs) {
                assert.ok(!stub.recordedText().includes(apiKey), `the stub recorded the key in ${stub.dir}`);
            }
            for (const result of runs) {
                assert.ok(!result.stdout.includes(apiKey) && !result.stderr.includes(apiKey), `a run printed the key:\n${result.stderr}`);
            }
        });

        it("is redacted even when the CLI itself echoes it in an error", async () => {
            const stub = newStub(scenario("classic", { validApiKey: "some-other-key" }));
            // A stand-in CLI that prints the key it was given, as a careless CLI error might.
            fs.writeFileSync(path.join(stub.binDir, "ibmcloud"),
                `#!/bin/sh\nif [ "$1" = login ]; then echo "FAILED: API key $IBMCLOUD_API_KEY is invalid"; exit 1; fi\n` +
                `exec "${process.execPath}" "${path.join(__dirname, "..", "..", "fixtures", "ibmcloud-stub", "ibmcloud.js")}" "$@"\n`, { mode: 0o755 });
            const result = await run(stub, "nlb-dns", "create", nlbSettings("classic", { IBMCLOUD_RETRY_ATTEMPTS: "2" }));
            assertFails(result, /API key \[redacted\] is invalid/);
            assert.ok(!result.stderr.includes(apiKey));
        });
    });
});
