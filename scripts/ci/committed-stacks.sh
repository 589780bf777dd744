#!/usr/bin/env bash
# Prints the configured stacks as a JSON list: every committed Pulumi.<stack>.yaml in the directory
# given (default: the current one). Demo stacks have no committed file and are left out.
set -euo pipefail
find "${1:-.}" -maxdepth 1 -name 'Pulumi.*.yaml' -printf '%f\n' \
    | sed -E 's/^Pulumi\.(.+)\.yaml$/\1/' | { grep -v '^demo-' || true; } | sort \
    | jq -Rsc 'split("\n") | map(select(length > 0))'
