"""``commlint graph``: the system as Mermaid, DOT, JSON and a self-contained HTML page (drawn in
headless Chromium where it is installed), and the Mermaid graph in the markdown scorecard."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from commlint.cli import main
from commlint.report.graph import graph_model, render_graph
from commlint.report.graph_html import layout
from conftest import REPO, run

SHOP = REPO / "examples" / "shop"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("graph") / "shop"
    shutil.copytree(SHOP, root)
    return root


@pytest.fixture(scope="module")
def model(shop: Path) -> dict:
    return graph_model(run(shop, {}))


def test_model_has_services_chain_topics_and_contracts(model: dict) -> None:
    names = {s["name"] for s in model["services"]}
    assert {"orders", "inventory", "payments", "notifications"} <= names
    chain = model["longest_chain"]
    assert chain["hops"] == 3
    assert chain["services"] == ["orders", "inventory", "payments", "notifications"]
    hops = {(e["from"], e["to"]): e["hops"] for e in model["calls"]}
    assert hops[("orders", "inventory")] == [1] and hops[("payments", "notifications")] == [3]
    topics = {t["name"]: t for t in model["topics"]}
    assert topics["orders.order.created"]["producers"] == ["orders"]
    assert "notifications" in topics["orders.order.created"]["consumers"]
    assert {c["kind"] for c in model["contracts"]} >= {"openapi"}
    marks = {s["name"]: s for s in model["services"]}
    assert marks["payments"]["status"] == "fail" and "C12" in marks["payments"]["failing"]


def test_mermaid_marks_the_chain_and_the_services(model: dict) -> None:
    text = render_graph(model, "mermaid")
    assert text.startswith("flowchart LR\n")
    assert '==>|"hop 1: GET /v1/products/{}/stock"|' in text
    assert re.search(r"linkStyle [\d,]+ stroke:#c62828", text)
    assert ":::fail" in text and '[("orders.order.created")]:::topic' in text


def test_dot_and_json(model: dict) -> None:
    dot = render_graph(model, "dot")
    assert dot.startswith("digraph system {") and dot.rstrip().endswith("}")
    assert 'penwidth=3' in dot and "shape=cylinder" in dot
    assert json.loads(render_graph(model, "json")) == json.loads(json.dumps(model))


def test_html_is_one_self_contained_file(model: dict) -> None:
    html = render_graph(model, "html")
    assert "<svg" in html and "<script" not in html.lower()
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls


def test_layout_layers_follow_the_edges() -> None:
    nodes = {n: {"kind": "pass"} for n in ("a", "b", "c")}
    edges = [{"from": "a", "to": "b"}, {"from": "b", "to": "c"}, {"from": "c", "to": "a"}]  # a cycle
    pos = layout(nodes, edges)
    assert pos["a"][0] < pos["b"][0] < pos["c"][0]


def test_cli_writes_each_format(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("mermaid", "dot", "json", "html"):
        out = tmp_path / f"system.{fmt}"
        with pytest.raises(SystemExit) as done:
            main(["graph", str(shop), "--format", fmt, "-o", str(out)])
        assert done.value.code == 0
        assert out.read_text(encoding="utf-8").strip()
    with pytest.raises(SystemExit):
        main(["graph", str(shop)])
    assert capsys.readouterr().out.startswith("flowchart LR")


def test_markdown_scorecard_embeds_the_mermaid_graph(shop: Path) -> None:
    from commlint.report.scorecard import render_markdown

    text = render_markdown(run(shop, {}))
    assert "```mermaid\nflowchart LR" in text


# -- drawn in a real browser --------------------------------------------------------------


def _pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line[i] for i in range(stride) if bpp == 3 or i % 4 != 3))
        prev = line
    return width, height, rows


@pytest.mark.slow
def test_html_renders_in_headless_chromium(model: dict, tmp_path: Path) -> None:
    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if exe is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    page = tmp_path / "system.html"
    page.write_text(render_graph(model, "html"), encoding="utf-8")
    shot = tmp_path / "shot.png"
    try:
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1200,700", f"--screenshot={shot}", page.as_uri()],
                       capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("Chromium did not finish in time")
    if not shot.exists():
        pytest.skip("Chromium wrote no screenshot here")
    width, height, rows = _pixels(shot.read_bytes())
    assert (width, height) == (1200, 700)
    drawn = sum(1 for row in rows for i in range(0, len(row), 3) if row[i:i + 3] != b"\xff\xff\xff")
    coloured = sum(1 for row in rows for i in range(0, len(row), 3)
                   if max(row[i:i + 3]) - min(row[i:i + 3]) > 60)
    assert drawn > 0.02 * width * height, "the page is blank"
    assert coloured > 500, "no coloured box or edge was drawn"
