// docs/security.md's threat model cites, for every row, the spec files, test names and verify checks that
// hold it. A citation that points at nothing would make the table a claim without backing: every cited
// file must exist, every quoted name must be a test (or describe) of the file cited before it, and every verify
// check must be one verify prints.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const repoRoot = path.join(__dirname, "..", "..");
const security = fs.readFileSync(path.join(repoRoot, "docs", "security.md"), "utf8");

function threatRows(): string[] {
    const start = security.indexOf("## Threat model");
    const end = security.indexOf("\n## ", start + 1);
    assert.ok(start >= 0, "docs/security.md has a threat model section");
    return security.slice(start, end).split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| attacker") && !line.startsWith("| ---"));
}

/** Every check id verify can print: the ids its modules declare. */
function verifyCheckIds(): Set<string> {
    const dir = path.join(repoRoot, "scripts", "verify");
    const text = fs.readdirSync(dir).map((file) => fs.readFileSync(path.join(dir, file), "utf8")).join("\n");
    return new Set([...text.matchAll(/"([a-z]+(?:-[a-z]+)+)"/g)].map((match) => match[1]));
}

describe("docs/security.md threat model: every row is backed by a test or a verify check", () => {
    const rows = threatRows();

    it("has rows for the three attackers, each with a citation", () => {
        for (const attacker of ["Internet visitor", "Compromised sample pod", "Holder of the client certificate"]) {
            assert.ok(rows.some((row) => row.includes(`**${attacker}**`)), attacker);
        }
        for (const row of rows) {
            const heldBy = row.split(" | ").pop() ?? "";
            assert.match(heldBy, /test\/[\w/.-]+\.spec\.ts|verify `/, row);
        }
    });

    it("cites spec files that exist and test names they hold", () => {
        for (const row of rows) {
            const heldBy = row.split(" | ").pop() ?? "";
            // `file` ("name…", "name…"), `file`: each quoted name belongs to the file before it.
            for (const match of heldBy.matchAll(/`(test\/[\w/.-]+\.spec\.ts)`(?: \(([^)]*)\))?/g)) {
                const file = path.join(repoRoot, match[1]);
                assert.ok(fs.existsSync(file), match[1]);
                const text = fs.readFileSync(file, "utf8");
                for (const quoted of (match[2] ?? "").matchAll(/"([^"]+)"/g)) {
                    // "…" stands for words left out: each part must be in the file, in a test's name.
                    const parts = quoted[1].split("…").map((part) => part.trim()).filter(Boolean);
                    const names = [...text.matchAll(/(?:it|describe)\((["`])(.*?)\1/g)].map((test) => test[2]);
                    assert.ok(names.some((name) => parts.every((part) => name.includes(part))), `${match[1]} has no test named "${quoted[1]}"`);
                }
            }
        }
    });

    it("names verify checks that verify runs", () => {
        const ids = verifyCheckIds();
        for (const row of rows) {
            for (const match of row.matchAll(/verify `([a-z-]+)`(?:, `([a-z-]+)`)?/g)) {
                for (const id of [match[1], match[2]].filter((value): value is string => value !== undefined)) {
                    assert.ok(ids.has(id), `verify has no check ${id}`);
                }
            }
        }
    });
});
