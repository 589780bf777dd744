// How long one stack job may run, derived in this one place from the longest waits the stack allows.
// A job that GitHub kills at its timeout kills `pulumi up` half-way: the stack stays locked and a Helm
// release stays pending-* (docs/ci-and-environments.md, "When a run was interrupted"). So the timeout
// of every job that changes a stack must exceed the longest the program can legitimately wait.
// test/tools/workflows.spec.ts checks that every such job's `timeout-minutes` is `stackJobTimeoutMinutes`,
// and test/tools/ci-scripts.spec.ts checks the Helm budget below against the Releases the program registers.
import { configContract } from "../../components/config/contract";

/**
 * pulumi-kubernetes waits for a helm.v3.Release up to its `timeout` ("Time in seconds to wait for any
 * individual kubernetes operation", @pulumi/kubernetes helm/v3/release.d.ts), 300 s when unset, as
 * Helm's own `--timeout 5m0s`.
 */
export const helmDefaultTimeoutSeconds = 300;

/**
 * The sum of every Helm Release's timeout in the largest stack shape (ambient + IKS + Kiali +
 * EnRoute): an upper bound on any chain of them, since no Release waits longer than its timeout.
 * Checked against the program under the mock engine, so adding a Release or raising a timeout fails
 * a test until this budget follows.
 */
export const helmBudgetSeconds = 3000;

/**
 * The ibmcloud calls of one IKS script run (components/ibm/scripts/ibmcloud.ts defaults:
 * IBMCLOUD_CALL_TIMEOUT_SECONDS 300 per call, IBMCLOUD_RETRY_ATTEMPTS 5) besides the DNS wait:
 * login, plugin check and the ALB calls run in series, each retried at most that often.
 */
export const ibmCallBudgetSeconds = 300 * 5;

/** Checkout, npm ci, CLI and plugin installs, the interrupted-run check: measured well under this. */
export const jobSetupSeconds = 15 * 60;

/** GitHub-hosted runners stop every job after 6 hours whatever timeout-minutes says (usage limits). */
export const githubJobLimitMinutes = 360;

/** The largest value a config key accepts, read from the program's own config reader. */
export function configMaximum(key: string): number {
    const entry = configContract().find((candidate) => candidate.key === key);
    if (!entry?.range) {
        throw new Error(`the config contract has no integer key ${key}: update scripts/ci/job-timeouts.ts`);
    }
    return entry.range.max;
}

export interface WaitBudget {
    /** iks.dnsTimeoutSeconds at its maximum: the NLB certificate wait after the gateway is ready. */
    dnsSeconds: number;
    helmSeconds: number;
    ibmCallsSeconds: number;
    setupSeconds: number;
}

export function stackWaitBudget(): WaitBudget {
    return {
        dnsSeconds: configMaximum("iks.dnsTimeoutSeconds"),
        helmSeconds: helmBudgetSeconds,
        ibmCallsSeconds: ibmCallBudgetSeconds,
        setupSeconds: jobSetupSeconds,
    };
}

/** The longest a legitimate `pulumi up` or `destroy` of any stack can hold the stack's lock. */
export function largestRunSeconds(budget: WaitBudget = stackWaitBudget()): number {
    return budget.dnsSeconds + budget.helmSeconds + budget.ibmCallsSeconds;
}

/** `timeout-minutes` of every job that runs a stack operation, rounded up to 10 minutes. */
export function stackJobTimeoutMinutes(budget: WaitBudget = stackWaitBudget()): number {
    const minutes = Math.ceil((largestRunSeconds(budget) + budget.setupSeconds) / 600) * 10;
    if (minutes > githubJobLimitMinutes) {
        throw new Error(`a stack job may need ${minutes} minutes, more than GitHub's ${githubJobLimitMinutes}-minute job limit: ` +
            "lower the largest allowed iks.dnsTimeoutSeconds or Helm timeouts, or run on a self-hosted runner");
    }
    return minutes;
}

if (require.main === module) {
    const budget = stackWaitBudget();
    console.log(JSON.stringify({ ...budget, largestRunSeconds: largestRunSeconds(budget), timeoutMinutes: stackJobTimeoutMinutes(budget) }, null, 2));
}
