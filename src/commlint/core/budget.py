"""A per-file time budget (``file-timeout``): SIGALRM around one file's parse and rules.

Used only where it is safe: on the main thread of a process (the CLI, or a
worker process) on a platform with ``signal.setitimer``; elsewhere the file
simply runs without a budget. A timer someone else armed (pytest-timeout, an
embedding application) is honoured: its handler still runs when its own time
is up, and it is re-armed with what is left when the budget ends.

The alarm interrupts Python code only: a C extension that does not return to
the interpreter (the YAML C loader, libcst's native parser) finishes its call
first. Inputs that make those slow are bounded by other limits (file size,
nesting depth, the alias budget).
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator


class FileTimeout(BaseException):
    """Raised inside the checked file's work when its budget is spent.

    A BaseException, so that a rule's ``except Exception`` does not swallow it.
    """


def available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    if not seconds or seconds <= 0 or not available():
        yield
        return
    now = time.monotonic()
    deadline = now + seconds
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    outer = [now + outer_delay] if outer_delay > 0 else []  # the outer timer's deadline, until it fires
    previous = signal.getsignal(signal.SIGALRM)

    def on_alarm(signum, frame):  # noqa: ANN001, ANN202
        t = time.monotonic()
        if outer and t >= outer[0] - 0.001:
            outer.clear()  # the outer timer's time is up: its handler runs as it would have
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
                signal.raise_signal(signal.SIGALRM)
            if t < deadline:
                signal.setitimer(signal.ITIMER_REAL, deadline - t)
                return
        raise FileTimeout

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(0.001, min([deadline, *outer]) - now))
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:  # even when the alarm lands on the line above
            signal.signal(signal.SIGALRM, previous)
            if outer:
                signal.setitimer(signal.ITIMER_REAL, max(0.001, outer[0] - time.monotonic()), outer_interval)
            elif outer_delay > 0 and outer_interval > 0:
                signal.setitimer(signal.ITIMER_REAL, outer_interval, outer_interval)
