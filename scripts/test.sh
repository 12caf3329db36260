#!/usr/bin/env bash
# Runs every test: lint, type-check, unit, package (+ .vsix content check), the in-host suite
# inside code-server, and the browser checks against the packaged .vsix. Installs what it
# needs first (npm ci, Debian packages, code-server). Prints a section per stage and a final
# "N passed, N failed" (tests counted where a stage reports them; a failing stage without
# test counts, such as lint, counts as one failure). Exits non-zero on any failure.
#   bash scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

START=$(date +%s)
RESULTS=test-results
mkdir -p "$RESULTS/stages"
TOTAL_PASSED=0
TOTAL_FAILED=0
SUMMARY=()

section() { printf '\n==== %s ====\n' "$1"; }

# run_stage <name> <counting: none|node|line> <command...>
#   node: parse node --test's "ℹ pass N" / "ℹ fail N"; line: parse a closing "N passed, N failed".
run_stage() {
  local name="$1" counting="$2"
  shift 2
  local log="$RESULTS/stages/${name// /-}.log" t0=$(date +%s) rc passed=0 failed=0
  section "$name"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  case "$counting" in
    node)
      passed=$(grep -aE '^(ℹ|#) pass [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
      failed=$(grep -aE '^(ℹ|#) fail [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
      ;;
    line)
      local last
      last=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
      passed=$(echo "${last:-0 passed}" | grep -oE '^[0-9]+')
      failed=$(echo "${last:-0 passed, 0 failed}" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
      ;;
  esac
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  TOTAL_PASSED=$((TOTAL_PASSED + passed))
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  local verdict=ok
  [ "$rc" -ne 0 ] && verdict=FAILED
  local counts=""
  [ "$counting" != none ] && counts=" ($passed passed, $failed failed)"
  SUMMARY+=("$(printf '%-34s %-6s %4ss%s' "$name" "$verdict" "$(( $(date +%s) - t0 ))" "$counts")")
  return "$rc"
}

skip_stage() {
  section "$1"
  echo "skipped: $2"
  TOTAL_FAILED=$((TOTAL_FAILED + 1))
  SUMMARY+=("$(printf '%-34s %-6s' "$1" SKIPPED) ($2)")
}

run_stage "setup" none bash -c 'source scripts/lib.sh && ensure_node_modules && bash scripts/ensure-code-server.sh' || {
  echo "setup failed; nothing else can run"
  echo "0 passed, 1 failed"
  exit 1
}
# Drop compiled tests whose source is gone, so a deleted test cannot keep passing from out/.
find out/test -name '*.test.js' 2>/dev/null | while read -r f; do
  src="${f#out/}"
  [ -f "${src%.js}.ts" ] || rm -f "$f" "$f.map"
done
rm -f nen-drive.vsix
run_stage "lint" none npx eslint .
run_stage "type-check" none npx tsc -p . --noEmit
# tsc still emits when other files have type errors, so later stages can say more.
npx tsc -p . >/dev/null 2>&1
run_stage "unit tests" node node --test --test-reporter=spec out/test/unit/
if run_stage "build + package + .vsix check" none npm run --silent package; then
  run_stage "in-host integration (code-server)" line node out/test/integration/runner/codeServer.js
  run_stage "browser checks (packaged .vsix)" line node out/test/e2e/browserChecks.js
else
  skip_stage "in-host integration (code-server)" "no build"
  skip_stage "browser checks (packaged .vsix)" "no .vsix"
fi

section "summary"
printf '%s\n' "${SUMMARY[@]}"
echo "wall time: $(( $(date +%s) - START ))s (stage logs in $RESULTS/stages/)"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
