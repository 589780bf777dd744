// Reads the links, anchors and prose cross-references of Markdown pages, for test/tools/docs-links.spec.ts.
// Anchors are made the way GitHub makes them (github-slugger, which github.com uses for heading ids):
// the heading's text, lower-cased, every character that is not a letter, mark, number, connector
// punctuation (`_`), hyphen or space removed, spaces turned into hyphens; a repeated slug gets -1, -2, ...

/** A fence closes with the same character, at least as many times, and nothing after it (CommonMark 4.5). */
function closesFence(text: string, fence: string): boolean {
    const trimmed = text.trim();
    return text.length - text.trimStart().length <= 3 && trimmed.length >= fence.length && [...trimmed].every((character) => character === fence.charAt(0));
}

/** A page's lines outside fenced code blocks, with their 1-based line numbers. */
export function proseLines(markdown: string): { line: number; text: string }[] {
    const lines: { line: number; text: string }[] = [];
    let fence: string | undefined;
    markdown.split("\n").forEach((text, index) => {
        const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
        if (fence === undefined && opener) {
            fence = opener[1];
            return;
        }
        if (fence !== undefined) {
            if (closesFence(text, fence)) {
                fence = undefined;
            }
            return;
        }
        lines.push({ line: index + 1, text });
    });
    return lines;
}

/** Inline code spans removed (their text is not a link), so `[a](b)` inside backticks is not read. */
const withoutCode = (text: string): string => text.replace(/(`+)[^`]*?\1/g, "");

/** The text GitHub shows for a heading: links as their text, no code ticks, emphasis stars or HTML tags. */
function headingText(raw: string): string {
    return raw.replace(/\s+#+\s*$/, "").replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "")
        .replace(/`/g, "").replace(/\*/g, "").trim();
}

export function githubSlug(text: string): string {
    return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

export interface Heading {
    text: string;
    slug: string;
    line: number;
}

/** The page's headings (ATX `#` headings outside code), with GitHub's anchor for each. */
export function headings(markdown: string): Heading[] {
    const seen = new Map<string, number>();
    return proseLines(markdown).flatMap(({ line, text }) => {
        const match = /^\s{0,3}#{1,6}\s+(.*)$/.exec(text);
        if (!match) {
            return [];
        }
        const shown = headingText(match[1]);
        const base = githubSlug(shown);
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        return [{ text: shown, slug: count === 0 ? base : `${base}-${count}`, line }];
    });
}

/** Every anchor a link may point to in the page: heading slugs and explicit `<a id>` / `<a name>`. */
export function anchors(markdown: string): Set<string> {
    const explicit = proseLines(markdown).flatMap(({ text }) => [...text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)].map((match) => match[1]));
    return new Set([...headings(markdown).map((heading) => heading.slug), ...explicit]);
}

export interface Link {
    target: string;
    line: number;
}

/** Inline links and images `[text](target "title")`, and reference definitions `[label]: target`. */
export function links(markdown: string): Link[] {
    return proseLines(markdown).flatMap(({ line, text }) => {
        const prose = withoutCode(text);
        const inline = [...prose.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1].replace(/^<|>$/g, ""));
        const definition = /^\s{0,3}\[[^\]]+\]:\s*(\S+)/.exec(prose);
        return [...inline, ...(definition ? [definition[1]] : [])].map((target) => ({ target, line }));
    });
}

export interface CrossReference {
    /** The page as written: `docs/security.md`, `README`, `README.md`. */
    page: string;
    section: string;
    line: number;
}

/**
 * References in prose (or comments) to a section by its title: `docs/security.md "Mesh CA"`,
 * `docs/architecture.md, "Layers"`, `README, "Certificates"`. Only a page name followed by a quoted
 * title counts; a bare "see above" cannot be checked and should not be written.
 */
export function crossReferences(text: string): CrossReference[] {
    return text.split("\n").flatMap((lineText, index) =>
        [...withoutCode(lineText).matchAll(/(?<![\w/.-])((?:[\w.-]+\/)*[\w.-]+\.md|README)(?:'s)?,? (?:section )?["“]([^"”\n]{2,80})["”]/g)]
            .map((match) => ({ page: match[1], section: match[2], line: index + 1 })));
}

/** A title names a heading when it is the heading's text, or its start up to a word boundary. */
export function namesHeading(section: string, heading: string): boolean {
    const want = section.trim().toLowerCase();
    const have = heading.trim().toLowerCase();
    return have === want || (have.startsWith(want) && /^[\s:,(—-]/.test(have.slice(want.length)));
}
