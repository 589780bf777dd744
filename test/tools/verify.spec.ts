// `npm run verify`: its decisions on recorded tool outputs (test/fixtures/verify), the binomial
// interval on known values, the HTTPS client against a local server that requires client certificates
// (certificates made with openssl at test time), and the whole script run end to end with stand-ins for
// the pulumi and kubectl executables.
import { strict as assert } from "assert";
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parseStackConfig } from "../../components/config/parse";
import { StackConfig } from "../../components/config/schema";
import { authorizationPolicySpecs } from "../../components/mesh/authorization/rules";
import { plannedWaypointNamespaces } from "../../components/mesh/authorization/ambient";
import { principal, sampleWorkloads } from "../../components/mesh/mesh-inventory";
import {
    decideWaypoints, decideZtunnel, enrolledSampleNamespaces, namespaceEnrolledInAmbient, namespaceLabelsOf,
} from "../../scripts/verify/ambient";
import { main as verifyMain } from "../../scripts/verify";
import { parseVerifyArgs } from "../../scripts/verify/args";
import { hiddenClusterKeys, kubectlTarget, verifyClusterBinding } from "../../scripts/verify/cluster";
import { findOnPath, missingPulumiMessage } from "../../scripts/verify/executables";
import { normalQuantile, scoreAcceptanceBand, shareConsistent, wilsonInterval } from "../../scripts/verify/binomial";
import { decideCanary, tallyCanary } from "../../scripts/verify/canary";
import {
    HttpsResult, classifyTransportError, decideGatewayHttps, decideMutualTls, gatewayEndpoint, gatewayServerName, parsePortForward,
} from "../../scripts/verify/gateway";
import { gatewayAgent, httpsGet, runLimited } from "../../scripts/verify/https-client";
import { decideKiali, kialiStatusPath } from "../../scripts/verify/kiali";
import {
    InMeshCaller, curlProbeScript, decideInMeshCall, decidePlaintextProbe, inMeshCaller, parseCurlProbe, parseMysqlGreeting,
    pickExecTarget, plaintextProbeManifests, plaintextTarget,
} from "../../scripts/verify/mesh-probes";
import { releaseHeader } from "../../components/samples/canary";
import { exitCodeFor, fail, formatReport, pass, skip } from "../../scripts/verify/report";
import { parseStackOutputs, rawConfigFromPulumiJson, stackConfigFrom } from "../../scripts/verify/stack-data";
import { runMain } from "../support/in-process";
import { writeStandInKubectl, writeStandInPulumi } from "../support/verify-stand-ins";

const repoRoot = path.resolve(__dirname, "..", "..");
const fixtures = path.join(repoRoot, "test", "fixtures", "verify");
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name), "utf8");

function config(raw: Record<string, unknown> = {}): StackConfig {
    return parseStackConfig(raw);
}

/** Starts a test server on a free loopback port and returns the port. */
function listenOnLoopback(server: https.Server): Promise<number> {
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function commandExists(command: string): boolean {
    return spawnSync("bash", ["-c", `command -v ${command}`]).status === 0;
}

describe("verify: binomial interval", () => {
    it("computes normal quantiles to 1e-8", () => {
        assert.equal(normalQuantile(0.5), 0);
        assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
        assert.ok(Math.abs(normalQuantile(0.995) - 2.5758293035489) < 1e-8);
        assert.ok(Math.abs(normalQuantile(0.001) + 3.090232306167813) < 1e-8);
        assert.ok(Math.abs(normalQuantile(0.3) + normalQuantile(0.7)) < 1e-12, "symmetric");
        assert.throws(() => normalQuantile(0), RangeError);
        assert.throws(() => normalQuantile(1), RangeError);
    });

    it("matches the published Wilson intervals (Newcombe 1998, Table I, method 3)", () => {
        const cases: [number, number, number, number][] = [
            [81, 263, 0.2553, 0.3662], [15, 148, 0.0624, 0.1605], [0, 20, 0, 0.1611], [1, 29, 0.0061, 0.1718],
        ];
        for (const [k, n, lower, upper] of cases) {
            const interval = wilsonInterval(k, n, 0.95);
            assert.ok(Math.abs(interval.lower - lower) < 5e-5 && Math.abs(interval.upper - upper) < 5e-5,
                `${k}/${n}: got [${interval.lower}, ${interval.upper}]`);
        }
    });

    it("at 99%: 20 of 200 gives [0.0576, 0.1681]; 3 of 10 is wide", () => {
        const interval = wilsonInterval(20, 200, 0.99);
        assert.ok(Math.abs(interval.lower - 0.057574) < 1e-5 && Math.abs(interval.upper - 0.168114) < 1e-5);
        const small = wilsonInterval(3, 10, 0.99);
        assert.ok(Math.abs(small.lower - 0.079566) < 1e-5 && Math.abs(small.upper - 0.679975) < 1e-5);
    });

    it("stays inside [0, 1] and reaches 0 and 1 exactly at 0% and 100%, for any N", () => {
        for (const n of [1, 2, 3, 10, 200]) {
            assert.equal(wilsonInterval(0, n, 0.99).lower, 0);
            assert.equal(wilsonInterval(n, n, 0.99).upper, 1);
            for (let k = 0; k <= n; k++) {
                const { lower, upper } = wilsonInterval(k, n, 0.99);
                assert.ok(lower >= 0 && lower <= k / n && k / n <= upper && upper <= 1, `${k}/${n}`);
            }
        }
        assert.ok(wilsonInterval(0, 200, 0.99).upper > 0, "a 0% sample does not prove a 0% weight exactly");
    });

    it("with the default 10% canary and 200 requests, 10-30 v2 answers pass and 9 or 31 fail", () => {
        assert.deepEqual(shareConsistent(20, 200, 0.1, 0.99).acceptedCounts, { lowest: 10, highest: 30 });
        for (const k of [10, 20, 30]) {
            assert.ok(shareConsistent(k, 200, 0.1, 0.99).consistent, `${k}`);
        }
        for (const k of [0, 9, 31, 100]) {
            assert.ok(!shareConsistent(k, 200, 0.1, 0.99).consistent, `${k}`);
        }
    });

    it("a 0% or 100% weight tolerates no stray answer", () => {
        assert.ok(shareConsistent(0, 200, 0, 0.99).consistent);
        assert.ok(!shareConsistent(1, 200, 0, 0.99).consistent);
        assert.ok(shareConsistent(200, 200, 1, 0.99).consistent);
        assert.ok(!shareConsistent(199, 200, 1, 0.99).consistent);
    });

    it("the configured weight inside the Wilson interval is the observed share inside the score band", () => {
        for (const n of [1, 2, 5, 10, 37, 200]) {
            for (const p of [0, 0.01, 0.1, 0.25, 0.5, 0.9, 1]) {
                const band = scoreAcceptanceBand(p, n, 0.99);
                for (let k = 0; k <= n; k++) {
                    const inBand = k / n >= band.lower - 1e-12 && k / n <= band.upper + 1e-12;
                    assert.equal(shareConsistent(k, n, p, 0.99).consistent, inBand, `k=${k} n=${n} p=${p}`);
                }
            }
        }
    });

    it("refuses impossible counts and confidences", () => {
        assert.throws(() => wilsonInterval(3, 2, 0.99), RangeError);
        assert.throws(() => wilsonInterval(0, 0, 0.99), RangeError);
        assert.throws(() => wilsonInterval(1.5, 10, 0.99), RangeError);
        assert.throws(() => wilsonInterval(1, 10, 1), RangeError);
    });
});

describe("verify: telling stable from canary", () => {
    const header = (value: string) => ({ [releaseHeader]: value });
    const answers = (stable: number, canary: number): HttpsResult[] => [
        ...Array.from({ length: stable }, () => ({ status: 200, headers: header("wordpress-v1") })),
        ...Array.from({ length: canary }, () => ({ status: 302, headers: header("wordpress-v2") })),
    ];

    it("tallies recorded gateway answers by the release header, counting errors and unknown answers apart", () => {
        const recorded = JSON.parse(fixture("gateway-answers.json")) as ({ status: number; "x-iks-mesh-release": string | null } | { error: { code: string; message: string } })[];
        const results: HttpsResult[] = recorded.map((entry) => "error" in entry ? entry :
            { status: entry.status, headers: entry["x-iks-mesh-release"] === null ? {} : header(entry["x-iks-mesh-release"]) });
        const tally = tallyCanary(results);
        assert.deepEqual({ stable: tally.stable, canary: tally.canary, unclassified: tally.unclassified, failed: tally.failed },
            { stable: 2, canary: 1, unclassified: 2, failed: 2 });
        const verdict = decideCanary(tally, 10, 0.99);
        assert.equal(verdict.status, "FAIL");
        assert.match(verdict.reason, /2 of 7 requests failed and 2 answered without x-iks-mesh-release naming wordpress-v1 \(stable\) nor wordpress-v2/);
        assert.match(verdict.reason, /: HTTP 200 x-iks-mesh-release "wordpress-v3"; HTTP 503; HTTP 200 x-iks-mesh-release null$/);
    });

    it("passes a split that fits the weight and fails one that does not", () => {
        const fits = decideCanary(tallyCanary(answers(180, 20)), 10, 0.99);
        assert.equal(fits.status, "PASS");
        assert.match(fits.reason, /20 of 200 answers from wordpress-v2 = 10\.0%; configured 10%; 99% Wilson interval \[5\.8%, 16\.8%\]; 10-30 canary answers would pass/);
        const off = decideCanary(tallyCanary(answers(155, 45)), 10, 0.99);
        assert.equal(off.status, "FAIL");
        assert.match(off.reason, /does not match the weight/);
        assert.equal(decideCanary(tallyCanary(answers(0, 200)), 100, 0.99).status, "PASS");
        assert.equal(decideCanary(tallyCanary(answers(199, 1)), 0, 0.99).status, "FAIL");
    });

    it("does not care which PHP either release runs: only the gateway's header counts", () => {
        const samePhp = [{ status: 200, headers: { "x-powered-by": "PHP/8.3.27", ...header("wordpress-v2") } },
            { status: 200, headers: { "x-powered-by": "PHP/8.3.27" } }];
        const tally = tallyCanary(samePhp);
        assert.deepEqual([tally.canary, tally.unclassified], [1, 1]);
    });
});

describe("verify: plaintext from outside the mesh", () => {
    it("probes httpbin first, with the URL of its Service", () => {
        assert.deepEqual(plaintextTarget(config()), { workload: "httpbin", namespace: "httptools", url: "http://httpbin.httptools:8000/status/200" });
    });

    it("moves to the next STRICT front end when httpbin is off or not STRICT", () => {
        const next = { workload: "productpage-v1", namespace: "bookinfo", url: "http://productpage.bookinfo:9080/productpage" };
        assert.deepEqual(plaintextTarget(config({ httpbin: { enabled: false } })), next);
        assert.deepEqual(plaintextTarget(config({ mtls: { policies: [{ namespace: "httptools", mode: "PERMISSIVE", exception: true }] } })), next);
        const onlyWordpress = plaintextTarget(config({ httpbin: { enabled: false }, bookinfo: { enabled: false } }));
        assert.ok(!("skip" in onlyWordpress) && onlyWordpress.url === "http://wordpress.wordpress:80/");
    });

    it("skips when nothing is STRICT or nothing is deployed", () => {
        const permissive = plaintextTarget(config({ mtls: { mode: "PERMISSIVE" } }));
        assert.ok("skip" in permissive && permissive.skip.includes('mtls.mode PERMISSIVE'));
        const none = plaintextTarget(config({ httpbin: { enabled: false }, bookinfo: { enabled: false }, wordpress: { enabled: false } }));
        assert.ok("skip" in none && none.skip.includes('all disabled'));
    });

    it("parses the probe pod's recorded logs", () => {
        assert.deepEqual(parseCurlProbe(fixture("curl-probe-reset.log")), { httpCode: 0, exitCode: 56 });
        assert.deepEqual(parseCurlProbe(fixture("curl-probe-empty-reply.log")), { httpCode: 0, exitCode: 52 });
        assert.deepEqual(parseCurlProbe(fixture("curl-probe-accepted.log")), { httpCode: 200, exitCode: 0 });
        assert.deepEqual(parseCurlProbe(fixture("curl-probe-dns.log")), { httpCode: 0, exitCode: 6 });
        assert.equal(parseCurlProbe("Error from server (BadRequest): container \"curl\" in pod is waiting to start"), undefined);
        assert.equal(parseCurlProbe("000 exit=56"), undefined, "only the probe's own line counts");
    });

    const target = { workload: "httpbin", namespace: "httptools", url: "http://httpbin.httptools:8000/status/200" };

    it("passes a reset or an empty reply, fails an answer, and calls DNS or timeouts inconclusive", () => {
        assert.equal(decidePlaintextProbe(target, parseCurlProbe(fixture("curl-probe-reset.log")), false).status, "PASS");
        assert.equal(decidePlaintextProbe(target, parseCurlProbe(fixture("curl-probe-empty-reply.log")), false).status, "PASS");
        const accepted = decidePlaintextProbe(target, parseCurlProbe(fixture("curl-probe-accepted.log")), false);
        assert.equal(accepted.status, "FAIL");
        assert.match(accepted.reason, /got HTTP 200: httptools\/httpbin accepts plaintext/);
        for (const log of ["curl-probe-dns.log", "curl-probe-timeout.log"]) {
            const result = decidePlaintextProbe(target, parseCurlProbe(fixture(log)), false);
            assert.equal(result.status, "FAIL");
            assert.match(result.reason, /cannot tell/);
        }
        assert.equal(decidePlaintextProbe(target, undefined, false).status, "FAIL");
    });

    it("fails when the probe itself was injected (it would then be inside the mesh)", () => {
        const result = decidePlaintextProbe(target, parseCurlProbe(fixture("curl-probe-reset.log")), true);
        assert.equal(result.status, "FAIL");
        assert.match(result.reason, /sidecar/);
    });

    it("runs the probe in a valid, uninjected, locked-down pod with the URL passed as data", async () => {
        const [namespace, pod] = plaintextProbeManifests("iks-mesh-verify-abc123", "plaintext-probe", "curlimages/curl:8.16.0", target.url);
        type Model = new (data: object) => { validate(): void };
        const models = (await import("kubernetes-models/v1")) as unknown as Record<string, Model>;
        new models.Namespace(namespace).validate();
        new models.Pod(pod).validate();
        const spec = (pod as { spec: { containers: { command: string[]; env: { value: string }[] }[]; automountServiceAccountToken: boolean } }).spec;
        assert.equal((namespace as { metadata: { labels: Record<string, string> } }).metadata.labels["istio-injection"], "disabled");
        assert.equal((pod as { metadata: { labels: Record<string, string> } }).metadata.labels["sidecar.istio.io/inject"], "false");
        assert.equal(spec.automountServiceAccountToken, false);
        assert.deepEqual(spec.containers[0].command, ["sh", "-c", curlProbeScript]);
        assert.ok(!spec.containers[0].command.join(" ").includes(target.url), "the URL is an env value, not shell text");
        assert.equal(spec.containers[0].env[0].value, target.url);
    });

    it("the probe script prints what the parser reads (run with a stand-in curl)", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "curl-"));
        fs.writeFileSync(path.join(bin, "curl"), "#!/bin/sh\n[ \"$1\" = -s ] || echo 'curl: (56) Recv failure: Connection reset by peer' >&2\nprintf 000\nexit 56\n", { mode: 0o755 });
        const result = spawnSync("sh", ["-c", `(${curlProbeScript}) 2>&1`], { encoding: "utf8", env: { PATH: `${bin}:${process.env.PATH ?? ""}`, TARGET_URL: target.url } });
        assert.equal(result.stdout, "http_code=000 exit=56\n", "curl's error text stays out of the result line");
        assert.deepEqual(parseCurlProbe(result.stdout), { httpCode: 0, exitCode: 56 });
    });
});

describe("verify: a call inside the mesh", () => {
    it("calls productpage → details when bookinfo is on, else wordpress → mysql, else skips", () => {
        const bookinfo = inMeshCaller(config());
        assert.ok(!("skip" in bookinfo) && bookinfo.kind === "python-http" && bookinfo.namespace === "bookinfo" && bookinfo.selector === "app=productpage");
        const wordpress = inMeshCaller(config({ bookinfo: { enabled: false } }));
        assert.ok(!("skip" in wordpress) && wordpress.kind === "php-mysql" && wordpress.namespace === "wordpress");
        assert.ok("skip" in inMeshCaller(config({ bookinfo: { enabled: false }, wordpress: { enabled: false } })));
    });

    it("calls only what the deny-by-default authorization rules allow the caller", () => {
        for (const stackConfig of [config(), config({ bookinfo: { enabled: false } })]) {
            const caller = inMeshCaller(stackConfig) as InMeshCaller;
            const callerApp = caller.selector.replace(/^app=/, "");
            const callerWorkload = sampleWorkloads(stackConfig).find((workload) => workload.namespace === caller.namespace && workload.podLabels.app === callerApp);
            assert.ok(callerWorkload, `${caller.selector} is a workload of the stack`);
            const allowed = authorizationPolicySpecs(stackConfig).some((policy) => {
                const spec = policy.spec;
                return policy.namespace === caller.namespace && spec.action === "ALLOW" && spec.selector?.matchLabels.app === caller.targetApp &&
                    JSON.stringify(spec.rules ?? []).includes(principal(caller.namespace, callerWorkload.serviceAccount));
            });
            assert.ok(allowed, `${caller.description} must be an allowed call`);
        }
    });

    it("the Python probe is valid Python", function () {
        const caller = inMeshCaller(config()) as InMeshCaller;
        if (!commandExists("python3")) {
            this.skip();
        }
        const compiled = spawnSync("python3", ["-c", "import ast, sys; ast.parse(sys.argv[1])", caller.command[2]], { encoding: "utf8" });
        assert.equal(compiled.status, 0, compiled.stderr);
    });

    it("finds the application container beside a native or a classic sidecar", () => {
        assert.deepEqual(pickExecTarget(fixture("pods-productpage-native-sidecar.json")),
            { pod: "productpage-v1-7f6cc7d5b9-2xk8q", container: "productpage", hasSidecar: true });
        assert.deepEqual(pickExecTarget(fixture("pods-wordpress-classic-sidecar.json")),
            { pod: "wordpress-v1-5d9f8b7c6d-abcde", container: "wordpress", hasSidecar: true });
        const starting = pickExecTarget(fixture("pods-starting.json"));
        assert.ok("problem" in starting && starting.problem.includes('no running pod (of 1 found)'));
    });

    const python = inMeshCaller(config()) as InMeshCaller;
    const php = inMeshCaller(config({ bookinfo: { enabled: false } })) as InMeshCaller;
    const meshed = { pod: "productpage-v1-7f6cc7d5b9-2xk8q", container: "productpage", hasSidecar: true };

    it("passes a 200, and explains a 403 or a transport error", () => {
        assert.equal(decideInMeshCall(python, meshed, "status=200\n").status, "PASS");
        const denied = decideInMeshCall(python, meshed, "status=403\n");
        assert.equal(denied.status, "FAIL");
        assert.match(denied.reason, /RBAC/);
        assert.match(decideInMeshCall(python, meshed, "error=URLError: <urlopen error [Errno 111] Connection refused>").reason,
            /failed: URLError/);
        assert.match(decideInMeshCall(python, { ...meshed, hasSidecar: false }, "status=200").reason, /not in the mesh/);
    });

    it("reads MySQL's recorded greeting, and fails a connection closed before it", () => {
        const greeting = parseMysqlGreeting(fixture("mysql-greeting.hex").trim());
        assert.deepEqual(greeting, { protocol: 10, serverVersion: "8.4.10" });
        const target = { pod: "wordpress-v1-5d9f8b7c6d-abcde", container: "wordpress", hasSidecar: true };
        const reached = decideInMeshCall(php, target, `handshake=${fixture("mysql-greeting.hex").trim()}`);
        assert.equal(reached.status, "PASS");
        assert.match(reached.reason, /MySQL 8\.4\.10/);
        assert.match(decideInMeshCall(php, target, "handshake=").reason, /closed without MySQL's greeting/);
        assert.equal(parseMysqlGreeting("48545450"), undefined, "an HTTP answer is no greeting");
    });
});

describe("verify: the ambient data plane", () => {
    const samples = ["wordpress", "bookinfo", "httptools"];
    /** The recorded namespaces with httptools enrolled too. */
    const allEnrolled = () => {
        const list = JSON.parse(fixture("namespaces-ambient.json")) as { items: { metadata: { name: string; labels: Record<string, string> } }[] };
        list.items[2].metadata.labels = { "istio.io/dataplane-mode": "ambient" };
        return JSON.stringify(list);
    };

    it("expects every enabled sample namespace enrolled, and a waypoint only where the stack deploys one", () => {
        assert.deepEqual(enrolledSampleNamespaces(config()), samples);
        assert.deepEqual(enrolledSampleNamespaces(config({ wordpress: { enabled: false }, httpbin: { enabled: false } })), ["bookinfo"]);
        const ambient = { istio: { dataplane: "ambient" } };
        assert.deepEqual(plannedWaypointNamespaces(config(ambient)), []);
        const routed = config({ ...ambient, gateway: { routes: [{ prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 }] } });
        assert.deepEqual(plannedWaypointNamespaces(routed), ["bookinfo"]);
    });

    it("reads the enrollment label from recorded namespaces", () => {
        const labels = namespaceLabelsOf(fixture("namespaces-ambient.json"));
        assert.deepEqual(samples.map((name) => namespaceEnrolledInAmbient(labels.get(name))), [true, true, false]);
        assert.equal(namespaceEnrolledInAmbient(undefined), false);
        const single = JSON.stringify({ kind: "Namespace", metadata: { name: "bookinfo", labels: { "istio.io/dataplane-mode": "ambient" } } });
        assert.equal(namespaceEnrolledInAmbient(namespaceLabelsOf(single).get("bookinfo")), true);
    });

    it("passes ztunnel ready on every node with every sample enrolled, and names what is not", () => {
        const ready = decideZtunnel(fixture("daemonset-ztunnel-ready.json"), allEnrolled(), samples);
        assert.equal(ready.status, "PASS", ready.reason);
        assert.match(ready.reason, /ready on 3 of 3 nodes/);
        const rolling = decideZtunnel(fixture("daemonset-ztunnel-rolling.json"), allEnrolled(), samples);
        assert.equal(rolling.status, "FAIL");
        assert.match(rolling.reason, /ready on 2 of 3 nodes/);
        const unenrolled = decideZtunnel(fixture("daemonset-ztunnel-ready.json"), fixture("namespaces-ambient.json"), samples);
        assert.equal(unenrolled.status, "FAIL");
        assert.match(unenrolled.reason, /httptools lacks istio\.io\/dataplane-mode=ambient/);
        assert.equal(decideZtunnel(JSON.stringify({ status: { desiredNumberScheduled: 0, numberReady: 0 } }), allEnrolled(), samples).status, "FAIL");
    });

    it("passes a Programmed waypoint, fails a pending or missing one, and skips when there is none", () => {
        const programmed = decideWaypoints(new Map([["bookinfo", fixture("gateways-bookinfo-waypoint.json")]]), ["bookinfo"]);
        assert.equal(programmed.status, "PASS", programmed.reason);
        const pending = decideWaypoints(new Map([["bookinfo", fixture("gateways-bookinfo-waypoint-pending.json")]]), ["bookinfo"]);
        assert.equal(pending.status, "FAIL");
        assert.match(pending.reason, /bookinfo\/waypoint is not programmed: Programmed=False \(Pending\)/);
        const missing = decideWaypoints(new Map([["bookinfo", JSON.stringify({ items: [] })]]), ["bookinfo"]);
        assert.match(missing.reason, /bookinfo\/waypoint is missing/);
        assert.equal(decideWaypoints(new Map(), []).status, "SKIP");
    });

    it("an ambient caller without a sidecar is in the mesh when its namespace is enrolled", () => {
        const python = inMeshCaller(config()) as InMeshCaller;
        const noSidecar = { pod: "productpage-v1-7f6cc7d5b9-2xk8q", container: "productpage", hasSidecar: false };
        const enrolled = decideInMeshCall(python, noSidecar, "status=200\n", { mode: "ambient", namespaceEnrolled: true });
        assert.equal(enrolled.status, "PASS", enrolled.reason);
        assert.match(enrolled.reason, /through ztunnel/);
        const outside = decideInMeshCall(python, noSidecar, "status=200\n", { mode: "ambient", namespaceEnrolled: false });
        assert.equal(outside.status, "FAIL");
        assert.match(outside.reason, /bookinfo is not enrolled in ambient mode/);
        assert.equal(decideInMeshCall(python, noSidecar, "status=200\n").status, "FAIL", "sidecar mode still requires the sidecar");
    });
});

describe("verify: the gateway", () => {
    it("connects to the load balancer when it has an address, else port-forwards", () => {
        assert.deepEqual(gatewayEndpoint(fixture("gateway-service-loadbalancer.json")), { kind: "direct", address: "169.62.10.20", port: 443 });
        assert.deepEqual(gatewayEndpoint(fixture("gateway-service-nodeport.json")), { kind: "port-forward", servicePort: 443, reason: "the Service is NodePort" });
        assert.deepEqual(gatewayEndpoint(fixture("gateway-service-vpc-pending.json")),
            { kind: "port-forward", servicePort: 443, reason: "the load balancer has no address yet" });
        assert.ok("problem" in gatewayEndpoint(JSON.stringify({ spec: { type: "ClusterIP", ports: [{ name: "http2", port: 80 }] } })));
    });

    it("reads the local port kubectl port-forward chose", () => {
        assert.equal(parsePortForward(fixture("port-forward.txt")), 39847);
        assert.equal(parsePortForward("error: unable to forward port"), undefined);
    });

    it("asks for a name the server certificate carries", () => {
        assert.equal(gatewayServerName(["*"]), "localhost");
        assert.equal(gatewayServerName(["*.example.com"]), "mesh.example.com");
        assert.equal(gatewayServerName(["shop.example.com", "*"]), "shop.example.com");
    });

    it("tells a TLS refusal from an unreachable gateway and from an untrusted certificate", () => {
        assert.equal(classifyTransportError({ code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", message: "tlsv13 alert certificate required" }), "tls-refused");
        assert.equal(classifyTransportError({ code: "ECONNRESET", message: "socket hang up" }), "tls-refused");
        assert.equal(classifyTransportError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:443" }), "unreachable");
        assert.equal(classifyTransportError({ code: "TIMEOUT", message: "no answer" }), "unreachable");
        assert.equal(classifyTransportError({ code: "ERR_TLS_CERT_ALTNAME_INVALID", message: "Hostname/IP does not match" }), "untrusted");
        assert.equal(classifyTransportError({ code: "SELF_SIGNED_CERT_IN_CHAIN", message: "self-signed certificate in certificate chain" }), "untrusted");
    });

    const url = "https://mesh.example.com/status/418";
    const teapot: HttpsResult = { status: 418, headers: {} };
    const refused: HttpsResult = { error: { code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", message: "tlsv13 alert certificate required" } };

    it("passes the teapot and nothing else", () => {
        assert.equal(decideGatewayHttps(url, teapot, false).status, "PASS");
        assert.match(decideGatewayHttps(url, { status: 403, headers: {} }, false).reason, /AuthorizationPolicy/);
        assert.match(decideGatewayHttps(url, { error: { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", message: "unable to verify" } }, false).reason,
            /not signed by the stack's CA/);
    });

    it("MUTUAL passes only when the bare client is refused by TLS and the certified one gets through", () => {
        assert.equal(decideMutualTls(url, refused, teapot).status, "PASS");
        assert.match(decideMutualTls(url, teapot, teapot).reason, /MUTUAL is not enforced/);
        assert.match(decideMutualTls(url, { error: { code: "ECONNREFUSED", message: "refused" } }, teapot).reason, /not by a TLS refusal/);
        assert.match(decideMutualTls(url, refused, refused).reason, /with the stack's client certificate it got/);
    });

    describe("against a local server that requires client certificates", function () {
        let dir: string;
        let server: https.Server;
        let port: number;
        const pem = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");

        before(async function () {
            if (!commandExists("openssl")) {
                this.skip();
            }
            dir = makeCertificates();
            server = https.createServer({ key: pem("server.key"), cert: pem("server.crt"), ca: pem("ca.crt"), requestCert: true, rejectUnauthorized: true },
                (request, response) => {
                    response.statusCode = request.url === "/status/418" ? 418 : 404;
                    response.end();
                });
            port = await listenOnLoopback(server);
        });

        after(() => {
            server?.close();
        });

        it("refuses the bare client by TLS and answers the certified one", async () => {
            const connection = { address: "127.0.0.1", port };
            const bare = gatewayAgent({ caPem: pem("ca.crt") });
            const certified = gatewayAgent({ caPem: pem("ca.crt"), clientCertificatePem: pem("client.crt"), clientPrivateKeyPem: pem("client.key") });
            try {
                const without = await httpsGet(connection, "mesh.example.com", "mesh.example.com", "/status/418", bare);
                const withCert = await httpsGet(connection, "mesh.example.com", "mesh.example.com", "/status/418", certified);
                assert.ok("error" in without, JSON.stringify(without));
                assert.equal(classifyTransportError(without.error), "tls-refused", JSON.stringify(without));
                assert.deepEqual("status" in withCert ? withCert.status : withCert, 418);
                assert.equal(decideMutualTls(url, without, withCert).status, "PASS");
                const many = await runLimited(20, 4, () => httpsGet(connection, "mesh.example.com", "mesh.example.com", "/status/418", certified));
                assert.ok(many.every((answer) => "status" in answer && answer.status === 418));
            } finally {
                bare.destroy();
                certified.destroy();
            }
        });

        it("reports a certificate for another name, or from another CA, as untrusted", async () => {
            const connection = { address: "127.0.0.1", port };
            const certified = gatewayAgent({ caPem: pem("ca.crt"), clientCertificatePem: pem("client.crt"), clientPrivateKeyPem: pem("client.key") });
            const otherCa = gatewayAgent({ caPem: pem("other-ca.crt"), clientCertificatePem: pem("client.crt"), clientPrivateKeyPem: pem("client.key") });
            try {
                const wrongName = await httpsGet(connection, "other.example.com", "other.example.com", "/status/418", certified);
                assert.ok("error" in wrongName && classifyTransportError(wrongName.error) === "untrusted", JSON.stringify(wrongName));
                const wrongCa = await httpsGet(connection, "mesh.example.com", "mesh.example.com", "/status/418", otherCa);
                assert.ok("error" in wrongCa && classifyTransportError(wrongCa.error) === "untrusted", JSON.stringify(wrongCa));
                assert.equal(decideGatewayHttps(url, wrongCa, true).status, "FAIL");
            } finally {
                certified.destroy();
                otherCa.destroy();
            }
        });
    });
});

describe("verify: Kiali, stack data, report and arguments", () => {
    it("reads Kiali's recorded status through the service proxy path", () => {
        assert.equal(kialiStatusPath(), "/api/v1/namespaces/istio-system/services/kiali:20001/proxy/kiali/api");
        const result = decideKiali(fixture("kiali-api.json"));
        assert.equal(result.status, "PASS");
        assert.match(result.reason, /Kiali v2\.26\.0/);
        assert.equal(decideKiali(JSON.stringify({ status: { "Kiali state": "starting" } })).status, "FAIL");
        assert.equal(decideKiali("<html>503 Service Unavailable</html>").status, "FAIL");
    });

    it("parses the recorded stack outputs", () => {
        const { value, problems } = parseStackOutputs(fixture("pulumi-stack-output.json"));
        assert.deepEqual(problems, []);
        assert.deepEqual(value.gatewayHosts, ["mesh.example.com"]);
        assert.equal(value.gatewayNamespace, "istio-system");
        assert.equal(value.gatewayService, "istio-ingressgateway");
        assert.match(value.caCertificatePem ?? "", /^-----BEGIN CERTIFICATE-----/);
        assert.match(value.clientPrivateKeyPem ?? "", /^-----BEGIN PRIVATE KEY-----/);
    });

    it("names bad outputs without repeating their values", () => {
        const recorded = JSON.parse(fixture("pulumi-stack-output.json")) as Record<string, unknown>;
        const hidden = parseStackOutputs(JSON.stringify({ ...recorded, clientPrivateKeyPem: "[secret]" }));
        assert.deepEqual(hidden.problems, ["stack output clientPrivateKeyPem is hidden; read the outputs with --show-secrets"]);
        const mangled = parseStackOutputs(JSON.stringify({ ...recorded, clientPrivateKeyPem: "not-a-key-but-a-secret-value", gatewayHosts: [] }));
        assert.equal(mangled.problems.length, 2);
        assert.ok(mangled.problems.every((problem) => !problem.includes("not-a-key-but-a-secret-value")));
        assert.deepEqual(parseStackOutputs("Error: no stack").problems, ["`pulumi stack output --json` did not print JSON"]);
    });

    it("rebuilds the validated config from the recorded `pulumi config --json`", () => {
        const input = rawConfigFromPulumiJson(fixture("pulumi-config.json"));
        assert.deepEqual(input.secretSections, ["iks"]);
        assert.deepEqual(input.hiddenSections, ["iks"]);
        assert.ok(!("kubernetes:context" in input.raw) && !("context" in input.raw), "other namespaces are not ours");
        const stackConfig = stackConfigFrom(input);
        assert.equal(stackConfig.gateway.tlsMode, "MUTUAL");
        assert.equal(stackConfig.wordpress.canaryWeight, 20);
        assert.equal(stackConfig.wordpress.stableImage, "wordpress:6.8.3-php8.3-apache");
        assert.equal(stackConfig.kiali.enabled, true, "defaults applied as the program applies them");
    });

    it("prints one line per check and fails the run on any FAIL", () => {
        const results = [pass("kiali", "answers"), skip("gateway-mutual-tls", "SIMPLE"), fail("canary-split", "off")];
        const report = formatReport("dev", results);
        assert.deepEqual(report.split("\n"), [
            "iks-mesh verify: stack dev",
            "PASS  kiali               answers",
            "SKIP  gateway-mutual-tls  SIMPLE",
            "FAIL  canary-split        off",
            "FAILED: 1 passed, 1 failed, 1 skipped",
        ]);
        assert.equal(exitCodeFor(results), 1);
        assert.equal(exitCodeFor(results.slice(0, 2)), 0);
        assert.equal(exitCodeFor([]), 1, "a run that checked nothing proves nothing");
    });

    it("parses its arguments", () => {
        assert.deepEqual(parseVerifyArgs(["--stack", "dev"]), { stack: "dev", requests: 200, confidence: 0.99, via: "auto", backupCheck: false });
        assert.deepEqual(parseVerifyArgs(["--stack=prod", "--requests", "50", "--via", "port-forward"]),
            { stack: "prod", requests: 50, confidence: 0.99, via: "port-forward", backupCheck: false });
        // The cluster comes from the stack's own binding; a --context that could differ from it is refused.
        assert.match((parseVerifyArgs(["--stack=prod", "--context", "iks"]) as { error: string }).error, /^--context is gone/);
        for (const bad of [[], ["--stack"], ["--stack", "dev", "--requests", "0"], ["--stack", "dev", "--confidence", "1"],
            ["--stack", "dev", "--via", "ssh"], ["--stack", "dev", "--bogus", "1"], ["--stack", "$(rm -rf ~)"]]) {
            assert.ok("error" in parseVerifyArgs(bad), JSON.stringify(bad));
        }
        for (const help of [["--help"], ["-h"], ["--stack", "dev", "--help"], ["--bogus", "-h"]]) {
            assert.deepEqual(parseVerifyArgs(help), { help: true }, JSON.stringify(help));
        }
    });

    it("finds a command on PATH the way a shell does", () => {
        const executables = new Set(["/opt/pulumi/bin/pulumi", "/usr/bin/kubectl", "pulumi"]);
        const isExecutable = (file: string) => executables.has(file);
        assert.equal(findOnPath("pulumi", "/usr/bin:/opt/pulumi/bin", isExecutable, ":"), "/opt/pulumi/bin/pulumi");
        assert.equal(findOnPath("kubectl", "/usr/bin:/opt/pulumi/bin", isExecutable, ":"), "/usr/bin/kubectl");
        assert.equal(findOnPath("pulumi", "/usr/bin", isExecutable, ":"), undefined);
        assert.equal(findOnPath("pulumi", undefined, () => false, ":"), undefined);
        assert.equal(findOnPath("pulumi", "/usr/bin::", (file) => file === "pulumi", ":"), "pulumi", "an empty entry is the current directory");
    });
});

describe("verify: the stack's cluster", () => {
    const noFile = () => { throw new Error("no private file for this binding"); };
    const input = (kubernetes: Record<string, { value?: string; secret: boolean }>, useCurrentContext = false) => ({
        stack: "prod", kubernetes, useCurrentContext, homeDirectory: "/home/op",
        fileExists: (file: string) => file === "/home/op/.kube/iks.yaml",
        ambientContext: () => ({ context: "kind-iks-mesh", kubeconfigPath: "/home/op/.kube/config" }),
    });

    it("selects the context of the file the stack names, the stack's context, or the pinned current one", () => {
        const bound = (kubernetes: Record<string, { value?: string; secret: boolean }>, optIn = false) => {
            const resolution = verifyClusterBinding(input(kubernetes, optIn));
            assert.ok("binding" in resolution, JSON.stringify(resolution.problems));
            return kubectlTarget(resolution.binding, "/home/op", noFile).args;
        };
        assert.deepEqual(bound({ context: { value: "prod-iks", secret: false } }), ["--context", "prod-iks"]);
        assert.deepEqual(bound({ context: { value: "prod-iks", secret: false }, kubeconfig: { value: "~/.kube/iks.yaml", secret: false } }),
            ["--kubeconfig", "/home/op/.kube/iks.yaml", "--context", "prod-iks"]);
        assert.deepEqual(bound({}, true), ["--kubeconfig", "/home/op/.kube/config", "--context", "kind-iks-mesh"]);
    });

    it("refuses what the program refuses, with the program's words", () => {
        assert.match(verifyClusterBinding(input({})).problems.join("\n"), /names no cluster/);
        assert.match(verifyClusterBinding(input({ kubeconfig: { value: "apiVersion: v1\nkind: Config\n", secret: false } })).problems.join("\n"),
            /in plain text/);
    });

    it("asks for a hidden kubeconfig only", () => {
        assert.deepEqual(hiddenClusterKeys({ context: { value: "a", secret: false }, kubeconfig: { secret: true } }), ["kubeconfig"]);
        assert.deepEqual(hiddenClusterKeys({ context: { value: "a", secret: false } }), []);
    });
});

describe("verify: the command line", function () {
    this.timeout(60_000);

    /**
     * Runs scripts/verify.ts with only the given directories on PATH: `spawned` as `npm run verify` does
     * (ts-node), else its `main` in this process (the same code without ~2.5 s of CPU per start).
     */
    function runVerifyWithPath(args: string[], pathDirectories: string[], how: "in-process" | "spawned" = "in-process"):
        Promise<{ status: number | null; stdout: string; stderr: string }> {
        const env = { HOME: os.tmpdir(), PATH: pathDirectories.join(path.delimiter) };
        if (how === "in-process") {
            return runMain(() => verifyMain(args), env, repoRoot);
        }
        const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "verify.ts"), ...args],
            { cwd: repoRoot, encoding: "utf8", env });
        return Promise.resolve({ status: result.status, stdout: result.stdout, stderr: result.stderr });
    }
    /** A PATH with no pulumi on it, whatever this machine has installed. */
    const emptyBin = () => fs.mkdtempSync(path.join(os.tmpdir(), "verify-empty-bin-"));

    it("--help prints the usage and exits 0, without needing pulumi (spawned)", async () => {
        const result = await runVerifyWithPath(["--help"], [emptyBin()], "spawned");
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^usage: npm run verify -- --stack <name> /);
        assert.equal(result.stderr, "");
    });

    it("without the Pulumi CLI on PATH, `npm run verify -- --stack dev` says so in one line, exit status 2 (spawned)", async () => {
        const result = await runVerifyWithPath(["--stack", "dev"], [emptyBin()], "spawned");
        assert.equal(result.status, 2);
        assert.equal(result.stdout, "");
        assert.equal(result.stderr, `${missingPulumiMessage}\n`);
    });

    for (const [args, error] of [
        [[], "--stack <name> is required"],
        [["--stack"], "--stack needs a value"],
        [["--stack", "dev", "--bogus"], "unknown argument \"--bogus\""],
        [["--stack", "dev", "--requests", "0"], "--requests must be an integer 1-10000 (got 0)"],
        [["--stack", "dev", "--context", "kind-kind"], "--context is gone: verify checks the cluster the stack is bound to"],
    ] as [string[], string][]) {
        it(`bad arguments (${args.join(" ") || "none"}) are reported before the Pulumi CLI is looked for`, async () => {
            const result = await runVerifyWithPath(args, [emptyBin()]);
            assert.equal(result.status, 2);
            assert.ok(result.stderr.startsWith(error), result.stderr);
            assert.ok(!result.stderr.includes(missingPulumiMessage), result.stderr);
            assert.match(result.stderr, /\nusage: npm run verify/);
        });
    }

    it("--help explains --requests, --confidence and --via", async () => {
        const result = await runVerifyWithPath(["--help"], [emptyBin()]);
        for (const option of ["--requests <n>", "--confidence <c>", "--via <route>"]) {
            assert.match(result.stdout, new RegExp(`^  ${option.replace(/[<>]/g, "\\$&")} +\\S`, "m"), option);
        }
        assert.match(result.stdout, /Wilson score interval/);
        assert.match(result.stdout, /never to whatever context is current/);
    });

    it("with a pulumi on PATH, goes past that check (a stand-in that knows no stack)", async () => {
        const bin = emptyBin();
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho \"error: no stack named 'dev' found\" >&2\nexit 255\n", { mode: 0o755 });
        const result = await runVerifyWithPath(["--stack", "dev"], [bin, "/bin", "/usr/bin"]);
        assert.equal(result.status, 2);
        assert.ok(!result.stderr.includes(missingPulumiMessage), result.stderr);
        assert.match(result.stderr, /pulumi stack output failed for stack dev: error: no stack named 'dev' found/);
    });
});

describe("verify: the whole script against stand-in pulumi and kubectl", function () {
    this.timeout(120_000);
    let dir: string;
    let server: https.Server;
    let port: number;
    let served = 0;

    before(async function () {
        if (!commandExists("openssl")) {
            this.skip();
        }
        dir = makeCertificates();
        const pem = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
        // The gateway: MUTUAL TLS, httpbin's teapot, and WordPress where every fifth answer comes from v2 (20%).
        server = https.createServer({ key: pem("server.key"), cert: pem("server.crt"), ca: pem("ca.crt"), requestCert: true, rejectUnauthorized: true },
            (request, response) => {
                if (request.url === "/status/418") {
                    response.statusCode = 418;
                } else if (request.url === "/wp-admin/install.php") {
                    // The DENY at the gateway (test/fixtures/verify/installer-denied.txt).
                    response.statusCode = 403;
                    response.write(fixture("installer-denied.txt"));
                } else {
                    served += 1;
                    // The release header the route sets per destination (components/samples/canary.ts).
                    response.setHeader(releaseHeader, served % 5 === 0 ? "wordpress-v2" : "wordpress-v1");
                    response.statusCode = 200;
                }
                response.end();
            });
        port = await listenOnLoopback(server);
    });

    after(() => {
        server?.close();
    });

    function standIns(plaintextLog: string, pulumiConfig = fixture("pulumi-config.json"), secretKubeconfig = ""): Record<string, string> {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "verify-bin-"));
        const outputs = { ...JSON.parse(fixture("pulumi-stack-output.json")) as Record<string, unknown> };
        outputs.caCertificatePem = fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
        outputs.clientCertificatePem = fs.readFileSync(path.join(dir, "client.crt"), "utf8");
        outputs.clientPrivateKeyPem = fs.readFileSync(path.join(dir, "client.key"), "utf8");
        fs.writeFileSync(path.join(bin, "outputs.json"), JSON.stringify(outputs));
        fs.writeFileSync(path.join(bin, "config.json"), pulumiConfig);
        const namespaces = JSON.parse(fixture("namespaces-ambient.json")) as { items: { metadata: { labels: Record<string, string> } }[] };
        namespaces.items.forEach((item) => { item.metadata.labels["istio.io/dataplane-mode"] = "ambient"; });
        fs.writeFileSync(path.join(bin, "namespaces.json"), JSON.stringify(namespaces));
        fs.writeFileSync(path.join(bin, "plaintext.log"), plaintextLog);
        writeStandInPulumi(bin, {
            requireShowSecrets: true,
            // `pulumi config get` prints a secret's decrypted value (verify asks for a hidden kubernetes:kubeconfig and a hidden iks section).
            // The fixture's secret iks section, decrypted: an apiKey set with --path --secret, IKS off.
            configGet: [
                `if [ "$3" = iks-mesh:iks ]; then echo '{"enabled":false,"apiKey":"stand-in-key-0000"}'; exit 0; fi`,
                `[ "$3" = kubernetes:kubeconfig ] && [ -n "${secretKubeconfig === "" ? "" : "set"}" ] || exit 4; cat "${bin}/kubeconfig.secret"`,
            ],
        });
        fs.writeFileSync(path.join(bin, "kubeconfig.secret"), secretKubeconfig);
        writeStandInKubectl(bin, [
            "*' create -f - '*) cat > /dev/null ;;",
            "*' wait '*) ;;",
            "*' logs plaintext-probe '*) cat \"" + path.join(bin, "plaintext.log") + "\" ;;",
            `*' get pod plaintext-probe -o json '*) echo '{"spec":{"containers":[{"name":"curl"}]}}' ;;`,
            "*' delete namespace '*) ;;",
            `*' get pods -l app=productpage -o json '*) cat "${path.join(fixtures, "pods-productpage-native-sidecar.json")}" ;;`,
            // The #21 probes (scripts/verify/denied-call-probe.ts, prometheus-lifecycle-probe.ts), told apart by their target.
            `*' exec productpage-v1-7f6cc7d5b9-2xk8q -c productpage -- python -c '*mysql.wordpress*) cat "${path.join(fixtures, "denied-call-closed.log")}" ;;`,
            `*' exec productpage-v1-7f6cc7d5b9-2xk8q -c productpage -- python -c '*/-/reload*) cat "${path.join(fixtures, "prometheus-lifecycle-refused.log")}" ;;`,
            "*' exec productpage-v1-7f6cc7d5b9-2xk8q -c productpage -- python -c '*) echo status=200 ;;",
            `*' get service istio-ingressgateway -o json '*) cat "${path.join(fixtures, "gateway-service-nodeport.json")}" ;;`,
            `*' port-forward svc/istio-ingressgateway :443 '*) echo "Forwarding from 127.0.0.1:${port} -> 443"; exec sleep 60 ;;`,
            `*' get --raw /api/v1/namespaces/istio-system/services/kiali:20001/proxy/kiali/api '*) cat "${path.join(fixtures, "kiali-api.json")}" ;;`,
            `*' get namespace bookinfo -o json '*|*' get namespace wordpress bookinfo httptools -o json '*) cat "${bin}/namespaces.json" ;;`,
            `*' -n istio-system get daemonset ztunnel -o json '*) cat "${path.join(fixtures, "daemonset-ztunnel-ready.json")}" ;;`,
            `*' get gateways.gateway.networking.k8s.io -n bookinfo -o json '*) cat "${path.join(fixtures, "gateways-bookinfo-waypoint.json")}" ;;`,
        ]);
        return { PATH: `${bin}:${process.env.PATH ?? ""}`, BIN: bin };
    }

    /** `spawned`: as `npm run verify` starts it; else its `main` in this process, with the same environment. */
    function runVerify(env: Record<string, string>, how: "in-process" | "spawned" = "in-process"):
        Promise<{ status: number | null; stdout: string; stderr: string }> {
        if (how === "in-process") {
            return runMain(() => verifyMain(["--stack", "prod"]), { ...process.env, ...env }, repoRoot);
        }
        return new Promise((resolve) => {
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "verify.ts"), "--stack", "prod"],
                { cwd: repoRoot, env: { ...process.env, ...env } });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
            child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
            child.on("close", (status) => resolve({ status, stdout, stderr }));
        });
    }

    it("passes every check on a healthy stack, and cleans up after itself (spawned, as npm run verify)", async () => {
        const env = standIns(fixture("curl-probe-reset.log"));
        const result = await runVerify(env, "spawned");
        assert.equal(result.status, 0, result.stdout + result.stderr);
        const lines = result.stdout.trim().split("\n");
        assert.equal(lines[0], "Cluster: prod-cluster https://203.0.113.10:6443, context \"prod-cluster\" (kubernetes:context) of the default kubeconfig");
        assert.equal(lines[1], "iks-mesh verify: stack prod");
        for (const id of ["plaintext-refused", "in-mesh-call", "denied-call-refused", "prometheus-lifecycle-refused", "gateway-https",
            "gateway-mutual-tls", "canary-split", "installer-denied", "kiali"]) {
            assert.ok(lines.some((line) => line.startsWith(`PASS  ${id} `)), `${id} passes:\n${result.stdout}`);
        }
        assert.match(result.stdout, /40 of 200 answers from wordpress-v2 = 20\.0%/);
        assert.equal(lines[lines.length - 1], "OK: 9 passed, 0 failed, 0 skipped");
        const kubectlCalls = fs.readFileSync(path.join(env.BIN, "kubectl.log"), "utf8");
        assert.match(kubectlCalls, /delete namespace iks-mesh-verify-[0-9a-f]{6} --wait=false/);
        assert.ok(!result.stdout.includes("PRIVATE KEY") && !kubectlCalls.includes("PRIVATE KEY"), "the client key never leaves the process");
        const calls = kubectlCalls.trim().split("\n");
        assert.ok(calls.length >= 10, kubectlCalls);
        for (const call of calls) {
            assert.ok(call.startsWith("--context prod-cluster "), `every kubectl call names the stack's context: ${call}`);
        }
        assert.ok(calls.some((call) => call.includes(' port-forward svc/istio-ingressgateway ')), "the port-forward too");
    });

    it("refuses a stack that names no cluster, like the program, and runs no kubectl", async () => {
        const pulumiConfig = JSON.parse(fixture("pulumi-config.json")) as Record<string, unknown>;
        delete pulumiConfig["kubernetes:context"];
        const env = standIns(fixture("curl-probe-reset.log"), JSON.stringify(pulumiConfig));
        const result = await runVerify(env);
        assert.equal(result.status, 2, result.stdout + result.stderr);
        assert.match(result.stderr, /^verify checks the cluster stack prod is bound to/);
        assert.match(result.stderr, /Stack "prod" names no cluster, so it would deploy to whatever kubectl context is current\. Fix: pulumi config set kubernetes:context/);
        assert.ok(!fs.existsSync(path.join(env.BIN, "kubectl.log")), "no kubectl call at all");
    });

    it("with a secret kubeconfig, hands kubectl a private 0600 copy and removes it afterwards", async () => {
        const pulumiConfig = JSON.parse(fixture("pulumi-config.json")) as Record<string, unknown>;
        // pulumi config --json lists a secret without --show-secrets as {"secret": true} and no value.
        pulumiConfig["kubernetes:kubeconfig"] = { secret: true };
        const kubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: prod-cluster\n";
        const env = standIns(fixture("curl-probe-reset.log"), JSON.stringify(pulumiConfig), kubeconfig);
        const result = await runVerify(env);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /^Cluster: prod-cluster https:\/\/203\.0\.113\.10:6443, context "prod-cluster" of the kubeconfig stored in kubernetes:kubeconfig$/m);
        const calls = fs.readFileSync(path.join(env.BIN, "kubectl.log"), "utf8").trim().split("\n");
        const files = new Set(calls.map((call) => /^--kubeconfig (\S+) --context prod-cluster /.exec(call)?.[1]));
        assert.equal(files.size, 1, `one private file on every call:\n${calls.join("\n")}`);
        const [file] = [...files];
        assert.ok(file !== undefined && !fs.existsSync(file), "removed afterwards");
        const seen = fs.readFileSync(path.join(env.BIN, "kubeconfig-files.log"), "utf8");
        assert.ok(seen.startsWith(`${file} 600 apiVersion: v1`), seen);
        assert.ok(!result.stdout.includes("current-context") && !result.stderr.includes("current-context"), "the kubeconfig is never printed");
    });

    it("on an ambient stack, checks ztunnel and the waypoint instead of sidecars, and passes", async () => {
        const pulumiConfig = JSON.parse(fixture("pulumi-config.json")) as Record<string, { value?: string; objectValue?: Record<string, unknown> }>;
        const set = (key: string, extra: Record<string, unknown>) => {
            const objectValue = { ...pulumiConfig[key].objectValue, ...extra };
            pulumiConfig[key] = { ...pulumiConfig[key], objectValue, value: JSON.stringify(objectValue) };
        };
        set("iks-mesh:istio", { dataplane: "ambient" });
        set("iks-mesh:gateway", { routes: [{ prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 }] });
        const result = await runVerify(standIns(fixture("curl-probe-reset.log"), JSON.stringify(pulumiConfig)));
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /^PASS {2}in-mesh-call +.*through ztunnel$/m);
        assert.match(result.stdout, /^PASS {2}ztunnel-ready +ztunnel is ready on 3 of 3 nodes; wordpress, bookinfo, httptools enrolled$/m);
        assert.match(result.stdout, /^PASS {2}waypoints-programmed +waypoint bookinfo\/waypoint Programmed$/m);
        assert.match(result.stdout, /^OK: 11 passed, 0 failed, 0 skipped$/m);
    });

    it("fails, and exits 1, when the STRICT service answers plaintext", async () => {
        const result = await runVerify(standIns(fixture("curl-probe-accepted.log")));
        assert.equal(result.status, 1);
        assert.match(result.stdout, /^FAIL {2}plaintext-refused .*accepts plaintext$/m);
        assert.match(result.stdout, /^FAILED: 8 passed, 1 failed, 0 skipped$/m);
    });
});

/** A CA, a server certificate for mesh.example.com, a client certificate, and an unrelated CA (openssl). */
function makeCertificates(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-certs-"));
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    for (const ca of ["ca", "other-ca"]) {
        openssl("req", "-x509", ...ec, "-keyout", `${ca}.key`, "-out", `${ca}.crt`, "-subj", `/CN=${ca}`, "-days", "1",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }
    const leaf = (name: string, subject: string, extensions: string) => {
        fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
        openssl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
        openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`,
            "-days", "1", "-extfile", `${name}.ext`);
    };
    leaf("server", "/CN=mesh.example.com", "subjectAltName=DNS:mesh.example.com\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n");
    leaf("client", "/CN=verify-client", "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n");
    return dir;
}
