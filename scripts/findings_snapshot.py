"""Findings on examples/, fixtures/ and ../shared/corpus as JSON, to compare two versions of commlint.

    python scripts/findings_snapshot.py write DIR    # before a change
    python scripts/findings_snapshot.py compare DIR  # after it: exit 1 and a listing when anything differs

A refactoring that must not change behaviour is checked with these two commands. Every file is
judged (``--scope all``): test, example and script files, and the corpus's test resources, too.
"""

from __future__ import annotations

import json
from collections import Counter
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = {"examples": ROOT / "examples", "fixtures": ROOT / "fixtures", "corpus": ROOT.parent / "shared" / "corpus"}


def run(tree: Path) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "commlint", "check", "--no-cache", "--exit-zero", "--scope", "all", "-f", "json", str(tree)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout
    return json.loads(out)["findings"]


def key(f: dict) -> str:
    return json.dumps(f, sort_keys=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("write", "compare"):
        print(__doc__)
        return 2
    mode, folder = argv[0], Path(argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    status = 0
    for name, tree in TREES.items():
        if not tree.is_dir():
            print(f"{name}: {tree} absent, skipped")
            continue
        found = run(tree)
        snap = folder / f"{name}.json"
        if mode == "write":
            snap.write_text(json.dumps(found, indent=1, sort_keys=True))
            print(f"{name}: {len(found)} findings written")
            continue
        before = Counter(key(f) for f in json.loads(snap.read_text()))
        after = Counter(key(f) for f in found)
        gone, new = sorted((before - after).elements()), sorted((after - before).elements())
        print(f"{name}: {len(found)} findings, {len(gone)} gone, {len(new)} new")
        for k in gone[:20]:
            print("  -", k[:300])
        for k in new[:20]:
            print("  +", k[:300])
        status |= bool(gone or new)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
