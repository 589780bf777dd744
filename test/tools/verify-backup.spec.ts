// `npm run verify -- --backup-check`: the backup recipe's first step, decided on recorded mysqldump answers
// (test/fixtures/verify/README.md names their source), and kept identical to the recipe in docs/operations.md.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig } from "../../components/config/parse";
import { parseVerifyArgs } from "../../scripts/verify/args";
import { backupCheckArgs, backupDumpScript, decideBackup, skipBackup } from "../../scripts/verify/backup";
import { projectRoot } from "../harness/program";

const fixtures = path.join(__dirname, "..", "fixtures", "verify");
const schemaDump = fs.readFileSync(path.join(fixtures, "mysqldump-schema.sql"), "utf8");
const passwordWarning = "mysqldump: [Warning] Using a password on the command line interface can be insecure.\n";

describe("verify --backup-check", () => {
    it("is off unless asked for", () => {
        assert.equal((parseVerifyArgs(["--stack", "dev"]) as { backupCheck: boolean }).backupCheck, false);
        assert.equal((parseVerifyArgs(["--stack", "dev", "--backup-check"]) as { backupCheck: boolean }).backupCheck, true);
        assert.equal((parseVerifyArgs(["--backup-check", "--stack=dev"]) as { backupCheck: boolean }).backupCheck, true);
    });

    it("runs the recipe's own dump command, schema only, in MySQL's Deployment and container", () => {
        const operations = fs.readFileSync(path.join(projectRoot, "docs", "operations.md"), "utf8");
        const recipe = /^kubectl -n wordpress exec deploy\/mysql -c mysql -- sh -c '(exec mysqldump [^']*)' > wordpress\.sql$/m.exec(operations);
        assert.ok(recipe, "docs/operations.md has no mysqldump step");
        assert.equal(backupDumpScript, recipe[1].replace("mysqldump ", "mysqldump --no-data "));
        assert.deepEqual(backupCheckArgs().slice(0, 8), ["-n", "wordpress", "exec", "deploy/mysql", "-c", "mysql", "--", "sh"]);
        assert.ok(!(/-p[A-Za-z0-9]/.exec(backupCheckArgs().join(" "))), "no password on kubectl's command line");
    });

    it("passes on a complete dump, naming its databases", () => {
        const result = decideBackup({ code: 0, stdout: schemaDump, stderr: passwordWarning });
        assert.equal(result.status, "PASS", result.reason);
        assert.match(result.reason, /schema of 1 database \(wordpress\)/);
    });

    it("fails on a refused connection with mysqldump's own message, not its password warning", () => {
        const stderr = `${passwordWarning}mysqldump: Got error: 1045: Access denied for user 'root'@'localhost' (using password: YES) when trying to connect\n`;
        const result = decideBackup({ code: 2, stdout: "", stderr });
        assert.equal(result.status, "FAIL");
        assert.match(result.reason, /exited 2: mysqldump: Got error: 1045: Access denied .* when trying to connect$/);
    });

    it("fails on a dump cut short (exit 0, no footer) and on kubectl's own failure", () => {
        const cut = schemaDump.slice(0, schemaDump.indexOf("-- Dump completed"));
        assert.equal(decideBackup({ code: 0, stdout: cut, stderr: "" }).status, "FAIL");
        const noPod = decideBackup({ code: 1, stdout: "", stderr: "Error from server (NotFound): deployments.apps \"mysql\" not found\n" });
        assert.equal(noPod.status, "FAIL");
        assert.match(noPod.reason, /NotFound/);
    });

    it("skips a stack without WordPress", () => {
        assert.equal(skipBackup(parseStackConfig({}))?.status, undefined);
        assert.equal(skipBackup(parseStackConfig({ wordpress: { enabled: false } }))?.status, "SKIP");
    });
});
