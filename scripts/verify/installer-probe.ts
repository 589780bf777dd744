// Probe (#21): WordPress's installer through the gateway must be denied. The stack installs WordPress
// before routing it and DENYs /wp-admin/install.php at the ingress gateway (mesh/authorization/rules.ts
// wordpressDenySpecs), so the gateway itself answers 403 ("RBAC: access denied"). Pure: verify makes the
// request over the gateway connection the other gateway checks use and hands the answer here.
import { wordpressInstallerPaths } from "../../components/mesh/authorization/rules";
import { HttpsResult, classifyTransportError } from "./gateway";
import { CheckResult, fail, pass, skip } from "./report";

export const installerCheckId = "installer-denied";
export const installerProbePath: string = wordpressInstallerPaths[0];

/** Envoy's RBAC filter answers a denied request with 403 and this body (Istio's default). */
export const rbacDeniedBody = "RBAC: access denied";

export function skipInstallerProbe(): CheckResult {
    return skip(installerCheckId, `wordpress.enabled is false: nothing serves ${installerProbePath}`);
}

export function decideInstallerProbe(url: string, result: HttpsResult, body = ""): CheckResult {
    if ("status" in result) {
        if (result.status === 403) {
            const byRbac = body.includes(rbacDeniedBody) ? " by the gateway's AuthorizationPolicy (RBAC: access denied)" : "";
            return pass(installerCheckId, `${url} was denied (403)${byRbac}`);
        }
        if (result.status === 200 || (result.status >= 300 && result.status < 400)) {
            return fail(installerCheckId, `${url} answered ${result.status}: WordPress's installer is reachable through the gateway ` +
                "(is deny-wordpress-installer missing in istio-system?)");
        }
        return fail(installerCheckId, `${url} answered ${result.status}, not 403: the DENY at the gateway did not answer`);
    }
    const kind = classifyTransportError(result.error);
    return fail(installerCheckId, `${url}: ${result.error.code}: ${result.error.message}` +
        (kind === "unreachable" ? " (the gateway could not be reached, so the installer is unverified)" : ""));
}
