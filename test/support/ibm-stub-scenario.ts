// Shared by the spec files that run the IKS scripts against the stub `ibmcloud`
// (test/fixtures/ibmcloud-stub/): one cluster, an unrelated NLB subdomain that is never ours, the
// environment each command resource stores, and the assertions on a script's run.
import { strict as assert } from "assert";
import { IbmCloudStub, ScriptRun, StubRegistration, StubState } from "../fixtures/ibmcloud-stub/stub";

export const stubApiKey = "ibm-test-key-Zq81xWv3Lm0p";
export const stubCluster = "mesh-cluster";
export const stubGatewayIp = "169.61.20.30";
export const stubGatewayHostname = "8c2f1e7a-us-south.lb.appdomain.cloud";
export const stubIngressSubdomain = "mesh-cluster-0000.us-south.containers.appdomain.cloud";

/** Another load balancer's subdomain in the same cluster: never ours to adopt or remove. */
export const unrelatedRegistration: StubRegistration = {
    subdomain: "mesh-cluster-0099.us-south.stg.containers.appdomain.cloud",
    ips: ["169.61.99.99"],
    lbHostname: "ffff0000-us-south.lb.appdomain.cloud",
    secretName: "mesh-cluster-0099",
    secretNamespace: "default",
    secretStatus: "created",
};

/** A cluster with a default Secrets Manager instance and its Ingress secret already in it. */
export function stubScenario(infrastructure: "classic" | "vpc", overrides: Partial<StubState> = {}): StubState {
    return {
        homes: { default: { plugins: ["container-service"], loggedIn: true } },
        newHomePlugins: ["container-service"],
        pluginInstallable: true,
        validApiKey: stubApiKey,
        clusters: {
            [stubCluster]: {
                id: "c0ffee1234", infrastructure,
                ingress: { hostname: stubIngressSubdomain, secretName: "mesh-cluster-0000" },
            },
        },
        nlb: { [stubCluster]: [{ ...unrelatedRegistration, ips: infrastructure === "classic" ? [...unrelatedRegistration.ips] : [] }] },
        certificateReadyAfterPolls: 2,
        ingressSecrets: { [stubCluster]: [{ name: "mesh-cluster-0000", namespace: "default", crn: "crn:v1:bluemix:public:secrets-manager:us-south:a/1:2::secret:3" }] },
        instances: { [stubCluster]: [{ name: "mesh-secrets", crn: "crn:v1:bluemix:public:secrets-manager:us-south:a/1:5::", isDefault: true }] },
        ...overrides,
    };
}

/** The CLI settings every IKS command resource stores, with the API key in the current environment. */
export function cliSettings(extra: Record<string, string> = {}): Record<string, string> {
    return { IKS_CLUSTER: stubCluster, IKS_REGION: "us-south", IKS_MESH_IBMCLOUD_HOME: ".ibmcloud/dev", IBMCLOUD_API_KEY: stubApiKey, ...extra };
}

/** The environment of the AlbIngress copy command (and of its mode probe, which reads only the source). */
export function copySettings(extra: Record<string, string> = {}): Record<string, string> {
    return cliSettings({
        ALB_SOURCE_SECRET: "mesh-cluster-0000", ALB_SOURCE_NAMESPACE: "default", ALB_TARGET_SECRET: "iks-ingress-tls",
        ALB_TARGET_NAMESPACE: "istio-system", ALB_KUBERNETES_COPY_SECRET: "iks-ingress-tls-copy", ...extra,
    });
}

export function assertOk(run: ScriptRun, what: string): void {
    assert.equal(run.code, 0, `${what} failed:\n${run.stderr}\n${run.stdout}`);
}

export function assertFails(run: ScriptRun, pattern: RegExp): void {
    assert.notEqual(run.code, 0, `expected a failure, got stdout ${run.stdout}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stdout, "", "a failed run prints no result line");
}

/** Stubs made by a spec file, removed after it; `run` runs a script as its command resource would. */
export function stubSession(): {
    newStub: (state: StubState) => IbmCloudStub;
    run: (stub: IbmCloudStub, script: "nlb-dns" | "alb-ingress", action: string, settings: Record<string, string>) => Promise<ScriptRun>;
    runs: ScriptRun[];
    removeAll: () => void;
} {
    const stubs: IbmCloudStub[] = [];
    const runs: ScriptRun[] = [];
    return {
        newStub: (state) => {
            const stub = new IbmCloudStub(state);
            stubs.push(stub);
            return stub;
        },
        run: async (stub, script, action, settings) => {
            const result = await stub.run(script, action, stub.environment(settings));
            runs.push(result);
            return result;
        },
        runs,
        removeAll: () => {
            for (const stub of stubs.splice(0)) {
                stub.remove();
            }
        },
    };
}
