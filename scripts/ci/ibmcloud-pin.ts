// Pins the IBM Cloud CLI for CI: run on a machine you trust, with network, then review and commit
// .github/ibmcloud-cli.json. It downloads IBM's CLI metadata and the archive of <cli-version>, computes
// the archive's SHA-256 itself, and refuses to pin when that differs from what IBM publishes.
//   npx ts-node --transpile-only scripts/ci/ibmcloud-pin.ts <cli-version> <container-service-plugin-version>
// (The plugin version: `ibmcloud plugin repo-plugins -r "IBM Cloud"` lists the published ones.)
import * as crypto from "crypto";
import * as fs from "fs";
import { ibmCliMetadataUrl, pinsFile, publishedArchive, readPins } from "./ibmcloud-cli-release";

async function main(cliVersion: string, pluginVersion: string): Promise<void> {
    const metadata = await (await fetch(ibmCliMetadataUrl)).text();
    const published = publishedArchive(metadata, cliVersion);
    const archive = Buffer.from(await (await fetch(published.url)).arrayBuffer());
    const computed = crypto.createHash("sha256").update(archive).digest("hex");
    if (computed !== published.sha256) {
        throw new Error(`the archive at ${published.url} hashes to ${computed}, IBM publishes ${published.sha256}: not pinning`);
    }
    const current = JSON.parse(fs.readFileSync(pinsFile, "utf8")) as Record<string, unknown>;
    const next = { ...current, cli: { version: cliVersion, platform: "linux64", sha256: computed }, containerServicePlugin: { version: pluginVersion } };
    readPins(JSON.stringify(next));
    fs.writeFileSync(pinsFile, `${JSON.stringify(next, null, 2)}\n`);
    console.log(`pinned ibmcloud ${cliVersion} (${computed}) and container-service ${pluginVersion} in ${pinsFile}: review and commit`);
}

const [cliVersion, pluginVersion] = process.argv.slice(2);
if (!cliVersion || !pluginVersion) {
    console.error("usage: ibmcloud-pin.ts <cli-version> <container-service-plugin-version>");
    process.exitCode = 2;
} else {
    main(cliVersion, pluginVersion).catch((error: unknown) => {
        console.error((error as Error).message);
        process.exitCode = 1;
    });
}
