// A small, strict reader for structured Pulumi config: it walks one object, converts values the way
// `pulumi config set --path` stores them (numbers and booleans may arrive as strings), and collects
// every problem instead of stopping at the first, so a user fixes their stack config in one pass.

/** One problem with the stack config, phrased so the user can act on it. */
export interface ConfigProblem {
    key: string;
    message: string;
}

export type Problems = ConfigProblem[];

const describe = (value: unknown): string => {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** `pulumi config set --path` form of a key, for fix suggestions. */
export const setCommand = (key: string, example: string): string =>
    `pulumi config set --path '${key}' ${example}`;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What the contract says of one key: recorded as the program reads it, so the docs come from the code. */
export interface ContractEntry {
    key: string;
    type: "string" | "integer" | "boolean" | "array";
    default: unknown;
    /** The values a `oneOf` key accepts. */
    allowed?: readonly string[];
    /** The bounds of an integer key. */
    range?: { min: number; max: number };
    /** What a string key must look like. */
    pattern?: string;
    /** Set only with `pulumi config set --secret`. */
    secret?: boolean;
}

/** Collects the contract while `parseStackConfig` reads a config (see components/config/contract.ts). */
export type ContractRecorder = (entry: ContractEntry) => void;

export interface FieldOptions {
    /** How to fix a bad value: shown after the problem. Defaults to a `pulumi config set` example. */
    fix?: string;
    /** An example value for the default fix text. */
    example?: string;
    /** The value is a credential: the contract says to set it with --secret. */
    secret?: boolean;
}

/**
 * Reads the fields of one config object. Every field read is remembered, and `finish()` reports any
 * field the program does not know, so a typo (`gateway.tlsmode`) is an error rather than silently ignored.
 */
export class ObjectReader {
    private readonly used = new Set<string>();
    private readonly fields: Record<string, unknown>;

    constructor(
        readonly path: string,
        value: unknown,
        private readonly problems: Problems,
        private readonly record?: ContractRecorder,
    ) {
        if (value === undefined || value === null) {
            this.fields = {};
        } else if (isPlainObject(value)) {
            this.fields = value;
        } else {
            this.fields = {};
            this.problem(path, `${path} must be an object (got ${describe(value)})`,
                `set its fields with ${setCommand(`${path}.<field>`, "<value>")}`);
        }
    }

    private keyOf(field: string): string {
        return this.path ? `${this.path}.${field}` : field;
    }

    problem(key: string, message: string, fix: string): void {
        this.problems.push({ key, message: `${message}. Fix: ${fix}` });
    }

    private fixFor(field: string, opts: FieldOptions | undefined, fallbackExample: string): string {
        return opts?.fix ?? setCommand(this.keyOf(field), opts?.example ?? fallbackExample);
    }

    /** The raw value of a field (marking it as known); undefined when absent. */
    raw(field: string): unknown {
        this.used.add(field);
        return this.fields[field];
    }

    string(field: string, defaultValue: string, opts?: FieldOptions & { pattern?: RegExp; patternText?: string }): string {
        this.record?.({
            key: this.keyOf(field), type: "string", default: defaultValue,
            ...(opts?.patternText ? { pattern: opts.patternText } : {}), ...(opts?.secret ? { secret: true } : {}),
        });
        const value = this.raw(field);
        // Pulumi.yaml declares "" as the default of optional strings, so "" means "not set".
        if (value === undefined || value === null || value === "") {
            return defaultValue;
        }
        if (typeof value !== "string") {
            this.problem(this.keyOf(field), `${this.keyOf(field)} must be a string (got ${describe(value)})`,
                this.fixFor(field, opts, defaultValue || "<value>"));
            return defaultValue;
        }
        if (opts?.pattern && !opts.pattern.test(value)) {
            this.problem(this.keyOf(field),
                `${this.keyOf(field)} must be ${opts.patternText ?? `of the form ${opts.pattern}`} (got ${describe(value)})`,
                this.fixFor(field, opts, defaultValue || "<value>"));
            return defaultValue;
        }
        return value;
    }

    /**
     * A string whose rules `check` decides (a URL, an image hub). Unlike `string`, "" is a value and not
     * "unset": Pulumi.yaml declares the real default, so an empty value was set on purpose and is checked.
     * `show` renders the value in a problem (to keep a credential in a URL out of the message).
     */
    checkedString(field: string, defaultValue: string, check: (value: string) => { message: string; fix: string } | undefined,
        opts: { patternText: string; show?: (value: string) => string }): string {
        const key = this.keyOf(field);
        this.record?.({ key, type: "string", default: defaultValue, pattern: opts.patternText });
        const value = this.raw(field);
        if (value === undefined || value === null) {
            return defaultValue;
        }
        if (typeof value !== "string") {
            this.problem(key, `${key} must be ${opts.patternText} (got ${describe(value)})`, setCommand(key, defaultValue));
            return defaultValue;
        }
        const problem = check(value);
        if (problem) {
            this.problem(key, `${key} ${problem.message} (got ${describe(opts.show ? opts.show(value) : value)})`, problem.fix);
            return defaultValue;
        }
        return value;
    }

    optionalString(field: string, opts?: FieldOptions & { pattern?: RegExp; patternText?: string }): string | undefined {
        const value = this.string(field, "", opts);
        return value === "" ? undefined : value;
    }

    oneOf<T extends string>(field: string, allowed: readonly T[], defaultValue: T, opts?: FieldOptions): T {
        this.record?.({ key: this.keyOf(field), type: "string", default: defaultValue, allowed });
        const value = this.raw(field);
        if (value === undefined || value === null || value === "") {
            return defaultValue;
        }
        if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
            return value as T;
        }
        // The fix offers what the user most likely meant ("nodeport" → NodePort), not the default.
        const meant = typeof value === "string" ? closestChoice(value, allowed) : undefined;
        this.problem(this.keyOf(field),
            `${this.keyOf(field)} must be one of ${allowed.join(" | ")} (got ${describe(value)})`,
            meant !== undefined ? setCommand(this.keyOf(field), meant) : this.fixFor(field, opts, defaultValue));
        return defaultValue;
    }

    integer(field: string, defaultValue: number, range: { min: number; max: number }, opts?: FieldOptions): number {
        this.record?.({ key: this.keyOf(field), type: "integer", default: defaultValue, range });
        const value = this.raw(field);
        if (value === undefined || value === null || value === "") {
            return defaultValue;
        }
        const parsed = parseInteger(value);
        if (parsed === undefined || parsed < range.min || parsed > range.max) {
            this.problem(this.keyOf(field),
                `${this.keyOf(field)} must be an integer ${range.min}-${range.max} (got ${describe(value)})`,
                this.fixFor(field, opts, String(defaultValue)));
            return defaultValue;
        }
        return parsed;
    }

    boolean(field: string, defaultValue: boolean, opts?: FieldOptions): boolean {
        this.record?.({ key: this.keyOf(field), type: "boolean", default: defaultValue });
        const value = this.raw(field);
        if (value === undefined || value === null || value === "") {
            return defaultValue;
        }
        if (value === true || value === "true") {
            return true;
        }
        if (value === false || value === "false") {
            return false;
        }
        this.problem(this.keyOf(field), `${this.keyOf(field)} must be true or false (got ${describe(value)})`,
            this.fixFor(field, opts, String(defaultValue)));
        return defaultValue;
    }

    /**
     * A boolean whose absence is decided elsewhere (a profile rule): declared `""` in Pulumi.yaml so the CLI
     * applies no default that would override the rule; `true`/`false` as booleans or strings.
     */
    optionalBoolean(field: string, opts?: FieldOptions): boolean | undefined {
        this.record?.({ key: this.keyOf(field), type: "string", default: "", allowed: ["true", "false"] });
        const value = this.raw(field);
        if (value === undefined || value === null || value === "") {
            return undefined;
        }
        if (value === true || value === "true") {
            return true;
        }
        if (value === false || value === "false") {
            return false;
        }
        this.problem(this.keyOf(field), `${this.keyOf(field)} must be one of true | false, or unset (got ${describe(value)})`,
            this.fixFor(field, opts, "true"));
        return undefined;
    }

    /** A nested object, read with its own reader; call `finish()` on it too. */
    object(field: string): ObjectReader {
        return new ObjectReader(this.keyOf(field), this.raw(field), this.problems, this.record);
    }

    /** A reader for a value found elsewhere (a list item) that reports into the same problem list. */
    reader(key: string, value: unknown): ObjectReader {
        return new ObjectReader(key, value, this.problems);
    }

    /** An array field; each element is handed to `readItem` with its own key (`gateway.routes[1]`). */
    array<T>(field: string, readItem: (item: unknown, key: string) => T | undefined, opts?: FieldOptions): T[] {
        this.recordArray(field, []);
        const value = parseMaybeJson(this.raw(field));
        if (value === undefined || value === null || value === "") {
            return [];
        }
        if (!Array.isArray(value)) {
            this.problem(this.keyOf(field), `${this.keyOf(field)} must be a list (got ${describe(value)})`,
                this.fixFor(field, opts, "<value>").replace(`'${this.keyOf(field)}'`, `'${this.keyOf(field)}[0]'`));
            return [];
        }
        const items: T[] = [];
        value.forEach((item, index) => {
            const read = readItem(item, `${this.keyOf(field)}[${index}]`);
            if (read !== undefined) {
                items.push(read);
            }
        });
        return items;
    }

    stringList(field: string, defaultValue: readonly string[], check: (item: string) => boolean, expectation: string,
        opts?: FieldOptions): string[] {
        this.recordArray(field, defaultValue);
        const present = this.fields[field] !== undefined && this.fields[field] !== null && this.fields[field] !== "";
        const items = this.array(field, (item, key) => {
            if (typeof item !== "string" || !check(item)) {
                this.problem(key, `${key} must be ${expectation} (got ${describe(item)})`,
                    opts?.fix ?? setCommand(key, opts?.example ?? "<value>"));
                return undefined;
            }
            return item;
        }, opts);
        return present ? items : [...defaultValue];
    }

    private recordArray(field: string, defaultValue: readonly unknown[]): void {
        // Readers of list items (`reader()`) carry no recorder: an item's fields belong to the list's own entry.
        this.record?.({ key: this.keyOf(field), type: "array", default: [...defaultValue] });
    }

    /** Reports every field that was present but never read. */
    finish(): void {
        const unknown = Object.keys(this.fields).filter((field) => !this.used.has(field));
        for (const field of unknown) {
            const known = [...this.used].sort().join(", ");
            this.problem(this.keyOf(field), `${this.keyOf(field)} is not a known setting`,
                `remove it (pulumi config rm --path '${this.keyOf(field)}') or use one of: ${known}`);
        }
    }
}

/** Integers arrive as numbers from YAML and as strings from `pulumi config set --path`; 10.5 and "ten" are not integers. */
export function parseInteger(value: unknown): number | undefined {
    if (typeof value === "number") {
        return Number.isInteger(value) ? value : undefined;
    }
    if (typeof value === "string" && /^-?\d+$/.test(value.trim())) {
        return Number.parseInt(value.trim(), 10);
    }
    return undefined;
}

/** Structured values set as JSON text (`pulumi config set key '[...]'`) arrive as strings. */
export function parseMaybeJson(value: unknown): unknown {
    if (typeof value === "string" && /^\s*[[{]/.test(value)) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

export { describe as describeValue };

/** Levenshtein distance (insertions, deletions, substitutions), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/**
 * The choice a mistyped value most likely meant: one equal to it ignoring case (and `-`/`_`), else the
 * single nearest within a small edit distance (1 for short words, 2 from 6 characters on). Undefined
 * when nothing is close or two choices are equally close: a wrong guess would be worse than none.
 */
export function closestChoice<T extends string>(value: string, allowed: readonly T[]): T | undefined {
    const fold = (text: string) => text.toLowerCase().replace(/[-_\s]/g, "");
    const folded = fold(value);
    const sameIgnoringCase = allowed.filter((choice) => fold(choice) === folded);
    if (sameIgnoringCase.length === 1) {
        return sameIgnoringCase[0];
    }
    const budget = folded.length >= 6 ? 2 : 1;
    const scored = allowed.map((choice) => ({ choice, distance: editDistance(folded, fold(choice)) }))
        .filter(({ distance }) => distance <= budget)
        .sort((left, right) => left.distance - right.distance);
    if (scored.length === 0 || (scored.length > 1 && scored[1].distance === scored[0].distance)) {
        return undefined;
    }
    return scored[0].choice;
}
