// `npm run verify -- --stack <name>`: post-deploy checks of a live stack. It reads the stack's outputs
// and config with the Pulumi CLI, then checks with kubectl and HTTPS:
//   plaintext-refused    plaintext from a pod outside the mesh to a STRICT service is refused
//   in-mesh-call         a call between meshed workloads that the authorization rules allow succeeds
//   denied-call-refused  a call no ALLOW admits (productpage → mysql.wordpress:3306) is refused
//   prometheus-lifecycle-refused  Prometheus's lifecycle API answers 403 to a sample pod, or the call is dropped before it
//   installer-denied     WordPress's /wp-admin/install.php through the gateway answers 403
//   gateway-https        the gateway answers /status/418 over TLS the stack's CA vouches for
//   gateway-mutual-tls   in MUTUAL mode: no client certificate, refused; the stack's, accepted
//   canary-split         the WordPress v2 share over N requests fits the configured weight
//   kiali                Kiali answers
//   ztunnel-ready        ambient only: ztunnel ready on every node, every sample namespace enrolled
//   waypoints-programmed ambient only: each waypoint the stack deploys is Programmed
//   iks-nlb-subdomain    IKS only: the recorded NLB subdomain exists, lists the gateway, certificate created
//   iks-ingress-secret   IKS ALB: the certificate the ALB serves is IBM's current one (CRN copy or Kubernetes copy)
//   iks-lb-backend       IKS ALB on VPC: the load balancer forwards to the ALBs of the stack's class
//   mesh-ca              mesh.ca stack only: workloads trust the stack's mesh root and chain up to it (sidecar or ztunnel)
//   backup-dump          with --backup-check: the backup recipe's mysqldump connects and finishes (schema only)
// The IKS checks call only read-only ibmcloud commands (ls/get), as the operator (IBMCLOUD_API_KEY or an
// existing login), through the deploy scripts' own runner.
// kubectl always talks to the cluster the stack is bound to (scripts/verify/cluster.ts), named first in
// the report. Each prints PASS, FAIL or SKIP with a reason; any FAIL makes the exit status 1. This file reads
// the command line; the checks run in scripts/verify/checks.ts, every decision is in scripts/verify/*.ts, unit-tested.
import * as fs from "fs";
import { parseVerifyArgs, usage } from "./verify/args";
import { findOnPath, missingPulumiMessage } from "./verify/executables";

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/** The whole command; the specs call it in-process (test/support/in-process.ts), `npm run verify` through the lines below. */
export async function main(argv: readonly string[]): Promise<number> {
    const options = parseVerifyArgs(argv);
    if ("help" in options) {
        console.log(usage);
        return 0;
    }
    // Bad arguments first: they need no Pulumi CLI to be told apart.
    if ("error" in options) {
        console.error(`${options.error}\n${usage}`);
        return 2;
    }
    if (findOnPath("pulumi", process.env.PATH, isExecutable) === undefined) {
        console.error(missingPulumiMessage);
        return 2;
    }
    // Loaded here, not imported above: the answers before this line then cost a user (and a spec that
    // spawns them) the start of ts-node and two small modules, not the ~2 s of CPU of the checks' modules.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load; the type comes from the module itself
    const { runChecks } = require("./verify/checks") as typeof import("./verify/checks");
    return runChecks(options);
}

// Only when run as a script: the specs import this module to call `main` without starting a process.
if (require.main === module) {
    main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: Error) => {
        console.error(error.message);
        process.exitCode = 2;
    });
}
