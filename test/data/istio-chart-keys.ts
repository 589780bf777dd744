// The value keys of Istio's charts (base, istiod, gateway; cni and ztunnel for ambient mode), one set per supported minor line, as
// `npm run charts:keys` wrote them to test/data/chart-keys/<chart>-<version>.json (key names only, with
// where they were read from). Helm ignores an unknown key in base and istiod without a word, and the
// gateway chart's schema rejects one, so tests check every value the program sets against these lists.
// A patch release keeps its line's value keys; a new line needs its own files (docs/upgrading-istio.md).
import * as fs from "fs";
import * as path from "path";

export const istioChartNames = ["base", "istiod", "gateway", "cni", "ztunnel"] as const;
export type IstioChartName = (typeof istioChartNames)[number];

export interface GeneratedChartKeys {
    chart: string;
    version: string;
    note?: string;
    keys: string[];
}

export const chartKeysDirectory = path.join(__dirname, "chart-keys");

/** Every generated key file. */
export function generatedChartKeys(): GeneratedChartKeys[] {
    return fs.readdirSync(chartKeysDirectory).filter((file) => file.endsWith(".json")).sort()
        .map((file) => JSON.parse(fs.readFileSync(path.join(chartKeysDirectory, file), "utf8")) as GeneratedChartKeys);
}

/** `1.31.0-rc.0` → `1.31`. */
export function minorLine(version: string): string {
    return version.split(".").slice(0, 2).join(".");
}

/** The key files of Istio's charts for one minor line, by chart. */
export function istioChartKeysOfLine(line: string): Partial<Record<IstioChartName, GeneratedChartKeys>> {
    return Object.fromEntries(generatedChartKeys()
        .filter((entry) => (istioChartNames as readonly string[]).includes(entry.chart) && minorLine(entry.version) === line)
        .map((entry) => [entry.chart, entry]));
}
