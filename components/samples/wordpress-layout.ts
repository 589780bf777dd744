// What the two WordPress releases share and what each keeps to itself, as facts of the official image
// (docker-library/wordpress, latest/php8.3/apache at "Update latest to 7.1.0", the 7.1.0 images):
// - docker-entrypoint.sh copies WordPress core from /usr/src/wordpress into /var/www/html only when
//   `index.php` and `wp-includes/version.php` are missing there, and skips any `wp-content/*/*/`
//   (bundled themes and plugins) that already exists;
// - it writes `wp-config.php` only when that file is empty, from wp-config-docker.php, which reads every
//   setting from `WORDPRESS_*` variables and fills the authentication keys and salts it is not given
//   with random values, different in every container.
// So the docroot stays in each container (each image serves its own core and PHP), only wp-content is
// shared, and the keys and salts come from one Secret, so a login on v1 stays valid on v2.

/** The image's docroot; its core files stay inside each container. */
export const wordpressDocroot = "/var/www/html";
/** Uploads, themes and plugins: the only directory both releases share. */
export const wordpressContentPath = `${wordpressDocroot}/wp-content`;

/**
 * The authentication keys and salts wp-config-docker.php reads (`WORDPRESS_<name>`). Without them each
 * container generates its own, and every cookie set by one release is refused by the other.
 */
export const wordpressSecretKeyNames = [
    "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
    "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
] as const;

/** The Secret holding them, shared by both releases. */
export const wordpressKeysSecret = "wordpress-keys";

/** User and group www-data in the official (Debian) image: Apache runs as it, the volume is made writable for it. */
export const wwwDataUserId = 33;
export const wwwDataGroupId = 33;

/** Secret key name of one setting (`AUTH_KEY` → `auth-key`). */
export function secretKeyOf(name: string): string {
    return name.toLowerCase().replace(/_/g, "-");
}
