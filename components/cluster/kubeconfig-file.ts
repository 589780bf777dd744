// The kubeconfig a Kubernetes provider reads when the stack gives it none, and the context that file
// selects. A stack that opts into the current context deploys there, so the program names it in the
// log of every run. Pure functions: the caller reads the environment and the file.
import * as path from "path";

/**
 * `~` and `~/...` as the provider expands them before it checks whether a kubeconfig value is a file
 * (pulumi-kubernetes provider/pkg/provider/util.go, parseKubeconfigString).
 */
export function expandHome(value: string, homeDirectory: string): string {
    if (value === "~") {
        return homeDirectory;
    }
    return value.startsWith("~/") ? path.join(homeDirectory, value.slice(2)) : value;
}

export type AmbientKubeconfig =
    | { readonly path: string; readonly from: "KUBECONFIG" | "home" }
    | { readonly problem: string };

/**
 * The file an explicit `k8s.Provider` without a `kubeconfig` argument reads. The Node SDK fills the
 * argument from the KUBECONFIG variable (`@pulumi/kubernetes` provider.js), and the provider takes
 * that value as ONE path, or as kubeconfig text when no such file exists; only when KUBECONFIG is
 * unset does it use client-go's default, ~/.kube/config. So a KUBECONFIG listing several files, as
 * kubectl allows, does not work with an explicit provider.
 */
export function ambientKubeconfig(kubeconfigVariable: string | undefined, homeDirectory: string,
    fileExists: (file: string) => boolean): AmbientKubeconfig {
    if (kubeconfigVariable === undefined || kubeconfigVariable === "") {
        return { path: path.join(homeDirectory, ".kube", "config"), from: "home" };
    }
    const file = expandHome(kubeconfigVariable, homeDirectory);
    if (fileExists(file)) {
        return { path: file, from: "KUBECONFIG" };
    }
    const listed = kubeconfigVariable.split(path.delimiter).filter((entry) => entry !== "");
    if (listed.length > 1) {
        return {
            problem: `KUBECONFIG lists several files (${kubeconfigVariable}), but the Kubernetes provider reads it as one file. ` +
                "Fix: export KUBECONFIG=<one kubeconfig file>, e.g. after kubectl config view --flatten > merged.yaml",
        };
    }
    return { problem: `KUBECONFIG names ${kubeconfigVariable}, which does not exist. Fix: export KUBECONFIG=<your kubeconfig file>, or unset it to use ~/.kube/config` };
}

export type AmbientContext = { readonly context: string; readonly kubeconfigPath: string } | { readonly problem: string };

/**
 * The context an explicit provider without `context` or `kubeconfig` arguments would use: the
 * current context of the kubeconfig it reads. `readFile` returns undefined for a missing file.
 */
export function currentKubeconfigContext(kubeconfigVariable: string | undefined, homeDirectory: string,
    readFile: (file: string) => string | undefined): AmbientContext {
    const file = ambientKubeconfig(kubeconfigVariable, homeDirectory, (candidate) => readFile(candidate) !== undefined);
    if ("problem" in file) {
        return file;
    }
    const text = readFile(file.path);
    if (text === undefined) {
        return { problem: `there is no kubeconfig at ${file.path}. Fix: create the cluster (kind create cluster writes one), or export KUBECONFIG=<your kubeconfig file>` };
    }
    const context = currentContextIn(text);
    if (context === undefined) {
        return { problem: `${file.path} selects no current context. Fix: kubectl config use-context <context>` };
    }
    return { context, kubeconfigPath: file.path };
}

/**
 * The `current-context` of a kubeconfig, YAML as kubectl writes it or JSON; undefined when it names
 * none. Only the top-level key is read, so a context's own fields cannot be mistaken for it.
 */
export function currentContextIn(kubeconfigText: string): string | undefined {
    const text = kubeconfigText.replace(/^\uFEFF/, "");
    if (text.trimStart().startsWith("{")) {
        try {
            const parsed = JSON.parse(text) as Record<string, unknown>;
            const context = parsed["current-context"];
            return typeof context === "string" && context !== "" ? context : undefined;
        } catch {
            return undefined;
        }
    }
    const line = /^current-context:[ \t]*(.*)$/m.exec(text);
    if (!line) {
        return undefined;
    }
    const value = unquoteYamlScalar(line[1]);
    return value === "" || value === "null" || value === "~" ? undefined : value;
}

function unquoteYamlScalar(raw: string): string {
    const text = raw.trim();
    const quoted = /^"((?:[^"\\]|\\.)*)"|^'((?:[^']|'')*)'/.exec(text);
    if (quoted) {
        return quoted[1] !== undefined ? JSON.parse(`"${quoted[1]}"`) as string : quoted[2].replace(/''/g, "'");
    }
    // A plain scalar ends where a comment starts (" #").
    return text.replace(/\s+#.*$/, "").trim();
}
