// The pure parts of the IKS integration, without mocks: the parsers the scripts run on ibmcloud's
// JSON (both `nlb-dns ls` shapes, both `cluster get` layouts), the arguments they build, and the ALB
// objects' specs. Test data follows the field names of IBM's container-services-go-sdk.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { rootCertificates } from "tls";
import { parseStackConfig } from "../../../components/config/parse";
import {
    albApps, albExternalPaths, albHosts, albIngressSpec, isTraefikIngressClass, nginxUpstreamTlsAnnotations, serversTransportSpec,
    traefikBackendServiceAnnotations,
} from "../../../components/ibm/alb-spec";
import { ibmCloudEnvironment, scriptCommand, stackCliHome } from "../../../components/ibm/ibmcloud-cli";
import { isLetsEncryptRoot, letsEncryptRootsPem } from "../../../components/ibm/lets-encrypt-roots";
import { loadBalancerAddress } from "../../../components/ibm/load-balancer";
import { albClassProblem, albController, parseAlbList, parseLoadBalancerBackend } from "../../../components/ibm/scripts/alb-check";
import {
    isSecretsManagerCrn, parseDomainResult, parseIngressDomain, parseInstanceList, parseSecretCrn, parseSecretList, parseSecretResult,
} from "../../../components/ibm/scripts/alb-ingress";
import { chooseApiKey, hasContainerServicePlugin, parseCliJson, redact } from "../../../components/ibm/scripts/ibmcloud";
import {
    attachArgs, certificateReady, certificateState, createArgs, findRegistration, findReusable, formatResult, parseAddress, parseIpList, parseNlbList, parseResult,
    removeArgs, secretRegenerateArgs, secretRemoveArgs,
} from "../../../components/ibm/scripts/nlb-dns";
import { classifyFailure, requiredRole } from "../../../components/ibm/scripts/cli-failures";
import { projectRoot } from "../../harness/program";

/** `nlb-dns ls --output json` on a classic cluster (NlbConfig): flat objects. */
const classicListing = [
    {
        clusterID: "c0ffee", nlbHost: "mycluster-a1b2-0000.us-south.containers.appdomain.cloud", nlbIPArray: ["169.46.1.1"],
        nlbType: "public", nlbDnsType: "public", secretNamespace: "default", nlbMonitorState: "None",
        nlbSslSecretName: "mycluster-a1b2-0000", nlbSslSecretStatus: "created",
    },
    {
        clusterID: "c0ffee", nlbHost: "mycluster-a1b2-0001.us-south.containers.appdomain.cloud", nlbIPArray: ["169.46.2.2", "169.46.3.3"],
        nlbType: "public", nlbDnsType: "public", secretNamespace: "istio-system", nlbMonitorState: "None",
        nlbSslSecretName: "mycluster-a1b2-0001", nlbSslSecretStatus: "pending",
    },
];

/** The same on VPC (NlbVPCListConfig): the subdomain wrapped in `Nlb`, the secret beside it. */
const vpcListing = [
    {
        Nlb: {
            cluster: "c0ffee", dnsType: "public", lbHostname: "aaaa1111-us-south.lb.appdomain.cloud", nlbIPArray: [],
            nlbSubdomain: "mycluster-a1b2-0000.us-south.containers.appdomain.cloud", secretNamespace: "default", type: "public",
        },
        secretName: "mycluster-a1b2-0000", secretStatus: "created",
    },
    {
        Nlb: {
            cluster: "c0ffee", dnsType: "public", lbHostname: "bbbb2222-us-south.lb.appdomain.cloud", nlbIPArray: [],
            nlbSubdomain: "mycluster-a1b2-0001.us-south.containers.appdomain.cloud", secretNamespace: "istio-system", type: "public",
        },
        secretName: "mycluster-a1b2-0001", secretStatus: "created",
    },
];

describe("IKS parsers: nlb-dns ls", () => {
    it("reads the classic shape", () => {
        const [first, second] = parseNlbList(classicListing);
        assert.deepEqual(second, {
            shape: "classic", subdomain: "mycluster-a1b2-0001.us-south.containers.appdomain.cloud", ips: ["169.46.2.2", "169.46.3.3"],
            lbHostname: undefined, secretName: "mycluster-a1b2-0001", secretStatus: "pending", secretNamespace: "istio-system",
        });
        assert.equal(first.secretStatus, "created");
    });

    it("reads the VPC shape", () => {
        const [, second] = parseNlbList(vpcListing);
        assert.deepEqual(second, {
            shape: "vpc", subdomain: "mycluster-a1b2-0001.us-south.containers.appdomain.cloud", ips: [],
            lbHostname: "bbbb2222-us-south.lb.appdomain.cloud", secretName: "mycluster-a1b2-0001", secretStatus: "created",
            secretNamespace: "istio-system",
        });
    });

    it("reads classic nlbIP as a JSON-encoded list, or a comma-separated one", () => {
        const [encoded] = parseNlbList([{ nlbHost: "x.example.com", nlbIP: JSON.stringify(["169.1.1.1", "169.2.2.2"]), nlbSslSecretStatus: "created" }]);
        assert.deepEqual(encoded.ips, ["169.1.1.1", "169.2.2.2"]);
        assert.deepEqual(parseIpList("169.1.1.1, 169.2.2.2"), ["169.1.1.1", "169.2.2.2"]);
        assert.deepEqual(parseIpList("[\"169.1.1.1\"]"), ["169.1.1.1"]);
    });

    it("reuses only the subdomain this stack recorded, never another empty one", () => {
        const listing = parseNlbList([
            { ...classicListing[0], nlbHost: "a-0001.example", nlbIPArray: [], secretNamespace: "default" },
            { ...classicListing[0], nlbHost: "a-0002.example", nlbIPArray: [], secretNamespace: "istio-system", nlbSslSecretName: "" },
            { ...classicListing[0], nlbHost: "a-0003.example", nlbIPArray: [], secretNamespace: "istio-system" },
            { ...classicListing[0], nlbHost: "a-0004.example", nlbIPArray: ["169.9.9.9"], secretNamespace: "istio-system" },
        ]);
        const nlb = { secretNamespace: "istio-system", address: { ip: "169.1.1.1" } };
        assert.equal(findReusable(listing, nlb), undefined, "an empty subdomain in the gateway's namespace is not evidence that it is ours");
        assert.equal(findReusable(listing, nlb, "a-0003.example")?.subdomain, "a-0003.example", "the recorded one");
        assert.equal(findReusable(listing, nlb, "a-0001.example"), undefined, "the recorded one, but its certificate is outside the gateway's namespace");
        assert.equal(findReusable(listing, nlb, "a-0004.example")?.subdomain, "a-0004.example", "the previous subdomain, even in use (a new address replaces the old)");
        assert.equal(findReusable(listing, { ...nlb, address: { hostname: "h.lb" } }), undefined, "a classic subdomain takes no hostname");
        assert.deepEqual(attachArgs(listing[2], { cluster: "c", address: { ip: "169.1.1.1" } }),
            ["ks", "nlb-dns", "add", "--cluster", "c", "--ip", "169.1.1.1", "--nlb-host", "a-0003.example"]);
        const [vpc] = parseNlbList([vpcListing[1]]);
        assert.deepEqual(attachArgs(vpc, { cluster: "c", address: { hostname: "h.lb" } }),
            ["ks", "nlb-dns", "replace", "--cluster", "c", "--lb-host", "h.lb", "--nlb-subdomain", vpc.subdomain]);
        assert.deepEqual(secretRemoveArgs(vpc, "c"), ["ks", "nlb-dns", "secret", "rm", "--cluster", "c", "--nlb-subdomain", vpc.subdomain, "-f"],
            "-f: no prompt, which would fail on the closed stdin");
        assert.deepEqual(secretRegenerateArgs(vpc, "c"), ["ks", "nlb-dns", "secret", "regenerate", "--cluster", "c", "--nlb-subdomain", vpc.subdomain]);
    });

    it("tells the shapes apart per entry, accepts null as an empty list, and falls back to nlbIP", () => {
        const mixed = parseNlbList([classicListing[0], vpcListing[1], { nlbHost: "x.example.com", nlbIP: "10.0.0.1,10.0.0.2", nlbSslSecretStatus: "created" }]);
        assert.deepEqual(mixed.map((entry) => entry.shape), ["classic", "vpc", "classic"]);
        assert.deepEqual(mixed[2].ips, ["10.0.0.1", "10.0.0.2"]);
        assert.deepEqual(parseNlbList(null), []);
        assert.throws(() => parseNlbList({ error: "boom" }), /did not print a list/);
    });

    it("finds our registration by our IP or LB hostname and never another load balancer's", () => {
        const classic = parseNlbList(classicListing);
        assert.equal(findRegistration(classic, { ip: "169.46.3.3" })?.subdomain, "mycluster-a1b2-0001.us-south.containers.appdomain.cloud");
        assert.equal(findRegistration(classic, { ip: "169.46.9.9" }), undefined);
        const vpc = parseNlbList(vpcListing);
        assert.equal(findRegistration(vpc, { hostname: "bbbb2222-us-south.lb.appdomain.cloud" })?.secretName, "mycluster-a1b2-0001");
        assert.equal(findRegistration(vpc, { hostname: "cccc3333-us-south.lb.appdomain.cloud" }), undefined);
        assert.equal(findRegistration(vpc, { ip: "169.46.1.1" }), undefined);
    });

    it("prefers the subdomain it created before when the address is listed twice", () => {
        const twice = parseNlbList([classicListing[0], { ...classicListing[1], nlbIPArray: ["169.46.1.1"] }]);
        assert.equal(findRegistration(twice, { ip: "169.46.1.1" })?.secretName, "mycluster-a1b2-0000");
        assert.equal(findRegistration(twice, { ip: "169.46.1.1" }, "mycluster-a1b2-0001.us-south.containers.appdomain.cloud")?.secretName,
            "mycluster-a1b2-0001");
    });

    it("counts a certificate as ready only when its status is created, and reads IBM's other statuses", () => {
        const [ready, pending] = parseNlbList(classicListing);
        assert.equal(certificateReady(ready), true);
        assert.equal(certificateReady(pending), false);
        const withStatus = (status: string) => ({ ...ready, secretStatus: status });
        assert.deepEqual(["created", "creating", "regenerating", "pending", "", "rate_limited", "deleted", "Deleted"].map((status) => certificateState(withStatus(status))),
            ["ready", "issuing", "issuing", "issuing", "issuing", "rate-limited", "deleted", "deleted"]);
        assert.equal(certificateState({ ...ready, secretName: "" }), "issuing", "created but not named yet");
    });

    it("tells IPs from hostnames", () => {
        assert.deepEqual(parseAddress("169.46.1.1"), { ip: "169.46.1.1" });
        assert.deepEqual(parseAddress("2001:db8::1"), { ip: "2001:db8::1" });
        assert.deepEqual(parseAddress("AAAA1111-us-south.lb.appdomain.cloud"), { hostname: "aaaa1111-us-south.lb.appdomain.cloud" });
    });

    it("builds create and rm arguments for both infrastructures", () => {
        assert.deepEqual(createArgs({ infrastructure: "classic", cluster: "c", address: { ip: "1.2.3.4" }, secretNamespace: "istio-system" }),
            ["ks", "nlb-dns", "create", "classic", "--cluster", "c", "--ip", "1.2.3.4", "--secret-namespace", "istio-system", "--type", "public"]);
        assert.deepEqual(createArgs({ infrastructure: "vpc", cluster: "c", address: { hostname: "h.lb" }, secretNamespace: "istio-system" }),
            ["ks", "nlb-dns", "create", "vpc-gen2", "--cluster", "c", "--lb-host", "h.lb", "--secret-namespace", "istio-system", "--type", "public"]);
        assert.deepEqual(createArgs({ infrastructure: "vpc", cluster: "c", address: { hostname: "h.lb" }, secretNamespace: "istio-system", visibility: "private" }).slice(-2),
            ["--type", "private"]);
        assert.throws(() => createArgs({ infrastructure: "classic", cluster: "c", address: { hostname: "h.lb" }, secretNamespace: "n" }),
            /iks\.infrastructure/);
        const [classic] = parseNlbList([classicListing[1]]);
        assert.deepEqual(removeArgs(classic, { cluster: "c", address: { ip: "169.46.2.2" } }),
            ["ks", "nlb-dns", "rm", "classic", "--cluster", "c", "--ip", "169.46.2.2", "--nlb-host", classic.subdomain]);
        const [vpc] = parseNlbList([vpcListing[1]]);
        assert.deepEqual(removeArgs(vpc, { cluster: "c", address: { hostname: "bbbb2222-us-south.lb.appdomain.cloud" } }),
            ["ks", "nlb-dns", "rm", "vpc-gen2", "--cluster", "c", "--nlb-subdomain", vpc.subdomain]);
    });

    it("round-trips the result line, taking the last JSON line and refusing an incomplete one", () => {
        const [registration] = parseNlbList([vpcListing[1]]);
        const line = formatResult(registration, { hostname: "bbbb2222-us-south.lb.appdomain.cloud" });
        assert.deepEqual(parseResult(`progress\n${line}\n`), {
            subdomain: registration.subdomain, secretName: registration.secretName, secretNamespace: "istio-system",
            address: "bbbb2222-us-south.lb.appdomain.cloud",
        });
        const older = JSON.stringify({ subdomain: "s", secretName: "n", secretNamespace: "istio-system" });
        assert.deepEqual(parseResult(older), { subdomain: "s", secretName: "n", secretNamespace: "istio-system" }, "results of older versions have no address");
        assert.throws(() => parseResult(JSON.stringify({ subdomain: "x", secretName: "" , secretNamespace: "n" })), /printed no result line/);
        assert.throws(() => parseResult(undefined), /printed no result line/);
    });
});

describe("IKS: what a failed ibmcloud call means", () => {
    it("tells permission, login, prompt and transient failures apart; anything else is final", () => {
        // IBM's denial, for a missing role and for a context-based restriction alike (issue #24).
        assert.equal(classifyFailure("FAILED\nYou do not have the correct permissions to perform this action, or the context based rules " +
            "prevent the action. Make sure that you have the correct access for the resource, or contact your account administrator. (A0007)"), "permission");
        assert.equal(classifyFailure("FAILED\nsomething else (A0007)"), "permission");
        assert.equal(classifyFailure("FAILED\nThe user is not authorized to perform this action. (403)"), "permission");
        // ibm-cloud-cli-sdk prompt.go on a closed stdin: never retried, whatever the EOF in it.
        assert.equal(classifyFailure("Are you sure? [y/N]> FAILED\nCould not read from input: EOF"), "prompt");
        assert.equal(classifyFailure('Post "https://containers.cloud.ibm.com/global/v2/nlb-dns/deleteSecret": EOF'), "transient");
        assert.equal(classifyFailure("FAILED\nNot logged in. Use 'ibmcloud login' to log in."), "login");
        assert.equal(classifyFailure("FAILED\nSession expired. Log in again."), "login");
        assert.equal(classifyFailure("FAILED\nInternal Server Error. Try again later. (E0001)"), "transient");
        assert.equal(classifyFailure("dial tcp: lookup containers.cloud.ibm.com: i/o timeout"), "transient");
        assert.equal(classifyFailure("FAILED\nThe specified cluster could not be found. (A0006)"), "other");
    });

    it("names the IAM role each command needs", () => {
        assert.match(requiredRole(["ks", "ingress", "secret", "create", "--cluster", "c"]), /^Administrator platform access role/);
        assert.match(requiredRole(["ks", "nlb-dns", "create", "vpc-gen2", "--cluster", "c"]), /^Editor platform access role/);
        assert.match(requiredRole(["ks", "nlb-dns", "secret", "rm", "--cluster", "c"]), /^Editor/);
        assert.match(requiredRole(["ks", "nlb-dns", "ls", "--cluster", "c"]), /^Editor/, "IBM: nlb-dns ls needs Editor");
        assert.match(requiredRole(["ks", "ingress", "secret", "ls", "--cluster", "c"]), /^Administrator/, "IBM: ingress secret ls needs Administrator");
        assert.match(requiredRole(["ks", "ingress", "secret", "get", "--cluster", "c"]), /^Administrator/);
        assert.match(requiredRole(["ks", "cluster", "get", "--cluster", "c"]), /^Viewer/);
        assert.match(requiredRole(["ks", "ingress", "lb", "get", "--cluster", "c"]), /^Viewer/);
    });
});

describe("IKS parsers: ibmcloud output", () => {
    it("reads the Ingress subdomain and secret from both cluster-get layouts", () => {
        const expected = { hostname: "mycluster-a1b2-0000.us-south.containers.appdomain.cloud", secretName: "mycluster-a1b2-0000", secretNamespace: "default" };
        assert.deepEqual(parseIngressDomain({ id: "c0ffee", ingress: { hostname: expected.hostname, secretName: expected.secretName, status: "healthy" } }), expected);
        assert.deepEqual(parseIngressDomain({ id: "c0ffee", ingressHostname: expected.hostname, ingressSecretName: expected.secretName }), expected);
        assert.throws(() => parseIngressDomain({ ingress: { status: "warning", message: "no workers" } }, "IKS cluster c"),
            /IKS cluster c has no Ingress subdomain and secret yet \(Ingress status warning: no workers\)/);
        assert.deepEqual(parseDomainResult(JSON.stringify(expected)), expected);
    });

    it("reads the certificate CRN of an Ingress secret and lists secrets", () => {
        const crn = "crn:v1:bluemix:public:secrets-manager:us-south:a/1:2::secret:3";
        assert.equal(parseSecretCrn({ cluster: "c0ffee", crn, name: "s", namespace: "default", status: "created" }), crn);
        assert.equal(parseSecretCrn({ name: "s", crn: "NO_DEFAULT_INSTANCE" }), "NO_DEFAULT_INSTANCE", "what IBM shows without a default instance");
        assert.throws(() => parseSecretCrn([]), /printed no secret/);
        assert.equal(isSecretsManagerCrn(crn), true);
        assert.equal(isSecretsManagerCrn("NO_DEFAULT_INSTANCE"), false);
        assert.equal(isSecretsManagerCrn("crn:v1:bluemix:public:cloudcerts:us-south:a/1:2:certificate:3"), false, "Certificate Manager, retired");
        assert.deepEqual(parseSecretList([{ cluster: "c", crn, name: "s", namespace: "istio-system" }, { crn }]), [{ name: "s", namespace: "istio-system", crn }]);
        assert.deepEqual(parseSecretList(null), []);
        assert.deepEqual(parseSecretResult(JSON.stringify({ mode: "secrets-manager", name: "s", namespace: "n", crn })),
            { mode: "secrets-manager", name: "s", namespace: "n", crn });
        assert.deepEqual(parseSecretResult(JSON.stringify({ mode: "kubernetes-copy", name: "s", namespace: "n", crn: "" })),
            { mode: "kubernetes-copy", name: "s", namespace: "n", crn: "" });
        assert.throws(() => parseSecretResult(JSON.stringify({ mode: "other", name: "s", namespace: "n" })), /unknown mode/);
    });

    it("takes the first of comma-separated Ingress hostnames and secret names, as IBM's own scripts do", () => {
        assert.deepEqual(parseIngressDomain({ ingress: { hostname: "a.example.cloud, b.example.cloud", secretName: "a-0000,b-0000" } }),
            { hostname: "a.example.cloud", secretName: "a-0000", secretNamespace: "default" });
    });

    it("reads Secrets Manager instances (bluemix-go Instance) and finds the default", () => {
        assert.deepEqual(parseInstanceList([{ cluster: "c", name: "sm", crn: "crn:v1:sm", isDefault: true, type: "secrets-manager", status: "created" }, {}]),
            [{ name: "sm", crn: "crn:v1:sm", isDefault: true }]);
        assert.deepEqual(parseInstanceList(null), []);
        assert.throws(() => parseInstanceList({}), /did not print a list/);
    });

    it("reads ALBs (bluemix-go ClusterALB) and tells Traefik builds from ingress-nginx ones", () => {
        const albs = parseAlbList({ id: "c", alb: [
            { albID: "public-crc-alb1", albType: "public", albBuild: "1.12.4_5384_iks", enable: true },
            { albID: "public-crc-alb2", albType: "public", albBuild: "3.4.1_6012_iks", enable: false },
        ] });
        assert.deepEqual(albs.map((alb) => [alb.id, alb.controller, alb.enabled]), [["public-crc-alb1", "nginx", true], ["public-crc-alb2", "traefik", false]]);
        assert.equal(albController("2.0.0_1_iks"), "unknown");
        assert.equal(albController("0.49.3_2001_iks"), "nginx", "0.x builds are ingress-nginx too");
        assert.throws(() => parseAlbList([]), /no "alb" list/);
    });

    it("reads which ALBs a VPC load balancer forwards to, and says nothing when the answer does not", () => {
        assert.equal(parseLoadBalancerBackend({ cluster: "c", type: "public", backend: "traefik" }), "traefik");
        assert.equal(parseLoadBalancerBackend([{ type: "private", backend: "traefik" }, { type: "public", backend: "nginx" }]), "nginx");
        assert.equal(parseLoadBalancerBackend({ publicBackend: "traefik", privateBackend: "nginx" }), "traefik");
        assert.equal(parseLoadBalancerBackend({ publicBackend: "traefik", privateBackend: "nginx" }, "private"), "nginx");
        assert.equal(parseLoadBalancerBackend({ cluster: "c", type: "public", proxyProtocol: { enable: false } }), undefined);
    });

    it("finds no problem when an enabled ALB of the class's controller serves it", () => {
        const albs = parseAlbList({ alb: [{ albID: "a", albType: "public", albBuild: "3.4.1_1_iks", enable: true }] });
        assert.equal(albClassProblem({ cluster: "c", infrastructure: "classic", ingressClass: "public-iks-traefik", albs }), undefined);
        assert.match(albClassProblem({ cluster: "c", infrastructure: "vpc", ingressClass: "public-iks-traefik", albs, backend: "nginx" }) ?? "",
            /--public-backend traefik/);
    });

    it("finds the container-service plugin by name or by its `ks` alias", () => {
        assert.equal(hasContainerServicePlugin([{ Name: "container-service", Aliases: ["kubernetes-service", "ks"] }]), true);
        assert.equal(hasContainerServicePlugin([{ Name: "kubernetes-service", Aliases: ["ks"] }]), true);
        assert.equal(hasContainerServicePlugin([{ Name: "vpc-infrastructure", Aliases: ["is"] }]), false);
        assert.equal(hasContainerServicePlugin(null), false);
    });

    it("picks the API key: an up the stack's, a delete the current environment's, and says when they differ", () => {
        const both = { IKS_MESH_API_KEY: "stored", IBMCLOUD_API_KEY: "current" };
        assert.deepEqual(chooseApiKey(both, false), { apiKey: "stored", source: { from: "stack", differs: true }, secrets: ["stored", "current"] });
        assert.deepEqual(chooseApiKey(both, true), { apiKey: "current", source: { from: "environment", differs: true }, secrets: ["stored", "current"] });
        assert.equal(chooseApiKey({ IKS_MESH_API_KEY: "stored" }, true).apiKey, "stored", "no current key: the stored one");
        assert.equal(chooseApiKey({ IBMCLOUD_API_KEY: "current" }, false).apiKey, "current", "no iks.apiKey: the environment's");
        assert.equal(chooseApiKey({ IKS_MESH_API_KEY: "same", IBMCLOUD_API_KEY: "same" }, true).source.differs, false);
        assert.equal(chooseApiKey({ IBMCLOUD_API_KEY: "  " }, true).apiKey, undefined, "an empty variable is no key");
    });

    it("reads JSON after a CLI notice, and redacts every occurrence of a secret", () => {
        assert.deepEqual(parseCliJson("Notice: a new version is available\n[{\"a\":1}]\n"), [{ a: 1 }]);
        assert.throws(() => parseCliJson("FAILED\nnot json"), /expected JSON/);
        assert.equal(redact("key k3y and again k3y", ["k3y", undefined]), "key [redacted] and again [redacted]");
    });
});

describe("IKS pure helpers", () => {
    it("takes the load balancer's IP on classic and its hostname on VPC", () => {
        const ip = { loadBalancer: { ingress: [{ ip: "169.46.1.1" }] } };
        const hostname = { loadBalancer: { ingress: [{ hostname: "aaaa1111-us-south.lb.appdomain.cloud" }] } };
        assert.equal(loadBalancerAddress(ip, "classic", "istio-system/istio-ingressgateway"), "169.46.1.1");
        assert.equal(loadBalancerAddress(hostname, "vpc", "istio-system/istio-ingressgateway"), "aaaa1111-us-south.lb.appdomain.cloud");
        assert.throws(() => loadBalancerAddress(hostname, "classic", "istio-system/istio-ingressgateway"), /that is a VPC cluster/);
        assert.throws(() => loadBalancerAddress({}, "classic", "istio-system/istio-ingressgateway"),
            /istio-system\/istio-ingressgateway has no load-balancer IP yet/);
        assert.throws(() => loadBalancerAddress(undefined, "vpc", "s"), /no load-balancer hostname yet/);
    });

    it("selects Let's Encrypt's ISRG roots from Node's root store: X1 and X2 today, YR and YE once Node ships them", () => {
        const pem = letsEncryptRootsPem();
        const certificates = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
        const names = certificates.map((certificate) => new X509Certificate(certificate).subject.split("\n").find((part) => part.startsWith("CN=")));
        assert.ok(names.includes("CN=ISRG Root X1") && names.includes("CN=ISRG Root X2"), names.join(", "));
        assert.ok(names.every((name) => ["CN=ISRG Root X1", "CN=ISRG Root X2", "CN=ISRG Root YR", "CN=ISRG Root YE"].includes(name ?? "")), names.join(", "));
        for (const certificate of certificates) {
            assert.ok(rootCertificates.some((root) => root.trim() === certificate.trim()), "taken verbatim from the bundled store");
        }
        const withoutIsrg = rootCertificates.filter((root) => !new X509Certificate(root).subject.includes('ISRG'));
        assert.throws(() => letsEncryptRootsPem(withoutIsrg), /has none of ISRG Root X1, ISRG Root X2, ISRG Root YR, ISRG Root YE/);
    });

    it("recognises the ISRG roots by organisation and name: the Generation Y roots too, a look-alike name never", () => {
        const subject = (cn: string, o = "Internet Security Research Group") => `C=US\nO=${o}\nCN=${cn}`;
        assert.deepEqual(["ISRG Root X1", "ISRG Root X2", "ISRG Root YR", "ISRG Root YE"].map((cn) => isLetsEncryptRoot(subject(cn))), [true, true, true, true]);
        assert.equal(isLetsEncryptRoot(subject("ISRG Root X1", "Someone Else")), false, "the name alone is not enough");
        assert.equal(isLetsEncryptRoot(subject("ISRG Root X3")), false);
        assert.equal(isLetsEncryptRoot(subject("R13")), false, "an intermediate");
    });

    it("builds relative command lines and an environment whose only secret is the API key", async () => {
        assert.equal(scriptCommand("nlb-dns", "create"), "node components/ibm/scripts/require-node.cjs && " +
            "node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON components/ibm/scripts/run.ts nlb-dns create");
        assert.throws(() => scriptCommand("nlb-dns", "create; rm -rf /"), /plain word/);
        assert.equal(stackCliHome("prod"), ".ibmcloud/prod");
        const pulumi = await import("@pulumi/pulumi");
        const environment = ibmCloudEnvironment({ cluster: "c", region: "us-south", stack: "prod", apiKey: pulumi.secret("k") });
        // Stored under a name of its own, so that a delete still sees the operator's current IBMCLOUD_API_KEY.
        assert.deepEqual(Object.keys(environment).sort(), [
            "IBMCLOUD_COLOR", "IBMCLOUD_VERSION_CHECK", "IKS_CLUSTER", "IKS_MESH_API_KEY", "IKS_MESH_IBMCLOUD_HOME", "IKS_REGION",
        ]);
        assert.equal(await (environment.IKS_MESH_API_KEY as any).isSecret, true);
        assert.equal(ibmCloudEnvironment({ cluster: "c", region: "us-south", stack: "prod", skipCloudCleanup: true }).IKS_MESH_SKIP_CLOUD_CLEANUP, "true");
        assert.equal("IKS_MESH_SKIP_CLOUD_CLEANUP" in ibmCloudEnvironment({ cluster: "c", region: "us-south", stack: "prod" }), false,
            "stored only when true, so that the variable in a destroy's own environment is not hidden");
        assert.equal(environment.IKS_MESH_IBMCLOUD_HOME, ".ibmcloud/prod");
        assert.deepEqual(Object.keys(ibmCloudEnvironment({ cluster: "c", region: "us-south", stack: "prod" })).includes("IBMCLOUD_API_KEY"), false);
    });
});

describe("ALB specs", () => {
    it("recognises IBM's Traefik classes and only those", () => {
        assert.equal(isTraefikIngressClass("public-iks-traefik"), true);
        assert.equal(isTraefikIngressClass("private-iks-traefik"), true);
        assert.equal(isTraefikIngressClass("public-iks-k8s-nginx"), false);
        assert.equal(isTraefikIngressClass("traefik-public"), false);
    });

    it("serves one host per enabled sample under the Ingress subdomain", () => {
        assert.deepEqual(albApps(parseStackConfig({})), ["wordpress", "bookinfo", "httpbin"]);
        assert.deepEqual(albApps(parseStackConfig({ wordpress: { enabled: false } })), ["bookinfo", "httpbin"]);
        assert.deepEqual(albHosts(["httpbin"], "c-0000.us-south.containers.appdomain.cloud"), ["httpbin.c-0000.us-south.containers.appdomain.cloud"]);
    });

    it("re-encrypts with nginx's proxy-ssl annotations (and none of the retired ingress.bluemix.net ones)", () => {
        const annotations = nginxUpstreamTlsAnnotations({ secretNamespace: "istio-system", secretName: "alb-gateway-upstream", serverName: "nlb.example.com" });
        assert.deepEqual(annotations, {
            "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
            "nginx.ingress.kubernetes.io/proxy-ssl-secret": "istio-system/alb-gateway-upstream",
            "nginx.ingress.kubernetes.io/proxy-ssl-verify": "on",
            "nginx.ingress.kubernetes.io/proxy-ssl-name": "nlb.example.com",
            "nginx.ingress.kubernetes.io/proxy-ssl-server-name": "on",
            "nginx.ingress.kubernetes.io/proxy-ssl-verify-depth": "3",
        });
    });

    it("routes every host to the gateway's HTTPS port with the copied TLS secret", () => {
        const spec = albIngressSpec({ ingressClass: "public-iks-k8s-nginx", hosts: ["a.x", "b.x"], tlsSecretName: "iks-ingress-tls", backendService: "istio-ingressgateway" });
        assert.equal(spec.ingressClassName, "public-iks-k8s-nginx");
        assert.deepEqual(spec.tls, [{ hosts: ["a.x", "b.x"], secretName: "iks-ingress-tls" }]);
        assert.deepEqual(spec.rules.map((rule) => rule.host), ["a.x", "b.x"]);
        for (const rule of spec.rules) {
            assert.deepEqual(rule.http.paths, [{ path: "/", pathType: "Prefix", backend: { service: { name: "istio-ingressgateway", port: { number: 443 } } } }]);
        }
    });

    it("gives Traefik the same trust and client certificate through a ServersTransport on the backend Service", () => {
        assert.deepEqual(serversTransportSpec({ serverName: "nlb.example.com", upstreamSecret: "alb-gateway-upstream" }), {
            serverName: "nlb.example.com", rootCAs: [{ secret: "alb-gateway-upstream" }], certificatesSecrets: ["alb-gateway-upstream"],
        });
        assert.deepEqual(traefikBackendServiceAnnotations("istio-system", "alb-to-gateway"), {
            "traefik.ingress.kubernetes.io/service.serversscheme": "https",
            "traefik.ingress.kubernetes.io/service.serverstransport": "istio-system-alb-to-gateway@kubernetescrd",
        });
    });

    it("describes the ALB hop for the mTLS analysis only when the ALB path is on", () => {
        const on = parseStackConfig({ iks: { enabled: true, cluster: "c", region: "us-south" } });
        assert.deepEqual(albExternalPaths(on, "istio-ingressgateway:443"),
            [{ name: "IKS ALB (public-iks-traefik)", protocol: "HTTPS", target: "istio-ingressgateway:443" }]);
        assert.deepEqual(albExternalPaths(parseStackConfig({}), "istio-ingressgateway:443"), []);
        assert.deepEqual(albExternalPaths(parseStackConfig({ iks: { enabled: true, cluster: "c", region: "us-south", alb: { enabled: false } } }),
            "istio-ingressgateway:443"), []);
    });
});

describe("IKS scripts as TypeScript that Node runs directly", function () {
    this.timeout(120000);
    it("use only erasable syntax and mark type-only imports: npm test type-checks them under components/ibm/scripts/tsconfig.json", () => {
        // That tsc runs beside mocha in npm test (scripts/type-check-alongside.cjs, test/tools/type-check-alongside.spec.ts),
        // with the project's own, instead of in this spec: a script that breaks the stricter check fails npm test with tsc's message.
        const test = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.test;
        assert.match(test, /\bnode scripts\/type-check-alongside\.cjs (?:\S+ )*components\/ibm\/scripts (?:\S+ )*-- /);
        const config = fs.readFileSync(path.join(projectRoot, "components", "ibm", "scripts", "tsconfig.json"), "utf8");
        assert.match(config, /"include": \["\.\/\*\.ts"\]/);
    });

    it("the strict check fails on syntax Node cannot strip", () => {
        const dir = fs.mkdtempSync(path.join(projectRoot, "components", "ibm", "scripts", ".check-"));
        try {
            // No @types here (the file needs none, and parsing @types/node is most of a tsc run): the options under test are the extended ones.
            fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: "../tsconfig.json", compilerOptions: { types: [] }, include: ["./*.ts"] }));
            fs.writeFileSync(path.join(dir, "bad.ts"), "export enum Shape { Classic, Vpc }\n");
            assert.throws(() => execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "--noEmit", "-p", dir],
                { cwd: projectRoot, stdio: "pipe" }), (error: any) => String(error.stdout).includes('TS1294'));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("no hand-written declaration file is left beside them", () => {
        const files = fs.readdirSync(path.join(projectRoot, "components", "ibm", "scripts"));
        assert.deepEqual(files.filter((file) => file.endsWith(".d.ts") || file.endsWith(".js")), []);
    });
});
