// Telling the WordPress stable (v1) from the prerelease (v2) by the answer alone: the two run the same
// WordPress on different PHP versions (the images' tags say which), and PHP announces its version in
// the `X-Powered-By: PHP/8.3.27` header (expose_php is on in the official images, which ship no php.ini).

/** "major.minor" of the PHP an image runs, from its tag (`wordpress:6.8.3-php8.3-apache` → `8.3`). */
export function phpMinorOfImage(image: string): string | undefined {
    const withoutDigest = image.split("@")[0];
    const lastSegment = withoutDigest.split("/").pop() ?? "";
    const colon = lastSegment.lastIndexOf(":");
    if (colon <= 0) {
        return undefined;
    }
    const repository = lastSegment.slice(0, colon);
    const tag = lastSegment.slice(colon + 1);
    const tagged = /(?:^|[-_.])php(\d+)\.(\d+)(?=$|[-_.])/i.exec(tag);
    if (tagged) {
        return `${tagged[1]}.${tagged[2]}`;
    }
    // The php image itself: `php:8.4-apache`, `php:8.4.11-fpm`.
    const phpImage = repository === "php" ? /^(\d+)\.(\d+)(?=$|[-_.])/.exec(tag) : null;
    return phpImage ? `${phpImage[1]}.${phpImage[2]}` : undefined;
}

/** "major.minor" from an `X-Powered-By` value (`PHP/8.3.27` → `8.3`); undefined when it names no PHP. */
export function phpMinorOfPoweredBy(header: string | readonly string[] | undefined): string | undefined {
    const values = header === undefined ? [] : typeof header === "string" ? [header] : header;
    for (const value of values) {
        const match = /\bPHP\/(\d+)\.(\d+)/i.exec(value);
        if (match) {
            return `${match[1]}.${match[2]}`;
        }
    }
    return undefined;
}

export type CanaryVariant = "v1" | "v2";

export interface VariantVersions {
    v1: string;
    v2: string;
}

/**
 * The PHP versions that tell the two variants apart, or why they cannot: an image whose tag names no
 * PHP version (a digest, a custom tag), or both on the same PHP.
 */
export function variantVersions(stableImage: string, canaryImage: string): VariantVersions | { problem: string } {
    const v1 = phpMinorOfImage(stableImage);
    const v2 = phpMinorOfImage(canaryImage);
    if (!v1 || !v2) {
        const unknown = [!v1 ? `wordpress.stable.image ${stableImage}` : "", !v2 ? `wordpress.canary.image ${canaryImage}` : ""]
            .filter(Boolean).join(" and ");
        return { problem: `the PHP version of ${unknown} is not in its tag (like 6.8.3-php8.3-apache), so answers cannot be told apart` };
    }
    if (v1 === v2) {
        return { problem: `stable and canary both run PHP ${v1}, so the X-Powered-By header cannot tell them apart` };
    }
    return { v1, v2 };
}

/** Which variant answered, by its X-Powered-By header; undefined when the header matches neither. */
export function classifyAnswer(poweredBy: string | readonly string[] | undefined, versions: VariantVersions): CanaryVariant | undefined {
    const minor = phpMinorOfPoweredBy(poweredBy);
    if (minor === versions.v1) {
        return "v1";
    }
    return minor === versions.v2 ? "v2" : undefined;
}
