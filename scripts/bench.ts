// `npm run bench`: measures the program under the mock engine and prints one table per measure.
// (a) deploy critical path against its minimum, (b) blast radius of typical changes against the
// minimum, (c) determinism, (d) evaluation time as routes grow, (e) requested CPU and memory per sizing
// profile. test/tools/bench.spec.ts holds (a)-(c), test/program/profiles.spec.ts (e).
import { performance } from "perf_hooks";
import { blastRadius } from "./bench/blast-radius";
import { criticalPath } from "./bench/critical-path";
import { runProgram } from "../test/harness/program";
import { defaultNodeCount, footprint, footprintBuckets, formatQuantity } from "./bench/footprint";
import { changes, manyRoutes, stackShapes } from "./bench/scenarios";
import { sizingProfiles } from "../components/config/schema";

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
        const second = await runProgram(shape.config, shape.options);
        determinismRows.push([shape.name, String(blastRadius(first.resources, second.resources).total)]);
    }
    table("(c) determinism (resources whose inputs differ between two evaluations)", ["stack", "differences"], determinismRows);

    const timeRows: string[][] = [];
    for (const count of [1, 10, 100]) {
        const start = performance.now();
        const run = await runProgram(manyRoutes(count), {});
        timeRows.push([String(count), String(run.resources.length), `${Math.round(performance.now() - start)} ms`]);
    }
    table("(d) evaluation time under the mock engine", ["routes", "resources", "time"], timeRows);

    const footprintRows: string[][] = [];
    const notes: string[] = [];
    for (const profile of sizingProfiles) {
        const measured = footprint((await runProgram({ profile }, {})).resources);
        const proxies = measured.parts.filter((part) => part.bucket === "proxies").reduce((sum, part) => sum + part.pods, 0);
        footprintRows.push([profile, ...footprintBuckets.map((bucket) =>
            bucket === "proxies" ? `${formatQuantity(measured.byBucket[bucket])} (${proxies})` : formatQuantity(measured.byBucket[bucket])),
        formatQuantity(measured.total)]);
        notes.push(...[...measured.unrequested.map((what) => `${what} requests nothing`), ...measured.uncounted.map((what) => `not counted: ${what}`)]
            .map((note) => `${profile}: ${note}`));
    }
    table("(e) requested CPU / memory per sizing profile (default stack: every sample, Kiali; EnRoute off)",
        ["profile", ...footprintBuckets, "total"], footprintRows);
    notes.forEach((note) => console.log(`  ${note}`));

    // (f) the same samples and profile on each data plane; ztunnel and istio-cni run on every node.
    const dataplaneRows: string[][] = [];
    for (const profile of sizingProfiles) {
        const sidecar = footprint((await runProgram({ profile }, {})).resources);
        const ambient = footprint((await runProgram({ profile, istio: { dataplane: "ambient" } }, {})).resources);
        const routed = footprint((await runProgram({ profile, istio: { dataplane: "ambient" }, gateway: { routes: [benchRouteIntoSample] } }, {})).resources);
        const share = (measured: typeof sidecar) => `${Math.round(100 * measured.byBucket.proxies.memory / sidecar.byBucket.proxies.memory)} %`;
        dataplaneRows.push([profile, formatQuantity(sidecar.byBucket.proxies), formatQuantity(ambient.byBucket.proxies), share(ambient),
            formatQuantity(routed.byBucket.proxies), share(routed), formatQuantity(ambient.byBucket["node agents"])]);
    }
    table(`(f) data-plane requests, sidecar vs ambient (default samples; ${defaultNodeCount} nodes assumed for ztunnel and istio-cni)`,
        ["profile", "sidecars", "ambient: ztunnel", "of sidecar memory", "ambient + 1 waypoint", "of sidecar memory", "istio-cni (not a proxy)"],
        dataplaneRows);
}

/** A user route into a sample namespace: its path rule makes that namespace's waypoint. */
const benchRouteIntoSample = { prefix: "/api/extras", service: "extras", namespace: "bookinfo", port: 8080 };

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
