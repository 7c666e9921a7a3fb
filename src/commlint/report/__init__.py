"""Reporters: each turns a run's findings into one output format. None of them decides anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import RunResult

from ..core.escape import clean, one_line  # noqa: F401 - the one escape path, for every reporter


FORMATS = ("full", "concise", "json", "sarif", "github", "checklist", "markdown")
ALIASES = {"text": "full", "md": "markdown"}  # accepted everywhere a format is named
CHOICES = FORMATS + tuple(ALIASES)


def canonical(fmt: str) -> str:
    return ALIASES.get(fmt, fmt)

def render(fmt: str, result: "RunResult", *, color: bool = False, statistics: bool = False,
           checklist: bool = False, quiet: bool = False, notes: list[str] | None = None) -> str:
    """The report in ``fmt``; ``notes`` collects what a format had to leave out (said on stderr)."""
    fmt = canonical(fmt)
    if fmt in ("full", "concise"):
        from .text import render_text

        return render_text(result, color=color, statistics=statistics, checklist=checklist, quiet=quiet,
                           concise=fmt == "concise")
    if fmt == "json":
        from .jsonfmt import render_json

        return render_json(result)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(result, notes)
    if fmt == "github":
        from .github import render_github

        return render_github(result)
    if fmt in ("checklist", "markdown"):
        from .scorecard import render_checklist, render_markdown

        return render_markdown(result) if fmt == "markdown" else render_checklist(result, color=color)
    raise ValueError(f"unknown format {fmt!r}")
