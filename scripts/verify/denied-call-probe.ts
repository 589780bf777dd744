// Probe (#21): a call that authorization must deny is denied. A sample workload that may not call MySQL
// (bookinfo's productpage, Python) opens a TCP connection to mysql.wordpress:3306 from its application
// container, so its own identity goes out through the data plane. MySQL speaks first: its greeting means
// the call got through. Denied looks like a connection closed without a byte (sidecar mode: the server's
// sidecar RBAC filter closes it; ambient: ztunnel refuses it). A name that does not resolve or a timeout
// says nothing about authorization, so it fails as inconclusive. Pure, like mesh-probes.ts.
import { StackConfig } from "../../components/config/schema";
import { mysqlNames, sampleNamespaces } from "../../components/inventory";
import { parseMysqlGreeting } from "./mesh-probes";
import { CheckResult, fail, pass, skip } from "./report";

export const deniedCallCheckId = "denied-call-refused";

export interface DeniedCaller {
    namespace: string;
    selector: string;
    description: string;
    /** argv, no shell: the target is a constant, not text from the cluster. */
    command: string[];
}

const mysqlHost = `${mysqlNames.service}.${sampleNamespaces.wordpress}`;

/** Python: connect, read what the server sends first, print it as hex (or the error). */
const pythonTcpProbe = [
    "import socket, binascii",
    "try:",
    `    s = socket.create_connection(("${mysqlHost}", ${mysqlNames.port}), timeout=10)`,
    "    s.settimeout(10)",
    '    print("handshake=" + binascii.hexlify(s.recv(128)).decode())',
    "except Exception as error:",
    '    print("error=%s: %s" % (type(error).__name__, error))',
].join("\n");

export function deniedCaller(config: StackConfig): DeniedCaller | { skip: string } {
    if (!config.authorization.enabled) {
        return { skip: "authorization.enabled is false: no call is meant to be denied" };
    }
    if (!config.wordpress.enabled || !config.bookinfo.enabled) {
        return { skip: "needs bookinfo (the caller) and wordpress (MySQL, the callee)" };
    }
    return {
        namespace: sampleNamespaces.bookinfo,
        selector: "app=productpage",
        description: `productpage → ${mysqlHost}:${mysqlNames.port} (no ALLOW names productpage there)`,
        command: ["python", "-c", pythonTcpProbe],
    };
}

export function decideDeniedCall(caller: DeniedCaller, output: string): CheckResult {
    const line = output.trim().split("\n").pop() ?? "";
    const handshake = /^handshake=([0-9a-f]*)$/i.exec(line);
    if (handshake) {
        const greeting = parseMysqlGreeting(handshake[1]);
        if (greeting) {
            return fail(deniedCallCheckId, `${caller.description}: reached MySQL ${greeting.serverVersion}, authorization let it through`);
        }
        if (handshake[1] === "") {
            return pass(deniedCallCheckId, `${caller.description}: the connection was closed before MySQL said anything (denied)`);
        }
        return fail(deniedCallCheckId, `${caller.description}: got ${handshake[1].length / 2} bytes that are not MySQL's greeting`);
    }
    const error = /^error=(\w+): (.*)$/.exec(line);
    if (error && /ConnectionResetError|ConnectionAbortedError|BrokenPipeError/.test(error[1])) {
        return pass(deniedCallCheckId, `${caller.description}: the connection was reset (denied): ${error[1]}`);
    }
    if (error) {
        return fail(deniedCallCheckId, `${caller.description}: ${error[1]}: ${error[2]}; this says nothing about authorization`);
    }
    return fail(deniedCallCheckId, `${caller.description}: output not understood: ${line || "none"}`);
}

export function skipDeniedCall(reason: string): CheckResult {
    return skip(deniedCallCheckId, reason);
}
