"""``.proto`` files compiled by protoc itself, in process, to descriptors.

grpcio-tools ships protoc as a library (``grpc_tools.protoc.main``) with the
well-known types bundled; it is the reference compiler, so whatever it accepts
(editions, comments inside option brackets, ``import option``...) parses, and
what it rejects is reported with its own message, line and column.

Files are compiled in batches: every ``.proto`` under one include root (within
the run's root, bounded in count and bytes) in one invocation, with
``--include_imports``, so each import is parsed once per batch, and with
``--include_source_info`` (lines and spans) only when every line will be read
(``LINES``; otherwise a file whose finding needs a line is compiled again alone
for it, ``source_info``, and its top-level statements are found in its text); the results are kept per process for the
other files of the batch, for as long as the file and everything it imports
hold the content they were compiled from (their sha1s are compared: a changed
import recompiles the batch). protoc stops at the first file that fails: that
file is dropped with every file of the batch importing it, and the run goes on
from there (see ``_compile_batch``), so a failing file costs one short run, not
a recompilation of the batch per file; the files that fail are compiled alone
so that their errors are their own (the first ``MAX_ALONE``), and importers of
a failing file are read by the grammar parser, with a note saying why.
protoc gets no plugin and no option from the checked repository:
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
import stat
import threading
import time
from collections import OrderedDict
from ..core.records import record
from pathlib import Path
from typing import Any

from ..core import safeio
from ..core.stamps import ByStat
from . import PROTO_LINES
from .protoc_run import (PARALLEL, Compiled, _errors, _in_parts, _lowered, _named, _newer, _restore,  # noqa: F401
                         _run_protoc, _verdict, available, compiled_bytes, edition_path, max_edition, wkt_dir)

MAX_BATCH_FILES = 5000
MAX_BATCH_BYTES = 64 * 1024 * 1024
MAX_ROOT_DIRS = 5000
# starts with its literal word, which the regex engine looks for quickly; the line must hold nothing before it
IMPORT_RE = re.compile(rb'import\s+(?:(?:weak|public|option)\s+)?"([^"\n]+)"\s*;')
_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4096)
def _wkt(imp: str) -> bool:
    return os.path.isfile(os.path.join(wkt_dir(), imp))


@functools.lru_cache(maxsize=4096)
def _imports(data: bytes) -> tuple[str, ...]:
    out = []
    for m in IMPORT_RE.finditer(data):
        start = m.start()
        if data[data.rfind(b"\n", 0, start) + 1:start].strip() == b"":
            out.append(m.group(1).decode("utf-8", "replace"))
    return tuple(out)


def imports_of(data: bytes) -> list[str]:
    return list(_imports(data))


_MEMO: dict[str, Any] = {}  # module roots by folder, files found: the layout of the tree, for MEMO_SECONDS
MEMO_SECONDS = 60.0
_MEMO_SINCE = [0.0]


def _memo(key: str, compute: Any) -> Any:
    """The tree's layout (which files exist, where buf modules start) looked up once per run: a
    check of thousands of files asks the same questions of the same folders."""
    now = time.monotonic()
    if now - _MEMO_SINCE[0] > MEMO_SECONDS or len(_MEMO) > 200_000:
        _MEMO.clear()
        _MEMO_SINCE[0] = now
    if key not in _MEMO:
        _MEMO[key] = compute()
    return _MEMO[key]


def _is_file(path: str) -> bool:
    return _memo(f"f:{path}", lambda: os.path.isfile(path))


def _module_roots(top: Path, folder: Path) -> list[Path]:
    """buf module folders (a buf.yaml, its v2 ``modules`` paths, buf.work.yaml directories) above ``folder``."""
    return _memo(f"m:{top}\0{folder}", lambda: _find_module_roots(top, folder))


def _find_module_roots(top: Path, folder: Path) -> list[Path]:
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
    key, digest = f"r:{top}\0{file}", hashlib.sha1(data).digest()
    hit = _memo(key, lambda: None)
    if hit is not None and hit[0] == digest:
        return hit[1]
    found = _roots_for(file, data, top)
    _MEMO[key] = (digest, found)
    return found


def _roots_for(file: Path, data: bytes, top: Path) -> tuple[tuple[Path, ...], Path] | str:
    folder = file.parent
    ancestors = [folder]
    if folder != top:
        for p in folder.parents:
            ancestors.append(p)
            if p == top:
                break
    preferred = _module_roots(top, folder)
    imports = [i for i in imports_of(data) if not _wkt(i)]
    roots: list[Path] = []
    places = [(a, str(a)) for a in [*preferred, *ancestors]]
    for imp in imports:
        if ".." in imp.split("/"):
            return f"import {imp!r} leaves the include root"
        hit = next((a for a, s in places if _is_file(os.path.join(s, imp))), None)
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


@record
class _Batch:
    """One compiled batch: each file's verdict, and the content it was compiled from (the sha1 of
    every file of the batch and of every file they import, by path on disk)."""

    results: dict[str, Compiled]
    digests: dict[str, bytes]
    closure: dict[str, tuple[str, ...]]  # a file of the batch -> the files on disk it imports, transitively


_CACHE: OrderedDict[tuple[str, ...], _Batch] = OrderedDict()
MAX_CACHED = 64


_HASHED: ByStat[bytes | None] = ByStat()


def _digest(path: str) -> bytes | None:
    """The sha1 of a regular file's content (a leading BOM dropped), remembered with the file's
    stat while that is unchanged and settled (``core.stamps``, git's "racy" rule)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > 16 * 1024 * 1024:
        return None

    def compute() -> bytes | None:
        try:  # a file of the tree or a well-known type bundled with protoc, opened the one safe way
            data = safeio.read_file(path, 16 * 1024 * 1024)
        except OSError:
            return None
        return hashlib.sha1(data.removeprefix(b"\xef\xbb\xbf")).digest()

    return _HASHED.get(path, st, compute)


def _fresh(batch: _Batch, file: Path, own_digest: bytes) -> bool:
    """Whether the file and every file it imports still hold the content the batch was compiled from."""
    key = str(file)
    if batch.digests.get(key) != own_digest:
        return False
    return all(_digest(dep) == batch.digests.get(dep) for dep in batch.closure.get(key, ()))


def compile_file(file: Path, text: str, top: Path) -> Compiled:
    """protoc's verdict on ``file`` (whose content is ``text``), compiled with the other files of its batch."""
    data = text.encode("utf-8")
    found = roots_for(file, data, top)
    if isinstance(found, str):
        return Compiled(unresolved=found)
    roots, own = found
    if file.relative_to(own).as_posix().startswith("-"):
        return Compiled(unresolved="its name starts with '-', which protoc would read as an option")
    digest = hashlib.sha1(data).digest()
    if _digest(str(file)) != digest:
        return _compile_alone(file, data, own, roots)  # the text checked is not the file on disk
    key = (str(own), *map(str, roots))
    with _LOCK:
        batch = _CACHE.get(key)
        if batch is None or not _fresh(batch, file, digest):
            batch = _compile_batch(_batch(file, own, roots, top), own, roots, top)
            _CACHE[key] = batch
        _CACHE.move_to_end(key)
        while len(_CACHE) > MAX_CACHED:
            _CACHE.popitem(last=False)
    result = batch.results.get(str(file))
    if result is None:
        return _compile_alone(file, None, own, roots)
    result.deps = batch.closure.get(str(file), ())
    return result


_KNOWN: dict[Path, bytes] = {}


MEANWHILE: list[Any] = [None]  # set by warm_all: what this process does while protoc runs in others


def warm_all(files: list[tuple[Path, bytes]], top: Path, processes: int, meanwhile: Any = None) -> None:
    """``warm`` for every file, a large batch split between ``processes`` at once; while they
    run, ``meanwhile(paths)`` is called here with the files of the batch that protoc will not
    compile (their imports do not compile)."""
    PARALLEL[0] = max(1, processes)
    MEANWHILE[0] = meanwhile
    _KNOWN.update(files)  # what the run read already, not read again while batching
    try:
        for file, data in files:
            try:
                warm(file, data, top)
            except Exception:  # noqa: BLE001 - the worker compiling the file reports it
                continue
    finally:
        PARALLEL[0], MEANWHILE[0] = 1, None
        _KNOWN.clear()


def warm(file: Path, data: bytes, top: Path) -> None:
    """Compile the batch ``file`` belongs to, unless it is compiled already (its freshness is
    checked when the file itself is compiled; a file of a part whose process died is left to
    the worker that checks it)."""
    found = roots_for(file, data, top)
    if isinstance(found, str) or file.relative_to(found[1]).as_posix().startswith("-"):
        return
    roots, own = found
    key = (str(own), *map(str, roots))
    with _LOCK:
        batch = _CACHE.get(key)
        if batch is not None and (str(file) in batch.results or str(file) in batch.digests):
            return
    try:
        compile_file(file, data.decode("utf-8"), top)
    except UnicodeDecodeError:
        return


def _batch(file: Path, own: Path, roots: tuple[Path, ...], top: Path) -> dict[Path, bytes]:
    """Every .proto under ``own`` with the same roots (and its content), bounded; else those of the file's folder."""
    out: dict[Path, bytes] = {}
    size = 0
    for dirs, (here, subdirs, names) in enumerate(os.walk(own), start=1):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d != "node_modules")
        for n in sorted(names):
            if not n.endswith(".proto"):
                continue
            p = Path(here, n)
            data = _KNOWN.get(p)
            if data is None:
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
            out[p] = data
            size += len(data)
        if dirs > MAX_ROOT_DIRS or len(out) > MAX_BATCH_FILES or size > MAX_BATCH_BYTES:
            return {p: d for p, d in out.items() if p.parent == file.parent} or _one(file, top)
    return out or _one(file, top)


def _one(file: Path, top: Path) -> dict[Path, bytes]:
    try:
        return {file: safeio.read_file(file, 16 * 1024 * 1024, top)}
    except (OSError, safeio.TooLarge):
        return {file: b""}


# Batches compiled with source info (every element's span): on when every line will be asked
# for (facts of each element for the cross-file rules), off when only findings need lines
# (``source_info`` then compiles a file with a finding again alone, with it).
LINES = PROTO_LINES  # the flag ``artifacts.collecting_facts`` sets, shared: this module is imported only when needed
MAX_RUNS = 32  # protoc invocations on one batch, failing ones included
MAX_ALONE = 16  # failing files of one batch compiled alone for their own messages
IMPORT_FAILED = re.compile(r'^Import "[^"]+" was not found or had errors\.$')


def _compile_batch(batch: dict[Path, bytes], own: Path, roots: tuple[Path, ...], top: Path) -> _Batch:
    """Every file of the batch compiled in as few protoc runs as its failures allow.

    protoc stops at the first file that fails, in the order the files are given, and writes no
    descriptor then: each failing run names a file, every file before the one that failed
    compiled, and what comes after it was not looked at. So the file that failed is dropped, as
    is every file of the batch that imports it (directly or not: protoc would reject it too, and
    the grammar reads it instead), and the run goes on from there, the files known good moved
    to the end: k failing files cost about k short runs and one run over the rest, never a run
    per file. A run whose messages name no file of the batch is split in two. Files that import
    a file whose own imports exist nowhere are known to fail before any run, and left out."""
    names = {p.relative_to(own).as_posix(): p for p in batch}
    digests, closure, contents = _closures(names, batch, roots)
    results = _doomed(names, batch, roots, top, contents)
    names = {n: p for n, p in names.items() if str(p) not in results}
    newer = _newer(contents)
    with tempfile.TemporaryDirectory(prefix="commlint-editions-") as tmp:
        lowered = _lowered(tmp, newer, contents, roots) if newer else {}
        run_roots = (Path(tmp), *roots) if lowered else roots
        lines = LINES[0]
        hook = MEANWHILE[0]
        results |= _in_parts(names, lambda part: _compile_names(part, batch, own, run_roots, lowered, lines),
                             (lambda: hook(list(results))) if hook is not None else None)
    if not lines:
        for path, res in results.items():
            if res.descriptor is not None and not res.descriptor.HasField("source_code_info"):
                res.again = (path, str(own), tuple(map(str, roots)))
    return _Batch(results, digests, closure)


def _doomed(names: dict[str, Path], batch: dict[Path, bytes], roots: tuple[Path, ...], top: Path,
            contents: dict[str, bytes]) -> dict[str, Compiled]:
    """The files of the batch that import, directly or not, a file protoc cannot compile because
    its own imports exist nowhere (protoc would stop on each of them, one run each)."""
    inside = {str(p) for p in batch}
    bad: dict[str, str] = {}
    for path, data in contents.items():
        if path in inside:
            continue
        root = next((r for r in roots if path.startswith(f"{r}{os.sep}")), None)
        why = roots_for(Path(path), data, top) if root is not None and (top == Path(path) or top in Path(path).parents) else None
        if isinstance(why, str):
            bad[path[len(str(root)) + 1:].replace(os.sep, "/")] = why
    if not bad:
        return {}
    imports = {n: [i for i in imports_of(batch[p]) if not _wkt(i)] for n, p in names.items()}
    out: dict[str, Compiled] = {}
    changed = True
    while changed:
        changed = False
        for n, p in names.items():
            hit = next((i for i in imports[n] if i in bad), None) if str(p) not in out else None
            if hit is not None:
                bad[n] = bad[hit]
                out[str(p)] = Compiled(n, unresolved=f"an imported file does not compile ({hit}: {bad[hit]})")
                changed = True
    return out


def _compile_names(names: dict[str, Path], batch: dict[Path, bytes], own: Path, roots: tuple[Path, ...],
                   lowered: dict[str, int], lines: bool = True) -> dict[str, Compiled]:
    imports = {n: [i for i in imports_of(batch[p]) if not _wkt(i)] for n, p in names.items()}
    results: dict[str, Compiled] = {}
    stack, runs, alone = [sorted(names)], 0, 0
    while stack:
        seq = stack.pop()
        if not seq:
            continue
        if runs >= MAX_RUNS:
            for n in seq:
                results[str(names[n])] = Compiled(n, unresolved=f"protoc's batch did not settle within {MAX_RUNS} runs")
            continue
        status, messages, files = _run_protoc(seq, roots, lines)
        runs += 1
        if status == 0:
            _restore(files, lowered)
            pool = {f.name: f for f in files}
            for n in seq:
                results[str(names[n])] = Compiled(n, pool.get(n), pool=pool)
            continue
        errors = _named(_errors(messages), roots)
        failed = _failures(seq, errors, imports)
        if failed is None:
            if len(seq) == 1:
                results[str(names[seq[0]])] = _verdict(seq[0], errors, messages)
            else:
                stack += [seq[len(seq) // 2:], seq[:len(seq) // 2]]
            continue
        at, broken, victims = failed
        for n in broken:
            alone += 1
            results[str(names[n])] = _compile_alone(names[n], None, own, roots, lowered) if alone <= MAX_ALONE else \
                _verdict(n, errors, messages)
        for n, cause in victims.items():
            results[str(names[n])] = Compiled(n, unresolved=f"an imported file does not compile ({cause})")
        stack.append([n for n in seq[at:] if n not in broken and n not in victims] + seq[:at])
    return results


def _failures(seq: list[str], errors: dict[str, list[tuple[int, int, str]]],
              imports: dict[str, list[str]]) -> tuple[int, set[str], dict[str, str]] | None:
    """Where a failing run stopped: (the index of the first file of ``seq`` that failed, the files
    of ``seq`` with errors of their own, the files of ``seq`` that import a failing file -> why),
    or None when the messages name no file of the run nor anything it imports."""
    tainted = {f: f"{f}:{e[0][0]}:{e[0][1]}: {e[0][2]}" for f, e in errors.items() if e}
    own = {f for f, e in errors.items() if not any(IMPORT_FAILED.match(m) for _, _, m in e)}
    broken = {n for n in seq if n in own}
    causes = {f: tainted[f] for f in own if f in tainted}
    victims: dict[str, str] = {}
    changed = True
    while changed:  # every file of the run that reaches a failing file through its imports
        changed = False
        for n in seq:
            if n in broken or n in victims:
                continue
            hit = next((i for i in imports.get(n, ()) if i in causes or i in victims), None)
            if hit is None and n in tainted:
                hit = n
            if hit is not None:
                victims[n] = causes.get(hit) or victims.get(hit) or tainted[hit]
                changed = True
    hits = [i for i, n in enumerate(seq) if n in broken or n in victims]
    return (hits[0], broken, victims) if hits else None


def _closures(names: dict[str, Path], batch: dict[Path, bytes], roots: tuple[Path, ...]
              ) -> tuple[dict[str, bytes], dict[str, tuple[str, ...]], dict[str, bytes]]:
    """The sha1 of every file of the batch and of every file they import (found as protoc finds
    it: the first root holding it), and each batch file's transitive imports on disk."""
    data: dict[str, bytes | None] = {str(p): d for p, d in batch.items()}
    where: dict[str, str | None] = {}

    def locate(imp: str) -> str | None:
        if imp not in where:
            hit = next((r / imp for r in roots if (r / imp).is_file()), None)
            where[imp] = str(hit) if hit is not None else None
        return where[imp]

    def imports(path: str) -> list[str]:
        if path not in data:
            try:
                data[path] = safeio.read_file(path, 16 * 1024 * 1024)
            except (OSError, safeio.TooLarge):
                data[path] = None
        got = data[path]
        return [i for i in imports_of(got) if not _wkt(i) and ".." not in i.split("/")] if got else []

    closure: dict[str, tuple[str, ...]] = {}
    for p in names.values():
        seen: dict[str, None] = {}
        todo = [str(p)]
        while todo:
            for imp in imports(todo.pop()):
                hit = locate(imp)
                if hit is not None and hit not in seen and hit != str(p):
                    seen[hit] = None
                    todo.append(hit)
        closure[str(p)] = tuple(seen)
    contents = {path: d for path, d in data.items() if d is not None}
    digests = {path: hashlib.sha1(d.removeprefix(b"\xef\xbb\xbf")).digest() for path, d in contents.items()}
    return digests, closure, contents


def _compile_alone(file: Path, data: bytes | None, own: Path, roots: tuple[Path, ...],
                   lowered: dict[str, int] | None = None) -> Compiled:
    """One file alone; ``data`` (when given) stands for its content on disk. ``lowered``: the
    files of an overlay already first in ``roots`` (else files newer than protoc get one here)."""
    name = file.relative_to(own).as_posix()
    with tempfile.TemporaryDirectory(prefix="commlint-proto-") as tmp:
        extra: tuple[Path, ...] = ()
        if lowered is None:
            own_data = data if data is not None else _one(file, own)[file]
            contents = _closures({name: file}, {file: own_data}, roots)[2]
            newer = _newer(contents)
            lowered = _lowered(tmp, newer, contents, roots) if newer else {}
            extra = (Path(tmp),) if lowered else ()
        if data is not None and name not in lowered:
            copy = Path(tmp, name)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
            extra = (Path(tmp),)
        status, messages, files = _run_protoc([name], (*extra, *roots))
    _restore(files, lowered)
    pool = {f.name: f for f in files}
    if status == 0 and name in pool:
        return Compiled(name, pool[name], pool=pool)
    if lowered and "edition" in messages:  # what the newer edition adds, which the bundled protoc lacks
        why = next((m for errs in _errors(messages).values() for _, _, m in errs if "edition" in m), messages.strip()[:200])
        return Compiled(name, unresolved=f"the bundled protoc knows editions up to {max_edition()}, and this needs a newer one: {why}")
    return _verdict(name, _errors(messages), messages)


def source_info(compiled: Compiled, data: bytes) -> Any:
    """protoc's source info (the span of every element) of a compiled file: its descriptor's, or,
    when its batch was compiled without it, the file's own compiled again alone with it, from
    ``data`` (``compiled_bytes``); None when that fails."""
    if compiled.descriptor is None or compiled.again is None or compiled.descriptor.HasField("source_code_info"):
        return compiled.descriptor.source_code_info if compiled.descriptor is not None else None
    path, own, roots = compiled.again
    again = _compile_alone(Path(path), data, Path(own), tuple(map(Path, roots)))
    return again.descriptor.source_code_info if again.descriptor is not None else None


def clear() -> None:
    """Forget compiled batches (tests that rewrite files within one mtime tick)."""
    with _LOCK:
        _CACHE.clear()
        _MEMO.clear()
        _HASHED.clear()
