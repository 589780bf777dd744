// Which IBM Cloud CLI archive to download, checked against the SHA-256 committed in
// .github/ibmcloud-cli.json (the trust anchor) and against the checksum IBM publishes for it.
//
// IBM publishes the installers' checksums in its CLI metadata, ibm-cloud-cli-metadata-dn/all_versions.json
// on download.clis.cloud.ibm.com: a list of releases `{version, binaries: {<platform>: {url, checksum,
// sha256_checksum}}, archives: {...}}`. IBM's own installers verify against it: the Linux install
// script (clis.cloud.ibm.com/install/linux) checks the SHA-1 `checksum`, and IBM's GitHub action
// IBM/actions-ibmcloud-cli 2.1.0 (src/installer/base.js, getVersionMetadata) reads this same file and
// checks the `sha256_checksum` of `binaries.<platform>`; we check the SHA-256. The README of
// IBM-Cloud/ibm-cloud-cli-release links the same download host for the installers.
//
// The metadata comes from the same host as the archive, so on its own it only catches corruption. The
// committed hash is what stops a swapped archive: the metadata only supplies the URL, and both the
// metadata's checksum and the downloaded archive must equal the committed one.
//
//   ts-node --transpile-only scripts/ci/ibmcloud-cli-release.ts <all_versions.json> <pins.json>
// prints `url=`, `sha256=` and `plugin-version=` lines for $GITHUB_OUTPUT, or fails naming the fix.

import * as fs from "fs";

export const ibmCliMetadataUrl = "https://download.clis.cloud.ibm.com/ibm-cloud-cli-metadata-dn/all_versions.json";
const downloadHost = "download.clis.cloud.ibm.com";

export interface PublishedArchive {
    url: string;
    sha256: string;
}

export function publishedArchive(allVersionsJson: string, version: string, platform = "linux64"): PublishedArchive {
    const releases: unknown = JSON.parse(allVersionsJson);
    if (!Array.isArray(releases)) {
        throw new Error("IBM's CLI metadata is not a list of releases");
    }
    const release = releases.find((entry) => (entry as { version?: unknown })?.version === version) as
        { binaries?: Record<string, { url?: unknown; sha256_checksum?: unknown }> } | undefined;
    if (!release) {
        throw new Error(`IBM's CLI metadata lists no release ${version}: pick a listed version for IBMCLOUD_CLI_VERSION`);
    }
    const binary = release.binaries?.[platform];
    const url = typeof binary?.url === "string" ? binary.url : "";
    const sha256 = typeof binary?.sha256_checksum === "string" ? binary.sha256_checksum.toLowerCase() : "";
    if (!url || !/^[0-9a-f]{64}$/.test(sha256)) {
        throw new Error(`IBM's CLI metadata for ${version} has no ${platform} archive with a SHA-256 checksum`);
    }
    const parsed = new URL(url);
    // The archive must come from IBM's download host over HTTPS and be the release asked for, so a
    // metadata entry cannot send the job elsewhere.
    if (parsed.protocol !== "https:" || parsed.hostname !== downloadHost || !parsed.pathname.includes(`/${version}/`)) {
        throw new Error(`IBM's CLI metadata for ${version} points to ${url}, not to https://${downloadHost}/…/${version}/`);
    }
    return { url, sha256 };
}

export const pinsFile = ".github/ibmcloud-cli.json";
export const pinCommand = "npx ts-node --transpile-only scripts/ci/ibmcloud-pin.ts <cli-version> <plugin-version>";

export interface IbmCloudPins {
    cliVersion: string;
    platform: string;
    sha256: string;
    pluginVersion: string;
}

/** The committed pins; anything missing or malformed fails naming the file and the command that pins. */
export function readPins(text: string): IbmCloudPins {
    const pins = JSON.parse(text) as { cli?: { version?: unknown; platform?: unknown; sha256?: unknown }; containerServicePlugin?: { version?: unknown } };
    const field = (value: unknown): string => (typeof value === "string" ? value : "");
    const cliVersion = field(pins.cli?.version);
    const platform = field(pins.cli?.platform);
    const sha256 = field(pins.cli?.sha256).toLowerCase();
    const pluginVersion = field(pins.containerServicePlugin?.version);
    const problems = [
        ...(/^\d+\.\d+\.\d+$/.test(cliVersion) ? [] : [`cli.version ${JSON.stringify(cliVersion)} is not an exact version`]),
        ...(platform === "linux64" ? [] : [`cli.platform ${JSON.stringify(platform)} is not linux64 (the runners' platform)`]),
        ...(/^[0-9a-f]{64}$/.test(sha256) ? [] : [`cli.sha256 ${JSON.stringify(sha256)} is not a SHA-256`]),
        ...(/^\d+\.\d+\.\d+$/.test(pluginVersion) ? [] : [`containerServicePlugin.version ${JSON.stringify(pluginVersion)} is not an exact version`]),
    ];
    if (problems.length > 0) {
        throw new Error(`${pinsFile} does not pin the IBM Cloud CLI: ${problems.join("; ")}. Fix: ${pinCommand} on a machine you trust, review and commit`);
    }
    return { cliVersion, platform, sha256, pluginVersion };
}

/** The archive to download: IBM's URL for the pinned version, whose published checksum must be the pinned one. */
export function pinnedArchive(allVersionsJson: string, pins: IbmCloudPins): PublishedArchive {
    const published = publishedArchive(allVersionsJson, pins.cliVersion, pins.platform);
    if (published.sha256 !== pins.sha256) {
        throw new Error(`IBM's CLI metadata gives ${pins.cliVersion} the SHA-256 ${published.sha256}, but ${pinsFile} pins ${pins.sha256}: ` +
            "refusing it. If IBM re-published the release, re-pin it on a machine you trust and review why");
    }
    return { url: published.url, sha256: pins.sha256 };
}

if (require.main === module) {
    const [file, pinsPath] = process.argv.slice(2);
    try {
        const pins = readPins(fs.readFileSync(pinsPath, "utf8"));
        const { url, sha256 } = pinnedArchive(fs.readFileSync(file, "utf8"), pins);
        process.stdout.write(`url=${url}\nsha256=${sha256}\nplugin-version=${pins.pluginVersion}\n`);
    } catch (error) {
        process.stdout.write(`::error::${(error as Error).message}\n`);
        process.exitCode = 1;
    }
}
