#!/bin/sh
# The shell half of `npm run lint`: shellcheck over every shell script of the project. Without shellcheck
# on PATH a bare `shellcheck ...` in package.json failed with "shellcheck: not found" and exit 127; this says
# what is missing and how to install it instead (install lines from https://github.com/koalaman/shellcheck#installing).
# POSIX sh, so that it runs wherever npm runs scripts (npm uses sh on Linux and macOS).
set -eu
# Only shell builtins until shellcheck runs, so that the message below appears on any PATH.
case "$0" in
    */*) cd "${0%/*}/.." ;;
    *) cd .. ;;
esac

if ! command -v shellcheck >/dev/null 2>&1; then
    printf '%s\n' \
        "iks-mesh: npm run lint needs shellcheck (the linter for .ci/run and scripts/*.sh), and it is not on PATH." \
        "Fix: install it, then run npm run lint again:" \
        "  Debian/Ubuntu: sudo apt-get install shellcheck" \
        "  macOS:         brew install shellcheck" \
        "  Fedora:        sudo dnf install ShellCheck" \
        "  others:        https://github.com/koalaman/shellcheck#installing" \
        "(bash .ci/run installs it by itself on Debian-based CI machines.)" >&2
    exit 1
fi

# Every shell script of the project: CI's entry point, this file and those under scripts/ (a glob, so a
# new script is linted without editing a list here).
set -- .ci/run
for script in scripts/*.sh scripts/*/*.sh; do
    if [ -f "$script" ]; then
        set -- "$@" "$script"
    fi
done
exec shellcheck "$@"
