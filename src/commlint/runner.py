"""Running the per-file checks: the result cache, then worker processes.

The cache (like ruff's) keys each file's result by its content hash, its path,
commlint's version and everything in the plan that can change findings. It
lives in ``.commlint_cache/`` under the run's root unless ``--cache-dir`` or
``cache-dir`` says otherwise; writes are atomic (temporary file + rename), so
two runs at once are safe, and an unreadable or corrupt entry is recomputed.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from .discovery import SourceFile
from .engine import FileResult, Plan, check_file, file_digest, is_candidate, read_source

PARALLEL_THRESHOLD = 16  # files to parse before worker processes pay off


class Cache:
    def __init__(self, directory: Path, plan_key: str):
        self.dir = Path(directory) / plan_key
        self.writable = True

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    @staticmethod
    def key(rel: str, data: bytes) -> str:
        h = hashlib.blake2b(data, digest_size=20)
        h.update(b"\0" + rel.encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def get(self, key: str) -> FileResult | None:
        try:
            with open(self._path(key), "rb") as fh:
                result = FileResult.from_json(json.loads(fh.read()))
        except Exception:  # noqa: BLE001 - unreadable, truncated or tampered with: recompute
            return None
        if any(file_digest(p) != digest for p, digest in result.deps.items()):
            return None  # a file it depends on (a $ref target) changed
        return result

    def put(self, key: str, result: FileResult) -> None:
        if not self.writable:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(result.to_json(), fh, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            self.writable = False  # a read-only cache directory: run without storing
            try:
                os.unlink(tmp)  # type: ignore[possibly-undefined]
            except (OSError, UnboundLocalError):
                pass


def default_cache_dir(root: Path) -> Path:
    return root / ".commlint_cache"


def _read(source: SourceFile, plan: Plan) -> bytes | None:
    limit = max(plan.settings.max_file_size, plan.settings.max_python_file_size)
    try:
        return read_source(source.path, limit)
    except OSError:
        return None


def _worker_init() -> None:
    gc.freeze()


def _work(batch: list[tuple[SourceFile, bytes | None]], plan: Plan) -> list[FileResult]:
    gc.disable()
    try:
        return [check_file(src, plan, data) for src, data in batch]
    finally:
        gc.enable()


def run_files(
    sources: list[SourceFile],
    plan: Plan,
    *,
    jobs: int | None = None,
    cache: Cache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileResult]:
    results: dict[str, FileResult] = {}
    todo: list[tuple[SourceFile, bytes | None, str | None]] = []
    for src in sources:
        data = _read(src, plan)
        key = Cache.key(src.rel, data) if (cache is not None and data is not None) else None
        if key is not None:
            hit = cache.get(key)  # type: ignore[union-attr]
            if hit is not None:
                results[src.rel] = hit
                continue
        if not is_candidate(src, data, plan):
            results[src.rel] = FileResult(src.rel, src.kinds[0] if len(src.kinds) == 1 else None)  # the prefilter says no rule can fire: never parsed
            continue
        todo.append((src, data, key))
    workers = jobs or os.cpu_count() or 1
    done = 0
    total = len(todo)
    if workers > 1 and total >= PARALLEL_THRESHOLD:
        # only files a rule family may parse are worth shipping to a worker
        size = max(1, min(64, total // (workers * 4) or 1))
        batches = [todo[i : i + size] for i in range(0, total, size)]
        ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init) as pool:
            futures = [pool.submit(_work, [(s, d) for s, d, _ in b], plan) for b in batches]
            for b, fut in zip(batches, futures):
                try:
                    out = fut.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker: redo its files here
                    out = _retry_serial(b, plan, exc)
                for (src, _, key), res in zip(b, out):
                    results[src.rel] = res
                    if cache is not None and key is not None:
                        cache.put(key, res)
                done += len(b)
                if progress:
                    progress(done, total)
    else:
        for src, data, key in todo:
            res = check_file(src, plan, data)
            results[src.rel] = res
            if cache is not None and key is not None:
                cache.put(key, res)
            done += 1
            if progress:
                progress(done, total)
    return [results[s.rel] for s in sources]


def _retry_serial(batch: list[tuple[SourceFile, Any, Any]], plan: Plan, exc: BaseException) -> list[FileResult]:
    out = []
    for src, data, _ in batch:
        try:
            out.append(check_file(src, plan, data))
        except BaseException:  # noqa: BLE001
            from .catalogue import load
            from .engine import _engine_finding
            from .model import Location

            res = FileResult(src.rel)
            res.findings.append(_engine_finding(load().by_code["CL001"], f"checking this file crashed a worker ({type(exc).__name__})",
                                                Location(src.rel), plan.settings))
            out.append(res)
    return out
