"""Run the topic rules (CL6xx) over ../shared/corpus/topics and print what they find.

    PYTHONPATH=src python scripts/corpus_topics.py [--samples N] [PATH]

Prints the topics and consumer groups read per format, the files that could
not be parsed (CL001), then for each rule its count and a sample of findings.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from commlint.artifacts import topics as model
from commlint.core.catalogue import load
from commlint.core.config import build_settings
from commlint.api import check_paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(REPO.parent / "shared" / "corpus" / "topics"))
    ap.add_argument("--samples", type=int, default=4)
    args = ap.parse_args()
    root = Path(args.path)
    if not root.is_dir():
        print(f"no corpus at {root}")
        return 1
    cat = load()
    settings = build_settings({"select": ["CL6", "CL001"], "scope": "all"}, root, cat)  # test resources too
    result = check_paths([root], settings, jobs=1)

    formats: collections.Counter[str] = collections.Counter()
    groups: collections.Counter[str] = collections.Counter()
    for f in result.files:
        if f.kind != "topics":
            continue
        path = root / f.rel
        art = model.parse(f.rel, path.read_text(encoding="utf-8"))
        for t in art.topics:
            formats[t.fmt] += 1
        for g in art.groups:
            groups["/".join(sorted(art.formats))] += 1
    claimed = sum(1 for f in result.files if f.kind == "topics")
    print(f"{len(result.files)} files seen, {claimed} claimed as topic configuration, {result.duration:.2f} s")
    print("topics per format: " + ", ".join(f"{k} {v}" for k, v in sorted(formats.items())))
    print("consumer groups per format: " + ", ".join(f"{k} {v}" for k, v in sorted(groups.items()) if v))
    by_rule: dict[str, list] = collections.defaultdict(list)
    for finding in result.findings:
        by_rule[finding.code].append(finding)
    for code in sorted(by_rule):
        items = by_rule[code]
        files = len({f.location.path for f in items})
        print(f"\n{code} {cat.by_code[code].name}: {len(items)} findings in {files} files")
        step = max(1, len(items) // args.samples)
        for f in items[::step][: args.samples]:
            print(f"  {Path(f.location.path).relative_to(root) if Path(f.location.path).is_absolute() else f.location.path}"
                  f":{f.location.line}: {f.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
