#!/usr/bin/env bash
# `make demo`: a warehouse day on simulated devices. Starts scanledgerd with a
# temp state directory and seven simulated devices on pseudo-terminals, plays
# examples/demo/day.scenario through them (receiving with an over-receipt
# refused then overridden, put-away, an RFID cycle count with one missing and
# one misplaced tag, picking into a tote with a wrong location refused, pack
# verification from the tote with a wrong item rejected, shipping with a
# carrier label checked against the dock door, a customer return), prints
# the results and the ship notice, verifies the ledger and stops the daemon
# cleanly.
set -euo pipefail
bin=$(cd "${1:-.build/release}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)/demo
dir=$(mktemp -d /tmp/scanledger-demo.XXXXXX)
daemon=""; watcher=""
cleanup() {
    [ -n "$watcher" ] && kill "$watcher" 2>/dev/null || true
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null || true
}
trap cleanup EXIT

sl() { "$bin/scanledger" "$@"; }
export SCANLEDGER_DB="$dir/ledger.db" SCANLEDGER_SOCKET="$dir/control.sock"

echo "== ScanLedger demo in $dir"
sed "s|@DIR@|$dir|g" "$here/scanledger.json.in" > "$dir/scanledger.json"
sl check-config "$dir/scanledger.json"

# Master and expected data go straight into the ledger file before the
# daemon starts (the same commands work over the socket later).
sl import items "$here/items.csv"
sl import locations "$here/locations.csv"
sl import asn "$here/asn.csv"
sl import orders "$here/orders.csv"

# The simulated devices come up first and wait for the daemon to open them.
mkdir -p "$dir/dev"
"$bin/scanledger" simulate --links "$dir/dev" "$here/day.scenario" > "$dir/simulate.out" 2>&1 &
simulator=$!
for _ in $(seq 100); do [ -e "$dir/dev/ship-scanner" ] && break; sleep 0.05; done

"$bin/scanledgerd" --config "$dir/scanledger.json" 2> "$dir/scanledgerd.log" &
daemon=$!
for _ in $(seq 200); do [ -S "$dir/control.sock" ] && break; sleep 0.05; done
[ -S "$dir/control.sock" ] || { echo "scanledgerd did not start:"; cat "$dir/scanledgerd.log"; exit 1; }

# What the operators see: every station's answer, as it happens.
sl watch > "$dir/watch.out" 2>&1 &
watcher=$!

if ! wait "$simulator"; then echo "simulation failed:"; cat "$dir/simulate.out"; exit 1; fi
sleep 0.5
kill "$watcher" 2>/dev/null || true; watcher=""

echo; echo "== Station feedback, in order"
cat "$dir/watch.out"

echo; echo "== RFID cycle count at A-01"
sl counts list
id=$(sl counts list --json | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
[ -n "$id" ] || { echo "no count waiting for approval"; exit 1; }
sl counts show "$id"
echo "-- the supervisor approves: missing 1003 written off, 1004 relocated to A-01"
sl counts approve "$id"

echo; echo "== Stock on hand"
sl stock

echo; echo "== Ledger history of order SO-5001 and ASN-1001"
sl history --ref SO-5001
sl history --ref ASN-1001

echo; echo "== The day's station journal: every exception, who and where"
sl journal

echo; echo "== Receipt ASN-1001 as closed (per ASN line)"
sl receipt-report ASN-1001

echo; echo "== Shipped today, and the ship notice for the carrier and the shop (EPCIS 2.0)"
sl export shipments --format json --since 1d
echo
# The notice's events without the document's envelope: what a customer's
# system reads (the whole document validates against the EPCIS schema).
sl export shipments --format epcis --since 1d | sed -n '/"eventList"/,/^    \]/p'

echo; echo "== Verify"
sl verify

echo; echo "== Stopping scanledgerd (SIGTERM)"
kill -TERM "$daemon"
status=0; wait "$daemon" || status=$?
daemon=""
echo "scanledgerd exited with status $status"
[ "$status" = 0 ]
echo "demo finished: state kept in $dir"

echo; echo "== The day's KPIs (definitions: docs/kpis.md)"
sl kpi --since "$(date -u +%F)"
