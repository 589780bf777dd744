#!/usr/bin/env bash
# Installs the pinned ibmcloud CLI and its container-service plugin for stack $STACK, for every job that
# runs the program against an IKS stack (stack.yml's deploys, canary.yml's steps). The archive must have
# the SHA-256 committed in .github/ibmcloud-cli.json; IBM's metadata only supplies the URL and must agree
# (scripts/ci/ibmcloud-cli-release.ts). The plugin is installed, at its pinned version, into the stack's
# CLI home .ibmcloud/<stack>: the deploy-time login (components/ibm/scripts/cli-home.ts) links every
# run's plugins to that directory, so it finds the plugin there and installs nothing at deploy time.
# Needs STACK and RUNNER_TEMP; run from the repository root.
set -euo pipefail
: "${STACK:?STACK is not set}" "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
curl -fsSL -o "$RUNNER_TEMP/ibmcloud-versions.json" \
  https://download.clis.cloud.ibm.com/ibm-cloud-cli-metadata-dn/all_versions.json
if ! release=$(npx ts-node --transpile-only scripts/ci/ibmcloud-cli-release.ts \
  "$RUNNER_TEMP/ibmcloud-versions.json" .github/ibmcloud-cli.json); then
  echo "$release"
  exit 1
fi
url=$(sed -n 's/^url=//p' <<<"$release")
sha256=$(sed -n 's/^sha256=//p' <<<"$release")
plugin_version=$(sed -n 's/^plugin-version=//p' <<<"$release")
curl -fsSL -o "$RUNNER_TEMP/ibmcloud.tgz" "$url"
echo "$sha256  $RUNNER_TEMP/ibmcloud.tgz" | sha256sum --check --strict
tar -xzf "$RUNNER_TEMP/ibmcloud.tgz" -C "$RUNNER_TEMP"
sudo install "$RUNNER_TEMP/Bluemix_CLI/bin/ibmcloud" /usr/local/bin/ibmcloud
IBMCLOUD_HOME="$PWD/.ibmcloud/$STACK" ibmcloud plugin install container-service -v "$plugin_version" -f
IBMCLOUD_HOME="$PWD/.ibmcloud/$STACK" ibmcloud plugin list
ibmcloud version
