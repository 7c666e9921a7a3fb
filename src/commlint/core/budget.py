"""A per-file time budget (``file-timeout``): a CPU-time timer (SIGPROF) around one file's
parse and rules, so a busy machine (CI runners, parallel jobs) does not turn a slow file into
CL001: the budget counts the work the file costs, not the time others take. Nothing a file
makes commlint do waits without using CPU (reads are bounded and never block: core/safeio).

Used only where it is safe: on the main thread of a process (the CLI, or a
worker process) on a platform with ``signal.setitimer``; elsewhere the file
simply runs without a budget. A CPU timer someone else armed (a profiler, an
embedding application) is honoured: its handler still runs when its own time
is up, and it is re-armed with what is left when the budget ends.

The alarm interrupts Python code only: a C extension that does not return to
the interpreter (the YAML C loader, CPython's own parser) finishes its call
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


# the process's CPU time (user and system), the clock ITIMER_PROF counts down
TIMER = getattr(signal, "ITIMER_PROF", None)
SIGNAL = getattr(signal, "SIGPROF", None)
CLOCK = time.process_time


def available() -> bool:
    return (hasattr(signal, "setitimer") and TIMER is not None
            and threading.current_thread() is threading.main_thread())


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    if not seconds or seconds <= 0 or not available():
        yield
        return
    now = CLOCK()
    deadline = now + seconds
    outer_delay, outer_interval = signal.getitimer(TIMER)
    outer = [now + outer_delay] if outer_delay > 0 else []  # the outer timer's deadline, until it fires
    previous = signal.getsignal(SIGNAL)

    def on_alarm(signum, frame):  # noqa: ANN001, ANN202
        t = CLOCK()
        if outer and t >= outer[0] - 0.001:
            outer.clear()  # the outer timer's time is up: its handler runs as it would have
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(SIGNAL, signal.SIG_DFL)
                signal.raise_signal(SIGNAL)
            if t < deadline:
                signal.setitimer(TIMER, deadline - t)
                return
        raise FileTimeout

    signal.signal(SIGNAL, on_alarm)
    signal.setitimer(TIMER, max(0.001, min([deadline, *outer]) - now))
    try:
        yield
    finally:
        try:
            signal.setitimer(TIMER, 0)
        finally:  # even when the alarm lands on the line above
            signal.signal(SIGNAL, previous)
            if outer:
                signal.setitimer(TIMER, max(0.001, outer[0] - CLOCK()), outer_interval)
            elif outer_delay > 0 and outer_interval > 0:
                signal.setitimer(TIMER, outer_interval, outer_interval)
