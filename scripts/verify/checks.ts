// The checks of `npm run verify` (the list and what each proves: scripts/verify.ts). scripts/verify.ts
// loads this module only once its cheap answers are given (--help, bad arguments, no Pulumi CLI): it
// pulls in the config reader and the Pulumi SDK, about 2 s of CPU under ts-node (the IBM scripts come
// only with iks.ts, for an IKS stack).
// This file only runs commands and makes requests: every decision is in scripts/verify/*.ts, unit-tested.
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import { StackConfig } from "../../components/config/schema";
import { gatewayTlsMode } from "../../components/edge/gateway-plan";
import { verifyCurlImage } from "../../components/core/versions";
import { plannedWaypointNamespaces } from "../../components/mesh/authorization/ambient";
import {
    ambientCheckIds, decideWaypoints, decideZtunnel, enrolledSampleNamespaces, namespaceEnrolledInAmbient, namespaceLabelsOf,
    ztunnelDaemonSet,
} from "./ambient";
import { VerifyOptions } from "./args";
import { clusterViewArgs } from "./cluster";
import { Kubectl, firstLine, openKubectlTarget, readStackCluster, run } from "./stack-cluster";
import { canaryCheckId, decideCanary, skipCanary, tallyCanary } from "./canary";
import {
    Connection, gatewayAgent, httpsGet, runLimited,
} from "./https-client";
import {
    GatewayEndpoint, decideGatewayHttps, decideMutualTls, gatewayCheckIds, gatewayEndpoint, gatewayServerName,
    skipMutualTls, teapotPath,
} from "./gateway";
import { decideKiali, kialiCheckId, kialiStatusPath, skipKiali } from "./kiali";
import { checkMeshCa, meshCaCheckId } from "./mesh-ca";
import { readZtunnelConfigDump } from "./ztunnel-admin";
import {
    CallerDataplane, ExecTarget, checkIds, decideInMeshCall, decidePlaintextProbe, inMeshCaller, parseCurlProbe, pickExecTarget,
    plaintextProbeManifests, plaintextTarget, podHasSidecar, PodLike, skipInMesh,
} from "./mesh-probes";
import { decideInstallerProbe, installerCheckId, installerProbePath, skipInstallerProbe } from "./installer-probe";
import { decideDeniedCall, deniedCallCheckId, deniedCaller, skipDeniedCall } from "./denied-call-probe";
import { decideLifecycle, lifecycleCaller, lifecycleCheckId, skipLifecycle } from "./prometheus-lifecycle-probe";
import { CheckResult, exitCodeFor, fail, formatReport, guarded, skip } from "./report";
import { forwardedPort } from "./port-forward";
import { StackOutputs, parseStackOutputs } from "./stack-data";
import { backupCheckArgs, backupCheckId, decideBackup, skipBackup } from "./backup";


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function checkPlaintextRefused(config: StackConfig, kubectl: Kubectl): Promise<CheckResult> {
    const target = plaintextTarget(config);
    if ("skip" in target) {
        return skip(checkIds.plaintextRefused, target.skip);
    }
    const namespace = `iks-mesh-verify-${randomBytes(3).toString("hex")}`;
    const podName = "plaintext-probe";
    const [namespaceObject, pod] = plaintextProbeManifests(namespace, podName, verifyCurlImage, target.url);
    try {
        const created = await kubectl(["create", "-f", "-"], JSON.stringify(namespaceObject));
        if (created.code !== 0) {
            return fail(checkIds.plaintextRefused, `could not create namespace ${namespace}: ${firstLine(created.stderr)}`);
        }
        // A new namespace's default ServiceAccount appears a moment after the namespace.
        let podCreated = await kubectl(["create", "-f", "-"], JSON.stringify(pod));
        for (let attempt = 0; podCreated.code !== 0 && /serviceaccount.*not found/i.test(podCreated.stderr) && attempt < 10; attempt++) {
            await sleep(1000);
            podCreated = await kubectl(["create", "-f", "-"], JSON.stringify(pod));
        }
        if (podCreated.code !== 0) {
            return fail(checkIds.plaintextRefused, `could not create the probe pod: ${firstLine(podCreated.stderr)}`);
        }
        const waited = await kubectl(["-n", namespace, "wait", "--for=jsonpath={.status.phase}=Succeeded", `pod/${podName}`, "--timeout=180s"]);
        if (waited.code !== 0) {
            const state = await kubectl(["-n", namespace, "get", "pod", podName, "-o",
                "jsonpath={.status.phase} {.status.containerStatuses[0].state.waiting.reason}"]);
            return fail(checkIds.plaintextRefused, `the probe pod did not finish (${state.stdout.trim() || firstLine(waited.stderr)})`);
        }
        const logs = await kubectl(["-n", namespace, "logs", podName]);
        const podJson = await kubectl(["-n", namespace, "get", "pod", podName, "-o", "json"]);
        return decidePlaintextProbe(target, parseCurlProbe(logs.stdout), podHasSidecar(JSON.parse(podJson.stdout) as PodLike));
    } finally {
        await kubectl(["delete", "namespace", namespace, "--wait=false", "--ignore-not-found"]);
    }
}

async function checkInMeshCall(config: StackConfig, kubectl: Kubectl): Promise<CheckResult> {
    const caller = inMeshCaller(config);
    if ("skip" in caller) {
        return skipInMesh(caller.skip);
    }
    return execInSample(caller, checkIds.inMeshCall, kubectl, async (output, target) => {
        let dataplane: CallerDataplane = { mode: "sidecar" };
        if (config.istio.dataplane === "ambient") {
            const namespace = await kubectl(["get", "namespace", caller.namespace, "-o", "json"]);
            if (namespace.code !== 0) {
                return fail(checkIds.inMeshCall, `could not read namespace ${caller.namespace}: ${firstLine(namespace.stderr)}`);
            }
            dataplane = { mode: "ambient", namespaceEnrolled: namespaceEnrolledInAmbient(namespaceLabelsOf(namespace.stdout).get(caller.namespace)) };
        }
        return decideInMeshCall(caller, target, output, dataplane);
    });
}

/** Runs a probe program in the application container of a sample pod (its identity, its data plane). */
async function execInSample(caller: { namespace: string; selector: string; command: string[] }, id: string, kubectl: Kubectl,
    decide: (output: string, target: ExecTarget) => CheckResult | Promise<CheckResult>): Promise<CheckResult> {
    const pods = await kubectl(["-n", caller.namespace, "get", "pods", "-l", caller.selector, "-o", "json"]);
    if (pods.code !== 0) {
        return fail(id, `could not list ${caller.selector} pods in ${caller.namespace}: ${firstLine(pods.stderr)}`);
    }
    const target = pickExecTarget(pods.stdout);
    if ("problem" in target) {
        return fail(id, `${caller.selector} in ${caller.namespace}: ${target.problem}`);
    }
    const exec = await kubectl(["-n", caller.namespace, "exec", target.pod, "-c", target.container, "--", ...caller.command], undefined, 60_000);
    if (exec.code !== 0 && exec.stdout.trim() === "") {
        return fail(id, `kubectl exec into ${caller.namespace}/${target.pod} failed: ${firstLine(exec.stderr)}`);
    }
    return decide(exec.stdout, target);
}

async function checkDeniedCall(config: StackConfig, kubectl: Kubectl): Promise<CheckResult> {
    const caller = deniedCaller(config);
    return "skip" in caller ? skipDeniedCall(caller.skip)
        : execInSample(caller, deniedCallCheckId, kubectl, (output) => decideDeniedCall(caller, output));
}

async function checkPrometheusLifecycle(config: StackConfig, kubectl: Kubectl): Promise<CheckResult> {
    const caller = lifecycleCaller(config);
    return "skip" in caller ? skipLifecycle(caller.skip)
        : execInSample(caller, lifecycleCheckId, kubectl, (output) => decideLifecycle(caller, output));
}

async function checkZtunnel(config: StackConfig, kubectl: Kubectl): Promise<CheckResult> {
    const daemonSet = await kubectl(["-n", ztunnelDaemonSet.namespace, "get", "daemonset", ztunnelDaemonSet.name, "-o", "json"]);
    if (daemonSet.code !== 0) {
        return fail(ambientCheckIds.ztunnel, `could not read DaemonSet ${ztunnelDaemonSet.namespace}/${ztunnelDaemonSet.name}: ${firstLine(daemonSet.stderr)}`);
    }
    const expected = enrolledSampleNamespaces(config);
    const namespaces = expected.length > 0 ? await kubectl(["get", "namespace", ...expected, "-o", "json"]) : { code: 0, stdout: "{\"items\":[]}", stderr: "" };
    if (namespaces.code !== 0) {
        return fail(ambientCheckIds.ztunnel, `could not read namespaces ${expected.join(", ")}: ${firstLine(namespaces.stderr)}`);
    }
    return decideZtunnel(daemonSet.stdout, namespaces.stdout, expected);
}

async function checkWaypoints(config: StackConfig, kubectl: Kubectl): Promise<CheckResult> {
    const expected = plannedWaypointNamespaces(config);
    const gateways = new Map<string, string>();
    for (const namespace of expected) {
        const listed = await kubectl(["get", "gateways.gateway.networking.k8s.io", "-n", namespace, "-o", "json"]);
        if (listed.code !== 0) {
            return fail(ambientCheckIds.waypoints, `could not list Gateways in ${namespace}: ${firstLine(listed.stderr)}`);
        }
        gateways.set(namespace, listed.stdout);
    }
    return decideWaypoints(gateways, expected);
}

interface OpenConnection {
    connection: Connection;
    describe: string;
    close(): void;
}

/** Connects to the gateway's HTTPS port directly or through `kubectl port-forward` (closed by the caller). */
async function openGateway(endpoint: GatewayEndpoint, outputs: Required<Pick<StackOutputs, "gatewayNamespace" | "gatewayService">>,
    clusterArgs: readonly string[]): Promise<OpenConnection> {
    if (endpoint.kind === "direct") {
        return { connection: { address: endpoint.address, port: endpoint.port }, describe: `load balancer ${endpoint.address}`, close: () => undefined };
    }
    const args = [...clusterArgs, "-n", outputs.gatewayNamespace, "port-forward",
        `svc/${outputs.gatewayService}`, `:${endpoint.servicePort}`];
    const child = spawn("kubectl", args, { stdio: ["ignore", "pipe", "pipe"] });
    const port = await forwardedPort(child, `svc/${outputs.gatewayService} in ${outputs.gatewayNamespace}`);
    return {
        connection: { address: "127.0.0.1", port },
        describe: `port-forward to svc/${outputs.gatewayService} (${endpoint.reason})`,
        close: () => { child.kill(); },
    };
}

async function checkGateway(config: StackConfig, outputs: StackOutputs, outputProblems: readonly string[],
    options: VerifyOptions, kubectl: Kubectl, clusterArgs: readonly string[]): Promise<CheckResult[]> {
    // The mode the gateway really runs in: MUTUAL behind the IKS ALB whatever gateway.tlsMode says.
    const tlsMode = gatewayTlsMode(config);
    const mutual = tlsMode === "MUTUAL";
    const canaryFallback = config.wordpress.enabled ? [] : [skipCanary("wordpress.enabled is false")];
    const failAll = (reason: string): CheckResult[] => [
        fail(gatewayCheckIds.https, reason),
        mutual ? fail(gatewayCheckIds.mutualTls, reason) : skipMutualTls(tlsMode),
        ...(config.wordpress.enabled ? [fail(canaryCheckId, reason), fail(installerCheckId, reason)] : [...canaryFallback, skipInstallerProbe()]),
    ];
    const { caCertificatePem, gatewayNamespace, gatewayService } = outputs;
    if (!caCertificatePem || !gatewayNamespace || !gatewayService) {
        const missing = [!caCertificatePem && "caCertificatePem", !gatewayNamespace && "gatewayNamespace", !gatewayService && "gatewayService"]
            .filter(Boolean).join(", ");
        return failAll(`stack outputs missing: ${missing}${outputProblems.length ? ` (${outputProblems.join("; ")})` : ""}`);
    }
    if (mutual && (!outputs.clientCertificatePem || !outputs.clientPrivateKeyPem)) {
        return failAll("the gateway is MUTUAL but the stack outputs hold no client certificate and key");
    }
    const service = await kubectl(["-n", gatewayNamespace, "get", "service", gatewayService, "-o", "json"]);
    if (service.code !== 0) {
        return failAll(`could not read the gateway Service ${gatewayNamespace}/${gatewayService}: ${firstLine(service.stderr)}`);
    }
    const found = gatewayEndpoint(service.stdout);
    if ("problem" in found) {
        return failAll(found.problem);
    }
    let endpoint: GatewayEndpoint = found;
    if (options.via === "port-forward" && found.kind === "direct") {
        endpoint = { kind: "port-forward", servicePort: found.port, reason: "--via port-forward" };
    } else if (options.via === "direct" && found.kind === "port-forward") {
        return failAll(`--via direct, but ${found.reason}`);
    }
    let gateway: OpenConnection;
    try {
        gateway = await openGateway(endpoint, { gatewayNamespace, gatewayService }, clusterArgs);
    } catch (error) {
        return failAll((error as Error).message);
    }
    const serverName = gatewayServerName(outputs.gatewayHosts ?? config.gateway.hosts);
    const withCertificate = gatewayAgent({
        caPem: caCertificatePem,
        ...(mutual ? { clientCertificatePem: outputs.clientCertificatePem, clientPrivateKeyPem: outputs.clientPrivateKeyPem } : {}),
    });
    const withoutCertificate = gatewayAgent({ caPem: caCertificatePem });
    const results: CheckResult[] = [];
    try {
        const teapotUrl = `https://${serverName}${teapotPath} via ${gateway.describe}`;
        if (!config.httpbin.enabled) {
            results.push(skip(gatewayCheckIds.https, `httpbin.enabled is false: nothing serves ${teapotPath}`));
            results.push(mutual ? skip(gatewayCheckIds.mutualTls, `httpbin.enabled is false: nothing serves ${teapotPath}`)
                : skipMutualTls(tlsMode));
        } else {
            const answer = await httpsGet(gateway.connection, serverName, serverName, teapotPath, withCertificate);
            results.push(decideGatewayHttps(teapotUrl, answer, mutual));
            if (mutual) {
                const refused = await httpsGet(gateway.connection, serverName, serverName, teapotPath, withoutCertificate);
                results.push(decideMutualTls(teapotUrl, refused, answer));
            } else {
                results.push(skipMutualTls(tlsMode));
            }
        }
        if (!config.wordpress.enabled) {
            results.push(...canaryFallback);
        } else {
            // WordPress's own hosts (wordpress.hosts) share the gateway's certificate and listener: the
            // TLS name stays the gateway's, the Host header picks WordPress's VirtualService.
            const host = config.wordpress.hosts[0] ?? serverName;
            const answers = await runLimited(options.requests, 4,
                () => httpsGet(gateway.connection, serverName, host, "/", withCertificate));
            results.push(decideCanary(tallyCanary(answers), config.wordpress.canaryWeight, options.confidence));
        }
        if (config.wordpress.enabled) {
            // On WordPress's own host when it has one (the DENY at the gateway covers every host).
            const host = config.wordpress.hosts[0] ?? serverName;
            const installer = await httpsGet(gateway.connection, serverName, host, installerProbePath, withCertificate);
            results.push(decideInstallerProbe(`https://${host}${installerProbePath} via ${gateway.describe}`, installer));
        } else {
            results.push(skipInstallerProbe());
        }
    } finally {
        withCertificate.destroy();
        withoutCertificate.destroy();
        gateway.close();
    }
    return results;
}

async function checkBackup(config: StackConfig, kubectl: Kubectl): Promise<CheckResult> {
    const skipped = skipBackup(config);
    if (skipped) {
        return skipped;
    }
    return decideBackup(await kubectl(backupCheckArgs(), undefined, 120_000));
}

async function checkKiali(config: StackConfig, kubectl: Kubectl): Promise<CheckResult> {
    if (!config.kiali.enabled) {
        return skipKiali();
    }
    const answer = await kubectl(["get", "--raw", kialiStatusPath()], undefined, 30_000);
    if (answer.code !== 0) {
        return fail(kialiCheckId, `Kiali did not answer through the service proxy: ${firstLine(answer.stderr)}`);
    }
    return decideKiali(answer.stdout);
}

/**
 * The IKS checks, loaded only for a stack with iks.enabled: they pull in the deploy scripts' ibmcloud
 * runner and parsers (components/ibm/scripts), about 1 s of CPU under ts-node that no other stack needs.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load; the type comes from the module itself
const iksChecks = () => require("./iks") as typeof import("./iks");

/**
 * Every check of the stack, once the command line was read and the Pulumi CLI found (scripts/verify.ts):
 * the report's exit status, 0 when nothing failed.
 */
export async function runChecks(options: VerifyOptions): Promise<number> {
    const outputsRun = await run("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", options.stack]);
    if (outputsRun.code !== 0) {
        console.error(`pulumi stack output failed for stack ${options.stack}: ${outputsRun.stderr.trim()}`);
        return 2;
    }
    const outputs = parseStackOutputs(outputsRun.stdout);
    const read = await readStackCluster(options.stack, (args) => run("pulumi", args), "verify checks the cluster");
    if ("error" in read) {
        console.error(read.error);
        return 2;
    }
    const { config } = read;
    const target = openKubectlTarget(read.binding, true);
    try {
        const kubectl: Kubectl = (args, input, timeoutMs) => run("kubectl", [...target.args, ...args], input, timeoutMs);
        const view = await kubectl(clusterViewArgs);
        if (view.code !== 0) {
            console.error(`kubectl cannot select ${target.describe}: ${firstLine(view.stderr)}`);
            return 2;
        }
        console.log(`Cluster: ${view.stdout.trim() || "(unnamed)"}, ${target.describe}`);

        const results = [
            ...await guarded([checkIds.plaintextRefused], () => checkPlaintextRefused(config, kubectl)),
            ...await guarded([checkIds.inMeshCall], () => checkInMeshCall(config, kubectl)),
            ...await guarded([deniedCallCheckId], () => checkDeniedCall(config, kubectl)),
            ...await guarded([lifecycleCheckId], () => checkPrometheusLifecycle(config, kubectl)),
            ...await guarded([gatewayCheckIds.https, gatewayCheckIds.mutualTls, canaryCheckId, installerCheckId],
                () => checkGateway(config, outputs.value, outputs.problems, options, kubectl, target.args)),
            ...await guarded([kialiCheckId], () => checkKiali(config, kubectl)),
            // Ambient stacks have no sidecars to look at: their data plane is ztunnel and the waypoints.
            ...config.istio.dataplane === "ambient" ? [
                ...await guarded([ambientCheckIds.ztunnel], () => checkZtunnel(config, kubectl)),
                ...await guarded([ambientCheckIds.waypoints], () => checkWaypoints(config, kubectl)),
            ] : [],
            // IKS stacks: what the stub cannot prove, read on the real account (docs/iks.md, "Check on a real account").
            ...config.iks.enabled ? await iksChecks().checkIks(config, options.stack, outputs.value, kubectl) : [],
            // istiod's own root (mesh.ca: istiod) is the cluster's business: nothing of the stack to compare with.
            ...config.mesh.ca === "stack" ? await guarded([meshCaCheckId], () => checkMeshCa(config, outputsRun.stdout, kubectl, (pod) => readZtunnelConfigDump(target.args, pod))) : [],
            ...options.backupCheck ? await guarded([backupCheckId], () => checkBackup(config, kubectl)) : [],
        ];
        console.log(formatReport(options.stack, results));
        return exitCodeFor(results);
    } finally {
        target.remove();
    }
}
