// How the two WordPress releases are told apart: the release header the gateway's route sets per
// destination, read by verify's canary check, names the same workload that `npm run canary` selects in
// Prometheus (destination_workload). One table, components/samples/canary.ts.
import { strict as assert } from "assert";
import { istioRouteDestination } from "../../../components/edge/virtual-service-spec";
import { wordpressNames } from "../../../components/inventory";
import { releaseHeader, releaseOfAnswer, releases, wordpressDestinations } from "../../../components/samples/canary";
import { canaryQueries } from "../../../scripts/canary/promql";

describe("samples/canary: the release header", () => {
    it("each weighted destination sets the header naming its own release's workload, replacing the app's value", () => {
        for (const weight of [0, 10, 100]) {
            const rendered = wordpressDestinations(weight).map(istioRouteDestination);
            assert.deepEqual(rendered.map((route) => [route.destination.subset, route.headers?.response.set]), [
                [wordpressNames.stable.version, { [releaseHeader]: wordpressNames.stable.deployment }],
                [wordpressNames.canary.version, { [releaseHeader]: wordpressNames.canary.deployment }],
            ]);
        }
    });

    it("the canary tool queries Prometheus for the very workload the header names", () => {
        for (const release of ["stable", "canary"] as const) {
            const queries = canaryQueries(release, 60);
            for (const query of [queries.requests, queries.errors, queries.p99]) {
                assert.ok(query.includes(`destination_workload=${JSON.stringify(releases[release].workload)}`), query);
            }
            assert.equal(releaseOfAnswer(releases[release].workload), release);
        }
        assert.notEqual(releases.stable.workload, releases.canary.workload);
    });

    it("reads the header as Node hands it over, and refuses what names no single release", () => {
        assert.equal(releaseOfAnswer("wordpress-v1"), "stable");
        assert.equal(releaseOfAnswer(" wordpress-v2 "), "canary");
        assert.equal(releaseOfAnswer(["wordpress-v2", "wordpress-v2"]), "canary");
        assert.equal(releaseOfAnswer(undefined), undefined);
        assert.equal(releaseOfAnswer(""), undefined);
        assert.equal(releaseOfAnswer("wordpress-v3"), undefined);
        assert.equal(releaseOfAnswer("v2"), undefined, "the subset is not the workload");
        assert.equal(releaseOfAnswer("wordpress-v1, wordpress-v2"), undefined, "two releases at once is no answer");
        assert.equal(releaseOfAnswer(["wordpress-v1", "wordpress-v2"]), undefined);
    });
});
