#!/usr/bin/env bash
# Runs every test: lint, type-check, unit, package (+ .vsix content check), the in-host suite
# inside code-server, and the browser checks against the packaged .vsix. Installs what it
# needs first (npm ci, Debian packages, code-server). Prints a section per stage and a final
# "N passed, N failed" (tests counted where a stage reports them; a failing stage without
# test counts, such as lint, counts as one failure). A counted stage also fails when any test
# was skipped or fewer tests passed than its minimum (MIN_* below). Exits non-zero on any failure.
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

# Each counted stage must run at least this many tests (a little below today's counts: unit
# 420, in-host 209, browser 58), so adding tests never trips it but an empty or partial run
# (a glob that matches nothing, a suite that stops loading files) fails instead of passing.
MIN_UNIT=462
MIN_IN_HOST=223
MIN_BROWSER=61

# count_log <node|line> <log>: prints "passed failed skipped" as read from a stage log.
#   node: node --test's "ℹ pass N" / "ℹ fail N" / "ℹ skipped N" / "ℹ todo N";
#   line: a closing "N passed, N failed" or "N passed, N failed, N skipped".
count_log() {
  local counting="$1" log="$2" passed=0 failed=0 skipped=0
  case "$counting" in
    node)
      passed=$(grep -aE '^(ℹ|#) pass [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
      failed=$(grep -aE '^(ℹ|#) fail [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
      local s t
      s=$(grep -aE '^(ℹ|#) skipped [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
      t=$(grep -aE '^(ℹ|#) todo [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
      skipped=$(( ${s:-0} + ${t:-0} ))
      ;;
    line)
      local last
      last=$(grep -aE '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -1)
      passed=$(echo "${last:-0 passed}" | grep -oE '^[0-9]+')
      failed=$(echo "${last:-0 passed, 0 failed}" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
      skipped=$(echo "${last}" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+' || true)
      ;;
  esac
  echo "${passed:-0} ${failed:-0} ${skipped:-0}"
}

# check_counts <passed> <skipped> <minimum>: prints why the counts fail the stage, if they do.
check_counts() {
  local passed="$1" skipped="$2" minimum="$3"
  if [ "$skipped" -gt 0 ]; then echo "$skipped test(s) skipped: no test may be skipped"; return 1; fi
  if [ "$passed" -lt "$minimum" ]; then echo "only $passed test(s) passed, fewer than the $minimum this stage must run"; return 1; fi
  return 0
}

# run_stage <name> <counting: none|node|line> [minimum] <command...>
#   node: parse node --test's counts; line: parse a closing "N passed, N failed[, N skipped]".
#   A counted stage takes the minimum number of passing tests it must report.
run_stage() {
  local name="$1" counting="$2" minimum=0
  shift 2
  if [ "$counting" != none ]; then minimum="$1"; shift; fi
  local log="$RESULTS/stages/${name// /-}.log" t0=$(date +%s) rc passed=0 failed=0 skipped=0
  section "$name"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if [ "$counting" != none ]; then
    read -r passed failed skipped < <(count_log "$counting" "$log")
    local why
    if ! why=$(check_counts "$passed" "$skipped" "$minimum"); then
      echo "$name: $why"
      [ "$rc" -eq 0 ] && rc=1
    fi
  fi
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  TOTAL_PASSED=$((TOTAL_PASSED + passed))
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  local verdict=ok
  [ "$rc" -ne 0 ] && verdict=FAILED
  local counts=""
  [ "$counting" != none ] && counts=" ($passed passed, $failed failed, $skipped skipped; at least $minimum)"
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
run_stage "unit tests" node "$MIN_UNIT" node --test --test-reporter=spec out/test/unit/
if run_stage "build + package + .vsix check" none npm run --silent package; then
  run_stage "third-party notices" none node scripts/third-party-notices.mjs --check
  run_stage "in-host integration (code-server)" line "$MIN_IN_HOST" node out/test/integration/runner/codeServer.js
  run_stage "browser checks (packaged .vsix)" line "$MIN_BROWSER" node out/test/e2e/browserChecks.js
else
  skip_stage "third-party notices" "no bundle"
  skip_stage "in-host integration (code-server)" "no build"
  skip_stage "browser checks (packaged .vsix)" "no .vsix"
fi

section "summary"
printf '%s\n' "${SUMMARY[@]}"
echo "wall time: $(( $(date +%s) - START ))s (stage logs in $RESULTS/stages/)"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
