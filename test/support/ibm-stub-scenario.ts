// Shared by the spec files that run the IKS scripts against the stub `ibmcloud`
// (test/fixtures/ibmcloud-stub/): one cluster, an unrelated NLB subdomain that is never ours, the
// environment each command resource stores, and the assertions on a script's run. They are the scripts
// specs' own (ibm-scripts.ts, with its scriptSession for stubs removed after the file), under the names
// these specs use.
export {
    apiKey as stubApiKey, cluster as stubCluster, gatewayIp as stubGatewayIp, gatewayHostname as stubGatewayHostname,
    ingressSubdomain as stubIngressSubdomain, unrelated as unrelatedRegistration, scenario as stubScenario, assertOk, assertFails,
    cliSettings, copySettings,
} from "./ibm-scripts";
