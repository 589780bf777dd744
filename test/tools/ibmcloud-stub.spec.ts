// The stand-ins' transport must be invisible: a call of the stub `ibmcloud` through its bash shim and the
// stand-in server (test/support/stand-ins.ts, test/fixtures/stand-in-server.js) receives its arguments and
// gives its output and exit status exactly as a process of its own would, reads its stdin when it prompts,
// and a killed call changes nothing.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as path from "path";
import { IbmCloudStub, ScriptRun, runProcess } from "../fixtures/ibmcloud-stub/stub";
import { cluster, scenario } from "../support/ibm-scripts";

describe("the stub ibmcloud's shim and server", function () {
    const stubs: IbmCloudStub[] = [];
    const newStub = (...args: ConstructorParameters<typeof IbmCloudStub>) => {
        const stub = new IbmCloudStub(...args);
        stubs.push(stub);
        return stub;
    };
    after(() => stubs.forEach((stub) => stub.remove()));

    const call = (stub: IbmCloudStub, args: string[], env: NodeJS.ProcessEnv = stub.environment({}), input?: string) =>
        new Promise<ScriptRun>((resolve) => {
            const child = spawn(path.join(stub.binDir, "ibmcloud"), args, { env, cwd: stub.workDir });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            child.on("close", (code) => resolve({ code, stdout, stderr }));
            child.stdin.end(input ?? "");
        });

    it("passes arguments with spaces, newlines, empty ones and printf's own characters through unchanged, and prints the answer exactly", async () => {
        const stub = newStub(scenario("classic"));
        const args = ["ks", "a b", "", "x\ny", "%s\\n%", "-- end", "tail  "];
        const result = await call(stub, args);
        assert.equal(result.code, 2, "the stub's exit status for a command it does not answer");
        assert.equal(result.stdout, `FAILED\n'ibmcloud ${args.join(" ")}' is not stubbed\n`);
        assert.deepEqual(stub.calls().map((recorded) => recorded.argv), [args]);
    });

    it("hands over only the IBMCLOUD_* environment, which is all the stub reads", async () => {
        const stub = newStub(scenario("classic"));
        const withKey = await call(stub, ["target"], { ...stub.environment({ IBMCLOUD_API_KEY: "k" }), OTHER: "x" });
        const without = await call(stub, ["target"], stub.environment({ IBMCLOUD_HOME: path.join(stub.dir, "home") }));
        assert.equal(withKey.code, 0, withKey.stdout);
        assert.equal(without.code, 1, "a home of its own is not logged in");
        assert.deepEqual(stub.calls().map((recorded) => [recorded.apiKeyInEnvironment, recorded.home, recorded.color]),
            [[true, "default", "false"], [false, path.join(stub.dir, "home"), "false"]]);
    });

    it("a relative IBMCLOUD_HOME is the caller's, resolved against its working directory", async () => {
        const stub = newStub(scenario("classic", { newHomePlugins: ["container-service"] }));
        const env = stub.environment({ IBMCLOUD_HOME: "relative-home", IBMCLOUD_API_KEY: scenario("classic").validApiKey ?? "" });
        assert.equal((await call(stub, ["login", "-r", "us-south", "-q"], env)).code, 0);
        assert.equal((await runProcess(path.join(stub.binDir, "ibmcloud"), ["ks", "cluster", "get", "--cluster", cluster, "--output", "json"], env, stub.workDir)).code, 0,
            "the session the login wrote under the working directory");
        assert.equal((await runProcess(path.join(stub.binDir, "ibmcloud"), ["ks", "cluster", "get", "--cluster", cluster, "--output", "json"], env, stub.dir)).code, 1,
            "another directory's relative-home has no session");
    });

    it("a prompt reads the caller's stdin: `y` confirms, `n` cancels, a closed stdin fails", async () => {
        const state = scenario("classic");
        const subdomain = state.nlb[cluster][0].subdomain;
        const stub = newStub(state);
        const args = ["ks", "nlb-dns", "secret", "rm", "--cluster", cluster, "--nlb-subdomain", subdomain];
        const cancelled = await call(stub, args, undefined, "n\n");
        assert.match(cancelled.stdout, /\[y\/N\]> Cancelled\.\nOK\n$/);
        assert.equal(stub.state().nlb[cluster][0].secretStatus, "created");
        const closed = await call(stub, args, undefined, "");
        assert.equal(closed.code, 1);
        assert.match(closed.stdout, /Could not read from input: EOF/);
        const confirmed = await call(stub, args, undefined, "yes\n");
        assert.equal(confirmed.code, 0, confirmed.stdout);
        assert.equal(stub.state().nlb[cluster][0].secretStatus, "deleted");
    });

    it("a call killed during its round trip changes nothing and holds no lock", async () => {
        const stub = newStub(scenario("classic"));
        const env = stub.environment({ IBMCLOUD_HOME: path.join(stub.dir, "home"), IBMCLOUD_STUB_LATENCY_MS: "600", IBMCLOUD_API_KEY: scenario("classic").validApiKey ?? "" });
        const login = spawn(path.join(stub.binDir, "ibmcloud"), ["login", "-r", "us-south", "-q"], { env, cwd: stub.workDir, stdio: "ignore" });
        await new Promise((resolve) => setTimeout(resolve, 150));
        login.kill("SIGKILL");
        await new Promise((resolve) => setTimeout(resolve, 700));
        assert.deepEqual(stub.calls(), [], "no call recorded");
        assert.equal(stub.state().homes[path.join(stub.dir, "home")], undefined, "no state written");
        const next = await call(stub, ["ks", "cluster", "get", "--cluster", cluster, "--output", "json"], { ...env, IBMCLOUD_STUB_LATENCY_MS: "0" });
        assert.match(next.stdout, /Not logged in/, "answered (the lock is free), and the killed login left no session");
    });
});
