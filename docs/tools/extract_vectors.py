#!/usr/bin/env python3
"""Copies the GS1 Syntax Engine test cases the GS1 tests use into
Tests/GS1Tests/Vectors/syntax-engine-cases.json (Apache-2.0, GS1 AISBL; the
licence is next to it). Run once when the reference vectors change:

    python3 docs/tools/extract_vectors.py path/to/gs1-syntax-engine-test-vectors.json \
        > Tests/GS1Tests/Vectors/syntax-engine-cases.json

Placeholder cases whose inputs are computed inside the C tests ('buf',
'inbuf', GCP callback 'data') are left out.
"""
import json, sys

src = json.load(open(sys.argv[1], encoding="utf-8"))
keep = {"parseAIdata", "processAIdata", "validateAIs", "parseDLuri", "testProcessScanData"}
skip_linters = {"gs1_lint_gcppos1", "gs1_lint_gcppos2"}
out = []
for c in src["cases"]:
    t = c["test"]
    if t in keep:
        a = c["args"]
        if any(x in ("buf", "inbuf") for x in a if isinstance(x, str)):
            continue
        out.append({"test": t, "args": a, "flags": c.get("flags") or {}, "line": c["line"]})
    elif t == "lint" and c["linter"] not in skip_linters:
        out.append({"test": "lint", "linter": c["linter"][len("gs1_lint_"):], "input": c["input"],
                    "pass": c["pass"], "line": c["line"]})
json.dump({"provenance": src["provenance"], "conventions": src["conventions"], "cases": out},
          sys.stdout, ensure_ascii=True, separators=(",", ":"))
print()
