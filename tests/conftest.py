"""Shared test helpers: run commlint on files written to a temporary folder and
read the lines each file marks as expected (``# expect: CL101``)."""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import os

import pytest
from hypothesis import settings as hypothesis_settings

from commlint.core.catalogue import load
from commlint.core.config import build_settings
from commlint.engine import RunResult
from commlint.api import check_paths

# The suite is the landing gate: its property tests draw the same examples on every run, so a
# red run is a change's doing, not the luck of the draw. COMMLINT_FUZZ_RANDOM=1 draws afresh
# (with COMMLINT_FUZZ_EXAMPLES=5000, the long fuzzing run of tests/hostile/test_hostile_fuzz.py).
hypothesis_settings.register_profile("commlint", derandomize=not os.environ.get("COMMLINT_FUZZ_RANDOM"))
hypothesis_settings.load_profile("commlint")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"

EXPECT_RE = re.compile(r"(?:#|//|/\*)\s*expect:\s*(?P<codes>CL\d{3}(?:\s*,\s*CL\d{3})*)")


def expected_markers(files: dict[str, str]) -> set[tuple[str, int, str]]:
    out = set()
    for path, text in files.items():
        for i, line in enumerate(text.splitlines(), start=1):
            for m in EXPECT_RE.finditer(line):
                for code in m.group("codes").split(","):
                    out.add((path, i, code.strip()))
    return out


def family_codes(family: str) -> set[str]:
    """The codes of every rule the catalogue lists in a family (``topics``, ``sync_calls``...)."""
    codes = {r.code for r in load().rules if r.family == family}
    assert codes, f"no family {family!r} in the catalogue"
    return codes


def expected_sidecar(entries: tuple[str, ...] | list[str]) -> set[tuple[str, int, str]]:
    out = set()
    for e in entries:
        path, line, code = e.rsplit(":", 2)
        out.add((path, int(line), code))
    return out


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text.lstrip("\n"), encoding="utf-8")


def normalise(files: dict[str, str]) -> dict[str, str]:
    """Examples are written with a leading newline for readability; line numbers count without it."""
    return {k: v.lstrip("\n") for k, v in files.items()}


def run(root: Path, config: dict[str, Any] | None = None, paths: list[Path] | None = None, **kw: Any) -> RunResult:
    settings = build_settings(dict(config or {}), root, load(), None)
    return check_paths(paths or [root], settings, **kw)


def found(result: RunResult, codes: set[str] | None = None) -> set[tuple[str, int, str]]:
    return {
        (f.location.path, f.location.line, f.code)
        for f in result.active
        if codes is None or f.code in codes
    }


@pytest.fixture
def check_tree(tmp_path: Path):
    def _check(files: dict[str, str], config: dict[str, Any] | None = None, **kw: Any) -> RunResult:
        write_tree(tmp_path, files)
        return run(tmp_path, config, **kw)

    return _check


@dataclass
class Invocation:
    exit_code: int
    output: str  # stdout, then stderr


def cli_invoke(args: list[str]) -> Invocation:
    """Run ``commlint ARGS`` in this process (the command line is ``commlint.cli.main``)."""
    from commlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as done:
            code = done.code
    return Invocation(code if isinstance(code, int) else (0 if code is None else 2), out.getvalue() + err.getvalue())
