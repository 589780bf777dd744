// `npm run manifests:hashes`: the URLs it hashes for a release and how it compares them with the committed
// pins, with an injected fetcher serving the trimmed fixtures (whose bytes differ from the pinned upstream files).
import { strict as assert } from "assert";
import { manifestHashes, manifestUrls, parseArgs } from "../../scripts/manifest-hashes";
import { sha256Hex } from "../../components/manifests/fetch";
import { fixtureManifest, fixtureText } from "../support/istio-manifests";

describe("npm run manifests:hashes", () => {
    it("hashes exactly what the program fetches for a release: three samples at its tag and its line's Gateway API asset", () => {
        assert.deepEqual(manifestUrls(parseArgs(["1.31.2"])), [
            "https://raw.githubusercontent.com/istio/istio/1.31.2/samples/bookinfo/platform/kube/bookinfo.yaml",
            "https://raw.githubusercontent.com/istio/istio/1.31.2/samples/httpbin/httpbin.yaml",
            "https://raw.githubusercontent.com/istio/istio/1.31.2/samples/addons/prometheus.yaml",
            "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.0/standard-install.yaml",
        ]);
    });

    it("prints each hash with its URL and says whether it equals the pin", async () => {
        const lines = await manifestHashes(parseArgs(["1.30.5"]), fixtureManifest);
        assert.equal(lines.length, 4);
        assert.equal(lines[0].split("  ")[0], sha256Hex(fixtureText("bookinfo/platform/kube/bookinfo.yaml")));
        assert.ok(lines.every((line) => /^[0-9a-f]{64} {2}https:\/\/\S+ {2}\(differs from the pin [0-9a-f]{64}\)$/.test(line)), lines.join("\n"));
    });

    it("says 'not pinned' for a new line named with --gateway-api", async () => {
        const lines = await manifestHashes(parseArgs(["1.32.0", "--gateway-api", "v1.7.0"]), () => Promise.resolve("kind: List\n"));
        assert.ok(lines.every((line) => line.endsWith("(not pinned)")), lines.join("\n"));
        assert.ok(lines[3].includes("/v1.7.0/standard-install.yaml"));
    });

    it("refuses arguments it cannot use", () => {
        assert.throws(() => parseArgs([]), /name one Istio release/);
        assert.throws(() => parseArgs(["1.31"]), /name one Istio release/);
        assert.throws(() => parseArgs(["1.31.2", "--gateway-api", "1.6"]), /--gateway-api needs a release like v1\.6\.0/);
        assert.throws(() => parseArgs(["1.31.2", "--sha"]), /unknown option --sha/);
        assert.throws(() => manifestUrls(parseArgs(["1.32.0"])), /not on a supported line/);
    });
});
