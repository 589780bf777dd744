// Whether a command is on PATH, decided the way a shell looks it up, so `npm run verify` can say in one
// line that the Pulumi CLI is missing instead of failing later on a spawn error.
import * as path from "path";

/** The first `<dir>/<command>` on `pathVariable` that `isExecutable` accepts; an empty entry means the current directory. */
export function findOnPath(command: string, pathVariable: string | undefined, isExecutable: (file: string) => boolean,
    delimiter: string = path.delimiter): string | undefined {
    for (const directory of (pathVariable ?? "").split(delimiter)) {
        const candidate = path.join(directory === "" ? "." : directory, command);
        if (isExecutable(candidate)) {
            return candidate;
        }
    }
    return undefined;
}

export const missingPulumiMessage = "npm run verify needs the Pulumi CLI, and there is no pulumi on PATH: " +
    "install it (https://www.pulumi.com/docs/install/) or add its directory to PATH";
