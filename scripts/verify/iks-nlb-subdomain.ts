// iks-nlb-subdomain: the NLB subdomain the stack recorded (output nlbSubdomain) still exists at IBM
// (`ibmcloud ks nlb-dns ls`), lists the gateway's load-balancer address, keeps its certificate in the
// gateway's namespace, and has a certificate IBM renews (status `created`). Read-only.
import { IbmCloud } from "../../components/ibm/scripts/ibmcloud";
import { NlbRegistration, certificateState, listArgs, parseNlbList } from "../../components/ibm/scripts/nlb-dns";
import { iksCheckIds } from "./iks-cli";
import { CheckResult, fail, pass, skip } from "./report";

export interface RecordedSubdomain {
    /** Stack output nlbSubdomain. */
    subdomain?: string;
    /** The gateway's namespace, where IBM keeps the subdomain's certificate Secret. */
    secretNamespace: string;
    /** The gateway Service's load-balancer IP (classic) or hostname (VPC), when kubectl could read it. */
    address?: string;
}

const id = iksCheckIds.nlbSubdomain;

export function decideNlbSubdomain(registrations: readonly NlbRegistration[], recorded: RecordedSubdomain, cluster: string): CheckResult {
    const { subdomain } = recorded;
    if (!subdomain) {
        return fail(id, "the stack has no nlbSubdomain output: run pulumi up");
    }
    const found = registrations.find((registration) => registration.subdomain === subdomain);
    if (!found) {
        return fail(id, `${subdomain} is not among the NLB subdomains of cluster ${cluster} (ibmcloud ks nlb-dns ls): run pulumi up to register the gateway again`);
    }
    const state = certificateState(found);
    if (state === "deleted") {
        return fail(id, `the certificate of ${subdomain} was deleted (status deleted: IBM no longer renews it); pulumi up regenerates it ` +
            "(ibmcloud ks nlb-dns secret regenerate, at most 5 a day)");
    }
    if (state === "rate-limited") {
        return fail(id, `the certificate of ${subdomain} has status rate_limited: Let's Encrypt refused to issue it; IBM says to wait 7 days, ` +
            "and the limit cannot be lifted");
    }
    if (state === "issuing") {
        return fail(id, `the certificate of ${subdomain} is not issued yet (status ${found.secretStatus || "empty"}); IBM says this can take hours`);
    }
    if (found.secretNamespace !== recorded.secretNamespace) {
        return fail(id, `IBM keeps the certificate of ${subdomain} in namespace ${found.secretNamespace || "(none)"}, not in the gateway's ` +
            `${recorded.secretNamespace}, so the Gateway cannot read it`);
    }
    const registered = [...found.ips, ...(found.lbHostname ? [found.lbHostname] : [])];
    if (recorded.address && !registered.includes(recorded.address)) {
        return fail(id, `${subdomain} lists ${registered.join(", ") || "no address"}, not the gateway's load balancer ${recorded.address}: ` +
            "run pulumi up (it moves the subdomain to the new address)");
    }
    return pass(id, `${subdomain} lists ${recorded.address ?? registered.join(", ")}, certificate ${found.secretName} created in ${found.secretNamespace}`);
}

/** Lists the cluster's NLB subdomains (Editor, like every nlb-dns command) and decides. */
export async function checkNlbSubdomain(cli: IbmCloud, recorded: RecordedSubdomain): Promise<CheckResult> {
    if (!recorded.subdomain) {
        return decideNlbSubdomain([], recorded, cli.settings.cluster);
    }
    await cli.ensureReady();
    const listed = await cli.retry("ibmcloud ks nlb-dns ls", () => cli.json(listArgs(cli.settings.cluster)));
    return decideNlbSubdomain(parseNlbList(listed), recorded, cli.settings.cluster);
}

export const skipNlbSubdomain = (reason: string): CheckResult => skip(id, reason);
