"""Per-rule precision and recall of commlint on the hand-labelled corpus (bench/labels/corpus.csv),
with ruff S113, bandit B113 and pylint W3101 on the same input for CL101.

Every production call site and consumer of each repository was read by hand; a label says
whether a rule should fire on a line (``violation``) or not (``ok``, with the reason: test or
example code, a third-party API, a call at start-up...). A finding on a line labelled ``ok``,
or on no labelled line at all, counts against precision; recall is the share of
``violation`` labels found. Default settings, as a user runs ``commlint check .``.

    git -C <mirror> archive <commit> | tar -x -C /tmp/corpus/<owner>+<name>   # the repositories, once
    python bench/score_labels.py [--corpus /tmp/corpus] [--src DIR] [--peers]

pylint infers calls through the libraries: install requests and httpx beside it for ``--peers``.
``--src`` runs another checkout of commlint (its ``src/``), for before/after figures. Nothing
in the corpus is run: commlint and the peers only read it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = ("CL101", "CL102", "CL111", "CL112", "CL121", "CL131", "CL201", "CL203", "CL204", "CL211", "CL212",
         "CL214", "CL215")
PEERS = {"ruff S113": ["ruff", "check", "--isolated", "--select", "S113", "--output-format", "json", "--no-cache", "."],
         "bandit B113": ["bandit", "-q", "-r", "-t", "B113", "-f", "json", "."],
         "pylint W3101": ["pylint", "--disable=all", "--enable=W3101", "--output-format=json", "--recursive=y", "."]}


def commlint(tree: Path, src: str | None) -> set[tuple[str, int, str]]:
    env = dict(os.environ, PYTHONPATH=src) if src else None
    out = subprocess.run([sys.executable, "-m", "commlint", "check", "--isolated", "--no-cache", "--exit-zero",
                          "-f", "json", "."], cwd=tree, capture_output=True, text=True, env=env).stdout
    return {(f["location"]["path"], f["location"]["line"], f["code"]) for f in json.loads(out)["findings"]
            if f["severity"] != "note" and f.get("suppressed") is None}


def peer(name: str, tree: Path) -> set[tuple[str, int]]:
    try:
        out = subprocess.run(PEERS[name], cwd=tree, capture_output=True, text=True, timeout=600).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if not out.strip():
        return set()
    data = json.loads(out)
    if name.startswith("ruff"):
        return {(Path(d["filename"]).resolve().relative_to(tree.resolve()).as_posix(), d["location"]["row"]) for d in data}
    if name.startswith("bandit"):
        return {(os.path.normpath(d["filename"]), d["line_number"]) for d in data["results"]}
    return {(os.path.normpath(d["path"]), d["line"]) for d in data}


def score(found: set, labels: dict) -> tuple[int, int, int]:
    """(true positives, findings, violations)."""
    violations = {k for k, v in labels.items() if v == "violation"}
    return len(found & violations), len(found), len(violations)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/tmp/corpus")
    ap.add_argument("--src", help="commlint's src/ to run instead of the installed one")
    ap.add_argument("--peers", action="store_true", help="also run ruff, bandit and pylint for CL101")
    ap.add_argument("--missed", action="store_true", help="list the labelled violations not found")
    ap.add_argument("--wrong", action="store_true", help="list the findings on lines labelled ok, with the reason")
    ap.add_argument("--labels", default=str(HERE / "labels" / "corpus.csv"),
                    help="the labels to score against (bench/labels/heldout.csv: repositories labelled by "
                         "readers who did not write the rules, scored once, never tuned on)")
    args = ap.parse_args()
    labels: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))  # repo -> rule -> (path, line) -> verdict
    commits = {}
    reasons = {}
    with open(args.labels, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            labels[row["repo"]][row["rule"]][(row["path"], int(row["line"]))] = row["verdict"]
            reasons[(row["repo"], row["rule"], row["path"], int(row["line"]))] = row.get("reason", "")
            commits[row["repo"]] = row["commit"]
    totals = {r: [0, 0, 0] for r in RULES}
    peer_totals = {p: [0, 0, 0] for p in PEERS}
    unlabelled = []
    missed = []
    wrong = []
    for repo in sorted(commits):
        tree = Path(args.corpus) / repo.replace("/", "+", 1)
        if not tree.is_dir():
            print(f"{repo}: not in {args.corpus} (git archive {commits[repo]}), skipped", file=sys.stderr)
            continue
        found = commlint(tree, args.src)
        for rule in RULES:
            mine = {(p, line) for p, line, code in found if code == rule}
            unlabelled += [(repo, p, line, rule) for p, line in mine - set(labels[repo][rule])]
            missed += [(repo, p, line, rule) for (p, line), v in labels[repo][rule].items()
                       if v == "violation" and (p, line) not in mine]
            wrong += [(repo, p, line, rule, reasons[(repo, rule, p, line)]) for p, line in sorted(mine)
                      if labels[repo][rule].get((p, line)) == "ok"]
            for i, n in enumerate(score(mine, labels[repo][rule])):
                totals[rule][i] += n
        if args.peers:
            for name in PEERS:
                for i, n in enumerate(score(peer(name, tree), labels[repo]["CL101"])):
                    peer_totals[name][i] += n
    print("| rule | findings | true positives | precision | violations | recall |")
    print("|---|---|---|---|---|---|")
    for rule, (tp, n, v) in list(totals.items()) + [(p, t) for p, t in peer_totals.items() if args.peers]:
        if n or v:
            prec = f"{tp / n:.2f}" if n else "-"
            rec = f"{tp / v:.2f}" if v else "-"
            print(f"| {rule} | {n} | {tp} | {prec} | {v} | {rec} |")
    for u in sorted(missed) if args.missed else ():
        print("missed violation:", *u, file=sys.stderr)
    for u in wrong if args.wrong else ():
        print("finding on a line labelled ok:", *u, file=sys.stderr)
    for u in unlabelled:
        print("unlabelled finding (counts against precision):", *u, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
