#!/usr/bin/env bash
# Installs code-server (VS Code's workbench in a browser, with a real Node extension host) into a
# cache folder under the repo, for the offline extension-host suite and the UI test; prints the
# path of its executable. Version 4.100.3 (VS Code 1.100.3) is the last whose install accepts
# Node 20. Needs Debian's libkrb5-dev (its native module kerberos) and ripgrep (see below).
set -euo pipefail

version=4.100.3
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${SYMCHECK_CODE_SERVER_DIR:-$repo/.test-state/code-server-$version}"
bin="$dir/node_modules/.bin/code-server"
# Written last: a folder without it is an interrupted install, started again from scratch.
done_marker="$dir/.installed"

if [[ -f "$done_marker" ]]; then
  echo "$bin"
  exit 0
fi

for tool in rg krb5-config; do
  if ! command -v "$tool" >/dev/null; then
    echo "install-code-server: '$tool' is missing: apt-get install ripgrep libkrb5-dev" >&2
    exit 1
  fi
done

rm -rf "$dir"
mkdir -p "$dir/tmp"
# @vscode/ripgrep downloads rg from the network unless its cache already holds the archive;
# Debian's ripgrep binary works in its place.
ripgrep_cache="$dir/tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$ripgrep_cache/staging"
cp "$(command -v rg)" "$ripgrep_cache/staging/rg"
tar -czf "$ripgrep_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$ripgrep_cache/staging" rg
rm -rf "$ripgrep_cache/staging"

# A package of its own, so that npm installs here and not into the repo.
echo '{ "name": "symcheck-code-server", "private": true }' > "$dir/package.json"
(
  cd "$dir"
  # unsafe_perm: its postinstall must run as root; yes: node-pty's postinstall runs `npx node-gyp`.
  # The XDG folders keep what install scripts write for the user out of $HOME.
  TMPDIR="$dir/tmp" XDG_CONFIG_HOME="$dir/tmp" XDG_DATA_HOME="$dir/tmp" XDG_CACHE_HOME="$dir/tmp" \
    npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error "code-server@$version" >&2
)
# --version writes a default config file: into tmp too.
XDG_CONFIG_HOME="$dir/tmp" XDG_DATA_HOME="$dir/tmp" "$bin" --version >&2
rm -rf "$dir/tmp"
touch "$done_marker"
echo "$bin"
