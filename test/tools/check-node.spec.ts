// `npm test` on a Node older than package.json's engines prints one line naming the Node found and the
// one needed, and stops before any test (scripts/check-node.cjs, the first step of the npm script).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../harness/program";

const checkNode = path.join(projectRoot, "scripts", "check-node.cjs");

/** Runs the check on this machine's Node, made to report `version` (as the IBM scripts' guard test does). */
function checkAs(version: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-node-"));
    try {
        const preload = path.join(dir, "report-version.cjs");
        fs.writeFileSync(preload, `Object.defineProperty(process, "versions", { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n` +
            `Object.defineProperty(process, "version", { value: "v${version}" });\n`);
        return spawnSync(process.execPath, ["-r", preload, checkNode], { encoding: "utf8" });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("npm test names the Node it needs", () => {
    it("is the first step of npm test", () => {
        const test = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.test;
        assert.match(test, /^node scripts\/check-node\.cjs && /);
    });

    for (const version of ["20.19.0", "22.17.1", "18.20.0"]) {
        it(`refuses Node ${version} in one line naming it and the range`, () => {
            const result = checkAs(version);
            assert.equal(result.status, 1);
            const lines = result.stderr.trim().split("\n");
            assert.equal(lines.length, 1, result.stderr);
            assert.match(lines[0], new RegExp(`found Node v${version.replace(/\./g, "\\.")}`));
            assert.match(lines[0], />=22\.18\.0/);
        });
    }

    for (const version of ["22.18.0", "24.21.0", "26.0.0"]) {
        it(`lets Node ${version} through silently`, () => {
            const result = checkAs(version);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(result.stderr, "");
        });
    }
});
