// The project config of the committed dev stack (Pulumi.dev.yaml), as the harness takes a config.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { projectRoot } from "../harness/program";

export function devStackConfig(): Record<string, unknown> {
    const dev = YAML.parse(fs.readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(dev.config)
        .filter(([key]) => key.startsWith("iks-mesh:"))
        .map(([key, value]) => [key.slice("iks-mesh:".length), value]));
}
