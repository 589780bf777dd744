// The thin HTTPS layer verify uses towards the gateway: Node's TLS client, the stack's CA added to
// Node's public roots (IKS gateways serve a Let's Encrypt certificate, other clusters the stack's own),
// and the client certificate and key passed in memory.
import * as https from "https";
import * as net from "net";
import * as tls from "tls";
import { HttpsResult } from "./gateway";

export interface ClientTls {
    caPem: string;
    clientCertificatePem?: string;
    clientPrivateKeyPem?: string;
}

export interface Connection {
    address: string;
    port: number;
}

/**
 * A keep-alive agent: many requests share a few connections, and Envoy still routes each request on its own.
 * The roots, certificate and key are parsed once into one secure context that every connection reuses
 * (tls.connect's `secureContext`, nodejs/node#4246): passed as `ca`/`cert`/`key` instead, each request
 * would join the ~150 public roots into the agent's pool key (https.Agent#getName) and each connection
 * parse them again.
 */
export function gatewayAgent(clientTls: ClientTls): https.Agent {
    return new https.Agent({
        keepAlive: true,
        maxSockets: 4,
        secureContext: tls.createSecureContext({
            ca: [...tls.rootCertificates, clientTls.caPem],
            ...(clientTls.clientCertificatePem ? { cert: clientTls.clientCertificatePem } : {}),
            ...(clientTls.clientPrivateKeyPem ? { key: clientTls.clientPrivateKeyPem } : {}),
        }),
    });
}

/**
 * GET `path` at `connection`, asking for `serverName` (SNI and certificate name check) and sending
 * `hostHeader` as Host. Never rejects: a transport failure comes back as `{error}`.
 */
export function httpsGet(connection: Connection, serverName: string, hostHeader: string, path: string,
    agent: https.Agent, timeoutMs = 15_000): Promise<HttpsResult> {
    return new Promise((resolve) => {
        let settled = false;
        const settle = (result: HttpsResult) => {
            if (!settled) {
                settled = true;
                resolve(result);
            }
        };
        const request = https.request({
            host: connection.address,
            port: connection.port,
            path,
            method: "GET",
            agent,
            ...(net.isIP(serverName) ? {} : { servername: serverName }),
            headers: { host: hostHeader, "user-agent": "iks-mesh-verify" },
        }, (response) => {
            response.resume();
            response.on("end", () => settle({ status: response.statusCode ?? 0, headers: response.headers }));
            response.on("error", (error: NodeJS.ErrnoException) => settle({ error: { code: error.code ?? "ERROR", message: error.message } }));
        });
        request.setTimeout(timeoutMs, () => {
            request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "TIMEOUT" }));
        });
        request.on("error", (error: NodeJS.ErrnoException) => settle({ error: { code: error.code ?? "ERROR", message: error.message } }));
        request.end();
    });
}

/** Runs `count` tasks with at most `concurrency` at once, keeping their order. */
export async function runLimited<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
    const results = new Array<T>(count);
    let next = 0;
    const worker = async () => {
        while (next < count) {
            const index = next++;
            results[index] = await task(index);
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return results;
}
