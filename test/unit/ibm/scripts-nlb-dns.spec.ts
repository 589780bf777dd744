// The IKS command scripts run for real, with node, against a stub `ibmcloud` on PATH that answers
// with IBM's documented JSON shapes: what `pulumi up` and `pulumi destroy` would make them do. This file:
// the `nlb-dns` registration of the gateway: create, adopt, remove, reuse of the recorded subdomain, and the certificate's status.
// (The scripts specs are split so that mocha's parallel workers share them; shared helpers in
// test/support/ibm-scripts.ts.)
import { strict as assert } from "assert";
import { parseResult } from "../../../components/ibm/scripts/nlb-dns";
import { IbmCloudStub, ScriptRun, StubRegistration } from "../../fixtures/ibmcloud-stub/stub";
import {
    assertFails, assertOk, cluster, gatewayHostname, gatewayIp, itRecordsNoApiKey, nlbSettings, ours, scenario, scriptSession, unrelated,
} from "../../support/ibm-scripts";

describe("IKS scripts against a stub ibmcloud: nlb-dns registration, adoption, removal and the certificate's status", function () {
    this.timeout(60000);
    const session = scriptSession();
    const { newStub, run } = session;

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

    describe("the API key never leaks", () => {
        itRecordsNoApiKey(session, 15);
    });
});
