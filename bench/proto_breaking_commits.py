#!/usr/bin/env python3
"""CL504 against ``buf breaking --use FILE`` on real googleapis commits.

For each commit below (a commit that changes .proto files, deletions included), the
changed files and everything they import (transitively, at either revision) are
extracted at the commit and at its parent into two temporary trees, each given a
``buf.yaml`` (``breaking: use: [FILE]``). Then, on the same trees::

    buf breaking NEW --against OLD --error-format json
    commlint check --select CL504 --base OLD --format json      (run in NEW)

and the (file, buf rule id) findings are compared, counted with repeats (a deleted file is named by its own path
on both sides). Nothing of googleapis is kept: the trees live in a temporary folder, and
nothing from them is run.

    fetch github:googleapis/googleapis   (the search tool's fetch; or git clone --mirror)
    python bench/proto_breaking_commits.py /path/to/googleapis.git [--show]

Needs ``buf`` on PATH (``pip install buf-bin``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IMPORT_RE = re.compile(rb'^\s*import\s+(?:(?:weak|public)\s+)?"([^"]+)"\s*;', re.M)
BUF_YAML = "version: v2\nbreaking:\n  use: [FILE]\n"
FILE_GONE = re.compile(r'previously present file "([^"]+)" was deleted')
# WKT: buf puts the well-known types a file imports into its image, so a commit that stops
# importing google/protobuf/timestamp.proto from the extracted files reads to buf as a deleted
# timestamp.proto; in googleapis other files still import it (and no commit deletes one), so
# google/protobuf/ findings are left out of the comparison.

# googleapis commits that change .proto files (chosen for deletions: fields, messages,
# enum values, RPCs, whole files), each compared with its first parent
COMMITS = [
    "38046d1d720f00070ea976c5aa6a3e3954c9b8c3",  # paymentgateway issuerswitch: 8 files deleted
    "99f54e6513f09d8df1707a6c553b0a3c6ef9b5fb",  # apigeeregistry v1: 3 files deleted
    "6877af37b138d9c35f0489346e1224a141bb0697",  # appoptimize v1alpha: a file deleted
    "14335ce0b8366c021f5d643afd6fea17275762aa",  # devicesandservices health: a file deleted
    "bf85cad8abc13cd38d42b0cf8545d323243ff7e2",  # hypercomputecluster v1alpha: 715 lines removed
    "cb8b7583e76f7fb9c2666d8e1fc6a7e55b402400",  # maps weather v1
    "97bcfbd777f7cdac49a5ee0c00ef6553000826ef",  # analytics data v1alpha: a method and its messages removed
    "6b0172376aa81a3c584d5fca90dbfce3aec84d16",  # oracledatabase v1: Get methods removed
    "aaf15d068fa315944127661c0a8f61cf6a931584",  # biglake v1: a field removed, a type changed
    "e9195b36c9896e43fc9fa38793b66b5cf1d59b50",  # dialogflow v2beta1 conversation_profile
    "256f0860cc8a4ae2e5f4f606ce7915fd10b5e5e7",  # enum values renumbered
    "f547e22c025205d5a2db84460234273e47e93c79",  # ces v1: a field removed
    "0db4dc67dd805d20294c6dc34068c37f546d71da",  # geminidataanalytics v1beta: presence, map to message, field removed
    "f18df396179505f19f8a88860fc961c49022ab9c",  # maps weather: an enum value removed
    "785839399b925336c0bd1f1603cff05ffa679269",  # maps weather: a message removed, a field's type changed
    "8edddcbbe5a2eaf2a98c8ade93007a6ae92ccbee",  # universalledger v1: fields renamed
    "055f92c9384689eb0bb32d035d3bc6d98c8347c0",  # universalledger v1: an enum, a message, a field removed
    "0d0c95cb8b199257a9738fceaf083fcb97dd3323",  # universalledger v1: a method removed
    "6eead6ed94bddc12fe22189880a0b8f722c70478",  # maps places v1: fields removed
    "a383b6b923ecd0a68e85c4410146747d207decc8",  # vectorsearch v1: a field and a message removed
    "39bd091b055e331a4917143355ab7afa83b7130c",  # documentai v1beta3: a message and a field removed
    "9637e50bc0ff6a5e8944980aaf6a2b7f34a90910",  # auditmanager v1: go_package changed
    "a60f0aea57667baefb38c3f3f14079766bbd1bb2",  # auditmanager v1: 242 lines changed, nothing breaking
    "73a8001701e1d3a668dbfb72e9ab66c97d107ff6",  # binaryauthorization v1: nothing breaking
]


def git(gd: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", gd, *args], capture_output=True, text=True, check=True).stdout


def read_blobs(gd: str, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The content of each path at ``rev`` (absent, or missing from the mirror: left out)."""
    if not paths:
        return {}
    p = subprocess.run(["git", "--git-dir", gd, "cat-file", "--batch"], input="".join(f"{rev}:{x}\n" for x in paths).encode(),
                       capture_output=True, check=True)
    out, data = {}, p.stdout
    for path in paths:
        nl = data.index(b"\n")
        head = data[:nl].split()
        data = data[nl + 1:]
        if len(head) == 3 and head[1] == b"blob":
            size = int(head[2])
            out[path] = data[:size]
            data = data[size + 1:]
    return out


def closure(gd: str, rev: str, start: list[str]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    todo = list(start)
    while todo:
        got = read_blobs(gd, rev, [t for t in dict.fromkeys(todo) if t not in files])
        files.update(got)
        todo = [i.decode() for d in got.values() for i in IMPORT_RE.findall(d)
                if not i.startswith(b"google/protobuf/") and i.decode() not in files]
    return files


def prepare(gd: str, commit: str, work: Path) -> tuple[Path, Path, list[str]]:
    parent = git(gd, "rev-parse", f"{commit}^").strip()
    changed = [x for x in git(gd, "diff", "--no-renames", "--name-only", parent, commit, "--", "*.proto").split() if x]
    names = set(closure(gd, parent, changed)) | set(closure(gd, commit, changed))
    trees = []
    for rev, side in ((parent, "old"), (commit, "new")):
        root = work / side
        for path, data in read_blobs(gd, rev, sorted(names)).items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
        root.mkdir(parents=True, exist_ok=True)
        (root / "buf.yaml").write_text(BUF_YAML, encoding="utf-8")
        trees.append(root)
    return trees[0], trees[1], changed


def buf_findings(old: Path, new: Path) -> tuple[Counter[tuple[str, str]], str]:
    p = subprocess.run(["buf", "breaking", str(new), "--against", str(old), "--error-format", "json"],
                       capture_output=True, text=True, timeout=600)
    out: Counter[tuple[str, str]] = Counter()
    for line in p.stdout.splitlines():
        if line.strip():
            f = json.loads(line)
            gone = re.search(r'present file "([^"]+)" was deleted', f.get("message", ""))
            path = gone.group(1) if gone else f.get("path", "")
            path = path[len(f"{new}/"):] if path.startswith(f"{new}/") else path
            if not path.startswith("google/protobuf/"):  # the well-known types: see WKT below
                out[(path, f["type"])] += 1
    problem = "" if p.returncode in (0, 100) else (p.stderr.strip().splitlines() or ["buf failed"])[0]
    return out, problem


def commlint_findings(old: Path, new: Path) -> tuple[Counter[tuple[str, str]], list[str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    p = subprocess.run([sys.executable, "-m", "commlint", "check", "--select", "CL504,CL500", "--base", str(old),
                        "--format", "json", "--no-cache", "--exit-zero", "-q"], cwd=new, env=env,
                       capture_output=True, text=True, timeout=1200)
    out: Counter[tuple[str, str]] = Counter()
    notes = []
    for f in json.loads(p.stdout)["findings"]:
        m = re.search(r"\[buf (\w+)\]$", f["message"])
        if f["code"] == "CL504" and m:
            gone = FILE_GONE.search(f["message"])
            out[(gone.group(1) if gone else f["location"]["path"], m.group(1))] += 1
        else:
            notes.append(f"{f['location']['path']}: {f['code']} {f['message'][:160]}")
    return out, notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mirror", help="the googleapis git directory")
    ap.add_argument("--show", action="store_true", help="print every disagreement and note")
    ap.add_argument("--only", nargs="*", default=[], help="commit prefixes to run")
    args = ap.parse_args()
    if shutil.which("buf") is None:
        sys.exit("buf not found (pip install buf-bin)")
    rows, total = [], [0, 0, 0, 0]
    for commit in COMMITS:
        if args.only and not any(commit.startswith(o) for o in args.only):
            continue
        with tempfile.TemporaryDirectory(prefix="commlint-bufcmp-") as tmp:
            old, new, changed = prepare(args.mirror, commit, Path(tmp))
            theirs, problem = buf_findings(old, new)
            ours, notes = commlint_findings(old, new)
        both, n = ours & theirs, lambda c: sum(c.values())  # noqa: E731 - findings, counted with repeats
        rows.append((commit[:12], len(changed), n(theirs), n(ours), n(both), problem))
        for i, k in enumerate((n(theirs), n(ours), n(both), n(ours | theirs))):
            total[i] += k
        if args.show:
            for x, k in sorted((theirs - ours).items()):
                print(f"  {commit[:12]} buf only:      {x} x{k}")
            for x, k in sorted((ours - theirs).items()):
                print(f"  {commit[:12]} commlint only: {x} x{k}")
            for n in notes:
                print(f"  {commit[:12]} note: {n}")
        print(f"{commit[:12]}: buf {len(theirs)}, commlint {len(ours)}, agreed {len(both)} {problem}", file=sys.stderr)
    print("| commit | .proto files changed | buf FILE findings | commlint CL504 | agreed |")
    print("|---|---|---|---|---|")
    for c, n, t, o, b, problem in rows:
        print(f"| {c} | {n} | {t} | {o} | {b}{' (buf: ' + problem + ')' if problem else ''} |")
    theirs, ours, both, union = total
    print(f"| total | | {theirs} | {ours} | {both} |")
    print(f"\nagreement: {both}/{union} = {both / union:.1%} of all findings (of buf's: {both}/{theirs}"
          f" = {both / max(theirs, 1):.1%})" if union else "\nno findings on either side")


if __name__ == "__main__":
    main()
