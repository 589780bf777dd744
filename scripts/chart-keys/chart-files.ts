// The files of one Helm chart that say which values it takes, from a chart directory or a `helm pull` .tgz.
// Subcharts (charts/<name>/...) are left out: their values sit under their own key.
import * as fs from "fs";
import * as path from "path";
import { readTar } from "./tar";

export interface ChartFiles {
    /** Where the chart was read from, for the record. */
    source: string;
    chartYaml: string;
    valuesYaml?: string;
    schemaJson?: string;
    /** Template file path (relative to the chart root) → text. */
    templates: Record<string, string>;
}

/** Sorts one chart's files (paths relative to its root) into ChartFiles. */
function collect(source: string, files: { relative: string; read: () => string }[]): ChartFiles {
    const find = (name: string) => files.find((file) => file.relative === name)?.read();
    const chartYaml = find("Chart.yaml");
    if (chartYaml === undefined) {
        throw new Error(`${source} is not a Helm chart: it has no Chart.yaml at its root`);
    }
    const templates: Record<string, string> = {};
    for (const file of files.filter((entry) => entry.relative.startsWith("templates/"))) {
        templates[file.relative] = file.read();
    }
    return { source, chartYaml, valuesYaml: find("values.yaml"), schemaJson: find("values.schema.json"), templates };
}

function walk(directory: string, root = directory): string[] {
    return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(directory, entry.name);
        if (entry.isDirectory()) {
            // A chart's own subcharts are other charts.
            return path.relative(root, full) === "charts" ? [] : walk(full, root);
        }
        return entry.isFile() ? [full] : [];
    });
}

export function readChartDirectory(directory: string): ChartFiles {
    const files = walk(directory).map((full) => ({
        relative: path.relative(directory, full).split(path.sep).join("/"),
        read: () => fs.readFileSync(full, "utf8"),
    }));
    return collect(directory, files);
}

/** A packaged chart: every path starts with the chart's directory name (`istiod/values.yaml`). */
export function readChartArchive(archive: Buffer, source: string): ChartFiles {
    const entries = readTar(archive);
    const roots = new Set(entries.map((entry) => entry.path.split("/")[0]));
    const root = [...roots].find((candidate) => entries.some((entry) => entry.path === `${candidate}/Chart.yaml`));
    if (!root) {
        throw new Error(`${source} is not a packaged Helm chart: no <chart>/Chart.yaml inside`);
    }
    const files = entries
        .filter((entry) => entry.path.startsWith(`${root}/`) && !entry.path.startsWith(`${root}/charts/`))
        .map((entry) => ({ relative: entry.path.slice(root.length + 1), read: () => entry.content.toString("utf8") }));
    return collect(source, files);
}

export function readChart(location: string): ChartFiles {
    const stat = fs.statSync(location);
    return stat.isDirectory() ? readChartDirectory(location) : readChartArchive(fs.readFileSync(location), location);
}
