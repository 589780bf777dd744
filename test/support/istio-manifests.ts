// Serves Istio's manifests to the program under test from test/fixtures/istio-manifests, instead of the
// network. Each fixture holds the facts of the upstream manifest (kinds, names, images, ports, labels),
// trimmed, with its source URL and tag in its header. The three manifests are identical at istio/istio
// tags 1.30.3 and 1.31.0-rc.0, so one fixture serves every supported line.
import * as fs from "fs";
import * as path from "path";
import { gatewayApiStandardInstallUrl, supportedIstioLines } from "../../components/core/versions";

export const fixtureDirectory = path.join(__dirname, "..", "fixtures", "istio-manifests");

/** Sample path under `samples/` → fixture file. */
export const manifestFixtures: Record<string, string> = {
    "bookinfo/platform/kube/bookinfo.yaml": "bookinfo.yaml",
    "httpbin/httpbin.yaml": "httpbin.yaml",
    "addons/prometheus.yaml": "prometheus.yaml",
};

export function fixtureText(samplePath: string): string {
    return fs.readFileSync(path.join(fixtureDirectory, manifestFixtures[samplePath]), "utf8");
}

/** The Gateway API CRDs ambient mode installs, per release, trimmed (test/fixtures/gateway-api). */
export function gatewayApiFixture(version: string): string {
    return path.join(__dirname, "..", "fixtures", "gateway-api", `standard-install-${version}.yaml`);
}

/**
 * Rejects like a failed download for a URL outside Istio's repository, an unsupported line, or an unknown
 * sample; serves the Gateway API CRDs at the releases the supported lines pin only.
 */
export function fixtureManifest(url: string): Promise<string> {
    const gatewayApi = supportedIstioLines.find((entry) => url === gatewayApiStandardInstallUrl(entry.gatewayApi));
    if (gatewayApi) {
        return Promise.resolve(fs.readFileSync(gatewayApiFixture(gatewayApi.gatewayApi), "utf8"));
    }
    const match = /^https:\/\/raw\.githubusercontent\.com\/istio\/istio\/(\d+\.\d+)\.\d+\/samples\/(.+)$/.exec(url);
    if (!match || !supportedIstioLines.some((entry) => entry.line === match[1]) || !manifestFixtures[match[2]]) {
        return Promise.reject(new Error("HTTP 404 Not Found"));
    }
    return Promise.resolve(fixtureText(match[2]));
}
