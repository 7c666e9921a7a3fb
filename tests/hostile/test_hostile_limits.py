"""Limits: the per-file time budget (``file-timeout``) in the main process and in
workers, with other timers around it; its configuration; results it cuts short
are never cached."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
from hostile import measure, write

import commlint.rules.sync_calls  # noqa: F401 - registers CL101 before the tests replace it
from commlint.core.config import ConfigError
from commlint.rules import CHECKS
from commlint.runner import Cache

CALL = "import requests\nrequests.get('http://orders')\n"
BAD_TOPIC = "topics:\n  - name: Orders.Order.Created\n    partitions: 3\n    config: {retention.ms: 604800000}\n"


def hang(ctx) -> None:  # noqa: ANN001
    while True:
        pass


def slow(seconds: float):  # noqa: ANN201
    def rule(ctx) -> None:  # noqa: ANN001
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pass
        original(ctx)

    return rule


original = CHECKS["CL101"]


@pytest.mark.timeout(60)
def test_a_rule_that_never_returns_is_cut_at_the_budget(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(CHECKS, "CL101", hang)
    write(tmp_path, {"svc/client.py": CALL, "topics.yaml": BAD_TOPIC})
    m = measure(tmp_path, {"file-timeout": 0.5})
    assert m.cl001("svc/client.py") == ["took longer than file-timeout (0.5 s); not checked"]
    assert "CL601" in m.codes("topics.yaml")  # the other files are checked as usual
    assert m.seconds < 10


@pytest.mark.timeout(90)
def test_the_budget_holds_in_worker_processes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(CHECKS, "CL101", hang)
    write(tmp_path, {f"svc{i}/client.py": CALL for i in range(20)})
    m = measure(tmp_path, {"file-timeout": 0.3}, jobs=2)
    assert len(m.cl001()) == 20 and all("took longer" in msg for msg in m.cl001())
    assert m.seconds < 45


@pytest.mark.timeout(60)
def test_a_file_within_its_budget_is_untouched(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(CHECKS, "CL101", slow(0.2))
    write(tmp_path, {"client.py": CALL})
    assert measure(tmp_path, {"file-timeout": 5}).codes() == {"CL101"}
    assert measure(tmp_path, {"file-timeout": 0}).codes() == {"CL101"}  # 0: no limit


@pytest.mark.timeout(60)
def test_an_outer_timer_still_fires_and_is_rearmed(tmp_path: Path, monkeypatch) -> None:
    """pytest-timeout, or an application embedding commlint, may have armed SIGALRM itself."""
    fired: list[float] = []
    previous = signal.signal(signal.SIGALRM, lambda s, f: fired.append(time.monotonic()))
    before = signal.getitimer(signal.ITIMER_REAL)
    try:
        write(tmp_path, {"client.py": CALL})
        # the outer timer is due while the file is being checked: its handler runs, the file finishes
        monkeypatch.setitem(CHECKS, "CL101", slow(0.6))
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        assert measure(tmp_path, {"file-timeout": 5}).codes() == {"CL101"}
        assert len(fired) == 1
        # the budget ends first: the outer timer is re-armed with what it had left
        monkeypatch.setitem(CHECKS, "CL101", hang)
        start = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, 1.5)
        assert "took longer" in measure(tmp_path, {"file-timeout": 0.2}).cl001()[0]
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < remaining <= 1.5
        while len(fired) < 2 and time.monotonic() - start < 5:
            time.sleep(0.05)
        assert len(fired) == 2 and fired[1] - start >= 1.4
    finally:
        signal.setitimer(signal.ITIMER_REAL, *before)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.timeout(60)
def test_no_budget_off_the_main_thread(tmp_path: Path, monkeypatch) -> None:
    """Signals reach only the main thread: elsewhere files run without a budget (and nothing breaks)."""
    monkeypatch.setitem(CHECKS, "CL101", slow(0.3))
    write(tmp_path, {"client.py": CALL})
    out = []
    t = threading.Thread(target=lambda: out.append(measure(tmp_path, {"file-timeout": 0.05})))
    t.start()
    t.join(30)
    assert out and out[0].codes() == {"CL101"}


@pytest.mark.timeout(60)
def test_a_timed_out_result_is_never_cached(tmp_path: Path, monkeypatch) -> None:
    from commlint.core.catalogue import load
    from commlint.core.config import build_settings
    from commlint.engine import make_plan

    write(tmp_path, {"client.py": CALL})
    settings = build_settings({"file-timeout": 0.3}, tmp_path, load())
    cache = lambda: Cache(tmp_path / ".cache", make_plan(settings, load()).key())  # noqa: E731
    monkeypatch.setitem(CHECKS, "CL101", hang)
    assert measure(tmp_path, {"file-timeout": 0.3}, cache=cache()).cl001()
    monkeypatch.setitem(CHECKS, "CL101", original)
    again = measure(tmp_path, {"file-timeout": 0.3}, cache=cache())
    assert again.codes() == {"CL101"}


@pytest.mark.parametrize("value", ["20", -1, True, [1]])
def test_file_timeout_must_be_a_number_of_seconds(tmp_path: Path, value) -> None:  # noqa: ANN001
    with pytest.raises(ConfigError, match="file-timeout"):
        measure(tmp_path, {"file-timeout": value})
