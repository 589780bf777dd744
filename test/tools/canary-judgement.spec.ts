// npm run canary's pure parts: the judgement on recorded Prometheus answers, the PromQL it sends (as
// text and parsed), the step planner and the command line.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { CanaryOptions, describePlan, parseCanaryArgs, usage } from "../../scripts/canary/args";
import { PromResponse, ReleaseAnswers, Thresholds, judge, scalarOf } from "../../scripts/canary/judgement";
import { planSteps } from "../../scripts/canary/plan";
import { canaryQueries } from "../../scripts/canary/promql";
import { wordpressNames } from "../../components/inventory";

const answers = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "canary", "prometheus-answers.json"), "utf8")) as
    Record<string, { stable: ReleaseAnswers; canary: ReleaseAnswers }> & { error: PromResponse };

const thresholds: Thresholds = { minSuccess: 0.99, maxSuccessDrop: 0.01, maxP99Ms: 1000, maxLatencyRatio: 1.5, minRequests: 100 };
const judged = (scenario: string, t: Thresholds = thresholds) => judge(answers[scenario].stable, answers[scenario].canary, t);

// A PromQL parser for the subset the tool sends (aggregations with `by`, function calls, selectors with
// matchers and a range, numbers), after the grammar in https://prometheus.io/docs/prometheus/latest/querying/basics/.
type Node =
    | { kind: "number"; value: number }
    | { kind: "call"; name: string; by?: string[]; args: Node[] }
    | { kind: "selector"; metric: string; matchers: { label: string; op: string; value: string }[]; range?: string };

function parsePromQL(text: string): Node {
    const tokens = [...text.matchAll(/\s*("(?:[^"\\]|\\.)*"|=~|!~|!=|[A-Za-z_:][A-Za-z0-9_:]*|\d+(?:\.\d+)?|\[[0-9]+[smhd]\]|[(){},=])/gy)]
        .map((match) => match[1]);
    assert.equal(tokens.join("").length, text.replace(/\s+/g, "").length, `unparsed characters in ${text}`);
    let at = 0;
    const peek = () => tokens[at];
    const take = (expected?: string) => {
        const token = tokens[at++];
        if (expected !== undefined) {
            assert.equal(token, expected, `expected ${expected} at token ${at - 1} of ${text}`);
        }
        return token;
    };
    const expression = (): Node => {
        const token = take();
        if (/^\d/.test(token)) {
            return { kind: "number", value: Number(token) };
        }
        if (peek() === "by") {
            take("by");
            take("(");
            const by: string[] = [];
            while (peek() !== ")") {
                by.push(take());
                if (peek() === ",") {
                    take(",");
                }
            }
            take(")");
            take("(");
            const inner = expression();
            take(")");
            return { kind: "call", name: token, by, args: [inner] };
        }
        if (peek() === "(") {
            take("(");
            const args: Node[] = [];
            while (peek() !== ")") {
                args.push(expression());
                if (peek() === ",") {
                    take(",");
                }
            }
            take(")");
            return { kind: "call", name: token, args };
        }
        const matchers: { label: string; op: string; value: string }[] = [];
        take("{");
        while (peek() !== "}") {
            const label = take();
            const op = take();
            matchers.push({ label, op, value: JSON.parse(take()) as string });
            if (peek() === ",") {
                take(",");
            }
        }
        take("}");
        const range = peek()?.startsWith("[") ? take().slice(1, -1) : undefined;
        return { kind: "selector", metric: token, matchers, ...(range ? { range } : {}) };
    };
    const tree = expression();
    assert.equal(at, tokens.length, `trailing tokens in ${text}`);
    return tree;
}

const gatewaySide = (workload: string) => [
    { label: "reporter", op: "=", value: "source" },
    { label: "source_workload", op: "=", value: "istio-ingressgateway" },
    { label: "destination_workload", op: "=", value: workload },
];

describe("npm run canary: judgement, PromQL, plan and arguments", () => {
    describe("the PromQL it sends", () => {
        it("reads the gateway's source-side standard metrics, per release Deployment, as text", () => {
            const canary = canaryQueries("canary", 60);
            assert.equal(canary.requests, "sum(increase(istio_requests_total{reporter=\"source\",source_workload=\"istio-ingressgateway\"," +
                "destination_workload=\"wordpress-v2\"}[60s]))");
            assert.equal(canary.errors, "sum(increase(istio_requests_total{reporter=\"source\",source_workload=\"istio-ingressgateway\"," +
                "destination_workload=\"wordpress-v2\",response_code=~\"5..\"}[60s]))");
            assert.equal(canary.p99, "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{" +
                "reporter=\"source\",source_workload=\"istio-ingressgateway\",destination_workload=\"wordpress-v2\"}[60s])))");
            assert.match(canaryQueries("stable", 300).requests, /destination_workload="wordpress-v1"\}\[300s\]/);
        });

        it("parses: sum(increase(selector[window])), and a p99 over buckets summed by le", () => {
            for (const [release, workload] of [["stable", wordpressNames.stable.deployment], ["canary", wordpressNames.canary.deployment]] as const) {
                const queries = canaryQueries(release, 120);
                assert.deepEqual(parsePromQL(queries.requests), {
                    kind: "call", name: "sum", args: [{ kind: "call", name: "increase", args: [
                        { kind: "selector", metric: "istio_requests_total", matchers: gatewaySide(workload), range: "120s" }] }],
                });
                assert.deepEqual(parsePromQL(queries.errors), {
                    kind: "call", name: "sum", args: [{ kind: "call", name: "increase", args: [
                        { kind: "selector", metric: "istio_requests_total", range: "120s",
                            matchers: [...gatewaySide(workload), { label: "response_code", op: "=~", value: "5.." }] }] }],
                });
                assert.deepEqual(parsePromQL(queries.p99), {
                    kind: "call", name: "histogram_quantile", args: [{ kind: "number", value: 0.99 }, {
                        kind: "call", name: "sum", by: ["le"], args: [{ kind: "call", name: "rate", args: [
                            { kind: "selector", metric: "istio_request_duration_milliseconds_bucket", matchers: gatewaySide(workload), range: "120s" }] }],
                    }],
                });
            }
        });

        it("the parser itself rejects a broken query", () => {
            assert.throws(() => parsePromQL("sum(increase(istio_requests_total{reporter=\"source\"[60s]))"));
            assert.throws(() => parsePromQL("sum(x{a=\"b\"}) junk ;"));
        });

        it("refuses a window that is not whole seconds", () => {
            assert.throws(() => canaryQueries("canary", 0.5), /whole number of seconds/);
        });
    });

    describe("the judgement on recorded Prometheus answers", () => {
        it("a healthy canary passes, with the numbers it used", () => {
            const result = judged("healthy");
            assert.equal(result.verdict, "pass", result.reasons.join("; "));
            assert.equal(result.numbers.canary.requests, 502.1);
            assert.equal(result.numbers.canary.errors, 0, "no 5xx series is zero errors");
            assert.equal(result.numbers.canary.successRate, 1);
            assert.equal(result.numbers.canary.p99Ms, 190);
            assert.ok(Math.abs((result.numbers.stable.successRate ?? 0) - (4512.7 - 3) / 4512.7) < 1e-12);
            assert.deepEqual(result.thresholds, thresholds);
        });

        it("a failing canary fails on its success rate, absolute and against stable", () => {
            const result = judged("failing");
            assert.equal(result.verdict, "fail");
            assert.match(result.reasons[0], /canary success 91\.83% < 99\.00% \(41 of 502 failed\)/);
            assert.match(result.reasons[1], /more than 1\.00% below stable's 99\.93%/);
            // The drop rule alone: a lenient floor, the canary 8 points below stable still fails.
            const dropOnly = judged("failing", { ...thresholds, minSuccess: 0.5 });
            assert.equal(dropOnly.verdict, "fail");
            assert.equal(dropOnly.reasons.length, 1);
        });

        it("a slow canary fails on p99, absolute and relative to stable", () => {
            const slow = judged("slow");
            assert.equal(slow.verdict, "fail");
            assert.match(slow.reasons.join("; "), /canary p99 1451 ms > 1000 ms/);
            const relative = judged("slowRelative");
            assert.equal(relative.verdict, "fail");
            assert.deepEqual(relative.reasons, ["canary p99 400 ms > stable's 120 ms × 1.5"]);
            assert.equal(judged("slowRelative", { ...thresholds, maxLatencyRatio: 4 }).verdict, "pass");
        });

        it("too little traffic is inconclusive, whatever the other numbers", () => {
            const result = judged("littleTraffic");
            assert.equal(result.verdict, "inconclusive");
            assert.match(result.reasons[0], /too little traffic: the canary had 12 requests, fewer than 100/);
            assert.equal(judged("littleTraffic", { ...thresholds, minRequests: 10 }).verdict, "pass");
        });

        it("stable itself failing is inconclusive: not the canary's fault", () => {
            const result = judged("stableFailing");
            assert.equal(result.verdict, "inconclusive");
            assert.match(result.reasons[0], /stable itself is failing: success 91\.14% < 99\.00%/);
        });

        it("missing series: no canary series is no traffic; requests without a latency histogram is inconclusive", () => {
            const none = judged("missingCanary");
            assert.equal(none.verdict, "inconclusive");
            assert.match(none.reasons[0], /no series for it/);
            assert.equal(none.numbers.canary.successRate, undefined);
            const noLatency = judged("missingLatency");
            assert.equal(noLatency.verdict, "inconclusive");
            assert.match(noLatency.reasons[0], /missing series/);
            assert.equal(noLatency.numbers.canary.p99Ms, undefined, "NaN is no number");
        });

        it("at weight 100 stable has no traffic: only the absolute thresholds judge", () => {
            const result = judged("fullWeight");
            assert.equal(result.verdict, "pass", result.reasons.join("; "));
            assert.match(result.reasons[0], /stable had too little traffic to compare with/);
        });

        it("an error answer or an unexpected shape throws, naming the query", () => {
            assert.throws(() => judge(answers.healthy.stable, { ...answers.healthy.canary, p99: answers.error }, thresholds),
                /Prometheus refused the canary p99 query: bad_data/);
            const two: PromResponse = { status: "success", data: { resultType: "vector", result: [
                { metric: { pod: "a" }, value: [1, "1"] }, { metric: { pod: "b" }, value: [1, "2"] }] } };
            assert.throws(() => scalarOf(two, "stable requests"), /returned 2 series/);
            assert.throws(() => scalarOf({ status: "success", data: { resultType: "matrix", result: [] } }, "x"), /matrix, not a vector/);
        });
    });

    describe("the step plan", () => {
        it("--steps as given, increasing, 1-100", () => {
            assert.deepEqual(planSteps({ steps: "10,25,50,100" }), [10, 25, 50, 100]);
            assert.deepEqual(planSteps({ steps: "5" }), [5]);
            assert.match((planSteps({ steps: "10,5" }) as { error: string }).error, /must increase: 10 then 5/);
            assert.match((planSteps({ steps: "0,50" }) as { error: string }).error, /"0" is not an integer 1-100/);
            assert.match((planSteps({ steps: "10,abc" }) as { error: string }).error, /"abc"/);
            assert.match((planSteps({ steps: "10,150" }) as { error: string }).error, /"150"/);
        });

        it("--step/--max-weight: multiples of the step, ending exactly at the maximum", () => {
            assert.deepEqual(planSteps({ step: "20" }), [20, 40, 60, 80, 100]);
            assert.deepEqual(planSteps({ step: "30", maxWeight: "100" }), [30, 60, 90, 100]);
            assert.deepEqual(planSteps({ step: "25", maxWeight: "50" }), [25, 50]);
            assert.deepEqual(planSteps({ step: "50", maxWeight: "50" }), [50]);
            assert.match((planSteps({ step: "60", maxWeight: "50" }) as { error: string }).error, /above --max-weight/);
            assert.match((planSteps({ steps: "10", step: "5" }) as { error: string }).error, /not both/);
        });
    });

    describe("the command line", () => {
        it("--help wins and prints every option", () => {
            assert.deepEqual(parseCanaryArgs(["--stack", "dev", "--help"]), { help: true });
            for (const flag of ["--stack", "--steps", "--step", "--max-weight", "--interval", "--max-wait", "--min-requests", "--min-success",
                "--max-success-drop", "--max-p99", "--max-latency-ratio", "--prometheus-url", "--summary-file", "--dry-run", "--no-write"]) {
                assert.ok(usage.includes(flag), flag);
            }
            // The cluster is the stack's own binding (scripts/verify/stack-cluster.ts), as in verify.
            assert.ok(!usage.includes("--context"));
            assert.match((parseCanaryArgs(["--stack", "dev", "--context=kind-kind"]) as { error: string }).error,
                /--context is gone: .*pulumi config set kubernetes:context <context>/);
        });

        it("defaults, and values in percent and seconds", () => {
            const options = parseCanaryArgs(["--stack", "prod"]) as CanaryOptions;
            assert.deepEqual(options.steps, [10, 25, 50, 100]);
            assert.deepEqual(options.thresholds, { minSuccess: 0.99, maxSuccessDrop: 0.01, maxP99Ms: 1000, maxLatencyRatio: 1.5, minRequests: 100 });
            assert.equal(options.dryRun, false);
            const custom = parseCanaryArgs(["--stack=prod", "--step", "20", "--max-weight", "60", "--min-success=99.5", "--interval", "30",
                "--prometheus-url", "http://127.0.0.1:9090/", "--dry-run"]) as CanaryOptions;
            assert.deepEqual(custom.steps, [20, 40, 60]);
            assert.equal(custom.thresholds.minSuccess, 0.995);
            assert.equal(custom.intervalSeconds, 30);
            assert.equal(custom.prometheusUrl, "http://127.0.0.1:9090");
            assert.equal(custom.dryRun, true);
        });

        it("bad input is an error naming the flag and the value", () => {
            assert.match((parseCanaryArgs([]) as { error: string }).error, /--stack <name> is required/);
            assert.match((parseCanaryArgs(["--stack", "dev", "--min-success", "120"]) as { error: string }).error, /--min-success must be a number 0-100 \(got "120"\)/);
            assert.match((parseCanaryArgs(["--stack", "dev", "--interval", "1.5"]) as { error: string }).error, /--interval must be an integer/);
            assert.match((parseCanaryArgs(["--stack", "dev", "--bogus"]) as { error: string }).error, /unknown argument "--bogus"/);
            assert.match((parseCanaryArgs(["--stack", "dev", "--prometheus-url", "file:///etc"]) as { error: string }).error, /http\(s\) URL/);
            assert.match((parseCanaryArgs(["--stack", "dev", "--dry-run", "--no-write"]) as { error: string }).error, /exclude each other/);
            assert.match((parseCanaryArgs(["--stack", "$(rm)"]) as { error: string }).error, /not a stack name/);
        });

        it("--dry-run's plan names every up in order, the promotion and the rollback", () => {
            const plan = describePlan(parseCanaryArgs(["--stack", "dev", "--steps", "10,50"]) as CanaryOptions);
            const lines = plan.split("\n");
            assert.match(lines[1], /preview: refuse to start/);
            assert.match(lines[2], /1\. set wordpress\.canary\.weight 10, up, wait 60s/);
            assert.match(lines[3], /2\. set wordpress\.canary\.weight 50/);
            assert.match(lines[4], /3\. promote: wordpress\.stable\.image := wordpress\.canary\.image, wordpress\.canary\.weight 0, one up/);
            assert.match(plan, /on a failing step: wordpress\.canary\.weight 0, one up, exit 1/);
        });
    });
});
