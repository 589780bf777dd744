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
    // docker-library/wordpress versions.json: 7.1.0 on PHP 8.2-8.5; php8.3 is its default PHP.
    wordpressStable: "wordpress:7.1.0-php8.3-apache",
    wordpressCanary: "wordpress:7.1.0-php8.4-apache",
    // docker-library/mysql versions.json: 8.4 is the LTS line, 8.4.10 its newest release.
    mysql: "mysql:8.4.10",
} as const;

/**
 * Kiali's Helm repository and the kiali-server chart pin. 2.26.0 is the Kiali that Istio 1.30.3 ships in
 * its own addon (samples/addons/kiali.yaml, "update Kiali to 2.26 - it works with Istio 1.30"); the
 * chart's default image is quay.io/kiali/kiali:v2.26.0. Move it together with istio.version.
 */
export const kialiChartRepository = "https://kiali.org/helm-charts";
export const kialiChartVersion = "2.26.0";

/**
 * EnRoute's Helm repository (`helm repo add saaras https://getenroute.io`) and the `enroute` chart pin.
 * 0.8.7 is the newest chart in saarasio/enroute's helm-chart/enroute (the Istio integration arrived in
 * 0.7.3); that getenroute.io still serves it could not be confirmed offline, which is one reason
 * enroute.enabled defaults to false.
 */
export const enrouteChartRepository = "https://getenroute.io";
export const enrouteChartVersion = "0.8.7";
/** The enroute chart leaves Redis at `latest`; pin it (Docker Hub official image). */
export const enrouteRedisImageTag = "7.4.1";

/** The curl image `npm run verify` runs outside the mesh for its plaintext probe (Docker Hub curlimages/curl). */
export const verifyCurlImage = "curlimages/curl:8.16.0";
