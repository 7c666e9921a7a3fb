"""Reading a file's bytes: bounded, regular files only, and decoded as the kinds expect."""

from __future__ import annotations

import os
from pathlib import Path

from ..core import safeio
from ..core.stamps import ByStat


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM) for YAML, JSON, Avro and proto files."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")


DEPENDENCY_LIMIT = 64 * 1024 * 1024  # a dependency larger than this is known by its size


_DIGESTS: ByStat[str] = ByStat()


def file_digest(path: str) -> str:
    """What a dependency's content was (``missing`` for no such file; a folder listing
    for ``dir:<folder>[:<suffix>]``, a result that depends on which files exist).

    A file's digest is remembered with its stat and trusted while that is unchanged and
    settled (``core.stamps``, git's "racy" rule): the files of a tree import the same few
    files, thousands of times."""
    if path.startswith("dir:"):
        folder, _, suffix = path[4:].partition("\0")
        return safeio.listing_digest(folder, None, suffix or None)
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return safeio.digest(path, DEPENDENCY_LIMIT)
    return _DIGESTS.get(path, st, lambda: safeio.digest(path, DEPENDENCY_LIMIT))


def read_source(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (safeio: a FIFO, device or link put
    in its place since discovery raises OSError instead of blocking or reading forever)."""
    return safeio.read_file(path, limit, truncate=True)
