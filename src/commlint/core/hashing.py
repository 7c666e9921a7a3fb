"""The one hash commlint keys its caches with: BLAKE2b, from CPython's own module when there is one.

``import hashlib`` loads OpenSSL (5 ms of a 0.2 s warm run) to offer algorithms these keys never use.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without CPython's _blake2
    from hashlib import blake2b

__all__ = ["blake2b", "hexdigest"]


def hexdigest(data: bytes, size: int = 16) -> str:
    return blake2b(data, digest_size=size).hexdigest()
