// The one reader of the committed Pulumi files for the tests: the project file (Pulumi.yaml) and the
// stack files (Pulumi.<stack>.yaml), parsed once per process.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { projectRoot } from "../harness/program";

export interface PulumiFile {
    name?: string;
    runtime?: { name?: string };
    config: Record<string, any>;
    [key: string]: unknown;
}

const parsed = new Map<string, PulumiFile>();

function read(relative: string): PulumiFile {
    let file = parsed.get(relative);
    if (!file) {
        file = YAML.parse(fs.readFileSync(path.join(projectRoot, relative), "utf8")) as PulumiFile;
        file.config ??= {};
        parsed.set(relative, file);
    }
    return file;
}

/** Pulumi.yaml. */
export const projectFile = (): PulumiFile => read("Pulumi.yaml");

/** Pulumi.<stack>.yaml at the top of the repository, or `examples/Pulumi.<stack>.yaml` with `examples/`. */
export const stackFile = (stack: string, folder = ""): PulumiFile => read(path.join(folder, `Pulumi.${stack}.yaml`));

/** The stack files committed at the top of the repository, by stack name. */
export function committedStacks(): string[] {
    return fs.readdirSync(projectRoot).flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? []);
}

/** A stack file's project keys, without the `iks-mesh:` namespace, as the harness and parseStackConfig take them. */
export function stackProjectConfig(stack: string, folder = ""): Record<string, unknown> {
    return Object.fromEntries(Object.entries(stackFile(stack, folder).config)
        .filter(([key]) => key.startsWith("iks-mesh:"))
        .map(([key, value]) => [key.slice("iks-mesh:".length), value]));
}
