// docs/operations.md "Day two": every command names what the program really deploys and reads, the way
// test/tools/readme.spec.ts checks the README.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { mysqlNames, sampleNamespaces, wordpressNames } from "../../components/inventory";
import { wordpressContentPath } from "../../components/samples/wordpress-layout";
import { projectRoot } from "../harness/program";

const operations = fs.readFileSync(path.join(projectRoot, "docs", "operations.md"), "utf8");
const dayTwo = operations.slice(operations.indexOf("\n## Day two"));
const commands = [...dayTwo.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) => block[1].split("\n").filter((line) => line.trim() !== ""));
const declaredKeys = Object.keys((YAML.parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as { config: Record<string, unknown> }).config);

describe("docs/operations.md: the Day two section's commands", () => {
    it("exists and has commands", () => {
        assert.ok(dayTwo.startsWith("\n## Day two"), "no Day two section");
        assert.ok(commands.length >= 5, `only ${commands.length} commands`);
    });

    it("sets only config keys Pulumi.yaml declares, with --path", () => {
        const sets = [...dayTwo.matchAll(/pulumi config set (--path )?([\w.]+)/g)];
        assert.ok(sets.length > 0);
        for (const [whole, withPath, key] of sets) {
            assert.ok(declaredKeys.includes(key), `${whole}: ${key} is not declared in Pulumi.yaml`);
            assert.ok(!key.includes(".") || withPath, `${whole}: a nested key needs --path`);
        }
    });

    it("execs into the Deployments, containers, namespace and content path the program creates", () => {
        const mysql = fs.readFileSync(path.join(projectRoot, "components", "samples", "mysql.ts"), "utf8");
        for (const command of commands.filter((line) => line.startsWith("kubectl"))) {
            assert.ok(command.includes(`-n ${sampleNamespaces.wordpress} `), command);
            const deployment = /deploy\/([\w-]+)/.exec(command)?.[1];
            assert.ok(deployment === mysqlNames.deployment || deployment === wordpressNames.stable.deployment, `${command}: unknown Deployment ${deployment}`);
            if (command.includes("MYSQL_ROOT_PASSWORD")) {
                assert.ok(mysql.includes(`secretEnv("MYSQL_ROOT_PASSWORD", mysqlNames.rootPasswordKey)`), "the mysql container has no MYSQL_ROOT_PASSWORD");
            }
            if (command.includes("tar ")) {
                assert.ok(command.includes(`-C ${wordpressContentPath} `), `${command}: not the content volume's mount ${wordpressContentPath}`);
            }
        }
    });
});
