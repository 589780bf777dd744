// The IKS stack under the mock engine: which command resources and ALB objects exist, what they
// carry (no secret in a command line, no absolute path in stored state), how the Gateway gets its
// host and credential from the NLB command's output, and that nothing IBM-specific exists when
// iks.enabled is false.
import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../../components/config/parse";
import { scriptCommand } from "../../components/ibm/ibmcloud-cli";
import { letsEncryptRootsPem } from "../../components/ibm/lets-encrypt-roots";
import { ProgramRun, RegisteredResource, projectRoot, runProgram, stringsIn } from "../harness/program";
import { customValidators, validateRun } from "../harness/validate";
import { iksApiKey, iksFacts, iksMocks, iksNoSecretsManagerMocks, iksResourceState, iksStackConfig, iksVpcMocks } from "../support/iks-stack";

const commandType = "command:local:Command";
const ingressType = "kubernetes:networking.k8s.io/v1:Ingress";
const secretType = "kubernetes:core/v1:Secret";
const serviceType = "kubernetes:core/v1:Service";
const serversTransportType = "kubernetes:traefik.io/v1alpha1:ServersTransport";
const middlewareType = "kubernetes:traefik.io/v1alpha1:Middleware";
const gatewayType = "kubernetes:networking.istio.io/v1:Gateway";
const releaseType = "kubernetes:helm.sh/v3:Release";

/** The properties of Traefik's ServersTransport CRD (traefik.io/v1alpha1, Traefik v3). */
const serversTransportSpecKeys = [
    "certificatesSecrets", "cipherSuites", "disableHTTP2", "forwardingTimeouts", "insecureSkipVerify", "maxIdleConnsPerHost",
    "maxVersion", "minVersion", "peerCertURI", "rootCAs", "rootCAsSecrets", "serverName", "spiffe",
];

/** The apiVersion, kind and namespaced metadata every Traefik custom resource the stack writes must have. */
function traefikObjectProblems(object: Record<string, any>, kind: string): string[] {
    const problems: string[] = [];
    if (object.apiVersion !== "traefik.io/v1alpha1" || object.kind !== kind) {
        problems.push(`apiVersion/kind ${object.apiVersion}/${object.kind}`);
    }
    if (typeof object.metadata?.name !== "string" || typeof object.metadata?.namespace !== "string") {
        problems.push("metadata.name and metadata.namespace are required");
    }
    return problems;
}

/** No published model covers Traefik's CRDs: this checks ours against the CRD's schema facts. */
function validateServersTransport(object: Record<string, any>): string[] {
    const problems = traefikObjectProblems(object, "ServersTransport");
    const spec = object.spec ?? {};
    for (const key of Object.keys(spec)) {
        if (!serversTransportSpecKeys.includes(key)) {
            problems.push(`spec.${key} is not a ServersTransport field`);
        }
    }
    if (spec.serverName !== undefined && typeof spec.serverName !== "string") {
        problems.push("spec.serverName must be a string");
    }
    for (const rootCa of spec.rootCAs ?? []) {
        const refs = ["secret", "configMap"].filter((key) => typeof rootCa?.[key] === "string");
        if (refs.length !== 1 || Object.keys(rootCa).length !== 1) {
            problems.push(`spec.rootCAs entries name exactly one secret or configMap (got ${JSON.stringify(rootCa)})`);
        }
    }
    if (spec.certificatesSecrets !== undefined && !(Array.isArray(spec.certificatesSecrets) && spec.certificatesSecrets.every((name: unknown) => typeof name === "string"))) {
        problems.push("spec.certificatesSecrets must be a list of Secret names");
    }
    if (spec.insecureSkipVerify === true) {
        problems.push("spec.insecureSkipVerify turns verification of the gateway off");
    }
    return problems;
}
customValidators.set(serversTransportType, validateServersTransport);

/**
 * Traefik's Middleware CRD (traefik.io/v1alpha1), as far as the stack uses it: exactly one middleware
 * kind per object, and `redirectScheme` with the string `scheme`/`port` and boolean `permanent` of
 * traefik/traefik docs/content/reference/dynamic-configuration/traefik.io_middlewares.yaml.
 */
function validateMiddleware(object: Record<string, any>): string[] {
    const problems = traefikObjectProblems(object, "Middleware");
    const kinds = Object.keys(object.spec ?? {});
    if (kinds.length !== 1) {
        problems.push(`a Middleware holds exactly one middleware (got ${kinds.join(", ") || "none"})`);
    }
    const redirect = object.spec?.redirectScheme;
    if (redirect !== undefined) {
        for (const key of Object.keys(redirect)) {
            if (!["scheme", "port", "permanent"].includes(key)) {
                problems.push(`spec.redirectScheme.${key} is not a redirectScheme field`);
            }
        }
        if (typeof redirect.scheme !== "string" || (redirect.port !== undefined && typeof redirect.port !== "string")) {
            problems.push("spec.redirectScheme.scheme (required) and port are strings");
        }
        if (redirect.permanent !== undefined && typeof redirect.permanent !== "boolean") {
            problems.push("spec.redirectScheme.permanent is a boolean");
        }
    }
    return problems;
}
customValidators.set(middlewareType, validateMiddleware);

const iksWith = (iks: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
    ({ ...rest, iks: { ...(iksStackConfig.iks as Record<string, unknown>), ...iks } });

/** A VPC cluster with a private load balancer: one stack for the VPC tests (the harness shares its run). */
const iksVpcPrivate = iksWith({ infrastructure: "vpc", loadBalancer: { visibility: "private" } });

const commandRunning = (run: ProgramRun, pattern: RegExp): RegisteredResource => {
    const found = run.ofType(commandType).filter((command) => pattern.test(String(command.plain.create)));
    assert.equal(found.length, 1, `expected one command matching ${pattern}, got ${found.map((command) => command.name).join(", ")}`);
    return found[0];
};

const named = (run: ProgramRun, type: string, name: string): RegisteredResource | undefined =>
    run.ofType(type).find((resource) => resource.plain.metadata?.name === name);

const pemCommonNames = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [])
    .map((certificate) => new X509Certificate(certificate).subject.split("\n").find((part) => part.startsWith("CN=")));

describe("IKS stack under the mock engine", function () {
    this.timeout(120000);
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(iksStackConfig, { secretSections: ["iks"], ...iksMocks });
    });

    it("prints curl commands for the NLB subdomain that trust IBM's public certificate, not our CA", () => {
        const simple = String(run.outputs.curlSimple.value);
        const mutual = String(run.outputs.curlMutual.value);
        assert.ok(simple.includes(`https://${iksFacts.nlbSubdomain}/`), simple);
        for (const command of [simple, mutual]) {
            assert.doesNotMatch(command, /--cacert|port-forward/);
        }
        assert.match(mutual, /--cert mesh-client\.crt --key mesh-client\.key/);
    });

    describe("command resources", () => {
        it("run the scripts by relative command lines that hold no secret", () => {
            const commands = run.ofType(commandType);
            assert.deepEqual(commands.map((command) => command.plain.create).sort(), [
                scriptCommand("alb-ingress", "certificate-mode"),
                scriptCommand("alb-ingress", "domain"),
                scriptCommand("alb-ingress", "secret-create"),
                scriptCommand("nlb-dns", "create"),
            ]);
            for (const command of commands) {
                for (const field of ["create", "delete"]) {
                    const line = command.plain[field];
                    if (line !== undefined) {
                        assert.match(line, /^node components\/ibm\/scripts\/require-node\.cjs && node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON components\/ibm\/scripts\/run\.ts (nlb-dns|alb-ingress) [a-z-]+$/, `${command.name}.${field}`);
                    }
                }
                assert.equal(command.plain.logging, "stdout", `${command.name}: only the result line is logged`);
            }
            assert.equal(commandRunning(run, /nlb-dns create$/).plain.delete, scriptCommand("nlb-dns", "delete"));
            assert.equal(commandRunning(run, /secret-create$/).plain.delete, scriptCommand("alb-ingress", "secret-delete"));
        });

        it("store no absolute path of this machine (destroy runs with the stored inputs)", () => {
            const machinePaths = [projectRoot, os.tmpdir(), os.homedir(), process.execPath];
            for (const command of run.ofType(commandType)) {
                for (const { text } of stringsIn(command.inputs)) {
                    assert.ok(!text.startsWith("/") && !/^[A-Za-z]:\\/.test(text), `${command.name} stores the absolute path ${text}`);
                    for (const machinePath of machinePaths) {
                        assert.ok(!text.includes(machinePath), `${command.name} stores ${machinePath}`);
                    }
                }
                assert.equal(command.plain.dir, undefined, `${command.name} runs in the project directory`);
            }
        });

        it("carry the API key only as a secret in the environment, beside the CLI settings", () => {
            for (const command of run.ofType(commandType)) {
                const environment = command.plain.environment;
                assert.equal(environment.IKS_MESH_API_KEY, iksApiKey, command.name);
                assert.equal("IBMCLOUD_API_KEY" in environment, false, "not stored as IBMCLOUD_API_KEY, which would hide a destroy's current key");
                assert.equal(environment.IBMCLOUD_COLOR, "false");
                assert.equal(environment.IBMCLOUD_VERSION_CHECK, "false");
                assert.equal(environment.IKS_MESH_IBMCLOUD_HOME, ".ibmcloud/test");
                assert.equal(environment.IKS_CLUSTER, iksFacts.cluster);
                assert.equal(environment.IKS_REGION, iksFacts.region);
                const keyCopies = stringsIn(command.inputs).filter(({ text }) => text.includes(iksApiKey));
                assert.equal(keyCopies.length, 1, `${command.name}: the key appears once`);
                assert.equal(keyCopies[0].secret, true, `${command.name}: the key is a secret`);
            }
        });

        it("let the key appear nowhere else: no other input, no stack output", () => {
            for (const resource of run.resources) {
                const plainCopies = stringsIn(resource.inputs).filter(({ text, secret }) => text.includes(iksApiKey) && !secret);
                assert.deepEqual(plainCopies, [], `${resource.type} ${resource.name}`);
            }
            for (const [name, output] of Object.entries(run.outputs)) {
                assert.ok(output.secret || !JSON.stringify(output.value ?? null).includes(iksApiKey), `stack output ${name}`);
            }
        });
    });

    describe("NLB DNS", () => {
        it("registers the gateway Service's load-balancer IP, read after the gateway release", () => {
            const registration = commandRunning(run, /nlb-dns create$/);
            const environment = registration.plain.environment;
            assert.equal(environment.NLB_ADDRESS, iksFacts.classicIp);
            assert.equal(environment.IKS_INFRASTRUCTURE, "classic");
            assert.equal(environment.NLB_SECRET_NAMESPACE, "istio-system");
            assert.equal(environment.NLB_DNS_TIMEOUT_SECONDS, "900");
            const service = run.ofType(serviceType).find((resource) => resource.read);
            assert.ok(service, "the gateway Service is read, not managed");
            assert.ok(run.dependsOn(service, run.get(releaseType, "istio-ingressgateway")));
            assert.ok(run.dependsOn(registration, run.get(releaseType, "istio-ingressgateway")));
        });

        it("updates (not replaces) the registration when the address changes; another cluster or namespace replaces it", () => {
            const registration = commandRunning(run, /nlb-dns create$/);
            assert.deepEqual(registration.plain.triggers, [iksFacts.cluster, "classic", "istio-system"]);
            assert.equal(registration.plain.environment.NLB_ADDRESS, iksFacts.classicIp, "the address is an input: a change is an update");
            assert.equal(registration.plain.environment.NLB_TYPE, "public");
        });

        it("gives the gateway's load balancer its visibility, and on VPC a stable name", async () => {
            const gatewayRelease = (program: ProgramRun) => run.get(releaseType, "istio-ingressgateway") && program.get(releaseType, "istio-ingressgateway");
            assert.deepEqual(gatewayRelease(run)?.plain.values.service.annotations, {
                "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": "public",
            });
            const vpc = await runProgram(iksVpcPrivate, { secretSections: ["iks"], ...iksVpcMocks });
            assert.deepEqual(gatewayRelease(vpc)?.plain.values.service.annotations, {
                "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": "private",
                "service.kubernetes.io/ibm-load-balancer-cloud-provider-vpc-lb-name": "mesh-cluster-test-istio-gateway",
            });
            assert.equal(commandRunning(vpc, /nlb-dns create$/).plain.environment.NLB_TYPE, "private");
        });

        it("registers the hostname on VPC", async () => {
            // The same stack as the test above (shared run): the address the registration gets does not depend on the visibility.
            const vpc = await runProgram(iksVpcPrivate, { secretSections: ["iks"], ...iksVpcMocks });
            const environment = commandRunning(vpc, /nlb-dns create$/).plain.environment;
            assert.equal(environment.NLB_ADDRESS, iksFacts.vpcHostname);
            assert.equal(environment.IKS_INFRASTRUCTURE, "vpc");
        });
    });

    describe("the Gateway on IKS", () => {
        it("serves the NLB subdomain (and the ALB hosts) with IBM's certificate Secret from the command's output", () => {
            const [gateway] = run.ofType(gatewayType);
            const [https] = gateway.plain.spec.servers;
            const albHosts = ["wordpress", "bookinfo", "httpbin"].map((app) => `${app}.${iksFacts.ingressSubdomain}`);
            assert.deepEqual(https.hosts, [iksFacts.nlbSubdomain, ...albHosts].map((host) => `istio-system/${host}`));
            assert.equal(https.tls.credentialName, iksFacts.nlbSecretName);
            assert.ok(run.dependsOn(gateway, commandRunning(run, /nlb-dns create$/)), "the Gateway waits for the certificate");
            assert.equal(run.outputs.nlbSubdomain.value, iksFacts.nlbSubdomain);
            assert.deepEqual(run.outputs.albHosts.value, albHosts);
        });

        it("requires client certificates from our private CA when the ALB path is on (<secret>-cacert)", () => {
            const [gateway] = run.ofType(gatewayType);
            assert.equal(gateway.plain.spec.servers[0].tls.mode, "MUTUAL");
            const clientCa = named(run, secretType, `${iksFacts.nlbSecretName}-cacert`);
            assert.ok(clientCa, "client CA Secret named after IBM's certificate Secret");
            assert.equal(clientCa.plain.metadata.namespace, "istio-system");
            assert.deepEqual(Object.keys(clientCa.plain.stringData), ["ca.crt"]);
            assert.match(clientCa.plain.stringData["ca.crt"], /certificate of mesh-pki-ca\n/, "our private CA, not Let's Encrypt");
        });

        it("keeps the configured TLS mode and serves only the NLB subdomain when the ALB path is off", async () => {
            const noAlb = await runProgram(iksWith({ alb: { enabled: false } }), { secretSections: ["iks"], ...iksMocks });
            const [https] = noAlb.ofType(gatewayType)[0].plain.spec.servers;
            assert.equal(https.tls.mode, "SIMPLE");
            assert.deepEqual(https.hosts, [`istio-system/${iksFacts.nlbSubdomain}`]);
            assert.equal(https.tls.credentialName, iksFacts.nlbSecretName);
            assert.deepEqual(noAlb.ofType(ingressType), []);
            assert.deepEqual(noAlb.ofType(commandType).map((command) => command.plain.create), [scriptCommand("nlb-dns", "create")]);
            assert.deepEqual(await validateRun(noAlb), []);
        });
    });

    describe("the ALB (ingress-nginx, selectable)", () => {
        let nginx: ProgramRun;
        before(async () => {
            nginx = await runProgram(iksWith({ alb: { ingressClass: "public-iks-k8s-nginx" } }), { secretSections: ["iks"], ...iksMocks });
        });

        it("routes <app>.<ingress subdomain> to istio-ingressgateway:443 with the copied Ingress certificate", () => {
            const ingress = named(nginx, ingressType, "alb-to-gateway");
            assert.ok(ingress);
            assert.equal(ingress.plain.metadata.namespace, "istio-system");
            assert.equal(ingress.plain.spec.ingressClassName, "public-iks-k8s-nginx");
            assert.deepEqual(ingress.plain.spec.tls, [{
                hosts: ["wordpress", "bookinfo", "httpbin"].map((app) => `${app}.${iksFacts.ingressSubdomain}`), secretName: "iks-ingress-tls",
            }]);
            for (const rule of ingress.plain.spec.rules) {
                assert.deepEqual(rule.http.paths[0].backend, { service: { name: "istio-ingressgateway", port: { number: 443 } } });
            }
            assert.ok(nginx.dependsOn(ingress, commandRunning(nginx, /secret-create$/)), "the TLS secret is copied first");
            assert.ok(nginx.dependsOn(ingress, nginx.get("kubernetes:core/v1:Namespace", "istio-system")));
        });

        it("keeps ingress-nginx's default HTTP→HTTPS redirect: a TLS block for every host, no ssl-redirect opt-out, no Traefik middleware", () => {
            // ingress-nginx redirects to HTTPS by default when the Ingress has a TLS section
            // (annotation ssl-redirect, default true); only an explicit "false" turns it off.
            const ingress = named(nginx, ingressType, "alb-to-gateway")!;
            const tlsHosts = ingress.plain.spec.tls.flatMap((entry: { hosts: string[] }) => entry.hosts);
            for (const rule of ingress.plain.spec.rules) {
                assert.ok(tlsHosts.includes(rule.host), `${rule.host} has TLS, so nginx redirects it`);
            }
            const annotations = ingress.plain.metadata.annotations as Record<string, string>;
            assert.ok(!("nginx.ingress.kubernetes.io/ssl-redirect" in annotations) && !("nginx.ingress.kubernetes.io/force-ssl-redirect" in annotations));
            assert.deepEqual(nginx.ofType(middlewareType), []);
        });

        it("re-encrypts to the gateway with exactly the proxy-ssl annotations", () => {
            assert.deepEqual(named(nginx, ingressType, "alb-to-gateway")?.plain.metadata.annotations, {
                "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
                "nginx.ingress.kubernetes.io/proxy-ssl-secret": "istio-system/alb-gateway-upstream",
                "nginx.ingress.kubernetes.io/proxy-ssl-verify": "on",
                "nginx.ingress.kubernetes.io/proxy-ssl-name": iksFacts.nlbSubdomain,
                "nginx.ingress.kubernetes.io/proxy-ssl-server-name": "on",
                "nginx.ingress.kubernetes.io/proxy-ssl-verify-depth": "3",
            });
        });

        it("holds our client certificate and key, and Let's Encrypt's roots to verify IBM's certificate, in the proxy-ssl Secret", () => {
            const upstream = named(run, secretType, "alb-gateway-upstream");
            assert.ok(upstream);
            assert.equal(upstream.plain.metadata.namespace, "istio-system", "in the Ingress's own namespace");
            assert.deepEqual(Object.keys(upstream.plain.stringData).sort(), ["ca.crt", "tls.crt", "tls.key"]);
            assert.match(upstream.plain.stringData["tls.crt"], /certificate of mesh-pki-client-cert\n/);
            assert.match(upstream.plain.stringData["tls.key"], /private key of mesh-pki-client-key\n/);
            assert.equal(upstream.plain.stringData["ca.crt"], letsEncryptRootsPem());
            const roots = pemCommonNames(upstream.plain.stringData["ca.crt"]);
            assert.ok(roots.includes("CN=ISRG Root X1") && roots.includes("CN=ISRG Root X2"), roots.join(", "));
            assert.ok(roots.every((name) => /^CN=ISRG Root (X1|X2|YR|YE)$/.test(name ?? "")), "only Let's Encrypt's roots");
            const keyCopies = stringsIn(upstream.inputs).filter(({ text }) => text.includes("private key of mesh-pki-client-key"));
            assert.ok(keyCopies.length > 0 && keyCopies.every(({ secret }) => secret), "the client key is a secret");
        });

        it("copies the cluster's Ingress secret into the gateway namespace by a command with a delete", () => {
            const copy = commandRunning(run, /secret-create$/);
            assert.equal(copy.plain.environment.ALB_SOURCE_SECRET, iksFacts.ingressSecretName);
            assert.equal(copy.plain.environment.ALB_SOURCE_NAMESPACE, "default");
            assert.equal(copy.plain.environment.ALB_TARGET_SECRET, "iks-ingress-tls");
            assert.equal(copy.plain.environment.ALB_TARGET_NAMESPACE, "istio-system");
            assert.ok(run.dependsOn(copy, commandRunning(run, /alb-ingress domain$/)));
        });

        it("emits only objects that validate against the upstream schemas", async () => {
            assert.deepEqual(await validateRun(run), []);
        });
    });

    describe("the ALB (Traefik, the default: IBM's supported ALB)", () => {
        let traefik: ProgramRun;
        before(() => {
            traefik = run;
        });

        it("gives Traefik a ServersTransport with the gateway's name, the roots and our client certificate", () => {
            const [transport] = traefik.ofType(serversTransportType);
            assert.ok(transport);
            assert.deepEqual(transport.plain.metadata, { name: "alb-to-gateway", namespace: "istio-system" });
            assert.deepEqual(transport.plain.spec, {
                serverName: iksFacts.nlbSubdomain, rootCAs: [{ secret: "alb-gateway-upstream" }], certificatesSecrets: ["alb-gateway-upstream"],
            });
        });

        it("puts the serverstransport annotation on a backend Service of its own to the gateway pods", () => {
            const backend = named(traefik, serviceType, "istio-ingressgateway-alb");
            assert.ok(backend && !backend.read);
            assert.deepEqual(backend.plain.metadata.annotations, {
                "traefik.ingress.kubernetes.io/service.serversscheme": "https",
                "traefik.ingress.kubernetes.io/service.serverstransport": "istio-system-alb-to-gateway@kubernetescrd",
            });
            assert.deepEqual(backend.plain.spec.selector, { istio: "ingressgateway" });
            assert.deepEqual(backend.plain.spec.ports, [{ name: "https", port: 443, targetPort: 443, protocol: "TCP" }]);
            const ingress = named(traefik, ingressType, "alb-to-gateway");
            assert.equal(ingress?.plain.spec.ingressClassName, "public-iks-traefik");
            assert.deepEqual(ingress?.plain.spec.rules[0].http.paths[0].backend, { service: { name: "istio-ingressgateway-alb", port: { number: 443 } } });
        });

        it("sends plain HTTP to HTTPS: every Traefik Ingress names a redirectScheme Middleware of its namespace", () => {
            const middlewares = traefik.ofType(middlewareType);
            assert.equal(middlewares.length, 1);
            assert.deepEqual(middlewares[0].plain.metadata, { name: "alb-https-redirect", namespace: "istio-system" });
            assert.deepEqual(middlewares[0].plain.spec, { redirectScheme: { scheme: "https", permanent: true } });
            const traefikIngresses = traefik.ofType(ingressType).filter((ingress) => String(ingress.plain.spec.ingressClassName).endsWith("-iks-traefik"));
            assert.ok(traefikIngresses.length > 0);
            for (const ingress of traefikIngresses) {
                const references = String(ingress.plain.metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"] ?? "").split(",");
                const redirects = middlewares.filter((middleware) =>
                    references.includes(`${middleware.plain.metadata.namespace}-${middleware.plain.metadata.name}@kubernetescrd`));
                assert.equal(redirects.length, 1, `${ingress.name} references the redirect (${references.join(", ")})`);
                assert.equal(redirects[0].plain.metadata.namespace, ingress.plain.metadata.namespace);
                assert.ok(traefik.dependsOn(ingress, redirects[0]), "the Middleware exists before the Ingress names it");
            }
        });

        it("also carries the nginx upstream annotations, which IBM's Traefik ALBs read in their ingress-nginx compatibility mode", () => {
            const ingress = named(traefik, ingressType, "alb-to-gateway");
            assert.deepEqual(ingress?.plain.metadata.annotations, {
                "traefik.ingress.kubernetes.io/router.middlewares": "istio-system-alb-https-redirect@kubernetescrd",
                "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
                "nginx.ingress.kubernetes.io/proxy-ssl-secret": "istio-system/alb-gateway-upstream",
                "nginx.ingress.kubernetes.io/proxy-ssl-verify": "on",
                "nginx.ingress.kubernetes.io/proxy-ssl-name": iksFacts.nlbSubdomain,
                "nginx.ingress.kubernetes.io/proxy-ssl-server-name": "on",
                "nginx.ingress.kubernetes.io/proxy-ssl-verify-depth": "3",
            }, "the same client certificate and trust as the ServersTransport, for a compatibility-mode ALB");
        });

        it("checks, before the Ingress, that an enabled ALB serves the class: the domain lookup gets the class and infrastructure", () => {
            const lookup = commandRunning(traefik, /alb-ingress domain$/);
            assert.equal(lookup.plain.environment.ALB_INGRESS_CLASS, "public-iks-traefik");
            assert.equal(lookup.plain.environment.IKS_INFRASTRUCTURE, "classic");
            assert.ok(traefik.dependsOn(named(traefik, ingressType, "alb-to-gateway")!, lookup));
        });

        it("keeps its own Kubernetes copy of the default Ingress secret, read afresh on every run, as a secret", () => {
            const source = traefik.resources.find((resource) => resource.read && resource.type === secretType);
            assert.ok(source, "the default Ingress secret is read, not managed");
            const copy = named(traefik, secretType, "iks-ingress-tls-copy");
            assert.ok(copy && !copy.read);
            assert.equal(copy.plain.metadata.namespace, "istio-system");
            assert.equal(copy.plain.type, "kubernetes.io/tls");
            assert.deepEqual(copy.plain.data, { "tls.crt": iksFacts.ingressCertBase64, "tls.key": iksFacts.ingressKeyBase64 });
            const keyCopies = stringsIn(copy.inputs).filter(({ text }) => text === iksFacts.ingressKeyBase64);
            assert.ok(keyCopies.length > 0 && keyCopies.every(({ secret }) => secret), "the copied key is a secret");
            assert.equal(named(traefik, ingressType, "alb-to-gateway")?.plain.spec.tls[0].secretName, "iks-ingress-tls",
                "with Secrets Manager the Ingress serves IBM's renewed CRN copy");
        });

        it("without Secrets Manager the Ingress serves the stack's Kubernetes copy", async () => {
            const noSecretsManager = await runProgram(iksStackConfig, { secretSections: ["iks"], ...iksNoSecretsManagerMocks });
            assert.equal(named(noSecretsManager, ingressType, "alb-to-gateway")?.plain.spec.tls[0].secretName, "iks-ingress-tls-copy");
        });

        it("a change of certificate mode replaces the copy: the probe's mode is one of its triggers, the certificate's digest one of the probe's", async () => {
            const { createHash } = await import("crypto");
            const probe = commandRunning(run, /alb-ingress certificate-mode$/);
            const copy = commandRunning(run, /alb-ingress secret-create$/);
            assert.equal(probe.plain.delete, undefined, "a read-only probe: nothing to undo when it is replaced");
            assert.equal(probe.plain.environment.ALB_SOURCE_SECRET, iksFacts.ingressSecretName);
            assert.equal(probe.plain.environment.ALB_SOURCE_NAMESPACE, "default");
            const fingerprint = createHash("sha256").update(iksFacts.ingressCertBase64).digest("hex");
            assert.deepEqual(probe.plain.triggers, [iksFacts.ingressSecretName, "default", fingerprint]);
            assert.ok(!stringsIn(probe.inputs).some(({ text }) => text.includes(iksFacts.ingressKeyBase64)), "the key never reaches the probe");
            assert.ok(run.dependsOn(copy, probe), "the copy waits for the probe");
            const noSecretsManager = await runProgram(iksStackConfig, { secretSections: ["iks"], ...iksNoSecretsManagerMocks });
            const before = commandRunning(noSecretsManager, /alb-ingress secret-create$/).plain.triggers;
            const after = copy.plain.triggers;
            assert.deepEqual(before, [iksFacts.ingressSecretName, "default", "iks-ingress-tls", "istio-system", "kubernetes-copy"]);
            assert.deepEqual(after, [iksFacts.ingressSecretName, "default", "iks-ingress-tls", "istio-system", "secrets-manager"],
                "pulumi-command replaces a command whose triggers differ from the stored ones");
        });

        it("validates (ServersTransport against its CRD's fields)", async () => {
            assert.deepEqual(await validateRun(traefik), []);
            assert.deepEqual(validateServersTransport({ apiVersion: "traefik.io/v1alpha1", kind: "ServersTransport", metadata: { name: "t", namespace: "n" },
                spec: { serverName: "x", insecureSkipVerify: true, rootCAsSecret: ["s"] } }).length, 2, "the validator can fail");
            assert.deepEqual(validateMiddleware({ apiVersion: "traefik.io/v1alpha1", kind: "Middleware", metadata: { name: "m", namespace: "n" },
                spec: { redirectScheme: { scheme: "https", permanent: "yes", code: 301 } } }).length, 2, "the Middleware validator can fail");
        });
    });

    describe("without an API key in the config", () => {
        it("relies on the inherited environment or login: no IBMCLOUD_API_KEY is stored", async () => {
            const keyless = await runProgram({ iks: { enabled: true, cluster: iksFacts.cluster, region: iksFacts.region } }, iksMocks);
            for (const command of keyless.ofType(commandType)) {
                assert.equal(command.plain.environment.IBMCLOUD_API_KEY, undefined);
                assert.equal(command.plain.environment.IKS_MESH_API_KEY, undefined);
                assert.equal(command.plain.environment.IKS_CLUSTER, iksFacts.cluster);
            }
        });
    });

    describe("with iks.enabled false", () => {
        it("creates nothing IBM-specific", async () => {
            // The default stack's shared run. IBM's answers (iksResourceState) would change nothing here: they are
            // only for commands and reads, and a registered command or read fails this test whatever state it gets back.
            const plain = await runProgram({});
            assert.deepEqual(plain.ofType(commandType), []);
            assert.deepEqual(plain.resources.filter((resource) => resource.type.startsWith("iks-mesh:ibm:")), []);
            assert.deepEqual(plain.ofType(ingressType), []);
            assert.deepEqual(plain.ofType(serversTransportType), []);
            assert.deepEqual(plain.resources.filter((resource) => resource.read), []);
            assert.equal(named(plain, secretType, "alb-gateway-upstream"), undefined);
            const [https] = plain.ofType(gatewayType)[0].plain.spec.servers;
            assert.equal(https.tls.credentialName, "mesh-gateway-credential");
            assert.deepEqual(https.hosts, ["istio-system/*"]);
            assert.equal(plain.outputs.nlbSubdomain.value, undefined);
            assert.equal(plain.outputs.albHosts.value, undefined);
        });
    });
});

describe("AlbIngress as a component", function () {
    this.timeout(60000);
    it("trusts the CA it is given for the gateway's certificate (our CA when the gateway presents ours)", async () => {
        const created: pulumi.runtime.MockResourceArgs[] = [];
        await pulumi.runtime.setMocks({
            newResource: (args) => {
                created.push(args);
                return { id: `${args.name}-id`, state: { ...args.inputs, ...(iksResourceState(args) ?? {}) } };
            },
            call: () => ({}),
        }, "iks-mesh", "component", false);
        const { AlbIngress } = require("../../components/ibm/alb-ingress") as typeof import("../../components/ibm/alb-ingress");
        const { IbmCloudCli, ibmCloudCliSettings } = require("../../components/ibm/ibmcloud-cli") as typeof import("../../components/ibm/ibmcloud-cli");
        const config = parseStackConfig({ iks: { enabled: true, cluster: "c", region: "us-south" } });
        const ourCa = "-----BEGIN CERTIFICATE-----\nour private CA\n-----END CERTIFICATE-----\n";
        const alb = new AlbIngress("alb", {
            cli: new IbmCloudCli(ibmCloudCliSettings(config.iks, "component")),
            infrastructure: "classic",
            ingressClass: "private-iks-k8s-nginx",
            apps: ["httpbin"],
            gateway: { namespace: "istio-system", serviceName: "istio-ingressgateway", selector: { istio: "ingressgateway" }, dependsOn: [] },
            upstreamServerName: "mesh.example.com",
            upstreamCaPem: ourCa,
            clientCertPem: "client cert",
            clientKeyPem: pulumi.secret("client key"),
        });
        const hosts = await new Promise<string[]>((resolve) => alb.hosts.apply(resolve));
        await new Promise<void>((resolve) => alb.ingress.urn.apply(() => resolve()));
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        assert.deepEqual(hosts, [`httpbin.${iksFacts.ingressSubdomain}`]);
        const upstream = created.find((args) => args.type === secretType && args.inputs.metadata.name === "alb-gateway-upstream");
        const stringData = (upstream?.inputs.stringData ?? {}) as Record<string, unknown>;
        const plainData = JSON.parse(JSON.stringify(stringData, (_key, value) => (value && typeof value === "object" && "value" in value ? value.value : value)));
        assert.equal(plainData["ca.crt"], ourCa);
        const ingress = created.find((args) => args.type === ingressType);
        assert.equal(ingress?.inputs.spec.ingressClassName, "private-iks-k8s-nginx");
        assert.equal(ingress?.inputs.metadata.annotations["nginx.ingress.kubernetes.io/proxy-ssl-name"], "mesh.example.com");
    });
});

describe("examples/Pulumi.iks.yaml", () => {
    it("is a valid IKS stack file: bound to a cluster, IBM parts on, Traefik ALB, no API key in plain text", () => {
        const file = YAML.parse(fs.readFileSync(path.join(projectRoot, "examples", "Pulumi.iks.yaml"), "utf8")) as { config: Record<string, unknown> };
        assert.equal(typeof file.config["kubernetes:context"], "string");
        const raw = Object.fromEntries(Object.entries(file.config)
            .filter(([key]) => key.startsWith("iks-mesh:")).map(([key, value]) => [key.slice("iks-mesh:".length), value]));
        const config = parseStackConfig(raw);
        assert.equal(config.iks.enabled, true);
        assert.equal(config.iks.alb.ingressClass, "public-iks-traefik");
        assert.equal(config.iks.apiKey, undefined, "the key is set with --secret, never written in the example");
        assert.throws(() => parseStackConfig({ ...raw, iks: { ...(raw.iks as object), alb: { ingressClass: "private-iks-traefik" } } }),
            /iks\.alb\.ingressClass private-iks-traefik needs a custom domain/, "the parse can fail");
    });
});
