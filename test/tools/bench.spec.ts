// Holds `npm run bench`'s measures (a)-(c) at their minimums, and checks the measuring itself.
import { strict as assert } from "assert";
import { blastRadius } from "../../scripts/bench/blast-radius";
import { GraphNode, criticalPath } from "../../scripts/bench/critical-path";
import { changes, stackShapes } from "../../scripts/bench/scenarios";
import { runProgram } from "../harness/program";

const node = (urn: string, dependencies: string[] = [], custom = true, parent = ""): GraphNode =>
    ({ urn, type: "t", name: urn, custom, parent, dependencies, propertyDependencies: {} });

describe("bench: the measures themselves", () => {
    it("counts the longest waiting chain of custom resources", () => {
        const path = criticalPath([node("a"), node("b", ["a"]), node("c", ["b"]), node("d", ["a"])]);
        assert.equal(path.length, 3);
        assert.deepEqual(path.chain, ["t a", "t b", "t c"]);
    });

    it("lets a component pass its dependencies to its children, at no cost of its own", () => {
        const path = criticalPath([node("a"), node("component", ["a"], false), node("child", [], true, "component")]);
        assert.deepEqual(path.chain, ["t a", "t child"]);
    });

    it("refuses a dependency cycle", () => {
        assert.throws(() => criticalPath([node("a", ["b"]), node("b", ["a"])]), /cycle/);
    });

    it("counts added, removed and changed resources", () => {
        const before = [{ type: "t", name: "x", custom: true, inputs: { a: 1 } }, { type: "t", name: "y", custom: true, inputs: {} }];
        const after = [{ type: "t", name: "x", custom: true, inputs: { a: 2 } }, { type: "t", name: "z", custom: true, inputs: {} }];
        assert.deepEqual(blastRadius(before, after), { added: ["t z"], removed: ["t y"], changed: ["t x"], total: 3 });
    });
});

describe("bench: the program stays at the minimum", () => {
    for (const shape of stackShapes) {
        it(`(a) ${shape.name}: the deploy critical path is ${shape.minimumCriticalPath} resources long`, async () => {
            const path = criticalPath((await runProgram(shape.config, shape.options)).resources);
            assert.equal(path.length, shape.minimumCriticalPath, path.chain.join("\n → "));
        });
    }

    for (const change of changes) {
        it(`(b) ${change.name}: touches no more resources than it must`, async () => {
            const before = await runProgram(change.before.config, change.before.options);
            const after = await runProgram(change.after.config, change.after.options);
            const radius = blastRadius(before.resources, after.resources);
            assert.equal(radius.total, change.minimum(before), JSON.stringify(radius, null, 1));
        });
    }

    for (const shape of stackShapes) {
        it(`(c) ${shape.name}: two evaluations produce identical inputs`, async () => {
            const first = await runProgram(shape.config, shape.options);
            const second = await runProgram(shape.config, shape.options);
            assert.ok(first.resources.length > 0);
            assert.equal(blastRadius(first.resources, second.resources).total, 0);
        });
    }
});
