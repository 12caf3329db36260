#!/usr/bin/env bash
# Starts Nen Drive for real: the API emulator with sample files (kept in .nen-drive-demo/)
# and code-server with the freshly packaged extension, pointed at the emulator.
# Works on a fresh clone: installs what it needs first. Ctrl+C stops both.
#   bash scripts/demo.sh            # http://127.0.0.1:8080 (PORT=... to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
bash scripts/ensure-code-server.sh
echo "[build] packaging the extension"
mkdir -p .nen-drive-demo
# Only what the demo runs: the tools build (emulator, code-server launcher, demo script), the
# bundle and the checked .vsix; not the tests, so a broken test cannot stop the demo.
if ! { npm run --silent compile:tools && npm run --silent bundle && npm run --silent package:vsix; } > .nen-drive-demo/build.log 2>&1; then
  cat .nen-drive-demo/build.log
  echo "[build] failed (log above)"
  exit 1
fi
exec node out/scripts/demo.js
