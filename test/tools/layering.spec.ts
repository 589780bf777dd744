// The layers of components/ (docs/architecture.md, "Layers"): a file imports from its own layer or
// below, never above, and no import cycle exists anywhere in the program. The imports are read with
// the TypeScript compiler's own pre-processor, so every `import … from`, `export … from`, `import()`
// and `require()` counts, whatever its formatting.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { projectRoot } from "../harness/program";

/** Lowest first. */
const layers = ["core", "config", "inventory", "domain", "components", "top"] as const;
type Layer = (typeof layers)[number];

/** Resource packages: a module that imports one of these builds resources, so it is a component, not pure domain logic. */
const resourcePackages = ["@pulumi/kubernetes", "@pulumi/tls", "@pulumi/command", "@pulumi/random"];

export function layerOf(file: string, text: string): Layer {
    const relative = path.relative(projectRoot, file).split(path.sep).join("/");
    if (relative === "index.ts" || relative === "components/preflight.ts") {
        return "top";
    }
    if (relative.startsWith("components/core/")) {
        return "core";
    }
    if (relative.startsWith("components/config/") || relative.startsWith("components/cluster/")) {
        return "config";
    }
    if (relative === "components/inventory.ts") {
        return "inventory";
    }
    const builds = /extends\s+pulumi\.ComponentResource/.test(text)
        || importsOf(file, text).some((specifier) => resourcePackages.some((pkg) => specifier === pkg || specifier.startsWith(`${pkg}/`)));
    return builds ? "components" : "domain";
}

function importsOf(_file: string, text: string): string[] {
    return ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
}

function resolveImport(from: string, specifier: string): string | undefined {
    if (!specifier.startsWith(".")) {
        return undefined;
    }
    const base = path.resolve(path.dirname(from), specifier);
    return [base, `${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
}

function programFiles(): string[] {
    const files = [path.join(projectRoot, "index.ts")];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.name.endsWith(".ts")) {
                files.push(full);
            }
        }
    };
    walk(path.join(projectRoot, "components"));
    return files;
}

export interface ImportEdge {
    from: string;
    to: string;
}

export function importGraph(files: readonly string[]): ImportEdge[] {
    return files.flatMap((file) => importsOf(file, fs.readFileSync(file, "utf8"))
        .map((specifier) => resolveImport(file, specifier))
        .filter((to): to is string => to !== undefined)
        .map((to) => ({ from: file, to })));
}

/** Every cycle's files, each cycle once (Tarjan's strongly connected components of size > 1, or a self-import). */
export function cyclesIn(edges: readonly ImportEdge[]): string[][] {
    const next = new Map<string, string[]>();
    for (const { from, to } of edges) {
        next.set(from, [...(next.get(from) ?? []), to]);
    }
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const found: string[][] = [];
    let counter = 0;
    const visit = (node: string) => {
        index.set(node, counter);
        low.set(node, counter);
        counter += 1;
        stack.push(node);
        onStack.add(node);
        for (const target of next.get(node) ?? []) {
            if (!index.has(target)) {
                visit(target);
                low.set(node, Math.min(low.get(node)!, low.get(target)!));
            } else if (onStack.has(target)) {
                low.set(node, Math.min(low.get(node)!, index.get(target)!));
            }
        }
        if (low.get(node) === index.get(node)) {
            const component: string[] = [];
            let member: string;
            do {
                member = stack.pop()!;
                onStack.delete(member);
                component.push(member);
            } while (member !== node);
            if (component.length > 1 || (next.get(node) ?? []).includes(node)) {
                found.push(component.sort());
            }
        }
    };
    for (const node of next.keys()) {
        if (!index.has(node)) {
            visit(node);
        }
    }
    return found;
}

const show = (file: string) => path.relative(projectRoot, file);

describe("layering: components/ imports downward only", () => {
    const files = programFiles();
    const edges = importGraph(files);
    const layer = new Map(files.map((file) => [file, layerOf(file, fs.readFileSync(file, "utf8"))]));

    it("reads a real graph (every layer is populated, imports were found)", () => {
        assert.ok(edges.length > 100, `only ${edges.length} imports found`);
        for (const name of layers) {
            assert.ok([...layer.values()].includes(name), `no file is in layer ${name}`);
        }
    });

    it("has no import cycle", () => {
        assert.deepEqual(cyclesIn(edges).map((cycle) => cycle.map(show)), []);
    });

    it("has no upward import", () => {
        const upward = edges
            .filter(({ from, to }) => layers.indexOf(layer.get(to)!) > layers.indexOf(layer.get(from)!))
            .map(({ from, to }) => `${show(from)} (${layer.get(from)}) imports ${show(to)} (${layer.get(to)})`);
        assert.deepEqual(upward, []);
    });

    it("core imports nothing from the project", () => {
        const fromCore = edges.filter(({ from, to }) => layer.get(from) === "core" && layer.get(to) !== "core")
            .map(({ from, to }) => `${show(from)} imports ${show(to)}`);
        assert.deepEqual(fromCore, []);
    });

    describe("the checks themselves can fail", () => {
        it("finds a cycle of three and a self-import, and no cycle in a chain", () => {
            assert.deepEqual(cyclesIn([{ from: "a", to: "b" }, { from: "b", to: "c" }, { from: "c", to: "a" }, { from: "d", to: "d" }]),
                [["a", "b", "c"], ["d"]]);
            assert.deepEqual(cyclesIn([{ from: "a", to: "b" }, { from: "b", to: "c" }]), []);
        });

        it("classifies by folder, and by what a file builds", () => {
            const at = (relative: string) => path.join(projectRoot, relative);
            assert.equal(layerOf(at("components/core/x.ts"), ""), "core");
            assert.equal(layerOf(at("components/config/x.ts"), ""), "config");
            assert.equal(layerOf(at("components/inventory.ts"), ""), "inventory");
            assert.equal(layerOf(at("components/mesh/x.ts"), "export const a = 1;"), "domain");
            assert.equal(layerOf(at("components/mesh/x.ts"), "import * as k8s from \"@pulumi/kubernetes\";"), "components");
            assert.equal(layerOf(at("components/mesh/x.ts"), "class A extends pulumi.ComponentResource {}"), "components");
            assert.equal(layerOf(at("index.ts"), ""), "top");
        });
    });
});
