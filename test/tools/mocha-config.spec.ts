// `npx mocha test/<one>.spec.ts` runs that file only, and `npm test` runs them all. Mocha merges a spec
// list in .mocharc.json with the files on the command line, so the list lives in the npm script instead.
// The files are found by mocha's own CLI code, in this process: `loadOptions` (lib/cli/options.js: reads
// .mocharc.json, package.json's `mocha` key and MOCHA_OPTIONS, and appends a configured `spec` list to the
// command line's files) and `collectFiles` (lib/cli/collect-files.js: expands each glob with the CLI's
// `lookupFiles`, applies `ignore` and `--file`, in the order the workers receive them), the two steps
// `mocha`'s run command takes before it loads any file (lib/cli/cli.js, lib/cli/run-helpers.js `runMocha`).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { projectRoot } from "../harness/program";

interface MochaOptions { _: (string | number)[]; extension?: string[]; ignore?: string[]; file?: string[]; recursive?: boolean; sort?: boolean }
const { loadOptions } = require("mocha/lib/cli/options") as { loadOptions: (argv: string[]) => MochaOptions };
const collectFiles = require("mocha/lib/cli/collect-files") as (options: {
    spec: string[]; extension: string[]; ignore: string[]; file: string[]; recursive: boolean; sort: boolean;
}) => { files: string[] };

/** The spec files mocha's command line would run with these arguments, in the order it would run them (duplicates kept). */
function specFilesOf(args: string[]): string[] {
    const cwd = process.cwd();
    process.chdir(projectRoot);
    try {
        const options = loadOptions(args);
        const { files } = collectFiles({
            spec: options._.map(String), extension: options.extension ?? [], ignore: options.ignore ?? [],
            file: options.file ?? [], recursive: options.recursive ?? false, sort: options.sort ?? false,
        });
        return files.map((file) => path.relative(projectRoot, file).split(path.sep).join("/"));
    } finally {
        process.chdir(cwd);
    }
}

/** Whether a spec file calls mocha's `it` (or `it.skip`/`it.only`) anywhere, read with the TypeScript parser, so comments and strings do not count. */
function declaresTests(file: string): boolean {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(projectRoot, file), "utf8"), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const isIt = (callee: ts.Expression): boolean => (ts.isIdentifier(callee) && callee.text === "it")
        || (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "it");
    const visit = (node: ts.Node): boolean => (ts.isCallExpression(node) && isIt(node.expression)) || (ts.forEachChild(node, visit) ?? false);
    return visit(source);
}

describe("mocha: one spec file or all of them", () => {
    it(".mocharc.json names no spec list, so a file on the command line is not merged with one", () => {
        const config = JSON.parse(fs.readFileSync(path.join(projectRoot, ".mocharc.json"), "utf8")) as Record<string, unknown>;
        assert.ok(!("spec" in config), JSON.stringify(config));
    });

    it("a file argument runs that file only", () => {
        assert.deepEqual(specFilesOf(["test/unit/config/flat-keys.spec.ts"]), ["test/unit/config/flat-keys.spec.ts"]);
    });

    const testScript = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.test;
    const mochaArgs = /\bmocha ((?:--[a-z-]+(?: \d+)? )*)((?:'[^']+' ?)+)$/.exec(testScript);
    const options = mochaArgs ? mochaArgs[1].split(" ").filter(Boolean) : [];
    const globs = mochaArgs ? [...mochaArgs[2].matchAll(/'([^']+)'/g)].map((match) => match[1]) : [];
    const everySpec = (fs.readdirSync(path.join(projectRoot, "test"), { recursive: true }) as string[])
        .filter((file) => file.endsWith(".spec.ts")).map((file) => `test/${file.split(path.sep).join("/")}`).sort();

    it("npm test runs every spec file, and each of them declares tests", () => {
        assert.ok(mochaArgs, `npm test does not end in mocha [--options] '<glob>' ['<glob>' ...]: ${testScript}`);
        assert.ok(everySpec.some((file) => file.startsWith("test/unit/")) && everySpec.some((file) => file.startsWith("test/program/")),
            "the listing did not reach the spec folders");
        assert.deepEqual([...new Set(specFilesOf([...options, ...globs]))].sort(), everySpec);
        // A `.spec.ts` without a test (a helper misnamed, or every case deleted) would pass silently.
        assert.deepEqual(everySpec.filter((file) => !declaresTests(file)), [], "spec files that call no it()");
    });

    it("npm test names each spec file once (mocha would run a file named by two globs twice), the IBM script specs first", () => {
        const all = specFilesOf([...options, ...globs]);
        assert.deepEqual(all.filter((file, index) => all.indexOf(file) !== index), [], "named by two globs");
        assert.deepEqual([...all].sort(), everySpec);
        // Mocha hands whole files to the two workers in this order: the IBM script specs (a third of the suite's
        // CPU, each file tens of seconds) first, so that short files fill the end instead of one long file
        // running alone at the tail.
        const ibmScriptSpecs = everySpec.filter((file) => /^test\/unit\/ibm\/scripts-[^/]+\.spec\.ts$/.test(file));
        assert.deepEqual(specFilesOf([globs[0]]), ibmScriptSpecs);
        assert.deepEqual(all.slice(0, ibmScriptSpecs.length), ibmScriptSpecs);
        assert.ok(ibmScriptSpecs.length >= 4, ibmScriptSpecs.join(", "));
    });

    it("the spec check finds a file without tests", () => {
        // The check above must be able to fail: this very file declares tests, a helper module does not.
        assert.equal(declaresTests("test/tools/mocha-config.spec.ts"), true);
        assert.equal(declaresTests("test/support/summary-reporter.js"), false);
    });
});
