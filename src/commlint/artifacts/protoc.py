"""``.proto`` files compiled by protoc itself, in process, to descriptors.

grpcio-tools ships protoc as a library (``grpc_tools.protoc.main``) with the
well-known types bundled; it is the reference compiler, so whatever it accepts
(editions, comments inside option brackets, ``import option``...) parses, and
what it rejects is reported with its own message, line and column.

Files are compiled in batches: every ``.proto`` under one include root (within
the run's root, bounded in count and bytes) in one invocation, with
``--include_source_info`` (lines and spans) and ``--include_imports``, so each
import is parsed once per batch; the results are kept per process for the
other files of the batch. A batch that fails is retried without the files that
protoc names in its errors, and those are compiled alone so their errors are
their own. protoc gets no plugin and no option from the checked repository:
only ``-I`` roots inside the run's root (and the bundled well-known types) and
a descriptor output in a temporary directory. Its messages go to file
descriptor 2, which is redirected to a temporary file around the call.

The include roots of a file are found from its imports: the nearest folder
above it under which every import exists (buf.yaml module folders first).
Where an import exists nowhere, the file is not compiled (``unresolved``): the
grammar parser reads it and a note says why.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import safeio

MAX_BATCH_FILES = 5000
MAX_BATCH_BYTES = 64 * 1024 * 1024
MAX_ROOT_DIRS = 5000
IMPORT_RE = re.compile(rb'^\s*import\s+(?:(?:weak|public|option)\s+)?"([^"\n]+)"\s*;', re.M)
ERROR_RE = re.compile(r"^(?P<file>[^\n:]+?):(?:(?P<line>\d+):(?P<col>\d+):)?\s*(?P<msg>.*)$")
_LOCK = threading.Lock()


@dataclass
class Compiled:
    """protoc's verdict on one file: its descriptor, or its errors (line, column, message)."""

    name: str = ""  # the file's name inside protoc (relative to its include root)
    descriptor: Any = None  # google.protobuf.descriptor_pb2.FileDescriptorProto
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    unresolved: str | None = None  # why protoc was not run (an import that exists nowhere)
    pool: dict[str, Any] = field(default_factory=dict)  # every file of the batch and its imports, by name


@functools.cache
def available() -> bool:
    try:
        import grpc_tools.protoc  # noqa: F401
        from google.protobuf import descriptor_pb2  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def wkt_dir() -> str:
    import grpc_tools

    return os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")


def _wkt(imp: str) -> bool:
    return os.path.isfile(os.path.join(wkt_dir(), imp))


def imports_of(data: bytes) -> list[str]:
    return [m.decode("utf-8", "replace") for m in IMPORT_RE.findall(data)]


def _module_roots(top: Path, folder: Path) -> list[Path]:
    """buf module folders (a buf.yaml, its v2 ``modules`` paths, buf.work.yaml directories) above ``folder``."""
    out: list[Path] = []
    for d in [folder, *folder.parents]:
        for name in ("buf.yaml", "buf.work.yaml"):
            cfg = d / name
            if cfg.is_file():
                try:
                    text = safeio.read_file(cfg, 65536, top, truncate=True).decode("utf-8", "replace")
                except OSError:
                    continue
                paths = re.findall(r"^\s*-\s*(?:path:\s*)?([\w./-]+)\s*$", text, re.M)
                out += [(d / p).resolve() for p in paths if ".." not in p]
                if name == "buf.yaml":
                    out.append(d)
        if d == top:
            break
    return [p for p in out if p == folder or p in folder.parents]


def roots_for(file: Path, data: bytes, top: Path) -> tuple[tuple[Path, ...], Path] | str:
    """(include roots, the file's own root) for compiling ``file``, or why its imports cannot be found."""
    folder = file.parent
    ancestors = [folder, *[p for p in folder.parents if p == top or top in p.parents]]
    preferred = _module_roots(top, folder)
    imports = [i for i in imports_of(data) if not _wkt(i)]
    roots: list[Path] = []
    for imp in imports:
        if ".." in imp.split("/"):
            return f"import {imp!r} leaves the include root"
        hit = next((a for a in [*preferred, *ancestors] if (a / imp).is_file()), None)
        if hit is None:
            return f'import "{imp}" is not found under any folder above the file (nor among the well-known types)'
        if hit not in roots:
            roots.append(hit)
    own = next((r for r in sorted(roots, key=lambda p: len(p.parts)) if r == folder or r in folder.parents), None)
    if own is None:
        own = preferred[0] if preferred else _package_root(folder, data, ancestors)
        roots.insert(0, own)
    return tuple(roots), own


def _package_root(folder: Path, data: bytes, ancestors: list[Path]) -> Path:
    """The folder a file without imports is compiled from: the one its package path starts at."""
    m = re.search(rb"^\s*package\s+([\w.]+)\s*;", data, re.M)
    if m:
        parts = m.group(1).decode().split(".")
        if len(parts) <= len(folder.parts) and list(folder.parts[-len(parts):]) == parts:
            up = folder.parents[len(parts) - 1]
            if up in ancestors:
                return up
    return folder


# -- compiling ------------------------------------------------------------------------------

_CACHE: dict[tuple[str, ...], dict[str, Compiled]] = {}
_STAMPS: dict[tuple[str, ...], dict[str, tuple[int, int]]] = {}


def _stamp(p: Path) -> tuple[int, int]:
    try:
        st = p.stat()
    except OSError:
        return (0, -1)
    return (st.st_mtime_ns, st.st_size)


def compile_file(file: Path, text: str, top: Path) -> Compiled:
    """protoc's verdict on ``file`` (whose content is ``text``), compiled with the other files of its batch."""
    data = text.encode("utf-8")
    found = roots_for(file, data, top)
    if isinstance(found, str):
        return Compiled(unresolved=found)
    roots, own = found
    if file.relative_to(own).as_posix().startswith("-"):
        return Compiled(unresolved="its name starts with '-', which protoc would read as an option")
    key = (str(own), *map(str, roots))
    with _LOCK:
        stamps = _STAMPS.get(key)
        if stamps is None or stamps.get(str(file)) != _stamp(file):
            batch = _batch(file, own, roots, top)
            _STAMPS[key] = {str(p): _stamp(p) for p in batch}
            _CACHE[key] = _compile_batch(batch, own, roots)
            if len(_CACHE) > 64:
                oldest = next(iter(_CACHE))
                _CACHE.pop(oldest)
                _STAMPS.pop(oldest, None)
        result = _CACHE[key].get(str(file))
    on_disk = None
    try:
        on_disk = safeio.read_file(file, MAX_BATCH_BYTES, top)
    except OSError:
        pass
    if result is None or on_disk is None or hashlib.sha1(on_disk.removeprefix(b"\xef\xbb\xbf")).digest() != hashlib.sha1(data).digest():
        return _compile_alone(file, data, own, roots)  # the text checked is not the file on disk
    return result


def _batch(file: Path, own: Path, roots: tuple[Path, ...], top: Path) -> list[Path]:
    """Every .proto under ``own`` with the same roots, bounded; else those of the file's folder."""
    out, size = [], 0
    for dirs, (here, subdirs, names) in enumerate(os.walk(own), start=1):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d != "node_modules")
        for n in sorted(names):
            if not n.endswith(".proto"):
                continue
            p = Path(here, n)
            try:
                data = safeio.read_file(p, 16 * 1024 * 1024, top)
            except (OSError, safeio.TooLarge):
                continue
            if p.relative_to(own).as_posix().startswith("-"):
                continue  # protoc would read the name as an option
            if p != file:
                got = roots_for(p, data, top)
                if isinstance(got, str) or got != (roots, own):
                    continue
            out.append(p)
            size += len(data)
        if dirs > MAX_ROOT_DIRS or len(out) > MAX_BATCH_FILES or size > MAX_BATCH_BYTES:
            return sorted(p for p in out if p.parent == file.parent) or [file]
    return out or [file]


def _run_protoc(names: list[str], roots: tuple[Path, ...]) -> tuple[int, str, list[Any]]:
    """protoc on ``names`` (relative to the roots): (exit status, its messages, the file descriptors)."""
    from google.protobuf import descriptor_pb2
    from grpc_tools import protoc

    with tempfile.TemporaryDirectory(prefix="commlint-protoc-") as tmp, tempfile.TemporaryFile() as err:
        out = os.path.join(tmp, "set.pb")
        args = ["protoc", *[f"--proto_path={r}" for r in roots], f"--proto_path={wkt_dir()}",
                f"--descriptor_set_out={out}", "--include_source_info", "--include_imports", *names]
        saved = os.dup(2)
        try:
            os.dup2(err.fileno(), 2)
            status = protoc.main(args)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        err.seek(0)
        messages = err.read(1 << 20).decode("utf-8", "replace")
        fds = descriptor_pb2.FileDescriptorSet()
        if status == 0 and os.path.exists(out):
            fds.ParseFromString(safeio.read_file(out, 1 << 31))
    return status, messages, list(fds.file)


def _errors(messages: str) -> dict[str, list[tuple[int, int, str]]]:
    out: dict[str, list[tuple[int, int, str]]] = {}
    for line in messages.splitlines():
        m = ERROR_RE.match(line)
        if not m or m.group("msg").startswith("warning:"):
            continue
        out.setdefault(m.group("file"), []).append((int(m.group("line") or 1), int(m.group("col") or 1), m.group("msg")))
    return out


def _compile_batch(batch: list[Path], own: Path, roots: tuple[Path, ...]) -> dict[str, Compiled]:
    names = {p.relative_to(own).as_posix(): p for p in batch}
    left = dict(names)
    results: dict[str, Compiled] = {}
    for _ in range(6):
        if not left:
            break
        status, messages, files = _run_protoc(sorted(left), roots)
        if status == 0:
            pool = {f.name: f for f in files}
            for name, p in left.items():
                results[str(p)] = Compiled(name, pool.get(name), pool=pool)
            return results
        named = {f for f in _errors(messages) if f in left}
        if not named:
            break
        for name in named:
            results[str(left.pop(name))] = _compile_alone(names[name], None, own, roots)
    for name, p in left.items():  # what is left when retrying gives up: one by one
        results[str(p)] = _compile_alone(p, None, own, roots)
    return results


def _compile_alone(file: Path, data: bytes | None, own: Path, roots: tuple[Path, ...]) -> Compiled:
    """One file alone; ``data`` (when given) stands for its content on disk."""
    name = file.relative_to(own).as_posix()
    if data is None:
        status, messages, files = _run_protoc([name], roots)
    else:
        with tempfile.TemporaryDirectory(prefix="commlint-proto-") as tmp:
            copy = Path(tmp, name)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
            status, messages, files = _run_protoc([name], (Path(tmp), *roots))
    pool = {f.name: f for f in files}
    if status == 0 and name in pool:
        return Compiled(name, pool[name], pool=pool)
    errors: dict[str, list[tuple[int, int, str]]] = {}
    for f, errs in _errors(messages).items():  # protoc names a file by its path on disk in some messages
        errors.setdefault(name if f == name or f.endswith("/" + name) else f, []).extend(errs)
    newer = next((m for errs in errors.values() for _, _, m in errs if "later than the maximum supported edition" in m), None)
    if newer is not None:  # the bundled protoc is older than the file (or an import): not the file's fault
        return Compiled(name, unresolved=f"the bundled protoc is older than the file: {newer}")
    others = [f for f in errors if f != name]
    if others:  # an import that does not compile: the importer is not to blame
        line, col, msg = errors[others[0]][0]
        return Compiled(name, unresolved=f"an imported file does not compile ({others[0]}:{line}:{col}: {msg})")
    return Compiled(name, errors=errors.get(name) or [(1, 1, messages.strip()[:300] or "protoc failed")])


def clear() -> None:
    """Forget compiled batches (tests that rewrite files within one mtime tick)."""
    with _LOCK:
        _CACHE.clear()
        _STAMPS.clear()
