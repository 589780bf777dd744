// The classic ALB check against the stub `ibmcloud`, with ALBs of both controllers enabled: IBM's
// "Option 1: Update the domain mapping" (`ingress domain update --ip <Traefik ALB IP>`, the ingress-nginx
// ALBs still enabled) must pass for the Traefik class, and whichever class the domain does not point at
// is refused with the fixes in IBM's order of least disruption (IBM's "Migrating from Ingress-NGINX to
// Traefik", Making the switch, classic clusters).
import { strict as assert } from "assert";
import * as path from "path";
import { StubAlb, runProcess } from "../../fixtures/ibmcloud-stub/stub";
import { assertFails, assertOk, cliSettings, stubCluster, stubIngressSubdomain, stubScenario } from "../../support/ibm-stub-scenario";
import { scriptSession } from "../../support/ibm-scripts";

const nginxAlb: StubAlb = { albID: "public-crc0ffee-alb1", albBuild: "1.12.4_5384_iks", enable: true, albip: "169.46.10.11" };
const traefikAlb: StubAlb = { albID: "public-crc0ffee-alb2", albBuild: "3.4.1_6012_iks", enable: true, albip: "169.46.10.12" };

describe("the classic ALB check reads where the Ingress domain points", function () {
    this.timeout(60000);
    const session = scriptSession();

    const withAlbs = (albs: StubAlb[]) => {
        const state = stubScenario("classic");
        state.clusters[stubCluster].albs = albs;
        return session.newStub(state);
    };
    const check = (stub: ReturnType<typeof withAlbs>, ingressClass: string) =>
        session.run(stub, "alb-ingress", "domain", cliSettings({ ALB_INGRESS_CLASS: ingressClass, IKS_INFRASTRUCTURE: "classic" }));
    /** An operator's own CLI call (the stub's `ibmcloud`), as IBM's migration steps run it. */
    const operator = async (stub: ReturnType<typeof withAlbs>, args: string[]) => {
        const result = await runProcess(path.join(stub.binDir, "ibmcloud"), args, stub.environment({}), stub.workDir);
        assert.equal(result.code, 0, result.stdout);
    };

    it("before the switch the domain points at the ingress-nginx ALB: Traefik refused, the nginx class first among the fixes", async () => {
        const stub = withAlbs([nginxAlb, traefikAlb]);
        const refused = await check(stub, "public-iks-traefik");
        assertFails(refused, new RegExp(`Ingress domain ${stubIngressSubdomain.replace(/\./g, "\\.")} of cluster mesh-cluster points at the nginx ALBs ` +
            "public-crc0ffee-alb1 \\(169\\.46\\.10\\.11\\).*would get no traffic\\. Fix: first choice: .*ingressClass public-iks-k8s-nginx; " +
            "or, as cluster-wide maintenance steps.*: ibmcloud ks ingress domain update --cluster mesh-cluster " +
            `--domain ${stubIngressSubdomain.replace(/\./g, "\\.")} --ip 169\\.46\\.10\\.12; ` +
            "or disable the ingress-nginx ALBs, which stops every Ingress they serve: ibmcloud ks ingress alb disable classic --alb public-crc0ffee-alb1"));
        assert.deepEqual(stub.callsOf("ks", "ingress", "domain", "get").map((call) => call.argv),
            [["ks", "ingress", "domain", "get", "--cluster", stubCluster, "--domain", stubIngressSubdomain, "--output", "json"]]);
        assertOk(await check(stub, "public-iks-k8s-nginx"), "the nginx class");
    });

    it("after IBM's `ingress domain update --ip <Traefik ALB IP>`, with the nginx ALB still enabled, the Traefik class passes and the nginx class is refused", async () => {
        const stub = withAlbs([nginxAlb, traefikAlb]);
        await operator(stub, ["ks", "ingress", "domain", "update", "--cluster", stubCluster, "--domain", stubIngressSubdomain, "--ip", traefikAlb.albip!]);
        const served = await check(stub, "public-iks-traefik");
        assertOk(served, "the Traefik class after the domain update");
        assert.match(served.stderr, /Ingress domain \S+ points at 169\.46\.10\.12/);
        assert.equal(JSON.parse(served.stdout).hostname, stubIngressSubdomain);
        assert.equal(stub.state().clusters[stubCluster].albs?.find((alb) => alb.albID === nginxAlb.albID)?.enable, true, "no ALB was disabled");
        assertFails(await check(stub, "public-iks-k8s-nginx"),
            /points at the traefik ALBs public-crc0ffee-alb2 \(169\.46\.10\.12\).*Fix: pulumi config set --path iks\.alb\.ingressClass public-iks-traefik/);
    });

    it("a domain on both kinds of ALB gives the Traefik class only part of the traffic: refused", async () => {
        const stub = withAlbs([nginxAlb, traefikAlb]);
        await operator(stub, ["ks", "ingress", "domain", "update", "--cluster", stubCluster, "--domain", stubIngressSubdomain,
            "--ip", nginxAlb.albip!, "--ip", traefikAlb.albip!]);
        assertFails(await check(stub, "public-iks-traefik"), /points also at the nginx ALBs public-crc0ffee-alb1 \(169\.46\.10\.11\).*only part of the traffic/);
    });

    it("with the nginx ALBs disabled (IBM's Option 2) no domain read is needed", async () => {
        const stub = withAlbs([{ ...nginxAlb, enable: false }, traefikAlb]);
        assertOk(await check(stub, "public-iks-traefik"), "Traefik only");
        assert.deepEqual(stub.callsOf("ks", "ingress", "domain"), []);
    });

    it("when the domain cannot be read, the Traefik class is refused as IBM leaves the domain, and the nginx class passes", async () => {
        const state = stubScenario("classic", { failures: { "ks ingress domain get": { count: 10, message: "The specified domain could not be found. (E3011)" } } });
        state.clusters[stubCluster].albs = [nginxAlb, traefikAlb];
        const stub = session.newStub(state);
        const refused = await check(stub, "public-iks-traefik");
        assertFails(refused, /no IP of the Ingress domain \S+ could be read, so it is taken to point at them.*Fix: first choice/);
        assert.match(refused.stderr, /could not read where Ingress domain \S+ points/);
        assertOk(await check(stub, "public-iks-k8s-nginx"), "the nginx class");
    });

    it("a denied `ingress domain get` stops at once with A0007", async () => {
        const state = stubScenario("classic", { denied: { "ks ingress domain get": true } });
        state.clusters[stubCluster].albs = [nginxAlb, traefikAlb];
        const stub = session.newStub(state);
        assertFails(await check(stub, "public-iks-traefik"), /A0007/);
        assert.equal(stub.callsOf("ks", "ingress", "domain", "get").length, 1);
    });

    it("VPC: the published `ingress load-balancer get` answer (cluster, type, proxyProtocol) names no backend: the check says so and goes on", async () => {
        const state = stubScenario("vpc");
        state.clusters[stubCluster].albs = [{ ...nginxAlb, albip: undefined }, { ...traefikAlb, albip: undefined }];
        const stub = session.newStub(state);
        const result = await session.run(stub, "alb-ingress", "domain", cliSettings({ ALB_INGRESS_CLASS: "public-iks-traefik", IKS_INFRASTRUCTURE: "vpc" }));
        assertOk(result, "domain on VPC");
        assert.match(result.stderr, /ingress load-balancer get does not say which ALBs the load balancer forwards to; assuming public-iks-traefik's/);
        assert.deepEqual(stub.callsOf("ks", "ingress", "domain"), [], "VPC ALBs are reached through the load balancer, not the domain's IPs");
    });
});
