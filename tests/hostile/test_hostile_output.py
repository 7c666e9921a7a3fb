"""Reports stay valid and harmless whatever the checked files contain: control
characters, terminal escape sequences, bidirectional overrides, lone
surrogates, newlines."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import REPO, write

from commlint.core.catalogue import load
from commlint.core.config import build_settings
from commlint.engine import RunResult, enabled_rules
from commlint.core.model import Edit, Finding, Fix, Location, Severity
from commlint.report import FORMATS, render

SARIF_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
EVIL = "\x1b[2J\x1b]0;pwned\x07 \x00 \x08\x7f \x9b31m \u202eevil\u202c \ud800 \udcff line1\nline2\rline3"
RAW = ("\x1b", "\x00", "\x07", "\x08", "\x7f", "\x9b", "\u202e", "\ud800", "\udcff")


def hostile_result(tmp_path: Path) -> RunResult:
    cat = load()
    settings = build_settings({}, tmp_path, cat)
    meta = cat.by_code["CL601"]
    loc = Location(f"topics/{EVIL}.yaml", 3, 5, pointer=f"/topics/0/{EVIL}", symbol=EVIL)
    findings = [
        Finding(meta.code, meta.name, Severity.WARNING, f"topic name {EVIL!s} is bad", loc, meta.checklist,
                meta.sections, fix=Fix(f"rename {EVIL}", (Edit(0, 1, EVIL),)), related=(loc,)),
        Finding(meta.code, meta.name, Severity.WARNING, EVIL, loc, suppressed=EVIL),
    ]
    return RunResult(findings, [], enabled_rules(settings, cat), settings, messages=[EVIL])


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_escapes_what_checked_files_contain(tmp_path: Path, fmt: str) -> None:
    result = hostile_result(tmp_path)
    for color in (False, True):
        out = render(fmt, result, color=color, statistics=True, checklist=True)
        out.encode("utf-8")  # strict: no lone surrogate survives
        assert not [c for c in RAW if c in out.replace("\x1b[", "") and c != "\x1b"], repr(out[:500])
        assert "\x1b[2J" not in out and "\x1b]0;" not in out  # the payload's escape sequences never pass
        if not color:
            assert "\x1b" not in out
        if fmt == "json":
            doc = json.loads(out)
            assert doc["findings"][0]["message"].startswith("topic name \\x1b[2J")
        if fmt in ("text", "github"):
            # one line per finding: a newline in a name or message cannot forge another
            assert not [ln for ln in out.splitlines() if ln.startswith(("line2", "line3"))]


def test_sarif_with_hostile_text_is_schema_valid(tmp_path: Path) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip("the SARIF schema is not beside the checkout")
    import jsonschema

    doc = json.loads(render("sarif", hostile_result(tmp_path)))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert re.fullmatch(r"[A-Za-z0-9/%._~\-]+", uri), uri


@pytest.mark.timeout(120)
def test_escape_sequences_in_checked_files_never_reach_the_terminal(tmp_path: Path) -> None:
    write(tmp_path, {
        "topics.yaml": 'topics:\n  - name: "orders.\\e[2J\\e]0;pwned\\aorder.\\u202ecreated"\n    partitions: 3\n',
        "api/openapi.yaml": 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths:\n  "/orders\\e[2J":\n    get:\n'
                            '      responses: {"200": {description: ok}}\n',
        "api/openapi.json": json.dumps({"openapi": "3.1.0", "info": {"title": "\ud800", "version": "1"},
                                        "paths": {"/x\u001b]0;pwned\u0007": {}}}),
        "event.avsc": json.dumps({"type": "record", "name": "Order\u001b[2JPlaced", "fields": []}),
        "client.py": "import requests\nrequests.get('http://\\x1b[2J')  # \x1b[2J\n",
    })
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    for fmt in ("text", "json", "sarif", "github", "markdown", "checklist"):
        p = subprocess.run([sys.executable, "-m", "commlint", "check", "--isolated", "--no-cache", "--select", "ALL",
                            "--format", fmt, "."], cwd=tmp_path, env=env, capture_output=True, timeout=60)
        assert p.returncode == 1, p.stderr.decode(errors="replace")[-2000:]
        out = p.stdout.decode("utf-8")  # strict
        assert "\x1b[2J" not in out and "\x1b]0;" not in out and "\u202e" not in out, fmt
        if fmt in ("json", "sarif"):
            json.loads(out)
