"""Reporters: each turns a run's findings into one output format. None of them decides anything."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import RunResult

FORMATS = ("full", "concise", "json", "sarif", "github", "checklist", "markdown")
ALIASES = {"text": "full", "md": "markdown"}  # accepted everywhere a format is named
CHOICES = FORMATS + tuple(ALIASES)


def canonical(fmt: str) -> str:
    return ALIASES.get(fmt, fmt)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # C0, C1, bidi overrides
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: str) -> str:
    """Escape control characters (terminal escape sequences), bidirectional overrides and lone
    surrogates in text from checked files."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\u0100" else f"\\u{ord(m.group()):04x}", text)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """``clean``, and newlines escaped too: for reports where a line break in a file name or a
    message taken from a checked file could pass for another finding (text, checklist, markdown)."""
    return clean(text).replace("\n", "\\n")


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
