// The one table of namespaces the stack manages (components/core/namespaces.ts), which the config's
// cross-checks, the inventory and EnRoute all read.
import { strict as assert } from "assert";
import { managedNamespaces, sampleNamespaces } from "../../../components/core/namespaces";
import { enrouteNamespace } from "../../../components/edge/enroute/values";
import { sampleNamespaces as inventoryNamespaces } from "../../../components/inventory";
import { configProblemsOf } from "../../support/config-problems";

describe("core/namespaces: the namespaces the stack manages", () => {
    it("lists istio-system, then each enabled sample's namespace (httpbin's is httptools), then EnRoute's", () => {
        assert.deepEqual(managedNamespaces({ wordpress: true, bookinfo: true, httpbin: true, enroute: true }),
            ["istio-system", "wordpress", "bookinfo", "httptools", "enroute"]);
        assert.deepEqual(managedNamespaces({ wordpress: false, bookinfo: true, httpbin: false, enroute: false }), ["istio-system", "bookinfo"]);
        assert.deepEqual(managedNamespaces({ wordpress: false, bookinfo: false, httpbin: false, enroute: false }), ["istio-system"]);
    });

    it("is the table the inventory and EnRoute read, not a copy", () => {
        assert.equal(inventoryNamespaces, sampleNamespaces);
        assert.equal(enrouteNamespace, managedNamespaces({ wordpress: false, bookinfo: false, httpbin: false, enroute: true })[1]);
    });

    it("the config refuses a client policy for a namespace the stack does not manage, listing those it does", () => {
        const host = (namespace: string) => ({ mtls: { clientPolicies: [{ host: `reviews.${namespace}.svc.cluster.local`, mode: "ISTIO_MUTUAL" }] } });
        assert.deepEqual(configProblemsOf(host("bookinfo")), []);
        const [problem, ...others] = configProblemsOf({ ...host("bookinfo"), bookinfo: { enabled: false } });
        assert.deepEqual(others, []);
        assert.match(problem, /mtls\.clientPolicies\[0\]\.host must be a service in a namespace this stack manages: istio-system, wordpress, httptools \(got/);
    });
});
