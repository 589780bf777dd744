// Which committed stacks need their leaf certificates renewed, and the edit of Pulumi.<stack>.yaml that
// renews them: `pki.rotation` raised by one (components/pki/mesh-pki.ts feeds it to replacementTrigger).
// rotate.yml's `bump` job runs this with no cloud credential: its input is what each stack's rotation run
// published (renewals.ts `certificateReport`: certificate URNs and validityEndTime, nothing secret), its
// output the edited stack files and the pull request's text. The bump is committed, not set for one run,
// because the next deploy of the committed file would set it back and renew once more.
//   ts-node --transpile-only scripts/ci/rotation-bump.ts <directory of renewals-<stack>.json> <body.md>
// edits the due stacks' files in the current directory, writes the pull request body, prints a summary
// and sets `due=true|false` in $GITHUB_OUTPUT.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { stackFileName } from "./stack-settings";
import { stackNamePattern } from "./stack-list";

/** What a rotation run publishes for the bump job (renewals.ts writes it). */
export interface CertificateReport {
    stack: string;
    certificates: { urn: string; validityEnd?: string }[];
}

/**
 * The certificates `pki.rotation` renews: the LocallySignedCerts whose parent is the MeshPki component (the
 * gateway's server and the client certificate; the recorded URNs in test/fixtures/urns hold them). The
 * private CA and the mesh CA are rotated by hand in steps (docs/operations.md, Day two), so they never
 * make a stack due here; they are reported when they are close to expiry.
 */
export function isRotatedLeaf(urn: string): boolean {
    return /::iks-mesh:pki:MeshPki\$tls:index\/locallySignedCert:LocallySignedCert::[^:]+$/.test(urn);
}

const projectNamespace = "iks-mesh";
const pkiKey = `${projectNamespace}:pki`;

function pkiDefaults(projectYaml: string): { renewBeforeHours: number; rotation: number } {
    const project = (YAML.parse(projectYaml) ?? {}) as { config?: Record<string, { default?: unknown }> };
    const read = (key: string): number => {
        const value = project.config?.[key]?.default;
        if (typeof value !== "number" || !Number.isInteger(value)) {
            throw new Error(`Pulumi.yaml: config.${key} has no integer default (got ${JSON.stringify(value)})`);
        }
        return value;
    };
    return { renewBeforeHours: read("pki.renewBeforeHours"), rotation: read("pki.rotation") };
}

/** A stack file's `iks-mesh:pki` section, refusing what the program would refuse too (a flat key). */
function pkiSection(stack: string, stackYaml: string): Record<string, unknown> {
    const config = ((YAML.parse(stackYaml) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
    const flat = Object.keys(config).filter((key) => key.startsWith(`${pkiKey}.`));
    if (flat.length > 0) {
        throw new Error(`${stackFileName(stack)}: flat key ${flat.join(", ")} (set without --path); move it under ${pkiKey} ` +
            "(the program refuses it too: components/config/flat-keys.ts) before the rotation can be raised");
    }
    const section = config[pkiKey];
    if (section === undefined || section === null) {
        return {};
    }
    if (typeof section !== "object" || Array.isArray(section)) {
        throw new Error(`${stackFileName(stack)}: ${pkiKey} must be a mapping, got ${JSON.stringify(section)}`);
    }
    return section as Record<string, unknown>;
}

function integerSetting(stack: string, key: string, value: unknown, fallback: number): number {
    if (value === undefined) {
        return fallback;
    }
    // `pulumi config set --path` stores 2 as a number; a quoted "2" is read the same by the program.
    const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number) || number < 0) {
        throw new Error(`${stackFileName(stack)}: pki.${key} must be a whole number, got ${JSON.stringify(value)}`);
    }
    return number;
}

export interface StackPkiSettings {
    renewBeforeHours: number;
    rotation: number;
}

export function stackPkiSettings(stack: string, stackYaml: string, projectYaml: string): StackPkiSettings {
    const defaults = pkiDefaults(projectYaml);
    const pki = pkiSection(stack, stackYaml);
    return {
        renewBeforeHours: integerSetting(stack, "renewBeforeHours", pki.renewBeforeHours, defaults.renewBeforeHours),
        rotation: integerSetting(stack, "rotation", pki.rotation, defaults.rotation),
    };
}

export interface DueStack {
    stack: string;
    from: number;
    to: number;
    /** The rotated leaves inside their window, with their end of validity. */
    certificates: { name: string; validityEnd: string }[];
}

export interface RotationPlan {
    due: DueStack[];
    /** Stacks whose rotation run published nothing (failed, skipped, or not configured): not judged. */
    unreported: string[];
    /** Certificates this bump does not renew (CAs) that are inside the stack's window: rotate by hand. */
    byHand: { stack: string; name: string; validityEnd: string }[];
}

const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * A stack is due when one of its rotated leaves ends within `pki.renewBeforeHours` of `now` (or has no
 * known end, or ended). The new value is the committed one plus one, computed from the committed file
 * every time, so a rerun, or a second week with the pull request still open, proposes the same value
 * instead of raising it twice. A committed raise that was not deployed yet is deployed by the rotation
 * run itself (it is an `up` of the committed file), so its fresh certificates are not due again.
 */
export function planRotation(stacks: readonly string[], reports: readonly CertificateReport[], stackFiles: ReadonlyMap<string, string>,
    projectYaml: string, now: Date): RotationPlan {
    const plan: RotationPlan = { due: [], unreported: [], byHand: [] };
    for (const stack of stacks) {
        const report = reports.find((entry) => entry.stack === stack);
        const file = stackFiles.get(stack);
        if (file === undefined) {
            throw new Error(`no committed ${stackFileName(stack)} for the reported stack ${stack}`);
        }
        if (!report) {
            plan.unreported.push(stack);
            continue;
        }
        const settings = stackPkiSettings(stack, file, projectYaml);
        const windowEnd = now.getTime() + settings.renewBeforeHours * 3_600_000;
        const inWindow = (end: string | undefined): boolean => end === undefined || !Number.isFinite(Date.parse(end)) || Date.parse(end) <= windowEnd;
        const leaves = report.certificates.filter((certificate) => isRotatedLeaf(certificate.urn) && inWindow(certificate.validityEnd));
        for (const certificate of report.certificates) {
            if (!isRotatedLeaf(certificate.urn) && certificate.validityEnd !== undefined && inWindow(certificate.validityEnd)) {
                plan.byHand.push({ stack, name: nameOf(certificate.urn), validityEnd: certificate.validityEnd });
            }
        }
        if (leaves.length > 0) {
            plan.due.push({
                stack, from: settings.rotation, to: settings.rotation + 1,
                certificates: leaves.map((certificate) => ({ name: nameOf(certificate.urn), validityEnd: certificate.validityEnd ?? "unknown" })),
            });
        }
    }
    return plan;
}

/**
 * `pki.rotation` set to `to` in a stack file, as `pulumi config set --path pki.rotation <to>` would store
 * it (`iks-mesh:pki: {rotation: <to>}`), keeping every comment, every other key and their order (the yaml
 * package's Document API edits the parsed tree, not a re-serialised object).
 */
export function raiseRotation(stack: string, stackYaml: string, to: number): string {
    if (!Number.isInteger(to) || to < 1) {
        throw new Error(`pki.rotation must be raised to a whole number from 1 up, got ${to}`);
    }
    pkiSection(stack, stackYaml);
    const doc = YAML.parseDocument(stackYaml);
    if (doc.errors.length > 0) {
        throw new Error(`${stackFileName(stack)}: ${doc.errors[0].message}`);
    }
    // An absent or empty (`config:`) section becomes a mapping; pkiSection refused any other shape.
    const isEmpty = (node: unknown): boolean => node === undefined || node === null || (YAML.isScalar(node) && node.value === null);
    if (isEmpty(doc.get("config", true))) {
        doc.set("config", doc.createNode({}));
    }
    if (isEmpty(doc.getIn(["config", pkiKey], true))) {
        doc.setIn(["config", pkiKey], doc.createNode({}));
    }
    doc.setIn(["config", pkiKey, "rotation"], to);
    return doc.toString();
}

/** The branch the bump job owns and force-pushes; one open pull request at a time. */
export const rotationBranch = "rotate/pki-rotation";

export function pullRequestTitle(plan: RotationPlan): string {
    return `Renew leaf certificates: raise pki.rotation of ${plan.due.map((entry) => entry.stack).join(", ")}`;
}

export function pullRequestBody(plan: RotationPlan, now: Date): string {
    const lines = [
        `The scheduled rotation (rotate.yml, ${now.toISOString()}) found leaf certificates within \`pki.renewBeforeHours\` of expiry.`,
        "This raises `pki.rotation` in each stack's committed file; the next `up` of that stack issues new keys and certificates and",
        "updates their Secrets in place (docs/operations.md, Day two).",
        "",
    ];
    for (const entry of plan.due) {
        lines.push(`- \`${stackFileName(entry.stack)}\`: pki.rotation ${entry.from} → ${entry.to}; ` +
            entry.certificates.map((certificate) => `\`${certificate.name}\` valid until ${certificate.validityEnd}`).join(", "));
    }
    lines.push("",
        "**Checks do not start by themselves**: GitHub starts no workflow for a pull request opened or pushed with the",
        "workflow's GITHUB_TOKEN. Close and reopen this pull request (or push a commit to it) so that the tests and",
        "previews run, then merge. Merging deploys `dev` (main.yml); deploy every other stack listed with the deploy",
        "workflow, or let the next scheduled rotation run deploy it.");
    return `${lines.join("\n")}\n`;
}

export function planSummary(plan: RotationPlan): string {
    const lines = ["### pki.rotation", ""];
    lines.push(plan.due.length === 0 ? "No stack has a leaf certificate within its renewal window: no pull request." :
        `Due: ${plan.due.map((entry) => `${entry.stack} (${entry.from} → ${entry.to})`).join(", ")}.`);
    if (plan.unreported.length > 0) {
        lines.push(`Not judged (its rotation run published no report): ${plan.unreported.join(", ")}.`);
    }
    for (const entry of plan.byHand) {
        lines.push(`- ${entry.stack}: \`${entry.name}\` ends ${entry.validityEnd}, inside the window; pki.rotation does not renew it, rotate it by hand (docs/operations.md, Day two).`);
    }
    return `${lines.join("\n")}\n`;
}

/** The reports in a directory, refusing one whose stack name is not a committed stack's. */
export function readReports(directory: string, stacks: readonly string[]): CertificateReport[] {
    if (!fs.existsSync(directory)) {
        return [];
    }
    return fs.readdirSync(directory).filter((name) => name.endsWith(".json")).map((name) => {
        const report = JSON.parse(fs.readFileSync(path.join(directory, name), "utf8")) as CertificateReport;
        if (typeof report.stack !== "string" || !stackNamePattern.test(report.stack) || !stacks.includes(report.stack) || !Array.isArray(report.certificates)) {
            throw new Error(`${name}: not a rotation report of a committed stack (${JSON.stringify(report.stack)})`);
        }
        return report;
    });
}

export function main(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, now: Date): string {
    const [reportDir, bodyFile] = argv;
    if (!reportDir || !bodyFile) {
        throw new Error("usage: rotation-bump.ts <directory of renewals-<stack>.json> <pull request body file>");
    }
    const stacks = JSON.parse(env.STACKS ?? "[]") as string[];
    const files = new Map(stacks.map((stack) => [stack, fs.readFileSync(path.join(cwd, stackFileName(stack)), "utf8")]));
    const plan = planRotation(stacks, readReports(reportDir, stacks), files, fs.readFileSync(path.join(cwd, "Pulumi.yaml"), "utf8"), now);
    for (const entry of plan.due) {
        fs.writeFileSync(path.join(cwd, stackFileName(entry.stack)), raiseRotation(entry.stack, files.get(entry.stack) ?? "", entry.to));
    }
    if (plan.due.length > 0) {
        fs.writeFileSync(bodyFile, pullRequestBody(plan, now));
    }
    if (env.GITHUB_OUTPUT) {
        fs.appendFileSync(env.GITHUB_OUTPUT, `due=${plan.due.length > 0}\ntitle=${pullRequestTitle(plan)}\n`);
    }
    return planSummary(plan);
}

if (require.main === module) {
    process.stdout.write(main(process.argv.slice(2), process.cwd(), process.env, new Date()));
}
