"""Run the Avro rules (CL4xx) over the real-world corpus and print what they find.

    PYTHONPATH=src python scripts/corpus_avro.py [--sample N] [--corpus DIR]

Reads ../shared/corpus/avro and the .avsc files under
../shared/corpus/topics/julieops (relative to the repository), prints the
number of findings per rule, then up to N findings of each rule to read.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def corpus_paths(corpus: Path) -> list[Path]:
    paths = []
    if (corpus / "avro").is_dir():
        paths.append(corpus / "avro")
    julie = corpus / "topics" / "julieops"
    if julie.is_dir():
        paths += sorted(julie.rglob("*.avsc"))
    return paths


def run(corpus: Path):
    from commlint.core.catalogue import load
    from commlint.core.config import build_settings
    from commlint.api import check_paths

    corpus = corpus.resolve()
    # scope "all": most of the corpus is its projects' test schemas (src/test/..., tests/), which a
    # default run leaves out as tests; the corpus is measured whole
    settings = build_settings({"select": ["CL4"], "scope": "all"}, corpus, load(), None)
    return check_paths(corpus_paths(corpus), settings, jobs=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=3, help="findings to show per rule")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    args = parser.parse_args()
    if not corpus_paths(args.corpus):
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    result = run(args.corpus)
    took = time.perf_counter() - start
    files = [r for r in result.files if r.kind == "avro"]
    print(f"{len(files)} .avsc files, {len(result.active)} findings in {took:.2f} s")
    counts = Counter(f.code for f in result.active)
    for code in sorted({r.code for r in result.rules} | set(counts)):
        print(f"  {code}  {counts.get(code, 0):5d}")
    for code in sorted(counts):
        print(f"\n{code}:")
        for f in [f for f in result.active if f.code == code][: args.sample]:
            print(f"  {f.location.path}:{f.location.line}: {f.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
