// `npm test` type-checks while mocha runs (scripts/type-check-alongside.cjs): a type error still fails it
// with tsc's message printed after mocha's output, and the closing `N passed, N failed` line that .ci/run
// repeats counts the failed type-check, so a run with type errors never ends on "0 failed".
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../harness/program";

const runner = path.join(projectRoot, "scripts", "type-check-alongside.cjs");

interface Run { status: number | null; stdout: string; stderr: string }

function runAlongside(args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [runner, ...args], { cwd: projectRoot });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
        child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}

/** A stand-in for mocha: prints what the summary reporter prints, after `delayMs`, and exits with `status`. */
function standIn(summary: string, status: number, delayMs = 0): string[] {
    return ["--", process.execPath, "-e",
        `console.log("  ✔ a test"); setTimeout(() => { console.log("\\n${summary}"); process.exitCode = ${status}; }, ${delayMs});`];
}

/** The line .ci/run prints last: the last line of the output that reads `N passed, N failed`. */
const ciSummary = (output: string) => output.split("\n").filter((line) => /^[0-9]+ passed, [0-9]+ failed/.test(line)).pop();

describe("npm test: the type-check runs alongside mocha", function () {
    this.timeout(60_000);
    let dir: string;
    let typeError: Run;
    let commandFails: Run;
    let bothPass: Run;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "type-check-alongside-"));
        // One file with a type error, under a minimal strict project (no @types, so tsc starts quickly).
        fs.mkdirSync(path.join(dir, "bad"));
        fs.writeFileSync(path.join(dir, "bad", "tsconfig.json"), JSON.stringify({
            compilerOptions: { strict: true, noEmit: true, target: "ES2022", lib: ["ES2022"], types: [] }, files: ["wrong.ts"],
        }));
        fs.writeFileSync(path.join(dir, "bad", "wrong.ts"), "export const port: number = \"80\";\n");
        [typeError, commandFails, bothPass] = await Promise.all([
            // The stand-in prints its summary after tsc has (most likely) finished: tsc's output must still come after it.
            runAlongside([path.join(dir, "bad"), ...standIn("3 passed, 0 failed, 1 skipped", 0, 2000)]),
            runAlongside(standIn("1 passed, 2 failed", 2)),
            runAlongside(standIn("4 passed, 0 failed", 0)),
        ]);
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("npm test type-checks the project and the IBM scripts' stricter tsconfig while mocha runs", () => {
        const test = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.test;
        assert.match(test, / && node scripts\/type-check-alongside\.cjs \. components\/ibm\/scripts -- mocha /);
    });

    it("a type error fails the run, with tsc's message after the command's output and the failure counted in the last summary line", () => {
        assert.equal(typeError.status, 1, typeError.stdout + typeError.stderr);
        const summaryAt = typeError.stdout.indexOf("3 passed, 0 failed, 1 skipped");
        const errorAt = typeError.stdout.indexOf("error TS2322");
        assert.ok(summaryAt > 0 && errorAt > summaryAt, typeError.stdout);
        assert.match(typeError.stdout, /wrong\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'\./);
        assert.match(typeError.stdout, /tsc --noEmit -p \S+bad failed \(2\):/);
        assert.equal(ciSummary(typeError.stdout), "3 passed, 1 failed, 1 skipped (the failed type-check above counted)");
        assert.ok(typeError.stdout.trimEnd().endsWith(ciSummary(typeError.stdout) ?? "no summary"), typeError.stdout);
    });

    it("the command's failure is the run's, its output untouched", () => {
        assert.equal(commandFails.status, 2);
        assert.equal(commandFails.stdout, "  ✔ a test\n\n1 passed, 2 failed\n");
    });

    it("when both pass, the run passes and adds nothing to the command's output", () => {
        assert.equal(bothPass.status, 0, bothPass.stderr);
        assert.equal(bothPass.stdout, "  ✔ a test\n\n4 passed, 0 failed\n");
        assert.equal(bothPass.stderr, "");
    });

    it("says how to call it when the command is missing", async () => {
        const run = await runAlongside(["."]);
        assert.equal(run.status, 2);
        assert.match(run.stderr, /^usage: node scripts\/type-check-alongside\.cjs <tsconfig dir>\.\.\. -- <command>/);
    });
});
