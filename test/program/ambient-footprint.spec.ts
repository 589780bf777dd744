// The footprint, measured: the same samples and profile on each data plane. ztunnel and istio-cni run on
// every node (defaultNodeCount assumed); waypoints only where an L7 rule needs one.
import { strict as assert } from "assert";
import { sizingProfiles } from "../../components/config/schema";
import { Footprint, defaultNodeCount, footprint } from "../../scripts/bench/footprint";
import { runProgram } from "../harness/program";

const route = { prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 };

describe("ambient footprint: data-plane requests against sidecar mode", () => {
    const measured: Record<string, Footprint> = {};
    before(async () => {
        measured.sidecar = footprint((await runProgram({})).resources);
        measured.ambient = footprint((await runProgram({ istio: { dataplane: "ambient" } })).resources);
        measured.routed = footprint((await runProgram({ istio: { dataplane: "ambient" }, gateway: { routes: [route] } })).resources);
    });

    it(`counts ztunnel once per node (${defaultNodeCount} assumed) and istio-cni as a node agent, no sidecars in ambient mode`, () => {
        const proxies = measured.ambient.parts.filter((part) => part.bucket === "proxies");
        assert.deepEqual(proxies.map((part) => [part.what, part.pods]), [[`ztunnel (one per node, ${defaultNodeCount} nodes)`, defaultNodeCount]]);
        assert.equal(measured.ambient.parts.filter((part) => part.bucket === "node agents").length, 1);
        assert.ok(!measured.ambient.uncounted.some((what) => /ztunnel|cni/.test(what)), measured.ambient.uncounted.join("; "));
        assert.equal(measured.sidecar.parts.filter((part) => part.bucket === "proxies").length, 10, "one sidecar per sample pod");
    });

    it("counts a waypoint where an L7 rule needs one, at istiod's waypoint size", () => {
        const waypoints = measured.routed.parts.filter((part) => part.what.startsWith("waypoint"));
        assert.deepEqual(waypoints.map((part) => part.what), ["waypoint bookinfo/waypoint"]);
        assert.deepEqual(waypoints[0].perPod, { cpu: 100, memory: 128 });
    });

    it("holds ambient's data-plane memory requests at 40 % or less of sidecar mode's for the default samples", () => {
        const ratio = measured.ambient.byBucket.proxies.memory / measured.sidecar.byBucket.proxies.memory;
        assert.ok(ratio > 0 && ratio <= 0.4, `ambient ${measured.ambient.byBucket.proxies.memory} MiB vs sidecar ${measured.sidecar.byBucket.proxies.memory} MiB (${(100 * ratio).toFixed(0)} %)`);
    });

    it("and below sidecar mode's with one waypoint too, and on the small profile", async () => {
        assert.ok(measured.routed.byBucket.proxies.memory < measured.sidecar.byBucket.proxies.memory);
        const small = footprint((await runProgram({ profile: "small" })).resources);
        const smallAmbient = footprint((await runProgram({ profile: "small", istio: { dataplane: "ambient" } })).resources);
        assert.ok(smallAmbient.byBucket.proxies.memory <= 0.4 * small.byBucket.proxies.memory,
            `${smallAmbient.byBucket.proxies.memory} vs ${small.byBucket.proxies.memory}`);
    });

    it("the measure follows the node count it is given", () => {
        assert.ok(sizingProfiles.includes("standard"));
        const resources = [{ type: "kubernetes:helm.sh/v3:Release", name: "ztunnel", plain: { chart: "ztunnel", values: {} } }];
        assert.deepEqual(footprint(resources, { nodes: 5 }).byBucket.proxies, { cpu: 1000, memory: 2560 }, "the chart's 200m / 512Mi on 5 nodes");
    });
});
