// Deployed stacks know their resources by URN. A URN carries the component type tokens and names of
// every parent, so moving or renaming a component, a type token or a resource name shows up in the
// next preview as a replace (delete and re-create) of everything below it. This spec holds the URNs of
// three stack shapes to a recorded list: a change that moves code but not resources passes; one that
// changes a URN fails here first, and must add `aliases` (and then re-record with
// `UPDATE_URNS=1 npx mocha test/program/urn-stability.spec.ts`, saying why in the commit).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { runProgram } from "../harness/program";
import { iksMocks, iksStackConfig } from "../support/iks-stack";

const recorded = path.join(__dirname, "..", "fixtures", "urns");

/** The shapes that together register every component: default sidecar, ambient, and IKS with EnRoute. */
const shapes: Record<string, () => ReturnType<typeof runProgram>> = {
    default: () => runProgram({}),
    ambient: () => runProgram({ istio: { dataplane: "ambient" }, gateway: { routes: [
        { prefix: "/reviews", service: "reviews", namespace: "bookinfo", port: 9080 },
    ] } }),
    "iks-enroute": () => runProgram({ ...iksStackConfig, enroute: { enabled: true } }, { secretSections: ["iks"], ...iksMocks }),
};

describe("URN stability: moving code does not replace deployed resources", () => {
    for (const [shape, run] of Object.entries(shapes)) {
        it(`${shape}: every resource keeps the URN it was recorded with`, async () => {
            const urns = (await run()).resources.map((resource) => resource.urn).sort();
            const file = path.join(recorded, `${shape}.json`);
            if (process.env.UPDATE_URNS === "1") {
                fs.writeFileSync(file, `${JSON.stringify(urns, null, 1)}\n`);
            }
            const expected = JSON.parse(fs.readFileSync(file, "utf8")) as string[];
            assert.ok(expected.length > 50, `${file} holds too few URNs to mean anything`);
            const gone = expected.filter((urn) => !urns.includes(urn));
            const added = urns.filter((urn) => !expected.includes(urn));
            assert.deepEqual({ gone, added }, { gone: [], added: [] },
                "URNs changed: a deployed stack would replace these resources (add aliases, or re-record if intended)");
        });
    }
});
