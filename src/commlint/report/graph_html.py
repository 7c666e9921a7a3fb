"""``commlint graph --format html``: one self-contained page with the system drawn as an inline SVG.

No script, no stylesheet or font from the network: the layout is computed here, a simple layered
(Sugiyama-style) one. Cycles are broken by a depth-first search; each node's layer is the
longest path to it; nodes in a layer are ordered by the mean position of their predecessors
(a few sweeps); edges are cubic curves from the right of one box to the left of the next.
"""

from __future__ import annotations

from html import escape
from typing import Any


MAX_TOPICS = 200  # beyond this a picture is no longer read; the JSON keeps them all
BOX_W, BOX_H, TOPIC_H = 210, 58, 40
COL_GAP, ROW_GAP, MARGIN = 190, 26, 40
COLORS = {
    "pass": ("#e6f4ea", "#1e7e34"),
    "fail": ("#fdecea", "#c62828"),
    "external": ("#f1f1f1", "#777777"),
    "topic": ("#e8f0fe", "#1a56db"),
}


def _mark(s: dict[str, Any]) -> str:
    if s["status"] == "pass":
        return "✔ no findings"
    items = ", ".join(s["failing"][:4]) + ("…" if len(s["failing"]) > 4 else "")
    return f"✘ {s['findings']} finding{'s' if s['findings'] != 1 else ''}" + (f" ({items})" if items else "")


def _nodes_and_edges(model: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    nodes: dict[str, dict[str, Any]] = {}
    for s in model["services"]:
        nodes["s:" + s["name"]] = {"kind": s["status"], "title": s["name"], "sub": _mark(s),
                                   "extra": ", ".join(s["contracts"])}
    for h in model["external"]:
        nodes["s:" + h] = {"kind": "external", "title": h, "sub": "outside the tree", "extra": ""}
    for t in model["topics"][:MAX_TOPICS]:
        nodes["t:" + t["name"]] = {"kind": "topic", "title": t["name"], "sub": "", "extra": ""}
    edges = []
    for e in model["calls"]:
        label = "; ".join(e["calls"][:1]) + (f" (+{len(e['calls']) - 1})" if len(e["calls"]) > 1 else "")
        hops = sorted(e["hops"])
        if hops:
            label = f"hop {', '.join(map(str, hops))}: {label}"
        edges.append({"from": "s:" + e["from"], "to": "s:" + e["to"], "label": label, "chain": bool(hops), "dashed": False})
    for t in model["topics"][:MAX_TOPICS]:
        for p in t["producers"]:
            edges.append({"from": "s:" + p, "to": "t:" + t["name"], "label": "", "chain": False, "dashed": True})
        for c in t["consumers"]:
            edges.append({"from": "t:" + t["name"], "to": "s:" + c, "label": "", "chain": False, "dashed": True})
    edges = [e for e in edges if e["from"] in nodes and e["to"] in nodes]
    return nodes, edges


def layout(nodes: dict[str, dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """(x, y) of each node's top-left corner: layers left to right, rows top to bottom."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for e in edges:
        if e["from"] != e["to"]:
            succ[e["from"]].append(e["to"])
    # break cycles: drop the edges a depth-first search finds going back
    state: dict[str, int] = {}
    forward: dict[str, list[str]] = {n: [] for n in nodes}
    for root in sorted(nodes):
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                continue
            if state.get(nxt) == 1:
                continue  # a back edge
            forward[node].append(nxt)
            if nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
    # layer = longest path from a source (a topological order of the acyclic part)
    indeg = {n: 0 for n in nodes}
    for n, outs in forward.items():
        for m in outs:
            indeg[m] += 1
    order = [n for n in sorted(nodes) if indeg[n] == 0]
    layer = {n: 0 for n in nodes}
    i = 0
    while i < len(order):
        n = order[i]
        i += 1
        for m in forward[n]:
            layer[m] = max(layer[m], layer[n] + 1)
            indeg[m] -= 1
            if indeg[m] == 0:
                order.append(m)
    columns: dict[int, list[str]] = {}
    for n in sorted(nodes, key=lambda n: (nodes[n]["kind"] == "topic", n)):
        columns.setdefault(layer[n], []).append(n)
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for n, outs in forward.items():
        for m in outs:
            preds[m].append(n)
    for _ in range(3):  # order each column by the mean row of its predecessors
        rows = {n: r for col in columns.values() for r, n in enumerate(col)}
        for k in sorted(columns):
            col = columns[k]
            col.sort(key=lambda n: (sum(rows[p] for p in preds[n]) / len(preds[n])) if preds[n] else rows[n])
    pos: dict[str, tuple[float, float]] = {}
    for k, col in columns.items():
        y = MARGIN + 40
        for n in col:
            pos[n] = (MARGIN + k * (BOX_W + COL_GAP), y)
            y += (TOPIC_H if nodes[n]["kind"] == "topic" else BOX_H) + ROW_GAP
    return pos


def _clip(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def render_svg(model: dict[str, Any]) -> tuple[str, int, int]:
    nodes, edges = _nodes_and_edges(model)
    pos = layout(nodes, edges)
    height = {n: TOPIC_H if v["kind"] == "topic" else BOX_H for n, v in nodes.items()}
    width = max((x for x, _ in pos.values()), default=0) + BOX_W + MARGIN
    total_h = max((y + height[n] for n, (_, y) in pos.items()), default=0) + MARGIN
    width, total_h = int(max(width, 480)), int(max(total_h, 200))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
           f'viewBox="0 0 {width} {total_h}" font-family="Helvetica, Arial, sans-serif" role="img">',
           "<defs>",
           '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>',
           '<marker id="arrow-chain" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
           'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker>',
           "</defs>",
           f'<rect x="0" y="0" width="{width}" height="{total_h}" fill="#ffffff"/>']
    chain = model["longest_chain"]
    title = f"{len(model['services'])} services, {len(model['topics'])} topics, {len(model['contracts'])} contracts"
    if chain["hops"]:
        title += f"; longest synchronous chain: {chain['hops']} hop{'s' if chain['hops'] != 1 else ''} (" \
                 + " → ".join(chain["services"]) + ")"
    out.append(f'<text x="{MARGIN}" y="{MARGIN}" font-size="14" fill="#222">{escape(_clip(title, 160))}</text>')
    labels: list[str] = []
    for e in edges:
        if e["from"] not in pos or e["to"] not in pos:
            continue
        x1, y1 = pos[e["from"]]
        x2, y2 = pos[e["to"]]
        y1 += height[e["from"]] / 2
        y2 += height[e["to"]] / 2
        if x2 > x1:
            x1 += BOX_W
            c = (x2 - x1) / 2
            d = f"M{x1:.0f},{y1:.0f} C{x1 + c:.0f},{y1:.0f} {x2 - c:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        else:  # back or same-column edge: loop around the bottom
            x1 += BOX_W / 2
            x2 += BOX_W / 2
            low = max(y1, y2) + BOX_H
            d = f"M{x1:.0f},{y1 + height[e['from']] / 2:.0f} C{x1:.0f},{low:.0f} {x2:.0f},{low:.0f} {x2:.0f},{y2 + height[e['to']] / 2:.0f}"
        stroke, w, marker = ("#c62828", 3, "arrow-chain") if e["chain"] else ("#555", 1.3, "arrow")
        dash = ' stroke-dasharray="5 4"' if e["dashed"] else ""
        out.append(f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="{w}"{dash} marker-end="url(#{marker})"/>')
        if e["label"]:
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - 6
            color = "#c62828" if e["chain"] else "#444"
            text = _clip(e["label"], 32)
            w = len(text) * 5.6 + 8
            labels.append(f'<rect x="{mx - w / 2:.0f}" y="{my - 10:.0f}" width="{w:.0f}" height="14" rx="3" '
                          f'fill="#ffffff" fill-opacity="0.9"/>'
                          f'<text x="{mx:.0f}" y="{my:.0f}" font-size="10" text-anchor="middle" fill="{color}">'
                          f"{escape(text)}</text>")
    out.extend(labels)
    for n, v in nodes.items():
        x, y = pos[n]
        fill, stroke = COLORS[v["kind"]]
        h = height[n]
        rx = 18 if v["kind"] == "topic" else 8
        dash = ' stroke-dasharray="4 3"' if v["kind"] == "external" else ""
        out.append(f'<g><title>{escape(v["title"])}</title>'
                   f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{h}" rx="{rx}" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="1.5"{dash}/>')
        weight = "normal" if v["kind"] == "topic" else "bold"
        ty = y + (h / 2 + 4 if v["kind"] == "topic" else 18)
        out.append(f'<text x="{x + BOX_W / 2:.0f}" y="{ty:.0f}" font-size="12" font-weight="{weight}" '
                   f'text-anchor="middle" fill="#111">{escape(_clip(v["title"]))}</text>')
        if v["sub"]:
            out.append(f'<text x="{x + BOX_W / 2:.0f}" y="{y + 34:.0f}" font-size="10.5" text-anchor="middle" '
                       f'fill="{stroke}">{escape(_clip(v["sub"], 36))}</text>')
        if v["extra"]:
            out.append(f'<text x="{x + BOX_W / 2:.0f}" y="{y + 49:.0f}" font-size="10" font-style="italic" '
                       f'text-anchor="middle" fill="#555">{escape(_clip(v["extra"], 36))}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out), width, total_h


def render_html(model: dict[str, Any]) -> str:
    svg, _, _ = render_svg(model)
    rows = "".join(
        f"<tr><td>{escape(s['name'])}</td><td class='{s['status']}'>{escape(_mark(s))}</td>"
        f"<td>{escape(', '.join(s['contracts']) or '–')}</td></tr>"
        for s in model["services"]
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>commlint: the system</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #111; background: #fff; }}
h1 {{ font-size: 20px; }}
.legend span {{ display: inline-block; margin-right: 18px; font-size: 13px; }}
.sw {{ display: inline-block; width: 14px; height: 10px; margin-right: 5px; border: 1.5px solid; vertical-align: middle; }}
table {{ border-collapse: collapse; margin-top: 18px; font-size: 13px; }}
td, th {{ border: 1px solid #ccc; padding: 4px 10px; text-align: left; }}
td.pass {{ color: #1e7e34; }} td.fail {{ color: #c62828; }}
.scroll {{ overflow: auto; border: 1px solid #eee; }}
</style>
</head>
<body>
<h1>commlint: services, calls, topics and contracts</h1>
<p class="legend">
<span><i class="sw" style="background:#e6f4ea;border-color:#1e7e34"></i>service without findings</span>
<span><i class="sw" style="background:#fdecea;border-color:#c62828"></i>service with findings (failing checklist items)</span>
<span><i class="sw" style="background:#e8f0fe;border-color:#1a56db"></i>topic</span>
<span style="color:#c62828">━ longest synchronous chain (hop numbers)</span>
<span>┄ produces / consumes</span>
</p>
<div class="scroll">
{svg}
</div>
<table><tr><th>service</th><th>scorecard</th><th>contracts</th></tr>{rows}</table>
</body>
</html>
"""
