// Guard against Istio's next move: render the stack in its main shapes and fail if anything it registers
// or outputs names a host Istio has retired (components/istio-hosting.ts retiredIstioHosts, one list).
import { strict as assert } from "assert";
import { retiredHostIn, retiredIstioHosts } from "../components/istio-hosting";
import { ProgramRun, RunOptions, runProgram, stringsIn } from "./harness/program";
import { iksResourceState, iksStackConfig } from "./support/iks-stack";

const shapes: { name: string; config: Record<string, unknown>; options?: RunOptions }[] = [
    { name: "default", config: {} },
    { name: "MUTUAL gateway", config: { gateway: { tlsMode: "MUTUAL" } } },
    { name: "EnRoute", config: { enroute: { enabled: true } } },
    { name: "ambient data plane", config: { istio: { dataplane: "ambient" } } },
    { name: "IKS", config: iksStackConfig, options: { secretSections: ["iks"], resourceState: (args) => iksResourceState(args) } },
    { name: "Istio 1.31 from the OCI registry", config: { istio: { version: "1.31.1", chartRepository: "oci://ghcr.io/istio/release/charts" } } },
];

/** Every place a retired host appears: resource inputs (secrets included) and stack outputs. */
function retiredHostSightings(run: ProgramRun): string[] {
    const sightings: string[] = [];
    for (const resource of run.resources) {
        for (const { text } of stringsIn(resource.inputs)) {
            const host = retiredHostIn(text);
            if (host) {
                sightings.push(`${resource.type} ${resource.name}: ${host} in ${JSON.stringify(text.slice(0, 120))}`);
            }
        }
    }
    for (const [name, output] of Object.entries(run.outputs)) {
        for (const { text } of stringsIn(output.value)) {
            const host = retiredHostIn(text);
            if (host) {
                sightings.push(`output ${name}: ${host}`);
            }
        }
    }
    return sightings;
}

describe("retired Istio hosts: nothing the stack registers or outputs names one", () => {
    for (const shape of shapes) {
        it(`${shape.name}: no ${retiredIstioHosts.join(", ")}`, async () => {
            const run = await runProgram(shape.config, shape.options);
            // The samples' and the addon's objects are registered one by one, so their images are among the inputs checked.
            const images = run.kind("apps/v1", "Deployment").flatMap((d) => d.plain.spec.template.spec.containers.map((c: { image: string }) => c.image));
            assert.ok(images.some((image) => image.includes("/examples-bookinfo-")) && images.some((image) => image.includes("prometheus")),
                "the sample manifests were rendered into resources");
            assert.deepEqual(retiredHostSightings(run), []);
        });
    }

    it("would catch one: a retired host anywhere in the inputs is reported with its resource", async () => {
        const run = await runProgram({});
        const istiod = run.get("kubernetes:helm.sh/v3:Release", "istiod");
        const tampered = new ProgramRun(run.resources.map((resource) => resource === istiod
            ? { ...resource, inputs: { ...resource.inputs, values: { global: { hub: "gcr.io/istio-release" } } } }
            : resource), { ...run.outputs, note: { value: ["https://istio-release.storage.googleapis.com/charts"], secret: false, known: true } }, run.logs);
        assert.deepEqual(retiredHostSightings(tampered), [
            "kubernetes:helm.sh/v3:Release istiod: gcr.io/istio-release in \"gcr.io/istio-release\"",
            "output note: istio-release.storage.googleapis.com",
        ]);
    });
});
