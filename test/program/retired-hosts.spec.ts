// Guard against Istio's next move: render the stack in its main shapes and fail if anything it registers
// or outputs names a host Istio has retired (components/core/istio-hosting.ts retiredIstioHosts, one list).
import { strict as assert } from "assert";
import { retiredHostNamedIn, retiredIstioHosts } from "../../components/core/istio-hosting";
import { istioChartKeysOfLine, minorLine } from "../data/istio-chart-keys";
import { ProgramRun, RegisteredResource, RunOptions, runProgram, stringsIn } from "../harness/program";
import { iksMocks, iksStackConfig } from "../support/iks-stack";
import { everythingOnStackConfig } from "../support/stack-shapes";

const shapes: { name: string; config: Record<string, unknown>; options?: RunOptions }[] = [
    { name: "default", config: {} },
    // One shape for the MUTUAL gateway and EnRoute (and the other optional sidecar features), shared with other specs.
    { name: "MUTUAL gateway, EnRoute and the rest switched on", config: everythingOnStackConfig },
    { name: "ambient data plane", config: { istio: { dataplane: "ambient" } } },
    { name: "IKS", config: iksStackConfig, options: { secretSections: ["iks"], ...iksMocks } },
    { name: "Istio 1.31 from the OCI registry", config: { istio: { version: "1.31.1", chartRepository: "oci://ghcr.io/istio/release/charts" } } },
];

/** Every place a retired host appears: resource inputs (secrets included) and stack outputs. */
function retiredHostSightings(run: ProgramRun): string[] {
    const sightings: string[] = [];
    for (const resource of run.resources) {
        for (const { text } of stringsIn(resource.inputs)) {
            const host = retiredHostNamedIn(text);
            if (host) {
                sightings.push(`${resource.type} ${resource.name}: ${host} in ${JSON.stringify(text.slice(0, 120))}`);
            }
        }
    }
    for (const [name, output] of Object.entries(run.outputs)) {
        for (const { text } of stringsIn(output.value)) {
            const host = retiredHostNamedIn(text);
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

/**
 * Helm chart defaults are invisible in the inputs: Istio's 1.30 charts default their hub to registry.istio.io.
 * So every Istio chart whose values take an image hub (`hub` or `global.hub` in its generated key list)
 * must be given istio.hub explicitly; problems name the release.
 */
function unsetHubs(run: ProgramRun, hub: string, istioVersion: string): string[] {
    const keysByChart = istioChartKeysOfLine(minorLine(istioVersion));
    const releases: RegisteredResource[] = run.ofType("kubernetes:helm.sh/v3:Release");
    return releases.flatMap((release) => {
        const chart = String(release.plain.chart).split("/").pop() as keyof typeof keysByChart;
        const keys = keysByChart[chart]?.keys ?? [];
        const values = release.plain.values ?? {};
        const given = [...keys.includes("hub") ? [values.hub] : [], ...keys.includes("global.hub") ? [values.global?.hub] : []];
        return given.length > 0 && !given.includes(hub) ? [`${release.name} (chart ${chart}) takes an image hub but is not given ${hub}`] : [];
    });
}

describe("retired Istio hosts: no Istio chart falls back to its default image hub", () => {
    for (const [name, config, hub, version] of [
        ["default", {}, "docker.io/istio", "1.30.5"],
        ["ambient data plane on a mirror, Istio 1.31", { istio: { dataplane: "ambient", hub: "registry.example.internal/istio", version: "1.31.1" } },
            "registry.example.internal/istio", "1.31.1"],
    ] as const) {
        it(`${name}: every Istio chart that takes a hub gets ${hub}`, async () => {
            const run = await runProgram(config);
            const charts = run.ofType("kubernetes:helm.sh/v3:Release").map((release) => String(release.plain.chart).split("/").pop());
            assert.ok(charts.includes("istiod"));
            assert.deepEqual(unsetHubs(run, hub, version), []);
        });
    }

    it("would catch a chart left on its default hub", async () => {
        const run = await runProgram({ istio: { dataplane: "ambient" } });
        const cni = run.get("kubernetes:helm.sh/v3:Release", "istio-cni");
        const tampered = new ProgramRun(run.resources.map((resource) => resource === cni
            ? { ...resource, plain: { ...resource.plain, values: { profile: "ambient" } } } : resource), run.outputs, run.logs);
        assert.deepEqual(unsetHubs(tampered, "docker.io/istio", "1.30.5"), ["istio-cni (chart cni) takes an image hub but is not given docker.io/istio"]);
    });
});
