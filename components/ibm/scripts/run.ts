// The entry point of every IKS command resource (components/ibm/ibmcloud-cli.ts):
//
//   node components/ibm/scripts/run.ts nlb-dns create|delete
//   node components/ibm/scripts/run.ts alb-ingress domain|secret-create|secret-delete
//
// Only Node runs this file; the Pulumi program imports the script modules, never this one, so the
// modules stay free of "am I the main module" checks (which differ between ES modules and CommonJS).
// The result line goes to stdout; errors, redacted of the API key, to stderr with exit status 1.
import { albIngressMain } from "./alb-ingress.ts";
import { IbmCloud, IbmCloudError, readCliSettings, runMain, storedApiKeyVariable } from "./ibmcloud.ts";
import { nlbDnsMain } from "./nlb-dns.ts";

const [script, action] = process.argv.slice(2);
runMain(async () => {
    const main = script === "nlb-dns" ? nlbDnsMain : script === "alb-ingress" ? albIngressMain : undefined;
    if (!main) {
        throw new IbmCloudError(`usage: node components/ibm/scripts/run.ts nlb-dns|alb-ingress <action> (got ${JSON.stringify(script)})`);
    }
    // A delete runs with the environment stored at the last `pulumi up`: it prefers the current key (ibmcloud.ts chooseApiKey).
    const cli = new IbmCloud(readCliSettings(process.env, { deleting: action === "delete" || action === "secret-delete" }));
    try {
        return await main(cli, action ?? "", process.env);
    } finally {
        cli.close();
    }
}, [process.env.IBMCLOUD_API_KEY, process.env[storedApiKeyVariable]]);
