"""The checklist scorecard: the standard's twelve items as pass / fail / not checked.

An item fails when an active finding evidences it (a finding counts against
every item its rule names). It is not checked when no enabled rule evidences
it, or its rules found nothing to examine (no consumer for C3, no gRPC server
for C12, ...). Otherwise it passes: something was examined and nothing found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.catalogue import load

if TYPE_CHECKING:
    from ..engine import RunResult


def scorecard(result: "RunResult") -> list[dict[str, Any]]:
    cat = load()
    examined = result.examined
    out = []
    for item in cat.checklist:
        rules = [r for r in result.rules if item.id in r.checklist]
        hits = [f for f in result.active if item.id in f.checklist]
        subjects = sum(examined.get(r.code, 0) for r in rules)
        worst = None
        if hits:
            top = max(f.severity for f in hits)
            worst = sorted((f for f in hits if f.severity == top), key=lambda f: f.sort_key())[0]
            status = "fail"
        elif not rules or not subjects:
            status = "not checked"
        else:
            status = "pass"
        entry: dict[str, Any] = {
            "id": item.id,
            "text": item.text,
            "status": status,
            "findings": len(hits),
            "examined": subjects,
            "rules": [r.code for r in rules],
        }
        if worst is not None:
            entry["worst"] = {"code": worst.code, "severity": worst.severity.label, **worst.location.to_dict()}
        if status == "not checked":
            entry["reason"] = "no rule enabled" if not rules else "nothing it applies to was found"
        out.append(entry)
    return out


MARK = {"pass": "✔ pass", "fail": "✘ fail", "not checked": "– not checked"}


def _where(e: dict[str, Any]) -> str:
    w = e.get("worst")
    if not w:
        return e.get("reason") or f"{e['examined']} examined, no finding"
    return f"{e['findings']} finding(s); worst {w['code']} at {w['path']}:{w['line']}"


def render_checklist(result: "RunResult", color: bool = False) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..core.escape import one_line

    table = Table(title="Microservices communication checklist", show_lines=False)
    table.add_column("item")
    table.add_column("status")
    table.add_column("checklist item", overflow="fold")
    table.add_column("details", overflow="fold")
    style = {"pass": "green", "fail": "red", "not checked": "yellow"}
    for e in scorecard(result):
        table.add_row(e["id"], Text(MARK[e["status"]], style=style[e["status"]]), e["text"], Text(one_line(_where(e))))
    console = Console(record=True, force_terminal=color, no_color=not color, width=140, file=_Null())
    console.print(table)
    return console.export_text(styles=color)


def render_markdown(result: "RunResult") -> str:
    from ..core.escape import one_line

    rows = scorecard(result)
    counts = {s: sum(1 for e in rows if e["status"] == s) for s in ("pass", "fail", "not checked")}
    lines = [
        "## commlint: microservices communication checklist",
        "",
        f"{counts['pass']} pass, {counts['fail']} fail, {counts['not checked']} not checked"
        f" ({len(result.active)} findings; {len(result.files)} files checked)",
        "",
        "| | item | status | details |",
        "|---|---|---|---|",
    ]
    for e in rows:
        details = one_line(_where(e)).replace("|", "\\|").replace("<", "&lt;")
        text = e["text"].replace("|", "\\|")
        lines.append(f"| {e['id']} | {text} | {MARK[e['status']]} | {details} |")
    lines += _mermaid_section(result)
    return "\n".join(lines) + "\n"


def _mermaid_section(result: "RunResult") -> list[str]:
    """The system as a Mermaid graph (``commlint graph``), which a pull-request comment draws."""
    from .graph import graph_model, render_mermaid

    try:
        model = graph_model(result)
    except Exception:  # noqa: BLE001 - the scorecard stands without its picture
        return []
    if not model["calls"] and not model["topics"]:
        return []
    hops = model["longest_chain"]["hops"]
    note = f"; longest synchronous chain: {hops} hop{'s' if hops != 1 else ''}" if hops else ""
    return ["", f"### The system ({len(model['services'])} services, {len(model['topics'])} topics{note})", "",
            "```mermaid", render_mermaid(model).rstrip("\n"), "```"]


class _Null:
    def write(self, s: str) -> int:
        return len(s)

    def flush(self) -> None:
        pass
