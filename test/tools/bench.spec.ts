// Holds `npm run bench`'s measures (a)-(c) at their minimums, and checks the measuring itself.
import { strict as assert } from "assert";
import { blastRadius } from "../../scripts/bench/blast-radius";
import { GraphNode, criticalPath } from "../../scripts/bench/critical-path";
import { changes, stackShapes } from "../../scripts/bench/scenarios";
import { median, timeRounds } from "../../scripts/bench/timing";
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

describe("bench (d): timing with warm-up and a median", () => {
    it("takes the middle value, or the mean of the two middle ones", () => {
        assert.equal(median([30, 10, 20]), 20);
        assert.equal(median([40, 10, 30, 20]), 25);
        assert.equal(median([7]), 7);
        assert.throws(() => median([]), /no values/);
    });

    it("leaves the warm-up out of the samples, takes turns between sizes, and reports the median", async () => {
        // A fake clock and a subject whose first run is slow (a cold start), as the bench's first evaluation was.
        let clock = 0;
        const order: string[] = [];
        const costs: Record<string, number[]> = { small: [900, 10, 12, 11, 50, 13], large: [400, 30, 31, 29, 33, 90] };
        const timings = await timeRounds(["small", "large"], (subject) => {
            order.push(subject);
            clock += costs[subject].shift() ?? assert.fail(`${subject} ran too often`);
            return Promise.resolve();
        }, { warmup: 1, runs: 5, now: () => clock });
        assert.deepEqual(order, ["small", "large", "small", "large", "small", "large", "small", "large", "small", "large", "small", "large"]);
        assert.deepEqual(timings.map((timing) => timing.samples), [[10, 12, 11, 50, 13], [30, 31, 29, 33, 90]]);
        assert.deepEqual(timings.map((timing) => [timing.subject, timing.median, timing.min, timing.max]),
            [["small", 12, 10, 50], ["large", 31, 29, 90]]);
    });

    it("refuses to time nothing", async () => {
        await assert.rejects(timeRounds([1], () => Promise.resolve(), { warmup: 0, runs: 0, now: () => 0 }), /at least one timed run/);
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
            // A second evaluation, not the run this process already made and shares (test/harness/program.ts).
            const second = await runProgram(shape.config, { ...shape.options, fresh: true });
            assert.ok(first.resources.length > 0);
            assert.equal(blastRadius(first.resources, second.resources).total, 0);
        });
    }
});
