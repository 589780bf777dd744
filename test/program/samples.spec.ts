// The samples (issue 4): WordPress/MySQL canary, bookinfo, httpbin. Pure pieces first, then the whole
// program under mocks: labels, selectors, ports and subsets line up; routes reach real Services;
// passwords stay secret; the samples wait for istiod and never for each other; each can be switched off.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../components/config/parse";
import { StackConfig } from "../../components/config/schema";
import { canarySplit, wordpressDestinations } from "../../components/samples/canary";
import { mysqlConfigDirectory, mysqlServerConfig, optionFileSections } from "../../components/samples/mysql-config";
import { sampleGatewayRoutes, sampleHostRoutes } from "../../components/samples/sample-routes";
import { istioRouteDestination, virtualServiceSpec } from "../../components/edge/virtual-service-spec";
import { upstreamBookinfoMatches1303 } from "../data/bookinfo-gateway";
import { iksFacts, iksMocks, iksStackConfig } from "../support/iks-stack";
import { meshGatewayRef } from "../../components/core/istio-names";
import { RouteDestination } from "../../components/core/routes";
import { parseManifest } from "../../components/manifests/istio-manifest";
import { istioSampleUrl } from "../../components/core/versions";
import { fixtureManifest, fixtureText } from "../support/istio-manifests";
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, RegisteredResource, isSecretValue, pureHook, runProgram, stringsIn } from "../harness/program";
import { validateKubernetesObject, validateRun } from "../harness/validate";

const releaseType = "kubernetes:helm.sh/v3:Release";
const passwordType = "random:index/randomPassword:RandomPassword";
const sampleComponents = {
    wordpress: { type: "iks-mesh:apps:WordPress", namespace: "wordpress" },
    bookinfo: { type: "iks-mesh:apps:Bookinfo", namespace: "bookinfo" },
    httpbin: { type: "iks-mesh:apps:Httpbin", namespace: "httptools" },
} as const;
type Sample = keyof typeof sampleComponents;
const samples = Object.keys(sampleComponents) as Sample[];

/** Istio's own rule for weighted destinations (pkg/config/validation): none negative, a split never totals 0. */
function istioWeightProblems(destinations: readonly { weight?: number }[]): string[] {
    const problems = destinations.filter((d) => (d.weight ?? 0) < 0).map((d) => `weight ${d.weight} < 0`);
    const total = destinations.reduce((sum, d) => sum + (d.weight ?? 0), 0);
    if (destinations.length > 1 && total === 0) {
        problems.push("total destination weight = 0");
    }
    return problems;
}

/** Schema problems of a VirtualService carrying these destinations, as @kubernetes-models/istio sees them. */
async function virtualServiceProblems(destinations: RouteDestination[]): Promise<string[]> {
    const plain = {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "wordpress", namespace: "wordpress" },
        spec: {
            hosts: ["blog.example.com"],
            gateways: [meshGatewayRef],
            http: [{
                name: "wordpress-canary",
                route: destinations.map(istioRouteDestination),
            }],
        },
    };
    return validateKubernetesObject({
        type: "kubernetes:networking.istio.io/v1:VirtualService", name: "wordpress", urn: "urn:test", custom: true, parent: "",
        inputs: plain, plain, dependencies: [], propertyDependencies: {}, read: false,
    } as unknown as RegisteredResource);
}

describe("samples: the canary split", () => {
    for (const weight of [0, 10, 50, 100]) {
        it(`canary weight ${weight}: v1 gets ${100 - weight}, v2 gets ${weight}, a valid Istio route`, async () => {
            assert.deepEqual(canarySplit(weight), { stable: 100 - weight, canary: weight });
            const destinations = wordpressDestinations(weight);
            assert.deepEqual(destinations.map((d) => [d.subset, d.weight]), [["v1", 100 - weight], ["v2", weight]]);
            assert.equal(destinations.reduce((sum, d) => sum + (d.weight ?? 0), 0), 100);
            assert.deepEqual(istioWeightProblems(destinations), []);
            assert.deepEqual(await virtualServiceProblems(destinations), []);
        });
    }

    it("the checks used above can fail", async () => {
        assert.equal((await virtualServiceProblems([{ host: "wordpress", port: 80, weight: 10.5 }])).length, 1);
        assert.deepEqual(istioWeightProblems([{ weight: 0 }, { weight: 0 }]), ["total destination weight = 0"]);
        assert.deepEqual(istioWeightProblems([{ weight: -10 }, { weight: 110 }]), ["weight -10 < 0"]);
        // The release header is checked by the schema too: a value that is not a string is refused.
        const header = { host: "wordpress", port: 80, weight: 100, responseHeaders: { "x-iks-mesh-release": 1 as unknown as string } };
        assert.equal((await virtualServiceProblems([header])).length, 1);
    });

    for (const bad of [-1, 101, 10.5, Number.NaN]) {
        it(`refuses canary weight ${bad}, naming wordpress.canary.weight`, () => {
            assert.throws(() => canarySplit(bad), /wordpress\.canary\.weight must be an integer 0-100/);
        });
    }
    // Config rejects -1, 101, 10.5 and "ten" before any resource (test/unit/config/parse.spec.ts, "rejects ... canary weight").
});

describe("samples: MySQL server config", () => {
    it("sets skip-name-resolve in the [mysqld] section", () => {
        assert.ok(optionFileSections(mysqlServerConfig()).mysqld?.includes("skip-name-resolve"));
    });

    it("the option-file reader does not count commented or misplaced options", () => {
        assert.deepEqual(optionFileSections("[mysqld]\n# skip-name-resolve\n").mysqld, []);
        assert.equal(optionFileSections("[client]\nskip_name_resolve\n").mysqld, undefined);
        assert.deepEqual(optionFileSections("[mysqld]\nskip_name_resolve = ON\n").mysqld, ["skip-name-resolve"]);
    });
});

describe("samples: routes through the gateway", () => {
    const routesOf = (raw: Record<string, unknown>) => sampleGatewayRoutes(parseStackConfig(raw));

    it("routes bookinfo's pages, httpbin's checks and WordPress at / by default, one route each", () => {
        const routes = routesOf({});
        assert.deepEqual(routes.map((r) => r.name), ["wordpress", "bookinfo", "httpbin"]);
        const wordpress = routes.find((r) => r.name === "wordpress");
        assert.deepEqual(wordpress?.matches, [{ kind: "prefix", path: "/" }]);
        assert.deepEqual(wordpress?.destinations.map((d) => [d.subset, d.weight]), [["v1", 90], ["v2", 10]]);
    });

    it("matches bookinfo exactly where upstream does, and its prefixes only at a path segment", () => {
        const bookinfo = routesOf({}).find((r) => r.name === "bookinfo");
        const ours = bookinfo?.matches ?? [];
        for (const upstream of upstreamBookinfoMatches1303) {
            if (upstream.kind === "exact") {
                assert.ok(ours.some((m) => m.kind === "exact" && m.path === upstream.path), `exact ${upstream.path}`);
                assert.ok(!ours.some((m) => m.kind === "prefix" && m.path.startsWith(upstream.path)), `no prefix over ${upstream.path}`);
            } else {
                assert.ok(ours.some((m) => m.kind === "prefix" && m.path === `${upstream.path}/`), `prefix ${upstream.path}/`);
            }
        }
        assert.ok(ours.every((m) => m.kind === "exact" || m.path.endsWith("/")), "every prefix ends at a segment");
    });

    it("sends each path to the app that owns it, as Istio would (first match wins)", () => {
        const spec = virtualServiceSpec({ hosts: ["*"], gatewayRef: meshGatewayRef, routes: routesOf({}) });
        assert.ok(spec);
        const appFor = (path: string): string => {
            const http = spec.http.find((candidate) => (candidate.match ?? []).some(({ uri }) =>
                "exact" in uri ? uri.exact === path : path.startsWith(uri.prefix)));
            return String(http?.route[0].destination.host).split(".")[0];
        };
        const expected: Record<string, string> = {
            "/productpage": "productpage", "/login": "productpage", "/logout": "productpage",
            "/static/bootstrap/css/bootstrap.min.css": "productpage", "/api/v1/products": "productpage",
            "/api/v1/products/0/reviews": "productpage", "/status/418": "httpbin", "/headers": "httpbin",
            // WordPress's pages beside them stay WordPress's.
            "/": "wordpress", "/login/": "wordpress", "/logout-page/": "wordpress", "/status-update/": "wordpress",
            "/static-page/": "wordpress", "/headers-and-footers/": "wordpress", "/productpage-review/": "wordpress",
            "/api/v1/products-archive/": "wordpress", "/wp-login.php": "wordpress",
        };
        assert.deepEqual(Object.fromEntries(Object.keys(expected).map((path) => [path, appFor(path)])), expected);
    });

    it("on IKS, binds each sample's own ALB host in the gateway's VirtualService, ahead of the path routes", async () => {
        const run = await runProgram(iksStackConfig, { secretSections: ["iks"], ...iksMocks });
        const [service] = run.kind("networking.istio.io/v1", "VirtualService").filter((vs) => vs.plain.metadata.name === "mesh-gateway-routes");
        const hostRoutes = service.plain.spec.http.filter((http: any) => http.match.some((match: any) => match.authority));
        assert.deepEqual(hostRoutes.map((http: any) => [http.match[0].authority.exact, http.route[0].destination.host.split(".")[0]]), [
            [`wordpress.${iksFacts.ingressSubdomain}`, "wordpress"],
            [`bookinfo.${iksFacts.ingressSubdomain}`, "productpage"],
            [`httpbin.${iksFacts.ingressSubdomain}`, "httpbin"],
        ]);
        assert.deepEqual(service.plain.spec.http.slice(0, 3), hostRoutes);
        for (const host of hostRoutes.map((http: any) => http.match[0].authority.exact)) {
            assert.ok(service.plain.spec.hosts.includes(host), `the VirtualService serves ${host}`);
        }
        assert.deepEqual((await validateRun(run)).filter((problem) => problem.includes("VirtualService")), []);
    });

    it("leaves the shared hosts' / alone when WordPress has its own hosts", () => {
        const routes = routesOf({ wordpress: { hosts: ["blog.example.com"] } });
        assert.ok(routes.every((r) => !r.destinations.some((d) => d.host.includes(".wordpress."))));
        assert.deepEqual(routes.map((r) => r.name), ["bookinfo", "httpbin"]);
    });

    it("gives each sample every path of its own IKS host", () => {
        const routes = sampleHostRoutes(parseStackConfig({}), "mycluster.us-south.containers.appdomain.cloud");
        assert.deepEqual(routes.map((r) => [r.authority, r.matches, r.destinations[0].host.split(".")[0]]), [
            ["wordpress.mycluster.us-south.containers.appdomain.cloud", [{ kind: "prefix", path: "/" }], "wordpress"],
            ["bookinfo.mycluster.us-south.containers.appdomain.cloud", [{ kind: "prefix", path: "/" }], "productpage"],
            ["httpbin.mycluster.us-south.containers.appdomain.cloud", [{ kind: "prefix", path: "/" }], "httpbin"],
        ]);
        const spec = virtualServiceSpec({ hosts: ["*"], gatewayRef: meshGatewayRef, routes: [...routesOf({}), ...routes] });
        assert.ok(spec);
        assert.deepEqual(spec.http.slice(0, 3).map((http) => http.match?.[0].authority?.exact.split(".")[0]),
            ["wordpress", "bookinfo", "httpbin"], "host routes first: on bookinfo's host, / is bookinfo's");
        assert.ok(spec.http.slice(3).every((http) => (http.match ?? []).every((match) => match.authority === undefined)));
    });

    for (const sample of samples) {
        it(`has no route of the ${sample} sample when it is disabled`, () => {
            const namespace = sampleComponents[sample].namespace;
            const routes = routesOf({ [sample]: { enabled: false } });
            assert.ok(routes.length > 0);
            assert.ok(routes.every((r) => r.destinations.every((d) => !d.host.endsWith(`.${namespace}.svc.cluster.local`))));
            assert.ok(routes.every((r) => !r.source.includes(`${sample}.enabled`)));
        });
    }

    it("names the key that switches a sample off, for conflict messages", () => {
        for (const route of routesOf({})) {
            assert.match(route.source, /\((wordpress|bookinfo|httpbin)\.enabled\)$/);
        }
    });
});

// ---------------------------------------------------------------------------------------------------
// The whole program under mocks.

interface SampleRun {
    run: ProgramRun;
    config: StackConfig;
    /** Values the mocked RandomPasswords produced. */
    passwords: string[];
}

/** What the mocked RandomPassword named `name` generates: deterministic, so two runs compare; distinctive, so it can be searched for. */
const generatedPassword = (name: string) => `Generated${name.replace(/[^a-z]/gi, "")}Pw7f3a9c`;

/** A pure function of its arguments, so the run that uses it is shared like any other (test/harness/program.ts). */
const passwordState = pureHook((args: pulumi.runtime.MockResourceArgs) =>
    args.type === passwordType ? { result: generatedPassword(args.name) } : undefined);

/**
 * Runs the program for the samples' checks. Only the passwords check needs the mocked RandomPasswords to
 * produce values (`passwords`); the other runs use the harness's plain mocks, so they are the same runs
 * other spec files of the worker ask for (the default stack, a sample switched off) and are shared.
 */
async function runSamples(raw: Record<string, unknown> = {},
    options: { fetchManifest?: (url: string) => Promise<string>; passwords?: boolean } = {}): Promise<SampleRun> {
    const run = await runProgram(raw, {
        ...(options.fetchManifest ? { fetchManifest: options.fetchManifest } : {}),
        ...(options.passwords ? { resourceState: passwordState } : {}),
    });
    // The mock answers once per registered RandomPassword, so these are exactly the values it produced.
    const passwords = options.passwords ? run.ofType(passwordType).map((password) => generatedPassword(password.name)) : [];
    return { run, config: parseStackConfig(raw), passwords };
}

function componentOf(run: ProgramRun, sample: Sample): RegisteredResource {
    const [component] = run.ofType(sampleComponents[sample].type);
    assert.ok(component, `no ${sample} component`);
    return component;
}


function directDependencies(resource: RegisteredResource): string[] {
    return [...resource.dependencies, ...Object.values(resource.propertyDependencies).flat()];
}

interface ServiceInfo { namespace: string; name: string; selector: Record<string, string>; ports: number[]; source: string }
interface WorkloadInfo { namespace: string; name: string; podLabels: Record<string, string>; source: string }

function matches(labels: Record<string, string>, selector: Record<string, string>): boolean {
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * Services and pods the run creates in the sample namespaces: the program's own objects and those it
 * rendered from Istio's manifests (served from the fixtures), all registered one by one.
 */
function inventory(sampleRun: SampleRun): { services: ServiceInfo[]; workloads: WorkloadInfo[] } {
    const { run } = sampleRun;
    const namespaces: string[] = Object.values(sampleComponents).map((sample) => sample.namespace);
    const services: ServiceInfo[] = run.ofType("kubernetes:core/v1:Service")
        .filter((s) => namespaces.includes(s.plain.metadata?.namespace))
        .map((s) => ({
            namespace: s.plain.metadata.namespace, name: s.plain.metadata.name, selector: s.plain.spec.selector ?? {},
            ports: (s.plain.spec.ports ?? []).map((p: { port: number }) => p.port), source: `Service ${s.name}`,
        }));
    const workloads: WorkloadInfo[] = run.ofType("kubernetes:apps/v1:Deployment")
        .filter((d) => namespaces.includes(d.plain.metadata?.namespace))
        .map((d) => ({
            namespace: d.plain.metadata.namespace, name: d.plain.metadata.name,
            podLabels: d.plain.spec.template.metadata.labels, source: `Deployment ${d.name}`,
        }));
    return { services, workloads };
}

function parseHost(host: string): { name: string; namespace: string } | undefined {
    const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host);
    return match ? { name: match[1], namespace: match[2] } : undefined;
}

function sampleDestinationRules(run: ProgramRun): RegisteredResource[] {
    return samples.flatMap((sample) => {
        const [component] = run.ofType(sampleComponents[sample].type);
        return component ? run.subtree(component).filter((r) => r.type === "kubernetes:networking.istio.io/v1:DestinationRule") : [];
    });
}

/** Every route destination that leads into a sample: the shared routes and every VirtualService in the run. */
function sampleRouteDestinations(sampleRun: SampleRun): { where: string; host: string; port?: number; subset?: string }[] {
    const namespaces: string[] = Object.values(sampleComponents).map((sample) => sample.namespace);
    const intoSamples = (host: string) => namespaces.includes(parseHost(host)?.namespace ?? "");
    const shared = sampleGatewayRoutes(sampleRun.config).flatMap((route) =>
        route.destinations.map((d) => ({ where: `shared route ${route.name}`, host: d.host, port: d.port, subset: d.subset })));
    const fromVirtualServices = sampleRun.run.kind("networking.istio.io/v1", "VirtualService").flatMap((vs) =>
        (vs.plain.spec.http ?? []).flatMap((http: { route?: { destination: { host: string; port?: { number: number }; subset?: string } }[] }) =>
            (http.route ?? []).map((r) => ({
                where: `VirtualService ${vs.name}`, host: r.destination.host, port: r.destination.port?.number, subset: r.destination.subset,
            }))));
    return [...shared, ...fromVirtualServices].filter((d) => intoSamples(d.host));
}

function lineUpProblems(sampleRun: SampleRun): string[] {
    const { run } = sampleRun;
    const { services, workloads } = inventory(sampleRun);
    const problems: string[] = [];
    const service = (namespace: string, name: string) => services.find((s) => s.namespace === namespace && s.name === name);
    const behind = (s: ServiceInfo) => workloads.filter((w) => w.namespace === s.namespace && matches(w.podLabels, s.selector));

    for (const s of services) {
        if (behind(s).length === 0) {
            problems.push(`${s.source} in ${s.namespace} selects no pods`);
        }
    }
    const rules = sampleDestinationRules(run);
    for (const rule of rules) {
        const host = parseHost(rule.plain.spec.host);
        const target = host && service(host.namespace, host.name);
        if (!target) {
            problems.push(`DestinationRule ${rule.name}: host ${rule.plain.spec.host} is no Service`);
            continue;
        }
        for (const subset of rule.plain.spec.subsets ?? []) {
            if (!behind(target).some((w) => matches(w.podLabels, subset.labels))) {
                problems.push(`DestinationRule ${rule.name}: subset ${subset.name} matches no pod behind ${target.source}`);
            }
        }
    }
    for (const destination of sampleRouteDestinations(sampleRun)) {
        const host = parseHost(destination.host);
        const target = host && service(host.namespace, host.name);
        if (!target) {
            problems.push(`${destination.where}: ${destination.host} is no Service the program or a pinned manifest defines`);
            continue;
        }
        if (destination.port !== undefined && !target.ports.includes(destination.port)) {
            problems.push(`${destination.where}: ${destination.host} has no port ${destination.port} (has ${target.ports.join(", ")})`);
        }
        if (destination.subset !== undefined) {
            const defined = rules.some((rule) => rule.plain.spec.host === destination.host
                && (rule.plain.spec.subsets ?? []).some((subset: { name: string }) => subset.name === destination.subset));
            if (!defined) {
                problems.push(`${destination.where}: subset ${destination.subset} of ${destination.host} is in no DestinationRule`);
            }
        }
    }
    return problems;
}

describe("samples under mocks: the default stack", () => {
    let sampleRun: SampleRun;
    let run: ProgramRun;
    const deployment = (name: string) => run.get("kubernetes:apps/v1:Deployment", name);
    const container = (name: string) => deployment(name).plain.spec.template.spec.containers[0];

    before(async () => {
        sampleRun = await runSamples({}, { passwords: true });
        run = sampleRun.run;
    });

    it("creates each sample's namespace with sidecar injection on", () => {
        for (const sample of samples) {
            const { namespace } = sampleComponents[sample];
            const [object] = run.ofType("kubernetes:core/v1:Namespace").filter((n) => n.plain.metadata.name === namespace);
            assert.ok(object, `namespace ${namespace} missing`);
            assert.equal(object.plain.metadata.labels["istio-injection"], "enabled");
            assert.ok(run.subtree(componentOf(run, sample)).includes(object), `${namespace} belongs to the ${sample} component`);
        }
    });

    it("runs both WordPress releases as the same app on the configured images, as identity wordpress", () => {
        const config = sampleRun.config.wordpress;
        for (const [name, version, image] of [["wordpress-v1", "v1", config.stableImage], ["wordpress-v2", "v2", config.canaryImage]]) {
            const spec = deployment(name).plain.spec;
            assert.deepEqual(spec.template.metadata.labels, { app: "wordpress", version });
            assert.ok(matches(spec.template.metadata.labels, spec.selector.matchLabels));
            assert.equal(spec.template.spec.serviceAccountName, "wordpress");
            assert.equal(container(name).image, image);
            assert.equal(deployment(name).plain.metadata.namespace, "wordpress");
        }
        assert.equal(deployment("mysql").plain.spec.template.spec.serviceAccountName, "mysql");
        const accounts = run.ofType("kubernetes:core/v1:ServiceAccount").filter((a) => a.plain.metadata.namespace === "wordpress")
            .map((a) => a.plain.metadata.name).sort();
        assert.deepEqual(accounts, ["mysql", "wordpress"]);
    });

    it("runs the same WordPress on two PHP versions by default", () => {
        const tag = (image: string) => /^wordpress:(\d+\.\d+\.\d+)-php(\d+\.\d+)-apache$/.exec(image);
        const stable = tag(sampleRun.config.wordpress.stableImage);
        const canary = tag(sampleRun.config.wordpress.canaryImage);
        assert.ok(stable && canary, "official wordpress images, version-php-variant tags");
        assert.equal(stable[1], canary[1], "the same WordPress release");
        assert.notEqual(stable[2], canary[2], "on different PHP versions");
        assert.match(sampleRun.config.wordpress.mysqlImage, /^mysql:\d+\.\d+\.\d+$/);
    });

    it("shares only wp-content between v1 and v2 (each image keeps its own core), ReadWriteOnce on the default class", () => {
        const claim = run.get("kubernetes:core/v1:PersistentVolumeClaim", "wordpress-content").plain;
        assert.deepEqual(claim.spec.accessModes, ["ReadWriteOnce"]);
        assert.equal(claim.spec.storageClassName, undefined, "no class: the cluster's default");
        for (const name of ["wordpress-v1", "wordpress-v2"]) {
            const pod = deployment(name).plain.spec.template.spec;
            const volume = pod.volumes.find((v: { persistentVolumeClaim?: { claimName: string } }) =>
                v.persistentVolumeClaim?.claimName === claim.metadata.name);
            assert.ok(volume, `${name} mounts ${claim.metadata.name}`);
            const mounts = container(name).volumeMounts as { name: string; mountPath: string; subPath?: string }[];
            assert.deepEqual(mounts.map((m) => [m.name, m.mountPath, m.subPath]), [[volume.name, "/var/www/html/wp-content", undefined]],
                "the docroot (core files, wp-config.php) is the image's own; only wp-content is on the shared volume");
            assert.equal(pod.securityContext.fsGroup, 33, "www-data may write uploads to the volume");
            // A ReadWriteOnce volume attaches to one node: all WordPress pods must share it.
            const term = pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
            assert.equal(term.topologyKey, "kubernetes.io/hostname");
            assert.ok(matches(deployment(name).plain.spec.template.metadata.labels, term.labelSelector.matchLabels));
        }
    });

    it("gives both releases the same keys and salts from one Secret, so a login on v1 holds on v2", () => {
        const secret = run.get("kubernetes:core/v1:Secret", "wordpress-keys");
        const keyNames = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"];
        const refsOf = (name: string) => Object.fromEntries((container(name).env as { name: string; value?: string; valueFrom?: any }[])
            .filter((e) => keyNames.includes(e.name.replace(/^WORDPRESS_/, "")))
            .map((e) => [e.name, e.valueFrom?.secretKeyRef]));
        const stable = refsOf("wordpress-v1");
        assert.deepEqual(Object.keys(stable).sort(), keyNames.map((key) => `WORDPRESS_${key}`).sort(),
            "every key wp-config-docker.php would otherwise randomise per container");
        assert.deepEqual(refsOf("wordpress-v2"), stable);
        for (const ref of Object.values(stable)) {
            assert.equal(ref.name, secret.plain.metadata.name);
            assert.ok(ref.key in secret.plain.stringData);
        }
        assert.ok(isSecretValue(secret.inputs.stringData), "the keys are Pulumi secrets");
    });

    it("starts the canary after stable, so only one entrypoint populates an empty wp-content", () => {
        assert.ok(run.dependsOn(deployment("wordpress-v2"), deployment("wordpress-v1")));
        assert.ok(!run.dependsOn(deployment("wordpress-v1"), deployment("wordpress-v2")));
    });

    it("points WordPress at MySQL with the user password from the credentials Secret", () => {
        const secret = run.get("kubernetes:core/v1:Secret", "mysql-credentials");
        const mysqlService = run.get("kubernetes:core/v1:Service", "mysql").plain;
        for (const name of ["wordpress-v1", "wordpress-v2"]) {
            const env = Object.fromEntries(container(name).env.map((e: { name: string }) => [e.name, e]));
            assert.equal(env.WORDPRESS_DB_HOST.value, `${mysqlService.metadata.name}:${mysqlService.spec.ports[0].port}`);
            assert.equal(env.WORDPRESS_DB_PASSWORD.value, undefined, "never a literal password");
            const ref = env.WORDPRESS_DB_PASSWORD.valueFrom.secretKeyRef;
            assert.equal(ref.name, secret.plain.metadata.name);
            assert.ok(ref.key in secret.plain.stringData, `the Secret has key ${ref.key}`);
            const mysqlEnv = Object.fromEntries(container("mysql").env.map((e: { name: string }) => [e.name, e]));
            assert.deepEqual(mysqlEnv.MYSQL_PASSWORD.valueFrom.secretKeyRef, ref, "MySQL creates the user with that password");
            assert.equal(env.WORDPRESS_DB_USER.value, mysqlEnv.MYSQL_USER.value);
            assert.equal(env.WORDPRESS_DB_NAME.value, mysqlEnv.MYSQL_DATABASE.value);
            assert.ok(!run.dependsOn(deployment(name), deployment("mysql")),
                "WordPress starts beside MySQL; its readiness, not the deploy order, waits for the database");
        }
    });

    it("exposes MySQL on 3306 as TCP (port name tcp-mysql), on its own volume", () => {
        const port = run.get("kubernetes:core/v1:Service", "mysql").plain.spec.ports[0];
        assert.equal(port.port, 3306);
        assert.ok(port.name === "tcp-mysql" || port.appProtocol === "tcp", "Istio must not sniff a server-first protocol");
        const mysql = deployment("mysql").plain.spec;
        assert.equal(mysql.strategy.type, "Recreate", "never two mysqld on one data directory");
        const dataVolume = mysql.template.spec.volumes.find((v: { persistentVolumeClaim?: unknown }) => v.persistentVolumeClaim);
        assert.equal(dataVolume.persistentVolumeClaim.claimName, "mysql-data");
        assert.ok(container("mysql").volumeMounts.some((m: { name: string; mountPath: string }) =>
            m.name === dataVolume.name && m.mountPath === "/var/lib/mysql"));
    });

    it("mounts a MySQL config with skip-name-resolve into /etc/mysql/conf.d", () => {
        const mysql = deployment("mysql").plain.spec.template.spec;
        const mount = container("mysql").volumeMounts.find((m: { mountPath: string }) => m.mountPath === mysqlConfigDirectory);
        assert.ok(mount, "config directory mounted");
        const volume = mysql.volumes.find((v: { name: string }) => v.name === mount.name);
        const configMap = run.ofType("kubernetes:core/v1:ConfigMap")
            .find((c) => c.plain.metadata.name === volume.configMap.name && c.plain.metadata.namespace === "wordpress");
        assert.ok(configMap, `ConfigMap ${volume.configMap.name} exists`);
        const files = Object.entries(configMap.plain.data as Record<string, string>).filter(([file]) => file.endsWith(".cnf"));
        assert.ok(files.some(([, text]) => optionFileSections(text).mysqld?.includes("skip-name-resolve")));
    });

    it("probes every container it runs, on ports the container declares", () => {
        for (const name of ["mysql", "wordpress-v1", "wordpress-v2"]) {
            const c = container(name);
            const ports = c.ports.flatMap((p: { name?: string; containerPort: number }) => [p.name, p.containerPort]);
            for (const probe of [c.readinessProbe, c.livenessProbe]) {
                assert.ok(probe, `${name} has readiness and liveness probes`);
                const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
                if (port !== undefined) {
                    assert.ok(ports.includes(port), `${name} probes port ${port} it does not declare`);
                } else {
                    assert.ok(probe.exec?.command?.length > 0, `${name}: probe without a target`);
                    assert.ok(!stringsIn(probe.exec.command).some((s) => /pass/i.test(s.text)), "no password in a probe command");
                }
            }
        }
    });

    it("lines up labels, selectors, ports, subsets and route destinations", () => {
        assert.deepEqual(lineUpProblems(sampleRun), []);
        const rules = sampleDestinationRules(run);
        const subsetsOf = (host: string) => rules.find((r) => r.plain.spec.host === host)?.plain.spec.subsets
            .map((s: { name: string }) => s.name).sort();
        assert.deepEqual(subsetsOf("wordpress.wordpress.svc.cluster.local"), ["v1", "v2"]);
        assert.deepEqual(subsetsOf("httpbin.httptools.svc.cluster.local"), ["v1"]);
        // Every version a bookinfo Deployment (rendered from Istio's manifest) carries has its subset.
        const { services, workloads } = inventory(sampleRun);
        const bookinfoServices = services.filter((service) => service.namespace === "bookinfo");
        assert.deepEqual(bookinfoServices.map((service) => service.name).sort(), ["details", "productpage", "ratings", "reviews"]);
        for (const service of bookinfoServices) {
            const versions = workloads.filter((w) => w.namespace === "bookinfo" && matches(w.podLabels, service.selector))
                .map((w) => w.podLabels.version).sort();
            assert.deepEqual(subsetsOf(`${service.name}.bookinfo.svc.cluster.local`), versions, service.name);
        }
    });

    it("the line-up check can fail", () => {
        // A copy of the run with one subset more: runs are frozen (test/harness/program.ts).
        const rule = sampleDestinationRules(run).find((r) => r.name === "bookinfo-reviews")!;
        const brokenRule: RegisteredResource = { ...rule, plain: { ...rule.plain, spec: { ...rule.plain.spec,
            subsets: [...rule.plain.spec.subsets, { name: "v4", labels: { version: "v4" } }] } } };
        const brokenRun = new ProgramRun(run.resources.map((resource) => resource === rule ? brokenRule : resource), run.outputs, run.logs);
        const broken: SampleRun = { ...sampleRun, run: brokenRun, config: parseStackConfig({}) };
        assert.deepEqual(lineUpProblems(broken), ["DestinationRule bookinfo-reviews: subset v4 matches no pod behind " +
            "Service bookinfo/reviews"]);
    });

    it("sends the shared gateway routes into the gateway's VirtualService", () => {
        const gatewayHosts = sampleRouteDestinations(sampleRun).filter((d) => d.where.startsWith("VirtualService")).map((d) => d.host);
        for (const host of ["productpage.bookinfo.svc.cluster.local", "httpbin.httptools.svc.cluster.local", "wordpress.wordpress.svc.cluster.local"]) {
            assert.ok(gatewayHosts.includes(host), `no VirtualService routes to ${host}`);
        }
        const wordpressRoutes = run.kind("networking.istio.io/v1", "VirtualService").flatMap((vs) => (vs.plain.spec.http ?? [])
            .filter((http: { route?: { destination: { host: string } }[] }) =>
                (http.route ?? []).some((r) => r.destination.host.startsWith("wordpress."))));
        assert.equal(wordpressRoutes.length, 1);
        assert.deepEqual(wordpressRoutes[0].route.map((r: { weight: number }) => r.weight), [90, 10]);
    });

    it("applies bookinfo and httpbin object by object from Istio's manifests at the charts' version, in their namespaces", () => {
        const chartVersions = new Set(run.ofType(releaseType).filter((r) => ["base", "istiod", "gateway"].includes(r.plain.chart))
            .map((r) => r.plain.version));
        assert.deepEqual([...chartVersions], [sampleRun.config.istio.version]);
        for (const [sample, path, namespace] of [
            ["bookinfo", "bookinfo/platform/kube/bookinfo.yaml", "bookinfo"],
            ["httpbin", "httpbin/httpbin.yaml", "httptools"],
        ] as const) {
            const expected = parseManifest(fixtureText(path), path);
            const registered = run.subtree(componentOf(run, sample)).filter((r) => r.custom && expected.some((object) =>
                r.type === `kubernetes:${object.apiVersion === "v1" ? "core/v1" : object.apiVersion}:${object.kind}`
                && r.name === `${namespace}/${object.metadata.name}`));
            assert.equal(registered.length, expected.length, `${sample}: every object of the manifest is a resource`);
            const namespaceObject = run.get("kubernetes:core/v1:Namespace", namespace);
            for (const resource of registered) {
                assert.equal(resource.plain.metadata.namespace, namespace, resource.name);
                assert.ok(resource.propertyDependencies.metadata?.includes(namespaceObject.urn), `${resource.name} takes its namespace from the Namespace`);
            }
        }
    });

    it("makes every sample workload and Istio resource wait for istiod", () => {
        const istiod = run.get(releaseType, "istiod");
        for (const sample of samples) {
            const waiting = run.subtree(componentOf(run, sample)).filter((r) =>
                r.type === "kubernetes:apps/v1:Deployment" || r.type.includes(".istio.io/"));
            assert.ok(waiting.length > 1, sample);
            for (const resource of waiting) {
                assert.ok(run.dependsOn(resource, istiod), `${resource.type} ${resource.name} must wait for istiod`);
            }
        }
    });

    it("never makes one sample wait for another, nor for anything but istiod and its webhook waits", () => {
        const istiod = run.get(releaseType, "istiod");
        const webhookWaits = new Set(run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfigurationPatch")
            .map((r) => r.urn));
        const trees = Object.fromEntries(samples.map((sample) => [sample, run.subtree(componentOf(run, sample))]));
        for (const sample of samples) {
            const own = new Set(trees[sample].map((r) => r.urn));
            for (const resource of trees[sample]) {
                for (const dependency of directDependencies(resource)) {
                    assert.ok(own.has(dependency) || dependency === istiod.urn || webhookWaits.has(dependency),
                        `${resource.type} ${resource.name} (${sample}) waits for ${dependency}`);
                }
                for (const other of samples.filter((s) => s !== sample)) {
                    assert.ok(!run.dependsOn(resource, componentOf(run, other)), `${sample} waits for ${other}`);
                }
            }
        }
    });

    it("keeps the generated passwords secret everywhere", () => {
        assert.equal(sampleRun.passwords.length, 11, "root and user passwords, WordPress's eight keys and salts, and its admin password");
        const secret = run.get("kubernetes:core/v1:Secret", "mysql-credentials");
        assert.ok(isSecretValue(secret.inputs.stringData), "the Secret's data is a Pulumi secret");
        const sightings = run.resources.flatMap((resource) => stringsIn(resource.inputs)
            .filter((s) => sampleRun.passwords.some((password) => s.text.includes(password)))
            .map((s) => ({ where: `${resource.type} ${resource.name}`, secret: s.secret })));
        assert.deepEqual(sightings.filter((s) => !s.secret), [], "a password in plain inputs");
        assert.equal(sightings.length, 11, "every generated value reaches its Secret, once (the admin password too)");
        const adminOutput = run.outputs.wordpressAdminPassword;
        assert.ok(adminOutput?.secret, "the admin password is a secret stack output");
        assert.ok(sampleRun.passwords.includes(String(adminOutput.value)), "the output is the generated password the Secret holds");
        for (const [name, output] of Object.entries(run.outputs)) {
            if (!output.secret) {
                assert.ok(!stringsIn(output.value).some((s) => sampleRun.passwords.some((p) => s.text.includes(p))), name);
            }
        }
        assert.ok(!run.logs.some((log) => sampleRun.passwords.some((p) => log.message.includes(p))));
    });

    it("emits only objects that validate against the upstream schemas", async () => {
        assert.deepEqual(await validateRun(run), []);
    });
});

describe("samples under mocks: variants", () => {
    // One weight at program level: 0, where a falsy default (`weight || 10`) or a dropped zero-weight
    // subset would show, and v1 100 / v2 0 tells a swap. What each weight becomes (0, 10, 50, 100:
    // wordpressDestinations, the builder this component and sample-routes call) is checked without the
    // program by "samples: the canary split" above, schema included; ambient-authorization.spec.ts runs
    // weight 10 on the shared hosts.
    for (const weight of [0]) {
        it(`canary weight ${weight} on WordPress's own hosts: one VirtualService on the mesh gateway, valid`, async () => {
            const sampleRun = await runSamples({ wordpress: { canary: { weight }, hosts: ["blog.example.com"] } });
            const own = sampleRun.run.kind("networking.istio.io/v1", "VirtualService")
                .filter((vs) => vs.plain.metadata.namespace === "wordpress");
            assert.equal(own.length, 1);
            const spec = own[0].plain.spec;
            assert.deepEqual(spec.hosts, ["blog.example.com"]);
            assert.deepEqual(spec.gateways, [meshGatewayRef]);
            const gateway = sampleRun.run.kind("networking.istio.io/v1", "Gateway")[0];
            assert.ok(gateway.plain.spec.servers[0].hosts.includes("wordpress/blog.example.com"), "the gateway accepts this host from wordpress's VirtualService");
            const route = spec.http[0].route;
            assert.deepEqual(route.map((r: { destination: { subset: string }; weight: number }) => [r.destination.subset, r.weight]),
                [["v1", 100 - weight], ["v2", weight]]);
            assert.deepEqual(istioWeightProblems(route), []);
            assert.ok(sampleRun.run.dependsOn(own[0], sampleRun.run.get(releaseType, "istiod")));
            const elsewhere = sampleRouteDestinations(sampleRun).filter((d) => d.host.startsWith("wordpress.") && d.where !== `VirtualService ${own[0].name}`);
            assert.deepEqual(elsewhere, [], "no WordPress route on the shared hosts");
            assert.deepEqual(lineUpProblems(sampleRun), []);
            assert.deepEqual(await validateRun(sampleRun.run), []);
        });
    }

    it("uses a configured storage class and ReadWriteMany, without pinning pods to one node", async () => {
        const { run } = await runSamples({ wordpress: { storageClass: "ibmc-file-gold-gid", accessMode: "ReadWriteMany" } });
        const claim = run.get("kubernetes:core/v1:PersistentVolumeClaim", "wordpress-content").plain;
        assert.equal(claim.spec.storageClassName, "ibmc-file-gold-gid");
        assert.deepEqual(claim.spec.accessModes, ["ReadWriteMany"]);
        for (const name of ["wordpress-v1", "wordpress-v2"]) {
            assert.equal(run.get("kubernetes:apps/v1:Deployment", name).plain.spec.template.spec.affinity, undefined);
        }
        assert.equal(run.get("kubernetes:core/v1:PersistentVolumeClaim", "mysql-data").plain.spec.storageClassName, undefined,
            "MySQL keeps the default class: the setting is for the shared content volume");
        assert.deepEqual(await validateRun(run), []);
    });

    it("takes the sample manifests from the tag of a non-default istio.version", async () => {
        const fetched: string[] = [];
        const { run } = await runSamples({ istio: { version: "1.31.1" } }, { fetchManifest: async (url) => {
            fetched.push(url);
            return fixtureManifest(url);
        } });
        assert.deepEqual(fetched.sort(), [
            istioSampleUrl("1.31.1", "addons/prometheus.yaml"),
            istioSampleUrl("1.31.1", "bookinfo/platform/kube/bookinfo.yaml"),
            istioSampleUrl("1.31.1", "httpbin/httpbin.yaml"),
        ]);
        const chartVersions = new Set(run.ofType(releaseType).filter((r) => ["base", "istiod", "gateway"].includes(r.plain.chart))
            .map((r) => r.plain.version));
        assert.deepEqual([...chartVersions], ["1.31.1"]);
        assert.deepEqual(await validateRun(run), []);
    });
});

describe("samples under mocks: each can be switched off", () => {
    let full: SampleRun;
    before(async () => {
        full = await runSamples({});
    });

    /** Inputs may only change where they route to, or name identities in, the removed sample's namespace. */
    const mentions = (resource: RegisteredResource, namespace: string) => {
        const text = JSON.stringify(resource.plain);
        return text.includes(`.${namespace}.svc.cluster.local`) || text.includes(`/ns/${namespace}/`);
    };

    for (const sample of samples) {
        it(`${sample}.enabled=false removes all of the ${sample} sample and nothing else`, async () => {
            const without = await runSamples({ [sample]: { enabled: false } });
            const namespace = sampleComponents[sample].namespace;
            assert.equal(without.run.ofType(sampleComponents[sample].type).length, 0);
            assert.ok(!without.run.resources.some((r) => r.plain.metadata?.namespace === namespace || r.plain.metadata?.name === namespace && r.type === "kubernetes:core/v1:Namespace"),
                `something is still created in ${namespace}`);

            const remaining = new Map(without.run.resources.map((r) => [r.urn, r]));
            const own = new Set(full.run.subtree(componentOf(full.run, sample)).map((r) => r.urn));
            const removed = full.run.resources.filter((r) => !remaining.has(r.urn));
            for (const urn of own) {
                assert.ok(!remaining.has(urn), `${urn} survived`);
            }
            for (const resource of removed.filter((r) => !own.has(r.urn))) {
                // Another component's object in the sample's namespace must go with it (the namespace is gone).
                assert.equal(resource.plain.metadata?.namespace, namespace, `${resource.type} ${resource.name} was removed too`);
            }
            const added = without.run.resources.filter((r) => !full.run.resources.some((f) => f.urn === r.urn));
            assert.deepEqual(added.map((r) => r.urn), []);
            for (const before of full.run.resources.filter((r) => remaining.has(r.urn))) {
                const after = remaining.get(before.urn)!;
                if (!mentions(before, namespace)) {
                    assert.deepEqual(after.plain, before.plain, `${before.type} ${before.name} changed`);
                }
            }
            assert.deepEqual(lineUpProblems(without), []);
            assert.deepEqual(await validateRun(without.run), []);
        });
    }

    it("with every sample off, creates none of their namespaces", async () => {
        const { run } = await runSamples({ wordpress: { enabled: false }, bookinfo: { enabled: false }, httpbin: { enabled: false } });
        const names = run.ofType("kubernetes:core/v1:Namespace").map((n) => n.plain.metadata.name);
        for (const sample of samples) {
            assert.ok(!names.includes(sampleComponents[sample].namespace));
        }
        assert.ok(!run.resources.some((r) => ["bookinfo", "httptools"].includes(r.plain.metadata?.namespace)));
        assert.deepEqual(await validateRun(run), []);
    });
});
