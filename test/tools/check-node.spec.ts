// `npm test` on a Node older than package.json's engines prints one line naming the Node found and the
// one needed, and stops before any test (scripts/check-node.cjs, the first step of the npm script); and
// `npm ci` / `npm install` refuse it before installing anything (.npmrc's engine-strict).
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
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

/** `npm ci --dry-run` on a copy of the project's package files, with npm's Node made to report `version`
 * (or the real one): offline, no cache, and nothing of the project's node_modules touched. */
function npmCiAs(version: string | undefined): Promise<{ status: number | null; output: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-strict-"));
    for (const file of ["package.json", "package-lock.json", ".npmrc"]) {
        fs.copyFileSync(path.join(projectRoot, file), path.join(dir, file));
    }
    // Without the npm_* variables a parent `npm test` exports (npm_config_local_prefix names the project
    // itself): the child npm must see only the copy, and a cache of its own.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
    const env: NodeJS.ProcessEnv = { ...inherited, npm_config_cache: path.join(dir, "cache") };
    if (version !== undefined) {
        const preload = path.join(dir, "report-version.cjs");
        fs.writeFileSync(preload, `Object.defineProperty(process, "versions", { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n` +
            `Object.defineProperty(process, "version", { value: "v${version}" });\n`);
        env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} -r ${preload}`.trim();
    }
    return new Promise((resolve, reject) => {
        // npm from PATH, as a user runs it; its `#!/usr/bin/env node` picks the Node first on PATH.
        const child = spawn("npm", ["ci", "--dry-run", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir, env });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString(); });
        child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString(); });
        child.on("error", reject);
        child.on("close", (status) => {
            fs.rmSync(dir, { recursive: true, force: true });
            resolve({ status, output });
        });
    });
}

describe("npm ci names the Node it needs (.npmrc engine-strict)", function () {
    // Three npm starts of about two seconds each, run side by side.
    this.timeout(30_000);
    let runs: Record<"old" | "lowest" | "current", { status: number | null; output: string }>;

    before(async () => {
        const [old, lowest, current] = await Promise.all([npmCiAs("20.19.0"), npmCiAs("22.18.0"), npmCiAs(undefined)]);
        runs = { old, lowest, current };
    });

    it("the project's .npmrc sets engine-strict", () => {
        const npmrc = fs.readFileSync(path.join(projectRoot, ".npmrc"), "utf8");
        assert.match(npmrc, /^engine-strict=true$/m);
    });

    it("refuses Node 20 before installing anything, naming the range and the Node found", () => {
        assert.equal(runs.old.status, 1, runs.old.output);
        assert.match(runs.old.output, /EBADENGINE/);
        assert.match(runs.old.output, /Required: \{"node":">=22\.18\.0"\}/);
        assert.match(runs.old.output, /"node":"v20\.19\.0"/);
        assert.doesNotMatch(runs.old.output, /added \d+ packages/);
    });

    it("installs on the lowest supported Node and on this one: no locked package's engines shut either out", () => {
        for (const [name, run] of [["22.18.0", runs.lowest], [process.version, runs.current]] as const) {
            assert.equal(run.status, 0, `${name}: ${run.output}`);
            assert.match(run.output, /added \d+ packages/, name);
            assert.doesNotMatch(run.output, /EBADENGINE/, name);
        }
    });
});
