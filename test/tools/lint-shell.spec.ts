// `npm run lint`'s shell half (scripts/lint-shell.sh): without shellcheck it says how to install it instead
// of failing with exit 127, and with it, every shell script of the project is linted.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../harness/program";

const lintShell = path.join(projectRoot, "scripts", "lint-shell.sh");

const made: string[] = [];

/** A PATH directory holding only what the test puts there: the script must work on shell builtins alone. */
function emptyBin(): string {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "lint-shell-"));
    made.push(directory);
    return directory;
}

/** A stand-in shellcheck that records its arguments, one per line, and exits with `status`. */
function standIn(bin: string, status: number): string {
    const record = path.join(bin, "arguments");
    fs.writeFileSync(path.join(bin, "shellcheck"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\nexit ${status}\n`, { mode: 0o755 });
    return record;
}

function runLint(bin: string, cwd = projectRoot) {
    return spawnSync("/bin/sh", [path.relative(cwd, lintShell) || lintShell], { cwd, env: { PATH: bin }, encoding: "utf8" });
}

/** Every *.sh under scripts/, at any depth, plus CI's entry point: what must be linted. */
function shellScripts(): string[] {
    const found: string[] = [".ci/run"];
    const walk = (directory: string) => {
        for (const entry of fs.readdirSync(path.join(projectRoot, directory), { withFileTypes: true })) {
            const relative = `${directory}/${entry.name}`;
            if (entry.isDirectory()) {
                walk(relative);
            } else if (entry.name.endsWith(".sh")) {
                found.push(relative);
            }
        }
    };
    walk("scripts");
    return found.sort();
}

describe("npm run lint: shellcheck", () => {
    after(() => {
        for (const directory of made) {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });

    it("is how npm run lint runs shellcheck", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        assert.match(scripts.lint, /&& sh scripts\/lint-shell\.sh$/);
        assert.ok(!/(^|&& )shellcheck /.test(scripts.lint), "a bare shellcheck in the lint script fails with exit 127 when it is missing");
    });

    it("without shellcheck on PATH: exit 1 and how to install it, not 'not found' and 127", () => {
        const result = runLint(emptyBin());
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, /^iks-mesh: npm run lint needs shellcheck/);
        for (const install of ["apt-get install shellcheck", "brew install shellcheck", "dnf install ShellCheck", "github.com/koalaman/shellcheck#installing"]) {
            assert.ok(result.stderr.includes(install), install);
        }
        assert.doesNotMatch(result.stderr, /not found/);
        assert.equal(result.stdout, "");
    });

    it("with shellcheck: lints .ci/run and every *.sh under scripts/, from any directory", () => {
        assert.ok(shellScripts().includes("scripts/lint-shell.sh"));
        for (const cwd of [projectRoot, path.join(projectRoot, "scripts")]) {
            const bin = emptyBin();
            const record = standIn(bin, 0);
            const result = runLint(bin, cwd);
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(fs.readFileSync(record, "utf8").trim().split("\n").sort(), shellScripts());
        }
    });

    it("fails when shellcheck finds something", () => {
        const bin = emptyBin();
        standIn(bin, 1);
        assert.equal(runLint(bin).status, 1);
    });
});
