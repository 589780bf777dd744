// `npm test`'s runner: type-checks the projects named before `--` (`tsc --noEmit -p <dir>`, one after the
// other) while the command after `--` (mocha) runs, so that the type-check uses the core mocha's two
// workers leave idle at first instead of running alone before them. The command's output streams through
// as it comes; tsc's output is held back and printed after it, so the two never interleave. Fails when
// either fails. When a type-check fails, the command's closing `N passed, N failed` line
// (test/support/summary-reporter.js; .ci/run repeats the last such line) is printed again with the failed
// type-checks added, so a run with type errors never ends on "0 failed".
"use strict";

const { spawn } = require("child_process");

const summaryLine = /^(\d+) passed, (\d+) failed(.*)$/;

/** Runs `node <tsc> --noEmit -p <project>` and collects its output: tsc writes its diagnostics to stdout. */
function typeCheck(project) {
    return new Promise((resolve) => {
        // tsc colours its messages only on a terminal, and its stdout is a pipe here: decide as tsc would on ours.
        const pretty = process.stdout.isTTY ? "true" : "false";
        const child = spawn(process.execPath, [require.resolve("typescript/bin/tsc"), "--noEmit", "--pretty", pretty, "-p", project], {
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (chunk) => { output += chunk; });
        child.stderr.on("data", (chunk) => { output += chunk; });
        child.on("error", (error) => resolve({ project, status: 1, output: `${output}${error.message}\n` }));
        child.on("close", (status, signal) => resolve({ project, status: status === null ? `killed by ${signal}` : status, output }));
    });
}

async function typeCheckAll(projects) {
    const results = [];
    for (const project of projects) {
        results.push(await typeCheck(project));
    }
    return results;
}

/** Runs the command with its stdout passed through as it comes, keeping the last `N passed, N failed` line. */
function runCommand(command, args) {
    return new Promise((resolve) => {
        // The command's stdout is a pipe here; keep mocha's colours where the runner's own stdout is a terminal.
        const env = process.stdout.isTTY ? { ...process.env, MOCHA_COLORS: "1" } : process.env;
        const child = spawn(command, args, { stdio: ["inherit", "pipe", "inherit"], env });
        let tail = "";
        let summary;
        child.stdout.on("data", (chunk) => {
            process.stdout.write(chunk);
            const lines = (tail + chunk).split("\n");
            tail = lines.pop();
            for (const line of lines) {
                if (summaryLine.test(line)) {
                    summary = line;
                }
            }
        });
        const forward = (signal) => child.kill(signal);
        process.on("SIGINT", forward).on("SIGTERM", forward);
        child.on("error", (error) => {
            process.stderr.write(`type-check-alongside: cannot run ${command}: ${error.message}\n`);
        });
        child.on("close", (status, signal) => {
            process.off("SIGINT", forward).off("SIGTERM", forward);
            if (summaryLine.test(tail)) {
                summary = tail;
            }
            resolve({ status: status === null ? 1 : status, signal, summary });
        });
    });
}

async function main(argv) {
    const separator = argv.indexOf("--");
    if (separator < 0 || separator === argv.length - 1) {
        process.stderr.write("usage: node scripts/type-check-alongside.cjs <tsconfig dir>... -- <command> [args...]\n");
        return 2;
    }
    const projects = argv.slice(0, separator);
    const [command, ...args] = argv.slice(separator + 1);
    const [checks, run] = await Promise.all([typeCheckAll(projects), runCommand(command, args)]);
    const failed = checks.filter((check) => check.status !== 0);
    for (const check of failed) {
        process.stdout.write(`\ntsc --noEmit -p ${check.project} failed (${check.status}):\n${check.output.trimEnd()}\n`);
    }
    if (failed.length > 0) {
        const counts = run.summary === undefined ? undefined : summaryLine.exec(run.summary);
        if (counts) {
            process.stdout.write(`\n${counts[1]} passed, ${Number(counts[2]) + failed.length} failed${counts[3]} ` +
                `(the failed type-check${failed.length > 1 ? "s" : ""} above counted)\n`);
        }
    }
    if (run.signal) {
        return 1;
    }
    return run.status !== 0 ? run.status : failed.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
