// `npx mocha test/<one>.spec.ts` runs that file only, and `npm test` runs them all. Mocha merges a spec
// list in .mocharc.json with the files on the command line, so the list lives in the npm script instead.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../harness/program";

/** The spec files of the tests mocha would run with these arguments, found without running any (--dry-run). */
function specFilesOf(args: string[]): string[] {
    const result = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--dry-run", "--reporter", "json", ...args],
        { cwd: projectRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { tests: { file: string }[] };
    return [...new Set(report.tests.map((test) => path.relative(projectRoot, test.file)))].sort();
}

describe("mocha: one spec file or all of them", function () {
    this.timeout(120_000);

    it(".mocharc.json names no spec list, so a file on the command line is not merged with one", () => {
        const config = JSON.parse(fs.readFileSync(path.join(projectRoot, ".mocharc.json"), "utf8")) as Record<string, unknown>;
        assert.ok(!("spec" in config), JSON.stringify(config));
    });

    it("a file argument runs that file only", () => {
        assert.deepEqual(specFilesOf(["test/unit/config/flat-keys.spec.ts"]), ["test/unit/config/flat-keys.spec.ts"]);
    });

    const testScript = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.test;
    const mochaArgs = /\bmocha (?:--[a-z-]+(?: \d+)? )*((?:'[^']+' ?)+)$/.exec(testScript);
    const globs = mochaArgs ? [...mochaArgs[1].matchAll(/'([^']+)'/g)].map((match) => match[1]) : [];
    const everySpec = (fs.readdirSync(path.join(projectRoot, "test"), { recursive: true }) as string[])
        .filter((file) => file.endsWith(".spec.ts")).map((file) => `test/${file.split(path.sep).join("/")}`).sort();
    // Mocha's own expansion of one glob (the function its CLI uses), in the order it hands files to the workers.
    const expand = (glob: string) => (require("mocha/lib/cli/lookup-files") as (pattern: string, extensions: string[], recursive: boolean) => string[])(
        glob, ["ts"], false).map((file) => path.relative(projectRoot, path.resolve(projectRoot, file)).split(path.sep).join("/"));

    it("npm test runs every spec file", () => {
        assert.ok(mochaArgs, `npm test does not end in mocha [--options] '<glob>' ['<glob>' ...]: ${testScript}`);
        assert.ok(everySpec.some((file) => file.startsWith("test/unit/")) && everySpec.some((file) => file.startsWith("test/program/")),
            "the listing did not reach the spec folders");
        assert.deepEqual(specFilesOf(globs), everySpec);
    });

    it("npm test names each spec file once (mocha would run a file named by two globs twice), the IBM script specs first", () => {
        const cwd = process.cwd();
        process.chdir(projectRoot);
        let files: string[][];
        try {
            files = globs.map(expand);
        } finally {
            process.chdir(cwd);
        }
        const all = files.flat();
        assert.deepEqual(all.filter((file, index) => all.indexOf(file) !== index), [], "named by two globs");
        assert.deepEqual([...all].sort(), everySpec);
        // Mocha hands whole files to the two workers in this order: the IBM script specs (a third of the suite's
        // CPU, each file tens of seconds) first, so that short files fill the end instead of one long file
        // running alone at the tail.
        assert.deepEqual(files[0], everySpec.filter((file) => /^test\/unit\/ibm\/scripts-[^/]+\.spec\.ts$/.test(file)));
        assert.ok(files[0].length >= 4, files[0].join(", "));
    });
});
