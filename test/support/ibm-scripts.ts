// What the specs of the IKS command scripts share (test/unit/ibm/scripts-*.spec.ts): the stub's
// scenario, the stored settings of the NlbDns command, assertions on a run, and a session that keeps every
// stub and run of one spec file so that the file can check the API key leaked into none of them. The
// scripts spec was one file of ~100 s that kept one mocha worker busy while the other idled: split in
// four, the workers share it.
import { strict as assert } from "assert";
import { IbmCloudStub, ScriptRun, StubRegistration, StubState } from "../fixtures/ibmcloud-stub/stub";

export const apiKey = "ibm-test-key-Zq81xWv3Lm0p";
export const cluster = "mesh-cluster";
export const gatewayIp = "169.61.20.30";
export const gatewayHostname = "8c2f1e7a-us-south.lb.appdomain.cloud";
export const ingressSubdomain = "mesh-cluster-0000.us-south.containers.appdomain.cloud";

/** Another load balancer's subdomain in the same cluster: never ours to adopt or remove. */
export const unrelated: StubRegistration = {
    subdomain: "mesh-cluster-0099.us-south.stg.containers.appdomain.cloud",
    ips: ["169.61.99.99"],
    lbHostname: "ffff0000-us-south.lb.appdomain.cloud",
    secretName: "mesh-cluster-0099",
    secretNamespace: "default",
    secretStatus: "created",
};

/** A cluster with a default Secrets Manager instance and its Ingress secret already in it. */
export function scenario(infrastructure: "classic" | "vpc", overrides: Partial<StubState> = {}): StubState {
    return {
        homes: { default: { plugins: ["container-service"], loggedIn: true } },
        newHomePlugins: ["container-service"],
        pluginInstallable: true,
        validApiKey: apiKey,
        clusters: {
            [cluster]: {
                id: "c0ffee1234", infrastructure,
                ingress: { hostname: ingressSubdomain, secretName: "mesh-cluster-0000" },
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
export function nlbSettings(infrastructure: "classic" | "vpc", extra: Record<string, string> = {}, withKey = true): Record<string, string> {
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

/** The CLI settings every IKS command resource stores, with the API key in the current environment. */
export function cliSettings(extra: Record<string, string> = {}): Record<string, string> {
    return { IKS_CLUSTER: cluster, IKS_REGION: "us-south", IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev", IBMCLOUD_API_KEY: apiKey, ...extra };
}

/** The AlbIngress copy command's source and target without a Kubernetes copy secret: only the CRN copy is open to it. */
export function crnCopySettings(extra: Record<string, string> = {}): Record<string, string> {
    return cliSettings({
        ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_SOURCE_NAMESPACE: "default", ALB_TARGET_SECRET: "iks-ingress-tls",
        ALB_TARGET_NAMESPACE: "istio-system", ...extra,
    });
}

/** The environment of the AlbIngress copy command (and of its mode probe, which reads only the source). */
export function copySettings(extra: Record<string, string> = {}): Record<string, string> {
    return crnCopySettings({ ALB_KUBERNETES_COPY_SECRET: "iks-ingress-tls-copy", ...extra });
}

export const ours = (stub: IbmCloudStub, address: { ip?: string; hostname?: string }) => stub.state().nlb[cluster]
    .filter((entry) => (address.ip ? entry.ips.includes(address.ip) : entry.lbHostname === address.hostname));

export function assertOk(run: ScriptRun, what: string): void {
    assert.equal(run.code, 0, `${what} failed:\n${run.stderr}\n${run.stdout}`);
}

export function assertFails(run: ScriptRun, pattern: RegExp): void {
    assert.notEqual(run.code, 0, `expected a failure, got stdout ${run.stdout}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stdout, "", "a failed run prints no result line");
}

export interface ScriptSession {
    stubs: IbmCloudStub[];
    runs: ScriptRun[];
    newStub: (state: StubState) => IbmCloudStub;
    run: (stub: IbmCloudStub, script: "nlb-dns" | "alb-ingress", action: string, settings: Record<string, string>,
        options?: { withCli?: boolean }) => Promise<ScriptRun>;
}

/** Call inside a spec file's top-level describe: its stubs are removed after the file. */
export function scriptSession(): ScriptSession {
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
    return { stubs, runs, newStub, run };
}

/** The last test of each scripts spec: the key is in no recorded argument and no captured output of the file's runs. */
export function itRecordsNoApiKey(session: ScriptSession, minimumRuns: number): void {
    it("is in no recorded argument and no captured output of any run above", () => {
        assert.ok(session.runs.length >= minimumRuns, `only ${session.runs.length} runs were captured`);
        for (const stub of session.stubs) {
            assert.ok(!stub.recordedText().includes(apiKey), `the stub recorded the key in ${stub.dir}`);
        }
        for (const result of session.runs) {
            assert.ok(!result.stdout.includes(apiKey) && !result.stderr.includes(apiKey), `a run printed the key:\n${result.stderr}`);
        }
    });
}
