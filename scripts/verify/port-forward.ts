// Waits for a `kubectl port-forward <svc> :<port>` that a tool started to say which local port it took,
// for verify (the gateway) and the canary tool (Prometheus) alike. The child is the caller's: on failure
// it is killed here, on success the caller closes it when done.
import { ChildProcessByStdio } from "child_process";
import { Readable } from "stream";
import { parsePortForward } from "./gateway";

const lastLine = (text: string) => text.trim().split("\n").filter(Boolean).pop() ?? "no output";

/** The local port, or an error naming `where` and kubectl's last words (20 s at most). */
export function forwardedPort(child: ChildProcessByStdio<null, Readable, Readable>, where: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
        let seen = "";
        const timer = setTimeout(() => reject(new Error(`kubectl port-forward to ${where} gave no port within 20 s: ${lastLine(seen)}`)), 20_000);
        const onData = (chunk: Buffer) => {
            seen += chunk.toString();
            const local = parsePortForward(seen);
            if (local) {
                clearTimeout(timer);
                resolve(local);
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(new Error(`kubectl could not start: ${error.message}`));
        });
        // "close", not "exit": it comes once stdout and stderr are drained, so kubectl's last words are in
        // `seen` (Node's child_process docs; on a loaded machine "exit" can come first).
        child.on("close", () => {
            clearTimeout(timer);
            reject(new Error(`kubectl port-forward to ${where} exited: ${lastLine(seen)}`));
        });
    }).catch((error: Error) => {
        child.kill();
        throw error;
    });
}
