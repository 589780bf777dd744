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
    return project.config ?? {};
}
