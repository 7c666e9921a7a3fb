"""Run the OpenAPI rules over ../shared/corpus/openapi and print the findings per rule.

    PYTHONPATH=src python scripts/corpus_openapi.py [--sample N] [--rule CL300] [PATH]

Exits 1 if any file crashed a rule or the parser with an internal error.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from commlint.core.catalogue import load
from commlint.core.config import build_settings
from commlint.api import check_paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(REPO.parent / "shared" / "corpus" / "openapi"))
    ap.add_argument("--sample", type=int, default=5, help="findings to print per rule (random sample)")
    ap.add_argument("--rule", action="append", help="only print samples of this rule")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    root = Path(args.path).resolve()
    if not root.is_dir():
        print(f"{root}: not found", file=sys.stderr)
        return 2
    start = time.perf_counter()
    settings = build_settings({"select": ["CL3", "CL001", "CL002"], "respect-gitignore": False, "scope": "all"}, root, load())
    result = check_paths([root], settings, jobs=args.jobs)
    took = time.perf_counter() - start
    docs = [r for r in result.files if r.kind == "openapi" and r.parsed]
    per_rule = collections.Counter(f.code for f in result.findings)
    per_file = collections.Counter((f.code, f.location.path) for f in result.findings)
    print(f"{len(result.files)} files, {len(docs)} OpenAPI documents, {len(result.findings)} findings in {took:.1f} s")
    for code in sorted(per_rule):
        files = len({p for c, p in per_file if c == code})
        print(f"  {code} {load().by_code[code].name:28} {per_rule[code]:6} findings in {files} documents")
    internal = [f for f in result.findings if f.code == "CL001" and "internal error" in f.message]
    rng = random.Random(0)
    for code in sorted(per_rule):
        if args.rule and code not in args.rule:
            continue
        picked = [f for f in result.findings if f.code == code]
        print(f"\n{code} sample:")
        for f in rng.sample(picked, min(args.sample, len(picked))):
            loc = f.location
            print(f"  {loc.path}:{loc.line} {loc.pointer or ''}\n      {f.message}")
    for f in internal:
        print(f"INTERNAL ERROR {f.location.path}: {f.message}", file=sys.stderr)
    return 1 if internal else 0


if __name__ == "__main__":
    raise SystemExit(main())
