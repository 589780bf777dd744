// Each stack is bound to one cluster: named by kubernetes:context and/or kubernetes:kubeconfig, used
// by one explicit provider for every Kubernetes resource; a stack
// naming none is refused unless it opts into the current context, which every run then names.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { AmbientContext, ambientKubeconfig, currentContextIn, currentKubeconfigContext, expandHome } from "../../components/cluster/kubeconfig-file";
import { ClusterSettings, resolveClusterBinding } from "../../components/cluster/cluster-binding";
import {
    ProgramRun, RegisteredResource, isSecretValue, runExpectingConfigError, runProgram, stringsIn, testClusterContext,
} from "../harness/program";
import { iksMocks, iksStackConfig } from "../support/iks-stack";
import { committedStacks, projectFile, stackFile } from "../support/stack-files";

const fixture = (name: string) => path.join(__dirname, "..", "fixtures", "kubeconfig", name);
const kindKubeconfig = fs.readFileSync(fixture("kind.yaml"), "utf8");
const home = "/home/mesh-user";

/** Every Kubernetes resource (a `kubernetes:` type: objects, Helm releases, remote components, reads) and its provider. */
function kubernetesResources(run: ProgramRun): { resource: RegisteredResource; provider?: RegisteredResource }[] {
    const providers = new Map(run.ofType("pulumi:providers:kubernetes").map((provider) => [provider.urn, provider]));
    return run.resources.filter((resource) => resource.type.startsWith("kubernetes:")).map((resource) => {
        // A provider reference is `<urn>::<id>`, and URNs contain `::` themselves.
        const providerUrn = resource.provider.slice(0, resource.provider.lastIndexOf("::"));
        const provider = providers.get(providerUrn);
        return provider ? { resource, provider } : { resource };
    });
}

/** What does not go through a provider bound to `context`: the default provider, or another cluster's. */
function offCluster(run: ProgramRun, context: string): string[] {
    return kubernetesResources(run).flatMap(({ resource, provider }) => {
        if (!provider) {
            return [`${resource.type} ${resource.name} uses the default provider (${JSON.stringify(resource.provider)})`];
        }
        return provider.plain.context === context ? [] :
            [`${resource.type} ${resource.name} goes through ${provider.name} with context ${JSON.stringify(provider.plain.context)}`];
    });
}

function withKubeconfigVariable<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
    const before = process.env.KUBECONFIG;
    if (value === undefined) {
        delete process.env.KUBECONFIG;
    } else {
        process.env.KUBECONFIG = value;
    }
    return body().finally(() => {
        if (before === undefined) {
            delete process.env.KUBECONFIG;
        } else {
            process.env.KUBECONFIG = before;
        }
    });
}

describe("cluster: the kubeconfig the provider reads and its current context", () => {
    it("reads the top-level current-context of a kubectl-written kubeconfig, not a context's fields", () => {
        assert.equal(currentContextIn(kindKubeconfig), "kind-kind");
        assert.equal(currentContextIn(kindKubeconfig.replace("current-context: kind-kind", "current-context: prod-iks")), "prod-iks");
    });

    it("reads quoted and commented values, and the JSON form", () => {
        assert.equal(currentContextIn('apiVersion: v1\ncurrent-context: "kind-kind" # set by kind\n'), "kind-kind");
        assert.equal(currentContextIn("current-context: 'it''s-mine'\n"), "it's-mine");
        assert.equal(currentContextIn("current-context: prod-iks # comment\n"), "prod-iks");
        assert.equal(currentContextIn(fs.readFileSync(fixture("json-form.json"), "utf8")), "prod-iks");
    });

    it("finds no current context where none is selected", () => {
        assert.equal(currentContextIn(fs.readFileSync(fixture("no-current-context.yaml"), "utf8")), undefined);
        assert.equal(currentContextIn("apiVersion: v1\ncontexts: []\n"), undefined);
        assert.equal(currentContextIn("  current-context: nested-not-top-level\n"), undefined);
    });

    it("reads KUBECONFIG as one file (~ expanded), else ~/.kube/config, as the provider does", () => {
        const exists = (file: string) => file === "/tmp/a.yaml" || file === `${home}/clusters/b.yaml`;
        assert.deepEqual(ambientKubeconfig(undefined, home, exists), { path: `${home}/.kube/config`, from: "home" });
        assert.deepEqual(ambientKubeconfig("", home, exists), { path: `${home}/.kube/config`, from: "home" });
        assert.deepEqual(ambientKubeconfig("/tmp/a.yaml", home, exists), { path: "/tmp/a.yaml", from: "KUBECONFIG" });
        assert.deepEqual(ambientKubeconfig("~/clusters/b.yaml", home, exists), { path: `${home}/clusters/b.yaml`, from: "KUBECONFIG" });
        assert.equal(expandHome("~", home), home);
    });

    it("refuses a KUBECONFIG list or a missing file, saying what to do", () => {
        const exists = (file: string) => file === "/tmp/a.yaml";
        const listed = ambientKubeconfig(`/tmp/a.yaml${path.delimiter}/tmp/b.yaml`, home, exists);
        assert.ok("problem" in listed);
        assert.match(listed.problem, /lists several files .*reads it as one file\. Fix: export KUBECONFIG=<one kubeconfig file>/);
        const missing = ambientKubeconfig("/tmp/gone.yaml", home, exists);
        assert.ok("problem" in missing);
        assert.match(missing.problem, /KUBECONFIG names \/tmp\/gone\.yaml, which does not exist/);
    });

    it("tells the current context and the file it came from, or why there is none", () => {
        const files: Record<string, string> = {
            [`${home}/.kube/config`]: kindKubeconfig,
            "/tmp/none.yaml": fs.readFileSync(fixture("no-current-context.yaml"), "utf8"),
        };
        const read = (file: string) => files[file];
        assert.deepEqual(currentKubeconfigContext(undefined, home, read), { context: "kind-kind", kubeconfigPath: `${home}/.kube/config` });
        const none = currentKubeconfigContext("/tmp/none.yaml", home, read);
        assert.ok("problem" in none);
        assert.match(none.problem, /\/tmp\/none\.yaml selects no current context\. Fix: kubectl config use-context <context>/);
        const absent = currentKubeconfigContext(undefined, "/home/nobody", read);
        assert.ok("problem" in absent);
        assert.match(absent.problem, /no kubeconfig at \/home\/nobody\/\.kube\/config/);
    });
});

describe("cluster: which cluster a stack names", () => {
    const ambient: AmbientContext = { context: "kind-kind", kubeconfigPath: `${home}/.kube/config` };
    const settings = (overrides: Partial<ClusterSettings>): ClusterSettings => ({
        stack: "prod",
        kubernetes: {},
        useCurrentContext: false,
        homeDirectory: home,
        fileExists: (file) => file === `${home}/.kube/prod.yaml`,
        ambientContext: () => { throw new Error("only an opted-in stack may look at the current context"); },
        ...overrides,
    });
    const problemsOf = (overrides: Partial<ClusterSettings>) => resolveClusterBinding(settings(overrides)).problems;

    it("refuses a stack naming no cluster, with the fix, without looking at the current context", () => {
        const problems = problemsOf({});
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^Stack "prod" names no cluster, so it would deploy to whatever kubectl context is current\. Fix: pulumi config set kubernetes:context <context>/);
        assert.deepEqual(problemsOf({ kubernetes: { context: { value: " ", secret: false } } }).length, 1, "a blank context names nothing");
    });

    it("binds to kubernetes:context alone", () => {
        const resolved = resolveClusterBinding(settings({ kubernetes: { context: { value: "prod-iks", secret: false } } }));
        assert.ok("binding" in resolved);
        assert.deepEqual(resolved.binding, { kind: "stack", context: "prod-iks", optInIgnored: false });
    });

    it("binds to a kubeconfig file only together with a context in it", () => {
        const withContext = resolveClusterBinding(settings({
            kubernetes: { kubeconfig: { value: "~/.kube/prod.yaml", secret: false }, context: { value: "prod-iks", secret: false } },
        }));
        assert.ok("binding" in withContext);
        assert.deepEqual(withContext.binding, { kind: "stack", context: "prod-iks", kubeconfig: { kind: "path", path: "~/.kube/prod.yaml" }, optInIgnored: false });

        const alone = problemsOf({ kubernetes: { kubeconfig: { value: "~/.kube/prod.yaml", secret: false } } });
        assert.equal(alone.length, 1);
        assert.match(alone[0], /kubernetes:kubeconfig names the file ~\/\.kube\/prod\.yaml, whose current context changes .*Fix: pulumi config set kubernetes:context/);
    });

    it("refuses a kubeconfig value that is neither a file here nor a kubeconfig", () => {
        const problems = problemsOf({ kubernetes: { kubeconfig: { value: "/etc/kube/gone.yaml", secret: false }, context: { value: "x", secret: false } } });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /kubernetes:kubeconfig names "\/etc\/kube\/gone\.yaml", which is neither an existing file on this machine nor a kubeconfig/);
    });

    it("takes kubeconfig text only as a secret, and never repeats it", () => {
        const secret = resolveClusterBinding(settings({ kubernetes: { kubeconfig: { value: kindKubeconfig, secret: true } } }));
        assert.ok("binding" in secret && secret.binding.kind === "stack" && secret.binding.kubeconfig?.kind === "content");

        const plain = problemsOf({ kubernetes: { kubeconfig: { value: kindKubeconfig, secret: false } } });
        assert.equal(plain.length, 1);
        assert.equal(plain[0], "kubernetes:kubeconfig holds a kubeconfig in plain text in the stack config, with the cluster's credentials. " +
            "Fix: pulumi config rm kubernetes:kubeconfig && pulumi config set --secret kubernetes:kubeconfig < <kubeconfig file>");
    });

    it("refuses kubernetes: keys the explicit provider would silently ignore", () => {
        const problems = problemsOf({ kubernetes: { context: { value: "prod-iks", secret: false }, namespace: { value: "apps", secret: false } } });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^kubernetes:namespace is not read by this stack.*Fix: pulumi config rm kubernetes:namespace$/);
    });

    it("uses the current context only when the stack opts in, and its own keys win over the opt-in", () => {
        const optedIn = resolveClusterBinding(settings({ useCurrentContext: true, ambientContext: () => ambient }));
        assert.ok("binding" in optedIn);
        assert.deepEqual(optedIn.binding, { kind: "current-context", context: "kind-kind", kubeconfigPath: `${home}/.kube/config` });

        const both = resolveClusterBinding(settings({ useCurrentContext: true, kubernetes: { context: { value: "prod-iks", secret: false } } }));
        assert.ok("binding" in both);
        assert.deepEqual(both.binding, { kind: "stack", context: "prod-iks", optInIgnored: true });

        const nothingCurrent = problemsOf({ useCurrentContext: true, ambientContext: () => ({ problem: "x selects no current context" }) });
        assert.deepEqual(nothingCurrent, ["cluster.useCurrentContext is true, but there is no current context to use: x selects no current context"]);
    });
});

describe("cluster: the stack under the mock engine", function () {
    this.timeout(180000);

    it("refuses a stack naming no cluster before any resource, with the fix", async () => {
        const { problems, registered } = await runExpectingConfigError({}, { unboundCluster: true, stack: "prod" });
        assert.equal(registered.length, 0, registered.map((resource) => resource.type).join(", "));
        assert.equal(problems.length, 1);
        assert.match(problems[0], /Stack "prod" names no cluster.*Fix: pulumi config set kubernetes:context <context>/);
    });

    it("reports the missing cluster together with the project config's problems", async () => {
        const { problems } = await runExpectingConfigError({ mtls: { mode: "OFF" } }, { unboundCluster: true });
        assert.equal(problems.length, 2, problems.join("\n"));
        assert.ok(problems.some((problem) => problem.startsWith("mtls.mode must be one of")));
        assert.ok(problems.some((problem) => problem.includes("names no cluster")));
    });

    it("the check finds a resource on the default provider or on another cluster", () => {
        const provider: RegisteredResource = {
            type: "pulumi:providers:kubernetes", name: "cluster", urn: "urn:pulumi:t::p::pulumi:providers:kubernetes::cluster", custom: true,
            parent: "", inputs: {}, plain: { context: "other" }, dependencies: [], propertyDependencies: {}, read: false,
            additionalSecretOutputs: [], provider: "",
        };
        const namespace = (name: string, ref: string): RegisteredResource => ({
            ...provider, type: "kubernetes:core/v1:Namespace", name, urn: `urn:pulumi:t::p::kubernetes:core/v1:Namespace::${name}`, provider: ref,
        });
        const run = new ProgramRun([provider, namespace("a", ""), namespace("b", `${provider.urn}::cluster-id`)], {}, []);
        assert.deepEqual(offCluster(run, "mine"), [
            'kubernetes:core/v1:Namespace a uses the default provider ("")',
            'kubernetes:core/v1:Namespace b goes through cluster with context "other"',
        ]);
    });

    for (const shape of [
        { title: "the default stack", config: {}, options: {} },
        {
            title: "an IKS stack with every part on (EnRoute, ALB, Kiali, all samples)",
            config: { ...iksStackConfig, enroute: { enabled: true } },
            options: { secretSections: ["iks"], ...iksMocks },
        },
        { title: "an ambient stack with the production profile", config: { istio: { dataplane: "ambient" }, profile: "production" }, options: {} },
    ]) {
        it(`${shape.title}: every Kubernetes resource goes through a provider bound to kubernetes:context`, async () => {
            // kubernetes:context is the harness's (testClusterContext), set in the config the engine hands the
            // program as a stack's own would be: so these are the runs other specs ask for, shared, not three more.
            const run = await runProgram(shape.config, shape.options);
            const resources = kubernetesResources(run);
            assert.ok(resources.length > 30, `only ${resources.length} Kubernetes resources: the check would prove little`);
            assert.deepEqual(offCluster(run, testClusterContext), []);
            // One provider for the stack; ambient adds the adopting one for the Gateway API CRDs, on the same
            // cluster (offCluster above checks its context), issue #22.
            const ambientStack = (shape.config as { istio?: { dataplane?: string } }).istio?.dataplane === "ambient";
            assert.deepEqual(run.ofType("pulumi:providers:kubernetes").map((provider) => provider.name),
                ambientStack ? ["cluster", "cluster-prerequisites"] : ["cluster"], "one Kubernetes provider for the whole stack");
            if ("iks" in shape.config) {
                assert.ok(resources.some(({ resource }) => resource.read), "the IKS stack reads the gateway Service through the provider too");
            }
            assert.ok(!run.logs.some((entry) => entry.message.includes("useCurrentContext")), "a bound stack says nothing about the opt-in");
        });
    }

    it("hands kubeconfig text to the provider only as a secret", async () => {
        const run = await runProgram({ "kubernetes:kubeconfig": kindKubeconfig, "kubernetes:context": "prod-iks" },
            { secretSections: ["kubernetes:kubeconfig"] });
        const providers = run.ofType("pulumi:providers:kubernetes");
        assert.ok(providers.length > 0);
        for (const provider of providers) {
            assert.ok(isSecretValue(provider.inputs.kubeconfig), `${provider.name}'s kubeconfig is not a secret`);
            assert.equal(provider.plain.kubeconfig, kindKubeconfig);
        }
        assert.deepEqual(offCluster(run, "prod-iks"), []);
        const leaks = run.resources.flatMap((resource) => stringsIn(resource.inputs))
            .filter((found) => found.text.includes("not-a-real-token") && !found.secret);
        assert.deepEqual(leaks, []);
        assert.ok(!run.logs.some((entry) => entry.message.includes("not-a-real-token")));
    });

    it("refuses kubeconfig text stored in plain text, without echoing it", async () => {
        const { message, registered } = await runExpectingConfigError({ "kubernetes:kubeconfig": kindKubeconfig });
        assert.equal(registered.length, 0);
        assert.match(message, /kubernetes:kubeconfig holds a kubeconfig in plain text/);
        assert.ok(!message.includes("not-a-real-token"));
    });

    it("passes a kubeconfig path and its context to the provider as given", async () => {
        const run = await runProgram({ "kubernetes:kubeconfig": fixture("kind.yaml"), "kubernetes:context": "prod-iks" });
        const cluster = run.get("pulumi:providers:kubernetes", "cluster");
        assert.equal(cluster.plain.kubeconfig, fixture("kind.yaml"));
        assert.equal(cluster.plain.context, "prod-iks");
        assert.deepEqual(offCluster(run, "prod-iks"), []);
    });

    it("an opted-in stack deploys to the current context and names it in the log", async () => {
        await withKubeconfigVariable(fixture("kind.yaml"), async () => {
            const run = await runProgram({ cluster: { useCurrentContext: true } }, { unboundCluster: true, stack: "dev" });
            assert.deepEqual(offCluster(run, "kind-kind"), []);
            const notices = run.logs.filter((entry) => entry.message.includes("opts into the current kubeconfig context"));
            assert.equal(notices.length, 1);
            assert.equal(notices[0].severity, "info");
            assert.equal(notices[0].message, 'Stack "dev" opts into the current kubeconfig context (cluster.useCurrentContext): ' +
                `it deploys to context "kind-kind" of ${fixture("kind.yaml")}. To bind the stack to it for good: ` +
                "pulumi config set kubernetes:context kind-kind");
        });
    });

    it("an opted-in stack with no current context is refused", async () => {
        await withKubeconfigVariable(fixture("no-current-context.yaml"), async () => {
            const { problems, registered } = await runExpectingConfigError({ cluster: { useCurrentContext: true } }, { unboundCluster: true });
            assert.equal(registered.length, 0);
            assert.deepEqual(problems, [`cluster.useCurrentContext is true, but there is no current context to use: ` +
                `${fixture("no-current-context.yaml")} selects no current context. Fix: kubectl config use-context <context>`]);
        });
    });

    it("a stack's own kubernetes:context wins over the opt-in, and the log says so", async () => {
        await withKubeconfigVariable(fixture("kind.yaml"), async () => {
            const run = await runProgram({ cluster: { useCurrentContext: true }, "kubernetes:context": "prod-iks" });
            assert.deepEqual(offCluster(run, "prod-iks"), []);
            assert.ok(run.logs.some((entry) => entry.message === 'cluster.useCurrentContext has no effect: stack "test" names its cluster ' +
                'with kubernetes:context "prod-iks"'));
        });
    });

    it("the harness binds its runs to its own context", async () => {
        const run = await runProgram({ bookinfo: { enabled: false }, httpbin: { enabled: false }, wordpress: { enabled: false } });
        assert.deepEqual(offCluster(run, testClusterContext), []);
    });
});

describe("cluster: the project and dev stack files", () => {
    const project = projectFile();
    const dev = stackFile("dev");

    it("disables the default Kubernetes provider for every stack (a value for the engine, not a project key)", () => {
        const setting = project.config["pulumi:disable-default-providers"];
        assert.ok(setting, "Pulumi.yaml does not set pulumi:disable-default-providers");
        assert.deepEqual(Object.keys(setting), ["value"], "keys of other namespaces take a value, not a type or default");
        assert.ok((setting.value as string[]).includes("kubernetes"));
    });

    it("the dev stack opts into the current context and names no cluster of its own", () => {
        assert.equal(dev.config["iks-mesh:cluster"]?.useCurrentContext, true);
        assert.ok(!Object.keys(dev.config).some((key) => key.startsWith("kubernetes:")));
    });

    it("no other committed stack file opts into the current context", () => {
        for (const stack of committedStacks().filter((name) => name !== "dev")) {
            assert.notEqual(stackFile(stack).config["iks-mesh:cluster"]?.useCurrentContext, true, `Pulumi.${stack}.yaml opts into the current context`);
        }
    });

});
