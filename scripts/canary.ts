// `npm run canary -- --stack <name> [options]`: metric-driven canary promotion of the WordPress sample
// through the stack itself. Each step is `pulumi config set --path wordpress.canary.weight` and `pulumi
// up` through the Automation API (LocalWorkspace on this project), so the stack file always says what
// is deployed and no later `up` undoes a step (the drift Flagger or Argo Rollouts cause by editing the
// VirtualService behind Pulumi's back). Decisions are in scripts/canary/*.ts, tested; the command line is
// scripts/canary/cli.ts, the wiring scripts/canary/promote.ts; this file only hands it the process.
import { canaryCommand } from "./canary/cli";

canaryCommand(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    write: (text) => process.stdout.write(text),
}).then((code) => { process.exitCode = code; }, (error: Error) => {
    console.error(error.message);
    process.exitCode = 2;
});
