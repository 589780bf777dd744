// Reads one ztunnel pod's `/config_dump` for verify's `mesh-ca` check: ztunnel has no shell to exec into
// and binds its admin interface to localhost (istio/ztunnel src/config.rs at 1.30.3), so the way in is
// `kubectl port-forward pod/<ztunnel> :15000` (what `istioctl ztunnel-config` does through its own client)
// and a plain HTTP GET on the local end. The port-forward is closed whatever happens.
import { spawn } from "child_process";
import * as http from "http";
import { ztunnelAdmin } from "./mesh-ca";
import { forwardedPort } from "./port-forward";

/** `clusterArgs` select the stack's cluster (scripts/verify/cluster.ts); the answer is the dump's text. */
export async function readZtunnelConfigDump(clusterArgs: readonly string[], ztunnelPod: string, timeoutMs = 20_000): Promise<string> {
    const child = spawn("kubectl", [...clusterArgs, "-n", ztunnelAdmin.namespace, "port-forward", `pod/${ztunnelPod}`, `:${ztunnelAdmin.port}`],
        { stdio: ["ignore", "pipe", "pipe"] });
    const port = await forwardedPort(child, `pod/${ztunnelPod} in ${ztunnelAdmin.namespace}`);
    try {
        return await new Promise<string>((resolve, reject) => {
            const request = http.get({ host: "127.0.0.1", port, path: ztunnelAdmin.path, timeout: timeoutMs }, (response) => {
                let body = "";
                response.setEncoding("utf8");
                response.on("data", (chunk: string) => { body += chunk; });
                response.on("end", () => {
                    if (response.statusCode === 200) {
                        resolve(body);
                    } else {
                        reject(new Error(`HTTP ${response.statusCode ?? "?"} from ${ztunnelAdmin.path}`));
                    }
                });
                response.on("error", reject);
            });
            request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
            request.on("error", reject);
        });
    } finally {
        child.kill();
    }
}
