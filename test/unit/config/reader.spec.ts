// The config reader's fix suggestions: a value that is one choice in another case, or a small typo of
// one, gets that choice in its fix instead of the default.
import { strict as assert } from "assert";
import { closestChoice, editDistance } from "../../../components/config/reader";
import { configProblemsOf } from "../../support/config-problems";

describe("config reader: what the user meant", () => {
    it("measures edit distance", () => {
        assert.equal(editDistance("", ""), 0);
        assert.equal(editDistance("kitten", "sitting"), 3);
        assert.equal(editDistance("MUTAUL", "MUTUAL"), 2);
        assert.equal(editDistance("abc", ""), 3);
    });

    it("matches a choice in another case, or within a small edit distance", () => {
        assert.equal(closestChoice("mutual", ["SIMPLE", "MUTUAL"]), "MUTUAL");
        assert.equal(closestChoice("nodeport", ["LoadBalancer", "NodePort", "ClusterIP"]), "NodePort");
        assert.equal(closestChoice("Ambient", ["sidecar", "ambient"]), "ambient");
        assert.equal(closestChoice("node-port", ["LoadBalancer", "NodePort", "ClusterIP"]), "NodePort");
        assert.equal(closestChoice("MUTAUL", ["SIMPLE", "MUTUAL"]), "MUTUAL");
        assert.equal(closestChoice("loadbalncer", ["LoadBalancer", "NodePort", "ClusterIP"]), "LoadBalancer");
        assert.equal(closestChoice("sidcar", ["sidecar", "ambient"]), "sidecar");
    });

    it("suggests nothing when nothing is close, or two choices are equally close", () => {
        assert.equal(closestChoice("tls", ["SIMPLE", "MUTUAL"]), undefined);
        assert.equal(closestChoice("ingress", ["LoadBalancer", "NodePort", "ClusterIP"]), undefined);
        assert.equal(closestChoice("ab", ["aa", "bb"]), undefined);
    });

    const fixOf = (raw: Record<string, unknown>, key: string): string => {
        const problem = configProblemsOf(raw).find((line) => line.includes(key));
        assert.ok(problem, `a problem names ${key}`);
        return problem;
    };

    it("puts the meant choice, not the default, in the fix", () => {
        assert.match(fixOf({ gateway: { tlsMode: "mutual" } }, "gateway.tlsMode"), /Fix: pulumi config set --path 'gateway\.tlsMode' MUTUAL/);
        assert.match(fixOf({ istio: { gatewayServiceType: "nodeport" } }, "istio.gatewayServiceType"),
            /Fix: pulumi config set --path 'istio\.gatewayServiceType' NodePort/);
        assert.match(fixOf({ istio: { dataplane: "Ambient" } }, "istio.dataplane"), /Fix: pulumi config set --path 'istio\.dataplane' ambient/);
    });

    it("falls back to the default's example when nothing is close", () => {
        assert.match(fixOf({ gateway: { tlsMode: "tls" } }, "gateway.tlsMode"), /Fix: pulumi config set --path 'gateway\.tlsMode' SIMPLE/);
    });
});
