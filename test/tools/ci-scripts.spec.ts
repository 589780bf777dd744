// The CI scripts under scripts/ci: the demo hand-over model, the stack job's plan and the bootstrap,
// decided on recorded inputs (`pulumi stack ls --json`, pull request states), and the runner itself
// (scripts/ci/stack-job.ts) against stand-in `pulumi` and `gh` executables on PATH.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    demoPullRequest, demoStackName, environmentOf, handOverComments, planDemoCleanup, planDemoDeploy, planDemoSweep,
    PullRequestState,
} from "../../scripts/ci/demo-plan";
import { pinnedArchive, pinsFile, publishedArchive, readPins } from "../../scripts/ci/ibmcloud-cli-release";
import { helmBudgetSeconds, helmDefaultTimeoutSeconds, largestRunSeconds, stackJobTimeoutMinutes, stackWaitBudget } from "../../scripts/ci/job-timeouts";
import {
    backendLocation, isLockOf, parseLockError, parseLockListing, parsePendingReleases, planRecovery, withLockFile,
} from "../../scripts/ci/recovery";
import { renewals, renewalSummary } from "../../scripts/ci/renewals";
import { planIsolation, probeVerdict } from "../../scripts/ci/state-isolation";
import { parseStackList, StackSummary } from "../../scripts/ci/stack-list";
import { isNoSuchStack, isStackLocked, planStackJob } from "../../scripts/ci/stack-plan";
import { configOnlyCopy, providerPlugins, readStackSettings, stackFileName } from "../../scripts/ci/stack-settings";
import { runProgram } from "../harness/program";
import { main as stackJobMain } from "../../scripts/ci/stack-job";
import { runMainSync } from "../support/in-process";
import { iksMocks, iksStackConfig } from "../support/iks-stack";

const repoRoot = path.resolve(__dirname, "..", "..");
const fixtureDir = path.join(repoRoot, "test", "fixtures", "workflows");

function stacks(...names: string[]): StackSummary[] {
    return names.map((name) => ({ name, updateInProgress: false }));
}

function pr(number: number, state: PullRequestState["state"] = "OPEN", labels: string[] = ["demo"]): PullRequestState {
    return { number, state, labels };
}

describe("CI scripts", () => {
    describe("pulumi stack ls --json", () => {
        it("reads the recorded listing, keeping only each stack's own name", () => {
            const listed = parseStackList(fs.readFileSync(path.join(fixtureDir, "stack-ls.json"), "utf8"));
            assert.deepEqual(listed.map((stack) => stack.name), ["dev", "demo-pr-3", "demo-pr-9", "demo-manual", "prod"]);
            assert.equal(listed[1].lastUpdate, "2020-01-02T03:04:05.678Z");
            assert.equal(listed[3].lastUpdate, undefined);
        });

        it("refuses output that is not a list of named stacks", () => {
            assert.throws(() => parseStackList("{}"), /not a list/);
            assert.throws(() => parseStackList('[{"current": true}]'), /entry 0 has no name/);
        });
    });

    describe("demo environments: one cluster, handed over", () => {
        it("names demo stacks after their pull request and runs them all in the demo environment", () => {
            assert.equal(demoStackName(12), "demo-pr-12");
            assert.equal(demoPullRequest("demo-pr-12"), 12);
            assert.equal(demoPullRequest("demo-manual"), undefined);
            assert.equal(demoPullRequest("demo-pr-012"), undefined);
            assert.equal(environmentOf("demo-pr-12"), "demo");
            assert.equal(environmentOf("prod"), "prod");
        });

        it("a new demo first destroys every other demo stack, never a configured stack", () => {
            const plan = planDemoDeploy(stacks("dev", "prod", "demo-pr-3", "demo-manual"), pr(7));
            assert.deepEqual(plan, { deploy: true, stack: "demo-pr-7", handOver: [{ stack: "demo-pr-3", pullRequest: 3 }, { stack: "demo-manual" }] });
        });

        it("redeploying the demo that holds the cluster hands nothing over", () => {
            assert.deepEqual(planDemoDeploy(stacks("dev", "demo-pr-7"), pr(7)), { deploy: true, stack: "demo-pr-7", handOver: [] });
        });

        it("a deploy that waited behind others does nothing when its pull request closed or lost the label meanwhile", () => {
            const closed = planDemoDeploy(stacks("demo-pr-3"), pr(7, "CLOSED"));
            assert.equal(closed.deploy, false);
            assert.match((closed as { reason: string }).reason, /#7 is closed/);
            const merged = planDemoDeploy(stacks("demo-pr-3"), pr(7, "MERGED"));
            assert.equal(merged.deploy, false);
            const unlabelled = planDemoDeploy(stacks("demo-pr-3"), pr(7, "OPEN", ["bug"]));
            assert.equal(unlabelled.deploy, false);
            assert.match((unlabelled as { reason: string }).reason, /no longer has the label demo/);
        });

        it("says so on both pull requests, and only on the new one for a hand-made demo", () => {
            const both = handOverComments({ stack: "demo-pr-3", pullRequest: 3 }, 7);
            assert.deepEqual(both.map((comment) => comment.pullRequest), [7, 3]);
            assert.match(both[0].body, /handed over to this pull request.*demo-pr-3.*#3.*demo-pr-7/s);
            assert.match(both[1].body, /demo-pr-3.*destroyed because #7 took over/s);
            assert.deepEqual(handOverComments({ stack: "demo-manual" }, 7).map((comment) => comment.pullRequest), [7]);
        });

        it("cleanup destroys only its own demo stack, when it exists, and refuses any configured stack", () => {
            assert.equal(planDemoCleanup(stacks("demo-pr-3", "demo-pr-7"), "demo-pr-3").destroy, true);
            const handedOver = planDemoCleanup(stacks("demo-pr-7"), "demo-pr-3");
            assert.equal(handedOver.destroy, false);
            assert.match(handedOver.reason, /does not exist/);
            assert.throws(() => planDemoCleanup(stacks("prod"), "prod"), /refusing to destroy prod/);
        });

        it("the sweep picks closed or unlabelled, stale and superseded demos, never a configured stack", () => {
            const now = new Date("2026-11-26T12:00:00Z");
            const listed: StackSummary[] = [
                { name: "prod", lastUpdate: "2020-01-01T00:00:00Z", updateInProgress: false },
                { name: "demo-pr-3", lastUpdate: "2026-11-26T11:00:00Z", updateInProgress: false },
                { name: "demo-pr-5", lastUpdate: "2026-11-26T10:00:00Z", updateInProgress: false },
                { name: "demo-pr-8", lastUpdate: "2026-11-24T10:00:00Z", updateInProgress: false },
                { name: "demo-pr-9", lastUpdate: "2026-11-26T11:30:00Z", updateInProgress: false },
                { name: "demo-manual", updateInProgress: false },
            ];
            const sweep = planDemoSweep(listed, [5, 8, 9], now, 24);
            assert.deepEqual(sweep.map((entry) => entry.stack), ["demo-pr-3", "demo-pr-8", "demo-manual", "demo-pr-5"]);
            assert.match(sweep[0].reason, /#3 is closed or no longer labelled demo/);
            assert.match(sweep[1].reason, /not updated for 50 h/);
            assert.match(sweep[2].reason, /never updated/);
            assert.match(sweep[3].reason, /demo-pr-9 is the newer demo/);
            assert.deepEqual(planDemoSweep(listed.slice(0, 1), [], now, 24), []);
            // A newer demo whose pull request closed does not push out the open one's older demo.
            assert.deepEqual(planDemoSweep(listed.slice(1, 3), [5], now, 24).map((entry) => entry.stack), ["demo-pr-3"]);
            assert.throws(() => planDemoSweep(listed, [], now, 0), /positive number of hours/);
        });

        it("the sweep leaves a demo alone while an update runs on it", () => {
            const busy: StackSummary[] = [{ name: "demo-pr-3", lastUpdate: "2020-01-01T00:00:00Z", updateInProgress: true }];
            assert.deepEqual(planDemoSweep(busy, [], new Date(), 24), []);
        });
    });

    describe("the stack job's plan", () => {
        it("previews and updates a configured stack that exists; skips with the bootstrap hint when it does not", () => {
            assert.deepEqual(planStackJob({ stack: "dev", command: "up", stacks: stacks("dev") }), { action: "run", handOver: [] });
            for (const command of ["up", "preview"]) {
                const plan = planStackJob({ stack: "prod", command, stacks: stacks("dev") });
                assert.equal(plan.action, "skip");
                assert.match((plan as { notice: string }).notice, /prod does not exist in the backend yet: run the bootstrap workflow/);
            }
        });

        it("bootstraps a missing configured stack once, and never a demo stack", () => {
            assert.deepEqual(planStackJob({ stack: "prod", command: "init", stacks: stacks("dev") }), { action: "init" });
            const again = planStackJob({ stack: "prod", command: "init", stacks: stacks("dev", "prod") });
            assert.equal(again.action, "skip");
            assert.throws(() => planStackJob({ stack: "demo-pr-3", command: "init", stacks: [] }), /created by their deploy/);
        });

        it("destroys demo stacks only, and a demo deploy carries its hand-over", () => {
            assert.deepEqual(planStackJob({ stack: "demo-pr-3", command: "destroy", stacks: stacks("demo-pr-3") }), { action: "destroy" });
            assert.equal(planStackJob({ stack: "demo-pr-3", command: "destroy", stacks: [] }).action, "skip");
            assert.throws(() => planStackJob({ stack: "dev", command: "destroy", stacks: stacks("dev") }), /refusing to destroy dev/);
            assert.deepEqual(planStackJob({ stack: "demo-pr-7", command: "up", stacks: stacks("demo-pr-3"), pullRequest: pr(7) }),
                { action: "run", handOver: [{ stack: "demo-pr-3", pullRequest: 3 }] });
            assert.throws(() => planStackJob({ stack: "demo-pr-7", command: "up", stacks: [] }), /needs the state of its pull request/);
        });

        it("refuses unknown commands and stack names that are paths", () => {
            assert.throws(() => planStackJob({ stack: "dev", command: "refresh", stacks: [] }), /unknown command "refresh"/);
            assert.throws(() => planStackJob({ stack: "../etc", command: "up", stacks: [] }), /not a stack name/);
        });

        it("tells Pulumi's lock and missing-stack errors from other failures", () => {
            assert.ok(isStackLocked("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`."));
            assert.ok(!isStackLocked("error: update failed"));
            assert.ok(isNoSuchStack("error: no stack named 'demo-pr-3' found"));
            assert.ok(!isNoSuchStack("error: the stack is currently locked by 1 lock(s)."));
        });
    });

    describe("stack settings", () => {
        it("a demo stack gets its source's config without the source's encryption salt", () => {
            const copy = YAML.parse(configOnlyCopy("encryptionsalt: v1:abc\nconfig:\n  iks-mesh:iks:\n    enabled: true\n")) as unknown;
            assert.deepEqual(copy, { config: { "iks-mesh:iks": { enabled: true } } });
        });

        it("needs the IBM Cloud CLI only where iks.enabled is true", () => {
            assert.equal(readStackSettings("config:\n  iks-mesh:iks:\n    enabled: true\n").iksEnabled, true);
            assert.equal(readStackSettings(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).iksEnabled, false);
            assert.equal(readStackSettings(undefined).iksEnabled, false);
        });

        it("refuses a stack name that is a path", () => {
            assert.throws(() => stackFileName("../../etc/passwd"), /not a stack name/);
        });
    });

    describe("the IBM Cloud CLI archive and its published checksum", () => {
        const metadata = fs.readFileSync(path.join(fixtureDir, "ibmcloud-all-versions.json"), "utf8");

        it("takes the archive and SHA-256 of the pinned release for linux64", () => {
            assert.deepEqual(publishedArchive(metadata, "2.33.0"), {
                url: "https://download.clis.cloud.ibm.com/ibm-cloud-cli-dn/2.33.0/binaries/IBM_Cloud_CLI_2.33.0_linux_amd64.tgz",
                sha256: "1".repeat(64),
            });
            assert.equal(publishedArchive(metadata, "2.33.0", "linux-arm64").sha256, "2".repeat(64));
        });

        it("fails for a release IBM does not list, one without a SHA-256, or an archive off IBM's host", () => {
            assert.throws(() => publishedArchive(metadata, "9.9.9"), /lists no release 9\.9\.9/);
            assert.throws(() => publishedArchive(metadata, "2.31.0"), /no linux64 archive with a SHA-256/);
            assert.throws(() => publishedArchive(metadata, "2.32.0"), /points to https:\/\/elsewhere\.example/);
        });

        it("takes the committed pins, and refuses metadata that disagrees with the pinned SHA-256 or a pin left empty", () => {
            const pins = readPins(JSON.stringify({ cli: { version: "2.33.0", platform: "linux64", sha256: "1".repeat(64) }, containerServicePlugin: { version: "1.0.700" } }));
            assert.deepEqual(pinnedArchive(metadata, pins), {
                url: "https://download.clis.cloud.ibm.com/ibm-cloud-cli-dn/2.33.0/binaries/IBM_Cloud_CLI_2.33.0_linux_amd64.tgz",
                sha256: "1".repeat(64),
            });
            assert.throws(() => pinnedArchive(metadata, { ...pins, sha256: "3".repeat(64) }), /gives 2\.33\.0 the SHA-256 1{64}, but \.github\/ibmcloud-cli\.json pins 3{64}: refusing it/);
            assert.throws(() => readPins(JSON.stringify({ cli: { version: "2.33.0", platform: "linux64", sha256: "" }, containerServicePlugin: { version: "" } })),
                /does not pin the IBM Cloud CLI: cli\.sha256 "" is not a SHA-256; containerServicePlugin\.version "" is not an exact version\. Fix: npx ts-node --transpile-only scripts\/ci\/ibmcloud-pin\.ts/);
            assert.throws(() => readPins(JSON.stringify({ cli: { version: "latest", platform: "linux64", sha256: "1".repeat(64) }, containerServicePlugin: { version: "1.0.700" } })),
                /cli\.version "latest" is not an exact version/);
        });

        it("the committed pins file is complete, or every IKS stack job stops with the command that completes it", () => {
            const text = fs.readFileSync(path.join(repoRoot, pinsFile), "utf8");
            const raw = JSON.parse(text) as { cli: { version: string; sha256: string } };
            assert.match(raw.cli.version, /^\d+\.\d+\.\d+$/, "the CLI version is pinned exactly");
            if (raw.cli.sha256 === "") {
                // Not pinned yet (the SHA-256 must be computed on a trusted machine with network): the
                // install step then fails before downloading anything, naming the pin command.
                assert.throws(() => readPins(text), /Fix: npx ts-node --transpile-only scripts\/ci\/ibmcloud-pin\.ts/);
            } else {
                assert.doesNotThrow(() => readPins(text));
            }
        });

        it("stack.yml's install step (scripts/ci/install-ibmcloud.sh, shared with canary.yml) installs a matching archive and the pinned plugin into the stack's CLI home, and stops at a tampered one before unpacking it", function () {
            if (spawnSync("bash", ["-c", "command -v sha256sum tar"]).status !== 0) {
                this.skip();
            }
            const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, ".github", "workflows", "stack.yml"), "utf8")) as {
                jobs: { pulumi: { steps: { name?: string; run?: string; env?: Record<string, string> }[] } };
            };
            const step = doc.jobs.pulumi.steps.find((candidate) => candidate.run === "bash scripts/ci/install-ibmcloud.sh");
            assert.ok(step?.run && step.env);
            const script = fs.readFileSync(path.join(repoRoot, "scripts", "ci", "install-ibmcloud.sh"), "utf8");
            assert.doesNotMatch(script, /\b\d+\.\d+\.\d+\b/, "no version is written into the script: it comes from the pins file");

            function install(tamper: "none" | "archive" | "metadata") {
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibmcloud-install-"));
                const bin = path.join(dir, "bin");
                fs.mkdirSync(path.join(dir, "archive", "Bluemix_CLI", "bin"), { recursive: true });
                fs.mkdirSync(bin);
                fs.mkdirSync(path.join(dir, "work", ".github"), { recursive: true });
                fs.symlinkSync(path.join(repoRoot, "scripts"), path.join(dir, "work", "scripts"));
                fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "work", "node_modules"));
                fs.writeFileSync(path.join(dir, "archive", "Bluemix_CLI", "bin", "ibmcloud"), "#!/bin/sh\n", { mode: 0o755 });
                spawnSync("tar", ["-czf", path.join(dir, "archive.tgz"), "-C", path.join(dir, "archive"), "Bluemix_CLI"]);
                const sha256 = spawnSync("sha256sum", [path.join(dir, "archive.tgz")], { encoding: "utf8" }).stdout.split(" ")[0];
                const version = "2.33.0";
                const url = `https://download.clis.cloud.ibm.com/ibm-cloud-cli-dn/${version}/binaries/IBM_Cloud_CLI_${version}_linux_amd64.tgz`;
                fs.writeFileSync(path.join(dir, "work", pinsFile), JSON.stringify({ cli: { version, platform: "linux64", sha256 }, containerServicePlugin: { version: "1.0.700" } }));
                fs.writeFileSync(path.join(dir, "metadata.json"), JSON.stringify([{ version, binaries: { linux64: { url, sha256_checksum: tamper === "metadata" ? "f".repeat(64) : sha256 } } }]));
                if (tamper === "archive") {
                    fs.appendFileSync(path.join(dir, "archive.tgz"), "x");
                }
                const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
                // curl -fsSL -o <file> <url>: the metadata or the archive, by URL.
                stub("curl", `echo "curl $4" >> "${dir}/calls"; case "$4" in *all_versions.json) cp "${dir}/metadata.json" "$3";; ${url}) cp "${dir}/archive.tgz" "$3";; *) exit 22;; esac`);
                stub("npx", `shift 2; exec "${process.execPath}" -r ts-node/register/transpile-only "$@"`);
                stub("sudo", `echo "sudo $*" >> "${dir}/calls"`);
                stub("ibmcloud", `echo "IBMCLOUD_HOME=$IBMCLOUD_HOME ibmcloud $*" >> "${dir}/calls"`);
                const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step?.run ?? ""], {
                    cwd: path.join(dir, "work"), encoding: "utf8",
                    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir, RUNNER_TEMP: dir, TS_NODE_PROJECT: path.join(repoRoot, "tsconfig.json"), ...step?.env, STACK: "prod" },
                });
                const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8") : "";
                return { status: result.status, output: result.stdout + result.stderr, calls, unpacked: fs.existsSync(path.join(dir, "Bluemix_CLI")), dir };
            }

            const good = install("none");
            assert.equal(good.status, 0, good.output);
            assert.match(good.calls, /sudo install .*Bluemix_CLI\/bin\/ibmcloud \/usr\/local\/bin\/ibmcloud/);
            // components/ibm/scripts/cli-home.ts links every run's .bluemix/plugins to <stack home>/.bluemix/plugins,
            // with the stack home .ibmcloud/<stack> (components/ibm/ibmcloud-cli.ts stackCliHome).
            assert.ok(good.calls.includes(`IBMCLOUD_HOME=${fs.realpathSync(path.join(good.dir, "work"))}/.ibmcloud/prod ibmcloud plugin install container-service -v 1.0.700 -f`)
                || good.calls.includes(`IBMCLOUD_HOME=${path.join(good.dir, "work")}/.ibmcloud/prod ibmcloud plugin install container-service -v 1.0.700 -f`), good.calls);
            const tampered = install("archive");
            assert.notEqual(tampered.status, 0);
            assert.match(tampered.output, /FAILED/);
            assert.equal(tampered.unpacked, false, "nothing of a tampered archive is unpacked");
            assert.doesNotMatch(tampered.calls, /sudo|ibmcloud plugin/);
            const otherMetadata = install("metadata");
            assert.notEqual(otherMetadata.status, 0);
            assert.match(otherMetadata.output, /refusing it/);
            assert.doesNotMatch(otherMetadata.calls, /IBM_Cloud_CLI/, "the archive is not even downloaded");
        });
    });

    describe("interrupted runs: stale locks and pending Helm releases (scripts/ci/recovery.ts)", () => {
        const fixture = (name: string) => fs.readFileSync(path.join(fixtureDir, name), "utf8");
        const now = new Date("2026-11-26T12:00:00Z");
        const maxRunSeconds = largestRunSeconds();

        it("reads the locks from Pulumi's lock error, the bucket listing and the lock file", () => {
            const [fromError] = parseLockError(fixture("pulumi-locked.txt"));
            assert.deepEqual({ ...fromError, createdAt: fromError.createdAt.toISOString() }, {
                location: "s3://iks-mesh-state-prod/.pulumi/locks/organization/iks-mesh/prod/5f0e3c1a-6b2d-4e8f-9a71-0c4d2b9e8f10.json",
                user: "runner", host: "fv-az1234-567", pid: 2841, createdAt: "2026-11-26T08:00:00.000Z",
            });
            assert.deepEqual(parseLockError("error: update failed"), []);
            const listed = parseLockListing(fixture("aws-list-locks.json"), "iks-mesh", "prod");
            assert.deepEqual(listed.map((lock) => lock.location), [".pulumi/locks/organization/iks-mesh/prod/5f0e3c1a-6b2d-4e8f-9a71-0c4d2b9e8f10.json"],
                "neither prod-eu's lock nor another project's prod lock counts");
            assert.deepEqual(parseLockListing("", "iks-mesh", "prod"), []);
            assert.deepEqual(parseLockListing('{"RequestCharged": null, "Prefix": ".pulumi/locks/"}', "iks-mesh", "prod"), []);
            const holder = withLockFile(listed[0], fixture("lock-file.json"));
            assert.equal(holder.user, "runner");
            assert.equal(holder.pid, 2841);
            assert.equal(holder.createdAt.toISOString(), "2026-11-26T08:00:00.123Z");
            assert.ok(isLockOf(".pulumi/locks/prod/abc.json", "iks-mesh", "prod"), "legacy non-project layout");
            assert.ok(!isLockOf(".pulumi/stacks/iks-mesh/prod.json", "iks-mesh", "prod"));
        });

        it("reads pending releases from helm list, and nothing else", () => {
            assert.deepEqual(parsePendingReleases(fixture("helm-pending.json")), [
                { name: "istio-ingressgateway", namespace: "istio-system", revision: 4, status: "pending-upgrade" },
                { name: "kiali", namespace: "istio-system", revision: 1, status: "pending-install" },
            ]);
            assert.deepEqual(parsePendingReleases('[{"name":"istiod","namespace":"istio-system","revision":"2","status":"deployed"}]'), []);
            assert.deepEqual(parsePendingReleases(""), []);
            assert.throws(() => parsePendingReleases("{}"), /did not print a list/);
        });

        it("a CI runner's lock on a configured stack is stale at once (its group admits no other CI job), and the recovery is cancel, rollback or uninstall, refresh", () => {
            const plan = planRecovery({
                stack: "prod", locks: parseLockError(fixture("pulumi-locked.txt")), releases: parsePendingReleases(fixture("helm-pending.json")),
                now: new Date("2026-11-26T08:30:00Z"), maxRunSeconds, exclusive: true, ciUser: "runner",
            });
            assert.equal(plan.clean, false);
            assert.equal(plan.recoverable, true);
            assert.deepEqual(plan.commands.map((command) => command.join(" ")), [
                "pulumi cancel --yes --stack prod",
                "helm rollback istio-ingressgateway 3 --namespace istio-system --wait",
                "helm uninstall kiali --namespace istio-system --wait",
                "pulumi refresh --yes --clear-pending-creates --skip-preview --stack prod",
            ]);
            assert.match(plan.report.join("\n"), /locked by runner@fv-az1234-567 \(pid 2841\) since 2026-11-26T08:00:00\.000Z \(30 min ago\)/);
            assert.match(plan.report.join("\n"), /istio-system\/istio-ingressgateway is pending-upgrade at revision 4/);
            assert.match(plan.report.join("\n"), /run the deploy workflow for prod with `recover` checked/);
        });

        it("someone else's fresh lock may be a running operation: reported, never recovered automatically; once older than any run, it is stale", () => {
            const lock = { location: "x", user: "alice", host: "laptop", pid: 7, createdAt: new Date("2026-11-26T11:00:00Z") };
            const fresh = planRecovery({ stack: "prod", locks: [lock], releases: [], now, maxRunSeconds, exclusive: true, ciUser: "runner" });
            assert.equal(fresh.recoverable, false);
            assert.match(fresh.report.join("\n"), /a run may still hold it/);
            assert.match(fresh.report.join("\n"), /If no operation on prod is running .*recover by hand/);
            const old = planRecovery({ stack: "prod", locks: [{ ...lock, createdAt: new Date(now.getTime() - (maxRunSeconds + 60) * 1000) }], releases: [], now, maxRunSeconds, exclusive: true, ciUser: "runner" });
            assert.equal(old.recoverable, true);
            // A demo stack is reached from several groups: a CI lock there may be live.
            const demo = planRecovery({ stack: "demo-pr-3", locks: [{ ...lock, user: "runner" }], releases: [], now, maxRunSeconds, exclusive: false, ciUser: "runner" });
            assert.equal(demo.recoverable, false);
            assert.equal(planRecovery({ stack: "prod", locks: [], releases: [], now, maxRunSeconds, exclusive: true, ciUser: "runner" }).clean, true);
        });

        it("finds the lock files of file:// and s3:// backends (IBM COS endpoint, bucket prefix)", () => {
            assert.deepEqual(backendLocation("s3://iks-mesh-state-prod?endpoint=s3.us-south.cloud-object-storage.appdomain.cloud&s3ForcePathStyle=true"),
                { kind: "s3", root: "iks-mesh-state-prod", prefix: "", endpoint: "https://s3.us-south.cloud-object-storage.appdomain.cloud" });
            assert.deepEqual(backendLocation("s3://bucket/team/state?region=eu-de"), { kind: "s3", root: "bucket", prefix: "team/state/", region: "eu-de" });
            assert.deepEqual(backendLocation("file:///var/state"), { kind: "file", root: "/var/state", prefix: "" });
            assert.throws(() => backendLocation("azblob://x"), /not a backend the CI reads locks from/);
        });
    });

    describe("job timeouts (scripts/ci/job-timeouts.ts)", function () {
        this.timeout(120000);

        it("derive from the config's largest waits and stay within GitHub's 6-hour job limit", () => {
            const budget = stackWaitBudget();
            assert.equal(budget.dnsSeconds, 7200, "iks.dnsTimeoutSeconds' maximum, read from the config reader");
            const minutes = stackJobTimeoutMinutes();
            assert.ok(minutes * 60 >= largestRunSeconds() + budget.setupSeconds);
            assert.ok(minutes <= 360);
            assert.throws(() => stackJobTimeoutMinutes({ ...budget, dnsSeconds: 6 * 3600 }), /more than GitHub's 360-minute job limit/);
        });

        // EnRoute is refused in ambient mode (#25), so the largest shapes are ambient with every other
        // part on (base, istiod, cni, ztunnel, gateway, Kiali) and sidecar with EnRoute: the budget must cover each.
        for (const [shape, config] of [
            ["ambient, IKS, Kiali", { ...iksStackConfig, istio: { dataplane: "ambient" }, kiali: { enabled: true } }],
            ["sidecar, IKS, Kiali, EnRoute", { ...iksStackConfig, kiali: { enabled: true }, enroute: { enabled: true } }],
        ] as const) {
            it(`the Helm budget covers every Release of the largest stack shapes (${shape})`, async () => {
                const run = await runProgram(config, { secretSections: ["iks"], ...iksMocks });
                const releases = run.ofType("kubernetes:helm.sh/v3:Release");
                assert.ok(releases.length >= 5, `${releases.length} releases`);
                const total = releases.reduce((sum, release) => sum + (typeof release.plain.timeout === "number" ? release.plain.timeout : helmDefaultTimeoutSeconds), 0);
                assert.ok(total <= helmBudgetSeconds, `the Releases may wait ${total} s in all; raise helmBudgetSeconds in scripts/ci/job-timeouts.ts`);
            });
        }
    });

    describe("scheduled rotation report (scripts/ci/renewals.ts)", () => {
        it("lists the certificates whose validity moved, and the next to expire", () => {
            const report = renewals(fs.readFileSync(path.join(fixtureDir, "stack-export-before.json"), "utf8"),
                fs.readFileSync(path.join(fixtureDir, "stack-export-after.json"), "utf8"));
            assert.deepEqual(report.renewed, [{ name: "gateway-cert", from: "2026-12-01T00:00:00Z", to: "2027-03-01T05:21:00Z" }]);
            assert.deepEqual(report.unchanged.map((entry) => entry.name), ["mesh-root-ca", "client-cert"]);
            assert.deepEqual(report.nextExpiry, { name: "client-cert", validityEnd: "2027-03-01T00:00:00Z" });
            const summary = renewalSummary("prod", report);
            assert.match(summary, /Renewed 1:\n- `gateway-cert`: valid until 2026-12-01T00:00:00Z → 2027-03-01T05:21:00Z/);
            const none = renewals(fs.readFileSync(path.join(fixtureDir, "stack-export-after.json"), "utf8"), fs.readFileSync(path.join(fixtureDir, "stack-export-after.json"), "utf8"));
            assert.match(renewalSummary("prod", none), /Nothing was due/);
        });
    });

    describe("one state bucket per environment (scripts/ci/state-isolation.ts)", () => {
        const backends = JSON.stringify({
            dev: "s3://iks-mesh-dev?endpoint=s3.us-south.cloud-object-storage.appdomain.cloud",
            prod: "s3://iks-mesh-prod?endpoint=s3.us-south.cloud-object-storage.appdomain.cloud",
            demo: "s3://iks-mesh-demo?endpoint=s3.us-south.cloud-object-storage.appdomain.cloud",
        });

        it("probes every other environment's bucket, and refuses a shared bucket or a missing entry with the fix", () => {
            const plan = planIsolation("dev", "s3://iks-mesh-dev?endpoint=s3.us-south.cloud-object-storage.appdomain.cloud", backends);
            assert.deepEqual(plan.problems, []);
            assert.deepEqual(plan.probes.map((probe) => `${probe.environment}:${probe.bucket}`), ["prod:iks-mesh-prod", "demo:iks-mesh-demo"]);
            const shared = planIsolation("dev", "s3://iks-mesh-prod?endpoint=s3.us-south.cloud-object-storage.appdomain.cloud",
                JSON.stringify({ dev: "s3://iks-mesh-prod", prod: "s3://iks-mesh-prod" }));
            assert.match(shared.problems.join("\n"), /dev and prod keep their state in the same place .*own bucket and an HMAC credential scoped to it/);
            assert.match(planIsolation("staging", "s3://x", backends).problems[0], /STATE_BACKENDS has no entry for staging/);
        });

        it("a probe must be refused for access: a success fails with the fix, and an unrelated error proves nothing", () => {
            assert.equal(probeVerdict("dev", "prod", 254, "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied"), undefined);
            assert.match(String(probeVerdict("dev", "prod", 0, "{}")), /state credential of dev can read prod's bucket: scope its HMAC credential/);
            assert.match(String(probeVerdict("dev", "prod", 255, "Could not connect to the endpoint URL")), /proves nothing/);
        });
    });

    it("the provider plugins installed explicitly are those the locked @pulumi packages declare", () => {
        const scope = path.join(repoRoot, "node_modules", "@pulumi");
        const plugins = providerPlugins(fs.readdirSync(scope).map((name) => path.join(scope, name, "package.json")).filter(fs.existsSync)
            .map((file) => fs.readFileSync(file, "utf8")));
        const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        assert.deepEqual(plugins.map((plugin) => plugin.name), ["command", "kubernetes", "random", "tls"]);
        for (const plugin of plugins) {
            assert.equal(plugin.version, packageJson.dependencies[`@pulumi/${plugin.name}`]);
        }
        assert.throws(() => providerPlugins(['{"pulumi":{"resource":true,"name":"x; rm -rf /","version":"1.0.0"}}']), /unexpected plugin/);
    });

    describe("the runner (scripts/ci/stack-job.ts) against stand-ins for pulumi and gh", function () {
        this.timeout(120000);

        interface Sandbox {
            dir: string;
            /** Runs the job's `main` in this process; `spawned`: as CI does, `ts-node --transpile-only scripts/ci/stack-job.ts <subcommand>`. */
            run: (subcommand: string, env: Record<string, string>, how?: "in-process" | "spawned") =>
                { status: number | null; stdout: string; stderr: string; outputs: Record<string, string> };
            calls: () => string[];
        }

        function sandbox(files: Record<string, string>): Sandbox {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-job-"));
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            for (const [name, content] of Object.entries(files)) {
                fs.writeFileSync(path.join(dir, name), content);
            }
            // pulumi: `stack ls --json` prints stack-ls.json; destroy fails with Pulumi's lock message while
            // the file `locked` holds a positive count; every call is logged.
            fs.writeFileSync(path.join(bin, "pulumi"), [
                "#!/bin/sh",
                `echo "pulumi $*" >> "${dir}/calls"`,
                'if [ "$1 $2 $3" = "stack ls --json" ]; then cat "' + dir + '/stack-ls.json"; exit 0; fi',
                'if [ "$1" = destroy ]; then',
                `  n=$(cat "${dir}/locked" 2>/dev/null || echo 0)`,
                '  if [ "$n" -gt 0 ]; then',
                `    echo $((n - 1)) > "${dir}/locked"`,
                "    echo 'error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.' >&2",
                "    exit 255",
                "  fi",
                `  if [ -f "${dir}/gone" ]; then echo "error: no stack named '$3' found" >&2; exit 255; fi`,
                "fi",
                "exit 0",
            ].join("\n") + "\n", { mode: 0o755 });
            // helm: `list` prints helm.json (`[]` without one); every call is logged.
            fs.writeFileSync(path.join(bin, "helm"), [
                "#!/bin/sh",
                `echo "helm $*" >> "${dir}/calls"`,
                `if [ "$1" = list ]; then cat "${dir}/helm.json" 2>/dev/null || echo "[]"; fi`,
                "exit 0",
            ].join("\n") + "\n", { mode: 0o755 });
            // gh: `pr view N` prints pr-N.json, `pr list` open-prs.json, `pr comment N` keeps the body.
            fs.writeFileSync(path.join(bin, "gh"), [
                "#!/bin/sh",
                `echo "gh $*" >> "${dir}/calls"`,
                `if [ "$1 $2" = "pr view" ]; then cat "${dir}/pr-$3.json"; exit 0; fi`,
                `if [ "$1 $2" = "pr list" ]; then cat "${dir}/open-prs.json"; exit 0; fi`,
                `if [ "$1 $2" = "pr comment" ]; then cat > "${dir}/comment-$3"; exit 0; fi`,
                "exit 1",
            ].join("\n") + "\n", { mode: 0o755 });
            return {
                dir,
                run: (subcommand, env, how = "in-process") => {
                    const output = path.join(dir, "github-output");
                    fs.writeFileSync(output, "");
                    const jobEnv = {
                        PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir,
                        GITHUB_OUTPUT: output, GITHUB_REPOSITORY: "owner/iks-mesh", LOCK_RETRY_SECONDS: "0", ...env,
                    };
                    const result = how === "spawned"
                        ? spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "ci", "stack-job.ts"), subcommand], {
                            cwd: dir, encoding: "utf8",
                            env: { ...jobEnv, NODE_PATH: path.join(repoRoot, "node_modules"), TS_NODE_PROJECT: path.join(repoRoot, "tsconfig.json") },
                        })
                        : runMainSync(() => stackJobMain([subcommand]), jobEnv, dir);
                    const outputs = Object.fromEntries(fs.readFileSync(output, "utf8").split("\n").filter(Boolean)
                        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
                    return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs };
                },
                calls: () => (fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : []),
            };
        }

        const listing = (...names: string[]) => JSON.stringify(names.map((name) => ({ name: `organization/iks-mesh/${name}`, updateInProgress: false })));
        const prJson = (number: number, state: string, labels: string[]) => JSON.stringify({ number, state, labels: labels.map((name) => ({ name })) });

        it("hands the cluster over: waits out the lock, destroys the previous demo with its source config, comments on both PRs", () => {
            const box = sandbox({
                "stack-ls.json": listing("dev", "demo-pr-3"), "pr-7.json": prJson(7, "OPEN", ["demo"]), "locked": "2",
                "Pulumi.dev.yaml": "encryptionsalt: v1:abc\nconfig:\n  iks-mesh:iks:\n    enabled: false\n",
            });
            // As CI starts it (the command line, its exit status and its step outputs); the other cases call main in-process.
            const result = box.run("prepare", { STACK: "demo-pr-7", COMMAND: "up", DEMO_PR: "7", CONFIG_FROM: "dev" }, "spawned");
            assert.equal(result.status, 0, result.stdout + result.stderr);
            assert.equal(result.outputs.run, "true");
            const destroys = box.calls().filter((call) => call.startsWith("pulumi destroy"));
            assert.equal(destroys.length, 3, "two locked attempts, then the destroy");
            assert.match(destroys[2], /--stack demo-pr-3 .*--remove/);
            assert.deepEqual(YAML.parse(fs.readFileSync(path.join(box.dir, "Pulumi.demo-pr-3.yaml"), "utf8")), { config: { "iks-mesh:iks": { enabled: false } } });
            assert.match(fs.readFileSync(path.join(box.dir, "comment-3"), "utf8"), /#7 took over/);
            assert.match(fs.readFileSync(path.join(box.dir, "comment-7"), "utf8"), /handed over to this pull request/);
        });

        it("a demo deploy for a pull request closed meanwhile destroys nothing and does not deploy", () => {
            const box = sandbox({ "stack-ls.json": listing("demo-pr-3"), "pr-7.json": prJson(7, "CLOSED", ["demo"]) });
            const result = box.run("prepare", { STACK: "demo-pr-7", COMMAND: "up", DEMO_PR: "7", CONFIG_FROM: "" });
            assert.equal(result.status, 0, result.stderr);
            assert.equal(result.outputs.run, "false");
            assert.match(result.stdout, /::notice::#7 is closed/);
            assert.deepEqual(box.calls().filter((call) => call.startsWith("pulumi destroy")), []);
        });

        it("a cleanup that finds its stack removed by a hand-over while it waited succeeds", () => {
            const box = sandbox({ "stack-ls.json": listing("demo-pr-3"), "locked": "1", "gone": "" });
            const result = box.run("prepare", { STACK: "demo-pr-3", COMMAND: "destroy", CONFIG_FROM: "" });
            assert.equal(result.status, 0, result.stdout + result.stderr);
            assert.match(result.stdout, /already removed by another job/);
            assert.equal(result.outputs.run, "false");
        });

        it("gives up on a lock that does not go away, naming the fix", () => {
            const box = sandbox({ "stack-ls.json": listing("demo-pr-3"), "locked": "99" });
            // Spawned: a failed job must reach CI as exit status 1.
            const result = box.run("prepare", { STACK: "demo-pr-3", COMMAND: "destroy", CONFIG_FROM: "", LOCK_WAIT_SECONDS: "0" }, "spawned");
            assert.equal(result.status, 1);
            assert.match(result.stdout, /::error::demo-pr-3 stayed locked for 0 s/);
        });

        /** A file:// backend holding one lock of prod, written by `user` `ageMinutes` ago. */
        function lockedBackend(box: Sandbox, user: string, ageMinutes: number): string {
            const state = path.join(box.dir, "state");
            const lockDir = path.join(state, ".pulumi", "locks", "organization", "iks-mesh", "prod");
            fs.mkdirSync(lockDir, { recursive: true });
            const timestamp = new Date(Date.now() - ageMinutes * 60_000).toISOString();
            fs.writeFileSync(path.join(lockDir, "5f0e3c1a.json"), JSON.stringify({ pid: 2841, username: user, hostname: "fv-az1234-567", timestamp }));
            return `file://${state}`;
        }

        it("check: an update stops before running, naming the stale lock, the pending release and the recovery", () => {
            const box = sandbox({ "Pulumi.yaml": "name: iks-mesh\n", "helm.json": fs.readFileSync(path.join(fixtureDir, "helm-pending.json"), "utf8") });
            const backend = lockedBackend(box, os.userInfo().username, 5);
            const result = box.run("check", { STACK: "prod", COMMAND: "up", PULUMI_BACKEND_URL: backend });
            assert.equal(result.status, 1, result.stdout + result.stderr);
            assert.match(result.stdout, /::error title=prod needs recovery::stack prod is locked by /);
            assert.match(result.stdout, /pulumi cancel --yes --stack prod\n\s+helm rollback istio-ingressgateway 3 --namespace istio-system --wait/);
            assert.ok(box.calls().includes("helm list --all-namespaces --pending --output json"));
            assert.ok(!box.calls().some((call) => /cancel|rollback|uninstall/.test(call)), "a check changes nothing");
            const preview = box.run("check", { STACK: "prod", COMMAND: "preview", PULUMI_BACKEND_URL: backend });
            assert.equal(preview.status, 0, "a preview takes no lock: it only warns");
            assert.match(preview.stdout, /::warning title=prod needs recovery::/);
            const destroy = box.run("check", { STACK: "prod", COMMAND: "destroy", PULUMI_BACKEND_URL: backend });
            assert.equal(destroy.status, 0, "a destroy waits for a live lock itself instead of failing here");
            const clean = sandbox({ "Pulumi.yaml": "name: iks-mesh\n" });
            const ok = clean.run("check", { STACK: "prod", COMMAND: "up", PULUMI_BACKEND_URL: `file://${clean.dir}` });
            assert.equal(ok.status, 0, ok.stdout + ok.stderr);
            assert.match(ok.stdout, /no lock and no pending Helm release/);
        });

        it("recover: runs cancel, rollback or uninstall and refresh for a CI run's lock; refuses someone's fresh lock", () => {
            const box = sandbox({ "Pulumi.yaml": "name: iks-mesh\n", "helm.json": fs.readFileSync(path.join(fixtureDir, "helm-pending.json"), "utf8") });
            const result = box.run("recover", { STACK: "prod", PULUMI_BACKEND_URL: lockedBackend(box, os.userInfo().username, 5) });
            assert.equal(result.status, 0, result.stdout + result.stderr);
            assert.deepEqual(box.calls().filter((call) => !call.startsWith("helm list")), [
                "pulumi cancel --yes --stack prod",
                "helm rollback istio-ingressgateway 3 --namespace istio-system --wait",
                "helm uninstall kiali --namespace istio-system --wait",
                "pulumi refresh --yes --clear-pending-creates --skip-preview --stack prod",
            ]);
            assert.match(result.stdout, /::notice::prod recovered/);
            const busy = sandbox({ "Pulumi.yaml": "name: iks-mesh\n" });
            const refused = busy.run("recover", { STACK: "prod", PULUMI_BACKEND_URL: lockedBackend(busy, "alice", 5) });
            assert.equal(refused.status, 1);
            assert.match(refused.stdout, /::error::refusing to recover prod: a lock may belong to a running operation/);
            assert.ok(!busy.calls().some((call) => call.startsWith("pulumi cancel")));
        });

        it("a demo destroy fails at once on a lock older than any run, instead of waiting for it", () => {
            const box = sandbox({ "stack-ls.json": listing("demo-pr-3"), "locked": "99" });
            // The stand-in's lock message carries no holder line; the real one does (pulumi-locked.txt):
            // feed that, dated long ago.
            fs.writeFileSync(path.join(box.dir, "bin", "pulumi"), [
                "#!/bin/sh",
                `echo "pulumi $*" >> "${box.dir}/calls"`,
                `if [ "$1 $2 $3" = "stack ls --json" ]; then cat "${box.dir}/stack-ls.json"; exit 0; fi`,
                `if [ "$1" = destroy ]; then sed 's/2026-11-26T08:00:00Z/2020-01-01T00:00:00Z/' "${path.join(fixtureDir, "pulumi-locked.txt")}" >&2; exit 255; fi`,
                "exit 0",
            ].join("\n") + "\n", { mode: 0o755 });
            const result = box.run("prepare", { STACK: "demo-pr-3", COMMAND: "destroy", CONFIG_FROM: "" });
            assert.equal(result.status, 1);
            assert.match(result.stdout, /::error::demo-pr-3 is locked by an interrupted run/);
            assert.equal(box.calls().filter((call) => call.startsWith("pulumi destroy")).length, 1, "no waiting on a dead lock");
        });

        it("bootstraps a missing stack with the passphrase provider, and leaves an existing one alone", () => {
            const missing = sandbox({ "stack-ls.json": listing("dev") });
            assert.equal(missing.run("prepare", { STACK: "prod", COMMAND: "init" }).status, 0);
            assert.ok(missing.calls().includes("pulumi stack init prod --secrets-provider passphrase --non-interactive"));
            const present = sandbox({ "stack-ls.json": listing("dev", "prod") });
            const result = present.run("prepare", { STACK: "prod", COMMAND: "init" });
            assert.equal(result.status, 0);
            assert.match(result.stdout, /::notice::stack prod already exists/);
            assert.ok(!present.calls().some((call) => call.includes("stack init")));
        });

        it("the sweep lists what to destroy from the live stacks and open labelled pull requests", () => {
            const box = sandbox({
                "stack-ls.json": JSON.stringify([
                    { name: "dev", lastUpdate: "2020-01-01T00:00:00Z" },
                    { name: "demo-pr-3", lastUpdate: new Date(Date.now() - 3_600_000).toISOString() },
                    { name: "demo-pr-5", lastUpdate: new Date().toISOString() },
                ]),
                "open-prs.json": JSON.stringify([{ number: 5 }]),
            });
            const result = box.run("sweep", { MAX_AGE_HOURS: "24" });
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(JSON.parse(result.outputs.stacks), ["demo-pr-3"]);
            assert.ok(box.calls().includes("gh pr list --repo owner/iks-mesh --label demo --state open --json number --limit 1000"));
        });

        it("settings: writes iks-enabled for the stack, creating a demo stack's file from its source", () => {
            const box = sandbox({ "Pulumi.dev.yaml": "config:\n  iks-mesh:iks:\n    enabled: true\n" });
            const result = box.run("settings", { STACK: "demo-pr-12", CONFIG_FROM: "dev" });
            assert.equal(result.status, 0, result.stderr);
            assert.equal(result.outputs["iks-enabled"], "true");
            assert.ok(fs.existsSync(path.join(box.dir, "Pulumi.demo-pr-12.yaml")));
        });
    });
});
