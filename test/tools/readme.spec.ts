// The README is the first hour of every user: every command in it must name things that exist. This
// reads its shell blocks and checks each npm script, config key, stack output, file and link it names.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { configContract } from "../../components/config/contract";
import { projectRoot, runProgram } from "../harness/program";
import { devStackConfig } from "../support/dev-stack";
import { readmeCommands, readmeLinks } from "../support/readme-commands";

const readme = fs.readFileSync(path.join(projectRoot, "README.md"), "utf8");
const commands = readmeCommands(readme);
const packageJson = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };

describe("README: the quick start works as written", () => {
    it("is short: at most 250 lines", () => {
        assert.ok(readme.split("\n").length <= 250, `README.md has ${readme.split("\n").length} lines`);
    });

    it("opens with the whole set-up: one command that deploys the dev stack, one that runs the tests", () => {
        assert.ok(commands.length >= 2);
        assert.match(commands[0], /pulumi stack select --create dev\b.*&& pulumi up\b/);
        assert.equal(commands[1], "npm test");
    });

    it("runs only npm scripts that package.json defines", () => {
        const scripts = commands.flatMap((command) => [...command.matchAll(/\bnpm run ([\w:-]+)/g)].map((match) => match[1]));
        assert.ok(scripts.length > 0, "the README runs no npm script");
        for (const script of scripts) {
            assert.ok(packageJson.scripts[script], `README runs npm run ${script}, which package.json does not define`);
        }
    });

    it("sets only config keys the program reads, with --path for nested keys, and never a secret on the command line", () => {
        const keys = new Set(configContract().map((entry) => entry.key));
        const sets = commands.flatMap((command) => [...command.matchAll(/pulumi config set ((?:--[\w-]+ )*)([^\s<]+)(.*)/g)]);
        assert.ok(sets.length > 0, "the README sets no config");
        for (const [, flags, key, rest] of sets) {
            if (key.includes(":")) {
                assert.match(key, /^kubernetes:(context|kubeconfig)$/, `README sets ${key}, a key of another namespace`);
                continue;
            }
            const base = key.replace(/\[\d+\].*$/, "");
            assert.ok(keys.has(base), `README sets ${key}, which is not a key of the contract`);
            assert.ok(flags.includes("--path") || !key.includes("."), `README sets ${key} without --path`);
            if (flags.includes("--secret")) {
                assert.match(rest.trim(), /^</, `README puts the value of the secret ${key} on the command line`);
            }
        }
    });

    it("reads only stack outputs the program exports", async () => {
        const run = await runProgram(devStackConfig());
        const outputs = commands.flatMap((command) => [...command.matchAll(/pulumi stack output (?:--[\w-]+ )*(\w+)/g)].map((match) => match[1]));
        assert.ok(outputs.length > 0, "the README reads no stack output");
        for (const output of outputs) {
            assert.ok(output in run.outputs, `README reads stack output ${output}, which the program does not export`);
        }
    });

    it("links only to files that exist", () => {
        const links = readmeLinks(readme).filter((link) => !/^[a-z]+:/.test(link) && !link.startsWith("#"));
        assert.ok(links.some((link) => link.startsWith("docs/")), "the README links to no page of docs/");
        for (const link of links) {
            assert.ok(fs.existsSync(path.join(projectRoot, link.replace(/#.*$/, ""))), `README links to ${link}, which does not exist`);
        }
    });
});
