# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run).

# npm ci when node_modules is missing or does not match package-lock.json.
ensure_node_modules() {
  if [ -d node_modules ] && node scripts/deps-ok.mjs; then
    return 0
  fi
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
}
