// docs/security.md "Mesh CA": every command of the section and its runbook names what the programs
// really read, the way test/tools/operations-day-two.spec.ts checks the Day two section: config keys each
// program's Pulumi.yaml declares (the cluster program's, or mesh-root's after `cd mesh-root`), values its
// reader accepts, a rotation that follows the documented steps, a root stack name of the mesh-root project,
// and verify arguments verify accepts.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { rootStackName } from "../../components/config/sections";
import { rootRotationSteps } from "../../components/config/schema";
import { isRotationStep } from "../../components/pki/mesh-ca-spec";
import { meshRootProjectName, parseMeshRootConfig } from "../../components/pki/mesh-root-config";
import { parseVerifyArgs } from "../../scripts/verify/args";
import { projectRoot } from "../harness/program";

const security = fs.readFileSync(path.join(projectRoot, "docs", "security.md"), "utf8");
const start = security.indexOf("\n## Mesh CA");
const nextSection = security.indexOf("\n## ", start + 1);
const meshCa = security.slice(start, nextSection === -1 ? undefined : nextSection);
const blocks = [...meshCa.matchAll(/```sh\n([\s\S]*?)```/g)].map((block) => block[1].split("\n").filter((line) => line.trim() !== ""));
const declared = (file: string) => Object.keys((YAML.parse(fs.readFileSync(path.join(projectRoot, file), "utf8")) as { config: Record<string, unknown> }).config);
const clusterKeys = declared("Pulumi.yaml");
const rootKeys = declared(path.join("mesh-root", "Pulumi.yaml"));

interface Command {
    line: string;
    /** The program directory the command runs in, following the block's `cd`s. */
    directory: "." | "mesh-root";
}

/** Every command with the directory it runs in; each block starts in the repository root. */
function commands(): Command[] {
    return blocks.flatMap((lines) => {
        let directory: Command["directory"] = ".";
        return lines.flatMap((line): Command[] => {
            const cd = /^cd (\S+)$/.exec(line.trim());
            if (cd) {
                const target = path.normalize(path.join(directory, cd[1]));
                assert.ok(target === "." || target === "mesh-root", `${line}: cd out of the repository's two programs`);
                directory = target;
                return [];
            }
            return [{ line: line.trim(), directory }];
        });
    });
}

/** `pulumi config set --path <key> <value> --stack <stack>`, the key maybe in a namespace (`iks-mesh-root:rootGeneration`). */
const configSet = /^pulumi config set --path '?(?:([\w-]+):)?([\w.[\]]+?)'? (\S+) --stack (\S+)$/;
/** The key of a config set, checked to be in the namespace of the program its directory holds. */
function keyOf(match: RegExpExecArray, directory: Command["directory"], line: string): string {
    const [, namespace, key] = match;
    assert.ok(namespace === undefined || namespace === (directory === "mesh-root" ? meshRootProjectName : "iks-mesh"),
        `${line}: key of namespace ${namespace} set in ${directory}`);
    return key;
}

describe("docs/security.md: the Mesh CA section's commands", () => {
    it("exists, with a diagram and several command blocks", () => {
        assert.ok(start !== -1, "no Mesh CA section");
        assert.match(meshCa, /```mermaid\n[\s\S]*root[\s\S]*intermediate[\s\S]*workloads/);
        assert.ok(blocks.length >= 3 && commands().length >= 15, `${blocks.length} blocks, ${commands().length} commands`);
    });

    it("sets only keys the program it runs in declares, always with --path and a stack", () => {
        for (const { line, directory } of commands().filter((command) => command.line.startsWith("pulumi config set"))) {
            const match = configSet.exec(line);
            assert.ok(match, `${line}: not of the form pulumi config set --path <key> <value> --stack <stack>`);
            const key = keyOf(match, directory, line).replace(/\[\d+\]$/, "");
            assert.ok((directory === "mesh-root" ? rootKeys : clusterKeys).includes(key), `${line}: ${key} is not declared in ${directory}/Pulumi.yaml`);
        }
    });

    it("sets values the readers accept: rotation steps, a mesh-root stack name, mesh.ca", () => {
        for (const { line, directory } of commands()) {
            const match = configSet.exec(line);
            if (!match) {
                continue;
            }
            const key = keyOf(match, directory, line);
            const value = match[3];
            if (key.endsWith("rootRotation")) {
                assert.ok((rootRotationSteps as readonly string[]).includes(value), line);
            }
            if (key === "mesh.rootStack") {
                assert.match(value, rootStackName, line);
                assert.equal(value.split("/")[1], meshRootProjectName, `${line}: not a stack of the mesh-root project`);
            }
            if (key === "mesh.ca") {
                assert.equal(value, "stack", line);
            }
        }
        const clusters = commands().filter((command) => command.directory === "mesh-root")
            .map((command) => /^pulumi config set --path '(?:iks-mesh-root:)?clusters\[\d+\]' (\S+)/.exec(command.line)?.[1]).filter((stack) => stack !== undefined);
        assert.ok(clusters.length >= 2);
        assert.deepEqual(parseMeshRootConfig({ clusters }).problems, [], "the listed cluster stacks are valid");
    });

    it("rotates one documented step per pulumi up, in the stack and in the root stack", () => {
        const rotations = blocks.filter((lines) => lines.some((line) => line.includes("rootRotation")));
        assert.ok(rotations.length >= 2, "a rotation block for each place the root can live");
        for (const lines of rotations) {
            let state = { generation: 1, step: "steady" as (typeof rootRotationSteps)[number] };
            let pending = { ...state };
            let ups = 0;
            for (const line of lines) {
                const match = configSet.exec(line);
                if (match?.[2].endsWith("rootGeneration")) {
                    pending.generation = Number(match[3]);
                } else if (match?.[2].endsWith("rootRotation")) {
                    pending.step = match[3] as typeof state.step;
                } else if (/^pulumi up --stack (shared|prod)$/.test(line)) {
                    assert.ok(isRotationStep(state, pending), `${JSON.stringify(state)} → ${JSON.stringify(pending)} is not one step`);
                    state = pending;
                    pending = { ...state };
                    ups += 1;
                }
            }
            assert.ok(ups >= 1, lines.join("\n"));
        }
        const full = rotations.find((lines) => lines.filter((line) => line.startsWith("pulumi up")).length === 3);
        assert.ok(full, "the whole rotation is shown once, as three ups");
    });

    it("calls verify with arguments verify accepts", () => {
        const verifies = commands().filter((command) => command.line.startsWith("npm run verify"));
        assert.ok(verifies.length >= 2);
        for (const { line, directory } of verifies) {
            assert.equal(directory, ".", `${line}: npm run verify runs in the repository root`);
            const options = parseVerifyArgs(line.replace(/^npm run verify -- /, "").split(" "));
            assert.ok(!("error" in options) && !("help" in options), line);
        }
    });

    it("uses only pulumi config set, up and stack init, npm run verify, and cd", () => {
        for (const { line } of commands()) {
            assert.match(line, /^(pulumi (config set|up|stack init) |npm run verify -- )/, line);
        }
    });
});
