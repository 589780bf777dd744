// One state bucket per environment, and each environment's credential confined to its own bucket:
// whoever can write a checkpoint can rewrite a stored command's `delete` string, which the next
// approved destroy or replace runs with that environment's credentials. The bootstrap checks it.
//
// The backend URLs of all environments are listed in the repository variable STATE_BACKENDS (a JSON
// object `{"<environment>": "<PULUMI_BACKEND_URL without credentials>"}`; bucket names are not
// secrets). Running in one environment with its own credential, the bootstrap probes every other
// environment's bucket: it must be refused.
import { backendLocation } from "./recovery";

export interface IsolationPlan {
    /** Problems found without probing (a shared bucket, a missing entry). */
    problems: string[];
    /** The other environments' buckets to probe with this environment's credential. */
    probes: { environment: string; bucket: string; prefix: string; endpoint?: string; region?: string }[];
}

function bucketOf(url: string): string {
    const location = backendLocation(url);
    return `${location.kind}:${location.root}/${location.prefix}`;
}

export function planIsolation(environment: string, ownBackendUrl: string, stateBackendsJson: string): IsolationPlan {
    const backends = JSON.parse(stateBackendsJson === "" ? "{}" : stateBackendsJson) as Record<string, unknown>;
    const problems: string[] = [];
    const fix = "give each environment its own bucket and an HMAC credential scoped to it (docs/ci-and-environments.md, \"One bucket per environment\")";
    if (typeof backends[environment] !== "string") {
        problems.push(`the repository variable STATE_BACKENDS has no entry for ${environment}: add "${environment}": "<its PULUMI_BACKEND_URL>" so that the other environments' checks know its bucket`);
    } else if (bucketOf(String(backends[environment])) !== bucketOf(ownBackendUrl)) {
        problems.push(`STATE_BACKENDS names ${String(backends[environment])} for ${environment}, but its PULUMI_BACKEND_URL points elsewhere: make them agree`);
    }
    const probes: IsolationPlan["probes"] = [];
    for (const [other, url] of Object.entries(backends)) {
        if (other === environment || other === `${environment}-preview` || `${other}-preview` === environment || typeof url !== "string") {
            continue;
        }
        if (bucketOf(url) === bucketOf(ownBackendUrl)) {
            problems.push(`${environment} and ${other} keep their state in the same place (${url}): ${fix}`);
            continue;
        }
        const location = backendLocation(url);
        if (location.kind === "s3") {
            probes.push({
                environment: other, bucket: location.root, prefix: location.prefix,
                ...(location.endpoint ? { endpoint: location.endpoint } : {}), ...(location.region ? { region: location.region } : {}),
            });
        }
    }
    return { problems, probes };
}

/** A probe (`aws s3api list-objects-v2` on the other bucket) must be refused, and refused for access. */
export function probeVerdict(environment: string, other: string, status: number, output: string): string | undefined {
    if (status === 0) {
        return `the state credential of ${environment} can read ${other}'s bucket: scope its HMAC credential to its own bucket ` +
            "(IAM policy on that bucket only, docs/ci-and-environments.md), then run the bootstrap again";
    }
    if (/AccessDenied|Forbidden|\(403\)/i.test(output)) {
        return undefined;
    }
    return `probing ${other}'s bucket from ${environment} failed for another reason than a refusal, so the check proves nothing: ${output.trim().split("\n")[0]}`;
}
