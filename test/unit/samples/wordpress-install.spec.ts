// The install Job's script, run for real in a POSIX shell with a stand-in `wp` that logs its argv and
// stdin: an installed site is never reinstalled, a fresh one is installed once with the password on stdin
// (never in argv), and a failed install fails the pod (so the Job retries). Plus the pod template's
// hardening and the way the password reaches it.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import {
    restrictedContainerSecurity, wordpressAdminSecret, wordpressInstallJobSpec, wordpressInstallScript,
} from "../../../components/samples/wordpress-install";

const password = "s3cr3tPassw0rdFromTheSecret";

interface Outcome { status: number; wpCalls: string[]; stdin: string; wgetCalls: string[] }

describe("WordPress install Job: the script under a real shell", function () {
    this.timeout(20000);
    let dir: string;
    before(() => {
        dir = mkdtempSync(join(tmpdir(), "wp-install-"));
        mkdirSync(join(dir, "bin"));
        // Stand-in wp: `core is-installed` answers per $INSTALLED (WP-CLI exits 0 when installed, 1 when
        // not: wp-cli/core-command Core_Command::is_installed); `core install` logs its stdin and exits per $INSTALL_STATUS.
        writeFileSync(join(dir, "bin", "wp"), [
            "#!/bin/sh",
            `printf '%s\\n' "$*" >> "${dir}/wp-calls"`,
            'if [ "$1 $2" = "core is-installed" ]; then [ "$INSTALLED" = yes ]; exit $?; fi',
            `cat > "${dir}/stdin"`,
            'exit "${INSTALL_STATUS:-0}"',
        ].join("\n"));
        writeFileSync(join(dir, "bin", "wget"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${dir}/wget-calls"\n`);
        chmodSync(join(dir, "bin", "wp"), 0o755);
        chmodSync(join(dir, "bin", "wget"), 0o755);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    function run(script: string, env: Record<string, string>): Outcome {
        for (const file of ["wp-calls", "stdin", "wget-calls"]) {
            rmSync(join(dir, file), { force: true });
        }
        let status = 0;
        try {
            // `cd /site` is the pod's scratch volume; here a function stands in for it (`command cd` is POSIX).
            execFileSync("/bin/sh", ["-c", `cd() { command cd "${dir}"; }\n${script}`], {
                env: {
                    PATH: `${join(dir, "bin")}:/usr/bin:/bin`, WORDPRESS_ADMIN_PASSWORD: password, WORDPRESS_SITE_URL: "https://mesh.example.com",
                    WORDPRESS_SITE_TITLE: "iks-mesh", WORDPRESS_ADMIN_USER: "mesh-admin", WORDPRESS_ADMIN_EMAIL: "a@example.com", ...env,
                },
                stdio: ["ignore", "pipe", "pipe"],
            });
        } catch (error) {
            status = (error as { status: number }).status;
        }
        const read = (file: string) => { try { return readFileSync(join(dir, file), "utf8"); } catch { return ""; } };
        return { status, wpCalls: read("wp-calls").split("\n").filter(Boolean), stdin: read("stdin"), wgetCalls: read("wget-calls").split("\n").filter(Boolean) };
    }

    it("never reinstalls an installed site (a second up, a replaced Job, a restored database)", () => {
        const outcome = run(wordpressInstallScript(false), { INSTALLED: "yes" });
        assert.equal(outcome.status, 0);
        assert.deepEqual(outcome.wpCalls, ["core is-installed"]);
    });

    it("installs a fresh site once, with the password on stdin and in no argument", () => {
        const outcome = run(wordpressInstallScript(false), { INSTALLED: "no" });
        assert.equal(outcome.status, 0);
        assert.equal(outcome.wpCalls.length, 2);
        assert.match(outcome.wpCalls[1], /^core install --url=https:\/\/mesh\.example\.com --title=iks-mesh --admin_user=mesh-admin .*--skip-email --prompt=admin_password$/);
        assert.equal(outcome.stdin, password, "WP-CLI's --prompt reads it from stdin");
        assert.ok(!outcome.wpCalls.some((call) => call.includes(password)), "not in argv (ps, /proc/<pid>/cmdline)");
        assert.ok(!wordpressInstallScript(true).includes(password));
    });

    it("fails the pod when the install fails, so the Job retries; and stops the classic sidecar either way", () => {
        const failed = run(wordpressInstallScript(true), { INSTALLED: "no", INSTALL_STATUS: "3" });
        assert.equal(failed.status, 3);
        assert.deepEqual(failed.wgetCalls, ["-q -O /dev/null --post-data= http://127.0.0.1:15020/quitquitquit"]);
        const done = run(wordpressInstallScript(true), { INSTALLED: "yes" });
        assert.equal(done.status, 0);
        assert.equal(done.wgetCalls.length, 1);
        assert.ok(!wordpressInstallScript(false).includes("quitquitquit"), "no sidecar in ambient mode");
    });
});

describe("WordPress install Job: the pod template", () => {
    const spec = wordpressInstallJobSpec({
        stableImage: "wordpress:7.1.0-php8.3-apache", cliImage: "wordpress:cli-2.12.0-php8.3", serviceAccountName: "wordpress",
        wordpressEnv: [{ name: "WORDPRESS_DB_HOST", value: "mysql" }], siteUrl: "https://mesh.example.com", stopSidecar: true, annotations: {},
    });
    const pod = spec.template;

    it("is never a backend of the WordPress Service (its pods carry another app label)", () => {
        assert.notEqual(pod.metadata.labels.app, "wordpress");
    });

    it("runs every container non-root, without privilege escalation or capabilities, under RuntimeDefault seccomp", () => {
        assert.deepEqual(pod.spec.securityContext.seccompProfile, { type: "RuntimeDefault" });
        assert.equal(pod.spec.securityContext.runAsNonRoot, true);
        assert.equal(pod.spec.automountServiceAccountToken, false, "it never calls the Kubernetes API");
        for (const container of [...pod.spec.initContainers, ...pod.spec.containers]) {
            assert.deepEqual(container.securityContext, restrictedContainerSecurity, container.name);
            assert.equal(container.securityContext.allowPrivilegeEscalation, false);
            assert.deepEqual(container.securityContext.capabilities.drop, ["ALL"]);
        }
    });

    it("takes the admin password from the Secret by reference, never as a value", () => {
        const env = pod.spec.containers[0].env ?? [];
        const passwordEnv = env.find((entry) => entry.name === "WORDPRESS_ADMIN_PASSWORD");
        assert.deepEqual(passwordEnv, { name: "WORDPRESS_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: wordpressAdminSecret.name, key: wordpressAdminSecret.key } } });
        assert.equal(env.find((entry) => entry.name === "WORDPRESS_SITE_URL")?.value, "https://mesh.example.com");
    });
});
