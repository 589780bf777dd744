// `pulumi destroy` deletes in reverse dependency order, so a clean teardown is a property of the
// dependency graph: checked here on the graph the mock engine captured, for several stack shapes.
import { strict as assert } from "assert";
import { ProgramRun, RegisteredResource, runProgram } from "../harness/program";
import { iksMocks, iksStackConfig } from "../support/iks-stack";
import { everythingOnStackConfig } from "../support/stack-shapes";

const releaseType = "kubernetes:helm.sh/v3:Release";
const namespaceType = "kubernetes:core/v1:Namespace";
const workloadTypes = [
    "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet",
    releaseType,
];

const stacks: { name: string; run: () => Promise<ProgramRun> }[] = [
    { name: "default", run: () => runProgram({}) },
    // The shape webhook-wait.spec.ts renders too (one shared run): MUTUAL gateway and a user route, EnRoute, mTLS scope and client policy.
    { name: "everything on (MUTUAL gateway, EnRoute, client policies)", run: () => runProgram(everythingOnStackConfig) },
    { name: "IKS", run: () => runProgram(iksStackConfig, { secretSections: ["iks"], ...iksMocks }) },
];

function namespaceOf(resource: RegisteredResource): string | undefined {
    return resource.plain.metadata?.namespace ?? resource.plain.namespace;
}

describe("clean destroy: the dependency graph", () => {
    for (const stack of stacks) {
        describe(stack.name, () => {
            let run: ProgramRun;
            let istiod: RegisteredResource;
            before(async () => {
                run = await stack.run();
                istiod = run.get(releaseType, "istiod");
            });

            it("istiod depends on base", () => {
                assert.ok(run.dependsOn(istiod, run.get(releaseType, "istio-base")));
            });

            it("every Istio custom resource depends on istiod (validation webhook up; removed before it)", () => {
                const istioResources = run.resources.filter((resource) => /^kubernetes:[a-z.]+\.istio\.io\//.test(resource.type));
                assert.ok(istioResources.length > 0);
                const loose = istioResources.filter((resource) => !run.dependsOn(resource, istiod));
                assert.deepEqual(loose.map((resource) => `${resource.type} ${resource.name}`), []);
            });

            it("every workload in an injected namespace depends on istiod (sidecar injection)", () => {
                const injected = run.ofType(namespaceType)
                    .filter((namespace) => namespace.plain.metadata?.labels?.["istio-injection"] === "enabled")
                    .map((namespace) => namespace.plain.metadata.name);
                assert.ok(injected.length > 0);
                const workloads = run.resources.filter((resource) => workloadTypes.includes(resource.type) && !resource.read &&
                    injected.includes(String(namespaceOf(resource) ?? resource.plain.metadata?.namespace)));
                const loose = workloads.filter((resource) => !run.dependsOn(resource, istiod));
                assert.deepEqual(loose.map((resource) => `${resource.type} ${resource.name}`), []);
            });

            it("namespaces are explicit resources that their contents depend on", () => {
                const namespaces = new Map(run.ofType(namespaceType).map((namespace) => [namespace.plain.metadata.name, namespace]));
                const namespaced = run.resources.filter((resource) => resource.custom && !resource.read &&
                    resource.type !== namespaceType && resource.type.startsWith("kubernetes:") && namespaceOf(resource));
                const orphans = namespaced.filter((resource) => !namespaces.has(namespaceOf(resource)!));
                assert.deepEqual(orphans.map((resource) => `${resource.type} ${resource.name} in ${namespaceOf(resource)}`), [],
                    "an object in a namespace the stack does not create");
                const loose = namespaced.filter((resource) => !run.dependsOn(resource, namespaces.get(namespaceOf(resource)!)!));
                assert.deepEqual(loose.map((resource) => `${resource.type} ${resource.name}`), []);
            });

            it("every command that registers something outside the cluster can undo it", () => {
                const commands = run.ofType("command:local:Command");
                const withoutDelete = commands.filter((command) => /create|secret create/.test(String(command.plain.create)) && !command.plain.delete);
                assert.deepEqual(withoutDelete.map((command) => command.name), []);
            });
        });
    }
});
