"""Generate docs/rules/<CODE>.md (one page per rule) and docs/rules/README.md (the
index) from the catalogue. ``python scripts/gen_docs.py``; ``--check`` exits 1 when
the pages are stale (tests/test_adoption.py runs the same comparison)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

DOCS = REPO / "docs" / "rules"


def pages() -> dict[str, str]:
    from commlint.core.catalogue import load
    from commlint.docs import rule_markdown

    cat = load()
    out = {f"{r.code}.md": rule_markdown(r, cat) for r in cat.rules}
    index = ["# Rules", "", "One page per rule, generated from the catalogue (`rules/*.toml`) by",
             "`scripts/gen_docs.py`; do not edit.", "", "| code | name | what it finds |", "|---|---|---|"]
    for r in cat.rules:
        index.append(f"| [{r.code}]({r.code}.md) | `{r.name}` | {r.summary.replace('|', chr(92) + '|')} |")
    out["README.md"] = "\n".join(index) + "\n"
    return out


def stale() -> list[str]:
    want = pages()
    have = {p.name for p in DOCS.glob("*.md")} if DOCS.is_dir() else set()
    bad = [name for name, text in want.items()
           if not (DOCS / name).is_file() or (DOCS / name).read_text(encoding="utf-8") != text]
    return sorted(bad + [name for name in have - set(want)])


def write() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    want = pages()
    for p in DOCS.glob("*.md"):
        if p.name not in want:
            p.unlink()
    for name, text in want.items():
        (DOCS / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if "--check" in sys.argv:
        bad = stale()
        if bad:
            print("stale: " + ", ".join(bad) + " (run python scripts/gen_docs.py)")
            sys.exit(1)
        print("docs/rules is current")
    else:
        write()
        print(f"docs/rules: {len(pages())} pages written")
