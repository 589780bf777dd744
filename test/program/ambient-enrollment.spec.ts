// Enrollment instead of injection: what the sample namespaces and workloads carry in each data plane,
// and what an in-place switch between the two changes on the resource graph.
import { podSecurityLabels } from "../../components/security/pod-security";
import { strict as assert } from "assert";
import { dataplaneAnnotation } from "../../components/core/dataplane";
import { blastRadius } from "../../scripts/bench/blast-radius";
import { ProgramRun, RegisteredResource, runProgram } from "../harness/program";

const namespaceType = "kubernetes:core/v1:Namespace";
const deploymentType = "kubernetes:apps/v1:Deployment";
const releaseType = "kubernetes:helm.sh/v3:Release";
const sampleNamespaces = ["wordpress", "bookinfo", "httptools"];
/** Deployments of Istio's bookinfo and httpbin manifests at 1.30 (samples/bookinfo/platform/kube/bookinfo.yaml, samples/httpbin/httpbin.yaml). */
/** As resource names: `<namespace>/<name>`. */
const manifestDeployments = {
    bookinfo: ["details-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3", "productpage-v1"].map((name) => `bookinfo/${name}`),
    httpbin: ["httptools/httpbin"],
};

const labelsOf = (run: ProgramRun, namespace: string): Record<string, string> =>
    run.get(namespaceType, namespace).plain.metadata.labels as Record<string, string>;
const templateAnnotations = (deployment: RegisteredResource): Record<string, string> =>
    (deployment.plain.spec.template.metadata.annotations ?? {}) as Record<string, string>;

describe("ambient enrollment: namespaces and workloads", () => {
    let sidecar: ProgramRun;
    let ambient: ProgramRun;
    before(async () => {
        sidecar = await runProgram({});
        ambient = await runProgram({ istio: { dataplane: "ambient" } });
    });

    it("sidecar mode: sample namespaces are injected and carry no ambient label", () => {
        for (const namespace of sampleNamespaces) {
            // Without istio-cni, istio-init's NET_ADMIN admits no Pod Security level but privileged (pod-security.spec.ts).
            assert.deepEqual(labelsOf(sidecar, namespace), { "istio-injection": "enabled", ...podSecurityLabels("privileged") }, namespace);
        }
    });

    it("ambient mode: sample namespaces carry istio.io/dataplane-mode ambient and no injection label", () => {
        for (const namespace of sampleNamespaces) {
            assert.deepEqual(labelsOf(ambient, namespace), { "istio.io/dataplane-mode": "ambient", ...podSecurityLabels("restricted") }, namespace);
        }
    });

    it("marks the pod templates of the stack's own Deployments in ambient mode only", () => {
        for (const name of ["wordpress-v1", "wordpress-v2", "mysql"]) {
            assert.equal(templateAnnotations(ambient.get(deploymentType, name))[dataplaneAnnotation], "ambient", name);
            assert.equal(templateAnnotations(sidecar.get(deploymentType, name))[dataplaneAnnotation], undefined, name);
        }
        assert.equal(sidecar.get(deploymentType, "wordpress-v1").plain.spec.template.metadata.annotations, undefined,
            "sidecar mode keeps the inputs it had before ambient existed");
    });

    it("marks the pod template of every Deployment of the bookinfo and httpbin manifests in ambient mode only", () => {
        for (const name of [...manifestDeployments.bookinfo, ...manifestDeployments.httpbin]) {
            const deployment = ambient.find(deploymentType, name);
            assert.ok(deployment, `${name} is rendered from Istio's manifest`);
            assert.equal(templateAnnotations(deployment)[dataplaneAnnotation], "ambient", name);
            assert.equal(templateAnnotations(sidecar.get(deploymentType, name))[dataplaneAnnotation], undefined, name);
        }
    });

    it("starts the samples' pods only once ztunnel runs (ambient), or istiod (sidecar)", () => {
        const ztunnel = ambient.get(releaseType, "ztunnel");
        const sampleDeployments = ["wordpress-v1", "wordpress-v2", "mysql", ...manifestDeployments.bookinfo, ...manifestDeployments.httpbin];
        for (const name of sampleDeployments) {
            assert.ok(ambient.dependsOn(ambient.get(deploymentType, name), ztunnel), `${name} waits for ztunnel`);
        }
        assert.ok(sidecar.dependsOn(sidecar.get(deploymentType, "mysql"), sidecar.get(releaseType, "istiod")));
    });

    it("orders a switch both ways: namespaces relabel only once the new data plane is ready, and pods start after the relabel", () => {
        // The graph of the mode switched *to* is what the engine walks on the switch.
        const to = { ambient, sidecar };
        const ready = { ambient: ambient.get(releaseType, "ztunnel"), sidecar: sidecar.get(releaseType, "istiod") };
        for (const mode of ["ambient", "sidecar"] as const) {
            const run = to[mode];
            for (const namespace of sampleNamespaces) {
                const resource = run.get(namespaceType, namespace);
                assert.ok(run.dependsOn(resource, ready[mode]), `${mode}: ${namespace} is relabelled before ${ready[mode].name} is ready`);
            }
            for (const deployment of run.kind("apps/v1", "Deployment").filter((candidate) => sampleNamespaces.includes(candidate.plain.metadata.namespace as string))) {
                const namespace = run.get(namespaceType, deployment.plain.metadata.namespace as string);
                assert.ok(run.dependsOn(deployment, namespace), `${mode}: ${deployment.name} may start before its namespace's labels`);
            }
        }
        // Going back to sidecar, istiod itself changes (its ambient profile goes), so the relabel waits for that update.
        assert.notDeepEqual(ambient.get(releaseType, "istiod").plain.values, sidecar.get(releaseType, "istiod").plain.values);
        assert.equal(sidecar.find(releaseType, "ztunnel"), undefined);
    });

    it("restarts the ingress gateway on a switch: its pod template carries the data plane in ambient mode only", () => {
        const podAnnotations = (run: ProgramRun) => (run.get(releaseType, "istio-ingressgateway").plain.values.podAnnotations ?? {}) as Record<string, string>;
        assert.equal(podAnnotations(ambient)[dataplaneAnnotation], "ambient");
        assert.equal(sidecar.get(releaseType, "istio-ingressgateway").plain.values.podAnnotations, undefined, "sidecar mode keeps the inputs it had");
    });

    it("switches in place: the graph difference is exactly the ambient components, the labels and the pod templates", async () => {
        // One run at a time: the mock engine is global.
        const from = await runProgram({});
        const to = await runProgram({ istio: { dataplane: "ambient" } });
        const radius = blastRadius(from.resources, to.resources);
        const gatewayApi = to.resources.filter((resource) => resource.custom && resource.name.endsWith(".gateway.networking.k8s.io"))
            .map((resource) => `${resource.type} ${resource.name}`);
        assert.equal(gatewayApi.length, 10, "8 Gateway API CRDs, their admission policy and its binding");
        // The adopting provider the Gateway API objects are created with (components/cluster/cluster-provider.ts).
        assert.deepEqual(radius.added, [`${releaseType} istio-cni`, `${releaseType} ztunnel`, "pulumi:providers:kubernetes cluster-prerequisites",
            ...gatewayApi].sort());
        // The installer DENY on the WordPress pods is sidecar mode's alone (ztunnel cannot match paths); the
        // gateway's DENY stays in both modes (mesh/authorization/rules.ts wordpressDenySpecs).
        assert.deepEqual(radius.removed, ["kubernetes:security.istio.io/v1:AuthorizationPolicy authorization-wordpress-deny-wordpress-installer"]);
        assert.deepEqual(radius.changed, [
            ...["mysql", "wordpress-v1", "wordpress-v2", ...manifestDeployments.bookinfo, ...manifestDeployments.httpbin]
                .map((name) => `${deploymentType} ${name}`),
            `${releaseType} istiod`,
            // The install Job's pod template (its data-plane marker, no sidecar to stop): a replaced Job runs
            // again and finds WordPress installed (wp core is-installed), so it changes nothing.
            "kubernetes:batch/v1:Job wordpress-install",
            // The gateway's pod template carries the data plane too, so its pods restart on a switch.
            `${releaseType} istio-ingressgateway`,
            // The canary's Service opts out of ingress-through-waypoint in ambient mode: a label, updated in place.
            "kubernetes:core/v1:Service wordpress",
            ...sampleNamespaces.map((name) => `${namespaceType} ${name}`),
            // istio-system's Pod Security level: privileged once it holds the node agents.
            `${namespaceType} istio-system`,
        ].sort());
        // Back to sidecar is the same difference reversed: nothing ambient is left behind (the CRDs stay in
        // the cluster by retainOnDelete, unmanaged).
        const back = blastRadius(to.resources, from.resources);
        assert.deepEqual(back.removed, radius.added);
        assert.deepEqual(back.added, radius.removed);
    });
});
