// The one-off Job that installs WordPress before any route reaches it, so the installer is never
// open to the first visitor (issue #21). Pure: the pod template as a plain object; wordpress.ts wires it.
//
// Facts it rests on:
// - The `wordpress:cli` images hold WP-CLI but not WordPress; WP-CLI needs the install's files and the
//   same WORDPRESS_* variables, because the image's wp-config.php (wp-config-docker.php) reads them
//   (docker-library/docs wordpress/variant-cli.md). The Debian WordPress image keeps core in
//   /usr/src/wordpress with wp-config-docker.php beside it, so an init container of the stable image
//   copies both into a scratch volume. The cli images are Alpine, whose www-data is 82; the Debian files
//   belong to 33, so both containers run as 33 (docker-library/docs wordpress/README.md, "Running as an
//   arbitrary user").
// - `wp core is-installed` exits 0 when WordPress is installed; `wp core install` on an installed site
//   prints "WordPress is already installed" and changes nothing (wp-cli/core-command Core_Command.php),
//   so a re-run, a replaced Job or a second stack never reinstalls over content.
// - The password is read from stdin by WP-CLI's global `--prompt=admin_password`, so it is in no argv
//   (the wp-cli core-command README shows this form for keeping the password out of history); the shell
//   takes it from an environment variable filled from a Secret, and `printf` is a shell builtin.
/** The admin the Job creates; its password is a stack secret (`wordpressAdminPassword`). */
export const wordpressAdmin = { user: "mesh-admin", email: "mesh-admin@example.com", title: "iks-mesh" } as const;
export const wordpressAdminSecret = { name: "wordpress-admin", key: "password" } as const;
export const wordpressInstallJobName = "wordpress-install";

/** Debian www-data, the owner of the image's files (wordpress-layout.ts). */
const wwwData = 33;
const siteDir = "/site";

/**
 * The script is a constant: every value reaches it as an environment variable, never as text spliced
 * into it. In sidecar mode the proxy is told to exit at the end (pilot-agent's /quitquitquit on 15020),
 * or a classic sidecar would keep the Job's pod running forever; with native sidecars it is harmless.
 */
export function wordpressInstallScript(stopSidecar: boolean): string {
    return [
        "set -eu",
        `cd ${siteDir}`,
        "status=0",
        "if wp core is-installed; then echo 'WordPress is installed: nothing to do'; else",
        '  printf \'%s\' "$WORDPRESS_ADMIN_PASSWORD" | wp core install --url="$WORDPRESS_SITE_URL" --title="$WORDPRESS_SITE_TITLE" ' +
        '--admin_user="$WORDPRESS_ADMIN_USER" --admin_email="$WORDPRESS_ADMIN_EMAIL" --skip-email --prompt=admin_password || status=$?',
        "fi",
        ...(stopSidecar ? ["wget -q -O /dev/null --post-data= http://127.0.0.1:15020/quitquitquit || true"] : []),
        "exit $status",
    ].join("\n");
}

/** An environment variable the Job sets itself: a value, or a Secret key by reference (core/v1 EnvVar). */
export interface InstallEnvVar {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/**
 * `CallerEnv`: the shape of the caller's WordPress variables, passed through as it built them (a Secret's
 * name may still be an Output there), so the resource's typed input checks them where they are made.
 */
export interface InstallPodInput<CallerEnv = InstallEnvVar> {
    stableImage: string;
    cliImage: string;
    serviceAccountName: string;
    /** WORDPRESS_DB_* and the keys and salts: the same variables the WordPress pods get. */
    wordpressEnv: CallerEnv[];
    siteUrl: string;
    stopSidecar: boolean;
    annotations: Record<string, string>;
}

/** The fields of a core/v1 SecurityContext the install Job's containers set. */
export interface InstallContainerSecurity {
    runAsNonRoot: boolean;
    runAsUser: number;
    runAsGroup: number;
    allowPrivilegeEscalation: boolean;
    capabilities: { drop: string[] };
    seccompProfile: { type: "RuntimeDefault" };
}

/** No privilege at all: both images run as www-data and need no capability. */
export const restrictedContainerSecurity: Readonly<InstallContainerSecurity> = {
    runAsNonRoot: true,
    runAsUser: wwwData,
    runAsGroup: wwwData,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** The fields of a core/v1 Container the install Job's two containers set. */
export interface InstallContainer<CallerEnv = InstallEnvVar> {
    name: string;
    image: string;
    command: string[];
    /** The caller's WordPress variables, then the Job's own. */
    env?: (CallerEnv | InstallEnvVar)[];
    securityContext: InstallContainerSecurity;
    volumeMounts: { name: string; mountPath: string }[];
}

/** The fields of a Kubernetes `batch/v1` JobSpec and its PodTemplateSpec the install Job sets. */
export interface InstallJobSpec<CallerEnv = InstallEnvVar> {
    backoffLimit: number;
    template: {
        metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
        spec: {
            restartPolicy: "Never";
            serviceAccountName: string;
            automountServiceAccountToken: boolean;
            securityContext: { runAsNonRoot: boolean; fsGroup: number; seccompProfile: { type: "RuntimeDefault" } };
            initContainers: InstallContainer[];
            containers: InstallContainer<CallerEnv>[];
            volumes: { name: string; emptyDir: Record<string, never> }[];
        };
    };
}

export function wordpressInstallJobSpec<CallerEnv>(input: InstallPodInput<CallerEnv>): InstallJobSpec<CallerEnv> {
    return {
        // Retries cover MySQL still starting; the Job's pod then fails fast and a new one tries again.
        backoffLimit: 10,
        template: {
            metadata: {
                // Not `app: wordpress`: the Service must never send visitors to this pod.
                labels: { app: wordpressInstallJobName },
                ...(Object.keys(input.annotations).length > 0 ? { annotations: input.annotations } : {}),
            },
            spec: {
                restartPolicy: "Never",
                // The WordPress identity: the mesh allows it (and only it) to reach MySQL.
                serviceAccountName: input.serviceAccountName,
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, fsGroup: wwwData, seccompProfile: { type: "RuntimeDefault" } },
                initContainers: [{
                    name: "core",
                    image: input.stableImage,
                    // wp-config-docker.php is inside /usr/src/wordpress (the image's Dockerfile copies it there).
                    command: ["cp", "-a", "/usr/src/wordpress/.", siteDir],
                    securityContext: restrictedContainerSecurity,
                    volumeMounts: [{ name: "site", mountPath: siteDir }],
                }],
                containers: [{
                    name: "install",
                    image: input.cliImage,
                    command: ["/bin/sh", "-c", `mv ${siteDir}/wp-config-docker.php ${siteDir}/wp-config.php\n${wordpressInstallScript(input.stopSidecar)}`],
                    env: [
                        ...input.wordpressEnv,
                        { name: "HOME", value: "/tmp" },
                        { name: "WORDPRESS_SITE_URL", value: input.siteUrl },
                        { name: "WORDPRESS_SITE_TITLE", value: wordpressAdmin.title },
                        { name: "WORDPRESS_ADMIN_USER", value: wordpressAdmin.user },
                        { name: "WORDPRESS_ADMIN_EMAIL", value: wordpressAdmin.email },
                        { name: "WORDPRESS_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: wordpressAdminSecret.name, key: wordpressAdminSecret.key } } },
                    ],
                    securityContext: restrictedContainerSecurity,
                    volumeMounts: [{ name: "site", mountPath: siteDir }, { name: "tmp", mountPath: "/tmp" }],
                }],
                volumes: [{ name: "site", emptyDir: {} }, { name: "tmp", emptyDir: {} }],
            },
        },
    };
}
