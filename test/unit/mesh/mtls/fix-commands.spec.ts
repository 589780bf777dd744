// The mTLS conflict findings' fixes name the full config key (`mtls.policies[1].ports.3306`, not "make it
// STRICT") in a `pulumi config set --path` command. Each command is applied to the raw config the way
// Pulumi would store it, and the analysis is run again: the finding it fixes must be gone.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { configContract } from "../../../../components/config/contract";
import { parseStackConfig } from "../../../../components/config/parse";
import { meshModel, meshPolicyProblems } from "../../../../components/mesh/mtls/mesh-model";
import { Finding, GatewayServerModel, analyzeMesh } from "../../../../components/mesh/mtls/analysis";

const secureGateway: GatewayServerModel[] = [
    { gateway: "istio-system/mesh-gateway", port: 80, protocol: "HTTP", httpsRedirect: true },
    { gateway: "istio-system/mesh-gateway", port: 443, protocol: "HTTPS", tlsMode: "SIMPLE" },
];
type Raw = Record<string, unknown>;

const analyze = (raw: Raw, dataplane?: "ambient"): Finding[] => {
    const model = meshModel(parseStackConfig(raw), secureGateway, []);
    return analyzeMesh(dataplane ? { ...model, dataplane } : model);
};
const errors = (findings: Finding[]) => findings.filter((finding) => finding.severity === "error");

/** The `pulumi config set --path '<key>' <value>` commands of a fix, in order. */
function setCommands(fix: string): { key: string; value: string }[] {
    return [...fix.matchAll(/pulumi config set --path '([^']+)' (\S+?)(?=[;,]|$| )/g)].map((match) => ({ key: match[1], value: match[2] }));
}

/** Sets a `--path` key (`a.b[1].c`) in a copy of the raw config, as `pulumi config set --path` does. */
function applySet(raw: Raw, key: string, value: string): Raw {
    const copy = JSON.parse(JSON.stringify(raw)) as Raw;
    const segments = [...key.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) => match[2] !== undefined ? Number(match[2]) : match[1]);
    let node: Record<string | number, unknown> = copy;
    segments.forEach((segment, index) => {
        if (index === segments.length - 1) {
            node[segment] = value === "true" ? true : value === "false" ? false : value;
            return;
        }
        if (node[segment] === undefined) {
            node[segment] = typeof segments[index + 1] === "number" ? [] : {};
        }
        node = node[segment] as Record<string | number, unknown>;
    });
    return copy;
}

describe("mTLS analysis: every fix names the config key to set", () => {
    // A plaintext exception in a sample namespace is also unreachable while authorization is on (its own
    // finding, tested last); the specs of the other findings turn authorization off to see theirs alone.
    const authorizationOff = { authorization: { enabled: false } };
    const contractKeys = new Set(configContract().map((entry) => entry.key));

    it("a weakening namespace: set its mode to STRICT, or accept it with exception: true", () => {
        const raw = { ...authorizationOff, mtls: { policies: [{ namespace: "bookinfo", mode: "STRICT" }, { namespace: "httptools", mode: "PERMISSIVE" }] } };
        const [finding] = errors(analyze(raw));
        assert.deepEqual(setCommands(finding.fix), [
            { key: "mtls.policies[1].mode", value: "STRICT" },
            { key: "mtls.policies[1].exception", value: "true" },
        ]);
        for (const { key, value } of setCommands(finding.fix)) {
            assert.deepEqual(errors(analyze(applySet(raw, key, value))), [], `${key} ${value} fixes it`);
        }
    });

    it("a weakening port names that port's key, not the policy's mode", () => {
        const raw = { ...authorizationOff, mtls: { policies: [{ namespace: "wordpress", selector: { app: "mysql" }, mode: "STRICT", ports: { 3306: "PERMISSIVE" } }] } };
        const [finding] = errors(analyze(raw));
        const [strict] = setCommands(finding.fix);
        assert.deepEqual(strict, { key: "mtls.policies[0].ports.3306", value: "STRICT" });
        assert.deepEqual(errors(analyze(applySet(raw, strict.key, strict.value))), []);
    });

    it("an accepted exception says how to end it: STRICT again and exception false", () => {
        const raw = { ...authorizationOff, mtls: { policies: [{ namespace: "httptools", selector: { app: "httpbin" }, mode: "PERMISSIVE", exception: true }] } };
        const [warning] = analyze(raw).filter((finding) => finding.message.includes("weakens"));
        assert.equal(warning.severity, "warning");
        let fixed: Raw = raw;
        for (const { key, value } of setCommands(warning.fix)) {
            fixed = applySet(fixed, key, value);
        }
        assert.deepEqual(setCommands(warning.fix).map(({ key }) => key), ["mtls.policies[0].mode", "mtls.policies[0].exception"]);
        assert.deepEqual(analyze(fixed), []);
    });

    it("a plaintext client policy: ISTIO_MUTUAL for its own entry; the 503 case also says which entry to delete", () => {
        const raw = { mtls: { clientPolicies: [{ host: "reviews.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" }, { host: "ratings.bookinfo.svc.cluster.local", mode: "DISABLE" }] } };
        const findings = errors(analyze(raw));
        assert.ok(findings.length >= 2);
        for (const finding of findings) {
            const [first] = setCommands(finding.fix);
            assert.deepEqual(first, { key: "mtls.clientPolicies[1].mode", value: "ISTIO_MUTUAL" }, finding.fix);
            assert.deepEqual(errors(analyze(applySet(raw, first.key, first.value))), []);
        }
        assert.ok(findings.some((finding) => finding.fix.includes("delete the entry mtls.clientPolicies[1] from the stack's Pulumi.<stack>.yaml")));
    });

    it("a wildcard's TLS carried into the samples' rules names the wildcard's entry", () => {
        const raw = { mtls: { clientPolicies: [{ host: "*.bookinfo.svc.cluster.local", mode: "DISABLE" }] } };
        const findings = errors(analyze(raw));
        assert.ok(findings.length > 0);
        for (const finding of findings) {
            assert.equal(setCommands(finding.fix)[0].key, "mtls.clientPolicies[0].mode", finding.fix);
        }
        assert.deepEqual(errors(analyze(applySet(raw, "mtls.clientPolicies[0].mode", "ISTIO_MUTUAL"))), []);
    });

    it("Istio mTLS to a plaintext-only workload: the server policy's key to PERMISSIVE", () => {
        const raw = {
            ...authorizationOff,
            mtls: {
                policies: [{ namespace: "bookinfo", selector: { app: "details" }, mode: "DISABLE", exception: true }],
                clientPolicies: [{ host: "details.bookinfo.svc.cluster.local", mode: "ISTIO_MUTUAL" }],
            },
        };
        const [finding] = errors(analyze(raw));
        assert.match(finding.message, /accepts only plaintext/);
        const [open] = setCommands(finding.fix);
        assert.deepEqual(open, { key: "mtls.policies[0].mode", value: "PERMISSIVE" });
        assert.deepEqual(errors(analyze(applySet(raw, open.key, open.value))), []);
        assert.match(finding.fix, /delete the entry mtls\.clientPolicies\[0\]/);
    });

    it("DISABLE in ambient mode: PERMISSIVE on each DISABLE key, or the sidecar data plane", () => {
        const raw = { ...authorizationOff, mtls: { policies: [{ namespace: "bookinfo", selector: { app: "ratings" }, mode: "DISABLE", ports: { 9080: "DISABLE" }, exception: true }] } };
        const [finding] = errors(analyze(raw, "ambient")).filter((entry) => entry.message.includes("ztunnel ignores"));
        const commands = setCommands(finding.fix);
        assert.deepEqual(commands.map(({ key }) => key), ["mtls.policies[0].mode", "mtls.policies[0].ports.9080", "istio.dataplane"]);
        let fixed: Raw = { ...raw, istio: { dataplane: "ambient" } };
        for (const { key, value } of commands.slice(0, 2)) {
            fixed = applySet(fixed, key, value);
        }
        // The fixed config is one the reader accepts in ambient mode (it refuses DISABLE there).
        assert.deepEqual(errors(analyzeMesh(meshModel(parseStackConfig(fixed), secureGateway, []))), []);
    });

    it("every key in a fix is a key of the contract, with a field the reader knows", () => {
        const scenarios: Raw[] = [
            { mtls: { policies: [{ namespace: "httptools", mode: "PERMISSIVE" }] } },
            { mtls: { policies: [{ namespace: "wordpress", selector: { app: "mysql" }, mode: "STRICT", ports: { 3306: "DISABLE" } }] } },
            { mtls: { clientPolicies: [{ host: "*.wordpress.svc.cluster.local", mode: "SIMPLE" }] } },
            { mtls: { mode: "PERMISSIVE", policies: [{ namespace: "bookinfo", mode: "STRICT" }], clientPolicies: [{ host: "ratings.bookinfo.svc.cluster.local", mode: "DISABLE" }] } },
        ];
        let checked = 0;
        for (const raw of scenarios) {
            for (const finding of analyze(raw)) {
                for (const { key } of setCommands(finding.fix)) {
                    const base = key.replace(/\[\d+\].*$/, "");
                    assert.ok(contractKeys.has(base), `${key} in: ${finding.fix}`);
                    const field = /\[\d+\]\.(\w+)/.exec(key)?.[1];
                    assert.ok(field === undefined || ["namespace", "selector", "mode", "ports", "exception", "host"].includes(field), key);
                    checked++;
                }
            }
        }
        assert.ok(checked >= 6, `only ${checked} commands checked`);
    });

    it("a plaintext exception authorization makes unreachable: STRICT on its keys, or delete it, or authorization off", () => {
        const raw = { mtls: { policies: [{ namespace: "wordpress", selector: { app: "mysql" }, mode: "STRICT", ports: { 3306: "PERMISSIVE" }, exception: true }] } };
        const [finding] = errors(analyze(raw)).filter((entry) => entry.message.includes("the exception is unreachable"));
        assert.match(finding.message, /authorization\.enabled/);
        const commands = setCommands(finding.fix);
        assert.deepEqual(commands, [
            { key: "mtls.policies[0].ports.3306", value: "STRICT" },
            { key: "authorization.enabled", value: "false" },
        ]);
        assert.match(finding.fix, /delete the entry mtls\.policies\[0\] from the stack's Pulumi\.<stack>\.yaml/);
        for (const { key, value } of commands) {
            assert.deepEqual(errors(analyze(applySet(raw, key, value))), [], `${key} ${value} fixes it`);
        }
        assert.deepEqual(errors(analyze({ ...raw, mtls: { policies: [] } })), [], "deleting the entry fixes it");
    });

    it("docs/security.md shows the problem exactly as the program prints it", () => {
        const { problems } = meshPolicyProblems(parseStackConfig({ ...authorizationOff, mtls: { policies: [{ namespace: "bookinfo", mode: "PERMISSIVE" }] } }), secureGateway, []);
        assert.equal(problems.length, 1);
        const page = fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", "docs", "security.md"), "utf8");
        assert.ok(page.includes(`  - ${problems[0]}\n`), `docs/security.md should show:\n  - ${problems[0]}`);
    });
});
