"""``--format github``: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.escape import clean

if TYPE_CHECKING:
    from ..engine import RunResult

LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(result: "RunResult") -> str:
    lines = []
    for f in result.active:
        loc = f.location
        props = [f"file={_prop(clean(loc.path))}", f"line={loc.line}", f"col={loc.column}"]
        if loc.end_line is not None:
            props.append(f"endLine={loc.end_line}")
        if loc.end_column is not None and loc.end_line == loc.line:
            props.append(f"endColumn={loc.end_column}")
        items = ", ".join(f.checklist + f.sections)
        props.append(f"title={_prop(f'{f.code} {f.name} [{items}]')}")
        lines.append(f"::{LEVEL[f.severity.label]} {','.join(props)}::{_data(clean(f.message))}")
    return "\n".join(lines) + ("\n" if lines else "")
