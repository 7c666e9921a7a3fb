"""Reading a file's bytes: bounded, regular files only, and decoded as the kinds expect."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM) for YAML, JSON, Avro and proto files."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")


def file_digest(path: str) -> str:
    """What a dependency's content was (``missing`` for no such file)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.blake2b(fh.read(), digest_size=16).hexdigest()
    except OSError:
        return "missing"


def read_source(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (a FIFO or device put in its place
    since discovery raises OSError instead of blocking or reading forever)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return fh.read(limit + 1)
