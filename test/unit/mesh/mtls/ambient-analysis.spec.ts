// The mTLS conflict analysis in ambient mode: the existing scenarios' counterparts, DISABLE refused and
// PERMISSIVE explained for ztunnel.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../../../components/config/parse";
import { ConfigError } from "../../../../components/config/errors";
import { meshModel } from "../../../../components/mesh/mtls/mesh-model";
import { Finding, GatewayServerModel, analyzeMesh } from "../../../../components/mesh/mtls/analysis";

const secureGateway: GatewayServerModel[] = [
    { gateway: "istio-system/mesh-gateway", port: 80, protocol: "HTTP", httpsRedirect: true },
    { gateway: "istio-system/mesh-gateway", port: 443, protocol: "HTTPS", tlsMode: "SIMPLE" },
];
const ambient = (raw: Record<string, unknown>) => ({ ...raw, istio: { dataplane: "ambient" } });
// About mTLS alone, as in analysis.spec.ts: with authorization on, a non-STRICT scope in a sample namespace is refused as unreachable.
const analyze = (raw: Record<string, unknown>): Finding[] => analyzeMesh(meshModel(parseStackConfig({ authorization: { enabled: false }, ...raw }), secureGateway, []));
const severities = (findings: Finding[]) => findings.map((finding) => finding.severity).sort();

/** The scenarios of test/unit/mesh/mtls/analysis.spec.ts that ambient mode accepts as config. */
const scenarios: { name: string; config: Record<string, unknown> }[] = [
    { name: "the default stack", config: {} },
    { name: "a DISABLE client policy to a STRICT service (503)", config: { mtls: { clientPolicies: [{ host: "reviews.bookinfo.svc.cluster.local", mode: "DISABLE" }] } } },
    { name: "a SIMPLE client policy to a STRICT service", config: { mtls: { clientPolicies: [{ host: "ratings.bookinfo.svc.cluster.local", mode: "SIMPLE" }] } } },
    { name: "a wildcard plaintext client policy", config: { mtls: { clientPolicies: [{ host: "*.bookinfo.svc.cluster.local", mode: "DISABLE" }] } } },
    { name: "a PERMISSIVE namespace under a STRICT mesh", config: { mtls: { policies: [{ namespace: "bookinfo", mode: "PERMISSIVE" }] } } },
    { name: "a PERMISSIVE exception on one workload", config: { mtls: { policies: [{ namespace: "bookinfo", selector: { app: "ratings" }, mode: "PERMISSIVE", exception: true }] } } },
    { name: "a port-level PERMISSIVE exception on MySQL", config: { mtls: { policies: [{ namespace: "wordpress", selector: { app: "mysql" }, mode: "STRICT", ports: { 3306: "PERMISSIVE" }, exception: true }] } } },
    { name: "a PERMISSIVE mesh", config: { mtls: { mode: "PERMISSIVE" } } },
];

describe("mTLS analysis in ambient mode: counterparts of the sidecar scenarios", () => {
    for (const { name, config } of scenarios) {
        it(`${name}: the same errors and warnings as in sidecar mode`, () => {
            const sidecar = analyze(config);
            assert.ok(name === "the default stack" || sidecar.length > 0, "the scenario has findings to compare");
            assert.deepEqual(severities(analyze(ambient(config))), severities(sidecar));
        });
    }

    it("explains PERMISSIVE for ztunnel, mesh-wide and per scope", () => {
        const [mesh] = analyze(ambient({ mtls: { mode: "PERMISSIVE" } }));
        assert.match(mesh.message, /ztunnel accepts plaintext from clients outside the mesh/);
        assert.doesNotMatch(mesh.message, /sidecars/);
        const [scope] = analyze(ambient({ mtls: { policies: [{ namespace: "bookinfo", mode: "PERMISSIVE" }] } }));
        assert.match(scope.message, /enrolled pods still talk mTLS \(HBONE\)/);
        const [sidecarScope] = analyze({ mtls: { policies: [{ namespace: "bookinfo", mode: "PERMISSIVE" }] } });
        assert.doesNotMatch(sidecarScope.message, /ztunnel/);
    });

    it("refuses the DISABLE scenarios as config in ambient mode, and flags DISABLE in a hand-built model", () => {
        const disable = { mtls: { policies: [{ namespace: "bookinfo", selector: { app: "ratings" }, mode: "DISABLE", exception: true }] } };
        assert.throws(() => parseStackConfig(ambient(disable)), ConfigError);
        const model = { ...meshModel(parseStackConfig(disable), secureGateway, []), dataplane: "ambient" as const };
        const flagged = analyzeMesh(model).filter((finding) => finding.message.includes("ztunnel ignores"));
        assert.equal(flagged.length, 1);
        assert.equal(flagged[0].severity, "error");
    });
});
