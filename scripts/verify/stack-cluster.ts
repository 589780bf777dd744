// The stack's config and the cluster it is bound to, read one way by `npm run verify` and `npm run canary`:
// `pulumi config --json` (secrets hidden), then only the hidden `kubernetes:*` keys one by one, the
// program's own binding rule (cluster.ts), and kubectl arguments that select that cluster, with the
// stack's kubeconfig content in a private file while they are in use. Neither tool ever falls back to
// whatever kubectl context happens to be current, and an unbound stack is refused before any kubectl call.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClusterBinding } from "../../components/cluster/cluster-binding";
import { currentKubeconfigContext } from "../../components/cluster/kubeconfig-file";
import { StackConfig, projectName } from "../../components/config/schema";
import { KubectlTarget, hiddenClusterKeys, kubectlTarget, verifyClusterBinding } from "./cluster";
import { rawConfigFromPulumiJson, revealSection, sectionsVerifyReveals, stackConfigFrom } from "./stack-data";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** kubectl on the stack's cluster (its binding's arguments come first); never rejects. */
export type Kubectl = (args: readonly string[], input?: string, timeoutMs?: number) => Promise<CommandResult>;

/** The line of a command's output that says why it failed: its last non-empty one. */
export const firstLine = (text: string) => text.trim().split("\n").filter(Boolean).pop() ?? "no output";

/** Runs a command without a shell; never rejects. */
export function run(command: string, args: readonly string[], input?: string, timeoutMs = 300_000,
    spawnOptions: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { ...spawnOptions, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
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

/** Runs the Pulumi CLI with these arguments; never rejects (a failure is a non-zero code). */
export type PulumiRun = (args: readonly string[]) => Promise<CommandResult>;

/**
 * The validated config and the cluster binding of `stack`, or one message saying why not. `purpose`
 * opens the message of an unbound stack ("verify checks the cluster", "the canary reads Prometheus on the cluster").
 */
export async function readStackCluster(stack: string, pulumi: PulumiRun, purpose: string):
    Promise<{ config: StackConfig; binding: ClusterBinding<string> } | { error: string }> {
    const listed = await pulumi(["config", "--json", "--stack", stack]);
    if (listed.code !== 0) {
        return { error: `pulumi config failed for stack ${stack}: ${listed.stderr.trim()}` };
    }
    let configInput = rawConfigFromPulumiJson(listed.stdout);
    // `pulumi config set --path --secret iks.apiKey` makes the whole iks section secret, hidden in the
    // listing: read it decrypted (the key itself is dropped at once), or the tools would take IKS as off.
    for (const section of sectionsVerifyReveals.filter((name) => configInput.hiddenSections.includes(name))) {
        const got = await pulumi(["config", "get", `${projectName}:${section}`, "--stack", stack]);
        if (got.code !== 0) {
            return { error: `pulumi config get ${projectName}:${section} failed for stack ${stack}: ${got.stderr.trim()}` };
        }
        configInput = revealSection(configInput, section, got.stdout);
    }
    let config: StackConfig;
    try {
        config = stackConfigFrom(configInput);
    } catch (error) {
        return { error: `the stack's config does not validate:\n${(error as Error).message}` };
    }
    // A secret kubernetes:kubeconfig is hidden in the listing; read that one key (pulumi config get decrypts it).
    const kubernetes = { ...configInput.kubernetes };
    for (const key of hiddenClusterKeys(kubernetes)) {
        const got = await pulumi(["config", "get", `kubernetes:${key}`, "--stack", stack]);
        if (got.code !== 0) {
            return { error: `pulumi config get kubernetes:${key} failed for stack ${stack}: ${got.stderr.trim()}` };
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
        stack,
        kubernetes,
        useCurrentContext: config.cluster.useCurrentContext,
        homeDirectory: os.homedir(),
        fileExists: (file) => fs.existsSync(file),
        ambientContext: () => currentKubeconfigContext(process.env.KUBECONFIG, os.homedir(), readFile),
    });
    if (!("binding" in resolution)) {
        return { error: `${purpose} stack ${stack} is bound to, as the program deploys there:\n` +
            resolution.problems.map((problem) => `  - ${problem}`).join("\n") };
    }
    return { config, binding: resolution.binding };
}

/**
 * kubectl arguments for the binding. Kubeconfig content goes to a 0600 file in a 0700 directory, written
 * on first use and removed by `remove()` or on exit; with `exitOnSignal` also on SIGINT/SIGTERM (verify,
 * which has nothing to finish; the canary handles Ctrl-C itself, to set the config back first).
 */
export function openKubectlTarget(binding: ClusterBinding<string>, exitOnSignal: boolean): KubectlTarget & { remove(): void } {
    let directory: string | undefined;
    const signals = exitOnSignal ? ["SIGINT", "SIGTERM"] as const : [];
    const interrupted = () => { remove(); process.exit(130); };
    const remove = () => {
        if (directory !== undefined) {
            fs.rmSync(directory, { recursive: true, force: true });
            directory = undefined;
        }
        // Once removed, nothing is left to clean up: the handlers go too (the specs call verify's main in-process).
        process.off("exit", remove);
        for (const signal of signals) {
            process.off(signal, interrupted);
        }
    };
    const content = binding.kind === "stack" && binding.kubeconfig?.kind === "content" ? binding.kubeconfig.content : "";
    const target = kubectlTarget(binding, os.homedir(), () => {
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "iks-mesh-kube-"));
        const file = path.join(directory, "kubeconfig");
        fs.writeFileSync(file, content, { mode: 0o600, flag: "wx" });
        process.once("exit", remove);
        for (const signal of signals) {
            process.once(signal, interrupted);
        }
        return file;
    });
    return { ...target, remove };
}
