"""``--format text``: findings grouped by file, a summary line; colour only on a terminal."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from ..core.escape import name as display_name
from ..core.escape import one_line

if TYPE_CHECKING:
    from ..engine import RunResult

STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


class _Sink:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, s: str) -> int:
        self.parts.append(s)
        return len(s)

    def flush(self) -> None:
        pass


def render_text(result: "RunResult", *, color: bool = False, statistics: bool = False,
                checklist: bool = False, quiet: bool = False) -> str:
    sink = _Sink()
    console = Console(file=sink, force_terminal=color, no_color=not color, width=10_000,
                      highlight=False, soft_wrap=True, emoji=False)
    active = result.active
    if not quiet:
        current = None
        for f in active:
            loc = f.location
            if loc.path != current:
                if current is not None:
                    console.print()
                console.print(Text(display_name(loc.path), style="bold underline"))
                current = loc.path
            line = Text("  ")
            line.append(f"{loc.line}:{loc.column}", style="dim")
            line.append("  ")
            line.append(f.code, style=STYLE[f.severity.label])
            line.append(f" {f.name}", style="bold")
            line.append("  ")
            line.append(one_line(f.message))
            items = ", ".join(f.checklist + f.sections)
            line.append(f"  [{items}]", style="magenta")
            if f.fix is not None:
                line.append("  (fixable)", style="green")
            console.print(line)
            for rel in f.related:
                console.print(Text(f"      ↳ {one_line(rel.path)}:{rel.line}:{rel.column}" + (f"  {one_line(rel.symbol)}" if rel.symbol else ""), style="dim"))
        if active:
            console.print()
    if statistics and active:
        counts = Counter((f.code, f.name) for f in active)
        for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            console.print(Text(f"{n:6d}  {code}  {name}"))
        console.print()
    if checklist:
        from .scorecard import render_checklist

        sink.parts.append(render_checklist(result, color=color))
    for msg in result.messages:
        console.print(Text(f"note: {one_line(msg)}", style="dim"))
    console.print(summary_line(result), style="bold red" if result.failed() else "bold green")
    return "".join(sink.parts)


def summary_line(result: "RunResult") -> str:
    active = result.active
    sev = Counter(f.severity.label for f in active)
    files = len({f.location.path for f in active})
    parts = [f"{sev[s]} {s}{'s' if sev[s] != 1 else ''}" for s in ("error", "warning", "note") if sev[s]]
    head = f"Found {len(active)} finding{'s' if len(active) != 1 else ''}"
    if parts:
        head += f" ({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}"
    head += f"; {len(result.files)} files checked"
    suppressed = len(result.findings) - len(active)
    if suppressed:
        head += f", {suppressed} suppressed"
    fixable = sum(1 for f in active if f.fix is not None)
    if fixable:
        head += f"; {fixable} fixable with --fix"
    if result.fixed:
        head += f"; fixed {sum(result.fixed.values())} in {len(result.fixed)} files"
    return head + "."
