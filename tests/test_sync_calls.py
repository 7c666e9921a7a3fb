"""CL1xx on fixture files: every `# expect:` marker fires, nothing else does.

fixtures/peers/ is the case set bench/compare_peers.py also gives ruff, bandit
and pylint (one case per file; this test needs none of them). Each folder of
fixtures/sync_calls/ is named after the rule it exercises; a commlint.toml in
it sets that rule's options.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, expected_markers, family_codes, found, run

from commlint.artifacts.python import parse
from commlint.analyses.http import call_facts, http_calls

PEERS = REPO / "fixtures" / "peers"
FIXTURES = REPO / "fixtures" / "sync_calls"
TIMEOUT_RULES = ["CL101", "CL102"]


def _markers(root: Path) -> set[tuple[str, int, str]]:
    files = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}
    return expected_markers(files)


def test_peer_cases_fire_exactly_on_their_markers() -> None:
    result = run(PEERS, {"select": TIMEOUT_RULES})
    assert found(result) == _markers(PEERS)


def test_peer_cases_cover_bad_and_good() -> None:
    names = [p.name for p in PEERS.glob("*.py")]
    bad = [n for n in names if n.startswith("bad_")]
    good = [n for n in names if n.startswith("good_")]
    assert len(bad) >= 25 and len(good) >= 10 and len(bad) + len(good) == len(names)
    marked = {path for path, _, _ in _markers(PEERS)}
    assert marked == set(bad), "every bad case marks a line, no good case does"


RULE_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


@pytest.mark.parametrize("folder", RULE_DIRS, ids=[p.name for p in RULE_DIRS])
def test_rule_fixtures(folder: Path) -> None:
    config: dict = {}
    if (folder / "commlint.toml").is_file():
        config = tomllib.loads((folder / "commlint.toml").read_text(encoding="utf-8"))
    code = folder.name.split("-")[0]
    config.setdefault("select", [code])
    result = run(folder, config)
    want = _markers(folder)
    assert {w for w in want if w[2] == code}, f"{folder.name} marks no {code} line"
    assert found(result) == want, [f"{f.location.path}:{f.location.line} {f.code} {f.message}" for f in result.active]


def test_every_rule_of_the_family_has_a_fixture_folder() -> None:
    codes = {p.name.split("-")[0] for p in RULE_DIRS}
    assert family_codes("sync_calls") <= codes, sorted(family_codes("sync_calls") - codes)


def test_standard_example_is_clean_under_every_rule() -> None:
    """The standard's own check_stock, with request_id defined: zero findings, opt-in CL104 included."""
    result = run(PEERS, {"select": ["CL1", "CL104"]}, paths=[PEERS / "good_standard_check_stock.py"])
    assert [f.code for f in result.active] == []


def test_calls_are_recorded_as_json_facts() -> None:
    source = (PEERS / "good_standard_check_stock.py").read_text(encoding="utf-8")
    module = parse("orders/client.py", source)
    facts = call_facts(module)
    assert json.loads(json.dumps(facts)) == facts
    assert facts == [
        {
            "library": "httpx",
            "role": "method",
            "callee": "httpx.AsyncClient.get",
            "method": "GET",
            "url": "/v1/products/",
            "url_complete": False,
            "function": "check_stock",
            "line": 16,
        }
    ]
    client = next(c for c in http_calls(module) if c.role == "client")
    assert client.fact(module)["url"] == "http://inventory-service.inventory-prod.svc.cluster.local"


def test_grpc_and_request_facts() -> None:
    module = parse(
        "x.py",
        'import grpc, requests\nimport inv_pb2_grpc\nBASE = "http://orders.orders-prod"\n'
        'stub = inv_pb2_grpc.InvStub(grpc.insecure_channel("inventory.inventory-prod:50051"))\n'
        "def f(r):\n"
        "    stub.CheckStock(r, timeout=5)\n"
        '    requests.request("post", BASE + "/v1/orders", timeout=5)\n',
    )
    facts = [(f["callee"], f["method"], f["url"], f["url_complete"], f["function"]) for f in call_facts(module)]
    assert facts == [
        ("inv_pb2_grpc.InvStub.CheckStock", "CheckStock", "inventory.inventory-prod:50051", True, "f"),
        ("requests.request", "POST", "http://orders.orders-prod/v1/orders", True, "f"),
    ]


def test_strict_reports_unknowns_as_notes(tmp_path: Path) -> None:
    (tmp_path / "c.py").write_text(
        "import requests\n\n"
        "def f(url, headers, timeout=None, **kw):\n"
        "    requests.get(url, **kw)\n"
        '    return requests.get(url, headers=headers, timeout=timeout)\n',
        encoding="utf-8",
    )
    quiet = run(tmp_path, {"select": ["CL101", "CL102", "CL111"]})
    assert found(quiet) == set()
    strict = run(tmp_path, {"select": ["CL101", "CL102", "CL111"], "strict": True})
    notes = {(f.location.line, f.code) for f in strict.active if f.severity.label == "note"}
    assert notes == {(4, "CL101"), (4, "CL111"), (5, "CL102"), (5, "CL111")}
    assert all(f.severity.label == "note" for f in strict.active)


def test_hostile_values_are_findings_not_errors(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text(
        "import requests\n"
        f"requests.get('http://a.a-prod/', timeout={'9' * 400})\n"
        "requests.get('http://a.a-prod/', timeout=1e999)\n"
        "requests.get('http://[fe80::1%eth0/', timeout=5)\n",
        encoding="utf-8",
    )
    deep = "+".join(["'a'"] * 3000)
    (tmp_path / "deep.py").write_text(f"import requests\nrequests.get('http://' + {deep}, timeout=5)\n", encoding="utf-8")
    result = run(tmp_path, {"select": ["CL0", "CL1", "CL104"]})
    got = found(result)
    assert ("big.py", 2, "CL104") in got and ("big.py", 3, "CL104") in got
    assert not any(path == "big.py" and code == "CL001" for path, _, code in got)
    assert ("deep.py", 1, "CL001") in got  # too deeply nested: a finding, not a traceback
