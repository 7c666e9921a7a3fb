"""Helpers and fixtures for the hostile-input suite (test modules import the
fixtures they use): build a case in a temporary folder, run commlint on it
(in-process or through the command line) and measure the run. Deliberately no
conftest.py here: ``from conftest import`` in tests/ must keep meaning tests/conftest.py.

Every case is generated on the fly; nothing large is committed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from commlint.core.catalogue import load
from commlint.core.config import build_settings
from commlint.engine import RunResult
from commlint.api import check_paths

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


@dataclass
class Measured:
    result: RunResult
    seconds: float
    peak_bytes: int | None  # Python allocations at the peak (tracemalloc), when measured

    def cl001(self, path: str | None = None) -> list[str]:
        return [f.message for f in self.result.active
                if f.code == "CL001" and (path is None or f.location.path == path)]

    def codes(self, path: str | None = None) -> set[str]:
        return {f.code for f in self.result.active if path is None or f.location.path == path}

    def internal_errors(self) -> list[str]:
        return [f"{f.location.path}: {f.message}" for f in self.result.active if "internal error" in f.message]


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode("utf-8", "surrogatepass"))


def measure(root: Path, config: dict[str, Any] | None = None, *, memory: bool = False,
            paths: list[Path] | None = None, **kw: Any) -> Measured:
    """Run the whole engine on ``root`` (one process: the time budget and the
    measurements see everything)."""
    # One-line snippets stand for real code here: the header and pooling rules (CL111, CL112,
    # CL121) judge style, not robustness, and would fire on every one of them.
    defaults = {"select": ["ALL"], "ignore": ["CL111", "CL112", "CL121"]}
    settings = build_settings({**defaults, **(config or {})}, root, load(), None)
    kw.setdefault("jobs", 1)
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        result = check_paths(paths or [root], settings, **kw)
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if memory else None
        if memory:
            tracemalloc.stop()
    return Measured(result, seconds, peak)


@pytest.fixture
def case(tmp_path: Path):
    """``case(files, config=None, memory=False)``: write the files, run commlint, measure it."""

    def _case(files: dict[str, str | bytes], config: dict[str, Any] | None = None, **kw: Any) -> Measured:
        write(tmp_path, files)
        return measure(tmp_path, config, **kw)

    return _case


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m commlint`` with this checkout's source first on the path."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO / "src")}
    env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-m", "commlint", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=timeout)


# -- no network, no execution ----------------------------------------------------------------

# Libraries commlint imports lazily, imported here first: urllib3 (under
# jsonschema-path's handlers) probes IPv6 support with a loopback socket at
# import time, which is not commlint reaching the network.
PREIMPORT = ("yaml", "fastavro", "hcl2", "jsonschema", "openapi_spec_validator",
             "jsonschema_path", "proto_schema_parser", "avro.schema")


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch):
    """Every way to open a socket or start a program fails, and is recorded.

    Yields the list of attempts; ``git`` (for ``--base``) is the only program allowed.
    """
    import importlib

    for mod in PREIMPORT:
        try:
            importlib.import_module(mod)
        except ImportError:
            pass
    attempts: list[str] = []

    def deny(what: str):  # noqa: ANN202
        def _deny(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args!r}"[:300])
            raise NetworkAttempt(f"{what} is not allowed during a commlint run")

        return _deny

    class GuardedSocket(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            deny("socket.socket")(*args)

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair", "fromfd"):
        monkeypatch.setattr(socket, name, deny(f"socket.{name}"))
    real_popen_init = subprocess.Popen.__init__

    def popen(self: Any, args: Any, *a: Any, **k: Any) -> None:
        argv = [args] if isinstance(args, (str, bytes)) else list(args)
        if not argv or os.path.basename(str(argv[0])) != "git":
            deny("subprocess")(argv)
        real_popen_init(self, args, *a, **k)

    monkeypatch.setattr(subprocess.Popen, "__init__", popen)
    monkeypatch.setattr(os, "system", deny("os.system"))
    yield attempts
