"""A file's stat as a key, and git's "racy" rule: what lets a run trust a file unchanged without
reading it.

A file whose size, times, inode and device are those it had when it was read still holds what
was read then, with one exception: a write in the same clock tick as the read leaves the
modification time as it was. So a stat is trusted only when the file was modified well before
it was read (``settled``). The result cache, the kept listing of a walk and the in-process
memos of file digests (``ByStat``) all rest on this one rule.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Generic, TypeVar

RACY_NS = 2_000_000_000  # a file modified less than this before it was read is not trusted by its stat

T = TypeVar("T")


def stat_key(st: os.stat_result) -> list[int]:
    """What a later stat must equal for the file to be the one seen (a metadata change moves ctime)."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def settled(st: os.stat_result, read_at_ns: int) -> bool:
    """Whether the file had been left alone long enough before it was read at ``read_at_ns``."""
    return read_at_ns - st.st_mtime_ns >= RACY_NS


class ByStat(Generic[T]):
    """Values computed from files' contents (digests), remembered per path with the file's stat and
    reused while the stat is unchanged and was settled when the value was computed."""

    def __init__(self, limit: int = 100_000):
        self._kept: dict[str, tuple[list[int], T, int]] = {}
        self._limit = limit

    def get(self, path: str, st: os.stat_result, compute: Callable[[], T]) -> T:
        key = stat_key(st)
        hit = self._kept.get(path)
        if hit is not None and hit[0] == key and settled(st, hit[2]):
            return hit[1]
        now = time.time_ns()
        value = compute()
        if len(self._kept) >= self._limit:
            self._kept.clear()
        self._kept[path] = (key, value, now)
        return value

    def clear(self) -> None:
        self._kept.clear()
