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

import json
import os
import re
import time
from pathlib import Path
from typing import Any, Callable

from ..core.hashing import hexdigest
from ..core.stamps import settled, stat_key

FORMAT = 3
LIMIT = 64 * 1024 * 1024  # a listing larger than this is not read


class Recorder:
    """What a walk depended on (each folder entered and each ``.gitignore`` read, with their stat)
    and what it said (``warn``: passed on, and kept to be said again by a run that reuses the walk)."""

    def __init__(self, said: Callable[[str], None]) -> None:
        self.stats: dict[str, list[int]] = {}
        self.messages: list[str] = []
        self.racy = False
        self._now = time.time_ns()
        self._said = said

    def warn(self, msg: str) -> None:
        self.messages.append(msg)
        self._said(msg)

    def saw(self, path: str, st: os.stat_result) -> None:
        self.stats[path] = stat_key(st)
        if not settled(st, self._now):
            self.racy = True  # changed in the last two seconds: a later change could share its time

    def saw_file(self, path: str) -> None:
        path = os.path.abspath(path)
        try:
            self.saw(path, os.stat(path))
        except OSError:
            self.racy = True


def key(parts: dict[str, Any]) -> str:
    return hexdigest(json.dumps(parts, sort_keys=True, default=str).encode(), 12)


def _file(directory: Path, salt: str) -> Path:
    return directory / f"listing-{salt}.json"


def load(directory: Path, salt: str, want: str, tops: list[str]) -> tuple[list[list[Any]], list[str]] | None:
    """The files and messages of the kept walk keyed ``want``, if nothing it depended on changed
    and every path in it lies below one of ``tops`` (the folders asked for, absolute)."""
    from ..core import safeio

    try:
        data = json.loads(safeio.read_file(_file(directory, salt), LIMIT))
    except (OSError, ValueError, RecursionError, safeio.TooLarge):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != want:
        return None
    stats, cols, messages, top = data.get("stats"), data.get("files"), data.get("messages"), data.get("top")
    if not isinstance(stats, dict) or not isinstance(cols, dict) or not isinstance(messages, list) \
            or not isinstance(top, str) or not _strings(messages):
        return None
    for path, was in stats.items():
        try:
            if stat_key(os.stat(top + path)) != was:
                return None
        except (OSError, ValueError, TypeError):
            return None
    files = _columns(cols, [t if t.endswith(os.sep) else t + os.sep for t in tops])
    return (files, messages) if files is not None else None


_UP = re.compile(r"(?:^|[/\\])\.\.(?:[/\\]|$)", re.M)  # a '..' step


def _below(path: str, tops: list[str]) -> bool:
    real = os.path.abspath(path or ".") + os.sep
    return any(real.startswith(t) for t in tops)


def _strings(values: Any) -> bool:
    return type(values) is list and set(map(type, values)) <= {str}


def _columns(cols: dict[str, Any], tops: list[str]) -> list[list[Any]] | None:
    """The files kept column by column (checked a column at a time: thousands of entries), or None
    when anything is malformed: a column of other than strings, a kinds index out of range, a
    reported path that is absolute or has a '..' step or a NUL, a path as opened outside ``tops``."""
    prefix, opened, rels, below, kinds, table = (cols.get(k) for k in ("prefix", "opened", "rel", "below", "kinds", "table"))
    if not (isinstance(prefix, str) and _strings(opened) and _strings(rels) and _strings(below)
            and type(kinds) is list and set(map(type, kinds)) <= {int} and type(table) is list
            and all(_strings(t) and t for t in table) and len(opened) == len(rels) == len(below) == len(kinds)):
        return None
    if kinds and not 0 <= min(kinds) <= max(kinds) < len(table):
        return None
    joined = "\n".join((*rels, *below))
    if "\x00" in joined or "\x00" in prefix or (".." in joined and _UP.search(joined) is not None):
        return None  # (the pattern walks every character: looked for only where a '..' is)
    if any(r[:1] in ("/", "\\") or r[1:2] == ":" for r in (*rels, *below)):
        return None  # absolute
    if not _below(prefix, tops) or not all(_below(o, tops) for o in opened if o):
        return None
    if any("\n" in r for r in rels) or "\n" in prefix:
        return None  # a name with a line break: the check above would not see its steps
    shared = [tuple(t) for t in table]
    return [[o or prefix + r, r, shared[k], b or r] for o, r, b, k in zip(opened, rels, below, kinds)]


def save(directory: Path, salt: str, want: str, files: list[list[Any]], record: Recorder) -> None:
    """Keep this walk (not when it saw a recent change, nor in a cache folder that cannot be written).
    Paths of folders are kept below their common start; a path as opened or below the folder asked
    for that is the reported path itself is left out."""
    from ..core.cachedir import write_into

    if record.racy or not record.stats:
        return
    try:
        top = os.path.commonpath(list(record.stats))
    except ValueError:  # paths on different drives
        return
    top = top if top.endswith(os.sep) else top + os.sep
    if any(not p.startswith(top) for p in record.stats):
        return
    stats = {p[len(top):]: v for p, v in record.stats.items()}
    ends: dict[str, int] = {}  # how the paths as opened begin, before the reported path ("./" for ".")
    for opened, rel, _, _ in files:
        if opened.endswith(rel):
            head = opened[: len(opened) - len(rel)]
            ends[head] = ends.get(head, 0) + 1
    prefix = max(ends, key=ends.__getitem__) if ends else ""
    table: list[list[str]] = []
    index: dict[tuple[str, ...], int] = {}
    kinds = []
    for _, _, ks, _ in files:
        key = tuple(ks)
        if key not in index:
            index[key] = len(table)
            table.append(list(ks))
        kinds.append(index[key])
    cols = {"prefix": prefix, "opened": ["" if o == prefix + r else o for o, r, _, _ in files],
            "rel": [r for _, r, _, _ in files], "below": ["" if b == r else b for _, r, _, b in files],
            "kinds": kinds, "table": table}
    try:
        write_into(directory, _file(directory, salt).name, json.dumps(
            {"format": FORMAT, "key": want, "top": top, "stats": stats, "files": cols,
             "messages": record.messages}, separators=(",", ":")))
    except OSError:
        pass  # a read-only or full cache folder: the walk stands
