// The footprint, measured: the same samples and profile on each data plane. ztunnel and istio-cni run on
// every node (defaultNodeCount assumed) and both count as ambient's data plane (ambient cannot run without
// istio-cni; sidecar mode here does not install it); waypoints only where an L7 rule needs one.
import { strict as assert } from "assert";
import { sizingProfiles } from "../../components/config/schema";
import { Footprint, dataPlaneAt, defaultNodeCount, footprint } from "../../scripts/bench/footprint";
import { runProgram } from "../harness/program";

const route = { prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 };

describe("ambient footprint: data-plane requests against sidecar mode", () => {
    const measured: Record<string, Footprint> = {};
    before(async () => {
        measured.sidecar = footprint((await runProgram({})).resources);
        measured.ambient = footprint((await runProgram({ istio: { dataplane: "ambient" } })).resources);
        measured.routed = footprint((await runProgram({ istio: { dataplane: "ambient" }, gateway: { routes: [route] } })).resources);
    });

    const dataPlane = (measured: Footprint) => measured.byBucket["data plane"];

    it(`counts ztunnel and istio-cni once per node (${defaultNodeCount} assumed) in the data plane, no sidecars in ambient mode`, () => {
        const parts = measured.ambient.parts.filter((part) => part.bucket === "data plane");
        assert.deepEqual(parts.map((part) => [part.what, part.pods]), [
            [`ztunnel (one per node, ${defaultNodeCount} nodes)`, defaultNodeCount],
            [`istio-cni (one per node, ${defaultNodeCount} nodes)`, defaultNodeCount],
        ]);
        assert.ok(!measured.ambient.uncounted.some((what) => /ztunnel|cni/.test(what)), measured.ambient.uncounted.join("; "));
        assert.equal(measured.sidecar.parts.filter((part) => part.bucket === "data plane").length, 10, "one sidecar per sample pod");
    });

    it("sizes istio-cni from Istio's own figures: the demo profile's 10m / 40Mi on standard, the chart's 100m / 100Mi on production", async () => {
        const cni = (measured: Footprint) => measured.parts.find((part) => part.what.startsWith("istio-cni"))?.perPod;
        assert.deepEqual(cni(measured.ambient), { cpu: 10, memory: 40 });
        const production = footprint((await runProgram({ profile: "production", istio: { dataplane: "ambient" } })).resources);
        assert.deepEqual(cni(production), { cpu: 100, memory: 100 });
    });

    it("counts a waypoint where an L7 rule needs one, at istiod's waypoint size", () => {
        const waypoints = measured.routed.parts.filter((part) => part.what.startsWith("waypoint"));
        assert.deepEqual(waypoints.map((part) => part.what), ["waypoint bookinfo/waypoint"]);
        assert.deepEqual(waypoints[0].perPod, { cpu: 100, memory: 128 });
    });

    it("holds ambient's data plane (ztunnel + istio-cni) at 40 % or less of sidecar mode's memory on standard with 3 nodes", () => {
        assert.equal(defaultNodeCount, 3);
        const ratio = dataPlane(measured.ambient).memory / dataPlane(measured.sidecar).memory;
        assert.ok(ratio > 0 && ratio <= 0.4, `ambient ${dataPlane(measured.ambient).memory} MiB vs sidecar ${dataPlane(measured.sidecar).memory} MiB (${(100 * ratio).toFixed(0)} %)`);
    });

    it("stays below sidecar mode with one waypoint, and on small (which misses 40 %: its sidecars are already at demo size)", async () => {
        assert.ok(dataPlane(measured.routed).memory < dataPlane(measured.sidecar).memory);
        const small = footprint((await runProgram({ profile: "small" })).resources);
        const smallAmbient = footprint((await runProgram({ profile: "small", istio: { dataplane: "ambient" } })).resources);
        assert.ok(dataPlane(smallAmbient).memory < dataPlane(small).memory, `${dataPlane(smallAmbient).memory} vs ${dataPlane(small).memory}`);
        assert.deepEqual(smallAmbient.parts.find((part) => part.what.startsWith("istio-cni"))?.perPod, { cpu: 10, memory: 40 });
    });

    it("projects the mesh's growth: ambient pays off with pods per node, and costs more than sidecars with few pods on many nodes", () => {
        const share = (pods: number, nodes: number) =>
            dataPlaneAt(measured.ambient, { pods, nodes }).memory / dataPlaneAt(measured.sidecar, { pods, nodes }).memory;
        assert.ok(Math.abs(share(10, 3) - dataPlane(measured.ambient).memory / dataPlane(measured.sidecar).memory) < 1e-9, "10 pods, 3 nodes is the measured stack");
        // standard: sidecars 128Mi each; ztunnel 128Mi + istio-cni 40Mi per node.
        assert.equal(dataPlaneAt(measured.sidecar, { pods: 200, nodes: 10 }).memory, 200 * 128);
        assert.equal(dataPlaneAt(measured.ambient, { pods: 200, nodes: 10 }).memory, 10 * (128 + 40));
        assert.ok(share(50, 3) < share(10, 3) && share(200, 3) < share(50, 3));
        assert.ok(share(10, 10) > 1, "10 pods on 10 nodes: two agents per node outweigh ten sidecars");
    });

    it("the measure follows the node count it is given", () => {
        assert.ok(sizingProfiles.includes("standard"));
        const resources = [{ type: "kubernetes:helm.sh/v3:Release", name: "ztunnel", plain: { chart: "ztunnel", values: {} } }];
        assert.deepEqual(footprint(resources, { nodes: 5 }).byBucket["data plane"], { cpu: 1000, memory: 2560 }, "the chart's 200m / 512Mi on 5 nodes");
    });
});
