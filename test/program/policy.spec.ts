import { strict as assert } from "assert";
import { StackValidationPolicy } from "@pulumi/policy";
import {
    Check, ResourceFacts, checks, gatewayHttpsHasCredential, imagesPinned, meshMtlsStrict, noPlaintextToMesh, policies,
    privateKeysAreSecret,
} from "../../policy/policies";
import { ProgramRun, RegisteredResource, runProgram } from "../harness/program";
import { iksMocks, iksStackConfig } from "../support/iks-stack";

const facts = (type: string, props: Record<string, any>, additionalSecretOutputs: string[] = []): ResourceFacts =>
    ({ type, name: "r", props, additionalSecretOutputs });

const factsOfRegistered = (resource: RegisteredResource): ResourceFacts => ({
    type: resource.type, name: resource.name, props: resource.plain, additionalSecretOutputs: resource.additionalSecretOutputs,
});

/** Runs every resource policy and the stack policies over a mock run, as `pulumi preview --policy-pack` would. */
async function violationsOf(run: ProgramRun): Promise<string[]> {
    const violations: string[] = [];
    for (const resource of run.resources.filter((candidate) => candidate.custom)) {
        for (const [name, { check }] of Object.entries(checks)) {
            violations.push(...check(factsOfRegistered(resource)).map((violation) => `${name} ${resource.type} ${resource.name}: ${violation}`));
        }
    }
    for (const policy of policies.filter((candidate): candidate is StackValidationPolicy => "validateStack" in candidate)) {
        const args = {
            resources: run.resources.map((resource) => ({ type: resource.type, name: resource.name, props: resource.plain })),
        } as unknown as Parameters<StackValidationPolicy["validateStack"]>[0];
        await policy.validateStack(args, (message: string) => violations.push(`${policy.name}: ${message}`));
    }
    return violations;
}

const pa = (mode: string, annotations?: Record<string, string>) => facts("kubernetes:security.istio.io/v1:PeerAuthentication", {
    metadata: { name: "default", namespace: "istio-system", ...(annotations ? { annotations } : {}) }, spec: { mtls: { mode } },
});
const dr = (host: string, mode: string) => facts("kubernetes:networking.istio.io/v1:DestinationRule", {
    metadata: { name: "d", namespace: "bookinfo" }, spec: { host, trafficPolicy: { tls: { mode } } },
});
const gateway = (tls: Record<string, unknown> | undefined) => facts("kubernetes:networking.istio.io/v1:Gateway", {
    metadata: { name: "g" }, spec: { servers: [{ port: { number: 443, name: "https", protocol: "HTTPS" }, hosts: ["*"], ...(tls ? { tls } : {}) }] },
});
const deployment = (image: string) => facts("kubernetes:apps/v1:Deployment", {
    metadata: { name: "d" }, spec: { template: { spec: { containers: [{ name: "c", image }] } } },
});
const pem = "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----";

const cases: { name: string; check: Check; passing: ResourceFacts[]; failing: ResourceFacts[] }[] = [
    {
        name: "mesh-mtls-strict", check: meshMtlsStrict,
        passing: [pa("STRICT"), pa("PERMISSIVE", { "iks-mesh.io/mtls-opt-out": "mtls.mode=PERMISSIVE in the stack config" })],
        failing: [pa("PERMISSIVE"), pa("DISABLE")],
    },
    {
        name: "no-plaintext-destination-rule", check: noPlaintextToMesh,
        passing: [
            dr("reviews.bookinfo.svc.cluster.local", "ISTIO_MUTUAL"), dr("api.example.com", "SIMPLE"),
            { ...dr("ratings.bookinfo.svc.cluster.local", "DISABLE"), props: {
                metadata: { name: "d", namespace: "bookinfo", annotations: { "iks-mesh.io/mtls-exception": "accepted in the stack config" } },
                spec: { host: "ratings.bookinfo.svc.cluster.local", trafficPolicy: { tls: { mode: "DISABLE" } } },
            } },
        ],
        failing: [dr("reviews.bookinfo.svc.cluster.local", "DISABLE"), dr("*.wordpress.svc.cluster.local", "SIMPLE")],
    },
    {
        name: "gateway-https-credential", check: gatewayHttpsHasCredential,
        passing: [gateway({ mode: "SIMPLE", credentialName: "cred" }), gateway({ mode: "MUTUAL", credentialName: "cred" })],
        failing: [gateway(undefined), gateway({ mode: "SIMPLE" })],
    },
    {
        name: "private-keys-are-secrets", check: privateKeysAreSecret,
        passing: [
            facts("kubernetes:core/v1:Secret", { metadata: { name: "s" }, stringData: { "tls.key": pem } }, ["data", "stringData"]),
            facts("kubernetes:core/v1:ConfigMap", { metadata: { name: "c" }, data: { "my.cnf": "[mysqld]\nskip-name-resolve" } }),
            facts("command:local:Command", { create: "node components/ibm/scripts/run.ts nlb-dns create", environment: { IBMCLOUD_API_KEY: "k" } }),
        ],
        failing: [
            facts("kubernetes:core/v1:Secret", { metadata: { name: "s" }, stringData: { "tls.key": pem } }, []),
            facts("kubernetes:core/v1:ConfigMap", { metadata: { name: "c" }, data: { key: pem } }),
            facts("command:local:Command", { create: "IBMCLOUD_API_KEY=abc ibmcloud login" }),
        ],
    },
    {
        name: "images-pinned", check: imagesPinned,
        passing: [deployment("mysql:8.4.7"), deployment(`registry.example.com:5000/app@sha256:${"a".repeat(64)}`)],
        failing: [deployment("mysql:latest"), deployment("mysql"), deployment("registry.example.com:5000/app")],
    },
];

describe("policy pack: each policy passes good resources and fails bad ones", () => {
    for (const { name, check, passing, failing } of cases) {
        it(`${name}: passes`, () => {
            for (const resource of passing) {
                assert.deepEqual(check(resource), [], JSON.stringify(resource.props));
            }
        });
        it(`${name}: fails`, () => {
            for (const resource of failing) {
                assert.ok(check(resource).length > 0, `expected a violation for ${JSON.stringify(resource.props)}`);
            }
        });
    }

    it("every check is registered as a mandatory policy", () => {
        const names = policies.map((policy) => policy.name);
        for (const { name } of cases) {
            assert.ok(names.includes(name), name);
        }
        assert.ok(policies.every((policy) => policy.enforcementLevel === "mandatory"));
    });

    it("mesh-peer-authentication-present: fails a stack with istiod but no mesh policy", async () => {
        const stackPolicy = policies.find((policy) => policy.name === "mesh-peer-authentication-present") as StackValidationPolicy;
        const violations: string[] = [];
        const resources = [{ type: "kubernetes:helm.sh/v3:Release", name: "istiod", props: { chart: "istiod" } }];
        await stackPolicy.validateStack({ resources } as any, (message: string) => violations.push(message));
        assert.equal(violations.length, 1);
    });
});

describe("policy pack over the program's resources (mock engine)", () => {
    it("the default stack passes every policy", async () => {
        assert.deepEqual(await violationsOf(await runProgram({})), []);
    });

    it("a PERMISSIVE stack passes because its config opts out on the record", async () => {
        assert.deepEqual(await violationsOf(await runProgram({ mtls: { mode: "PERMISSIVE" } })), []);
    });

    it("a stack whose plaintext client rule is an accepted exception passes, as the program's analysis does", async () => {
        const run = await runProgram({ mtls: {
            mode: "PERMISSIVE",
            clientPolicies: [{ host: "httpbin.httptools.svc.cluster.local", mode: "DISABLE", exception: true }],
        } });
        assert.deepEqual(await violationsOf(run), []);
        const withoutException = await runProgram({ mtls: {
            mode: "PERMISSIVE", clientPolicies: [{ host: "httpbin.httptools.svc.cluster.local", mode: "DISABLE" }],
        } });
        assert.equal((await violationsOf(withoutException)).length, 1, "the same rule without the exception is refused");
    });

    it("an IKS stack with EnRoute and client policies passes every policy", async () => {
        const run = await runProgram({
            ...iksStackConfig,
            enroute: { enabled: true },
            mtls: { clientPolicies: [{ host: "reviews.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" }] },
        }, { secretSections: ["iks"], ...iksMocks });
        assert.deepEqual(await violationsOf(run), []);
    });

    it("the checks really see the program's resources", async () => {
        const run = await runProgram({});
        const meshPolicy = run.kind("security.istio.io/v1", "PeerAuthentication")
            .find((resource) => resource.plain.metadata.name === "default" && resource.plain.metadata.namespace === "istio-system");
        assert.ok(meshPolicy);
        const tampered = { ...factsOfRegistered(meshPolicy), props: { ...meshPolicy.plain, spec: { mtls: { mode: "PERMISSIVE" } } } };
        assert.equal(meshMtlsStrict(tampered).length, 1);
    });
});
