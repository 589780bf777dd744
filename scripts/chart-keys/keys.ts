// Which value keys a Helm chart takes: the keys its values.yaml sets, the properties its values.schema.json
// declares, and the keys its templates read (`.Values.a.b`) that values.yaml leaves out or only mentions in a
// comment (Istio's base chart reads `base.validationFailurePolicy` without listing it). Helm ignores a value
// no template reads without a word, so these lists are what the tests check the program's values against.
// A key ending in `.*` is an open map: any key below it is accepted (labels, annotations, MeshConfig).
import * as YAML from "yaml";
import { ChartFiles } from "./chart-files";

export interface ChartKeyOptions {
    /** Maps to treat as open although values.yaml fills some of their keys (`meshConfig`). */
    open?: readonly string[];
}

export interface ChartKeys {
    chart: string;
    version: string;
    keys: string[];
}

/**
 * Istio's charts keep their defaults under `_internal_defaults_do_not_set` and their zzz_profile template
 * merges them in: a user sets the keys at the top level. `defaults` is a key that template refuses.
 */
const wrapperKeys = ["_internal_defaults_do_not_set"];
const refusedKeys = ["defaults"];

/** Keys starting with `_` are a chart's own bookkeeping (Istio's `_internal_defaults_do_not_set`, `_original`). */
function isInternal(path: string): boolean {
    return path.startsWith("_");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** values.yaml with Istio's wrapper lifted to the top level. */
function topLevelValues(valuesYaml: string | undefined): Record<string, unknown> {
    const parsed: unknown = valuesYaml ? YAML.parse(valuesYaml) : undefined;
    if (!isPlainObject(parsed)) {
        return {};
    }
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parsed)) {
        if (wrapperKeys.includes(key) && isPlainObject(value)) {
            Object.assign(values, value);
        } else {
            values[key] = value;
        }
    }
    return values;
}

/**
 * Keys of values.yaml. An empty map is open (`affinity: {}`), unless the schema declares its properties:
 * then the schema's list is the stricter truth (the gateway chart's podDisruptionBudget).
 */
function valuesKeys(values: Record<string, unknown>, open: readonly string[], schemaDeclares: (path: string) => boolean,
    prefix = ""): string[] {
    return Object.entries(values).flatMap(([key, value]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        if (isPlainObject(value)) {
            if (open.includes(path) || Object.keys(value).length === 0 && !schemaDeclares(path)) {
                return [`${path}.*`];
            }
            return [path, ...valuesKeys(value, open, schemaDeclares, path)];
        }
        return [path];
    });
}

interface Schema {
    type?: string | string[];
    properties?: Record<string, Schema>;
    $ref?: string;
    $defs?: Record<string, Schema>;
}

function resolve(schema: Schema, root: Schema): Schema {
    const match = schema.$ref ? /^#\/\$defs\/(.+)$/.exec(schema.$ref) : null;
    return match && root.$defs?.[match[1]] ? resolve(root.$defs[match[1]], root) : schema;
}

function schemaKeys(schema: Schema, root: Schema, open: readonly string[], prefix = ""): string[] {
    const node = resolve(schema, root);
    return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        const resolved = resolve(child, root);
        const types = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
        if (types.includes("object")) {
            if (!resolved.properties || open.includes(path)) {
                return [`${path}.*`];
            }
            return [path, ...schemaKeys(resolved, root, open, path)];
        }
        return [path];
    });
}

/** Every `.Values.a.b.c` path the templates read. */
export function templateReads(templates: Record<string, string>): string[] {
    const reads = new Set<string>();
    for (const text of Object.values(templates)) {
        for (const match of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
            reads.add(match[1].slice(1));
        }
        // `($.Values).profile`, `($.Values.global).profile`: Istio's zzz_profile template guards nil maps this
        // way, which is how the cni and ztunnel charts read `profile` (no values.yaml of theirs lists it).
        for (const match of text.matchAll(/\(\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
            reads.add(`${match[1]}${match[2]}`.slice(1));
        }
    }
    return [...reads].sort();
}

/** Whether a path is in the list: itself, under an open map, or a parent of a listed key. */
function covered(path: string, keys: ReadonlySet<string>): boolean {
    for (const key of keys) {
        if (key === path || key.startsWith(`${path}.`)) {
            return true;
        }
        if (key.endsWith(".*")) {
            const map = key.slice(0, -2);
            if (path === map || path.startsWith(`${map}.`)) {
                return true;
            }
        }
    }
    return false;
}

function chartMetadata(chartYaml: string): { name: string; version: string } {
    const chart: unknown = YAML.parse(chartYaml);
    if (!isPlainObject(chart) || typeof chart.name !== "string") {
        throw new Error("Chart.yaml has no name");
    }
    // YAML reads an unquoted `version: 1.0` as a number.
    const version = chart.version;
    if (typeof version !== "string" && typeof version !== "number") {
        throw new Error("Chart.yaml has no version");
    }
    return { name: chart.name, version: String(version) };
}

export function chartKeys(files: ChartFiles, options: ChartKeyOptions = {}): ChartKeys {
    const open = options.open ?? [];
    const { name, version } = chartMetadata(files.chartYaml);
    const schema = files.schemaJson ? JSON.parse(files.schemaJson) as Schema : undefined;
    const fromSchema = (schema ? schemaKeys(schema, schema, open) : []).filter((key) => !isInternal(key));
    const schemaDeclares = (path: string) => fromSchema.some((key) => key.startsWith(`${path}.`) && !key.endsWith(".*"));
    const keys = new Set([...valuesKeys(topLevelValues(files.valuesYaml), open, schemaDeclares), ...fromSchema]);
    for (const read of templateReads(files.templates)) {
        if (isInternal(read) || refusedKeys.includes(read.split(".")[0]) || covered(read, keys)) {
            continue;
        }
        const parts = read.split(".");
        for (let depth = 1; depth <= parts.length; depth++) {
            const path = parts.slice(0, depth).join(".");
            if (!covered(path, keys) || depth === parts.length) {
                keys.add(path);
            }
        }
    }
    // A key listed both as a leaf and as an open map (`affinity` and `affinity.*`) is the open map.
    const sorted = [...keys].filter((key) => !keys.has(`${key}.*`)).sort();
    return { chart: name, version, keys: sorted };
}
