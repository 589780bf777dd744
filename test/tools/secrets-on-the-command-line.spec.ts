// One story about secrets: every documented command that sets a secret reads it from a file or stdin,
// never from an argument (which lands in shell history and in every process listing). Checked across
// the README, docs/, examples/ and the program's own messages (string literals in its sources).
// `pulumi config set <key>` with no value argument reads it from stdin: "Multi-line values may be set
// by piping a file to standard in" (https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { configProblemsOf } from "../support/config-problems";

const repoRoot = path.resolve(__dirname, "..", "..");

function filesUnder(directory: string, extensions: readonly string[]): string[] {
    return fs.readdirSync(path.join(repoRoot, directory), { withFileTypes: true }).flatMap((entry) => {
        const relative = path.join(directory, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" ? [] : filesUnder(relative, extensions);
        }
        return extensions.some((extension) => entry.name.endsWith(extension)) ? [relative] : [];
    });
}

/** The words of a `pulumi config set` command up to the end of the command (a pipe, `;`, `&&`, a quote, a comment). */
function positionalWords(command: string): string[] {
    const words = command.split(/\s+/).filter(Boolean);
    const positional: string[] = [];
    for (let index = 0; index < words.length; index++) {
        if (words[index] === "--stack" || words[index] === "-s" || words[index] === "--type" || words[index] === "--config-file") {
            index++;
        } else if (!words[index].startsWith("-")) {
            positional.push(words[index]);
        }
    }
    return positional;
}

/** The problem with one line, if it passes a secret as an argument. */
export function secretOnCommandLine(line: string): string | undefined {
    const set = /pulumi config set\b([^\n|;&`#,)]*)/.exec(line);
    if (set && /(^|\s)--secret(\s|$)/.test(set[1]) && !/\|\s*pulumi config set\b/.test(line)) {
        const [, value] = positionalWords(set[1].replace(/["']+\s*$/, ""));
        if (value !== undefined && value !== "<") {
            return "`pulumi config set --secret` with the value as an argument; read it from a file (`< file`) or a pipe";
        }
    }
    if (/IBMCLOUD_API_KEY=(?!\\?"?\$\(cat )(?!\$\{\{)(?=\S)/.test(line)) {
        return "IBMCLOUD_API_KEY set from a literal value; read it from a file: \"$(cat ibmcloud-api-key.txt)\"";
    }
    return undefined;
}

describe("secrets are never on the command line", () => {
    it("the rule tells a value argument from a file or a pipe", () => {
        for (const bad of [
            "pulumi config set --path --secret iks.apiKey <key>",
            "pulumi config set --stack iks --path --secret iks.apiKey \"$IBMCLOUD_API_KEY\"",
            "pulumi config set --secret --path iks.apiKey abc123",
            "export IBMCLOUD_API_KEY=<key>",
        ]) {
            assert.ok(secretOnCommandLine(bad), bad);
        }
        for (const good of [
            "pulumi config set --secret --path iks.apiKey < ibmcloud-api-key.txt",
            "printf '%s' \"$IBMCLOUD_API_KEY\" | pulumi config set --stack prod --path --secret iks.apiKey",
            "pulumi config set --secret kubernetes:kubeconfig < <kubeconfig file>",
            "export IBMCLOUD_API_KEY=\"$(cat ibmcloud-api-key.txt)\"",
            "pulumi config set --path gateway.tlsMode MUTUAL",
        ]) {
            assert.equal(secretOnCommandLine(good), undefined, good);
        }
    });

    const sources = [
        "README.md", ...filesUnder("docs", [".md"]), ...filesUnder("examples", [".yaml", ".yml", ".md"]),
        "index.ts", ...filesUnder("components", [".ts"]), ...filesUnder("scripts", [".ts", ".sh"]), "Pulumi.yaml",
    ];

    it("in the README, docs/, examples/ and the program's sources", () => {
        const found: string[] = [];
        for (const file of sources) {
            fs.readFileSync(path.join(repoRoot, file), "utf8").split("\n").forEach((line, index) => {
                const problem = secretOnCommandLine(line);
                if (problem) {
                    found.push(`${file}:${index + 1}: ${problem}\n    ${line.trim()}`);
                }
            });
        }
        assert.deepEqual(found, []);
        assert.ok(sources.includes("docs/iks.md") && sources.includes("examples/Pulumi.iks.yaml"), "the scan reaches the IKS pages");
    });

    it("in the fixes the program prints for iks.apiKey", () => {
        const plain = configProblemsOf({ iks: { enabled: true, cluster: "c", region: "us-south", apiKey: "abc" } }, []);
        const apiKeyProblems = plain.filter((problem) => problem.includes("iks.apiKey"));
        assert.ok(apiKeyProblems.length > 0, plain.join("\n"));
        for (const problem of apiKeyProblems) {
            assert.equal(secretOnCommandLine(problem), undefined, problem);
            assert.ok(!problem.includes("abc"), "the value is never echoed");
        }
    });
});
