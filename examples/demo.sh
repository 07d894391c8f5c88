#!/usr/bin/env bash
# The README's first command. Until the daemon lands, it decodes the sample
# scans and tags in examples/ and prints the results.
set -euo pipefail
bin=${1:-.build/release}
here=$(dirname "$0")
echo "== barcodes (examples/scans.txt) =="
"$bin/scanledger" decode < "$here/scans.txt" || true
echo "== RFID tags (examples/tags.txt) =="
"$bin/scanledger" decode --epc $(grep -v '^#' "$here/tags.txt") || true
