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
    { line: "1.30", kialiChartVersion: "2.26.0", gatewayApi: "v1.5.1" },
    { line: "1.31", kialiChartVersion: "2.27.0", gatewayApi: "v1.6.0" },
] as const;

// The Gateway API release of each line (`gatewayApi` above) is the one Istio builds against, read from
// istio/istio's go.mod (sigs.k8s.io/gateway-api): v1.5.1 at tag 1.30.3 (and the 1.30 upgrade notes' install
// command, ?ref=v1.5.1), v1.6.0 at tag 1.31.0-rc.0. Ambient mode installs it for the waypoints.

/**
 * SHA-256 of every manifest the program downloads, by what it is. A download whose bytes differ stops the run
 * before any resource exists (components/manifests/fetch.ts), naming the URL and both hashes: a moved tag, a
 * compromised mirror or a proxy that rewrites content cannot reach the cluster. Print the hashes of a new
 * version with `npm run manifests:hashes -- <istio version>` and add them here.
 *
 * Istio's samples are pinned per supported line, not per patch, because they are byte-identical across every
 * tag we could read: blobs of samples/… at istio/istio tags 1.30.0, 1.30.1, 1.30.2, 1.30.3, 1.31.0-rc.0 and
 * the heads of release-1.30 (b9a2bbd, 2026-08-21) and release-1.31 (a8d7012, 2026-08-20) all hash to the values
 * below (raw.githubusercontent.com serves the blob's bytes). A later patch that changes one is refused with
 * the hash it got, which is the signal to re-read that sample before pinning it.
 */
const istioSamplesSha256: Readonly<Record<string, string>> = {
    "bookinfo/platform/kube/bookinfo.yaml": "ec82aaf76a031b83b26126da65e04e56c5791f0825ee2382d5c05801d4406bc5",
    "httpbin/httpbin.yaml": "9bb1d48dc58dad90081ac5d57d6f23aa2bc75acbb163d4bcd29bcc652af8404d",
    "addons/prometheus.yaml": "429abcb6cb74b6045d8787c66add166aa6ca77889835107bdea8dfb46dd1eca8",
};

/** Pinned Istio sample hashes per supported line (see istioSamplesSha256). */
export const istioSampleSha256ByLine: Readonly<Record<SupportedIstioLine["line"], Readonly<Record<string, string>>>> = {
    "1.30": istioSamplesSha256,
    "1.31": istioSamplesSha256,
};

/**
 * SHA-256 of the Gateway API release asset `standard-install.yaml` per release. Computed by rebuilding the
 * asset from config/crd/standard at each tag with the repository's hack/build-install-yaml.sh (1,024,333 and
 * 1,170,953 bytes), and equal to the hashes other public projects pin for the downloaded asset.
 */
export const gatewayApiStandardInstallSha256: Readonly<Record<SupportedIstioLine["gatewayApi"], string>> = {
    "v1.5.1": "751002b3b91a87f7ae3bd2517c79a47a8d7ed6702901808a1cf9bd97d284f9b8",
    "v1.6.0": "a557172e8348f758479e9ee4000bbbb4b4aa48302a6b73461823ea5349bad56d",
};

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

/** The Gateway API release that an accepted istio.version's line builds against. */
export function gatewayApiVersionFor(istioVersion: string): SupportedIstioLine["gatewayApi"] {
    const line = istioLineOf(istioVersion);
    if (!line) {
        throw new Error(`istio.version ${istioVersion} is not on a supported line (${supportedIstioRange()}); config validation should have refused it`);
    }
    return line.gatewayApi;
}

/** The release asset `kubectl apply -f` takes (kubernetes-sigs/gateway-api releases, standard channel). */
export function gatewayApiStandardInstallUrl(version: SupportedIstioLine["gatewayApi"]): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

/**
 * The SHA-256 a downloaded manifest must have, or undefined when the URL is not one this project pins (then
 * the download is refused too). Reads only the URL: Istio's samples by line and path, the Gateway API asset by
 * release.
 */
export function pinnedSha256(url: string): string | undefined {
    const sample = /^https:\/\/raw\.githubusercontent\.com\/istio\/istio\/(\d+\.\d+\.\d+)\/samples\/(.+)$/.exec(url);
    if (sample) {
        const line = istioLineOf(sample[1]);
        const pins = line ? istioSampleSha256ByLine[line.line] : undefined;
        return pins && Object.hasOwn(pins, sample[2]) ? pins[sample[2]] : undefined;
    }
    const gatewayApi = /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/(v[^/]+)\/standard-install\.yaml$/.exec(url);
    if (gatewayApi && Object.hasOwn(gatewayApiStandardInstallSha256, gatewayApi[1])) {
        return gatewayApiStandardInstallSha256[gatewayApi[1] as SupportedIstioLine["gatewayApi"]];
    }
    return undefined;
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
