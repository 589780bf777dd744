// The mistake most Pulumi newcomers make: `pulumi config set istio.version 1.30.5` without --path. Pulumi
// then stores a flat key named "istio.version" beside the nested `istio: {version}` that the program
// reads (and that Pulumi.yaml's defaults fill), so the setting silently does nothing. The program
// refuses such keys and prints the exact commands that move the value to its path.
import { ConfigProblem, isPlainObject } from "./reader";

/** A top-level key that only `pulumi config set` without --path produces: a dotted or indexed name. */
export function isFlatKey(key: string): boolean {
    return /[.[]/.test(key);
}

/** A word as a POSIX shell reads it back unchanged. */
export function shellWord(text: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** The path a flat key names, for matching: `gateway.routes[0].prefix` is inside the list `gateway.routes`. */
const listPath = (key: string): string => key.replace(/\[.*$/, "");

/** `set --path` commands that store `value` at `key`: one per leaf when the value is an object. */
function setCommands(key: string, value: unknown, secret: boolean): string[] {
    if (secret) {
        // Never echo a secret value, not even in a fix.
        return [`pulumi config set --path --secret ${shellWord(key)} < <file holding the value>`];
    }
    if (isPlainObject(value) && Object.keys(value).length > 0) {
        return Object.entries(value).flatMap(([field, child]) => setCommands(`${key}.${field}`, child, false));
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return [`pulumi config set --path ${shellWord(key)} ${shellWord(text)}`];
}

/**
 * A problem for every flat key, with the fix: for a key the program knows (or a field of one), remove the
 * flat key and set the same value by path; for any other, remove it and name the known keys of its section.
 * `knownKeys` are the contract's keys (`istio.version`, `gateway.routes`); `secretKeys` the top-level keys
 * Pulumi holds as secrets.
 */
export function flatKeyProblems(raw: Readonly<Record<string, unknown>>, knownKeys: readonly string[],
    secretKeys: readonly string[]): ConfigProblem[] {
    return Object.keys(raw).filter(isFlatKey).sort().map((key) => {
        // Without --path, so that rm takes the dotted name literally, as set did.
        const remove = `pulumi config rm '${key.replace(/'/g, "'\\''")}'`;
        const path = listPath(key);
        const known = knownKeys.includes(path) || knownKeys.some((candidate) => candidate.startsWith(`${path}.`));
        if (known) {
            return {
                key,
                message: `${key} is a flat key: it was set without --path, so the stack does not read it. ` +
                    `Fix: ${[remove, ...setCommands(key, raw[key], secretKeys.includes(key))].join(" && ")}`,
            };
        }
        const section = key.split(/[.[]/)[0];
        const siblings = knownKeys.filter((candidate) => candidate.startsWith(`${section}.`));
        return {
            key,
            message: `${key} is not a known setting (a flat key, set without --path). Fix: ${remove}` +
                (siblings.length > 0 ? `, and set one of ${siblings.join(", ")} with pulumi config set --path` : ""),
        };
    });
}
