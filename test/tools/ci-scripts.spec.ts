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
import { publishedArchive } from "../../scripts/ci/ibmcloud-cli-release";
import { parseStackList, StackSummary } from "../../scripts/ci/stack-list";
import { isNoSuchStack, isStackLocked, planStackJob } from "../../scripts/ci/stack-plan";
import { configOnlyCopy, readStackSettings, stackFileName } from "../../scripts/ci/stack-settings";

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

        it("stack.yml's install step installs a matching archive and stops at a tampered one before unpacking it", function () {
            if (spawnSync("bash", ["-c", "command -v sha256sum tar"]).status !== 0) {
                this.skip();
            }
            const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, ".github", "workflows", "stack.yml"), "utf8")) as {
                jobs: { pulumi: { steps: { name?: string; run?: string; env?: Record<string, string> }[] } };
            };
            const step = doc.jobs.pulumi.steps.find((candidate) => (candidate.run ?? "").includes("ibmcloud plugin install"));
            assert.ok(step?.run && step.env);
            const version = step.env.IBMCLOUD_CLI_VERSION;

            function install(tamper: boolean) {
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ibmcloud-install-"));
                const bin = path.join(dir, "bin");
                fs.mkdirSync(path.join(dir, "archive", "Bluemix_CLI", "bin"), { recursive: true });
                fs.mkdirSync(bin);
                fs.writeFileSync(path.join(dir, "archive", "Bluemix_CLI", "bin", "ibmcloud"), "#!/bin/sh\n", { mode: 0o755 });
                spawnSync("tar", ["-czf", path.join(dir, "archive.tgz"), "-C", path.join(dir, "archive"), "Bluemix_CLI"]);
                const sha256 = spawnSync("sha256sum", [path.join(dir, "archive.tgz")], { encoding: "utf8" }).stdout.split(" ")[0];
                const url = `https://download.clis.cloud.ibm.com/ibm-cloud-cli-dn/${version}/binaries/IBM_Cloud_CLI_${version}_linux_amd64.tgz`;
                fs.writeFileSync(path.join(dir, "metadata.json"), JSON.stringify([{ version, binaries: { linux64: { url, sha256_checksum: sha256 } } }]));
                if (tamper) {
                    fs.appendFileSync(path.join(dir, "archive.tgz"), "x");
                }
                const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
                // curl -fsSL -o <file> <url>: the metadata or the archive, by URL.
                stub("curl", `echo "curl $4" >> "${dir}/calls"; case "$4" in *all_versions.json) cp "${dir}/metadata.json" "$3";; ${url}) cp "${dir}/archive.tgz" "$3";; *) exit 22;; esac`);
                stub("npx", `shift 2; exec "${process.execPath}" -r ts-node/register/transpile-only "$@"`);
                stub("sudo", `echo "sudo $*" >> "${dir}/calls"`);
                stub("ibmcloud", `echo "ibmcloud $*" >> "${dir}/calls"`);
                const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step?.run ?? ""], {
                    cwd: repoRoot, encoding: "utf8",
                    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir, RUNNER_TEMP: dir, ...step?.env },
                });
                const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8") : "";
                return { status: result.status, output: result.stdout + result.stderr, calls, unpacked: fs.existsSync(path.join(dir, "Bluemix_CLI")) };
            }

            const good = install(false);
            assert.equal(good.status, 0, good.output);
            assert.match(good.calls, /sudo install .*Bluemix_CLI\/bin\/ibmcloud \/usr\/local\/bin\/ibmcloud/);
            assert.match(good.calls, /ibmcloud plugin install container-service -f/);
            const tampered = install(true);
            assert.notEqual(tampered.status, 0);
            assert.match(tampered.output, /FAILED/);
            assert.equal(tampered.unpacked, false, "nothing of a tampered archive is unpacked");
            assert.doesNotMatch(tampered.calls, /sudo|ibmcloud plugin/);
        });

        it("the workflow pins a version the check accepts, and checks the download before unpacking it", () => {
            const stackWorkflow = fs.readFileSync(path.join(repoRoot, ".github", "workflows", "stack.yml"), "utf8");
            const install = /IBMCLOUD_CLI_VERSION: ([\d.]+)[\s\S]*?ibmcloud version/.exec(stackWorkflow);
            assert.ok(install, "stack.yml installs a pinned ibmcloud CLI");
            const script = install[0];
            assert.ok(script.indexOf("sha256sum --check") < script.indexOf("tar -xzf"), "checksum before unpacking");
            assert.match(script, /ibm-cloud-cli-metadata-dn\/all_versions\.json/);
        });
    });

    describe("the runner (scripts/ci/stack-job.ts) against stand-ins for pulumi and gh", function () {
        this.timeout(120000);

        interface Sandbox {
            dir: string;
            run: (subcommand: string, env: Record<string, string>) => { status: number | null; stdout: string; stderr: string; outputs: Record<string, string> };
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
                run: (subcommand, env) => {
                    const output = path.join(dir, "github-output");
                    fs.writeFileSync(output, "");
                    const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "ci", "stack-job.ts"), subcommand], {
                        cwd: dir, encoding: "utf8",
                        env: {
                            PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir, NODE_PATH: path.join(repoRoot, "node_modules"),
                            TS_NODE_PROJECT: path.join(repoRoot, "tsconfig.json"),
                            GITHUB_OUTPUT: output, GITHUB_REPOSITORY: "owner/iks-mesh", LOCK_RETRY_SECONDS: "0", ...env,
                        },
                    });
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
            const result = box.run("prepare", { STACK: "demo-pr-7", COMMAND: "up", DEMO_PR: "7", CONFIG_FROM: "dev" });
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
            const result = box.run("prepare", { STACK: "demo-pr-3", COMMAND: "destroy", CONFIG_FROM: "", LOCK_WAIT_SECONDS: "0" });
            assert.equal(result.status, 1);
            assert.match(result.stdout, /::error::demo-pr-3 stayed locked .*delete it under \.pulumi\/locks\//);
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
