// The IKS command scripts run for real, with node, against a stub `ibmcloud` on PATH that answers
// with IBM's documented JSON shapes: what `pulumi up` and `pulumi destroy` would make them do. This file:
// `alb-ingress`: the Ingress domain, the certificate copy by CRN or as a Kubernetes copy, the ALB class check, and the IAM each mode needs.
// (The scripts specs are split so that mocha's parallel workers share them; shared helpers in
// test/support/ibm-scripts.ts.)
import { strict as assert } from "assert";
import * as path from "path";
import { IbmCloudStub, runProcess } from "../../fixtures/ibmcloud-stub/stub";
import {
    assertFails, assertOk, cliSettings, cluster, copySettings, crnCopySettings, itRecordsNoApiKey, scenario, scriptSession,
} from "../../support/ibm-scripts";

describe("IKS scripts against a stub ibmcloud: alb-ingress and the Secrets Manager mode", function () {
    this.timeout(60000);
    const session = scriptSession();
    const { newStub, run } = session;

    describe("alb-ingress", () => {

        for (const layout of ["current", "legacy"] as const) {
            it(`domain reads the Ingress subdomain and secret from \`cluster get\` (${layout} layout)`, async () => {
                const state = scenario("classic");
                state.clusters[cluster].layout = layout;
                const stub = newStub(state);
                const result = await run(stub, "alb-ingress", "domain", cliSettings());
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
            assertFails(await run(stub, "alb-ingress", "domain", cliSettings()),
                /IKS cluster mesh-cluster has no Ingress subdomain and secret yet \(Ingress status pending\).*iks\.alb\.enabled false/);
        });

        it("secret-create copies the Ingress certificate by CRN into the gateway namespace, adopts on a second run, and delete is idempotent", async () => {
            const stub = newStub(scenario("classic"));
            const crn = stub.state().ingressSecrets[cluster][0].crn;
            const first = await run(stub, "alb-ingress", "secret-create", crnCopySettings());
            assertOk(first, "secret-create");
            assert.deepEqual(JSON.parse(first.stdout), { mode: "secrets-manager", name: "iks-ingress-tls", namespace: "istio-system", crn });
            assert.deepEqual(stub.callsOf("ks", "ingress", "instance", "ls")[0].argv, ["ks", "ingress", "instance", "ls", "--cluster", cluster, "--output", "json"]);
            assert.deepEqual(stub.callsOf("ks", "ingress", "secret", "get")[0].argv, ["ks", "ingress", "secret", "get", "--cluster", cluster,
                "--name", "mesh-cluster-0000", "--namespace", "default", "--output", "json"]);
            assert.deepEqual(stub.callsOf("ks", "ingress", "secret", "create").map((call) => call.argv), [["ks", "ingress", "secret", "create",
                "--cluster", cluster, "--cert-crn", crn, "--name", "iks-ingress-tls", "--namespace", "istio-system"]]);

            assertOk(await run(stub, "alb-ingress", "secret-create", crnCopySettings()), "second secret-create");
            assert.equal(stub.callsOf("ks", "ingress", "secret", "create").length, 1, "adopted, not created twice");

            assertOk(await run(stub, "alb-ingress", "secret-delete", crnCopySettings()), "secret-delete");
            assert.deepEqual(stub.callsOf("ks", "ingress", "secret", "rm").map((call) => call.argv), [["ks", "ingress", "secret", "rm",
                "--cluster", cluster, "--name", "iks-ingress-tls", "--namespace", "istio-system"]]);
            assert.deepEqual(stub.state().ingressSecrets[cluster].map((secret) => `${secret.namespace}/${secret.name}`), ["default/mesh-cluster-0000"]);
            assertOk(await run(stub, "alb-ingress", "secret-delete", crnCopySettings()), "second secret-delete");
            assert.equal(stub.callsOf("ks", "ingress", "secret", "rm").length, 1);
        });

        it("without a default Secrets Manager instance, secret-create makes no CRN copy and hands over to the stack's Kubernetes copy", async () => {
            const stub = newStub(scenario("classic", { instances: { [cluster]: [{ name: "other", crn: "crn:v1:x", isDefault: false }] } }));
            const result = await run(stub, "alb-ingress", "secret-create", crnCopySettings({ ALB_KUBERNETES_COPY_SECRET: "iks-ingress-tls-copy" }));
            assertOk(result, "secret-create");
            assert.deepEqual(JSON.parse(result.stdout), { mode: "kubernetes-copy", name: "iks-ingress-tls-copy", namespace: "istio-system", crn: "" });
            assert.equal(stub.callsOf("ks", "ingress", "secret", "create").length, 0, "IBM refuses a CRN copy without Secrets Manager");
            assert.match(result.stderr, /no default Secrets Manager instance: the ALB serves a Kubernetes copy \(istio-system\/iks-ingress-tls-copy\) of default\/mesh-cluster-0000, refreshed on every pulumi up/);
            assertOk(await run(stub, "alb-ingress", "secret-delete", crnCopySettings()), "secret-delete has nothing to remove");
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
                run(stub, "alb-ingress", "domain", cliSettings({ ALB_INGRESS_CLASS: ingressClass, IKS_INFRASTRUCTURE: infrastructure }));

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
            assertFails(await run(stub, "alb-ingress", "secret-create", crnCopySettings()),
                /Ingress secret istio-system\/iks-ingress-tls already exists for another certificate \(crn:v1:other\)/);
        });
    });

    describe("IAM that matches the mode: `ingress secret` needs Administrator", () => {
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
            const settings = copySettings();
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

    describe("the API key never leaks", () => {
        itRecordsNoApiKey(session, 10);
    });
});
