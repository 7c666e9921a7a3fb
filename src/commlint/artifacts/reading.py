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


def decode_python(data: bytes) -> str:
    """Decode Python source as the interpreter would (BOM, PEP 263 cookie)."""
    import io
    import tokenize

    from . import ParseError

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ParseError(f"cannot determine the source encoding: {exc}") from None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        line = data[: getattr(exc, "start", 0)].count(b"\n") + 1
        raise ParseError(f"not valid {encoding}: {exc}", line=line) from None


DEPENDENCY_LIMIT = 64 * 1024 * 1024  # a dependency larger than this is known by its size


_DIGESTS: ByStat[str] = ByStat()


TREE_FILES_LIMIT = 20000  # Python files of a tree listed at most
_SKIPPED_DIRS = frozenset({"node_modules", "site-packages", "__pycache__", "venv", ".venv"})
_TREES: dict[str, tuple[list[Path], str]] = {}  # root -> its Python files and their digest, this run


def python_files(root: "os.PathLike[str] | str") -> list[Path]:
    """The Python files under ``root`` (hidden folders, virtual environments and
    ``node_modules`` left out; at most TREE_FILES_LIMIT), listed once per run: the files a
    search of the whole tree reads (who calls a helper), and whose set it depends on."""
    return _tree(os.fspath(root))[0]


def tree_dependency(root: "os.PathLike[str] | str") -> str:
    """The dependency key of the set of Python files under ``root``: a result that searched
    the whole tree is reused only while no Python file has come or gone."""
    return f"tree:{os.fspath(root)}"


def new_run() -> None:
    """Forget the trees listed by an earlier run (in this process): files may have come or gone."""
    _TREES.clear()


def _tree(root: str) -> tuple[list[Path], str]:
    from ..core.hashing import blake2b

    if root not in _TREES:
        found: list[Path] = []
        names: list[str] = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIPPED_DIRS)
            here = [f for f in sorted(filenames) if f.endswith(".py")]
            found.extend(Path(dirpath, f) for f in here)
            rel = os.path.relpath(dirpath, root)
            names.extend(os.path.join(rel, f) for f in here)
            if len(found) > TREE_FILES_LIMIT:
                break
        digest = blake2b("\0".join(names).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        _TREES[root] = (found, "tree:" + digest)
    return _TREES[root]


def file_digest(path: str) -> str:
    """What a dependency's content was (``missing`` for no such file; a folder listing
    for ``dir:<folder>[:<suffix>]``, a result that depends on which files exist; the set of
    a tree's Python files for ``tree:<root>``).

    A file's digest is remembered with its stat and trusted while that is unchanged and
    settled (``core.stamps``, git's "racy" rule): the files of a tree import the same few
    files, thousands of times."""
    if path.startswith("dir:"):
        folder, _, suffix = path[4:].partition("\0")
        return safeio.listing_digest(folder, None, suffix or None)
    if path.startswith("tree:"):
        return _tree(path[5:])[1]
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return safeio.digest(path, DEPENDENCY_LIMIT)
    return _DIGESTS.get(path, st, lambda: safeio.digest(path, DEPENDENCY_LIMIT))


def read_source(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (safeio: a FIFO, device or link put
    in its place since discovery raises OSError instead of blocking or reading forever)."""
    return safeio.read_file(path, limit, truncate=True)
