// MySQL's server configuration for the WordPress sample, as the file mounted into /etc/mysql/conf.d
// (the official image's /etc/my.cnf ends with `!includedir /etc/mysql/conf.d/`).
import { createHash } from "crypto";

/** File name inside /etc/mysql/conf.d; MySQL reads only `*.cnf` files from an included directory. */
export const mysqlConfigFileName = "iks-mesh.cnf";
export const mysqlConfigDirectory = "/etc/mysql/conf.d";

/**
 * `skip-name-resolve`: without it MySQL reverse-resolves every client address before it answers, and
 * in a mesh every connection arrives from the sidecar, so each WordPress request would pay a DNS round
 * trip. Grants here use `%`, never host names.
 */
export function mysqlServerConfig(): string {
    return [
        "[mysqld]",
        "skip-name-resolve",
        "",
    ].join("\n");
}

/** Parses an option file into sections of option names, enough to check what a config file sets. */
export function optionFileSections(text: string): Record<string, string[]> {
    const sections: Record<string, string[]> = {};
    let current: string | undefined;
    for (const rawLine of text.split(/\r?\n/)) {
        const line = rawLine.trim();
        if (line === "" || line.startsWith("#") || line.startsWith(";")) {
            continue;
        }
        const header = /^\[([^\]]+)\]$/.exec(line);
        if (header) {
            current = header[1].trim();
            sections[current] = sections[current] ?? [];
            continue;
        }
        if (current !== undefined) {
            sections[current].push(line.split("=")[0].trim().replace(/_/g, "-"));
        }
    }
    return sections;
}

/** A short digest of the config, put on the pod template so a config change restarts MySQL. */
export function configDigest(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
