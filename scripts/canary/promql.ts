// The PromQL `npm run canary` sends. Only the ingress gateway's own, source-side Istio standard metrics
// are used (https://istio.io/latest/docs/reference/config/metrics/: istio_requests_total and
// istio_request_duration_milliseconds, labels reporter, source_workload, destination_workload,
// response_code). The gateway is an Envoy in both data planes, so these series exist with sidecars and in
// ambient mode without a waypoint, where the destination side has no Envoy to report them.
import { gatewayReleaseName } from "../../components/core/istio-names";
import { Release, releases } from "../../components/samples/canary";

export type { Release };

/** The gateway Deployment is named after its Helm release, so `source_workload` is the release name. */
export const gatewayWorkload = gatewayReleaseName;

export interface CanaryQueries {
    requests: string;
    errors: string;
    p99: string;
}

/** Label values here are names from the inventory; quoting still escapes, so no name can break a selector. */
const quote = (value: string): string => JSON.stringify(value);

function selector(release: Release, extra: string[] = []): string {
    return [
        `reporter=${quote("source")}`,
        `source_workload=${quote(gatewayWorkload)}`,
        // The workload that also names the release in the gateway's response header (verify's canary check).
        `destination_workload=${quote(releases[release].workload)}`,
        ...extra,
    ].join(",");
}

/**
 * Three instant queries per release over the last `windowSeconds`: requests, 5xx answers, and the p99
 * latency in milliseconds. `increase` over the window, not `rate`, so the minimum-traffic rule counts
 * requests. The latency is one quantile over the summed buckets of every gateway pod (`sum by (le)`),
 * the way Istio's own dashboards compute it.
 */
export function canaryQueries(release: Release, windowSeconds: number): CanaryQueries {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
        throw new RangeError(`the query window must be a whole number of seconds (got ${windowSeconds})`);
    }
    const range = `[${windowSeconds}s]`;
    return {
        requests: `sum(increase(istio_requests_total{${selector(release)}}${range}))`,
        errors: `sum(increase(istio_requests_total{${selector(release, [`response_code=~${quote("5..")}`])}}${range}))`,
        p99: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${selector(release)}}${range})))`,
    };
}
