// Stand-in CLIs served by one Node process per test process (test/fixtures/stand-in-server.js): the file on
// the PATH is a bash shim, so code under test still starts a process for every call, as it starts the real
// CLI, without a Node start each (~90 ms of CPU; a bash start ~5 ms). Used by the stub `ibmcloud`
// (test/fixtures/ibmcloud-stub/) and the canary's stand-in `pulumi` (test/fixtures/canary/pulumi.js).
import { spawn } from "child_process";
import * as fs from "fs";
import type * as net from "net";
import * as os from "os";
import * as path from "path";
import { shellQuote } from "../../components/core/shell";

/** Blocks this thread for `ms` (waits that must not yield to the event loop: a constructor, a lock). */
export function pauseSync(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The info file ("<port> <token>") of this process's stand-in server, started on first use. */
let serverInfoPath: string | undefined;

function standInServerInfo(): string {
    if (serverInfoPath === undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stand-in-server-")); // mode 0700: the token stays ours
        const infoPath = path.join(dir, "info");
        const server = spawn(process.execPath, [path.join(__dirname, "..", "fixtures", "stand-in-server.js"), infoPath],
            { stdio: ["pipe", "ignore", "inherit"] });
        // The server exits when its stdin closes, i.e. with this process; it keeps no test waiting for it.
        server.unref();
        (server.stdin as net.Socket).unref();
        process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        // Wait here (once, ~0.1 s) until it listens, so that a shim finds the port on its first call.
        for (const started = Date.now(); !fs.existsSync(infoPath); pauseSync(10)) {
            if (Date.now() - started > 10000) {
                throw new Error(`the stand-in server did not start (no ${infoPath} after ${Date.now() - started} ms)`);
            }
        }
        serverInfoPath = infoPath;
    }
    return serverInfoPath;
}

export interface StandIn {
    /** The module that answers (exports `answer(call)`, see stand-in-server.js). */
    module: string;
    /** Handed to the module with every call (e.g. the name of a file the module reads its scenario from). */
    settings?: string;
    /** Environment variables whose names start with this are handed over (those the stand-in reads); none without it. */
    forwardPrefix?: string;
}

/**
 * Writes the executable `file`: it sends its arguments, working directory and forwarded variables to the
 * stand-in server, prints what the module answers, passes it its stdin byte by byte when the module reads
 * input (a prompt), and exits with the module's status. It runs only bash builtins: the PATH it is called
 * with may hold nothing else.
 */
export function writeStandIn(file: string, standIn: StandIn): void {
    const name = path.basename(file);
    if (standIn.forwardPrefix !== undefined && !/^[A-Z_][A-Z0-9_]*$/.test(standIn.forwardPrefix)) {
        throw new Error(`forwardPrefix ${JSON.stringify(standIn.forwardPrefix)} is not the start of a variable name`);
    }
    fs.writeFileSync(file, `#!/bin/bash
info=${shellQuote(standInServerInfo())}
if ! IFS=' ' read -r port token < "$info"; then
    echo "${name} stand-in: the stand-in server is gone (no $info)" >&2
    exit 96
fi
if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    echo "${name} stand-in: the stand-in server on 127.0.0.1:$port does not answer" >&2
    exit 96
fi
cd -P . || exit 96
printf '%s\\0' "$token" ${shellQuote(standIn.module)} ${shellQuote(standIn.settings ?? "")} "$$" "$PWD" "$#" "$@" >&3
${standIn.forwardPrefix === undefined ? "" : `for name in "\${!${standIn.forwardPrefix}@}"; do
    printf '%s=%s\\0' "$name" "\${!name}" >&3
done
`}printf '\\0' >&3
while IFS= read -r -d '' frame <&3; do
    case $frame in
        o*) printf '%s' "\${frame:1}" ;;
        e*) printf '%s' "\${frame:1}" >&2 ;;
        i) if IFS= read -r -n 1 -d '' byte; then printf '1%s\\0' "$byte" >&3; else printf '0\\0' >&3; fi ;;
        x*) exit "\${frame:1}" ;;
    esac
done
echo "${name} stand-in: the stand-in server hung up without an exit status" >&2
exit 96
`, { mode: 0o755 });
}
