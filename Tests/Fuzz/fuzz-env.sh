# Shared by run.sh and campaign.sh (sourced from the repository root).
#
# ASAN_OPTIONS: no allocation stacks (a crash still shows where it happened;
# the input replays under the replayer for the rest), a 1 MiB quarantine
# (catches a use-after-free within one input of at most 512 bytes; the
# default 256 MiB quarantine halves the rate through page faults), no leak
# check (Swift's lazily built static tables look like leaks to libFuzzer).
fuzz_asan_options=malloc_context_size=0:detect_leaks=0:quarantine_size_mb=1

# Every registered target, in FuzzTargets.swift's order.
fuzz_all_targets() { sed -n 's/^ *("\([a-z0-9-]*\)", fuzz.*/\1/p' Sources/scanledger-fuzz/FuzzTargets.swift; }

# The optimized ASan + libFuzzer binary run.sh builds.
fuzz_bin() { echo "$(swift build -c release --scratch-path .build-fuzz --show-bin-path)/scanledger-fuzz"; }
