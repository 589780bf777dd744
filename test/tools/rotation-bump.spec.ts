// rotate.yml's bump job (scripts/ci/rotation-bump.ts): which stacks are due for a raised pki.rotation, on
// certificate reports like those the rotation runs publish (renewals.ts certificateReport), and the edit of
// Pulumi.<stack>.yaml, read back by the program's own config parser.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseStackConfig } from "../../components/config/parse";
import { certificateReport } from "../../scripts/ci/renewals";
import {
    CertificateReport, isRotatedLeaf, main, planRotation, pullRequestBody, raiseRotation, stackPkiSettings,
} from "../../scripts/ci/rotation-bump";

const repoRoot = path.resolve(__dirname, "..", "..");
const projectYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8");
const devYaml = fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8");
const recordedUrns = JSON.parse(fs.readFileSync(path.join(repoRoot, "test", "fixtures", "urns", "default.json"), "utf8")) as string[];
const certificateUrns = recordedUrns.filter((urn) => /\$tls:index\/(locallySigned|selfSigned)Cert:/.test(urn));
const urnOf = (suffix: string): string => {
    const urn = certificateUrns.find((candidate) => candidate.endsWith(`::${suffix}`));
    assert.ok(urn, `recorded URN ${suffix}`);
    return urn;
};

/** The program's view of a stack file: its project keys without the namespace, through the config parser. */
function programConfig(stackYaml: string) {
    const config = (YAML.parse(stackYaml) as { config: Record<string, unknown> }).config;
    return parseStackConfig(Object.fromEntries(Object.entries(config).filter(([key]) => key.startsWith("iks-mesh:"))
        .map(([key, value]) => [key.slice("iks-mesh:".length), value])));
}

const now = new Date("2027-01-04T05:17:00Z");
const hoursFromNow = (hours: number): string => new Date(now.getTime() + hours * 3_600_000).toISOString();
const report = (stack: string, ends: Record<string, string | undefined>): CertificateReport => ({
    stack,
    certificates: Object.entries(ends).map(([name, validityEnd]) => ({ urn: urnOf(name).replace(":test::", `:${stack}::`), ...(validityEnd ? { validityEnd } : {}) })),
});

describe("pki.rotation bump (scripts/ci/rotation-bump.ts)", () => {
    it("counts exactly the two leaves MeshPki issues with the rotation trigger, of the program's recorded certificates", () => {
        assert.ok(certificateUrns.length >= 3, "the recorded stack has a CA and two leaves");
        assert.deepEqual(certificateUrns.filter(isRotatedLeaf).map((urn) => urn.slice(urn.lastIndexOf("::") + 2)).sort(),
            ["mesh-pki-client-cert", "mesh-pki-server-cert"]);
        assert.equal(isRotatedLeaf(urnOf("mesh-pki-ca")), false, "the CA is rotated by hand, in two steps");
    });

    it("reads pki.renewBeforeHours and pki.rotation from the stack file, with Pulumi.yaml's defaults", () => {
        assert.deepEqual(stackPkiSettings("dev", devYaml, projectYaml), { renewBeforeHours: 720, rotation: 0 });
        assert.deepEqual(stackPkiSettings("prod", "config:\n  iks-mesh:pki:\n    renewBeforeHours: 1000\n    rotation: \"3\"\n", projectYaml),
            { renewBeforeHours: 1000, rotation: 3 });
        assert.throws(() => stackPkiSettings("prod", "config:\n  iks-mesh:pki.rotation: 2\n", projectYaml), /flat key iks-mesh:pki\.rotation .*--path/);
        assert.throws(() => stackPkiSettings("prod", "config:\n  iks-mesh:pki:\n    rotation: two\n", projectYaml), /pki\.rotation must be a whole number, got "two"/);
    });

    it("makes a stack due when a rotated leaf ends within its window, raising the committed value by one", () => {
        const files = new Map([
            ["dev", devYaml],
            ["prod", "config:\n  iks-mesh:pki:\n    renewBeforeHours: 1000\n    rotation: 4\n"],
            ["staging", "config: {}\n"],
            ["broken", "config: {}\n"],
        ]);
        const plan = planRotation(["dev", "prod", "staging", "broken"], [
            // dev: 720 h window; the server leaf ends in 719 h.
            report("dev", { "mesh-pki-ca": hoursFromNow(80_000), "mesh-pki-server-cert": hoursFromNow(719), "mesh-pki-client-cert": hoursFromNow(5000) }),
            // prod: 1000 h window; both leaves end in 900 h, and the CA is inside the window too.
            report("prod", { "mesh-pki-ca": hoursFromNow(500), "mesh-pki-server-cert": hoursFromNow(900), "mesh-pki-client-cert": hoursFromNow(900) }),
            // staging: just outside its 720 h window.
            report("staging", { "mesh-pki-ca": hoursFromNow(80_000), "mesh-pki-server-cert": hoursFromNow(721), "mesh-pki-client-cert": hoursFromNow(721) }),
        ], files, projectYaml, now);
        assert.deepEqual(plan.due.map((entry) => [entry.stack, entry.from, entry.to, entry.certificates.map((certificate) => certificate.name)]), [
            ["dev", 0, 1, ["mesh-pki-server-cert"]],
            ["prod", 4, 5, ["mesh-pki-server-cert", "mesh-pki-client-cert"]],
        ]);
        assert.deepEqual(plan.unreported, ["broken"], "a stack whose run published nothing is not judged");
        assert.deepEqual(plan.byHand, [{ stack: "prod", name: "mesh-pki-ca", validityEnd: hoursFromNow(500) }], "a CA in its window is named, not bumped");
        const body = pullRequestBody(plan, now);
        assert.match(body, /`Pulumi\.prod\.yaml`: pki\.rotation 4 → 5/);
        assert.match(body, /Close and reopen this pull request/);
    });

    it("treats an expired leaf or one without a known end as due", () => {
        const plan = planRotation(["dev"], [report("dev", { "mesh-pki-server-cert": hoursFromNow(-1), "mesh-pki-client-cert": undefined })],
            new Map([["dev", devYaml]]), projectYaml, now);
        assert.deepEqual(plan.due[0]?.certificates.map((certificate) => certificate.name), ["mesh-pki-server-cert", "mesh-pki-client-cert"]);
    });

    it("edits Pulumi.dev.yaml keeping every comment and key, and the program reads the new generation", () => {
        const edited = raiseRotation("dev", devYaml, 1);
        for (const line of devYaml.split("\n").filter((text) => text.trim().startsWith("#"))) {
            assert.ok(edited.includes(line), `comment kept: ${line}`);
        }
        const before = (YAML.parse(devYaml) as { config: Record<string, unknown> }).config;
        const after = (YAML.parse(edited) as { config: Record<string, unknown> }).config;
        assert.deepEqual({ ...after, "iks-mesh:pki": undefined }, { ...before, "iks-mesh:pki": undefined }, "no other key changes");
        assert.deepEqual(after["iks-mesh:pki"], { rotation: 1 }, "stored as `pulumi config set --path pki.rotation 1` stores it");
        assert.equal(programConfig(edited).pki.rotation, 1);
        assert.equal(programConfig(devYaml).pki.rotation, 0);
    });

    it("raises an existing value in place, next to the section's other keys and comments", () => {
        const text = [
            "# prod",
            "config:",
            "  iks-mesh:pki:",
            "    validityHours: 2000 # short-lived",
            "    rotation: 3 # raised by rotate.yml",
            "  iks-mesh:profile: production",
            "",
        ].join("\n");
        const edited = raiseRotation("prod", text, 4);
        assert.equal(edited, text.replace("rotation: 3", "rotation: 4"));
        assert.equal(programConfig(edited).pki.rotation, 4);
        assert.equal(programConfig(edited).pki.validityHours, 2000);
        assert.throws(() => raiseRotation("prod", "config:\n  iks-mesh:pki.rotation: 2\n", 3), /flat key/);
        // Empty sections, as an editor or `pulumi config rm` can leave them.
        assert.equal(YAML.parse(raiseRotation("prod", "encryptionsalt: abc\nconfig:\n", 2)).config["iks-mesh:pki"].rotation, 2);
        assert.equal(programConfig(raiseRotation("prod", "config:\n  iks-mesh:pki:\n  iks-mesh:profile: small\n", 2)).pki.rotation, 2);
        assert.throws(() => raiseRotation("prod", "config:\n  iks-mesh:pki: [1]\n", 2), /iks-mesh:pki must be a mapping/);
        assert.throws(() => raiseRotation("prod", text, 0), /from 1 up/);
    });

    it("runs as the bump job does: edits only the due stacks' files, writes the body and the step outputs", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotation-bump-"));
        const reports = path.join(dir, "reports");
        fs.mkdirSync(reports);
        fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), devYaml);
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "config:\n  iks-mesh:profile: production\n");
        fs.writeFileSync(path.join(reports, "dev.json"), JSON.stringify(report("dev", { "mesh-pki-server-cert": hoursFromNow(100) })));
        fs.writeFileSync(path.join(reports, "prod.json"), JSON.stringify(report("prod", { "mesh-pki-server-cert": hoursFromNow(5000) })));
        const output = path.join(dir, "output");
        const summary = main([reports, path.join(dir, "body.md")], dir, { STACKS: '["dev","prod"]', GITHUB_OUTPUT: output }, now);
        assert.match(summary, /Due: dev \(0 → 1\)/);
        assert.equal(programConfig(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")).pki.rotation, 1);
        assert.equal(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"), "config:\n  iks-mesh:profile: production\n", "prod is not due");
        assert.match(fs.readFileSync(output, "utf8"), /^due=true\ntitle=Renew leaf certificates: raise pki\.rotation of dev\n$/);
        assert.match(fs.readFileSync(path.join(dir, "body.md"), "utf8"), /Pulumi\.dev\.yaml/);

        // A report naming a stack that is not committed (or a path) is refused, not written anywhere.
        fs.writeFileSync(path.join(reports, "evil.json"), JSON.stringify({ stack: "../Pulumi", certificates: [] }));
        assert.throws(() => main([reports, path.join(dir, "body.md")], dir, { STACKS: '["dev","prod"]' }, now), /evil\.json: not a rotation report of a committed stack/);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the rotation run publishes only URNs and ends of validity (renewals.ts certificateReport)", () => {
        const after = fs.readFileSync(path.join(repoRoot, "test", "fixtures", "workflows", "stack-export-after.json"), "utf8");
        const published = certificateReport("prod", after);
        assert.ok(published.certificates.length >= 2);
        assert.ok(published.certificates.every((certificate) => Object.keys(certificate).every((key) => key === "urn" || key === "validityEnd")));
        assert.doesNotMatch(JSON.stringify(published), /ciphertext|PEM|certPem/i);
    });
});
