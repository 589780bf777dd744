// Deep merge of Helm values objects: the stack's base values and a sizing profile's both set keys
// under `global`, and a shallow spread would drop one of them.

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `overlay` wins on a conflict; objects are merged key by key, arrays and scalars replaced. */
export function mergeValues(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
        const existing = merged[key];
        merged[key] = isPlainObject(existing) && isPlainObject(value) ? mergeValues(existing, value) : value;
    }
    return merged;
}
