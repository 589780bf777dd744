// Secret hygiene of files (#21 point 7): every command the docs or the program print that writes key
// material (a private key, a passphrase, a kubeconfig, a token) into a file creates it readable by the
// user only, `(umask 077 && … > file)`, and every such file in the working directory is git-ignored.
// The program's own files (verify's and the canary's kubeconfigs) are written with mode 0600 by
// fs.writeFileSync in scripts/verify.ts and scripts/canary.ts.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { gatewayCurlCommand } from "../../components/edge/curl-commands";

const repoRoot = path.resolve(__dirname, "..", "..");

function markdownFiles(directory: string): string[] {
    return fs.readdirSync(path.join(repoRoot, directory), { withFileTypes: true }).flatMap((entry) => {
        const relative = path.join(directory, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" ? [] : markdownFiles(relative);
        }
        return /\.(md|ya?ml|sh)$/.test(entry.name) ? [relative] : [];
    });
}

/** A redirection into a file (`> f`, `>> f`), not into a descriptor or /dev/null. */
const redirection = /(?<![0-9&])>>?\s*([~A-Za-z0-9_./${}-]+)/g;

/** The command whose output a redirection at `index` writes: the text since the last `&&`, `;`, `|` or `(`. */
function commandBefore(line: string, index: number): string {
    const before = line.slice(0, index);
    const start = Math.max(...["&&", ";", "|", "("].map((separator) => before.lastIndexOf(separator) + separator.length));
    return before.slice(Math.max(start, 0));
}

/** What makes a written file key material: the command that writes it, or the file's name. */
function writesKeyMaterial(command: string, target: string): boolean {
    return /--show-secrets|openssl rand|config view.*--raw|cluster config.*--admin|create token/.test(command)
        || /key|passphrase|kubeconfig|token|secret/i.test(path.basename(target));
}

/** Shell text of a document: fenced code blocks of Markdown, the whole of a YAML or shell file. */
function shellText(file: string, text: string): string {
    if (!file.endsWith(".md")) {
        return text;
    }
    return [...text.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].map((block) => block[1]).join("\n");
}

export function unprotectedKeyWrites(text: string): { line: string; target: string }[] {
    const found: { line: string; target: string }[] = [];
    for (const line of text.split("\n")) {
        for (const match of line.matchAll(redirection)) {
            const target = match[1];
            if (target === "/dev/null" || !writesKeyMaterial(commandBefore(line, match.index), target)) {
                continue;
            }
            // The redirect must sit inside a subshell that set umask 077 first.
            const before = line.slice(0, match.index);
            const opened = before.lastIndexOf("(umask 077 &&");
            if (opened < 0 || before.slice(opened).includes(")")) {
                found.push({ line: line.trim(), target });
            }
        }
    }
    return found;
}

function gitIgnored(file: string): boolean {
    const patterns = fs.readFileSync(path.join(repoRoot, ".gitignore"), "utf8").split("\n")
        .map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
    return patterns.some((pattern) => new RegExp(`^${pattern.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`).test(file));
}

describe("secret hygiene: files with key material", () => {
    const documents = ["README.md", ...markdownFiles("docs"), ...markdownFiles("examples")];

    it("the check finds a key written without umask 077, and accepts one written with it", () => {
        assert.equal(unprotectedKeyWrites("pulumi stack output --show-secrets clientPrivateKeyPem > client.key").length, 1);
        assert.equal(unprotectedKeyWrites("openssl rand -base64 24 > ~/.config/x/passphrase").length, 1);
        assert.equal(unprotectedKeyWrites("(umask 077 && pulumi stack output x > a.crt) && cat secret > leaked.key").length, 1, "after the subshell closed");
        assert.deepEqual(unprotectedKeyWrites("(umask 077 && pulumi stack output --show-secrets k > client.key)"), []);
        assert.deepEqual(unprotectedKeyWrites("pulumi stack output caCertificatePem > mesh-ca.crt"), [], "a certificate is public");
        assert.deepEqual(unprotectedKeyWrites("pulumi stack output --show-secrets k > /dev/null && pulumi stack output c > mesh-ca.crt"), [],
            "the command of each redirection counts, not the line");
        assert.equal(shellText("x.md", "`a <stack> b`\n```sh\nopenssl rand 9 > pass\n```\n").trim(), "openssl rand 9 > pass");
        assert.ok(gitIgnored("mesh-client.key") && !gitIgnored("index.ts"));
    });

    it("every documented command that writes key material into a file creates it mode 0600", () => {
        const problems = documents.flatMap((file) =>
            unprotectedKeyWrites(shellText(file, fs.readFileSync(path.join(repoRoot, file), "utf8"))).map(({ line }) => `${file}: ${line}`));
        assert.deepEqual(problems, []);
    });

    it("the program's printed client-certificate command does too", () => {
        const command = gatewayCurlCommand({ hosts: ["*"], path: "/", mutual: true, service: { name: "istio-ingressgateway", namespace: "istio-system" } });
        assert.match(command, /--show-secrets/);
        assert.deepEqual(unprotectedKeyWrites(command), []);
    });

    it("every key file the docs or the program write into the working directory is git-ignored", () => {
        const command = gatewayCurlCommand({ hosts: ["*"], path: "/", mutual: true, service: { name: "istio-ingressgateway", namespace: "istio-system" } });
        const texts = [command, ...documents.map((file) => shellText(file, fs.readFileSync(path.join(repoRoot, file), "utf8")))];
        const targets = new Set<string>();
        for (const text of texts) {
            for (const line of text.split("\n")) {
                for (const match of line.matchAll(redirection)) {
                    const target = match[1];
                    // Files in the working directory (not ~/…, /tmp/…, or a variable's path).
                    if (!target.includes("/") && !target.includes("$") && writesKeyMaterial(commandBefore(line, match.index), target)) {
                        targets.add(target);
                    }
                }
            }
        }
        assert.ok(targets.has("mesh-client.key"), [...targets].join(", "));
        for (const target of targets) {
            assert.ok(gitIgnored(target), `${target} is not in .gitignore`);
        }
    });
});
