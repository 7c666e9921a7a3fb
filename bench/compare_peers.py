"""Compare commlint's timeout rules with ruff, bandit and pylint on fixtures/peers/.

    python bench/compare_peers.py            # from the repository root

Runs ``ruff check --select S113``, ``bandit -t B113``, ``pylint --enable
missing-timeout`` and ``commlint check --select CL101,CL102`` on the same case
files (one case per file: ``bad_*.py`` mark the lines that must fire with
``# expect:``, ``good_*.py`` must stay clean) and prints, per case, who flags
it. A peer that is not installed shows ``n/a``. Exit status 1 when commlint
misses a bad case, flags a good one, or fires on other lines than marked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "fixtures" / "peers"
EXPECT = re.compile(r"#\s*expect:\s*(CL\d{3}(?:\s*,\s*CL\d{3})*)")


def _run(cmd: list[str], env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(cmd, check=False, cwd=REPO, capture_output=True, text=True, env=env, timeout=600)
    return proc.stdout


def _rel(path: str) -> str:
    return Path(path).resolve().relative_to(REPO).as_posix()


def ruff(files: list[Path]) -> dict[str, set[int]] | None:
    exe = shutil.which("ruff")
    if exe is None:
        return None
    out = _run([exe, "check", "--isolated", "--select", "S113", "--output-format", "json", *map(str, files)])
    return _collect((r["filename"], r["location"]["row"]) for r in json.loads(out or "[]"))


def bandit(files: list[Path]) -> dict[str, set[int]] | None:
    exe = shutil.which("bandit")
    if exe is None:
        return None
    out = _run([exe, "-q", "-t", "B113", "-f", "json", *map(str, files)])
    return _collect((r["filename"], r["line_number"]) for r in json.loads(out or "{}").get("results", []))


def pylint(files: list[Path]) -> dict[str, set[int]] | None:
    exe = shutil.which("pylint")
    if exe is None:
        return None
    out = _run([exe, "--disable=all", "--enable=missing-timeout", "--output-format=json", *map(str, files)])
    return _collect((r["path"], r["line"]) for r in json.loads(out or "[]"))


def commlint(files: list[Path]) -> dict[str, set[int]]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    cmd = [sys.executable, "-m", "commlint", "check", "--isolated", "--no-cache", "--select", "CL101,CL102",
           "--format", "json", *map(str, files)]
    out = _run(cmd, env)
    return _collect((f["location"]["path"], f["location"]["line"]) for f in json.loads(out)["findings"])


def _collect(rows) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for path, line in rows:
        found.setdefault(_rel(path), set()).add(int(line))
    return found


def main() -> int:
    files = sorted(CASES.glob("*.py"))
    tools = {"ruff S113": ruff(files), "bandit B113": bandit(files), "pylint W3101": pylint(files),
             "commlint": commlint(files)}
    rows, problems = [], []
    for f in files:
        rel = _rel(str(f))
        text = f.read_text(encoding="utf-8")
        marked = {i for i, line in enumerate(text.splitlines(), 1) if EXPECT.search(line)}
        bad = bool(marked)
        cells = []
        for name, result in tools.items():
            if result is None:
                cells.append("n/a")
                continue
            lines = result.get(rel, set())
            if not lines:
                cells.append("-" if bad else "ok")
            elif bad:
                cells.append("FLAG" if lines >= marked or name != "commlint" else "part")
            else:
                cells.append("FP")
        got = tools["commlint"].get(rel, set())
        if got != marked:
            problems.append(f"{f.name}: commlint fired on {sorted(got)}, marked {sorted(marked)}")
        rows.append((f.stem, "bad" if bad else "good", *cells))
    header = ("case", "kind", *tools)
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print()
    print("FLAG: flags the bad case; -: misses it; ok: good case left alone; FP: flags a good case")
    for name, result in tools.items():
        if result is None:
            continue
        caught = sum(1 for r in rows if r[1] == "bad" and r[2 + list(tools).index(name)] == "FLAG")
        fps = sum(1 for r in rows if r[1] == "good" and r[2 + list(tools).index(name)] == "FP")
        print(f"{name:<14} bad cases flagged {caught}/{sum(r[1] == 'bad' for r in rows)}, "
              f"false positives {fps}/{sum(r[1] == 'good' for r in rows)}")
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
