"""``--help`` in colour on a terminal. Imported only to print help: rich costs
tens of milliseconds that a pre-commit run never pays."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^(usage:|[A-Za-z][\w ]*:)(?=\s|$)", re.M)
_FLAG = re.compile(r"(?<![\w-])(-{1,2}[A-Za-z][\w-]*)")


def print_rich_help(text: str) -> None:
    from rich.console import Console
    from rich.text import Text

    out = Text()
    for line in text.splitlines(keepends=True):
        t = Text(line)
        m = _HEADING.match(line)
        if m:
            t.stylize("bold green", 0, m.end())
        for f in _FLAG.finditer(line):
            t.stylize("cyan", f.start(1), f.end(1))
        out.append(t)
    Console(highlight=False, soft_wrap=True).print(out, end="")
