"""Reporters: each turns a run's findings into one output format. None of them decides anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import RunResult

from ..core.escape import clean, one_line  # noqa: F401 - the one escape path, for every reporter

FORMATS = ("text", "json", "sarif", "github", "checklist", "markdown")

def render(fmt: str, result: "RunResult", *, color: bool = False, statistics: bool = False,
           checklist: bool = False, quiet: bool = False) -> str:
    if fmt == "text":
        from .text import render_text

        return render_text(result, color=color, statistics=statistics, checklist=checklist, quiet=quiet)
    if fmt == "json":
        from .jsonfmt import render_json

        return render_json(result)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(result)
    if fmt == "github":
        from .github import render_github

        return render_github(result)
    if fmt in ("checklist", "markdown"):
        from .scorecard import render_checklist, render_markdown

        return render_markdown(result) if fmt == "markdown" else render_checklist(result, color=color)
    raise ValueError(f"unknown format {fmt!r}")
