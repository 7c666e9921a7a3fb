"""Regenerate the generated parts of README.md: the rule table (from the catalogue)
and the example system's checklist scorecard (from a run on examples/shop)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from commlint.docs import README_BEGIN, README_END, rules_table_markdown  # noqa: E402

SCORE_BEGIN, SCORE_END = "<!-- scorecard:begin -->", "<!-- scorecard:end -->"


def example_scorecard() -> str:
    from commlint.core.catalogue import load
    from commlint.core.config import build_settings, find_config, read_config
    from commlint.api import check_paths
    from commlint.report.scorecard import render_markdown

    shop = REPO / "examples" / "shop"
    cfg = find_config(shop)
    settings = build_settings(read_config(cfg) if cfg else {}, cfg.parent if cfg else REPO, load(), cfg)
    text = render_markdown(check_paths([shop], settings, jobs=1))
    return text.replace("## commlint: microservices communication checklist\n\n", "")


def replace(text: str, begin: str, end: str, body: str) -> str:
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def linked(table: str) -> str:
    """The rule table with each code linked to its generated page (docs/rules/<CODE>.md)."""
    import re

    return re.sub(r"^\| (CL\d{3}) \|", r"| [\1](docs/rules/\1.md) |", table, flags=re.M)


def render(text: str) -> str:
    text = replace(text, README_BEGIN, README_END, linked(rules_table_markdown()))
    return replace(text, SCORE_BEGIN, SCORE_END, example_scorecard())


if __name__ == "__main__":
    readme = REPO / "README.md"
    readme.write_text(render(readme.read_text(encoding="utf-8")), encoding="utf-8")
    sys.path.insert(0, str(REPO / "scripts"))
    import gen_docs  # noqa: E402

    gen_docs.write()
    print("README rule table, example scorecard and docs/rules/ updated")
