"""``--format full`` (``text``, the default) and ``--format concise``.

full: like ruff's full output, each finding as ``path:line:col: CODE severity name``,
its message wrapped at word boundaries to the terminal's width, and the source
line with a caret under the column. concise: one line per finding,
``path:line:col: CODE severity message``. Paths are relative to the current
directory (clickable in a terminal or an editor); colour only when asked or on a
terminal (plain ANSI codes: no rich import for a pre-commit run).
"""

from __future__ import annotations

import os
import textwrap
from collections import Counter
from typing import TYPE_CHECKING, Callable

from ..core.escape import name as display_name
from ..core.escape import one_line

if TYPE_CHECKING:
    from ..core.model import Finding
    from ..engine import RunResult

STYLE = {"error": "1;31", "warning": "33", "note": "36"}


def _styler(color: bool) -> Callable[[str, str], str]:
    if not color:
        return lambda text, style: text
    return lambda text, style: f"\x1b[{style}m{text}\x1b[0m" if text else text


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def display_path(rel: str, root: "os.PathLike[str] | str") -> str:
    """A reported path (relative to the run's root) as seen from the current directory."""
    if rel in ("", "."):
        return rel
    absolute = os.path.join(os.fspath(root), rel)
    try:
        shown = os.path.relpath(absolute)
    except ValueError:  # another drive (Windows)
        return rel
    return shown.replace(os.sep, "/")


class _Lines:
    """Source lines of the reported files, read once each."""

    def __init__(self, root: "os.PathLike[str] | str"):
        self.root = os.fspath(root)
        self.files: dict[str, list[str] | None] = {}

    def get(self, rel: str, line: int) -> str | None:
        if rel not in self.files:
            try:
                from ..core.safeio import read_file

                data = read_file(os.path.join(self.root, rel), 16 * 1024 * 1024, self.root, truncate=True)
                self.files[rel] = data.decode("utf-8", "replace").lstrip("\ufeff").splitlines()
            except OSError:
                self.files[rel] = None
        lines = self.files[rel]
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]


def _width() -> int:
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 20:
        return int(env)
    try:
        return max(40, os.get_terminal_size().columns)
    except OSError:
        return 100


def _snippet(source: str, line: int, column: int, style: Callable[[str, str], str], sev: str) -> list[str]:
    gutter = len(str(line))
    shown = source.rstrip("\r\n")
    col = max(1, column)
    if len(shown) > 200:  # a minified line: show the part around the column
        start = max(0, col - 80)
        shown = ("…" if start else "") + shown[start:start + 160] + ("…" if start + 160 < len(shown) else "")
        col = col - start + (1 if start else 0)
    shown = one_line(shown)
    lead = "".join("\t" if ch == "\t" else " " for ch in shown[: col - 1])
    bar = style("|", "34")
    return [
        f"{' ' * gutter} {bar}",
        f"{style(str(line), '34')} {bar} {shown}",
        f"{' ' * gutter} {bar} {lead}{style('^', STYLE[sev])}",
    ]


def _items(f: "Finding") -> str:
    items = ", ".join(f.checklist + f.sections)
    return f"[{items}]" if items else ""


def render_text(result: "RunResult", *, color: bool = False, statistics: bool = False,
                checklist: bool = False, quiet: bool = False, concise: bool = False) -> str:
    """The terminal report. ``quiet``: the findings only (no notes, no summary), as ruff's ``-q``.
    ``statistics``: counts per rule instead of the findings, as ruff's ``--statistics``."""
    style = _styler(color)
    out: list[str] = []
    active = result.active
    root = result.settings.root
    if statistics:
        counts = Counter((f.code, f.name) for f in active)
        fixable = {f.code for f in active if f.fix is not None}
        for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            mark = "[*]" if code in fixable else "   "
            out.append(f"{n:6d}  {style(code, '1')}  {mark} {name}")
        if counts and fixable:
            out.append("[*] fixable with --fix")
    elif concise:
        for f in active:
            loc = f.location
            where = f"{display_name(display_path(loc.path, root))}:{loc.line}:{loc.column}:"
            fix = " [*]" if f.fix is not None else ""
            out.append(f"{style(where, '1')} {style(f.code, STYLE[f.severity.label])} {f.severity.label}{fix} "
                       f"{one_line(f.message)}")
    else:
        lines = _Lines(root)
        width = _width()
        for f in active:
            loc = f.location
            sev = f.severity.label
            where = f"{display_name(display_path(loc.path, root))}:{loc.line}:{loc.column}:"
            head = f"{style(where, '1')} {style(f.code, STYLE[sev])} {style(sev, STYLE[sev])} {style(f.name, '1')}"
            tail = " ".join(x for x in (_items(f), "(fixable with --fix)" if f.fix is not None else "") if x)
            out.append(f"{head} {style(tail, '35')}" if tail else head)
            for wrapped in textwrap.wrap(one_line(f.message), width=max(30, width - 4), break_long_words=False,
                                         break_on_hyphens=False) or [""]:
                out.append(f"    {wrapped}")
            source = lines.get(loc.path, loc.line) if loc.path not in ("", ".") else None
            if source is not None:
                out.extend(_snippet(source, loc.line, loc.column, style, sev))
            for rel in f.related:
                extra = f"  {one_line(rel.symbol)}" if rel.symbol else ""
                out.append(style(f"    ↳ {one_line(display_path(rel.path, root))}:{rel.line}:{rel.column}{extra}", "2"))
            out.append("")
    if (concise or statistics) and out:
        out.append("")
    if checklist:
        from .scorecard import render_checklist

        out.append(render_checklist(result, color=color).rstrip("\n"))
    if not quiet:
        for msg in result.messages:
            out.append(style(f"note: {one_line(msg)}", "2"))
        out.append(style(summary_line(result), "1;31" if result.failed() else "1;32"))
    return "\n".join(out) + ("\n" if out else "")


def render_concise(result: "RunResult", **kw: bool) -> str:
    return render_text(result, concise=True, **kw)


def summary_line(result: "RunResult") -> str:
    active = result.active
    sev = Counter(f.severity.label for f in active)
    files = len({f.location.path for f in active})
    parts = [plural(sev[s], s) for s in ("error", "warning", "note") if sev[s]]
    head = f"Found {plural(len(active), 'finding')}"
    if parts:
        head += f" ({', '.join(parts)}) in {plural(files, 'file')}"
    head += f"; {plural(len(result.files), 'file')} checked"
    suppressed = len(result.findings) - len(active)
    if suppressed:
        head += f", {suppressed} suppressed"
    fixable = sum(1 for f in active if f.fix is not None)
    if fixable:
        head += f"; {fixable} fixable with --fix"
    if result.left_out:
        from ..artifacts.roles import ROLE_NAMES

        n = sum(result.left_out.values())
        why = ", ".join(f"{c} in {ROLE_NAMES.get(r, r)} files" for r, c in sorted(result.left_out.items()))
        head += f"; {n} left out ({why}; --scope all reports them)"
    if result.fixed:
        head += f"; fixed {sum(result.fixed.values())} in {plural(len(result.fixed), 'file')}"
    return head + "."
