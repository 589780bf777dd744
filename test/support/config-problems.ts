// What parseStackConfig refuses in a raw config: its problem lines, or none when the config is valid.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../components/config/parse";
import { ConfigError } from "../../components/config/errors";

export function configProblemsOf(raw: Record<string, unknown>, secretSections: string[] = []): readonly string[] {
    try {
        parseStackConfig(raw, { secretSections });
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error.problems;
    }
    return [];
}
