// Reads the commands and links of a Markdown document, for the README's checks.

/** Every command line in the document's sh/bash/console blocks, in order, continuation lines joined, comments dropped. */
export function readmeCommands(markdown: string): string[] {
    const blocks = [...markdown.matchAll(/^```(?:sh|bash|shell|console)\n([\s\S]*?)^```/gm)].map((match) => match[1]);
    return blocks.flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"))
        .map((line) => line.replace(/^\$ /, "").replace(/\s+#.*$/, "").trim())
        .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The targets of every Markdown link in the document. */
export function readmeLinks(markdown: string): string[] {
    return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}
