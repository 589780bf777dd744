// `npm run verify -- --backup-check`: the first step of the backup recipe (docs/operations.md, "Back up")
// works on this stack: mysqldump, run inside the MySQL pod with the root password from the pod's own
// environment, connects and dumps. `--no-data` keeps it to the schema, so the check moves kilobytes, not the
// database; everything else about the command is the recipe's.
import { StackConfig } from "../../components/config/schema";
import { mysqlNames, sampleNamespaces } from "../../components/inventory";
import { CheckResult, fail, pass, skip } from "./report";

export const backupCheckId = "backup-dump";

/** The recipe's dump command (docs/operations.md), schema only. The password never leaves the pod. */
export const backupDumpScript = 'exec mysqldump --no-data --single-transaction --all-databases -uroot -p"$MYSQL_ROOT_PASSWORD"';

/** kubectl arguments: exec into MySQL's Deployment and container, as the recipe does. */
export function backupCheckArgs(): string[] {
    return ["-n", sampleNamespaces.wordpress, "exec", `deploy/${mysqlNames.deployment}`, "-c", "mysql", "--", "sh", "-c", backupDumpScript];
}

export function skipBackup(config: StackConfig): CheckResult | undefined {
    return config.wordpress.enabled ? undefined : skip(backupCheckId, "wordpress.enabled is false: there is no database to back up");
}

/**
 * mysqldump ends a complete dump with `-- Dump completed on <date>` (mysql-server client/mysqldump.cc,
 * write_footer, comments and dump date on by default), and reports a failed connection on stderr as
 * `mysqldump: Got error: <errno>: <message> when trying to connect` (dbConnect → DB_error) with a non-zero
 * exit. A zero exit without the footer is a dump cut short, and fails too.
 */
export function decideBackup(answer: { code: number; stdout: string; stderr: string }): CheckResult {
    const problem = answer.stderr.split("\n").map((line) => line.trim())
        .find((line) => line !== "" && !line.includes('Using a password on the command line interface can be insecure'));
    if (answer.code !== 0) {
        return fail(backupCheckId, `mysqldump in ${sampleNamespaces.wordpress}/deploy/${mysqlNames.deployment} exited ${answer.code}: ${problem ?? "no message"}`);
    }
    if (!/^-- Dump completed( on .*)?$/m.test(answer.stdout)) {
        return fail(backupCheckId, "mysqldump exited 0 but its output has no \"-- Dump completed\" footer: the dump was cut short");
    }
    const databases = [...answer.stdout.matchAll(/^CREATE DATABASE \/\*!32312 IF NOT EXISTS\*\/ `([^`]+)`/gm)].map((match) => match[1]);
    return pass(backupCheckId, `mysqldump connects as root and dumps the schema of ${databases.length} database${databases.length === 1 ? "" : "s"}` +
        `${databases.length > 0 ? ` (${databases.join(", ")})` : ""}: the recipe's first step works`);
}
