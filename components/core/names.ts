// Syntax rules of the names the stack accepts from config, as Kubernetes and DNS define them.

/** RFC 1123 label: what Kubernetes requires of namespace and most object names (max 63). */
export const dns1123Label = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1035 label: what Kubernetes requires of Service names (must start with a letter). */
export const dns1035Label = /^(?=.{1,63}$)[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS hostname, optionally with one leading wildcard label (`*.example.com`), or `*` alone. */
export function isGatewayHost(host: string): boolean {
    if (host === "*") {
        return true;
    }
    const name = host.startsWith("*.") ? host.slice(2) : host;
    if (name.length === 0 || name.length > 253) {
        return false;
    }
    return name.split(".").every((label) => /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i.test(label));
}

export function isPort(value: number): boolean {
    return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** A container image reference pinned to a tag or digest; `:latest` and untagged references float. */
export function isPinnedImage(image: string): boolean {
    if (/\s/.test(image) || image.length === 0) {
        return false;
    }
    if (/@sha256:[a-f0-9]{64}$/.test(image)) {
        return true;
    }
    const lastSegment = image.split("/").pop() ?? "";
    const colon = lastSegment.lastIndexOf(":");
    if (colon <= 0) {
        return false;
    }
    const tag = lastSegment.slice(colon + 1);
    return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) && tag !== "latest";
}

/** RFC 1123 subdomain: storage class and most cluster-scoped object names (max 253). */
export const dns1123Subdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export const labelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A Kubernetes label value: empty, or at most 63 characters of alphanumerics, `-`, `_` and `.` between alphanumerics. */
export const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** A release version `major.minor.patch`. */
export const semver = /^\d+\.\d+\.\d+$/;
