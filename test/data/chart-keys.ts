// Every Helm chart the program installs, with the version its key list was read from. A release of a
// chart that is not listed here, or at another version, fails validation: add the chart's keys first.
// Istio's charts are listed per minor line (a patch keeps its line's keys) and may come from any
// repository istio.chartRepository accepts, so they are matched by chart name and line.
import { enrouteChartRepository, kialiChartRepository } from "../../components/core/versions";
import { enrouteChartKeys, enrouteChartKeysVersion } from "./enroute-chart-keys";
import { generatedChartKeys, istioChartNames, minorLine } from "./istio-chart-keys";
import { kialiChartKeys, kialiChartKeysVersions } from "./kiali-chart-keys";

export interface ChartKeyList {
    /** The repository the chart must come from; undefined for Istio's charts (istio.chartRepository decides). */
    repo?: string;
    chart: string;
    version: string;
    /** "line": any patch of the version's minor line matches; "exact": only this version. */
    match: "line" | "exact";
    keys: readonly string[];
}

export const chartKeys: ChartKeyList[] = [
    ...generatedChartKeys().filter((entry) => (istioChartNames as readonly string[]).includes(entry.chart))
        .map((entry): ChartKeyList => ({ chart: entry.chart, version: entry.version, match: "line", keys: entry.keys })),
    ...kialiChartKeysVersions.map((version): ChartKeyList =>
        ({ repo: kialiChartRepository, chart: "kiali-server", version, match: "exact", keys: kialiChartKeys })),
    { repo: enrouteChartRepository, chart: "enroute", version: enrouteChartKeysVersion, match: "exact", keys: enrouteChartKeys },
];

/** Whether a key list was read from a chart of this version. */
export function keysMatchVersion(entry: ChartKeyList, version: string): boolean {
    return entry.match === "exact" ? entry.version === version : minorLine(entry.version) === minorLine(version);
}
