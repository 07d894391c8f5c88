#!/usr/bin/env bash
# The long kill campaign (issue 18), by hand, not in CI: ./Tests/KillCampaign/run.sh [KILLS]
# Builds the release scanledgerd and scanledger-bench, then SIGKILLs the
# daemon KILLS times (default 1000) at random moments while a pty scanner
# posts moves, checking after every kill that each acknowledged move is in
# the ledger exactly once, `verify` is clean and the open move resumes
# (Sources/scanledger-bench/KillCampaign.swift). Prints one JSON line.
# With PostgreSQL 15 installed (and KILL_CAMPAIGN_NO_CENTRAL unset) a
# throwaway server on a private socket is the box's central database: the
# daemon forwards throughout, so kills land mid-forward too, and central is
# checked after every kill (KillCampaignCentral.swift).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product scanledgerd
swift build -c release --product scanledger-bench

pgbin=/usr/lib/postgresql/15/bin
if [ -x "$pgbin/initdb" ] && [ -z "${KILL_CAMPAIGN_NO_CENTRAL:-}" ]; then
  pgdir=$(mktemp -d /tmp/kill-campaign-pg.XXXXXX)
  # PostgreSQL refuses to run as root: as root it runs as postgres, from /.
  as_postgres() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
  as_postgres "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth-local=trust -E UTF8 --no-sync >/dev/null 2>&1
  # Socket only (no TCP port to collide); no fsync: central is never killed here.
  as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
    -o "-k $pgdir -c listen_addresses= -p 5499 -c fsync=off" start >/dev/null 2>&1
  trap 'as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null; rm -rf "$pgdir"' EXIT
  export KILL_CAMPAIGN_CENTRAL="host=$pgdir port=5499 user=postgres dbname=postgres"
fi
KILL_CAMPAIGN_KILLS="${1:-1000}" .build/release/scanledger-bench kill-campaign
