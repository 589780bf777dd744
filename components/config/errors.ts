// How config problems stop the program.
import * as pulumi from "@pulumi/pulumi";

/**
 * Stops the program before anything is created. A RunError prints its message without a stack
 * trace, which is what a user with a typo in their stack config needs.
 */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly string[]) {
        super(`The stack config has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was created:\n` +
            problems.map((problem) => `  - ${problem}`).join("\n"));
        this.name = "ConfigError";
    }
}
