// The Pod Security Standards checks against the controls of
// kubernetes.io/docs/concepts/security/pod-security-standards: a hardened pod meets restricted, and each
// control, broken on its own, moves the pod to the level the standard puts it at.
import { strict as assert } from "assert";
import {
    PodSecuritySpec, baselineViolations, podSecurityLabels, restrictedViolations, strictestLevel,
} from "../../../components/security/pod-security";

const hardenedContainer = {
    name: "app",
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
};
const hardened: PodSecuritySpec = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "x" } }, { name: "tmp", emptyDir: {} }],
    containers: [hardenedContainer],
};
const withContainer = (change: Record<string, unknown>): PodSecuritySpec =>
    ({ ...hardened, containers: [{ ...hardenedContainer, securityContext: { ...hardenedContainer.securityContext, ...change } }] });

describe("Pod Security Standards checks", () => {
    it("a hardened pod meets restricted", () => {
        assert.deepEqual(restrictedViolations(hardened), []);
        assert.equal(strictestLevel([hardened]), "restricted");
    });

    it("the default (minimally specified) pod meets baseline but not restricted", () => {
        const minimal: PodSecuritySpec = { containers: [{ name: "app" }] };
        assert.deepEqual(baselineViolations(minimal), []);
        assert.deepEqual(restrictedViolations(minimal).map((problem) => problem.split(":")[0]).sort(), [
            "Capabilities (v1.22+)", "Privilege escalation", "Running as non-root", "Seccomp (v1.19+)",
        ]);
        assert.equal(strictestLevel([minimal]), "baseline");
    });

    const baselineBreaks: [string, PodSecuritySpec][] = [
        ["hostNetwork", { ...hardened, hostNetwork: true }],
        ["hostPID", { ...hardened, hostPID: true }],
        ["a hostPath volume", { ...hardened, volumes: [{ name: "host", hostPath: { path: "/" } }] }],
        ["a privileged container", withContainer({ privileged: true })],
        ["NET_ADMIN (istio-init without istio-cni)", withContainer({ capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } })],
        ["a host port", { ...hardened, containers: [{ ...hardenedContainer, ports: [{ hostPort: 8080 }] }] }],
        ["an unsafe sysctl", { ...hardened, securityContext: { ...hardened.securityContext, sysctls: [{ name: "net.core.somaxconn" }] } }],
        ["Unconfined seccomp", withContainer({ seccompProfile: { type: "Unconfined" } })],
        ["an unmasked /proc", withContainer({ procMount: "Unmasked" })],
        ["an SELinux user", withContainer({ seLinuxOptions: { user: "system_u" } })],
        ["a probe with a host", { ...hardened, containers: [{ ...hardenedContainer, livenessProbe: { httpGet: { host: "10.0.0.1" } } }] }],
    ];
    for (const [what, pod] of baselineBreaks) {
        it(`${what} breaks baseline: privileged only`, () => {
            assert.ok(baselineViolations(pod).length > 0);
            assert.equal(strictestLevel([pod]), "privileged");
        });
    }

    const restrictedBreaks: [string, PodSecuritySpec][] = [
        ["allowPrivilegeEscalation unset", withContainer({ allowPrivilegeEscalation: undefined })],
        ["a container that overrides runAsNonRoot", withContainer({ runAsNonRoot: false })],
        ["runAsUser 0", withContainer({ runAsUser: 0 })],
        ["no seccomp profile", { ...hardened, securityContext: { runAsNonRoot: true } }],
        ["capabilities not dropped", withContainer({ capabilities: {} })],
        ["CHOWN added back", withContainer({ capabilities: { add: ["CHOWN"], drop: ["ALL"] } })],
        ["an nfs volume", { ...hardened, volumes: [{ name: "share", nfs: { server: "s", path: "/" } }] }],
        ["an unhardened init container", { ...hardened, initContainers: [{ name: "init" }] }],
        ["the safe sysctl stays allowed, but runAsNonRoot is missing", { ...hardened, securityContext: { seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start" }] } }],
    ];
    for (const [what, pod] of restrictedBreaks) {
        it(`${what}: baseline, not restricted`, () => {
            assert.deepEqual(baselineViolations(pod), []);
            assert.ok(restrictedViolations(pod).length > 0);
            assert.equal(strictestLevel([pod]), "baseline");
        });
    }

    it("NET_BIND_SERVICE is the one capability restricted lets a container add back", () => {
        assert.deepEqual(restrictedViolations(withContainer({ capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] } })), []);
    });

    it("a namespace takes the level its weakest pod meets, and enforces it with warnings at restricted", () => {
        assert.equal(strictestLevel([hardened, { containers: [{ name: "plain" }] }]), "baseline");
        assert.equal(strictestLevel([]), "restricted");
        assert.deepEqual(podSecurityLabels("baseline"), {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        });
    });
});
