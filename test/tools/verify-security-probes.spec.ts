// The #21 verify probes: WordPress's installer through the gateway, a call authorization must deny, and
// Prometheus's lifecycle API from a sample pod. Their decisions on recorded outputs (test/fixtures/verify),
// and the two in-pod Python programs run for real (python3) against local servers that behave like the
// denied and the allowed cases, with the socket's connect redirected to them.
import { strict as assert } from "assert";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { parseStackConfig } from "../../components/config/parse";
import { decideInstallerProbe, installerProbePath, skipInstallerProbe } from "../../scripts/verify/installer-probe";
import { DeniedCaller, decideDeniedCall, deniedCaller } from "../../scripts/verify/denied-call-probe";
import { LifecycleCaller, decideLifecycle, lifecycleCaller } from "../../scripts/verify/prometheus-lifecycle-probe";

const fixtures = path.join(__dirname, "..", "fixtures", "verify");
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name), "utf8");
const url = `https://mesh.example.com${installerProbePath} via port-forward`;
/** As verify.spec.ts does for its Python probe: the real-interpreter cases need python3 on the machine. */
const hasPython = spawnSync("python3", ["--version"]).status === 0;

/** Runs an in-pod Python probe with its TCP connects sent to 127.0.0.1:<port> instead of the cluster name. */
function runPython(command: string[], port: number): Promise<string> {
    assert.deepEqual(command.slice(0, 2), ["python", "-c"]);
    const redirect = "import socket\n_connect = socket.create_connection\n" +
        `socket.create_connection = lambda address, *a, **k: _connect(("127.0.0.1", ${port}), *a, **k)\n`;
    return new Promise((resolve, reject) => execFile("python3", ["-c", redirect + command[2]], { timeout: 20000 },
        (error, stdout) => error ? reject(new Error(error.message)) : resolve(stdout)));
}

function tcpServer(onConnection: (socket: net.Socket) => void): Promise<{ port: number; close: () => void }> {
    return new Promise((resolve) => {
        const server = net.createServer(onConnection).listen(0, "127.0.0.1", () =>
            resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() }));
    });
}

describe("verify probe: WordPress's installer through the gateway", () => {
    it("passes on the gateway's 403, naming the RBAC denial", () => {
        const result = decideInstallerProbe(url, { status: 403, headers: {} }, fixture("installer-denied.txt"));
        assert.equal(result.status, "PASS");
        assert.match(result.reason, /denied \(403\) by the gateway's AuthorizationPolicy/);
    });

    it("fails when the installer answers (200, or a redirect into it) or something else answers", () => {
        for (const status of [200, 302]) {
            const result = decideInstallerProbe(url, { status, headers: {} });
            assert.equal(result.status, "FAIL");
            assert.match(result.reason, /installer is reachable/);
        }
        assert.equal(decideInstallerProbe(url, { status: 404, headers: {} }).status, "FAIL");
        assert.match(decideInstallerProbe(url, { error: { code: "ECONNREFUSED", message: "connect ECONNREFUSED" } }).reason, /unverified/);
        assert.equal(skipInstallerProbe().status, "SKIP");
    });
});

describe("verify probe: a call authorization must deny (productpage → mysql.wordpress:3306)", function () {
    this.timeout(30000);
    const caller = deniedCaller(parseStackConfig({})) as DeniedCaller;

    it("is made from a sample that no ALLOW lets reach MySQL, and skipped where nothing is meant to be denied", () => {
        assert.equal(caller.namespace, "bookinfo");
        assert.match(caller.description, /productpage → mysql\.wordpress:3306/);
        assert.ok("skip" in deniedCaller(parseStackConfig({ authorization: { enabled: false } })));
        assert.ok("skip" in deniedCaller(parseStackConfig({ wordpress: { enabled: false } })));
    });

    it("decides on recorded outputs: closed or reset is denied, a MySQL greeting or a DNS failure is not a pass", () => {
        assert.equal(decideDeniedCall(caller, fixture("denied-call-closed.log")).status, "PASS");
        assert.equal(decideDeniedCall(caller, fixture("denied-call-reset.log")).status, "PASS");
        const dns = decideDeniedCall(caller, fixture("denied-call-dns.log"));
        assert.equal(dns.status, "FAIL");
        assert.match(dns.reason, /says nothing about authorization/);
        const reached = decideDeniedCall(caller, `handshake=${fixture("mysql-greeting.hex").trim()}`);
        assert.equal(reached.status, "FAIL");
        assert.match(reached.reason, /reached MySQL 8\.4/);
    });

    it("its Python program tells a closed connection from MySQL's greeting (real python3, local servers)", async function () {
        if (!hasPython) {
            this.skip();
        }
        const closing = await tcpServer((socket) => socket.end());
        const greeting = Buffer.from(fixture("mysql-greeting.hex").trim(), "hex");
        const mysql = await tcpServer((socket) => socket.end(greeting));
        try {
            assert.equal(decideDeniedCall(caller, await runPython(caller.command, closing.port)).status, "PASS");
            const reached = decideDeniedCall(caller, await runPython(caller.command, mysql.port));
            assert.equal(reached.status, "FAIL", reached.reason);
            assert.match(reached.reason, /reached MySQL/);
        } finally {
            closing.close();
            mysql.close();
        }
    });
});

describe("verify probe: Prometheus's lifecycle API from a sample pod", function () {
    this.timeout(30000);
    const caller = lifecycleCaller(parseStackConfig({})) as LifecycleCaller;

    it("POSTs /-/reload (same flag as /-/quit, harmless if the flag is on) at the Service Kiali reads", () => {
        assert.equal(caller.url, "http://prometheus.istio-system:9090/-/reload");
        assert.ok("skip" in lifecycleCaller(parseStackConfig({ kiali: { enabled: false } })));
    });

    it("decides on recorded outputs: Prometheus's 403 passes, 200 fails", () => {
        const refused = decideLifecycle(caller, fixture("prometheus-lifecycle-refused.log"));
        assert.equal(refused.status, "PASS");
        assert.match(refused.reason, /403: Lifecycle API is not enabled\./);
        const open = decideLifecycle(caller, fixture("prometheus-lifecycle-enabled.log"));
        assert.equal(open.status, "FAIL");
        assert.match(open.reason, /any pod can stop Prometheus/);
    });

    it("passes a call the NetworkPolicy drops (the sidecar's connect timeout, or Python's), not one Prometheus being down refuses", () => {
        for (const name of ["prometheus-lifecycle-dropped-by-sidecar.log", "prometheus-lifecycle-dropped.log"]) {
            const dropped = decideLifecycle(caller, fixture(name));
            assert.equal(dropped.status, "PASS", name);
            assert.match(dropped.reason, /prometheus-ingress-from-kiali admits only Kiali/, name);
        }
        const down = decideLifecycle(caller, fixture("prometheus-lifecycle-down.log"));
        assert.equal(down.status, "FAIL");
        assert.match(down.reason, /answered 503, not 403/);
    });

    it("its Python program POSTs and reports status and body (real python3, a local HTTP server)", async function () {
        if (!hasPython) {
            this.skip();
        }
        const seen: string[] = [];
        const server = http.createServer((request, response) => {
            seen.push(`${request.method} ${request.url}`);
            response.writeHead(403, { "Content-Type": "text/plain" }).end("Lifecycle API is not enabled.");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const output = await runPython(caller.command, (server.address() as net.AddressInfo).port);
            assert.deepEqual(seen, ["POST /-/reload"]);
            assert.equal(output.trim(), fixture("prometheus-lifecycle-refused.log").trim());
            assert.equal(decideLifecycle(caller, output).status, "PASS");
        } finally {
            server.close();
        }
    });
});
