// Kiali answers: its status document read through the API server's service proxy, which needs no
// port-forward and no Kiali login (`/api` is one of Kiali's unauthenticated routes; `/api/status`
// requires a token under the default token strategy).
import { kialiInstanceName, kialiNamespace, kialiServerPort } from "../../components/observability/kiali-values";
import { CheckResult, fail, pass, skip } from "./report";

export const kialiCheckId = "kiali";

/** Kiali serves under its web root, `/kiali` unless configured otherwise. */
export const kialiWebRoot = "/kiali";

/** For `kubectl get --raw`. */
export function kialiStatusPath(): string {
    return `/api/v1/namespaces/${kialiNamespace}/services/${kialiInstanceName}:${kialiServerPort}/proxy${kialiWebRoot}/api`;
}

export function decideKiali(output: string): CheckResult {
    let status: { status?: Record<string, string> } | undefined;
    try {
        status = JSON.parse(output) as { status?: Record<string, string> };
    } catch {
        return fail(kialiCheckId, `Kiali's status is not JSON: ${output.trim().slice(0, 120) || "empty answer"}`);
    }
    const state = status?.status?.["Kiali state"];
    const version = status?.status?.["Kiali version"] ?? "unknown version";
    if (state === "running") {
        return pass(kialiCheckId, `Kiali ${version} answers through the service proxy (state running)`);
    }
    return fail(kialiCheckId, `Kiali ${version} answers, but its state is ${JSON.stringify(state ?? null)}`);
}

export function skipKiali(): CheckResult {
    return skip(kialiCheckId, "kiali.enabled is false");
}
