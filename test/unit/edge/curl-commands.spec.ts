// The printed curl commands are `eval`ed by users (README): hostile route prefixes and hosts (a host can
// come from `ibmcloud` output) must stay data. Each command runs in a real bash whose PATH holds only
// stand-ins that log their argv, so the log shows every external command the text made the shell run.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { gatewayCurlCommand } from "../../../components/edge/curl-commands";
import { shellQuote } from "../../../components/core/shell";
import { routePrefixPattern } from "../../../components/core/routes";
import { configProblemsOf } from "../../support/config-problems";

// What the commands are meant to run; everything else a payload names is a stand-in too, so an
// injection shows in the log even where a real binary would fail silently.
const expectedTools = ["curl", "kubectl", "pulumi", "sleep"];
const payloadTools = ["touch", "id", "evil", "rm", "sh", "bash", "cat", "wget"];

const hostilePrefixes = [
    "/api$(evil)", "/api$(touch${IFS}/tmp/x)", "/a';evil;'", "/a&evil&", "/a;evil", "/a'$(evil)'", "/x)(evil",
    "/a`evil`", "/a|evil", "/a\nevil", "/a\"$(evil)\"", "/a\\'evil", "/a!evil", "/a=$(id)", "/a>/tmp/owned", "/${PATH}",
];
const hostileHosts = ["mesh.example.com$(evil)", "a';evil;'.example.com", "`evil`.example.com", "*.x$(evil).example.com", "a b;evil"];

describe("curl commands under a real shell", function () {
    this.timeout(60000);
    let dir: string;
    let calls: string;
    before(() => {
        dir = mkdtempSync(join(tmpdir(), "curl-eval-"));
        calls = join(dir, "calls");
        mkdirSync(join(dir, "bin"));
        for (const tool of [...expectedTools, ...payloadTools]) {
            const path = join(dir, "bin", tool);
            // Stand-in: one file per call holding the tool and its arguments NUL-separated, so an argument
            // with spaces or newlines is logged as one. Only bash builtins, as PATH has nothing else.
            writeFileSync(path, `#!/bin/bash\nprintf '%s\\0' "${tool}" "$@" > "${calls}/$BASHPID.$RANDOM"\n` +
                (tool === "pulumi" ? "echo stand-in-output\n" : "") + (tool === "curl" ? "echo 'HTTP 200'\n" : ""));
            chmodSync(path, 0o755);
        }
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    function evalInBash(command: string): string[][] {
        rmSync(calls, { recursive: true, force: true });
        mkdirSync(calls);
        // The README's form: eval "$(pulumi stack output curlSimple)". PATH holds only the stand-ins. SIGTERM
        // is ignored, and so in every child: the command's `kill $PF` would otherwise stop the background
        // port-forward's stand-in before it logged its call whenever it started late (the stand-in `sleep` does
        // not wait), and `wait` then waits for it to log and end.
        execFileSync("/bin/bash", ["-c", 'trap "" TERM; eval "$1"; wait', "eval", command],
            { cwd: dir, env: { PATH: join(dir, "bin"), HOME: dir }, stdio: ["ignore", "pipe", "pipe"] });
        return readdirSync(calls).map((file) => readFileSync(join(calls, file), "utf8").split("\0").slice(0, -1));
    }

    const cases: { host: string; path: string }[] = [
        ...hostilePrefixes.map((path) => ({ host: "mesh.example.com", path })),
        ...hostileHosts.map((host) => ({ host, path: "/" })),
    ];
    for (const { host, path } of cases) {
        // The two shapes between them hold every interpolation: port-forward (namespace, Service, URL)
        // and mutual with a public name (client files, URL).
        for (const [mutual, publicName] of [[false, false], [true, true]]) {
            {
                it(`runs only curl, kubectl, pulumi and sleep for host ${JSON.stringify(host)} path ${JSON.stringify(path)}` +
                    ` (${mutual ? "mutual" : "simple"}, ${publicName ? "public name" : "port-forward"})`, () => {
                    const command = gatewayCurlCommand({
                        hosts: [host], path, mutual, publicName, service: { name: "istio-ingressgateway", namespace: "istio-system" },
                    });
                    const calls = evalInBash(command);
                    const tools = calls.map((call) => call[0]);
                    assert.ok(tools.every((tool) => expectedTools.includes(tool)), `${command}\nran: ${tools.join(", ")}`);
                    const curl = calls.filter((call) => call[0] === "curl");
                    assert.equal(curl.length, 1, command);
                    const shownHost = host.startsWith("*.") ? `mesh.${host.slice(2)}` : host;
                    // The URL reaches curl byte for byte: nothing was expanded, split or dropped.
                    assert.equal(curl[0][curl[0].length - 1], `https://${shownHost}${path}`, command);
                    assert.equal(tools.includes("kubectl"), !publicName);
                });
            }
        }
    }

    it("quotes a word only when it holds a character the shell would read", () => {
        assert.equal(shellQuote("https://mesh.example.com/api/v1"), "https://mesh.example.com/api/v1");
        assert.equal(shellQuote("/a'b"), "'/a'\\''b'");
        assert.equal(shellQuote(""), "''");
    });
});

describe("route prefixes: RFC 3986 path characters only", () => {
    for (const accepted of ["/", "/api/freight-rating", "/a~b_c.d-e", "/%7Euser/", "/a;v=1", "/a:b@c", "/api$(evil)", "/a'b"]) {
        it(`accepts ${JSON.stringify(accepted)}`, () => assert.ok(routePrefixPattern.test(accepted)));
    }
    for (const refused of ["api", "/a b", "/a?q=1", "/a#f", "/a`evil`", "/a|evil", "/a\nevil", "/a\"b", "/a\\b", "/a*", "/a%zz",
        "/a<b", "/a>b", "/a{b}", "/é"]) {
        it(`refuses ${JSON.stringify(refused)}`, () => assert.ok(!routePrefixPattern.test(refused)));
    }

    it("names the key, the value and the allowed set in the error", () => {
        for (const section of ["gateway", "enroute"]) {
            const problems = configProblemsOf({
                [section]: { ...(section === "enroute" ? { enabled: true } : {}), routes: [{ prefix: "/a`id`", service: "web", namespace: "default", port: 80 }] },
            });
            const line = problems.find((problem) => problem.includes(`${section}.routes[0].prefix`));
            assert.ok(line, problems.join("\n"));
            assert.match(line, /\/a`id`/);
            assert.match(line, /RFC 3986 path characters: A-Za-z0-9 - \. _ ~ ! \$ & ' \( \) \+ , ; = : @ \/ and %XX escapes/);
        }
    });
});
