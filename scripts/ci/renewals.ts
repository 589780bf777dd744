// What a scheduled rotation run renewed: the certificates in the stack's state before and after
// `pulumi up --refresh`, from `pulumi stack export` (deployment.resources[].{urn, type, outputs}; the
// tls provider's certificates carry `validityEndTime`, an RFC 3339 time that is not secret).
//   ts-node --transpile-only scripts/ci/renewals.ts <export-before.json> <export-after.json> [<report.json>]
// prints one Markdown line per certificate for the job summary, and writes the certificates after the run
// (URN and end of validity only) to <report.json> for rotate.yml's bump job (scripts/ci/rotation-bump.ts).
import * as fs from "fs";
import type { CertificateReport } from "./rotation-bump";

export const certificateTypes = [
    "tls:index/locallySignedCert:LocallySignedCert",
    "tls:index/selfSignedCert:SelfSignedCert",
] as const;

export interface CertificateState {
    urn: string;
    name: string;
    validityEnd?: string;
}

export function certificatesOf(exportJson: string): Map<string, CertificateState> {
    const exported = JSON.parse(exportJson) as { deployment?: { resources?: { urn?: unknown; type?: unknown; outputs?: Record<string, unknown> }[] } };
    const certificates = new Map<string, CertificateState>();
    for (const resource of exported.deployment?.resources ?? []) {
        if (typeof resource.urn !== "string" || !(certificateTypes as readonly unknown[]).includes(resource.type)) {
            continue;
        }
        const end = resource.outputs?.validityEndTime;
        certificates.set(resource.urn, {
            urn: resource.urn,
            name: resource.urn.slice(resource.urn.lastIndexOf("::") + 2),
            ...(typeof end === "string" ? { validityEnd: end } : {}),
        });
    }
    return certificates;
}

export interface RenewalReport {
    renewed: { name: string; from?: string; to?: string }[];
    unchanged: { name: string; validityEnd?: string }[];
    /** The certificate that expires first after the run, to say when the next renewal is due. */
    nextExpiry?: { name: string; validityEnd: string };
}

export function renewals(beforeJson: string, afterJson: string): RenewalReport {
    const before = certificatesOf(beforeJson);
    const after = certificatesOf(afterJson);
    const report: RenewalReport = { renewed: [], unchanged: [] };
    for (const [urn, now] of after) {
        const was = before.get(urn);
        if (was?.validityEnd === now.validityEnd) {
            report.unchanged.push({ name: now.name, ...(now.validityEnd ? { validityEnd: now.validityEnd } : {}) });
        } else {
            report.renewed.push({ name: now.name, ...(was?.validityEnd ? { from: was.validityEnd } : {}), ...(now.validityEnd ? { to: now.validityEnd } : {}) });
        }
        if (now.validityEnd && (!report.nextExpiry || Date.parse(now.validityEnd) < Date.parse(report.nextExpiry.validityEnd))) {
            report.nextExpiry = { name: now.name, validityEnd: now.validityEnd };
        }
    }
    return report;
}

export function renewalSummary(stack: string, report: RenewalReport): string {
    const lines = [`### Certificate rotation of ${stack}`, ""];
    lines.push(report.renewed.length === 0 ? "Nothing was due: no certificate renewed." : `Renewed ${report.renewed.length}:`);
    for (const entry of report.renewed) {
        lines.push(`- \`${entry.name}\`: valid until ${entry.from ?? "(new)"} → ${entry.to ?? "?"}`);
    }
    lines.push("", `Unchanged: ${report.unchanged.length}.`);
    if (report.nextExpiry) {
        lines.push(`First to expire now: \`${report.nextExpiry.name}\` at ${report.nextExpiry.validityEnd}.`);
    }
    return `${lines.join("\n")}\n`;
}

/**
 * What the bump job needs from a rotation run, and nothing more: the stack and each certificate's URN and
 * end of validity. No PEM, no key, no other output leaves the job that holds the state's credentials.
 */
export function certificateReport(stack: string, afterJson: string): CertificateReport {
    return {
        stack,
        certificates: [...certificatesOf(afterJson).values()].map((certificate) => ({
            urn: certificate.urn, ...(certificate.validityEnd ? { validityEnd: certificate.validityEnd } : {}),
        })),
    };
}

if (require.main === module) {
    const [beforeFile, afterFile, reportFile] = process.argv.slice(2);
    const stack = process.env.STACK ?? "";
    const after = fs.readFileSync(afterFile, "utf8");
    process.stdout.write(renewalSummary(stack, renewals(fs.readFileSync(beforeFile, "utf8"), after)));
    if (reportFile) {
        fs.writeFileSync(reportFile, `${JSON.stringify(certificateReport(stack, after), null, 2)}\n`);
    }
}
