// The one place where versions live. Config may override the Istio version and the sample images;
// everything else that depends on a version (sample manifest URLs, chart pins) is derived from here,
// so a version is never typed twice.

/** Istio's official Helm repository; base, istiod and gateway are all pinned to one version from it. */
export const istioChartRepository = "https://istio-release.storage.googleapis.com/charts";

/** The Istio release this project is tested against (newest stable at the time of writing). */
export const defaultIstioVersion = "1.30.3";

/**
 * A sample manifest from Istio's repository at the release tag that matches the installed charts,
 * e.g. `samples/bookinfo/platform/kube/bookinfo.yaml`. Applied by URL, never copied into this repository.
 */
export function istioSampleUrl(istioVersion: string, samplePath: string): string {
    const path = samplePath.replace(/^\/+/, "");
    return `https://raw.githubusercontent.com/istio/istio/${istioVersion}/samples/${path}`;
}

/**
 * Default sample images. Stable and prerelease run the same WordPress on different PHP versions, the
 * seed's canary; both read one content volume. Tags exist on Docker Hub's official images.
 */
export const defaultImages = {
    wordpressStable: "wordpress:6.8.3-php8.3-apache",
    wordpressCanary: "wordpress:6.8.3-php8.4-apache",
    mysql: "mysql:8.4.7",
} as const;
