#!/usr/bin/env bash
# Bounded fuzzing of every fuzz target: ./Tests/Fuzz/run.sh [SECONDS] [TARGET…]
# Builds scanledger-fuzz optimized (-c release: 2-4x the executions of a
# debug build) with libFuzzer + AddressSanitizer into .build-fuzz/
# (separate from the normal build), then runs each target for SECONDS from
# the seeds in Tests/Fuzz/corpus/<target>/ (SECONDS 0: build only). New
# corpus entries are kept in .build-fuzz/corpus/<target>/; crashes land in
# .build-fuzz/artifacts/. `run.sh merge [TARGET…]` minimizes what the runs
# found into the committed corpus (libFuzzer -merge=1: only inputs that add
# coverage are added). Long runs: Tests/Fuzz/campaign.sh.
# Targets are listed in Sources/scanledger-fuzz/FuzzTargets.swift.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
. Tests/Fuzz/fuzz-env.sh
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(fuzz_all_targets))
fi
# (ld.gold warns about every ASan helper symbol; those lines are noise.)
set +o pipefail
swift build -c release --scratch-path .build-fuzz --product scanledger-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -D -Xswiftc FUZZING 2>&1 | grep -v 'Cannot export local symbol'
[ "${PIPESTATUS[0]}" = 0 ] || { echo "fuzz build failed"; exit 1; }
set -o pipefail
bin=$(fuzz_bin)
if [ "$seconds" = merge ]; then
  for t in "${targets[@]}"; do
    before=$(ls "Tests/Fuzz/corpus/$t" | wc -l)
    ASAN_OPTIONS=$fuzz_asan_options SCANLEDGER_FUZZ_TARGET=$t "$bin" -merge=1 -max_len=512 \
      "Tests/Fuzz/corpus/$t" ".build-fuzz/corpus/$t" >".build-fuzz/$t.merge.log" 2>&1
    echo "$t: corpus $before -> $(ls "Tests/Fuzz/corpus/$t" | wc -l) files"
  done
  exit 0
fi
[ "$seconds" = 0 ] && exit 0
status=0
for t in "${targets[@]}"; do
  mkdir -p ".build-fuzz/corpus/$t" .build-fuzz/artifacts
  log=".build-fuzz/$t.log"
  echo "== fuzzing $t for ${seconds}s =="
  if ASAN_OPTIONS=$fuzz_asan_options SCANLEDGER_FUZZ_TARGET=$t "$bin" -max_total_time="$seconds" -max_len=512 -print_final_stats=1 \
       -artifact_prefix=".build-fuzz/artifacts/$t-" ".build-fuzz/corpus/$t" "Tests/Fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "$t: ${runs:-?} executions, no crashes"
  else
    echo "$t: FAILED (see $log and .build-fuzz/artifacts/)"; tail -30 "$log"; status=1
  fi
done
exit $status
