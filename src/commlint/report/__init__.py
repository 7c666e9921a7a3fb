"""Reporters: each turns a run's findings into one output format. None of them decides anything."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine import RunResult

FORMATS = ("text", "json", "sarif", "github", "checklist", "markdown")

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


def name(path: str) -> str:
    """A file name from the checked tree as a report line may start with it: ``one_line``,
    and ``./`` before a name that would start a line with ``::`` (a GitHub Actions workflow
    command such as ``::stop-commands::``, which CI logs obey) or ``-``."""
    text = one_line(path)
    if text.lstrip().startswith(("::", "-")):
        return "./" + text
    return text


_UNSAFE_TEXT = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def unsafe_name(path: str) -> bool:
    """Whether a file name cannot be written as it is in a patch header or on a terminal: a
    control character (line breaks and tabs included), a bidirectional override, bytes that
    are not UTF-8 (surrogate escapes), a leading space or a name patch would not take."""
    return bool(_UNSAFE_TEXT.search(path) or "\t" in path) or path != path.strip() or not path


def unsafe_text(line: str) -> bool:
    """Whether a line of a diff holds characters a terminal would act on (its line end aside)."""
    body = line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith("\n") else line
    return bool(_UNSAFE_TEXT.search(body))


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
