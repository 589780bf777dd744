// Which IBM Cloud CLI archive to download and the checksum IBM publishes for it.
//
// IBM publishes the installers' checksums in its CLI metadata, ibm-cloud-cli-metadata-dn/all_versions.json
// on download.clis.cloud.ibm.com: a list of releases `{version, binaries: {<platform>: {url, checksum,
// sha256_checksum}}, archives: {...}}`. IBM's own installers verify against it: the Linux install
// script (clis.cloud.ibm.com/install/linux) checks the SHA-1 `checksum`, and IBM's GitHub action
// IBM/actions-ibmcloud-cli 2.1.0 (src/installer/base.js, getVersionMetadata) reads this same file and
// checks the `sha256_checksum` of `binaries.<platform>`; we check the SHA-256. The README of
// IBM-Cloud/ibm-cloud-cli-release links the same download host for the installers.
//
//   ts-node --transpile-only scripts/ci/ibmcloud-cli-release.ts <all_versions.json> <version>
// prints `url=` and `sha256=` lines for $GITHUB_OUTPUT, or fails naming what is missing.

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

if (require.main === module) {
    const [file, version] = process.argv.slice(2);
    try {
        const { url, sha256 } = publishedArchive(fs.readFileSync(file, "utf8"), version);
        process.stdout.write(`url=${url}\nsha256=${sha256}\n`);
    } catch (error) {
        process.stdout.write(`::error::${(error as Error).message}\n`);
        process.exitCode = 1;
    }
}
