"""Running the per-file checks: the result cache, the prefilter, worker processes.

The cache (like ruff's) is one JSON file per plan (``<cache-dir>/<plan key>.json``):
for each file, its content hash and its result (findings, the facts cross-file
rules read, and the digests of the other files its findings depend on, such as an
OpenAPI document's ``$ref`` targets: a result is reused only while they are unchanged). The plan key covers commlint's version and code, the enabled rules
and every setting that can change a finding, so a change to any of them starts a
fresh file. A run reads it once, checks only the files whose content changed and
writes it back once, merged with whatever another run wrote meanwhile, through a
temporary file and a rename: concurrent runs never see half a file. A corrupt or
unreadable cache is ignored and rewritten; a read-only one is used as it is.

When there is enough to read to pay for starting them, worker processes search
and check the files, largest first and small ones in batches: each task names
its files by index in the list the workers inherited when they forked, a worker
runs the prefilter's first stage on each (prefilter.py: most files hold no
trigger and are never parsed) and checks the rest. Otherwise this process does.
"""

from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path
from typing import Any, Callable

from .artifacts.discovery import SourceFile
from .core.hashing import blake2b
from .core.stamps import settled, stat_key
from .core.lifeline import die_with_parent
from .core.cachedir import (  # noqa: F401 - re-exported: the CLI and the tests import them from here
    GITIGNORE,
    STALE_TMP_SECONDS,
    check_cache_dir,
    default_cache_dir,
    is_cache_dir,
    prepare_cache_dir,
    remove_stale_keys,
    remove_stale_tmp,
    write_into,
)
from .artifacts.reading import file_digest, new_run, read_source
from .artifacts.yamljson import manifest_words
from .engine import FileResult, Plan, check_file, is_candidate, wanted_kinds

PARALLEL_BYTES = 256 * 1024  # source to parse before worker processes pay off (~0.5 s of Python)
BATCH_BYTES = 128 * 1024  # small files travel to a worker together, up to this much
FORMAT = 2  # the layout of a cache file
CACHE_LIMIT = 1024 * 1024 * 1024  # a cache file larger than this is ignored (and rewritten)


class Cache:
    def __init__(self, directory: Path, plan_key: str):
        self.path = Path(directory) / f"{plan_key}.json"
        self._seen: list[int] | None = None  # the cache file's stat when it was read
        self.entries = self._read()
        self.updates: dict[str, list[Any]] = {}
        self._deps: dict[str, str] = {}
        self._by_stat: dict[tuple[int, ...], str] = {}  # stat key -> digest of a tree file unchanged this run
        self.writable = True  # False once a save could not write (read-only or full): results stand

    def _read(self) -> dict[str, Any]:
        from .core import safeio

        try:
            seen = stat_key(os.stat(self.path))
            data = json.loads(safeio.read_file(self.path, CACHE_LIMIT))
            self._seen = seen
        except (OSError, ValueError, RecursionError):  # missing, unreadable, huge or corrupt: start afresh
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
            return {}
        return data["files"]

    def _used(self) -> None:
        """A run read this key's results and changed none: the file's time says it is still in use
        (``remove_stale_keys``), refreshed once a day at most."""
        if self._seen is None:
            return
        try:
            if time.time() - os.stat(self.path).st_mtime > 86400:
                os.utime(self.path)
        except OSError:
            pass

    @staticmethod
    def digest(data: bytes) -> str:
        return blake2b(data, digest_size=16).hexdigest()

    def same(self, rel: str, st: os.stat_result | None) -> str | None:
        """The kept digest of a file whose size, times and inode (``st``) are those it had when it was
        read (as git's index does): a warm run then neither reads nor hashes it. Recorded only for
        files last modified well before they were read, so a write in the same clock tick cannot go
        unseen. Remembered by that stat, so that a result depending on the file does not hash it."""
        entry = self.entries.get(rel)
        if st is None or not isinstance(entry, list) or len(entry) != 3:
            return None
        key = stat_key(st)
        if entry[2] != key or not isinstance(entry[0], str):
            return None
        self._by_stat[tuple(key)] = entry[0]
        return entry[0]

    def get(self, rel: str, digest: str) -> FileResult | None:
        entry = self.entries.get(rel)
        if not isinstance(entry, list) or len(entry) not in (2, 3) or entry[0] != digest:
            return None
        try:
            result = _unpack(rel, entry[1])
            if result is None:
                return None
            if any(self._dep_digest(p) != d for p, d in result.deps.items()):
                return None  # a file it depends on (a $ref target) changed
        except Exception:  # noqa: BLE001 - a damaged or tampered-with entry: recompute it
            return None
        return result

    def new_run(self) -> None:
        """A run starts: the digests of dependencies read by an earlier run with this cache are stale."""
        self._deps = {}
        self._by_stat = {}

    def known(self, path: "os.PathLike[str] | str", digest: str) -> None:
        """A checked file's digest, read this run: the same as ``file_digest`` would give (both are
        blake2b-128 of the content), so a result depending on it does not read it again."""
        self._deps.setdefault(os.path.abspath(path), digest)
        self._deps.setdefault(str(path), digest)

    def _dep_digest(self, path: str) -> str:
        """A dependency's digest, read once per run however many files share it (not at all when it
        is a file of the tree whose kept stat says it is unchanged)."""
        if path not in self._deps:
            kept = None
            if self._by_stat and not path.startswith(("dir:", "tree:")):
                try:
                    kept = self._by_stat.get(tuple(stat_key(os.stat(path))))
                except (OSError, ValueError):
                    pass
            self._deps[path] = kept if kept is not None else file_digest(path)
        return self._deps[path]

    # -- the cross-file rules' findings, kept while no file of the tree changed ------------------
    def system_key(self, results: list[FileResult]) -> str | None:
        """What the cross-file rules read, as one key: each file's path and content digest, and those
        of the files its result depends on (its facts follow from them and the plan, which names this
        cache); None when a result is not one to reuse (a file that ran out of time)."""
        parts = []
        updates, entries = self.updates, self.entries
        for r in results:
            deps = r.deps
            if deps and "" in deps:
                return None
            entry = updates.get(r.rel) or entries.get(r.rel)
            digest = entry[0] if type(entry) is list and entry and type(entry[0]) is str else "-"
            parts.append(f"{r.rel}\0{digest}" + ("".join(f"\0{p}\0{d}" for p, d in sorted(deps.items())) if deps else ""))
        return blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()

    def _system_file(self) -> Path:
        return self.path.with_name(f"system-{self.path.name}")

    def system_findings(self, key: str) -> tuple[list[Any], dict[str, int]] | None:
        """The cross-file findings (and what each rule examined) of the last run with this key."""
        from .core import safeio
        from .core.model import Finding

        try:
            data = json.loads(safeio.read_file(self._system_file(), CACHE_LIMIT))
            if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
                return None
            examined = {str(k): int(v) for k, v in data["examined"].items()}
            return [Finding.from_dict(f) for f in data["findings"]], examined
        except Exception:  # noqa: BLE001 - absent, damaged or tampered with: run the rules
            return None

    def keep_system(self, key: str, findings: list[Any], examined: dict[str, int]) -> None:
        try:
            write_into(self.path.parent, self._system_file().name, json.dumps(
                {"format": FORMAT, "key": key, "findings": [f.to_dict() for f in findings], "examined": examined},
                separators=(",", ":")))
        except (OSError, TypeError, ValueError):
            pass

    def put(self, rel: str, digest: str, result: FileResult, st: list[int] | None = None) -> None:
        self.updates[rel] = [digest, _pack(result)] + ([st] if st is not None else [])

    def save(self) -> None:
        if not self.updates:
            self._used()
            return
        try:
            unchanged = self._seen is not None and stat_key(os.stat(self.path)) == self._seen
        except OSError:
            unchanged = False
        # another run may have written since this one started: read it again (not when it is the
        # file this run read, as it nearly always is: decoding it twice was 0.1 s of a warm run)
        files = self.entries if unchanged else self._read()
        files.update(self.updates)
        try:  # dumps: the C encoder
            write_into(self.path.parent, self.path.name, json.dumps({"format": FORMAT, "files": files}, separators=(",", ":")))
            remove_stale_keys(self.path.parent, self.path.stem)
        except OSError:  # a read-only or full cache directory: the run's results stand
            self.writable = False
        self.entries, self.updates = files, {}  # what this run's later questions (system_key) read


def _pack(result: FileResult) -> Any:
    """A result as the cache keeps it: most files of a tree hold nothing (no findings, facts or
    dependencies), and are kept as ``[kind, manifest]`` rather than a whole object."""
    if result.findings or result.facts or result.parsed or result.deps or result.examined:
        return result.to_json()
    return [result.kind, result.manifest]


def _unpack(rel: str, data: Any) -> FileResult | None:
    if isinstance(data, list):
        if len(data) != 2 or not isinstance(data[0], (str, type(None))) or not isinstance(data[1], (bool, type(None))):
            return None
        return FileResult(rel, data[0], manifest=data[1])
    return FileResult.from_json(data)


def _stat(path: "os.PathLike[str] | str") -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _trusted(st: os.stat_result | None) -> list[int] | None:
    """A file's stat key, when it is old enough to be trusted (see ``Cache.unchanged``)."""
    import time

    if st is None or not settled(st, time.time_ns()):
        return None
    return stat_key(st)


def max_jobs() -> int:
    """Worker processes a run starts at most: twice the cores, never more than 64."""
    return max(1, min(64, 2 * (os.cpu_count() or 1)))


def _read(source: SourceFile, plan: Plan) -> bytes | None:
    try:
        return read_source(source.opened, max(plan.settings.max_file_size, plan.settings.max_python_file_size))
    except OSError:
        return None  # check_file reports it (or nothing, if the file has gone)


def _mark_manifest(source: SourceFile, data: bytes | None, res: FileResult) -> None:
    """Remember whether a YAML file holds a word the cross-file readers look for."""
    if data is not None and source.rel.lower().endswith((".yaml", ".yml")):
        res.manifest = manifest_words(data)


def _unparsed(source: SourceFile) -> FileResult:
    """The result of a file no rule reads (or could report on)."""
    return FileResult(source.rel, source.kinds[0] if len(source.kinds) == 1 else None)


def _worker_init(parent: int | None = None) -> None:
    gc.freeze()  # what the parent built stays shared and unscanned
    die_with_parent(parent)


def _work(batch: list[tuple[SourceFile, bytes | None]], plan: Plan) -> list[FileResult]:
    out = []
    for source, data in batch:
        gc.disable()  # a syntax tree is large and acyclic: collecting during the parse is wasted time
        try:
            out.append(check_file(source, plan, data))
        finally:
            gc.enable()
    return out


def run_files(
    sources: list[SourceFile],
    plan: Plan,
    *,
    jobs: int | None = None,
    cache: Cache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileResult]:
    """Each source's result, in the order given (whatever order workers finish in)."""
    from .artifacts import collecting_facts

    collecting_facts(plan.fact_kinds)
    new_run()  # the trees' listings of an earlier run in this process are stale
    if cache is not None:
        cache.new_run()
    results: dict[str, FileResult] = {}
    stats: dict[str, list[int] | None] = {}
    read: list[tuple[SourceFile, bytes | None, str | None]] = []
    wanted: list[tuple[SourceFile, os.stat_result | None, str | None]] = []
    # Nothing to look up by content (no cache, or an empty one): the files are read where they are
    # checked, in the workers (reading ansible's 3,700 files here was a quarter of a second before
    # any worker started), their sizes taken from a stat.
    defer = cache is None or not cache.entries
    sizes: dict[str, int] = {}
    for src in sources:
        if not wanted_kinds(src, plan):  # no enabled rule reads this kind of file: not even opened
            results[src.rel] = _unparsed(src)
            continue
        st = _stat(src.opened) if cache is not None or defer else None  # before the read: a later write changes it
        # every unchanged file first: a kept result's dependencies are then mostly known without a read
        wanted.append((src, st, cache.same(src.rel, st) if cache is not None else None))
    for src, st, same in wanted:
        if cache is not None:
            kept = cache.get(src.rel, same) if same is not None else None
            if kept is not None:
                results[src.rel] = kept
                continue
            stats[src.rel] = _trusted(st)
        if defer:
            read.append((src, DEFERRED, None))
            sizes[src.rel] = st.st_size if st is not None else 0
            continue
        data = _read(src, plan)
        digest = cache.digest(data) if (cache is not None and data is not None) else None
        if cache is not None and digest is not None and data is not None and \
                len(data) <= max(plan.settings.max_file_size, plan.settings.max_python_file_size):
            cache.known(src.opened, digest)  # a dependency of another file's result: not read twice
        read.append((src, data, digest))
    pending = []
    for src, data, digest in read:
        if not isinstance(data, _Deferred):
            sizes[src.rel] = len(data or b"")
        if digest is not None:
            hit = cache.get(src.rel, digest)  # type: ignore[union-attr]
            if hit is not None:
                results[src.rel] = hit
                if stats.get(src.rel) is not None:
                    cache.put(src.rel, digest, hit, stats[src.rel])  # type: ignore[union-attr]
                continue
        pending.append((src, data, digest))
    workers = min(jobs or os.cpu_count() or 1, max_jobs())

    def store(item: tuple[SourceFile, bytes | None, str | None], res: FileResult | None, cache_it: bool = True,
              digest: str | None = None, manifest: bool | None = None) -> None:
        """A file's result; None for one the prefilter's first stage leaves out (never parsed).
        ``digest`` and ``manifest``: the content's, for a file read where it was checked."""
        src, data, kept_digest = item
        digest = digest or kept_digest
        if res is None:
            res = _unparsed(src)
        if not isinstance(data, _Deferred):
            _mark_manifest(src, data, res)
        elif manifest is not None:
            res.manifest = manifest
        results[src.rel] = res
        if cache is not None and digest is not None and cache_it:
            cache.put(src.rel, digest, res, stats.get(src.rel))  # its dependencies are checked on reuse

    size = sum(sizes[src.rel] for src, _, _ in pending)
    if workers > 1 and len(pending) > 1 and size >= PARALLEL_BYTES:
        _run_parallel(pending, [sizes[src.rel] for src, _, _ in pending], plan, workers, store, progress,
                      hashed=cache is not None)
    else:
        _run_here(pending, plan, store, progress, cache)
    if cache is not None:
        cache.save()
    return [results[s.rel] for s in sources]


def _run_here(pending, plan: Plan, store, progress, cache: Cache | None) -> None:  # noqa: ANN001
    """Each file in this process, as a worker checks its own: what was built before (the plan, the
    listing, the cache) is frozen out of the collector's scans, which otherwise walk it again and
    again as the trees come and go (a fifth to a third more CPU on ansible with ``--jobs 1``), and
    the collector waits while a file is checked. Both undone afterwards, so that a caller of the API
    running many checks in one process gets its garbage collected; a caller that froze objects or
    paused the collector itself keeps its own settings."""
    freeze, collecting = gc.get_freeze_count() == 0, gc.isenabled()
    if freeze:
        gc.freeze()
    try:
        for i, item in enumerate(pending, 1):
            if isinstance(item[1], _Deferred):
                data = _read(item[0], plan)
                digest = cache.digest(data) if (cache is not None and data is not None) else None
                item = (item[0], data, digest)
            res = None
            if is_candidate(item[0], item[1], plan):
                gc.disable()  # a syntax tree is large and acyclic: collecting during the parse is wasted time
                try:
                    res = check_file(item[0], plan, item[1])
                finally:
                    if collecting:
                        gc.enable()
            store(item, res)
            if progress:
                progress(i, len(pending))
    finally:
        if freeze:
            gc.unfreeze()


class _Deferred(bytes):
    """The content of a file not read yet: it is read where it is checked (``run_files``). Told by
    its type, which a worker that does not fork (spawn) unpickles as it was."""


DEFERRED = _Deferred()

# What the workers check: the parent's list of files and the plan, inherited when they fork
# (a task names its files by index, so neither their content nor the plan is pickled for it),
# for each file whether the parent already knows it is a candidate (None: the worker asks),
# and whether a file the worker reads is hashed for the cache.
_SHARED: tuple[list, Plan | None, list[bool | None], bool] = ([], None, [], False)


def _work(indices: list[int], sent: tuple | None = None) -> list[tuple[FileResult | None, str | None, bool | None]]:
    """A worker's task: the read of a deferred file, the prefilter's first stage, then the check,
    for each file named: (its result, None for a file the first stage leaves out; the content's
    digest when the worker read and hashed it; for a YAML file it read, its manifest mark).
    ``sent``: (plan, [(source, content, known)], hashed) for the files named, where a worker does
    not fork from the parent (Windows' spawn)."""
    if sent is None:
        items, plan, known, hashed = _SHARED
        work = [(items[i][0], items[i][1], known[i]) for i in indices]
    else:
        plan, work, hashed = sent
    out: list[tuple[FileResult | None, str | None, bool | None]] = []
    for source, data, wanted in work:
        res, digest, read_here = None, None, isinstance(data, _Deferred)
        if read_here:
            data = _read(source, plan)
            if hashed and data is not None:
                digest = Cache.digest(data)
        if wanted if wanted is not None else is_candidate(source, data, plan):  # type: ignore[arg-type]
            gc.disable()  # a syntax tree is large and acyclic: collecting during the parse is wasted time
            try:
                res = check_file(source, plan, data)  # type: ignore[arg-type]
            finally:
                gc.enable()
        manifest = None  # the parent has not seen its content: whether it names a manifest word
        if read_here and data is not None and source.rel.lower().endswith((".yaml", ".yml")):
            manifest = manifest_words(data)
        out.append((res, digest, manifest))
    return out


def _run_parallel(items, sizes: list[int], plan: Plan, workers: int, store, progress, hashed: bool) -> None:  # noqa: ANN001
    """Every file in worker processes, the prefilter's first stage included: its search (sympy's
    26 MB against 41 triggers is a second of one core) runs beside the checks, not before them.
    Files of a kind with work done once for many (protoc's batches: ``artifacts.prepare``) are
    decided here, and that work done, before the workers fork."""
    from .artifacts import prepare, prepares

    global _SHARED
    known: list[bool | None] = [None] * len(items)
    ready = []
    for i, (src, data, digest) in enumerate(items):
        if prepares(src.kinds):
            if isinstance(data, _Deferred):  # its batch is compiled here: read here
                data = _read(src, plan)
                items[i] = (src, data, Cache.digest(data) if hashed and data is not None else digest)
            known[i] = is_candidate(src, data, plan)
            if known[i]:
                ready.append((src.rel, src.kinds, data))
    prepare(ready, plan.settings, workers)  # the workers fork with it
    _SHARED = (items, plan, known, hashed)
    try:
        failed = []
        done = 0
        for batch, results in _pool_map(_batches(sizes), workers):
            if results is None:
                failed += batch
            else:
                for i, (res, digest, manifest) in zip(batch, results):
                    store(items[i], res, digest=digest, manifest=manifest)
            done += len(batch)
            if progress:
                progress(done, len(items))
        # A dead worker (killed, out of memory) fails every task it had not finished:
        # redo those files one by one, each in a fresh process, and report only the file that kills it.
        for i in failed:
            results = list(_pool_map([[i]], 1))[0][1]
            if results:
                store(items[i], results[0][0], digest=results[0][1], manifest=results[0][2])
            else:
                store(items[i], _crashed(items[i][0], plan), False)
    finally:
        _SHARED = ([], None, [], False)


def _batches(sizes: list[int]) -> list[list[int]]:
    """Indices of the files (of these sizes): the largest first, each alone, then the small ones
    together up to BATCH_BYTES: a worker never waits behind a batch holding the one slow file, and
    thousands of small files do not cost a round trip each. The output order does not depend on this."""
    out: list[list[int]] = []
    current: list[int] = []
    size = 0
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        n = sizes[i]
        if current and size + n > BATCH_BYTES:
            out.append(current)
            current, size = [], 0
        current.append(i)
        size += n
    return out + ([current] if current else [])


def _pool_map(batches: list[list[int]], workers: int):  # noqa: ANN202
    """(batch, its results or None if its worker died), in the order they finish."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    fork = hasattr(os, "fork")
    items, plan, known, hashed = _SHARED

    def sent(batch: list[int]) -> tuple | None:
        return None if fork else (plan, [(items[i][0], items[i][1], known[i]) for i in batch], hashed)

    ctx = multiprocessing.get_context("fork") if fork else None
    with ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=ctx, initializer=_worker_init,
                             initargs=(os.getpid(),)) as pool:
        futures = {pool.submit(_work, batch, sent(batch)): batch for batch in batches}
        for fut in as_completed(futures):
            try:
                yield futures[fut], fut.result()
            except Exception:  # noqa: BLE001 - BrokenProcessPool, or a result that would not pickle
                yield futures[fut], None


def _crashed(src: SourceFile, plan: Plan) -> FileResult:
    """A file that kills the process checking it: reported, not retried in this process."""
    from .core.catalogue import load
    from .core.model import Location
    from .engine import engine_finding

    res = _unparsed(src)
    if "CL001" in plan.engine:
        res.findings.append(engine_finding(
            load().by_code["CL001"], "checking this file stopped its worker process (out of memory?); not checked",
            Location(src.rel), plan.settings))
    return res
