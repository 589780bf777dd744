// Deep merge of Helm values objects: the stack's base values and a sizing profile's both set keys
// under `global`, and a shallow spread would drop one of them.

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `overlay` wins on a conflict; objects are merged key by key, arrays and scalars replaced. Typed as the
 * intersection of both: the two sides describe values of the same chart, so a key they share names the
 * same chart value with the same type, and the merged object has every key of both.
 */
export function mergeValues<Base extends object, Overlay extends object>(base: Base, overlay: Overlay): Base & Overlay {
    return mergeRecords(base as Record<string, unknown>, overlay as Record<string, unknown>) as Base & Overlay;
}

function mergeRecords(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
        const existing = merged[key];
        merged[key] = isPlainObject(existing) && isPlainObject(value) ? mergeRecords(existing, value) : value;
    }
    return merged;
}
