// `npm run charts:keys`: the value keys of a chart from its values.yaml, values.schema.json and templates,
// from a directory or a .tgz, on the small fixture charts of test/fixtures/charts.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readChart, readChartArchive } from "../../scripts/chart-keys/chart-files";
import { chartKeys, templateReads } from "../../scripts/chart-keys/keys";
import { readTar } from "../../scripts/chart-keys/tar";
import { main, parseArgs, usage, writeChartKeys } from "../../scripts/chart-keys";
import { generatedChartKeys } from "../data/istio-chart-keys";

const fixtures = path.join(__dirname, "..", "fixtures", "charts");
const meshlike = path.join(fixtures, "meshlike");
const gatewaylike = path.join(fixtures, "gatewaylike");

const meshlikeKeys = [
    "global", "global.hub", "global.proxy", "global.proxy.image", "meshConfig.*", "podAnnotations.*", "replicaCount", "tolerations",
    "webhook", "webhook.failurePolicy", "webhook.timeoutSeconds", "webhook.url",
];

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "chart-keys-"));
}

/** Packs a chart directory the way `helm package` lays it out: <name>/... inside a gzipped tar. */
function pack(chartDirectory: string, format: "gnu" | "pax" | "ustar"): Buffer {
    const out = path.join(tempDir(), "chart.tgz");
    execFileSync("tar", [`--format=${format}`, "-czf", out, "-C", path.dirname(chartDirectory), path.basename(chartDirectory)]);
    return fs.readFileSync(out);
}

describe("charts:keys: keys of a chart directory", () => {
    it("lifts Istio-style defaults to the top level and adds keys the templates read that values.yaml leaves out or only mentions in a comment", () => {
        const result = chartKeys(readChart(meshlike), { open: ["meshConfig"] });
        assert.deepEqual(result, { chart: "meshlike", version: "0.3.1", keys: meshlikeKeys });
    });

    it("leaves out the chart's bookkeeping (_original), the refused `defaults` key and its subcharts' keys", () => {
        const { keys } = chartKeys(readChart(meshlike));
        for (const absent of ["_original", "_internal_defaults_do_not_set", "defaults", "subOnly", "subTemplateOnly"]) {
            assert.ok(!keys.some((key) => key === absent || key.startsWith(`${absent}.`)), absent);
        }
    });

    it("lists a filled map key by key unless told it is open", () => {
        const { keys } = chartKeys(readChart(meshlike));
        assert.deepEqual(keys.filter((key) => key.startsWith("meshConfig")),
            ["meshConfig", "meshConfig.defaultConfig", "meshConfig.defaultConfig.concurrency", "meshConfig.enableMerge"]);
    });

    it("reads values.schema.json through $ref, and prefers its properties over an empty map in values.yaml", () => {
        assert.deepEqual(chartKeys(readChart(gatewaylike)).keys, [
            "global.*", "labels.*", "podDisruptionBudget", "podDisruptionBudget.minAvailable", "revision", "service",
            "service.annotations.*", "service.type",
        ]);
    });

    it("finds .Values paths in templates, including $.Values", () => {
        assert.deepEqual(templateReads({ a: "{{ .Values.a.b }} {{ $.Values.c }} {{ .Values.a.b }} {{ index .Values \"x\" }}" }), ["a.b", "c"]);
    });

    it("finds .Values paths read through a parenthesised map, as Istio's zzz_profile template reads `profile`", () => {
        assert.deepEqual(templateReads({ a: "{{- with (coalesce ($.Values).profile ($.Values.global).profile) }}" }), ["global", "global.profile", "profile"]);
    });

    it("refuses a directory that is not a chart", () => {
        assert.throws(() => readChart(fixtures), /not a Helm chart: it has no Chart\.yaml/);
    });
});

describe("charts:keys: packaged charts (.tgz)", () => {
    for (const format of ["gnu", "pax", "ustar"] as const) {
        it(`reads a ${format} tar with a path longer than 100 characters the same as the directory`, () => {
            const copy = path.join(tempDir(), "meshlike");
            fs.cpSync(meshlike, copy, { recursive: true });
            const deep = path.join(copy, "templates", "a-directory-name-long-enough-to-need-more-than-the-classic-tar-name-field");
            fs.mkdirSync(deep, { recursive: true });
            fs.writeFileSync(path.join(deep, "deep-template-file.yaml"), "v: {{ .Values.deep.value }}\n");
            const fromArchive = chartKeys(readChartArchive(pack(copy, format), "meshlike-0.3.1.tgz"), { open: ["meshConfig"] });
            assert.deepEqual(fromArchive.keys, [...meshlikeKeys, "deep", "deep.value"].sort());
            if (format !== "ustar") {
                assert.ok(readTar(pack(copy, format)).some((entry) => entry.path.endsWith("/deep-template-file.yaml") && entry.path.length > 100));
            }
        });
    }

    it("refuses an archive without <chart>/Chart.yaml", () => {
        const directory = tempDir();
        fs.writeFileSync(path.join(directory, "values.yaml"), "a: 1\n");
        assert.throws(() => readChartArchive(pack(directory, "gnu"), "broken.tgz"), /not a packaged Helm chart/);
    });
});

describe("charts:keys: the command", () => {
    it("writes <chart>-<version>.json per chart, with the recorded version and source", () => {
        const out = tempDir();
        const written = writeChartKeys(parseArgs(["--out", out, "--open", "meshConfig", meshlike, gatewaylike], "unused"));
        assert.deepEqual(written.map((file) => path.basename(file)), ["meshlike-0.3.1.json", "gatewaylike-1.2.0.json"]);
        const record = JSON.parse(fs.readFileSync(written[0], "utf8"));
        assert.deepEqual(record, {
            chart: "meshlike", version: "0.3.1", generatedBy: "npm run charts:keys", source: "meshlike", openMaps: ["meshConfig"], keys: meshlikeKeys,
        });
        const [renamed] = writeChartKeys(parseArgs(["--out", out, "--chart-version", "1.31.0-rc.0", "--note", "from git", gatewaylike], "unused"));
        assert.equal(path.basename(renamed), "gatewaylike-1.31.0-rc.0.json");
        assert.equal(JSON.parse(fs.readFileSync(renamed, "utf8")).note, "from git");
    });

    it("runs as npm run charts:keys and fails with a message on bad arguments", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).scripts;
        assert.match(scripts["charts:keys"], /scripts\/chart-keys\.ts/);
        assert.throws(() => parseArgs([], "x"), /name at least one chart/);
        assert.throws(() => parseArgs(["--open"], "x"), /--open needs a value/);
        assert.throws(() => parseArgs(["--bogus", "c"], "x"), /unknown option --bogus/);
    });

    it("--help (or -h) prints every option and exits 0, anywhere on the line, writing nothing", () => {
        for (const args of [["--help"], ["-h"], ["--out", "/nonexistent/never", "--help", meshlike], ["--bogus", "--help"]]) {
            const logged: string[] = [];
            const errors: string[] = [];
            assert.equal(main(args, "/nonexistent/never", (line) => logged.push(line), (line) => errors.push(line)), 0, args.join(" "));
            assert.deepEqual(logged, [usage]);
            assert.deepEqual(errors, []);
        }
        for (const option of ["--out", "--open", "--chart-version", "--note"]) {
            assert.match(usage, new RegExp(`^\\s+${option} \\S.* {2,}\\w`, "m"), `usage explains ${option}`);
        }
        assert.match(usage, /npm run charts:keys -- --help$/m);
        assert.ok(!fs.existsSync("/nonexistent/never"));
    });

    it("a bad argument exits 1 with the problem and the usage, before reading any chart", () => {
        const errors: string[] = [];
        assert.equal(main(["--bogus", meshlike], "unused", () => assert.fail("nothing is written"), (line) => errors.push(line)), 1);
        assert.equal(errors.length, 1);
        assert.match(errors[0], /^charts:keys: unknown option --bogus\n/);
        assert.ok(errors[0].endsWith(usage));
        const unreadable: string[] = [];
        assert.equal(main([path.join(tempDir(), "missing.tgz")], tempDir(), () => assert.fail("nothing is written"), (line) => unreadable.push(line)), 1);
        assert.match(unreadable[0], /^charts:keys: /);
    });

    it("every key file the tests use has the generator's shape: sorted, unique keys with their version", () => {
        const files = generatedChartKeys();
        assert.ok(files.length >= 6);
        for (const file of files) {
            assert.equal(typeof file.chart, "string");
            assert.match(file.version, /^\d+\.\d+\.\d+/);
            assert.deepEqual(file.keys, [...new Set(file.keys)].sort(), `${file.chart}-${file.version}`);
        }
    });
});
