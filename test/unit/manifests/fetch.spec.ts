// The manifest downloads: SHA-256 pins (components/core/versions.ts), retries with backoff on transient
// failures (an injected fetch and clock), and HTTPS_PROXY honoured (a real local proxy on 127.0.0.1 that
// records the CONNECT it is asked for; there is no network here, so it answers 502 instead of tunnelling).
import { strict as assert } from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import {
    HttpStatusError, ManifestIntegrityError, RetryOptions, agentReadsProxyEnv, downloadAgent, manifestFetcher, pinnedFetcher,
    retryingFetcher, sha256Hex,
} from "../../../components/manifests/fetch";
import {
    gatewayApiStandardInstallSha256, gatewayApiStandardInstallUrl, gatewayApiVersionFor, istioSampleSha256ByLine, istioSampleUrl,
    pinnedSha256, supportedIstioLines,
} from "../../../components/core/versions";

const bookinfoUrl = istioSampleUrl("1.30.5", "bookinfo/platform/kube/bookinfo.yaml");

describe("manifest pins (components/core/versions.ts)", () => {
    it("pins every sample the program fetches on every supported line, and each line's Gateway API asset", () => {
        for (const { line, gatewayApi } of supportedIstioLines) {
            for (const path of ["bookinfo/platform/kube/bookinfo.yaml", "httpbin/httpbin.yaml", "addons/prometheus.yaml"]) {
                assert.match(pinnedSha256(istioSampleUrl(`${line}.7`, path)) ?? "", /^[0-9a-f]{64}$/, `${line} ${path}`);
            }
            assert.equal(pinnedSha256(gatewayApiStandardInstallUrl(gatewayApi)), gatewayApiStandardInstallSha256[gatewayApi]);
            assert.ok(istioSampleSha256ByLine[line]);
        }
    });

    it("reads the Gateway API release per Istio line: 1.30 → v1.5.1, 1.31 → v1.6.0 (istio/istio go.mod)", () => {
        assert.equal(gatewayApiVersionFor("1.30.5"), "v1.5.1");
        assert.equal(gatewayApiVersionFor("1.31.1"), "v1.6.0");
        assert.throws(() => gatewayApiVersionFor("1.29.3"), /not on a supported line/);
    });

    it("pins nothing else: other hosts, unsupported lines, unknown paths, other Gateway API releases, prototype keys", () => {
        for (const url of [
            "https://raw.githubusercontent.com/istio/istio/1.29.3/samples/httpbin/httpbin.yaml",
            "https://raw.githubusercontent.com/istio/istio/1.30.5/samples/sleep/sleep.yaml",
            "https://raw.githubusercontent.com/istio/istio/1.30.5/samples/constructor",
            "https://example.com/istio/istio/1.30.5/samples/httpbin/httpbin.yaml",
            "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.0/standard-install.yaml",
            "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/experimental-install.yaml",
            "http://raw.githubusercontent.com/istio/istio/1.30.5/samples/httpbin/httpbin.yaml",
        ]) {
            assert.equal(pinnedSha256(url), undefined, url);
        }
    });
});

describe("manifest downloads: the pin check", () => {
    const pinOf = (text: string) => () => sha256Hex(text);

    it("passes the pinned content through", async () => {
        assert.equal(await pinnedFetcher(() => Promise.resolve("kind: Service\n"), pinOf("kind: Service\n"))(bookinfoUrl), "kind: Service\n");
    });

    it("refuses tampered content, naming the URL, the expected and the actual hash", async () => {
        const expected = sha256Hex("kind: Service\n");
        const actual = sha256Hex("kind: Service\n# one more line\n");
        await assert.rejects(pinnedFetcher(() => Promise.resolve("kind: Service\n# one more line\n"), () => expected)(bookinfoUrl), (error: Error) => {
            assert.ok(error instanceof ManifestIntegrityError);
            assert.ok(error.message.includes(bookinfoUrl), error.message);
            assert.ok(error.message.includes(`expected SHA-256 ${expected}`), error.message);
            assert.ok(error.message.includes(`got ${actual}`), error.message);
            return true;
        });
    });

    it("refuses an unpinned URL without downloading it", async () => {
        let downloads = 0;
        await assert.rejects(pinnedFetcher(() => { downloads++; return Promise.resolve(""); })("https://example.com/x.yaml"),
            /No SHA-256 pin for https:\/\/example\.com\/x\.yaml.*npm run manifests:hashes/);
        assert.equal(downloads, 0);
    });

    it("hashes the bytes as UTF-8 (sha256 of 'abc' is the FIPS 180-2 test vector)", () => {
        assert.equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    });
});

describe("manifest downloads: retries", () => {
    function recorder(): { options: RetryOptions; sleeps: number[]; logs: string[] } {
        const sleeps: number[] = [];
        const logs: string[] = [];
        return { sleeps, logs, options: { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); }, log: (m) => logs.push(m) } };
    }
    /** Fails with each error in turn, then answers. */
    function flaky(errors: Error[]): { fetcher: (url: string) => Promise<string>; calls: () => number } {
        let calls = 0;
        return { calls: () => calls, fetcher: () => { const error = errors[calls++]; return error ? Promise.reject(error) : Promise.resolve("ok"); } };
    }

    it("retries 429, 5xx and connection resets with doubling waits, then answers", async () => {
        const { options, sleeps, logs } = recorder();
        const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        const { fetcher, calls } = flaky([new HttpStatusError(429, "Too Many Requests"), new HttpStatusError(503, "Service Unavailable"), reset]);
        assert.equal(await retryingFetcher(fetcher, options)(bookinfoUrl), "ok");
        assert.equal(calls(), 4);
        assert.deepEqual(sleeps, [1000, 2000, 4000]);
        assert.match(logs[0], /HTTP 429 Too Many Requests.*attempt 2 of 4 in 1000 ms/);
    });

    it("waits as long as Retry-After asks when that is longer, capped", async () => {
        const { options, sleeps } = recorder();
        const { fetcher } = flaky([new HttpStatusError(429, "Too Many Requests", 7), new HttpStatusError(429, "Too Many Requests", 3600)]);
        await retryingFetcher(fetcher, options)(bookinfoUrl);
        assert.deepEqual(sleeps, [7000, 30_000]);
    });

    it("does not retry a 404, a pin mismatch or an unknown error", async () => {
        for (const error of [new HttpStatusError(404, "Not Found"), new ManifestIntegrityError("mismatch"), new Error("only https:// manifest URLs are fetched")]) {
            const { options, sleeps } = recorder();
            const { fetcher, calls } = flaky([error]);
            await assert.rejects(retryingFetcher(fetcher, options)(bookinfoUrl), (thrown: Error) => thrown === error);
            assert.equal(calls(), 1);
            assert.deepEqual(sleeps, []);
        }
    });

    it("gives up after the last attempt and says how many were made", async () => {
        const { options } = recorder();
        const { fetcher, calls } = flaky([1, 2, 3, 4, 5].map(() => new HttpStatusError(502, "Bad Gateway")));
        await assert.rejects(retryingFetcher(fetcher, options)(bookinfoUrl), (error: Error) => error.message === "HTTP 502 Bad Gateway (after 4 attempts)");
        assert.equal(calls(), 4);
    });
});

describe("manifest downloads: HTTPS_PROXY", () => {
    let proxy: http.Server;
    let connects: string[];
    let proxyUrl: string;

    before(async () => {
        connects = [];
        proxy = http.createServer((_request, response) => { response.statusCode = 405; response.end(); });
        // A forward proxy's answer to CONNECT (RFC 9110 9.3.6); 502 because this machine has no network to tunnel to.
        proxy.on("connect", (request: http.IncomingMessage, socket: import("net").Socket) => {
            connects.push(request.url ?? "");
            socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
        });
        await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
        proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

    it("sends the program's download through the proxy HTTPS_PROXY names, and retries the proxy's 502", async () => {
        const sleeps: number[] = [];
        const fetcher = manifestFetcher({ HTTPS_PROXY: proxyUrl }, { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); }, log: () => undefined });
        await assert.rejects(fetcher(bookinfoUrl), /127\.0\.0\.1.*502 Bad Gateway.*\(after 2 attempts\)/s);
        assert.deepEqual(connects, ["raw.githubusercontent.com:443", "raw.githubusercontent.com:443"]);
        assert.deepEqual(sleeps, [1]);
    });

    it("reads lower-case https_proxy too, and uses no agent (a direct connection) without one", () => {
        assert.ok(downloadAgent({ https_proxy: proxyUrl }));
        assert.equal(downloadAgent({ HTTP_PROXY: proxyUrl }), undefined, "HTTP_PROXY is for http:// URLs; downloads are https:// only");
        assert.equal(downloadAgent({}), undefined);
    });

    it("refuses, naming the Node version, where the agent cannot read the proxy (before Node 24.5)", () => {
        assert.throws(() => downloadAgent({ HTTPS_PROXY: proxyUrl }, "v22.18.0"), /HTTPS_PROXY is set, but Node v22\.18\.0 .*Node 24/);
        assert.equal(agentReadsProxyEnv("v24.4.1"), false);
        assert.equal(agentReadsProxyEnv("v24.5.0"), true);
        assert.equal(agentReadsProxyEnv("v25.0.0"), true);
    });
});
