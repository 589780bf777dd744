// `npm run verify -- --stack <name>`: post-deploy checks of a live stack. It reads the stack's outputs
// and config with the Pulumi CLI, then checks with kubectl and HTTPS:
//   plaintext-refused    plaintext from a pod outside the mesh to a STRICT service is refused
//   in-mesh-call         a call between meshed workloads that the authorization rules allow succeeds
//   gateway-https        the gateway answers /status/418 over TLS the stack's CA vouches for
//   gateway-mutual-tls   in MUTUAL mode: no client certificate, refused; the stack's, accepted
//   canary-split         the WordPress v2 share over N requests fits the configured weight
//   kiali                Kiali answers
//   ztunnel-ready        ambient only: ztunnel ready on every node, every sample namespace enrolled
//   waypoints-programmed ambient only: each waypoint the stack deploys is Programmed
//   backup-dump          with --backup-check: the backup recipe's mysqldump connects and finishes (schema only)
// kubectl always talks to the cluster the stack is bound to (scripts/verify/cluster.ts), named first in
// the report. Each prints PASS, FAIL or SKIP with a reason; any FAIL makes the exit status 1. This file only runs
// commands and makes requests: every decision is in scripts/verify/*.ts, unit-tested.
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { currentKubeconfigContext } from "../components/cluster/kubeconfig-file";
import { StackConfig } from "../components/config/schema";
import { gatewayTlsMode } from "../components/edge/gateway-plan";
import { verifyCurlImage } from "../components/core/versions";
import { plannedWaypointNamespaces } from "../components/mesh/authorization/ambient";
import {
    ambientCheckIds, decideWaypoints, decideZtunnel, enrolledSampleNamespaces, namespaceEnrolledInAmbient, namespaceLabelsOf,
    ztunnelDaemonSet,
} from "./verify/ambient";
import { parseVerifyArgs, usage, VerifyOptions } from "./verify/args";
import { clusterViewArgs, hiddenClusterKeys, kubectlTarget, verifyClusterBinding } from "./verify/cluster";
import { findOnPath, missingPulumiMessage } from "./verify/executables";
import { canaryCheckId, decideCanary, skipCanary, tallyCanary } from "./verify/canary";
import {
    Connection, gatewayAgent, httpsGet, runLimited,
} from "./verify/https-client";
import {
    GatewayEndpoint, decideGatewayHttps, decideMutualTls, gatewayCheckIds, gatewayEndpoint, gatewayServerName,
    skipMutualTls, teapotPath,
} from "./verify/gateway";
import { decideKiali, kialiCheckId, kialiStatusPath, skipKiali } from "./verify/kiali";
import {
    CallerDataplane, checkIds, decideInMeshCall, decidePlaintextProbe, inMeshCaller, parseCurlProbe, pickExecTarget,
    plaintextProbeManifests, plaintextTarget, podHasSidecar, PodLike, skipInMesh,
} from "./verify/mesh-probes";
import { variantVersions } from "./verify/php-version";
import { CheckResult, exitCodeFor, fail, formatReport, skip } from "./verify/report";
import { forwardedPort } from "./verify/port-forward";
import { StackOutputs, parseStackOutputs, rawConfigFromPulumiJson, stackConfigFrom } from "./verify/stack-data";
import { backupCheckArgs, backupCheckId, decideBackup, skipBackup } from "./verify/backup";

interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a command without a shell; never rejects. */
function run(command: string, args: readonly string[], input?: string, timeoutMs = 300_000): Promise<CommandResult> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => child.kill(), timeoutMs);
        child.stdout?.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
        child.stderr?.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
        child.on("error", (error) => {
            clearTimeout(timer);
            resolve({ code: 127, stdout, stderr: `${command}: ${error.message}` });
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? 1, stdout, stderr });
        });
        if (child.stdin) {
            // A command that exits without reading its input must not take this process down with EPIPE.
            child.stdin.on("error", () => undefined);
            child.stdin.end(input);
        }
    });
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

const firstLine = (text: string) => text.trim().split("\n").filter(Boolean).pop() ?? "no output";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Kubectl = (args: readonly string[], input?: string, timeoutMs?: number) => Promise<CommandResult>;

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
    const pods = await kubectl(["-n", caller.namespace, "get", "pods", "-l", caller.selector, "-o", "json"]);
    if (pods.code !== 0) {
        return fail(checkIds.inMeshCall, `could not list ${caller.selector} pods in ${caller.namespace}: ${firstLine(pods.stderr)}`);
    }
    const target = pickExecTarget(pods.stdout);
    if ("problem" in target) {
        return fail(checkIds.inMeshCall, `${caller.selector} in ${caller.namespace}: ${target.problem}`);
    }
    const exec = await kubectl(["-n", caller.namespace, "exec", target.pod, "-c", target.container, "--", ...caller.command], undefined, 60_000);
    if (exec.code !== 0 && exec.stdout.trim() === "") {
        return fail(checkIds.inMeshCall, `kubectl exec into ${caller.namespace}/${target.pod} failed: ${firstLine(exec.stderr)}`);
    }
    let dataplane: CallerDataplane = { mode: "sidecar" };
    if (config.istio.dataplane === "ambient") {
        const namespace = await kubectl(["get", "namespace", caller.namespace, "-o", "json"]);
        if (namespace.code !== 0) {
            return fail(checkIds.inMeshCall, `could not read namespace ${caller.namespace}: ${firstLine(namespace.stderr)}`);
        }
        dataplane = { mode: "ambient", namespaceEnrolled: namespaceEnrolledInAmbient(namespaceLabelsOf(namespace.stdout).get(caller.namespace)) };
    }
    return decideInMeshCall(caller, target, exec.stdout, dataplane);
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
        ...(config.wordpress.enabled ? [fail(canaryCheckId, reason)] : canaryFallback),
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
            const versions = variantVersions(config.wordpress.stableImage, config.wordpress.canaryImage);
            if ("problem" in versions) {
                results.push(skipCanary(versions.problem));
            } else {
                // WordPress's own hosts (wordpress.hosts) share the gateway's certificate and listener: the
                // TLS name stays the gateway's, the Host header picks WordPress's VirtualService.
                const host = config.wordpress.hosts[0] ?? serverName;
                const answers = await runLimited(options.requests, 4,
                    () => httpsGet(gateway.connection, serverName, host, "/", withCertificate));
                results.push(decideCanary(tallyCanary(answers, versions), config.wordpress.canaryWeight, options.confidence, versions));
            }
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

/** A check that throws becomes a FAIL with the error, so one broken check never hides the others. */
async function guarded(ids: readonly string[], check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
    try {
        const result = await check();
        return Array.isArray(result) ? result : [result];
    } catch (error) {
        return ids.map((id) => fail(id, `the check itself failed: ${(error as Error).message}`));
    }
}

/** The stack's kubeconfig content in a private file for kubectl: a 0600 file in a 0700 directory, removed on exit. */
function privateKubeconfigWriter(content: string): { file: () => string; remove: () => void } {
    let directory: string | undefined;
    const remove = () => {
        if (directory !== undefined) {
            fs.rmSync(directory, { recursive: true, force: true });
            directory = undefined;
        }
    };
    return {
        file: () => {
            directory = fs.mkdtempSync(path.join(os.tmpdir(), "iks-mesh-verify-"));
            const file = path.join(directory, "kubeconfig");
            fs.writeFileSync(file, content, { mode: 0o600, flag: "wx" });
            // Removed however verify ends: normally, on an error, or interrupted.
            process.once("exit", remove);
            for (const signal of ["SIGINT", "SIGTERM"] as const) {
                process.once(signal, () => { remove(); process.exit(130); });
            }
            return file;
        },
        remove,
    };
}

async function main(): Promise<number> {
    const options = parseVerifyArgs(process.argv.slice(2));
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
    const outputsRun = await run("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", options.stack]);
    if (outputsRun.code !== 0) {
        console.error(`pulumi stack output failed for stack ${options.stack}: ${outputsRun.stderr.trim()}`);
        return 2;
    }
    const outputs = parseStackOutputs(outputsRun.stdout);
    const configRun = await run("pulumi", ["config", "--json", "--stack", options.stack]);
    if (configRun.code !== 0) {
        console.error(`pulumi config failed for stack ${options.stack}: ${configRun.stderr.trim()}`);
        return 2;
    }
    const configInput = rawConfigFromPulumiJson(configRun.stdout);
    let config: StackConfig;
    try {
        config = stackConfigFrom(configInput);
    } catch (error) {
        console.error(`the stack's config does not validate:\n${(error as Error).message}`);
        return 2;
    }
    // A secret kubernetes:kubeconfig is hidden in the listing; read that one key (pulumi config get decrypts it).
    const kubernetes = { ...configInput.kubernetes };
    for (const key of hiddenClusterKeys(kubernetes)) {
        const got = await run("pulumi", ["config", "get", `kubernetes:${key}`, "--stack", options.stack]);
        if (got.code !== 0) {
            console.error(`pulumi config get kubernetes:${key} failed for stack ${options.stack}: ${got.stderr.trim()}`);
            return 2;
        }
        kubernetes[key] = { value: got.stdout.replace(/\n$/, ""), secret: true };
    }
    const readFile = (file: string): string | undefined => {
        try {
            return fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
    };
    const resolution = verifyClusterBinding({
        stack: options.stack,
        kubernetes,
        useCurrentContext: config.cluster.useCurrentContext,
        homeDirectory: os.homedir(),
        fileExists: (file) => fs.existsSync(file),
        ambientContext: () => currentKubeconfigContext(process.env.KUBECONFIG, os.homedir(), readFile),
    });
    if (!("binding" in resolution)) {
        console.error(`verify checks the cluster stack ${options.stack} is bound to, as the program deploys there:\n` +
            resolution.problems.map((problem) => `  - ${problem}`).join("\n"));
        return 2;
    }
    const kubeconfigContent = resolution.binding.kind === "stack" && resolution.binding.kubeconfig?.kind === "content"
        ? resolution.binding.kubeconfig.content : "";
    const privateKubeconfig = privateKubeconfigWriter(kubeconfigContent);
    try {
        const target = kubectlTarget(resolution.binding, os.homedir(), privateKubeconfig.file);
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
            ...await guarded([gatewayCheckIds.https, gatewayCheckIds.mutualTls, canaryCheckId],
                () => checkGateway(config, outputs.value, outputs.problems, options, kubectl, target.args)),
            ...await guarded([kialiCheckId], () => checkKiali(config, kubectl)),
            // Ambient stacks have no sidecars to look at: their data plane is ztunnel and the waypoints.
            ...config.istio.dataplane === "ambient" ? [
                ...await guarded([ambientCheckIds.ztunnel], () => checkZtunnel(config, kubectl)),
                ...await guarded([ambientCheckIds.waypoints], () => checkWaypoints(config, kubectl)),
            ] : [],
            ...options.backupCheck ? await guarded([backupCheckId], () => checkBackup(config, kubectl)) : [],
        ];
        console.log(formatReport(options.stack, results));
        return exitCodeFor(results);
    } finally {
        privateKubeconfig.remove();
    }
}

main().then((code) => { process.exitCode = code; }, (error: Error) => {
    console.error(error.message);
    process.exitCode = 2;
});
