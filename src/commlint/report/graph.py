"""The system as a picture (``commlint graph``): services, their synchronous calls (the longest
chain highlighted, with its hop count), topics with their producers and consumers, contracts, and
each service marked by its share of the checklist scorecard.

``graph_model(result)`` builds the picture from a run's system model
(``commlint.analyses.system``) and findings; ``render_graph(model, fmt)`` writes it as Mermaid
(also embedded in the markdown scorecard), Graphviz DOT, JSON, or one self-contained HTML page
with an inline SVG (``commlint.report.graph_html``: no script, no network).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..analyses.chains import longest_chains
from ..analyses.system import MAX_HOPS, Call, System, build, is_hop
from ..engine.project import Project
from .graph_html import MAX_TOPICS, _mark, render_html

if TYPE_CHECKING:
    from ..engine import RunResult

GRAPH_FORMATS = ("mermaid", "dot", "html", "json")


def _longest_chain(system: System) -> list[Call]:
    targeted = {id(c.target) for c in system.calls if c.target is not None and is_hop(c)}
    entries = [h for h in system.handlers if id(h) not in targeted] or system.handlers
    hop_calls: dict[int, list[Call]] = {id(h): [c for c in h.calls if is_hop(c)] for h in system.handlers}
    chain_of = longest_chains(system.handlers, lambda h: hop_calls.get(id(h), []), lambda c: c.target, MAX_HOPS)
    best: list[Call] = []
    for h in entries:
        for first in hop_calls[id(h)]:
            chain = chain_of(first, h)
            if len(chain) > len(best):
                best = chain
    return best


def _target(call: Call) -> str | None:
    return call.target_service or call.fact.get("host") or None


def _service_marks(result: "RunResult", system: System) -> dict[str, dict[str, Any]]:
    marks: dict[str, dict[str, Any]] = {}
    for f in result.active:
        svc = system.services.service_of(f.location.path)
        if svc is None:
            continue
        m = marks.setdefault(svc, {"findings": 0, "items": set()})
        m["findings"] += 1
        m["items"].update(f.checklist)
    return marks


def graph_model(result: "RunResult") -> dict[str, Any]:
    """Services, sync edges, topics and contracts of a run, as plain data (the JSON format)."""
    system = build(Project(result.files, result.settings))
    names = set(system.services.names)
    chain = _longest_chain(system)
    on_chain = {id(c): i + 1 for i, c in enumerate(chain)}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    external: set[str] = set()
    for c in system.calls:
        to = _target(c)
        if not is_hop(c) or to is None:
            continue
        if to not in names:
            external.add(to)
        e = edges.setdefault((c.service, to), {"from": c.service, "to": to, "calls": [], "hops": []})
        label = c.describe().split(" ", 1)[1] if " " in c.describe() else c.describe()
        if label not in e["calls"]:
            e["calls"].append(label)
        if id(c) in on_chain:
            e["hops"].append(on_chain[id(c)])
    topics: dict[str, dict[str, set[str]]] = {}
    for rel, facts in system.python.items():
        svc = system.services.service_of(rel) or rel.split("/", 1)[0]
        for how, key in (("produces", "producers"), ("consumes", "consumers")):
            for t in (facts.get("topics") or {}).get(how, []):
                topics.setdefault(t["topic"], {"producers": set(), "consumers": set()})[key].add(svc)
                names.add(svc)
    contracts = []
    for kind, docs in (("openapi", system.documents), ("proto", system.protos), ("asyncapi", system.asyncapi)):
        for rel, facts in sorted(docs.items()):
            svc = system.services.service_of(rel)
            contracts.append({"path": rel, "kind": kind, "service": svc})
            if kind == "asyncapi" and svc is not None:
                for ch in facts.get("channels", []):
                    acts = set(ch.get("actions", []))
                    t = topics.setdefault(ch["address"], {"producers": set(), "consumers": set()})
                    if acts & {"send", "publish"}:
                        t["producers" if "send" in acts else "consumers"].add(svc)  # 2.x publish: the app receives
                    if acts & {"receive", "subscribe"}:
                        t["consumers" if "receive" in acts else "producers"].add(svc)
    marks = _service_marks(result, system)
    services = []
    for name in sorted(names):
        m = marks.get(name, {"findings": 0, "items": set()})
        services.append({
            "name": name, "folder": system.services.folder_of(name),
            "status": "fail" if m["findings"] else "pass", "findings": m["findings"],
            "failing": sorted(m["items"], key=lambda i: int(i[1:]) if i[1:].isdigit() else 99),
            "contracts": sorted({c["kind"] for c in contracts if c["service"] == name}),
        })
    chain_services = [chain[0].service] + [_target(c) or "?" for c in chain] if chain else []
    return {
        "services": services,
        "external": sorted(external),
        "calls": sorted(edges.values(), key=lambda e: (e["from"], e["to"])),
        "longest_chain": {"hops": len(chain), "services": chain_services,
                          "calls": [{"from": c.service, "to": _target(c), "call": c.describe(),
                                     "at": f"{c.rel}:{c.fact['line']}"} for c in chain]},
        "topics": [{"name": n, "producers": sorted(v["producers"]), "consumers": sorted(v["consumers"])}
                   for n, v in sorted(topics.items())],
        "contracts": contracts,
    }


# -- text formats ------------------------------------------------------------------------------


def _id(prefix: str, name: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_]", "_", name)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("|", "#124;")


def render_mermaid(model: dict[str, Any]) -> str:
    lines = ["flowchart LR"]
    for s in model["services"]:
        label = f"<b>{_mermaid_text(s['name'])}</b><br/>{_mermaid_text(_mark(s))}"
        if s["contracts"]:
            label += f"<br/><i>{', '.join(s['contracts'])}</i>"
        lines.append(f'  {_id("s_", s["name"])}["{label}"]:::{s["status"]}')
    for h in model["external"]:
        lines.append(f'  {_id("s_", h)}(["{_mermaid_text(h)}"]):::external')
    topics = model["topics"][:MAX_TOPICS]
    for t in topics:
        lines.append(f'  {_id("t_", t["name"])}[("{_mermaid_text(t["name"])}")]:::topic')
    link = 0
    chain_links = []
    for e in model["calls"]:
        label = _mermaid_text("; ".join(e["calls"][:2]) + (" …" if len(e["calls"]) > 2 else ""))
        if e["hops"]:
            label = f"hop {', '.join(map(str, sorted(e['hops'])))}: " + label
            lines.append(f'  {_id("s_", e["from"])} ==>|"{label}"| {_id("s_", e["to"])}')
            chain_links.append(link)
        else:
            lines.append(f'  {_id("s_", e["from"])} -->|"{label}"| {_id("s_", e["to"])}')
        link += 1
    for t in topics:
        for p in t["producers"]:
            lines.append(f'  {_id("s_", p)} -.->|produces| {_id("t_", t["name"])}')
            link += 1
        for c in t["consumers"]:
            lines.append(f'  {_id("t_", t["name"])} -.->|consumes| {_id("s_", c)}')
            link += 1
    lines += [
        "  classDef pass fill:#e6f4ea,stroke:#1e7e34,color:#111",
        "  classDef fail fill:#fdecea,stroke:#c62828,color:#111",
        "  classDef external fill:#eeeeee,stroke:#777,color:#111,stroke-dasharray:4 3",
        "  classDef topic fill:#e8f0fe,stroke:#1a56db,color:#111",
    ]
    if chain_links:
        lines.append(f"  linkStyle {','.join(map(str, chain_links))} stroke:#c62828,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(model: dict[str, Any]) -> str:
    out = ["digraph system {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9];']
    for s in model["services"]:
        color = "#1e7e34" if s["status"] == "pass" else "#c62828"
        fill = "#e6f4ea" if s["status"] == "pass" else "#fdecea"
        label = s["name"] + "\n" + _mark(s) + ("\n" + ", ".join(s["contracts"]) if s["contracts"] else "")
        out.append(f'  {_dot("s:" + s["name"])} [shape=box, style="rounded,filled", color="{color}", '
                   f'fillcolor="{fill}", label={_dot(label)}];')
    for h in model["external"]:
        out.append(f'  {_dot("s:" + h)} [shape=box, style="dashed", label={_dot(h)}];')
    topics = model["topics"][:MAX_TOPICS]
    for t in topics:
        out.append(f'  {_dot("t:" + t["name"])} [shape=cylinder, style=filled, fillcolor="#e8f0fe", label={_dot(t["name"])}];')
    for e in model["calls"]:
        label = "; ".join(e["calls"][:2]) + (" …" if len(e["calls"]) > 2 else "")
        attrs = f"label={_dot(label)}"
        if e["hops"]:
            attrs = f'label={_dot("hop " + ", ".join(map(str, sorted(e["hops"]))) + ": " + label)}, color="#c62828", penwidth=3'
        out.append(f'  {_dot("s:" + e["from"])} -> {_dot("s:" + e["to"])} [{attrs}];')
    for t in topics:
        for p in t["producers"]:
            out.append(f'  {_dot("s:" + p)} -> {_dot("t:" + t["name"])} [style=dashed, label="produces"];')
        for c in t["consumers"]:
            out.append(f'  {_dot("t:" + t["name"])} -> {_dot("s:" + c)} [style=dashed, label="consumes"];')
    out.append("}")
    return "\n".join(out) + "\n"


def render_graph(model: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(model, indent=2) + "\n"
    if fmt == "dot":
        return render_dot(model)
    if fmt == "html":
        return render_html(model)
    return render_mermaid(model)
