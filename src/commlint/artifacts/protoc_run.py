"""protoc itself: one in-process run of grpcio-tools' protoc on named files, its messages
by file, files of an edition newer than the bundled protoc (compiled as the newest it
knows, then given their own edition back), and a large batch split between processes."""

from __future__ import annotations

import functools
import os
import re
import tempfile
from ..core.records import field, record
from pathlib import Path
from typing import Any

from ..core import safeio


@record
class Compiled:
    """protoc's verdict on one file: its descriptor, or its errors (line, column, message)."""

    name: str = ""  # the file's name inside protoc (relative to its include root)
    descriptor: Any = None  # google.protobuf.descriptor_pb2.FileDescriptorProto
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    unresolved: str | None = None  # why protoc was not run (an import that exists nowhere)
    pool: dict[str, Any] = field(default_factory=dict)  # every file of the batch and its imports, by name
    deps: tuple[str, ...] | None = None  # the files on disk it imports, transitively (None: not worked out)
    # compiled without source info: (its path on disk, its own root, the include roots) to compile it again with it
    again: tuple[str, str, tuple[str, ...]] | None = None


ERROR_RE = re.compile(r"^(?P<file>[^\n:]+?):(?:(?P<line>\d+):(?P<col>\d+):)?\s*(?P<msg>.*)$")


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


def _run_protoc(names: list[str], roots: tuple[Path, ...], lines: bool = True) -> tuple[int, str, list[Any]]:
    """protoc on ``names`` (relative to the roots): (exit status, its messages, the file descriptors),
    with source info (every element's span) when ``lines``."""
    from google.protobuf import descriptor_pb2
    from grpc_tools import protoc

    with tempfile.TemporaryDirectory(prefix="commlint-protoc-") as tmp, tempfile.TemporaryFile() as err:
        out = os.path.join(tmp, "set.pb")
        args = ["protoc", *[f"--proto_path={r}" for r in roots], f"--proto_path={wkt_dir()}",
                f"--descriptor_set_out={out}", *(["--include_source_info"] if lines else []), "--include_imports", *names]
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


EDITION_RE = re.compile(rb'^(\s*edition\s*=\s*)"(\d{4})"', re.M)


@functools.cache
def max_edition() -> int:
    """The newest edition the bundled protoc compiles, asked of it once (the years the bundled
    protobuf runtime knows, newest first)."""
    from google.protobuf import descriptor_pb2

    years = sorted((int(v.name[8:]) for v in descriptor_pb2.Edition.DESCRIPTOR.values if re.fullmatch(r"EDITION_\d{4}", v.name)),
                   reverse=True)
    with tempfile.TemporaryDirectory(prefix="commlint-edition-") as tmp:
        for year in years:
            Path(tmp, "probe.proto").write_text(f'edition = "{year}";\npackage probe;\n', encoding="utf-8")
            if _run_protoc(["probe.proto"], (Path(tmp),))[0] == 0:
                return year
    return 2023


@functools.cache
def edition_path() -> tuple[int, ...]:
    """The path the bundled protoc's source info gives an edition statement: its own field
    (14), or the syntax field's (12), as protoc 5.x has it. Asked of it once."""
    with tempfile.TemporaryDirectory(prefix="commlint-edition-") as tmp:
        Path(tmp, "probe.proto").write_text(f'edition = "{max_edition()}";\npackage probe;\n', encoding="utf-8")
        status, _, files = _run_protoc(["probe.proto"], (Path(tmp),))
    paths = {tuple(loc.path) for f in files for loc in f.source_code_info.location} if status == 0 else set()
    return (14,) if (14,) in paths else (12,)


def _newer(files: dict[str, bytes]) -> dict[str, int]:
    """The files (by path on disk) that declare an edition newer than the bundled protoc knows."""
    out = {}
    for path, data in files.items():
        m = EDITION_RE.search(data) if b"edition" in data else None
        if m and int(m.group(2)) > 2024 and int(m.group(2)) > max_edition():
            out[path] = int(m.group(2))
    return out


def _lowered(tmp: str, newer: dict[str, int], files: dict[str, bytes], roots: tuple[Path, ...]) -> dict[str, int]:
    """Copies, under ``tmp``, of the files newer than the bundled protoc, declaring the newest
    edition it knows instead: protoc reads them (what a newer edition adds is feature defaults,
    not syntax), and the descriptors get their own edition back. Returns name -> edition."""
    names = {}
    for path, year in newer.items():
        root = next((r for r in roots if path.startswith(f"{r}{os.sep}")), None)
        if root is None:
            continue
        name = path[len(str(root)) + 1:].replace(os.sep, "/")
        copy = Path(tmp, name)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(EDITION_RE.sub(lambda m: m.group(1) + f'"{max_edition()}"'.encode(), files[path], count=1))
        names[name] = year
    return names


def _restore(files: list[Any], lowered: dict[str, int]) -> None:
    from google.protobuf import descriptor_pb2

    for fd in files:
        year = lowered.get(fd.name)
        if year is not None and f"EDITION_{year}" in descriptor_pb2.Edition.keys():
            fd.edition = descriptor_pb2.Edition.Value(f"EDITION_{year}")


def _named(errors: dict[str, list[tuple[int, int, str]]], roots: tuple[Path, ...]) -> dict[str, list[tuple[int, int, str]]]:
    """protoc's messages by the files' names inside protoc (it names them by their path on disk)."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    prefixes = [f"{r}{os.sep}" for r in (*roots, wkt_dir())]
    for f, errs in errors.items():
        name = next((f[len(p):] for p in prefixes if f.startswith(p)), f)
        out.setdefault(name.replace(os.sep, "/"), []).extend(errs)
    return out


PARALLEL = [1]  # processes a batch may be compiled in (set by ``warm_all`` before workers fork)
SPLIT_FILES = 400  # a batch this large is split between them


def _in_parts(names: dict[str, Path], compile_part: Any, meanwhile: Any = None) -> dict[str, Any]:
    """``compile_part`` over the batch. Before the workers fork (PARALLEL > 1) it runs in
    forked processes, never in this one: a batch of SPLIT_FILES or more split into PARALLEL
    parts compiled at once (protoc holds the interpreter while it runs), a smaller one in
    one process. A part whose process dies (protoc crashed) or fails is left out: each of its
    files is then compiled alone by the worker that checks it, where a crash is that file's
    own (the runner reports the file that kills a worker); ``meanwhile()`` runs here while
    they do. Otherwise it runs here."""
    if PARALLEL[0] <= 1 or not hasattr(os, "fork"):
        return compile_part(names)
    import multiprocessing
    import pickle

    order = sorted(names)
    size = -(-len(order) // (PARALLEL[0] if len(names) >= SPLIT_FILES else 1))
    chunks = [{n: names[n] for n in order[i:i + size]} for i in range(0, len(order), size)]
    ctx = multiprocessing.get_context("fork")
    pipes = []
    for chunk in chunks:
        recv, send = ctx.Pipe(duplex=False)

        def child(chunk: dict[str, Path] = chunk, send: Any = send) -> None:
            try:
                send.send_bytes(pickle.dumps(compile_part(chunk), protocol=pickle.HIGHEST_PROTOCOL))
            finally:
                send.close()

        proc = ctx.Process(target=child, daemon=True)
        proc.start()
        send.close()
        pipes.append((proc, recv))
    if meanwhile is not None:
        try:
            meanwhile()
        except Exception:  # noqa: BLE001 - what it prepares is done again where it is needed
            pass
    results: dict[str, Any] = {}
    for proc, recv in pipes:
        try:
            results |= pickle.loads(recv.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            pass  # left to the workers, file by file
        finally:
            recv.close()
            proc.join()
    return results


def _verdict(name: str, found: dict[str, list[tuple[int, int, str]]], messages: str) -> Compiled:
    """A file protoc rejected: its own errors, or why it is not to blame."""
    errors: dict[str, list[tuple[int, int, str]]] = {}
    for f, errs in found.items():  # protoc names a file by its path on disk in some messages
        errors.setdefault(name if f == name or f.endswith("/" + name) else f, []).extend(errs)
    newer = next((m for errs in errors.values() for _, _, m in errs if "later than the maximum supported edition" in m), None)
    if newer is not None:  # the bundled protoc is older than the file (or an import): not the file's fault
        return Compiled(name, unresolved=f"the bundled protoc is older than the file: {newer}")
    others = [f for f in errors if f != name]
    if others:  # an import that does not compile: the importer is not to blame
        line, col, msg = errors[others[0]][0]
        return Compiled(name, unresolved=f"an imported file does not compile ({others[0]}:{line}:{col}: {msg})")
    return Compiled(name, errors=errors.get(name) or [(1, 1, messages.strip()[:300] or "protoc failed")])


def compiled_bytes(compiled: Compiled, data: bytes) -> bytes:
    """What protoc read of a file compiled in a batch, for its lines: the file on disk while it
    still holds ``data`` (the text checked, which has no byte order mark: protoc counts one in
    the first line's columns), else ``data``."""
    if compiled.again is not None:
        try:
            disk = safeio.read_file(compiled.again[0], 16 * 1024 * 1024)
        except (OSError, safeio.TooLarge):
            return data
        if disk != data and disk.removeprefix(b"\xef\xbb\xbf") == data:
            return disk
    return data
