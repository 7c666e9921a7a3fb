"""A worker process never outlives the run that started it: what ties it to its parent."""

from __future__ import annotations

import os


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None) -> None:
    """A worker never outlives the run that started it (``kill -9`` of the run included):
    on Linux the kernel sends it SIGKILL when its parent dies (``PR_SET_PDEATHSIG``), and
    everywhere a watchdog thread exits once its parent is no longer its parent."""
    import signal
    import sys
    import threading
    import time

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent is None:
        return
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="commlint-watchdog", daemon=True).start()
