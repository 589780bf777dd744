// The first `pulumi up` on an empty cluster: no Istio custom resource may be created before istiod has
// patched its CA bundle into the validating webhooks (components/mesh/validation-webhooks.ts).
import { strict as assert } from "assert";
import { caBundleWaitFor, istioValidatingWebhookNames, waitForAnnotation } from "../../components/mesh/validation-webhooks";
import { validatingWebhookConfigurations1303 } from "../data/istio-webhooks";
import { ProgramRun, RegisteredResource, runProgram } from "../harness/program";
import { validateRun } from "../harness/validate";
import { iksMocks, iksStackConfig } from "../support/iks-stack";
import { everythingOnStackConfig } from "../support/stack-shapes";

const patchType = "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfigurationPatch";
const isIstioCustomResource = (resource: RegisteredResource) => /^kubernetes:[a-z.]+\.istio\.io\/[^:]+:/.test(resource.type);

describe("webhook wait: Istio resources only once the validating webhooks can verify istiod", () => {
    it("waits for every validating webhook configuration the pinned charts create", () => {
        assert.deepEqual(istioValidatingWebhookNames("istio-system").sort(),
            validatingWebhookConfigurations1303.map((webhook) => webhook.name).sort());
        assert.ok(validatingWebhookConfigurations1303.every((webhook) => webhook.webhooks.length === 1),
            "the wait reads webhooks[0]: each configuration must have exactly one");
    });

    it("waits until the first webhook's caBundle exists, with a JSONPath the provider accepts", () => {
        // Strict `kubectl get -o jsonpath` syntax, no value: satisfied once the field is present.
        assert.match(caBundleWaitFor, /^jsonpath=\{\.webhooks\[0\]\.clientConfig\.caBundle\}$/);
    });

    const stacks: { name: string; config: Record<string, unknown>; options?: Parameters<typeof runProgram>[1] }[] = [
        { name: "the default stack", config: {} },
        { name: "every Istio resource kind the config can add", config: everythingOnStackConfig },
        { name: "IKS", config: iksStackConfig, options: { secretSections: ["iks"], ...iksMocks } },
    ];
    for (const stack of stacks) {
        describe(stack.name, () => {
            let run: ProgramRun;
            before(async () => {
                run = await runProgram(stack.config, stack.options ?? {});
            });

            it("patches each webhook configuration with the wait annotation, after istiod", () => {
                const istiod = run.get("kubernetes:helm.sh/v3:Release", "istiod");
                const patches = run.ofType(patchType);
                assert.deepEqual(patches.map((patch) => patch.plain.metadata.name).sort(), istioValidatingWebhookNames().sort());
                for (const patch of patches) {
                    assert.equal(patch.plain.metadata.annotations[waitForAnnotation], caBundleWaitFor);
                    assert.deepEqual(Object.keys(patch.plain).filter((key) => !["apiVersion", "kind", "metadata"].includes(key)), [],
                        "the patch owns its annotation and nothing else of the webhook");
                    assert.ok(run.dependsOn(patch, istiod), `${patch.name} waits for istiod`);
                }
            });

            it("makes every Istio custom resource depend on every webhook wait", () => {
                const istioResources = run.resources.filter(isIstioCustomResource);
                assert.ok(istioResources.length >= 5, `found ${istioResources.length} Istio resources`);
                const patches = run.ofType(patchType);
                const missing = istioResources.flatMap((resource) => patches.filter((patch) => !run.dependsOn(resource, patch))
                    .map((patch) => `${resource.type} ${resource.name} does not wait for ${patch.name}`));
                assert.deepEqual(missing, []);
            });

            it("lets workloads start without the webhook wait (they need injection, not validation)", () => {
                const patches = run.ofType(patchType);
                for (const deployment of run.ofType("kubernetes:apps/v1:Deployment")) {
                    assert.ok(patches.every((patch) => !run.dependsOn(deployment, patch)), `${deployment.name} waits for a webhook patch`);
                }
            });

            it("validates", async () => {
                assert.deepEqual((await validateRun(run)).filter((problem) => problem.includes("ValidatingWebhookConfiguration")), []);
            });
        });
    }
});
