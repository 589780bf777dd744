// The one place where versions live. Config may override the Istio version and the sample images;
// everything else that depends on a version (sample manifest URLs, chart pins) is derived from here,
// so a version is never typed twice.

/**
 * The Istio minor lines this stack supports, each with the kiali-server chart that Istio's own Kiali addon
 * of that line uses (samples/addons/kiali.yaml: kiali-server 2.26.0 on release-1.30, 2.27.0 on
 * release-1.31). `istio.version` must be a patch of one of these lines; test/data/chart-keys/ holds the
 * Helm value keys of each line's charts. To support a new line, add it here and run `npm run charts:keys`
 * on its charts (docs/upgrading-istio.md).
 */
export const supportedIstioLines = [
    { line: "1.30", kialiChartVersion: "2.26.0" },
    { line: "1.31", kialiChartVersion: "2.27.0" },
] as const;

export type SupportedIstioLine = (typeof supportedIstioLines)[number];

/**
 * The Istio release this project installs by default: the newest 1.30 patch (1.30.5, 2026-09-21, istio.io
 * "Announcing Istio 1.30.5"). 1.31.1 was released the same day and is accepted, but its final charts and
 * samples could not be read offline to verify them end to end, so the default stays on the 1.30 line.
 */
export const defaultIstioVersion = "1.30.5";

/** The supported line of a release version (`1.30.5` → 1.30), or undefined when it is not supported. */
export function istioLineOf(version: string): SupportedIstioLine | undefined {
    const match = /^(\d+)\.(\d+)\.\d+$/.exec(version);
    return match ? supportedIstioLines.find((entry) => entry.line === `${match[1]}.${match[2]}`) : undefined;
}

/** "1.30.x, 1.31.x": the supported range, for messages. */
export function supportedIstioRange(): string {
    return supportedIstioLines.map((entry) => `${entry.line}.x`).join(", ");
}

/**
 * A sample manifest from Istio's repository at the release tag that matches the installed charts,
 * e.g. `samples/bookinfo/platform/kube/bookinfo.yaml`. Fetched when the program runs, never copied into this repository.
 */
export function istioSampleUrl(istioVersion: string, samplePath: string): string {
    const path = samplePath.replace(/^\/+/, "");
    return `https://raw.githubusercontent.com/istio/istio/${istioVersion}/samples/${path}`;
}

/**
 * Default sample images. Stable and prerelease run the same WordPress on different PHP versions, the
 * canary; both read one content volume. Tags exist on Docker Hub's official images.
 */
export const defaultImages = {
    // docker-library/wordpress versions.json: 7.1.0 on PHP 8.2-8.5; php8.3 is its default PHP.
    wordpressStable: "wordpress:7.1.0-php8.3-apache",
    wordpressCanary: "wordpress:7.1.0-php8.4-apache",
    // docker-library/official-images library/wordpress (2026-08-21): `cli-2.12.0-php8.3` (WP-CLI 2.12.0 on
    // the stable image's PHP, Alpine). Pinned to its multi-platform index digest from docker-library/repo-info
    // repos/wordpress/remote/cli-2.12.0-php8.3.md (built 2026-07-02), as a one-off Job with the admin password
    // in its environment should not pick up a re-pushed tag.
    wordpressCli: "wordpress:cli-2.12.0-php8.3@sha256:f8aeb68164c6a04f5dcc91da30d8ffa096b0f7fafb7a65f144c2dd62587caca0",
    // docker-library/mysql versions.json: 8.4 is the LTS line, 8.4.10 its newest release.
    mysql: "mysql:8.4.10",
} as const;

/**
 * Kiali's Helm repository. The kiali-server chart version follows the Istio line (supportedIstioLines):
 * Kiali and Istio are released as matching pairs, and Kiali's default image is quay.io/kiali/kiali at the
 * chart's version (none of Istio's retired hosts).
 */
export const kialiChartRepository = "https://kiali.org/helm-charts";

/** The kiali-server chart matching an accepted istio.version. */
export function kialiChartVersionFor(istioVersion: string): string {
    const line = istioLineOf(istioVersion);
    if (!line) {
        throw new Error(`istio.version ${istioVersion} is not on a supported line (${supportedIstioRange()}); config validation should have refused it`);
    }
    return line.kialiChartVersion;
}

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
