// A minimal reader for the .tgz archives `helm pull` writes: gunzip with Node's zlib, then walk the ustar
// blocks. Enough for charts (regular files, GNU long names, pax path headers); no extraction to disk.
import * as zlib from "zlib";

export interface TarEntry {
    path: string;
    content: Buffer;
}

const blockSize = 512;

function text(block: Buffer, start: number, length: number): string {
    const raw = block.subarray(start, start + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end === -1 ? raw.length : end).toString("utf8");
}

function octal(block: Buffer, start: number, length: number): number {
    const value = text(block, start, length).trim();
    return value === "" ? 0 : Number.parseInt(value, 8);
}

/** `path=...` from a pax extended header, if it sets one. */
function paxPath(content: Buffer): string | undefined {
    for (const record of content.toString("utf8").split("\n")) {
        const match = /^\d+ path=(.*)$/.exec(record);
        if (match) {
            return match[1];
        }
    }
    return undefined;
}

/** The regular files of a tar archive, gzipped or not. */
export function readTar(archive: Buffer): TarEntry[] {
    const data = archive[0] === 0x1f && archive[1] === 0x8b ? zlib.gunzipSync(archive) : archive;
    const entries: TarEntry[] = [];
    let offset = 0;
    let nextPath: string | undefined;
    while (offset + blockSize <= data.length) {
        const header = data.subarray(offset, offset + blockSize);
        if (header.every((byte) => byte === 0)) {
            break;
        }
        const size = octal(header, 124, 12);
        const type = String.fromCharCode(header[156] || 0x30);
        const prefix = text(header, 345, 155);
        const name = text(header, 0, 100);
        const content = data.subarray(offset + blockSize, offset + blockSize + size);
        offset += blockSize + Math.ceil(size / blockSize) * blockSize;
        if (type === "L") {
            nextPath = text(content, 0, content.length);
            continue;
        }
        if (type === "x") {
            nextPath = paxPath(content) ?? nextPath;
            continue;
        }
        if (type === "g") {
            continue;
        }
        const path = nextPath ?? (prefix ? `${prefix}/${name}` : name);
        nextPath = undefined;
        if (type === "0" || type === "\0") {
            entries.push({ path, content: Buffer.from(content) });
        }
    }
    return entries;
}
