// The ALB check's pure part: reading the ALBs' IPs and where the Ingress domain points, and deciding
// which IngressClass a classic cluster with both kinds of ALB serves.
import { strict as assert } from "assert";
import { albClassProblem, needsDomainTargets, parseAlbList, parseDomainTargets } from "../../../../components/ibm/scripts/alb-check";

const albs = parseAlbList({ alb: [
    { albID: "n1", albType: "public", albBuild: "1.12.4_5384_iks", enable: true, albip: "169.46.10.11" },
    { albID: "t1", albType: "public", albBuild: "3.4.1_6012_iks", enable: true, albip: "169.46.10.12" },
    { albID: "p1", albType: "private", albBuild: "3.4.1_6012_iks", enable: true, albip: "10.0.0.5" },
] });

describe("ALB check: classic domain mapping", () => {
    it("reads `albip` (container-services-go-sdk ALBConfig), empty when absent", () => {
        assert.deepEqual(albs.map((alb) => alb.ip), ["169.46.10.11", "169.46.10.12", "10.0.0.5"]);
        assert.equal(parseAlbList({ alb: [{ albID: "v", albBuild: "3.4.1_1_iks", enable: true }] })[0].ip, "");
    });

    it("reads every IPv4 address of a domain answer whatever its key (the JSON's key names are not published)", () => {
        assert.deepEqual(parseDomainTargets({ targets: ["169.46.10.12"] }), ["169.46.10.12"]);
        assert.deepEqual(parseDomainTargets({ domain: "a.example", registration: { ips: "169.46.10.12, 169.46.10.11" }, status: "OK" }),
            ["169.46.10.11", "169.46.10.12"]);
        assert.deepEqual(parseDomainTargets([{ Target: "169.46.10.12" }, { other: "1.2.3.4.5" }, { v: "300.1.1.1" }]), ["169.46.10.12"]);
        assert.deepEqual(parseDomainTargets({ hostname: "x.lb.appdomain.cloud" }), []);
        assert.deepEqual(parseDomainTargets(null), []);
    });

    it("needs the domain only on classic with both kinds of ALB enabled for the class's type", () => {
        assert.equal(needsDomainTargets({ infrastructure: "classic", ingressClass: "public-iks-traefik", albs }), true);
        assert.equal(needsDomainTargets({ infrastructure: "vpc", ingressClass: "public-iks-traefik", albs }), false);
        assert.equal(needsDomainTargets({ infrastructure: "classic", ingressClass: "private-iks-traefik", albs }), false, "only a Traefik private ALB");
        assert.equal(needsDomainTargets({ infrastructure: "classic", ingressClass: "public-iks-traefik", albs: albs.filter((alb) => alb.id !== "n1") }), false);
    });

    it("serves the class the domain points at, and only that one", () => {
        const input = { cluster: "c", infrastructure: "classic" as const, albs };
        const onTraefik = { name: "d.example", targets: ["169.46.10.12"] };
        assert.equal(albClassProblem({ ...input, ingressClass: "public-iks-traefik", domain: onTraefik }), undefined);
        assert.match(albClassProblem({ ...input, ingressClass: "public-iks-k8s-nginx", domain: onTraefik }) ?? "", /points at the traefik ALBs t1 \(169\.46\.10\.12\).*Fix: pulumi config set --path iks\.alb\.ingressClass public-iks-traefik/);
        const onNginx = { name: "d.example", targets: ["169.46.10.11"] };
        assert.equal(albClassProblem({ ...input, ingressClass: "public-iks-k8s-nginx", domain: onNginx }), undefined);
        assert.match(albClassProblem({ ...input, ingressClass: "public-iks-traefik", domain: onNginx }) ?? "",
            /points at the nginx ALBs n1 \(169\.46\.10\.11\).*--domain d\.example --ip 169\.46\.10\.12/);
        assert.match(albClassProblem({ ...input, ingressClass: "public-iks-traefik", domain: { name: "d.example", targets: ["169.46.10.11", "169.46.10.12"] } }) ?? "",
            /points also at the nginx ALBs.*only part of the traffic/);
        assert.match(albClassProblem({ ...input, ingressClass: "public-iks-traefik", domain: { name: "d.example", targets: ["203.0.113.9"] } }) ?? "",
            /points at none of the traefik ALBs \(169\.46\.10\.12\)/);
    });

    it("without the domain's targets: nginx keeps the domain, as IBM leaves it", () => {
        const input = { cluster: "c", infrastructure: "classic" as const, albs };
        assert.equal(albClassProblem({ ...input, ingressClass: "public-iks-k8s-nginx" }), undefined);
        const refused = albClassProblem({ ...input, ingressClass: "public-iks-traefik" }) ?? "";
        assert.ok(refused.indexOf("ingressClass public-iks-k8s-nginx") < refused.indexOf("ingress domain update")
            && refused.indexOf("ingress domain update") < refused.indexOf("ingress alb disable"), `fixes in order of least disruption: ${refused}`);
        assert.match(refused, /cluster-wide maintenance/);
    });
});
