// Every Markdown page of the project (README, CHANGELOG, docs/, whatever is added there later: the pages
// are found by walking the tree, not listed) links only to files that exist and to anchors those files
// have; references to a section by its title ("docs/x.md "Title"") in pages and in source comments name a
// section that exists; and the shell blocks of every page run only npm scripts package.json defines and
// set only config keys the program reads. The checker is shown to fail on synthetic pages first.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { configContract } from "../../components/config/contract";
import { projectRoot } from "../harness/program";
import { readmeCommands } from "../support/readme-commands";
import { anchors, crossReferences, githubSlug, headings, links, namesHeading } from "../support/markdown-links";

/** Files under the project, skipping dependencies and git's own directory. */
function projectFiles(extensions: readonly string[]): string[] {
    const found: string[] = [];
    const walk = (directory: string) => {
        for (const entry of fs.readdirSync(path.join(projectRoot, directory), { withFileTypes: true })) {
            const relative = directory === "" ? entry.name : `${directory}/${entry.name}`;
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules" && entry.name !== ".git") {
                    walk(relative);
                }
            } else if (extensions.some((extension) => entry.name.endsWith(extension))) {
                found.push(relative);
            }
        }
    };
    walk("");
    return found.sort();
}

const read = (relative: string) => fs.readFileSync(path.join(projectRoot, relative), "utf8");

/** Problems with the links of one page, given a way to read other pages (for their anchors). */
function linkProblems(page: string, markdown: string, exists: (relative: string) => boolean, pageAt: (relative: string) => string): string[] {
    const problems: string[] = [];
    for (const { target, line } of links(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
            continue; // http(s), mailto: no network here
        }
        const [rawPath, anchor] = target.split("#", 2) as [string, string | undefined];
        const targetPath = rawPath === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(rawPath)));
        if (targetPath.startsWith("../") || targetPath === "..") {
            problems.push(`${page}:${line}: ${target} points outside the project (a clone has nothing there)`);
            continue;
        }
        if (!exists(targetPath.replace(/\/$/, ""))) {
            problems.push(`${page}:${line}: ${target}: ${targetPath} does not exist`);
            continue;
        }
        if (anchor === undefined) {
            continue;
        }
        if (targetPath.endsWith(".md")) {
            if (!anchors(pageAt(targetPath)).has(anchor)) {
                const near = headings(pageAt(targetPath)).map((heading) => heading.slug).filter((slug) => slug.includes(anchor.split("-")[0]));
                problems.push(`${page}:${line}: ${target}: ${targetPath} has no heading #${anchor}${near.length > 0 ? ` (close: ${near.map((slug) => `#${slug}`).join(", ")})` : ""}`);
            }
        } else if (!/^L\d+(-L\d+)?$/.test(anchor)) {
            problems.push(`${page}:${line}: ${target}: only line anchors (#L12) work on a non-Markdown file`);
        }
    }
    return problems;
}

/** Problems with section references by title in a file (a page or a source file). */
function crossReferenceProblems(file: string, text: string, exists: (relative: string) => boolean, pageAt: (relative: string) => string,
    pending: readonly Pending[] = []): string[] {
    return crossReferences(text).flatMap(({ page, section, line }) => {
        const candidates = page === "README" ? ["README.md"] : [page, path.posix.join(path.posix.dirname(file), page)];
        const target = candidates.find((candidate) => exists(candidate));
        if (target === undefined) {
            return [`${file}:${line}: refers to ${page} "${section}", and there is no such page`];
        }
        if (headings(pageAt(target)).some((heading) => namesHeading(section, heading.text))) {
            return [];
        }
        if (pending.some((entry) => entry.page === target && entry.section === section)) {
            return [];
        }
        return [`${file}:${line}: refers to ${page} "${section}", and ${target} has no such section`];
    });
}

/** A section another open issue is still to write; listed with its issue so the reference is not forgotten. */
interface Pending {
    page: string;
    section: string;
    issue: string;
}
// None pending: a section a page or comment names must exist when it lands.
const pendingSections: readonly Pending[] = [];

describe("docs: the link checker itself", () => {
    const pages: Record<string, string> = {
        "docs/a.md": "# Page A\n\n## Two words: here\n\n## Two words: here\n\n<a id=\"custom\"></a>\n\n```sh\n# not a heading\n[x](missing.md)\n```\n",
        "docs/b.md": "# B\n",
        "README.md": "# Title\n\n## Quick start\n",
    };
    const exists = (relative: string) => relative in pages || relative === "docs" || relative === "index.ts";
    const pageAt = (relative: string) => pages[relative];
    const check = (markdown: string) => linkProblems("docs/b.md", markdown, exists, pageAt);

    it("makes GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered", () => {
        assert.deepEqual(headings(pages["docs/a.md"]).map((heading) => heading.slug), ["page-a", "two-words-here", "two-words-here-1"]);
        assert.equal(githubSlug("`npm run verify`"), "npm-run-verify");
        assert.equal(githubSlug("Istio left Google's hosting (December 2026)"), "istio-left-googles-hosting-december-2026");
        assert.equal(githubSlug("Destroy, and when IBM Cloud is gone"), "destroy-and-when-ibm-cloud-is-gone");
        assert.equal(githubSlug("istio_version — what it does"), "istio_version--what-it-does");
        assert.deepEqual(headings("## [Link](x.md) and `code` **bold**\n").map((heading) => heading.slug), ["link-and-code-bold"]);
    });

    it("accepts links to existing pages, headings, explicit anchors, directories, line anchors and the web", () => {
        assert.deepEqual(check("[a](a.md) [h](a.md#two-words-here-1) [c](a.md#custom) [self](#b) [up](../README.md#quick-start) " +
            "[dir](../docs) [web](https://example.com/x#y) [mail](mailto:a@b.c)\n[ref]: a.md#page-a\n"), []);
    });

    it("reports a missing page, a missing anchor, a link out of the project and an anchor on a non-page", () => {
        const problems = check("[1](missing.md)\n[2](a.md#nope)\n[3](#nope)\n[4](../../shared/FACTS.md)\n[5](a.md#two-words-here-2)\n[6](../index.ts#top)\n");
        assert.equal(problems.length, 6, problems.join("\n"));
        assert.match(problems[0], /docs\/b\.md:1: missing\.md: docs\/missing\.md does not exist/);
        assert.match(problems[1], /docs\/a\.md has no heading #nope/);
        assert.match(problems[2], /docs\/b\.md has no heading #nope/);
        assert.match(problems[3], /outside the project/);
        assert.match(problems[4], /#two-words-here-2/);
        assert.match(problems[5], /only line anchors/);
    });

    it("reads no link inside a code block or a code span", () => {
        assert.deepEqual(check("```sh\n[x](missing.md)\n```\n`[y](missing.md)`\n~~~\n[z](missing.md)\n~~~\n"), []);
    });

    it("checks references to a section by title, in pages and comments, and lets a pending one through only when listed", () => {
        const text = 'see docs/a.md "Two words", README, "Quick start", docs/a.md, "Page A" and a.md "Page A"\n' +
            '// docs/a.md "Three words"\nREADME\'s "Certificates"\ndocs/gone.md "Gone"\n';
        const problems = crossReferenceProblems("docs/b.md", text, exists, pageAt);
        assert.deepEqual(problems, [
            'docs/b.md:2: refers to docs/a.md "Three words", and docs/a.md has no such section',
            'docs/b.md:3: refers to README "Certificates", and README.md has no such section',
            'docs/b.md:4: refers to docs/gone.md "Gone", and there is no such page',
        ]);
        assert.deepEqual(crossReferenceProblems("x.ts", 'docs/a.md "Three words"', exists, pageAt, [{ page: "docs/a.md", section: "Three words", issue: "#0" }]), []);
        assert.ok(!namesHeading("Two", "Twofold"), "a title names a heading only up to a word boundary");
    });
});

describe("docs: every page's links, anchors and section references resolve", () => {
    const pages = projectFiles([".md"]);
    const exists = (relative: string) => fs.existsSync(path.join(projectRoot, relative));

    it("finds the pages by walking the tree: README, CHANGELOG and every page of docs/", () => {
        assert.ok(pages.includes("README.md") && pages.includes("CHANGELOG.md"));
        const docs = fs.readdirSync(path.join(projectRoot, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`);
        assert.ok(docs.length >= 10);
        assert.deepEqual(docs.filter((page) => !pages.includes(page)), []);
    });

    it("the README links to the glossary, and the glossary explains the words a newcomer meets first", () => {
        assert.match(read("README.md"), /\]\(docs\/glossary\.md\)/);
        const terms = headings(read("docs/glossary.md")).map((heading) => heading.slug);
        for (const term of ["service-mesh", "sidecar", "ambient-mode", "ztunnel", "waypoint", "hbone", "peerauthentication", "destinationrule",
            "sni", "nlb-nlb-dns", "alb", "crn", "enroute", "wilson-score-interval", "blast-radius"]) {
            assert.ok(terms.includes(term), `docs/glossary.md has no entry #${term}`);
        }
    });

    it("links only to files that exist, and to anchors those pages have", () => {
        const problems = pages.flatMap((page) => linkProblems(page, read(page), exists, read));
        assert.deepEqual(problems, []);
    });

    it("refers to sections by titles that exist, in pages and in source comments", () => {
        const sources = projectFiles([".ts", ".cjs", ".sh", ".yaml", ".yml"])
            .filter((file) => path.join(projectRoot, file) !== __filename);
        const problems = [...pages, ...sources].flatMap((file) => crossReferenceProblems(file, read(file), exists, read, pendingSections));
        assert.deepEqual(problems, []);
    });

    it("says no 'see above' or 'its section' a reader cannot follow", () => {
        const vague = /\b(?:the (?:end-to-end )?check above|in its section|README's sections|\(README, "[^"]*"\))/;
        const problems = pages.flatMap((page) => read(page).split("\n")
            .flatMap((text, index) => vague.test(text) ? [`${page}:${index + 1}: ${text.trim()}`] : []));
        assert.deepEqual(problems, []);
    });
});

/** The key and flags of each `pulumi config set` in a command line; flags that take a value skip it. */
function configSets(command: string): { flags: string[]; key: string }[] {
    return [...command.matchAll(/pulumi config set ([^&|;]*)/g)].flatMap((match) => {
        const words = match[1].trim().split(/\s+/);
        const flags: string[] = [];
        for (let index = 0; index < words.length; index++) {
            const word = words[index];
            if (!word.startsWith("-")) {
                return [{ flags, key: word.replace(/^'|'$/g, "") }];
            }
            flags.push(word);
            if (["--stack", "-s", "--config-file", "--cwd", "-C"].includes(word)) {
                index++;
            }
        }
        return [];
    });
}

describe("docs: the shell blocks of every page name things that exist", () => {
    const pages = projectFiles([".md"]).filter((page) => !page.startsWith("test/fixtures/"));
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;

    it("run only npm scripts package.json defines", () => {
        const problems = pages.flatMap((page) => readmeCommands(read(page)).flatMap((command) =>
            [...command.matchAll(/\bnpm run ([\w:-]+)/g)].map((match) => match[1]).filter((script) => !scripts[script])
                .map((script) => `${page}: npm run ${script} (in: ${command})`)));
        assert.deepEqual(problems, []);
    });

    it("set only config keys the program reads (or another namespace's), with --path for nested keys", () => {
        const keys = new Set(configContract().map((entry) => entry.key));
        const problems = pages.flatMap((page) => readmeCommands(read(page)).flatMap((command) => configSets(command).flatMap(({ flags, key }) => {
            if (key.includes(":") || key.startsWith("$") || key.startsWith("<")) {
                return []; // kubernetes:context, another namespace's key, or a placeholder
            }
            const base = key.replace(/\[\d+\].*$/, "");
            const known = keys.has(base) || [...keys].some((contractKey) => base.startsWith(`${contractKey}.`));
            return [
                ...(known ? [] : [`${page}: sets ${key}, which is not a key of the contract (in: ${command})`]),
                ...(key.includes(".") && !flags.includes("--path") ? [`${page}: sets ${key} without --path (in: ${command})`] : []),
            ];
        })));
        assert.deepEqual(problems, []);
    });
});
