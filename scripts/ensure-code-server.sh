#!/usr/bin/env bash
# Installs what the in-host tests, the browser checks and the demo need, on demand:
# Debian packages (libkrb5-dev, ripgrep, chromium, tinyproxy for the proxy tests; exfatprogs and
# exfat-fuse for the in-host suite's case-insensitive disk) and code-server 4.100.3 in
# tools/code-server/node_modules (its own lockfile, kept out of the extension's tree).
# Does nothing when everything is already there at the pinned version.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CS_DIR="$ROOT/tools/code-server"
CS_VERSION="4.100.3"
STAMP="$CS_DIR/node_modules/.nen-drive-installed"

log() { printf '[ensure-code-server] %s\n' "$*"; }

ensure_apt_packages() {
  local missing=()
  for pkg in libkrb5-dev ripgrep chromium tinyproxy exfatprogs exfat-fuse; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root (or sudo) to apt-get install ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  log "apt-get install ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

lock_hash() { sha256sum "$CS_DIR/package-lock.json" | cut -d' ' -f1; }

installed() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(lock_hash)" ] || return 1
  local v
  v="$(node -p "require('$CS_DIR/node_modules/code-server/package.json').version" 2>/dev/null)" || return 1
  [ "$v" = "$CS_VERSION" ]
}

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here; it looks
# for a cached archive first, so seed that archive from Debian's ripgrep.
seed_ripgrep_cache() {
  local tmp cache archive work
  tmp="$(node -p "require('os').tmpdir()")"
  cache="$tmp/vscode-ripgrep-cache-1.15.11"
  archive="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  [ -s "$archive" ] && return 0
  mkdir -p "$cache"
  work="$(mktemp -d)"
  cp /usr/bin/rg "$work/rg"
  tar -czf "$archive.partial" -C "$work" rg
  mv "$archive.partial" "$archive"
  rm -rf "$work"
}

ensure_apt_packages
if installed; then
  log "code-server $CS_VERSION already installed"
  exit 0
fi
seed_ripgrep_cache
log "installing code-server $CS_VERSION into tools/code-server (a few minutes on a fresh machine)"
start=$(date +%s)
(
  cd "$CS_DIR"
  npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund --loglevel=error
)
lock_hash > "$STAMP"
log "code-server $CS_VERSION installed in $(( $(date +%s) - start ))s"
