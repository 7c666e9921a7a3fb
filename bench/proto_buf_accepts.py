#!/usr/bin/env python3
"""Every .proto file that ``buf build`` accepts must parse in commlint: no CL500, no CL001.

    python bench/proto_buf_accepts.py TREE      # e.g. protobuf's src/ (git archive HEAD src)

Each file is built alone by buf (``buf build TREE --path FILE``, with a ``buf.yaml`` of
``version: v2`` written at TREE's top when it has none); commlint checks the tree once
with ``--select CL500``. Prints the files buf accepts on which commlint reports CL500 or
CL001 (at any severity), and the files buf rejects, for reading. Exit status 1 when a
file buf accepts gets a finding. Needs ``buf`` on PATH (``pip install buf-bin``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    if len(sys.argv) != 2 or shutil.which("buf") is None:
        sys.exit(__doc__)
    tree = Path(sys.argv[1]).resolve()
    if not (tree / "buf.yaml").exists():
        (tree / "buf.yaml").write_text("version: v2\n", encoding="utf-8")
    files = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*.proto"))

    def buf_accepts(rel: str) -> bool:
        p = subprocess.run(["buf", "build", str(tree), "--path", str(tree / rel), "-o", os.devnull],
                           capture_output=True, text=True, timeout=300)
        return p.returncode == 0

    with ThreadPoolExecutor(max_workers=2) as pool:
        accepted = {rel for rel, ok in zip(files, pool.map(buf_accepts, files)) if ok}
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    p = subprocess.run([sys.executable, "-m", "commlint", "check", "--select", "CL500", "--no-cache", "--format", "json",
                        "--exit-zero", "-q"], cwd=tree, env=env, capture_output=True, text=True,
                       timeout=1800)
    findings: dict[str, list[str]] = {}
    for f in json.loads(p.stdout)["findings"]:
        if f["code"] in ("CL500", "CL001"):
            findings.setdefault(f["location"]["path"], []).append(f"{f['code']} {f['severity']}: {f['message'][:200]}")
    bad = sorted(rel for rel in accepted if rel in findings)
    print(f"{len(files)} .proto files; buf accepts {len(accepted)}; of those, {len(bad)} get CL500/CL001 from commlint")
    for rel in bad:
        print(f"  {rel}: {findings[rel][0]}")
    rejected = sorted(set(files) - accepted)
    print(f"buf rejects {len(rejected)}; commlint reports on {sum(1 for r in rejected if r in findings)} of them")
    for rel in rejected:
        print(f"  rejected {rel}: commlint {findings.get(rel, ['nothing'])[0]}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
