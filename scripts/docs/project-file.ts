// The `config:` block of Pulumi.yaml, where the CLI reads each key's type, description and default.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export interface ProjectKeyDeclaration {
    type?: string;
    description?: string;
    default?: unknown;
}

export function readProjectDeclarations(projectRoot: string): Record<string, ProjectKeyDeclaration> {
    const project = YAML.parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as { config?: Record<string, ProjectKeyDeclaration> };
    // A key with a namespace (`pulumi:disable-default-providers`) is a value for Pulumi, not a key of this project.
    return Object.fromEntries(Object.entries(project.config ?? {}).filter(([key]) => !key.includes(":")));
}
