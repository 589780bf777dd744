// `npm run bench`: measures the program under the mock engine and prints one table per measure.
// (a) deploy critical path against its minimum, (b) blast radius of typical changes against the
// minimum, (c) determinism, (d) evaluation time as routes grow, (e) requested CPU and memory per sizing
// profile. test/tools/bench.spec.ts holds (a)-(c), test/program/profiles.spec.ts (e).
import { performance } from "perf_hooks";
import { blastRadius } from "./bench/blast-radius";
import { criticalPath } from "./bench/critical-path";
import { runProgram } from "../test/harness/program";
import { dataPlaneAt, defaultNodeCount, footprint, footprintBuckets, formatQuantity } from "./bench/footprint";
import { changes, manyRoutes, stackShapes } from "./bench/scenarios";
import { timeRounds } from "./bench/timing";
import { sizingProfiles } from "../components/config/schema";

/** Table (d): one untimed round over every size, then five timed ones; the median is what is reported. */
const timingWarmup = 1;
const timingRuns = 5;

function table(title: string, header: string[], rows: string[][]): void {
    const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
    console.log(`\n${title}\n${line(header)}\n${line(widths.map((width) => "-".repeat(width)))}`);
    rows.forEach((row) => console.log(line(row)));
}

async function main(): Promise<void> {
    const pathRows: string[][] = [];
    for (const shape of stackShapes) {
        const path = criticalPath((await runProgram(shape.config, shape.options)).resources);
        pathRows.push([shape.name, String(path.length), String(shape.minimumCriticalPath), path.chain.join(" → ")]);
    }
    table("(a) deploy critical path (resources in the longest waiting chain)", ["stack", "length", "minimum", "chain"], pathRows);

    const blastRows: string[][] = [];
    for (const change of changes) {
        const before = await runProgram(change.before.config, change.before.options);
        const after = await runProgram(change.after.config, change.after.options);
        const radius = blastRadius(before.resources, after.resources);
        blastRows.push([change.name, String(radius.total), String(change.minimum(before)),
            [...radius.changed.map((name) => `~${name}`), ...radius.added.map((name) => `+${name}`), ...radius.removed.map((name) => `-${name}`)]
                .slice(0, 4).join(", ") + (radius.total > 4 ? ", ..." : "")]);
    }
    table("(b) blast radius (resources created, deleted or updated)", ["change", "resources", "minimum", "which"], blastRows);

    const determinismRows: string[][] = [];
    for (const shape of stackShapes) {
        const first = await runProgram(shape.config, shape.options);
        // fresh: a second evaluation, not the first one handed back (the harness shares equal runs).
        const second = await runProgram(shape.config, { ...shape.options, fresh: true });
        determinismRows.push([shape.name, String(blastRadius(first.resources, second.resources).total)]);
    }
    table("(c) determinism (resources whose inputs differ between two evaluations)", ["stack", "differences"], determinismRows);

    const resourceCounts = new Map<number, number>();
    const timings = await timeRounds([1, 10, 100], async (count) => {
        resourceCounts.set(count, (await runProgram(manyRoutes(count), { fresh: true })).resources.length);
    }, { warmup: timingWarmup, runs: timingRuns, now: () => performance.now() });
    const ms = (value: number) => `${Math.round(value)} ms`;
    table(`(d) evaluation time under the mock engine (median of ${timingRuns} runs after ${timingWarmup} warm-up round)`,
        ["routes", "resources", "median", "fastest–slowest"],
        timings.map((timing) => [String(timing.subject), String(resourceCounts.get(timing.subject)), ms(timing.median), `${ms(timing.min)}–${ms(timing.max)}`]));

    const footprintRows: string[][] = [];
    const notes: string[] = [];
    for (const profile of sizingProfiles) {
        const measured = footprint((await runProgram({ profile }, {})).resources);
        const proxies = measured.parts.filter((part) => part.bucket === "data plane").reduce((sum, part) => sum + part.pods, 0);
        footprintRows.push([profile, ...footprintBuckets.map((bucket) =>
            bucket === "data plane" ? `${formatQuantity(measured.byBucket[bucket])} (${proxies})` : formatQuantity(measured.byBucket[bucket])),
        formatQuantity(measured.total)]);
        notes.push(...[...measured.unrequested.map((what) => `${what} requests nothing`), ...measured.uncounted.map((what) => `not counted: ${what}`)]
            .map((note) => `${profile}: ${note}`));
    }
    table("(e) requested CPU / memory per sizing profile (default stack: every sample, Kiali; EnRoute off)",
        ["profile", ...footprintBuckets, "total"], footprintRows);
    notes.forEach((note) => console.log(`  ${note}`));

    // (f) the same samples and profile on each data plane. Ambient's data plane is ztunnel and istio-cni on
    // every node (istio-cni proxies nothing, but ambient cannot run without it and sidecar mode here does
    // not install it) plus the waypoints.
    const dataplaneRows: string[][] = [];
    const growthRows: string[][] = [];
    for (const profile of sizingProfiles) {
        const sidecar = footprint((await runProgram({ profile }, {})).resources);
        const ambient = footprint((await runProgram({ profile, istio: { dataplane: "ambient" } }, {})).resources);
        const routed = footprint((await runProgram({ profile, istio: { dataplane: "ambient" }, gateway: { routes: [benchRouteIntoSample] } }, {})).resources);
        const part = (measured: typeof sidecar, name: string) => measured.parts.filter((candidate) => candidate.what.startsWith(name))
            .reduce((sum, candidate) => sum + candidate.perPod.memory * candidate.pods, 0);
        const share = (measured: typeof sidecar) => `${Math.round(100 * measured.byBucket["data plane"].memory / sidecar.byBucket["data plane"].memory)} %`;
        dataplaneRows.push([profile, formatQuantity(sidecar.byBucket["data plane"]),
            `${Math.round(part(ambient, "ztunnel"))} + ${Math.round(part(ambient, "istio-cni"))} MiB`, formatQuantity(ambient.byBucket["data plane"]), share(ambient),
            formatQuantity(routed.byBucket["data plane"]), share(routed)]);
        for (const nodes of [3, 10]) {
            growthRows.push([profile, String(nodes), ...[10, 50, 200].map((pods) => {
                const ratio = dataPlaneAt(ambient, { pods, nodes }).memory / dataPlaneAt(sidecar, { pods, nodes }).memory;
                return `${Math.round(100 * ratio)} %`;
            })]);
        }
    }
    table(`(f) data-plane requests, sidecar vs ambient (default samples, 10 mesh pods; ${defaultNodeCount} nodes assumed for ztunnel and istio-cni)`,
        ["profile", "sidecars", "ambient: ztunnel + istio-cni memory", "ambient", "of sidecar memory", "ambient + 1 waypoint", "of sidecar memory"],
        dataplaneRows);
    console.log("  target: ambient at 40 % or less of sidecar memory on standard with 3 nodes (test/program/ambient-footprint.spec.ts);");
    console.log("  small misses 40 % (about 66 %): its sidecars are already at Istio's demo size (40Mi), and two agents on each of 3 nodes weigh 264 MiB.");
    console.log("  production keeps the charts' per-node sizes (ztunnel 512Mi, istio-cni 100Mi), made for large clusters: ambient costs more there for 10 pods.");
    table("(g) ambient data-plane memory as a share of sidecar mode's, as the mesh grows (profile sizes; no waypoint)",
        ["profile", "nodes", "10 pods", "50 pods", "200 pods"], growthRows);
}

/** A user route into a sample namespace: its path rule makes that namespace's waypoint. */
const benchRouteIntoSample = { prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 };

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
