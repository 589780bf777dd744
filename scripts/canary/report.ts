// Each step's numbers as a Markdown table and a Mermaid xychart (weight and canary success rate over
// the run), for the CI job summary. GitHub renders Mermaid in Markdown, job summaries included
// (https://github.blog/2022-02-14-include-diagrams-markdown-files-mermaid/); xychart-beta syntax:
// https://mermaid.js.org/syntax/xyChart.html.
import { Judgement } from "./judgement";

export interface StepRecord {
    /** Seconds since the run started. */
    at: number;
    weight: number;
    judgement: Judgement;
}

const pct = (rate: number | undefined) => (rate === undefined ? "–" : `${(rate * 100).toFixed(2)}%`);
const ms = (value: number | undefined) => (value === undefined ? "–" : value.toFixed(0));
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownReport(stack: string, records: readonly StepRecord[], outcome: string): string {
    const lines = [
        `## Canary on stack \`${stack}\`: ${outcome}`,
        "",
        "| time (s) | weight % | verdict | canary requests | canary success | canary p99 ms | stable requests | stable success | stable p99 ms | why |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
        ...records.map(({ at, weight, judgement: { verdict, numbers: { canary, stable }, reasons } }) =>
            `| ${at} | ${weight} | ${verdict} | ${canary.requests.toFixed(0)} | ${pct(canary.successRate)} | ${ms(canary.p99Ms)} | ` +
            `${stable.requests.toFixed(0)} | ${pct(stable.successRate)} | ${ms(stable.p99Ms)} | ${cell(reasons.join("; "))} |`),
        "",
    ];
    if (records.length > 0) {
        // One x label per judgement; both series on the same 0-100 axis (weight in %, success in %).
        lines.push(
            "```mermaid",
            "xychart-beta",
            "    title \"Canary weight (bar) and canary success rate (line), %\"",
            `    x-axis "seconds" [${records.map((record) => `"${record.at}"`).join(", ")}]`,
            "    y-axis \"%\" 0 --> 100",
            `    bar [${records.map((record) => record.weight).join(", ")}]`,
            `    line [${records.map((record) => ((record.judgement.numbers.canary.successRate ?? 0) * 100).toFixed(2)).join(", ")}]`,
            "```",
            "",
        );
    }
    return lines.join("\n");
}
