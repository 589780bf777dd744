// Where Istio's artifacts live, and where they no longer do. Istio left Google's hosting in 2026 (istio.io
// blog 2026-08-21, "ACTION REQUIRED FOR GOOGLE CONTAINER REGISTRY USERS, scream tests, and our move to AWS"):
// charts moved from istio-release.storage.googleapis.com to blob.istio.io (and OCI at ghcr.io), images from
// gcr.io/istio-release and registry.istio.io to docker.io/istio. Every chart source and image hub the stack
// uses comes from here or from config validated against the rules here.

/** Istio's Helm repository since the move; it holds every chart of every version. */
export const defaultIstioChartRepository = "https://blob.istio.io/istio-release/charts";

/** The same charts as OCI artifacts, an accepted alternative for `istio.chartRepository`. */
export const istioOciChartRepository = "oci://ghcr.io/istio/release/charts";

/** Istio's image hub since the move: istiod, the proxies it injects (gateway, sidecars) and the sample images. */
export const defaultIstioHub = "docker.io/istio";

/**
 * Hosts that stop serving Istio's artifacts in December 2026. Nothing the stack registers or outputs may
 * name one (a test renders several stacks and checks); config naming one is refused. Add the next
 * retired host here and the config check and the test both follow.
 */
export const retiredIstioHosts = [
    "istio-release.storage.googleapis.com",
    "gcr.io/istio-release",
    "registry.istio.io",
] as const;

/** The retired host a text names, if any (`gcr.io/istio-release/pilot:1.30.5` → `gcr.io/istio-release`). */
export function retiredHostNamedIn(text: string): string | undefined {
    const lower = text.toLowerCase();
    return retiredIstioHosts.find((host) => {
        for (let at = lower.indexOf(host); at !== -1; at = lower.indexOf(host, at + 1)) {
            // The host itself, not part of a longer name (`notregistry.istio.io`, `registry.istio.io.example.com`).
            const before = lower.slice(0, at);
            const after = lower.slice(at + host.length);
            if (!/[a-z0-9.-]$/.test(before) && !/^([a-z0-9-]|\.[a-z0-9])/.test(after)) {
                return true;
            }
        }
        return false;
    });
}

/** What is wrong with a value, and the alternatives to the default that a fix may name. */
export interface HostingProblem {
    message: string;
    alternatives: string;
}

/**
 * Why a chart repository cannot be used, or undefined if it can. Helm takes `https://` repositories
 * (an index.yaml) and `oci://` registries; plain http would let anyone on the path swap the control plane.
 */
export function chartRepositoryProblem(repository: string): HostingProblem | undefined {
    const alternatives = `or ${istioOciChartRepository}, or your own https:// or oci:// mirror`;
    if (repository.trim() === "") {
        return { alternatives, message: "must not be empty" };
    }
    if (/\s/.test(repository)) {
        return { alternatives, message: "must be a URL without spaces" };
    }
    let url: URL;
    try {
        url = new URL(repository);
    } catch {
        return { alternatives, message: "must be an https:// or oci:// URL" };
    }
    if (url.protocol === "http:") {
        return { alternatives, message: "must use https:// or oci://, not plain http:// (charts would travel unauthenticated)" };
    }
    if (url.protocol !== "https:" && url.protocol !== "oci:") {
        return { alternatives, message: `must be an https:// Helm repository or an oci:// registry (got the scheme ${url.protocol})` };
    }
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(url.hostname) || !url.hostname.includes(".") && url.hostname !== "localhost") {
        return { alternatives, message: "must name a registry host (like ghcr.io)" };
    }
    if (url.username || url.password) {
        return { alternatives, message: "must not carry credentials (they would be stored in plain text in the stack config and state)" };
    }
    if (url.search || url.hash) {
        return { alternatives, message: "must not have a query or fragment" };
    }
    const retired = retiredHostNamedIn(repository);
    if (retired) {
        return { alternatives, message: `names ${retired}, which stops serving Istio's charts in December 2026` };
    }
    return undefined;
}

/** `registry[:port]/path` as Istio's `global.hub` takes it: no scheme, no tag, lowercase. */
const hubPattern = /^(localhost|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Why an image hub cannot be used, or undefined if it can. */
export function hubProblem(hub: string): HostingProblem | undefined {
    const alternatives = "or your mirror's registry and path, like registry.example.internal/istio";
    if (hub.trim() === "") {
        return { alternatives, message: "must not be empty" };
    }
    if (/^[a-z]+:\/\//i.test(hub)) {
        return { alternatives, message: "must be a registry and path without a scheme (Kubernetes image references have none)" };
    }
    if (!hubPattern.test(hub)) {
        return { alternatives, message: "must be a lowercase registry host with an optional port and path, without a tag (like docker.io/istio)" };
    }
    const retired = retiredHostNamedIn(hub);
    if (retired) {
        return { alternatives, message: `names ${retired}, which is decommissioned in December 2026` };
    }
    return undefined;
}

/** A URL as it may be shown in a message: any user:password@ part replaced, never echoed. */
export function withoutCredentials(text: string): string {
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, "$1<credentials removed>@");
}

/** Drops trailing slashes so `<repository>/<chart>` never doubles one. */
export function normalizeChartRepository(repository: string): string {
    return repository.replace(/\/+$/, "");
}

/** The chart arguments of a `helm.v3.Release` for one of Istio's charts from a repository. */
export interface ChartSource {
    chart: string;
    version: string;
    repositoryOpts?: { repo: string };
}

/**
 * An https repository goes in `repositoryOpts.repo` with the bare chart name. An OCI registry goes into the
 * chart reference itself (`oci://ghcr.io/istio/release/charts/istiod`) with no repositoryOpts: the provider
 * resolves `repositoryOpts.repo` through an index.yaml, which OCI registries do not have, and passes an
 * `oci://` chart name straight to Helm's OCI getter (pulumi/pulumi-kubernetes
 * provider/pkg/provider/helm_release.go, resolveChartName and locateChart).
 */
export function istioChartSource(repository: string, chart: string, version: string): ChartSource {
    const repo = normalizeChartRepository(repository);
    if (repo.startsWith("oci://")) {
        return { chart: `${repo}/${chart}`, version };
    }
    return { chart, version, repositoryOpts: { repo } };
}
