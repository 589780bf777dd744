// `npm run charts:keys -- [options] <chart directory or .tgz> ...`: writes the value keys of each chart to
// test/data/chart-keys/<chart>-<version>.json, where the tests look them up. Offline: run it on charts
// fetched with `helm pull` (docs/upgrading-istio.md has the whole upgrade). The options are in `usage`.
import * as fs from "fs";
import * as path from "path";
import { readChart } from "./chart-keys/chart-files";
import { chartKeys } from "./chart-keys/keys";

export interface CliOptions {
    out: string;
    open: string[];
    chartVersion?: string;
    note?: string;
    charts: string[];
}

export const usage = [
    "usage: npm run charts:keys -- [options] <chart directory or .tgz> ...",
    "       npm run charts:keys -- --help",
    "  Writes the value keys of each chart (values.yaml, values.schema.json, the templates' .Values reads) to",
    "  <out>/<chart>-<version>.json, where the tests look them up. Offline: fetch the charts first with",
    "  helm pull <repo>/<chart> --version <v> (docs/upgrading-istio.md, \"adding a minor line\").",
    "  --out <dir>              where to write (default test/data/chart-keys)",
    "  --open <key>             treat a map as open although values.yaml fills some keys (repeatable)",
    "  --chart-version <v>      record this version instead of Chart.yaml's (for charts from a git checkout,",
    "                           whose Chart.yaml carries a placeholder)",
    "  --note <text>            a line saying where the charts came from, kept in the file",
].join("\n");

/** True when the command line asks for help: it wins over everything else on the line, as in verify. */
export function wantsHelp(args: readonly string[]): boolean {
    return args.some((arg) => arg === "--help" || arg === "-h");
}

export function parseArgs(args: readonly string[], defaultOut: string): CliOptions {
    const options: CliOptions = { out: defaultOut, open: [], charts: [] };
    for (let index = 0; index < args.length; index++) {
        const arg = args[index];
        const value = () => {
            const next = args[++index];
            if (next === undefined || next.startsWith("--")) {
                throw new Error(`${arg} needs a value`);
            }
            return next;
        };
        if (arg === "--out") {
            options.out = value();
        } else if (arg === "--open") {
            options.open.push(value());
        } else if (arg === "--chart-version") {
            options.chartVersion = value();
        } else if (arg === "--note") {
            options.note = value();
        } else if (arg.startsWith("--")) {
            throw new Error(`unknown option ${arg}`);
        } else {
            options.charts.push(arg);
        }
    }
    if (options.charts.length === 0) {
        throw new Error("name at least one chart directory or .tgz (helm pull <repo>/<chart> --version <v>)");
    }
    return options;
}

/** Writes one file per chart; returns the paths written. */
export function writeChartKeys(options: CliOptions): string[] {
    fs.mkdirSync(options.out, { recursive: true });
    return options.charts.map((location) => {
        const result = chartKeys(readChart(location), { open: options.open });
        const version = options.chartVersion ?? result.version;
        const file = path.join(options.out, `${result.chart}-${version}.json`);
        const record = {
            chart: result.chart,
            version,
            generatedBy: "npm run charts:keys",
            source: path.basename(path.resolve(location)),
            ...(options.note ? { note: options.note } : {}),
            ...(options.open.length > 0 ? { openMaps: options.open } : {}),
            keys: result.keys,
        };
        fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
        return file;
    });
}

/** The command: exit code 0 on success or --help, 1 on bad arguments or an unreadable chart. */
export function main(args: readonly string[], defaultOut: string, log: (line: string) => void, error: (line: string) => void): number {
    if (wantsHelp(args)) {
        log(usage);
        return 0;
    }
    let options: CliOptions;
    try {
        options = parseArgs(args, defaultOut);
    } catch (problem) {
        error(`charts:keys: ${(problem as Error).message}\n${usage}`);
        return 1;
    }
    try {
        for (const file of writeChartKeys(options)) {
            log(`wrote ${path.relative(process.cwd(), file)}`);
        }
        return 0;
    } catch (problem) {
        error(`charts:keys: ${(problem as Error).message}`);
        return 1;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2), path.join(__dirname, "..", "test", "data", "chart-keys"),
        (line) => console.log(line), (line) => console.error(line));
}
