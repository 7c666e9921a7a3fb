"""The last walk of a tree, kept in the cache folder, reused while no folder of it has changed.

A folder's modification time changes whenever an entry is added to it, removed or renamed (POSIX),
and its change time when its permissions do; a ``.gitignore``'s own stat changes with its content.
So when every folder the walk entered and every ``.gitignore`` it read has the stat it had then,
walking again would find the same files, skip the same ones and say the same things (git's
"untracked cache" rests on the same fact). A warm run on ansible's 3,500 folders then costs
their stats instead of a walk that lists and matches 12,000 entries against the ignore patterns.

Kept only when no folder or ``.gitignore`` was modified in the two seconds before it was read (a
change in the same clock tick could go unseen, as for the result cache), keyed by what decides the listing (the paths
asked for, the root, ``exclude``, ``respect-gitignore``, commlint's code). The file is as
untrusted as the tree it sits in: anything malformed is ignored, and each path must stay
below the folder it was found in.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

FORMAT = 1
LIMIT = 64 * 1024 * 1024  # a listing larger than this is not read
RACY_NS = 2_000_000_000


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


class Recorder:
    """What a walk depended on: each folder entered and each ``.gitignore`` read, with their stat."""

    def __init__(self) -> None:
        self.stats: dict[str, list[int]] = {}
        self.messages: list[str] = []
        self.racy = False
        self._now = time.time_ns()

    def saw(self, path: str, st: os.stat_result) -> None:
        self.stats[path] = _stat_key(st)
        if self._now - st.st_mtime_ns < RACY_NS:
            self.racy = True  # changed in the last two seconds: a later change could share its time

    def saw_file(self, path: str) -> None:
        try:
            self.saw(path, os.stat(path))
        except OSError:
            self.racy = True


def key(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _file(directory: Path, salt: str) -> Path:
    return directory / f"listing-{salt}.json"


def load(directory: Path, salt: str, want: str) -> tuple[list[list[Any]], list[str]] | None:
    """The files and messages of the kept walk keyed ``want``, if nothing it depended on changed."""
    from ..core import safeio

    try:
        data = json.loads(safeio.read_file(_file(directory, salt), LIMIT))
    except (OSError, ValueError, RecursionError, safeio.TooLarge):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != want:
        return None
    stats, files, messages = data.get("stats"), data.get("files"), data.get("messages")
    if not isinstance(stats, dict) or not isinstance(files, list) or not isinstance(messages, list):
        return None
    for path, was in stats.items():
        try:
            if _stat_key(os.stat(path)) != was:
                return None
        except (OSError, ValueError, TypeError):
            return None
    if not all(isinstance(m, str) for m in messages) or not all(_well_formed(f) for f in files):
        return None
    return files, messages


def _well_formed(entry: Any) -> bool:
    """[path as opened, rel, kinds, below]: strings, paths with no '..' step, kinds of strings."""
    if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str) and isinstance(entry[1], str)
            and isinstance(entry[2], list) and entry[2] and all(isinstance(k, str) for k in entry[2])
            and isinstance(entry[3], str)):
        return False
    opened = entry[0].replace(os.sep, "/")
    return f"/{opened}/".find("/../") == -1 and f"/{entry[1]}/".find("/../") == -1 and "\x00" not in opened


def save(directory: Path, salt: str, want: str, files: list[list[Any]], record: Recorder) -> None:
    """Keep this walk (not when it saw a recent change, nor in a cache folder that cannot be written)."""
    from ..core.cachedir import write_into

    if record.racy:
        return
    try:
        write_into(directory, _file(directory, salt).name, json.dumps(
            {"format": FORMAT, "key": want, "stats": record.stats, "files": files, "messages": record.messages},
            separators=(",", ":")))
    except OSError:
        pass  # a read-only or full cache folder: the walk stands
