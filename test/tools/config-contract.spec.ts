import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { configContract, configurationReference } from "../../components/config/contract";
import { readProjectDeclarations } from "../../scripts/docs/project-file";
import { projectRoot } from "../harness/program";
import { configProblemsOf } from "../support/config-problems";

/** The raw config that sets one dotted key. */
function withKey(key: string, value: unknown): Record<string, unknown> {
    const root: Record<string, unknown> = {};
    let node = root;
    const parts = key.split(".");
    for (const part of parts.slice(0, -1)) {
        node = (node[part] = {});
    }
    node[parts[parts.length - 1]] = value;
    return root;
}


describe("config contract: read from the code, documented and declared from it", () => {
    const contract = configContract();
    const declared = readProjectDeclarations(projectRoot);

    it("records the keys the program reads, with their defaults and allowed values", () => {
        const mode = contract.find((entry) => entry.key === "mtls.mode");
        assert.deepEqual(mode, { key: "mtls.mode", type: "string", default: "STRICT", allowed: ["STRICT", "PERMISSIVE"] });
        const weight = contract.find((entry) => entry.key === "wordpress.canary.weight");
        assert.deepEqual(weight?.range, { min: 0, max: 100 });
        assert.equal(contract.find((entry) => entry.key === "iks.apiKey")?.secret, true);
        assert.ok(!contract.some((entry) => entry.key.includes("[")), "list items are not keys of their own");
    });

    it("every allowed value of every choice key is accepted, and anything else is refused naming the choices", () => {
        for (const entry of contract.filter((candidate) => candidate.allowed)) {
            for (const value of entry.allowed ?? []) {
                const problems = configProblemsOf(withKey(entry.key, value)).filter((problem) => problem.startsWith(entry.key));
                assert.deepEqual(problems, [], `${entry.key}=${value}`);
            }
            const refused = configProblemsOf(withKey(entry.key, "no-such-value"));
            assert.ok(refused.some((problem) => problem.includes(entry.key) && problem.includes((entry.allowed ?? []).join(" | "))),
                `${entry.key}: ${refused.join("; ")}`);
        }
    });

    it("every integer key refuses a value just outside its range", () => {
        for (const entry of contract.filter((candidate) => candidate.range)) {
            const tooBig = configProblemsOf(withKey(entry.key, (entry.range?.max ?? 0) + 1));
            assert.ok(tooBig.some((problem) => problem.startsWith(entry.key)), `${entry.key} accepted ${(entry.range?.max ?? 0) + 1}`);
        }
    });

    it("Pulumi.yaml declares exactly the contract's keys, with the same type and default", () => {
        const pulumiType = { string: "string", integer: "integer", boolean: "boolean", array: "array" } as const;
        assert.deepEqual(Object.keys(declared).sort(), contract.map((entry) => entry.key).sort(),
            "Pulumi.yaml's config block and the keys the program reads differ");
        for (const entry of contract) {
            assert.equal(declared[entry.key].type, pulumiType[entry.type], `${entry.key}: type`);
            assert.deepEqual(declared[entry.key].default, entry.default, `${entry.key}: default`);
            assert.ok((declared[entry.key].description ?? "").length > 10, `${entry.key} has no description in Pulumi.yaml`);
        }
    });

    it("docs/configuration.md is what `npm run docs` generates", () => {
        const onDisk = fs.readFileSync(path.join(projectRoot, "docs", "configuration.md"), "utf8");
        assert.equal(onDisk, configurationReference(contract, declared), "docs/configuration.md is stale: run npm run docs");
    });

    it("the reference names every key with its default and choices", () => {
        const reference = configurationReference(contract, declared);
        for (const entry of contract) {
            assert.ok(reference.includes(`| \`${entry.key}\` |`), entry.key);
        }
        assert.match(reference, /\| `mtls\.mode` \| string \| `STRICT` \| `STRICT` \\\| `PERMISSIVE` \|/);
        assert.match(reference, /\| `iks\.apiKey` \| string \(secret\) \|/);
    });
});
