"""The whole run, as the CLI and the Python API start it: discover files, check them (in
worker processes, through the result cache), apply fixes, then the cross-file rules."""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .artifacts.discovery import discover
from .core.catalogue import load
from .core.catalogue import Catalogue
from .core.config import Settings, default_root, enabled_rules, load_settings
from .core.model import Finding
from .engine import ENGINE_CODES, RunResult, make_plan, per_file_ignores, run_system_rules
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
    index = sys.modules.get("commlint.analyses.index")  # loaded by an earlier run in this process
    if index is not None:
        index.reset()  # the tree's listings are per run: files may have come or gone
    from .analyses import packages
    cat = load()
    path_list = [Path(p) for p in paths] or [Path(".")]
    if settings is None:
        settings = load_settings(path_list[0], cat)
    messages: list[str] = []
    plan = make_plan(settings, cat, prefilter)
    if cache is None and cache_dir is not None:
        cache = Cache(Path(cache_dir), plan.key())
    packages.use_cache(cache.path.parent if isinstance(cache, Cache) else None)  # the index's walk, kept
    sources = discover(path_list, settings, messages.append,
                       memo=(cache.path.parent, plan.key()) if isinstance(cache, Cache) else None)
    requested = jobs if jobs is not None else settings.jobs
    if requested is not None and requested > max_jobs():
        messages.append(f"jobs: {requested} worker processes asked for, {max_jobs()} used "
                        "(at most twice the cores, and 64)")
    results = run_files(sources, plan, jobs=jobs if jobs is not None else settings.jobs, cache=cache, progress=progress)
    fixed: dict[str, int] = {}
    if fix:
        from .fixes import apply_all  # here: a run that fixes nothing need not import it

        results, fixed = apply_all(sources, results, plan, messages)
    findings: list[Finding] = []
    for r in results:
        findings.extend(per_file_ignores(r.findings, plan, cat))
    system_examined: dict[str, int] = {}
    if plan.rules.get("system") and is_partial(path_list, settings):  # judged with the whole project's facts
        project = project_results(results, plan, cat, cache, jobs if jobs is not None else settings.jobs)
        system = reported_on(run_system_rules(project, plan, cat, system_examined), results)
    else:
        system = _system_findings(results, plan, cat, system_examined, None if fix else cache)
    findings.extend(per_file_ignores(system, plan, cat))
    findings, left_out = by_scope(findings, sources, settings)
    findings.sort(key=Finding.sort_key)
    return RunResult(findings, results, enabled_rules(settings, cat), settings, messages,
                     time.perf_counter() - start, fixed, system_examined, left_out)


def _system_findings(results: list, plan: Any, cat: Any, examined: dict[str, int], cache: Any) -> list[Finding]:
    """The cross-file rules' findings: those of the last run when no file of the tree has changed
    since (a warm run then neither imports nor runs them), else computed and kept."""
    key = cache.system_key(results) if isinstance(cache, Cache) and plan.rules.get("system") else None
    kept = cache.system_findings(key) if key is not None else None
    if kept is not None:
        examined.update(kept[1])
        return kept[0]
    found = run_system_rules(results, plan, cat, examined)
    if key is not None:
        cache.keep_system(key, found, examined)
    return found


def by_scope(findings: list[Finding], sources: list, settings: Settings) -> tuple[list[Finding], dict[str, int]]:
    """The findings the run's ``scope`` reports, and how many were left out per file role
    (tests, examples and docs, scripts: see ``artifacts/roles.py``). Every checked file has
    a role, Python source and contract files alike (an OpenAPI document under
    ``src/test/resources/`` is a test). Engine findings (a file that cannot be read) are
    always reported."""
    from .artifacts.roles import CONTRACT, PYTHON, file_role, judged

    checked = {s.rel: s for s in sources}
    roles: dict[str, str] = {}  # the role of each file a finding is in (not of every file: a tree has thousands)
    kept: list[Finding] = []
    left_out: dict[str, int] = {}
    for f in findings:
        src = checked.get(f.location.path)
        if src is not None and src.rel not in roles:
            roles[src.rel] = file_role(src.role_path, settings, PYTHON if "python" in src.kinds else CONTRACT)
        role = roles.get(f.location.path)
        if role is None or f.code in ENGINE_CODES or judged(role, settings):
            kept.append(f)
        elif f.suppressed is None:
            left_out[role] = left_out.get(role, 0) + 1
    return kept, left_out


# -- cross-file rules -------------------------------------------------------------------


def draw_graph(paths: list[str], fmt: str = "mermaid") -> str:
    """``commlint graph``: check the paths (with the nearest configuration, no cache) and draw the
    system (``commlint.report.graph``) in one of mermaid, dot, html or json."""
    from .core.config import find_config, read_config
    from .report.graph import graph_model, render_graph

    cfg = find_config(Path(paths[0]) if paths else Path("."))
    data = read_config(cfg) if cfg else {}
    starts = [Path(p) for p in paths] or [Path(".")]
    root = cfg.parent.resolve() if cfg else Path.cwd()
    settings = load_settings(starts[0], load(), data=data, config_file=cfg, root=root,
                             tree=None if cfg else default_root(starts))
    return render_graph(graph_model(check_paths(paths, settings)), fmt)


# -- a partial run (pre-commit passing the changed files, --diff-base, standard input) ----------
#
# Cross-file rules are judged with the whole project's facts, never with the given files
# alone. The rest of the project (the configuration's folder, or the git work tree the run
# is at) is discovered as a whole-tree run would discover it, and each file's facts come
# from the result cache or from a facts-only parse (no per-file rule runs, no per-file
# finding kept). The files given keep their own, fresh results. Cross-file findings are
# reported only on the files given, as ruff reports only on the files it was passed.


def _project_root(root: Path, settings: Any) -> bool:
    """Whether the run's root is a project worth scanning whole: it holds the
    configuration or is a git work tree (never a home folder by accident)."""
    if settings.config_path is not None:
        return True
    return os.path.exists(os.path.join(root, ".git"))


def is_partial(paths: list[Path], settings: Any) -> bool:
    """Whether the run is given files one by one (pre-commit, ``--diff-base``, standard
    input) inside a project. A folder named on the command line is the system its
    cross-file rules judge, as before (``commlint check examples/shop``)."""
    if not paths or any(p.is_dir() for p in paths):
        return False
    return _project_root(Path(settings.root).resolve(), settings)


def facts_plan(plan: Any, catalogue: Catalogue) -> Any:
    """A plan that parses only what cross-file rules read and runs no per-file rule."""
    from .engine import Plan

    triggers: dict[str, tuple[bytes, ...] | None] = {}
    fact_triggers: dict[str, tuple[bytes, ...]] = {}
    for code in plan.rules.get("system", ()):
        mod = importlib.import_module(catalogue.by_code[code].module)
        for kind in getattr(mod, "FACT_KINDS", ()):
            extra = getattr(mod, "FACT_TRIGGERS", {}).get(kind)
            current = triggers.get(kind, ())
            if current is None or extra is None:
                triggers[kind] = None
                fact_triggers.pop(kind, None)
            else:
                both = tuple(sorted(set(current) | {t.encode() for t in extra}))
                triggers[kind] = both
                fact_triggers[kind] = both
    return Plan(plan.settings, {"system": list(plan.rules.get("system", ()))}, triggers, set(), plan.prefilter,
                set(plan.fact_kinds), {}, fact_triggers)


def project_results(given: list[Any], plan: Any, catalogue: Catalogue, cache: Any, jobs: int | None) -> list[Any]:
    """The given files' results and, for every other file of the project, one
    holding its facts (from the cache or a facts-only parse)."""
    settings = plan.settings
    known = {r.rel for r in given}
    try:
        everything = discover([Path(settings.root)], settings,
                              memo=(cache.path.parent, plan.key()) if isinstance(cache, Cache) else None)
    except Exception:  # noqa: BLE001 - the given files' facts are what is left
        return list(given)
    rest = [s for s in everything if s.rel not in known]
    if not rest:
        return list(given)
    fplan = facts_plan(plan, catalogue)
    fcache = Cache(cache.path.parent, fplan.key()) if cache is not None else None
    others = run_files(rest, fplan, jobs=jobs, cache=fcache)
    return list(given) + [r for r in others if r.kind]


def reported_on(findings: list[Finding], given: list[Any]) -> list[Finding]:
    """Cross-file findings that land in a file given (or on no file, such as an internal error)."""
    rels = {r.rel for r in given}
    return [f for f in findings if f.location.path in rels or f.location.path in ("", ".")]


def check_stdin(data: bytes, filename: str, settings: Settings, jobs: int | None = None) -> RunResult:
    """``commlint check -`` (with ``--stdin-filename``): one file's content from standard
    input, checked as if it were at that path (its kind, its configuration, its service),
    cross-file rules judged with the rest of the project's facts."""
    from .artifacts import kinds_for
    from .artifacts.discovery import SourceFile, relpath
    from .engine import check_file

    start = time.perf_counter()
    cat = load()
    plan = make_plan(settings, cat)
    path = Path(filename)
    rel = relpath(path, Path(settings.root))
    kinds = tuple(kinds_for(path.name))
    if not kinds:
        return RunResult([], [], enabled_rules(settings, cat), settings,
                         [f"{filename}: not a kind of file commlint reads (.py, .yaml, .json, .avsc, .proto, .tf)"])
    source = SourceFile(path, rel, kinds)
    result = check_file(source, plan, data)
    findings = per_file_ignores(result.findings, plan, cat)
    examined: dict[str, int] = {}
    if plan.rules.get("system"):
        project = project_results([result], plan, cat, None, jobs) if is_partial([path], settings) else [result]
        findings += per_file_ignores(reported_on(run_system_rules(project, plan, cat, examined), [result]), plan, cat)
    findings.sort(key=lambda f: f.sort_key())
    findings, left_out = by_scope(findings, [source], settings)  # as the file would be in a tree run
    return RunResult(findings, [result], enabled_rules(settings, cat), settings, [],
                     time.perf_counter() - start, {}, examined, left_out)
