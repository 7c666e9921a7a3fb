"""Reading a file's bytes: bounded, regular files only, and decoded as the kinds expect."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..core import safeio


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM) for YAML, JSON, Avro and proto files."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")


DEPENDENCY_LIMIT = 64 * 1024 * 1024  # a dependency larger than this is known by its size


_DIGESTS: dict[str, tuple[tuple[int, ...], str, float]] = {}
RACY = 2.0  # seconds: a file changed this close to when it was hashed is hashed again


def file_digest(path: str) -> str:
    """What a dependency's content was (``missing`` for no such file; a folder listing
    for ``dir:<folder>[:<suffix>]``, a result that depends on which files exist).

    A file's digest is remembered with its status (size, inode, mtime, ctime) and trusted
    while that is unchanged and was already older than ``RACY`` seconds when it was read
    (git's "racy" rule): the files of a tree import the same few files, thousands of times."""
    if path.startswith("dir:"):
        folder, _, suffix = path[4:].partition("\0")
        return safeio.listing_digest(folder, None, suffix or None)
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return safeio.digest(path, DEPENDENCY_LIMIT)
    status = (st.st_size, st.st_ino, st.st_dev, st.st_mode, st.st_mtime_ns, st.st_ctime_ns)
    hit = _DIGESTS.get(path)
    if hit is not None and hit[0] == status and hit[2] - max(st.st_mtime, st.st_ctime) > RACY:
        return hit[1]
    now = time.time()
    digest = safeio.digest(path, DEPENDENCY_LIMIT)
    if len(_DIGESTS) > 100_000:
        _DIGESTS.clear()
    _DIGESTS[path] = (status, digest, now)
    return digest


def read_source(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (safeio: a FIFO, device or link put
    in its place since discovery raises OSError instead of blocking or reading forever)."""
    return safeio.read_file(path, limit, truncate=True)
