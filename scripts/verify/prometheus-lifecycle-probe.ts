// Probe (#21): Prometheus's lifecycle API must refuse a sample pod. The stack runs Prometheus without
// --web.enable-lifecycle (observability/prometheus-addon.ts), and then Prometheus answers 403 "Lifecycle
// API is not enabled." to /-/quit and /-/reload (prometheus web/web.go, the lifecycle handlers). The probe
// POSTs /-/reload, not /-/quit: both sit behind the same flag, and on a stack where the flag is still on a
// reload changes nothing while a quit would stop Prometheus and lose its in-memory data. From bookinfo's
// productpage (Python) in its application container, so the call carries a sample's identity. Where the CNI
// enforces the NetworkPolicy that admits only Kiali to Prometheus, the call never reaches Prometheus: the
// sidecar's connect times out (503 from Envoy) or, without a sidecar in the way, Python's read does.
import { StackConfig } from "../../components/config/schema";
import { sampleNamespaces } from "../../components/inventory";
import { prometheusNetworkPolicyName, prometheusUrl } from "../../components/observability/prometheus-addon";
import { CheckResult, fail, pass, skip } from "./report";

export const lifecycleCheckId = "prometheus-lifecycle-refused";
export const lifecycleProbePath = "/-/reload";

export interface LifecycleCaller {
    namespace: string;
    selector: string;
    url: string;
    command: string[];
}

export function lifecycleCaller(config: StackConfig): LifecycleCaller | { skip: string } {
    if (!config.kiali.enabled) {
        return { skip: "kiali.enabled is false: no Prometheus" };
    }
    if (!config.bookinfo.enabled) {
        return { skip: "bookinfo.enabled is false: no sample pod with Python to call from" };
    }
    const url = `${prometheusUrl()}${lifecycleProbePath}`;
    const script = [
        "import urllib.request, urllib.error",
        "try:",
        `    print("status=%d" % urllib.request.urlopen(urllib.request.Request("${url}", data=b"", method="POST"), timeout=10).status)`,
        "except urllib.error.HTTPError as error:",
        '    print("status=%d body=%s" % (error.code, error.read(200).decode("utf-8", "replace").strip()))',
        "except Exception as error:",
        '    print("error=%s: %s" % (type(error).__name__, error))',
    ].join("\n");
    return { namespace: sampleNamespaces.bookinfo, selector: "app=productpage", url, command: ["python", "-c", script] };
}

/**
 * What the caller's sidecar answers when its connection to Prometheus times out, which is what a CNI that
 * drops the packets (Calico's default for a denied flow) looks like from a sidecar: Envoy's local reply
 * "upstream connect error or disconnect/reset before headers. … reset reason: connection timeout" (Envoy
 * source/common/router/router.cc). A refused connection or "no healthy upstream" means Prometheus is down
 * or gone, which this check does not pass.
 */
const envoyDropReply = /^upstream connect error or disconnect\/reset before headers\..*connection timeout/;

export function decideLifecycle(caller: LifecycleCaller, output: string): CheckResult {
    const line = output.trim().split("\n").pop() ?? "";
    const status = /^status=(\d{3})(?: body=(.*))?$/.exec(line);
    if (status) {
        const code = Number(status[1]);
        if (code === 403) {
            return pass(lifecycleCheckId, `POST ${caller.url} from a sample pod was refused (403${status[2] ? `: ${status[2]}` : ""})`);
        }
        if (code === 503 && envoyDropReply.test(status[2] ?? "")) {
            return pass(lifecycleCheckId, `POST ${caller.url} from a sample pod never reached Prometheus: its sidecar's connection timed out ` +
                `(${status[2]}), as the NetworkPolicy ${prometheusNetworkPolicyName} admits only Kiali`);
        }
        if (code === 200) {
            return fail(lifecycleCheckId, `POST ${caller.url} from a sample pod answered 200: the lifecycle API is on, so any pod can stop Prometheus (/-/quit)`);
        }
        return fail(lifecycleCheckId, `POST ${caller.url} answered ${code}, not 403`);
    }
    const error = /^error=(\w+): (.*)$/.exec(line);
    if (error && /ConnectionResetError|RemoteDisconnected/.test(error[1])) {
        return pass(lifecycleCheckId, `POST ${caller.url} from a sample pod was refused by the mesh (${error[1]})`);
    }
    if (error?.[1] === "TimeoutError") {
        return pass(lifecycleCheckId, `POST ${caller.url} from a sample pod got no answer in 10 s: dropped on the way, as the NetworkPolicy ` +
            `${prometheusNetworkPolicyName} admits only Kiali (if Kiali's graph is empty too, Prometheus itself is down)`);
    }
    return fail(lifecycleCheckId, `POST ${caller.url}: ${error ? `${error[1]}: ${error[2]}` : `output not understood: ${line || "none"}`}`);
}

export function skipLifecycle(reason: string): CheckResult {
    return skip(lifecycleCheckId, reason);
}
