"""The whole run, as the CLI and the Python API start it: discover files, check them (in
worker processes, through the result cache), apply fixes, then the cross-file rules."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .artifacts.discovery import discover
from .core.catalogue import load
from .core.config import Settings, enabled_rules, load_settings
from .core.model import Finding
from .engine import RunResult, make_plan, per_file_ignores, run_system_rules
from .fixes import apply_all
from .runner import Cache, max_jobs, run_files


def check_paths(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings | None = None,
    *,
    fix: bool = False,
    jobs: int | None = None,
    cache: Any = None,
    cache_dir: str | os.PathLike[str] | None = None,
    prefilter: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Check files and directories; return every finding (the Python API).

    ``cache_dir`` (or a ready ``runner.Cache`` as ``cache``): keep per-file results
    there and reuse them while a file's content, commlint and the plan are unchanged.
    """
    start = time.perf_counter()
    cat = load()
    path_list = [Path(p) for p in paths] or [Path(".")]
    if settings is None:
        settings = load_settings(path_list[0], cat)
    messages: list[str] = []
    sources = discover(path_list, settings, messages.append)
    plan = make_plan(settings, cat, prefilter)
    if cache is None and cache_dir is not None:
        cache = Cache(Path(cache_dir), plan.key())
    requested = jobs if jobs is not None else settings.jobs
    if requested is not None and requested > max_jobs():
        messages.append(f"jobs: {requested} worker processes asked for, {max_jobs()} used "
                        "(at most twice the cores, and 64)")
    results = run_files(sources, plan, jobs=jobs if jobs is not None else settings.jobs, cache=cache, progress=progress)
    fixed: dict[str, int] = {}
    if fix:
        results, fixed = apply_all(sources, results, plan, messages)
    findings: list[Finding] = []
    for r in results:
        findings.extend(per_file_ignores(r.findings, plan, cat))
    system_examined: dict[str, int] = {}
    findings.extend(per_file_ignores(run_system_rules(results, plan, cat, system_examined), plan, cat))
    findings.sort(key=Finding.sort_key)
    return RunResult(findings, results, enabled_rules(settings, cat), settings, messages,
                     time.perf_counter() - start, fixed, system_examined)


# -- cross-file rules -------------------------------------------------------------------
