// What an interrupted run left behind, and how to recover, decided from recorded tool output:
//   - the stack's lock files in a self-managed backend (pkg/backend/diy/lock.go in pulumi/pulumi:
//     `.pulumi/locks/<org>/<project>/<stack>/<id>.json` holding {pid, username, hostname, timestamp};
//     a second operation fails with "the stack is currently locked by N lock(s). ..." and one line
//     "  <url>: created by <user>@<host> (pid <n>) at <RFC 3339 time>" per lock);
//   - Helm releases left pending-install, pending-upgrade or pending-rollback (`helm list
//     --all-namespaces --pending --output json`, fields of cmd/helm/list.go's releaseElement). Every
//     later upgrade of such a release fails with "another operation (install/upgrade/rollback) is in
//     progress".
// Plain data in, plain data out; scripts/ci/stack-job.ts runs the tools and carries the plan out.

export interface StackLock {
    /** Where the lock file is, as the backend names it. */
    location: string;
    createdAt: Date;
    user?: string;
    host?: string;
    pid?: number;
}

export interface PendingRelease {
    name: string;
    namespace: string;
    revision: number;
    status: "pending-install" | "pending-upgrade" | "pending-rollback";
}

const pendingStatuses = ["pending-install", "pending-upgrade", "pending-rollback"] as const;

/** A lock file's key belongs to the stack: project-scoped (`<org>/<project>/<stack>/`) or legacy (`<stack>/`). */
export function isLockOf(key: string, project: string, stack: string): boolean {
    const relative = key.replace(/^.*?\.pulumi\/locks\//, "");
    return relative === key ? false
        : new RegExp(`^(?:[^/]+/${escape(project)}/)?${escape(stack)}/[^/]+\\.json$`).test(relative);
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The stack's locks from `aws s3api list-objects-v2 --prefix .pulumi/locks/ --output json` (which
 * prints nothing, or an object without Contents, when there are none). LastModified is when the lock
 * was written; the holder is read from the file itself (parseLockFile) where the caller can.
 */
export function parseLockListing(json: string, project: string, stack: string): StackLock[] {
    if (json.trim() === "") {
        return [];
    }
    const listing = JSON.parse(json) as { Contents?: { Key?: unknown; LastModified?: unknown }[] };
    return (listing.Contents ?? [])
        .filter((entry) => typeof entry.Key === "string" && isLockOf(entry.Key, project, stack))
        .map((entry) => {
            const createdAt = new Date(String(entry.LastModified));
            if (Number.isNaN(createdAt.getTime())) {
                throw new Error(`lock listing: ${String(entry.Key)} has no LastModified time`);
            }
            return { location: String(entry.Key), createdAt };
        });
}

/** The holder recorded in a lock file, merged into what the listing said. */
export function withLockFile(lock: StackLock, fileJson: string): StackLock {
    const content = JSON.parse(fileJson) as { pid?: unknown; username?: unknown; hostname?: unknown; timestamp?: unknown };
    const createdAt = typeof content.timestamp === "string" && !Number.isNaN(Date.parse(content.timestamp))
        ? new Date(content.timestamp) : lock.createdAt;
    return {
        ...lock,
        createdAt,
        ...(typeof content.username === "string" ? { user: content.username } : {}),
        ...(typeof content.hostname === "string" ? { host: content.hostname } : {}),
        ...(typeof content.pid === "number" ? { pid: content.pid } : {}),
    };
}

/** The locks named in Pulumi's "the stack is currently locked" error; [] for any other output. */
export function parseLockError(output: string): StackLock[] {
    if (!/the stack is currently locked by \d+ lock\(s\)/.test(output)) {
        return [];
    }
    return [...output.matchAll(/^\s+(\S+): created by (\S*)@(\S*) \(pid (\d+)\) at (\S+)\s*$/gm)].map((match) => ({
        location: match[1], user: match[2], host: match[3], pid: Number(match[4]), createdAt: new Date(match[5]),
    }));
}

/** Releases stuck in a pending-* state, from `helm list --all-namespaces --pending --output json`. */
export function parsePendingReleases(json: string): PendingRelease[] {
    const listed: unknown = JSON.parse(json.trim() === "" ? "[]" : json);
    if (!Array.isArray(listed)) {
        throw new Error("helm list --output json did not print a list");
    }
    return listed.flatMap((entry: unknown) => {
        const release = (entry ?? {}) as Record<string, unknown>;
        const status = String(release.status);
        if (!(pendingStatuses as readonly string[]).includes(status)) {
            return [];
        }
        return [{
            name: String(release.name), namespace: String(release.namespace),
            revision: Number(release.revision), status: status as PendingRelease["status"],
        }];
    });
}

export interface RecoveryInput {
    stack: string;
    locks: readonly StackLock[];
    releases: readonly PendingRelease[];
    now: Date;
    /** The longest a legitimate operation holds the lock (scripts/ci/job-timeouts.ts largestRunSeconds). */
    maxRunSeconds: number;
    /**
     * True where the job's concurrency group admits no other CI job on this stack (every configured
     * stack: `stack-<name>`). Then a lock written by a CI runner cannot belong to a running job.
     */
    exclusive: boolean;
    /** The user CI jobs run as (`runner` on GitHub-hosted runners). */
    ciUser: string;
}

export interface LockFinding {
    lock: StackLock;
    ageSeconds: number;
    /** Certainly left by a dead process: older than any operation runs, or a CI job's while none can run. */
    stale: boolean;
}

export interface RecoveryPlan {
    locks: LockFinding[];
    releases: PendingRelease[];
    /** Nothing left behind. */
    clean: boolean;
    /** Every finding is certainly a leftover, so the `recover` run may act on it. */
    recoverable: boolean;
    /** The commands that recover, in order; the same ones the `recover` run executes. */
    commands: string[][];
    /** For the job log: what was found and what to do. */
    report: string[];
}

export function releaseRecoveryCommand(release: PendingRelease): string[] {
    // A first install that never finished has no earlier revision to roll back to: uninstall it, and
    // the next update installs it afresh. Otherwise roll back to the revision before the pending one.
    return release.status === "pending-install" || release.revision <= 1
        ? ["helm", "uninstall", release.name, "--namespace", release.namespace, "--wait"]
        : ["helm", "rollback", release.name, String(release.revision - 1), "--namespace", release.namespace, "--wait"];
}

export function planRecovery(input: RecoveryInput): RecoveryPlan {
    const locks = input.locks.map((lock) => {
        const ageSeconds = Math.max(0, Math.floor((input.now.getTime() - lock.createdAt.getTime()) / 1000));
        const stale = ageSeconds > input.maxRunSeconds || (input.exclusive && lock.user === input.ciUser);
        return { lock, ageSeconds, stale };
    });
    const releases = [...input.releases];
    const commands: string[][] = [];
    if (locks.length > 0) {
        commands.push(["pulumi", "cancel", "--yes", "--stack", input.stack]);
    }
    commands.push(...releases.map(releaseRecoveryCommand));
    if (commands.length > 0) {
        // An interrupted create stays a pending operation in the state; a non-interactive refresh
        // clears it only when asked (pulumi.com "Interrupted updates"; RefreshOptions.clearPendingCreates).
        commands.push(["pulumi", "refresh", "--yes", "--clear-pending-creates", "--skip-preview", "--stack", input.stack]);
    }
    const report: string[] = [];
    for (const finding of locks) {
        const holder = finding.lock.user === undefined ? "" : ` by ${finding.lock.user}@${finding.lock.host ?? "?"} (pid ${finding.lock.pid ?? "?"})`;
        report.push(`stack ${input.stack} is locked${holder} since ${finding.lock.createdAt.toISOString()} ` +
            `(${Math.floor(finding.ageSeconds / 60)} min ago): ${finding.stale
                ? "no operation runs that long, or it was a CI job and none can run now: the run that took it was interrupted"
                : `a run may still hold it (operations can take up to ${Math.ceil(input.maxRunSeconds / 60)} min)`} [${finding.lock.location}]`);
    }
    for (const release of releases) {
        report.push(`Helm release ${release.namespace}/${release.name} is ${release.status} at revision ${release.revision}: ` +
            "an upgrade was interrupted, and every later one fails until it is rolled back");
    }
    const recoverable = locks.every((finding) => finding.stale) && (input.exclusive || releases.length === 0);
    if (commands.length > 0) {
        report.push(recoverable
            ? `Recover: run the deploy workflow for ${input.stack} with \`recover\` checked, or by hand, in order:`
            : `If no operation on ${input.stack} is running (check with whoever holds the lock), recover by hand, in order:`);
        report.push(...commands.map((command) => `  ${command.join(" ")}`));
    }
    return { locks, releases, clean: commands.length === 0, recoverable, commands, report };
}

export interface BackendLocation {
    kind: "file" | "s3";
    /** file: the directory holding `.pulumi`; s3: the bucket. */
    root: string;
    /** s3: the key prefix before `.pulumi/` ("" for the bucket's root). */
    prefix: string;
    /** s3: the endpoint for `aws --endpoint-url` (IBM COS), with its scheme. */
    endpoint?: string;
    region?: string;
}

/**
 * Where a self-managed backend keeps its files, from PULUMI_BACKEND_URL (gocloud.dev URLs as Pulumi
 * takes them: `file://<dir>`, `s3://<bucket>[/<prefix>]?endpoint=<host>&region=<r>&s3ForcePathStyle=true`).
 */
export function backendLocation(url: string): BackendLocation {
    const parsed = new URL(url);
    if (parsed.protocol === "file:") {
        return { kind: "file", root: decodeURIComponent(parsed.pathname), prefix: "" };
    }
    if (parsed.protocol === "s3:") {
        const endpoint = parsed.searchParams.get("endpoint") ?? undefined;
        const region = parsed.searchParams.get("region") ?? undefined;
        const prefix = parsed.pathname.replace(/^\/+/, "").replace(/\/*$/, "");
        return {
            kind: "s3", root: parsed.hostname, prefix: prefix === "" ? "" : `${prefix}/`,
            ...(endpoint ? { endpoint: /^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}` } : {}),
            ...(region ? { region } : {}),
        };
    }
    throw new Error(`PULUMI_BACKEND_URL ${parsed.protocol}// is not a backend the CI reads locks from (file:// or s3://)`);
}
