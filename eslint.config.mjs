// ESLint flat config: typescript-eslint's type-aware rules over everything the project compiles
// (index.ts, components/, scripts/, policy/, test/). Shell scripts are linted by shellcheck (npm run lint).
// A rule turned off or relaxed below carries its one-line reason.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", "**/*.d.ts"] },
    js.configs.recommended,
    {
        files: ["**/*.ts"],
        extends: [...tseslint.configs.recommendedTypeChecked, ...tseslint.configs.stylisticTypeChecked],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            // Unused names are already compile errors (noUnusedLocals/noUnusedParameters); `_`-prefixed ones are deliberate.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // Pulumi's `apply` callbacks and mocha's `it` take promise-returning functions by design.
            "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
            // Template literals with numbers and booleans are how every error message names the bad value.
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
            // An empty string means "absent" in Kubernetes status fields and CLI output, so `||` on strings is deliberate.
            "@typescript-eslint/prefer-nullish-coalescing": ["error", { ignorePrimitives: { string: true } }],
        },
    },
    {
        files: ["test/**/*.ts"],
        rules: {
            // Tests walk the mock engine's resource inputs, which are untyped JSON, by path; the upstream schema
            // validation in test/harness/validate.ts is what holds their shape.
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-return": "off",
            "@typescript-eslint/no-explicit-any": "off",
            // Modules that create resources must load after pulumi.runtime.setMocks, so tests require them late.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        // Plain JavaScript (the mocha reporter, the ibmcloud test stub): CommonJS on Node, no type information.
        files: ["**/*.js", "**/*.cjs"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
        },
    },
);
