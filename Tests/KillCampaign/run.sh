#!/usr/bin/env bash
# The long kill campaign (issue 18), by hand, not in CI: ./Tests/KillCampaign/run.sh [KILLS]
# Builds the release scanledgerd and scanledger-bench, then SIGKILLs the
# daemon KILLS times (default 1000) at random moments while a pty scanner
# posts moves, checking after every kill that each acknowledged move is in
# the ledger exactly once, `verify` is clean and the open move resumes
# (Sources/scanledger-bench/KillCampaign.swift). Prints one JSON line.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product scanledgerd
swift build -c release --product scanledger-bench
KILL_CAMPAIGN_KILLS="${1:-1000}" .build/release/scanledger-bench kill-campaign
