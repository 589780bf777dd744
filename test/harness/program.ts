// Runs the whole Pulumi program (index.ts) under the mock engine for one stack config and returns
// what a real engine would have been asked to do: every registered resource with its inputs and its
// dependencies (explicit and through outputs, as the SDK sends them in each register request), the
// stack outputs with their secrecy, and the log.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { fixtureManifest } from "../support/istio-manifests";

export const projectRoot = path.resolve(__dirname, "..", "..");
const projectName = "iks-mesh";

/** The SDK's wire marker for a secret value. */
export const secretSignatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    parent: string;
    /** Inputs as the engine receives them; secret values keep their secret wrapper. */
    inputs: Record<string, unknown>;
    /** The same inputs with secret wrappers removed, for reading values. */
    plain: Record<string, any>;
    /** URNs this resource waits for: dependsOn plus every resource whose outputs flow into its inputs. */
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** True for `Resource.get` reads of existing objects. */
    read: boolean;
    /** Output properties the resource asks the engine to keep secret. */
    additionalSecretOutputs: string[];
    /** The resource stays in the cluster when the stack deletes it (`retainOnDelete`). */
    retainOnDelete?: boolean;
    /** Resource options that turn an update into a replacement (empty/false/undefined when unset). */
    replaceOnChanges?: string[];
    deleteBeforeReplace?: boolean;
    /** The `import` option's ID ("" when unset; absent on hand-made records): the engine adopts the live object with this ID instead of creating one. */
    importId?: string;
    /** The `replacementTrigger` option as sent (serialized), or undefined. */
    replacementTrigger?: unknown;
    /**
     * The provider reference (`<provider urn>::<id>`) the SDK sent for a custom or remote resource,
     * its own or inherited from its parent; "" means the engine's default provider.
     */
    provider: string;
}

export interface StackOutput {
    value: unknown;
    secret: boolean;
    known: boolean;
}

export interface LogEntry {
    severity: "info" | "warn" | "error";
    message: string;
}

export interface MockHooks {
    /** Extra state a mocked resource reports back (e.g. a Service's load-balancer address). */
    resourceState?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;
    /** Answers to provider functions (invokes). */
    call?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown> | undefined;
}

export interface RunOptions extends MockHooks {
    /** Serves Istio's manifests to the program; by default the fixtures of test/fixtures/istio-manifests, no network. */
    fetchManifest?: (url: string) => Promise<string>;
    /**
     * Top-level config sections to hand over as Pulumi secrets (e.g. `iks` when it holds apiKey); a
     * key with a namespace (`kubernetes:kubeconfig`) is taken as is.
     */
    secretSections?: string[];
    /**
     * Run without the harness's cluster binding (`kubernetes:context` = testClusterContext), which
     * every run gets unless its config names a `kubernetes:` key or this is set.
     */
    unboundCluster?: boolean;
    stack?: string;
    preview?: boolean;
    /**
     * Another Pulumi program of this repository (mesh-root/): its project name, which namespaces its
     * config keys, and its entry file relative to the repository. Default: iks-mesh's index.ts.
     */
    program?: { project: string; main: string };
    /**
     * Evaluate the program again even when this process has already run the same stack (see runProgram):
     * for what is about evaluation itself, such as determinism (two evaluations) or timing.
     */
    fresh?: boolean;
}

const fakePem = (kind: string, name: string) => `-----BEGIN ${kind}-----\n${kind.toLowerCase()} of ${name}\n-----END ${kind}-----\n`;

/** The PEMs tlsProviderState answers for the resource `name`, for specs that check which one went where. */
export const fakeTlsPem = {
    key: (name: string) => fakePem("PRIVATE KEY", name),
    cert: (name: string) => fakePem("CERTIFICATE", name),
    csr: (name: string) => fakePem("CERTIFICATE REQUEST", name),
};

/**
 * What the tls provider reports back: the PEMs it computes are outputs, never inputs, so without this a
 * mocked key or certificate has none and code that reads them (the mesh CA's cacerts) sees undefined.
 * Stand-ins, not certificates: test/unit/pki/ makes real ones where a test needs them.
 */
export function tlsProviderState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    switch (args.type) {
        case "tls:index/privateKey:PrivateKey":
            return { privateKeyPem: fakeTlsPem.key(args.name), publicKeyPem: fakePem("PUBLIC KEY", args.name) };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { certPem: fakeTlsPem.cert(args.name) };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: fakeTlsPem.csr(args.name) };
        default:
            return {};
    }
}

export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[secretSignatureKey] === secretSignature;
}

/** Removes the SDK's secret wrappers, recursively. */
export function unwrapSecrets(value: unknown): any {
    if (isSecretValue(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, unwrapSecrets(child)]));
    }
    return value;
}

/** Every string found anywhere in a value, secrets included, with whether it sat inside a secret. */
export function stringsIn(value: unknown, insideSecret = false): { text: string; secret: boolean }[] {
    if (isSecretValue(value)) {
        return stringsIn(value.value, true);
    }
    if (typeof value === "string") {
        return [{ text: value, secret: insideSecret }];
    }
    if (Array.isArray(value)) {
        return value.flatMap((child) => stringsIn(child, insideSecret));
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).flatMap((child) => stringsIn(child, insideSecret));
    }
    return [];
}

export class ProgramRun {
    constructor(
        readonly resources: RegisteredResource[],
        readonly outputs: Record<string, StackOutput>,
        readonly logs: LogEntry[],
    ) {}

    ofType(type: string): RegisteredResource[] {
        return this.resources.filter((resource) => resource.type === type);
    }

    find(type: string, name: string): RegisteredResource | undefined {
        return this.resources.find((resource) => resource.type === type && resource.name === name);
    }

    get(type: string, name: string): RegisteredResource {
        const found = this.find(type, name);
        if (!found) {
            const names = this.ofType(type).map((resource) => resource.name).join(", ") || "none";
            throw new Error(`no ${type} named ${name} was registered (registered: ${names})`);
        }
        return found;
    }

    byUrn(urn: string): RegisteredResource | undefined {
        return this.resources.find((resource) => resource.urn === urn);
    }

    /** Kubernetes objects and custom resources of one kind (type token `kubernetes:<apiVersion>:<Kind>`). */
    kind(apiVersion: string, kind: string): RegisteredResource[] {
        return this.ofType(`kubernetes:${apiVersion}:${kind}`);
    }

    /** A resource and everything registered under it (children, grandchildren, ...). */
    subtree(root: RegisteredResource): RegisteredResource[] {
        const inside = new Set([root.urn]);
        let grew = true;
        while (grew) {
            grew = false;
            for (const resource of this.resources) {
                if (!inside.has(resource.urn) && inside.has(resource.parent)) {
                    inside.add(resource.urn);
                    grew = true;
                }
            }
        }
        return this.resources.filter((resource) => inside.has(resource.urn));
    }

    /**
     * Whether `from` waits for `to`: through dependencies, or by being a child of a component that
     * waits for it (the SDK makes a component's dependencies its children's).
     */
    dependsOn(from: RegisteredResource, to: RegisteredResource): boolean {
        const seen = new Set<string>();
        const queue = [from.urn];
        while (queue.length > 0) {
            const urn = queue.shift()!;
            if (seen.has(urn)) {
                continue;
            }
            seen.add(urn);
            const resource = this.byUrn(urn);
            if (!resource) {
                continue;
            }
            for (const next of [...resource.dependencies, ...Object.values(resource.propertyDependencies).flat()]) {
                if (next === to.urn) {
                    return true;
                }
                queue.push(next);
            }
            if (resource.parent) {
                queue.push(resource.parent);
            }
        }
        return false;
    }
}

/** The context the harness binds every stack to, unless a test says otherwise: stacks naming no cluster are refused. */
export const testClusterContext = "mesh-test-cluster";

/** Project keys get the project's namespace; a key that has one (`kubernetes:context`) is kept. */
const fullKey = (key: string, project = projectName): string => key.includes(":") ? key : `${project}:${key}`;

function configMap(config: Record<string, unknown>, options: RunOptions): Record<string, string> {
    const project = options.program?.project ?? projectName;
    const bindsCluster = Object.keys(config).some((key) => key.startsWith("kubernetes:"));
    const withCluster = bindsCluster || options.unboundCluster ? config : { ...config, "kubernetes:context": testClusterContext };
    return Object.fromEntries(Object.entries(withCluster).map(([key, value]) =>
        [fullKey(key, project), typeof value === "string" ? value : JSON.stringify(value)]));
}

interface MonitorLike {
    registerResource: (req: any, callback: (err: any, response: any) => void) => unknown;
    readResource: (req: any, callback: (err: any, response: any) => void) => unknown;
}

/**
 * Mock hooks known to be pure functions of their arguments (no state, no side effect, nothing read that
 * changes during the suite): a run that uses only such hooks can be shared (see runProgram). A hook not
 * marked keeps its run private, so a hook that counts its calls or changes between runs still sees them all.
 */
const pureHooks = new WeakMap<object, number>();
let pureHookCount = 0;

export function pureHook<T extends (...args: never[]) => unknown>(hook: T): T {
    if (!pureHooks.has(hook)) {
        pureHooks.set(hook, pureHookCount++);
    }
    return hook;
}
// The fixtures are files the suite never writes.
pureHook(fixtureManifest);

/** JSON with object keys sorted, so that `{a, b}` and `{b, a}` name the same run. */
function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, child: unknown) => typeof child === "object" && child !== null && !Array.isArray(child)
        ? Object.fromEntries(Object.entries(child).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : child);
}

/**
 * What decides a run: the config as the engine receives it, every option (hooks by identity), and what
 * the program reads from the process (its environment, for KUBECONFIG and HOME; its working directory).
 * undefined when the run must not be shared: `fresh`, a hook not marked pure, or a cluster binding that
 * reads a kubeconfig file (`kubernetes:kubeconfig`, `cluster.useCurrentContext`), whose content a spec may
 * change between runs under the same path. Exported for test/tools/harness.spec.ts, which checks what tells runs apart.
 */
export function runKey(config: Record<string, unknown>, options: RunOptions): string | undefined {
    if (options.fresh || "kubernetes:kubeconfig" in config || "cluster" in config) {
        return undefined;
    }
    const settings: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(options)) {
        if (typeof value === "function") {
            if (!pureHooks.has(value)) {
                return undefined;
            }
            settings[name] = `pure hook #${pureHooks.get(value)}`;
        } else {
            settings[name] = value;
        }
    }
    return canonicalJson({ config: configMap(config, options), settings, env: process.env, cwd: process.cwd() });
}

/** Freezes a run all the way down, so that no spec can change what another spec of the process reads. */
function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
    if (typeof value === "object" && value !== null && !seen.has(value)) {
        seen.add(value);
        for (const child of Object.values(value)) {
            deepFreeze(child, seen);
        }
        Object.freeze(value);
    }
    return value;
}

/**
 * Successful runs of this process by runKey, the most recently used last. Mocha's workers are processes, so
 * nothing crosses them. At most `sharedRunLimit` are kept: a run holds a few MB, and keeping every one made
 * a worker grow past 500 MB, while the runs that many specs ask for (default, ambient, IKS) are asked for
 * again and again and so stay. 64, not 32: a worker of `mocha --parallel --jobs 2` asks for 47-60
 * distinct runs of test/program/, and at 32 it evaluated popular ones again after they were evicted
 * (ambient, ambient with a waypoint, a switched-off sample: 2-3 a worker, ~0.6 s of CPU each); measured with
 * both workers' peak resident size at 594-641 MB for either limit, so the cache does not set the peak.
 */
const sharedRuns = new Map<string, ProgramRun>();
const sharedRunLimit = 64;
const runCounts = { evaluated: 0, shared: 0 };

/** How many runProgram calls of this process evaluated the program and how many were handed a shared run. */
export function programRunCounts(): Readonly<typeof runCounts> {
    return { ...runCounts };
}

/**
 * Runs index.ts under mocks. Throws what the program throws (e.g. a ConfigError); in that case
 * `lastRunResources()` tells what had been registered before the error.
 *
 * A successful run is deeply frozen and shared: a later call in the same process with the same config,
 * options and environment gets the same run instead of evaluating the program again (~0.3-0.6 s of CPU
 * each; many spec files run the default stack). The program keeps no state between runs (its modules
 * keep none, and it reads its config, environment and files when called), so a second evaluation would
 * register the same resources: test/tools/harness.spec.ts compares a shared run with a fresh one. A
 * spec that tries to change a run fails with a TypeError instead of changing what another spec reads.
 * Errors are not shared: every call that throws has evaluated the program.
 */
export async function runProgram(config: Record<string, unknown> = {}, options: RunOptions = {}): Promise<ProgramRun> {
    const key = runKey(config, options);
    const shared = key === undefined ? undefined : sharedRuns.get(key);
    if (shared) {
        sharedRuns.delete(key!);
        sharedRuns.set(key!, shared);
        runCounts.shared++;
        lastResources = shared.resources;
        return shared;
    }
    runCounts.evaluated++;
    const run = deepFreeze(await evaluateProgram(config, options));
    if (key !== undefined) {
        sharedRuns.set(key, run);
        for (const oldest of sharedRuns.keys()) {
            if (sharedRuns.size <= sharedRunLimit) {
                break;
            }
            sharedRuns.delete(oldest);
        }
    }
    return run;
}

async function evaluateProgram(config: Record<string, unknown>, options: RunOptions): Promise<ProgramRun> {
    return runUnderMocks(config, options, async () => {
        // The project's modules are loaded once per process and shared by every run: none keeps state at
        // module level (the program reads its config when called), and re-evaluating them each run cost a
        // third of the suite's time. index.ts exports an async function (Pulumi calls it without arguments and takes its result as the
        // stack outputs); the harness hands it the fixture manifests instead of the network.
        const exported = require(path.join(projectRoot, options.program?.main ?? "index")) as unknown;
        return (typeof exported === "function"
            ? await exported(options.fetchManifest ?? fixtureManifest)
            : exported) as Record<string, unknown>;
    });
}

/**
 * Constructs one component (or any resources) under the same mocks as runProgram, without index.ts: for a
 * spec about one component, which then needs neither the whole program's run (~0.6 s of CPU) nor the rest
 * of the config. `build` runs inside the mocked stack and returns what to treat as its outputs (e.g. the
 * component's output properties); `config` is still set, for code that reads pulumi.Config.
 */
export async function runComponent(build: () => Record<string, unknown> | Promise<Record<string, unknown>>,
    options: RunOptions & { config?: Record<string, unknown> } = {}): Promise<ProgramRun> {
    return runUnderMocks(options.config ?? {}, options, async () => build());
}

async function runUnderMocks(config: Record<string, unknown>, options: RunOptions,
    body: () => Promise<Record<string, unknown>>): Promise<ProgramRun> {
    const resources: RegisteredResource[] = [];
    const logs: LogEntry[] = [];
    lastResources = resources;

    await pulumi.runtime.setMocks({
        newResource: (args) => {
            const extra = options.resourceState?.(args) ?? {};
            // A StackReference reads the named stack's output map, empty when it has none (pulumi/pulumi
            // pkg/resource/deploy/builtins.go readStackReference); a test gives outputs through resourceState.
            const stackReference = args.type === "pulumi:pulumi:StackReference" ? { outputs: {} } : {};
            return { id: args.id || `${args.name}-id`, state: { ...args.inputs, ...stackReference, ...tlsProviderState(args), ...extra } };
        },
        call: (args) => options.call?.(args) ?? {},
    // "organization" is the one organization of a self-managed backend (Pulumi.yaml: file://~).
    }, options.program?.project ?? projectName, options.stack ?? "test", options.preview ?? false, "organization");

    const monitor = (pulumi.runtime as unknown as { getMonitor(): MonitorLike }).getMonitor();
    const record = (req: any, read: boolean, respond: (err: any, response: any) => void) =>
        (err: any, response: any) => {
            if (!err && response) {
                const inputs = pulumi.runtime.deserializeProperties(read ? req.getProperties() : req.getObject());
                const propertyDependencies: Record<string, string[]> = {};
                if (!read) {
                    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
                        propertyDependencies[key] = deps.getUrnsList();
                    });
                }
                resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: response.getUrn(),
                    custom: read ? true : req.getCustom(),
                    parent: req.getParent(),
                    inputs,
                    plain: unwrapSecrets(inputs),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    read,
                    additionalSecretOutputs: read ? [] : req.getAdditionalsecretoutputsList(),
                    retainOnDelete: read ? false : req.getRetainondelete() === true,
                    replaceOnChanges: read ? [] : req.getReplaceonchangesList(),
                    deleteBeforeReplace: read ? false : req.getDeletebeforereplace() === true,
                    importId: read ? "" : req.getImportid(),
                    replacementTrigger: read ? undefined : req.getReplacementTrigger()?.toJavaScript(),
                    provider: req.getProvider(),
                });
            }
            respond(err, response);
        };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => register(req, record(req, false, callback));
    const readExisting = monitor.readResource.bind(monitor);
    monitor.readResource = (req, callback) => readExisting(req, record(req, true, callback));

    pulumi.runtime.setAllConfig(configMap(config, options), (options.secretSections ?? []).map((key) => fullKey(key, options.program?.project)));

    const log = pulumi.log as unknown as Record<"info" | "warn" | "error", (message: string) => Promise<void>>;
    const original = { info: log.info, warn: log.warn, error: log.error };
    for (const severity of ["info", "warn", "error"] as const) {
        log[severity] = (message: string) => {
            logs.push({ severity, message });
            return Promise.resolve();
        };
    }
    // An error thrown inside an apply never reaches the caller: the SDK drops the resource that needed
    // the value and the rejection goes unhandled. Collect those, so a broken program cannot pass.
    const failures: unknown[] = [];
    const recordFailure = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", recordFailure);
    try {
        const program = await body();
        const outputs: Record<string, StackOutput> = {};
        for (const [name, exported] of Object.entries(program)) {
            outputs[name] = await settle(exported);
        }
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        await new Promise((resolve) => setImmediate(resolve));
        if (failures.length > 0) {
            throw new Error(`the program failed inside an apply:\n${failures.map((failure) =>
                failure instanceof Error ? failure.stack ?? failure.message : String(failure)).join("\n")}`);
        }
        return new ProgramRun(resources, outputs, logs);
    } finally {
        process.off("unhandledRejection", recordFailure);
        Object.assign(log, original);
    }
}

let lastResources: RegisteredResource[] = [];

/** Resources registered by the most recent run, including one that threw. */
export function lastRunResources(): RegisteredResource[] {
    return lastResources;
}

async function settle(exported: unknown): Promise<StackOutput> {
    const output = pulumi.output(exported) as pulumi.Output<unknown> & {
        isKnown: Promise<boolean>;
        isSecret: Promise<boolean>;
        promise(withUnknowns?: boolean): Promise<unknown>;
    };
    const [value, known, secret] = await Promise.all([output.promise(), output.isKnown, output.isSecret]);
    return { value, known, secret };
}

/** Runs the program expecting it to stop on config; returns the error and what got registered. */
export async function runExpectingConfigError(config: Record<string, unknown>, options: RunOptions = {}):
    Promise<{ message: string; problems: readonly string[]; registered: RegisteredResource[] }> {
    try {
        await runProgram(config, options);
    } catch (error) {
        const err = error as Error & { problems?: readonly string[] };
        if (err.name !== "ConfigError") {
            throw error;
        }
        // Give anything already in flight the chance to show up before counting.
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        return { message: err.message, problems: err.problems ?? [], registered: [...lastRunResources()] };
    }
    throw new Error(`expected the stack config to be rejected: ${JSON.stringify(config)}`);
}
