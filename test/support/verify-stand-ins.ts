// The stand-in `pulumi` and `kubectl` that the specs running the whole `npm run verify` script put first
// on PATH (verify.spec, verify-iks.spec, verify-mesh-ca.spec): one shape, so a change in how verify calls
// the CLIs is answered in one place.
import * as fs from "fs";
import * as path from "path";

/**
 * Writes `<bin>/pulumi`: `stack output` prints `<bin>/outputs.json`, `config --json` prints
 * `<bin>/config.json`, and `config get` runs `configGet` (bash, with the key in `$3`; it must end the
 * case arm's commands, e.g. with `exit`, or fall through to `;;`). Anything else exits 2.
 */
export function writeStandInPulumi(bin: string, options: { configGet: readonly string[]; requireShowSecrets?: boolean }): void {
    fs.writeFileSync(path.join(bin, "pulumi"), [
        "#!/bin/bash",
        `case "$1 $2" in`,
        `  "stack output") ${options.requireShowSecrets ? `[[ " $* " == *" --show-secrets "* ]] || exit 3; ` : ""}cat "${bin}/outputs.json" ;;`,
        `  "config --json") cat "${bin}/config.json" ;;`,
        `  "config get") ${options.configGet.join("\n    ")} ;;`,
        "  *) exit 2 ;;",
        "esac",
    ].join("\n"), { mode: 0o755 });
}

/**
 * Writes `<bin>/kubectl`: every call is logged to `<bin>/kubectl.log` (one line per call, newlines of an
 * exec'd script written as \n), the mode and content of a `--kubeconfig` file verify hands over to
 * `<bin>/kubeconfig-files.log` while it exists; `config view --minify` names the cluster, `arms` (bash case
 * arms matched against " $* ") answer the rest, and any other call fails with exit 9.
 */
export function writeStandInKubectl(bin: string, arms: readonly string[]): void {
    fs.writeFileSync(path.join(bin, "kubectl"), [
        "#!/bin/bash",
        `line="$*"; echo "\${line//$'\\n'/\\\\n}" >> "${bin}/kubectl.log"`,
        `if [ "$1" = --kubeconfig ]; then echo "$2 $(stat -c %a "$2") $(cat "$2")" >> "${bin}/kubeconfig-files.log"; fi`,
        "case \" $* \" in",
        "  *' config view --minify '*) echo -n 'prod-cluster https://203.0.113.10:6443' ;;",
        ...arms.map((arm) => `  ${arm}`),
        "  *) echo \"unexpected kubectl $*\" >&2; exit 9 ;;",
        "esac",
    ].join("\n"), { mode: 0o755 });
}
