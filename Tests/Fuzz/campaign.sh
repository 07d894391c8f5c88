#!/usr/bin/env bash
# Long fuzzing by hand (not in CI): ./Tests/Fuzz/campaign.sh GOAL [SLICE_SECONDS] [TARGET…]
# Runs the targets round-robin in slices of SLICE_SECONDS (default 300)
# until each has GOAL executions in total, adding every slice's count to
# .build-fuzz/campaign.tsv (date, target, executions, seconds, execs/s), so
# a campaign can be stopped and resumed and counts are cumulative. Touch
# .build-fuzz/STOP to end after the current slice. Uses the release
# (optimized) ASan + libFuzzer build that run.sh makes; `./Tests/Fuzz/run.sh 0`
# builds it without fuzzing. To keep a campaign's findings, merge its corpus
# into the committed one: ./Tests/Fuzz/run.sh merge.
# ASAN_OPTIONS and the target list: fuzz-env.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Tests/Fuzz/fuzz-env.sh
goal=${1:?usage: campaign.sh GOAL [SLICE_SECONDS] [TARGET…]}
slice=${2:-300}
shift; shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(fuzz_all_targets))
fi
bin=$(fuzz_bin)
[ -x "$bin" ] || { echo "no fuzz build: run ./Tests/Fuzz/run.sh 0 first"; exit 1; }
tsv=.build-fuzz/campaign.tsv
touch "$tsv"
rm -f .build-fuzz/STOP
total() { awk -v t="$1" '$2 == t { s += $3 } END { print s + 0 }' "$tsv"; }
while :; do
  busy=0
  for t in "${targets[@]}"; do
    [ -e .build-fuzz/STOP ] && { echo "stopped"; exit 0; }
    [ "$(total "$t")" -ge "$goal" ] && continue
    busy=1
    mkdir -p ".build-fuzz/corpus/$t" .build-fuzz/artifacts
    log=".build-fuzz/$t.campaign.$$.log"   # per campaign: two campaigns may share a target
    if ! ASAN_OPTIONS=$fuzz_asan_options SCANLEDGER_FUZZ_TARGET=$t \
         "$bin" -max_total_time="$slice" -max_len=512 -print_final_stats=1 \
         -artifact_prefix=".build-fuzz/artifacts/$t-" ".build-fuzz/corpus/$t" "Tests/Fuzz/corpus/$t" >"$log" 2>&1; then
      echo "$t: CRASH (see $log and .build-fuzz/artifacts/)"; tail -30 "$log"; exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^stat::.*//;s/.*Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
    [ -n "$runs" ] || { echo "$t: no execution count in $log"; exit 1; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$runs" "${secs:-$slice}" "$((runs / ${secs:-$slice}))" >>"$tsv"
    echo "$t: +$runs, total $(total "$t")"
  done
  [ $busy = 1 ] || break
done
echo "every chosen target has $goal executions; the counts of all targets so far:"
awk '{ r[$2] += $3; s[$2] += $4 } END { for (t in r) printf "%-26s %12d executions %8d s %7d/s\n", t, r[t], s[t], r[t] / s[t] }' "$tsv" | sort
