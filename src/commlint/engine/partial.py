"""A partial run (pre-commit passing the changed files, ``--diff-base``, standard
input): cross-file rules are judged with the whole project's facts, never with the
given files alone.

The rest of the project (the configuration's folder, or the git work tree the run
is at) is discovered as a whole-tree run would discover it, and each file's facts
come from the result cache or from a facts-only parse (no per-file rule runs, no
per-file finding is kept). The files given keep their own, fresh results.
Cross-file findings are reported only on the files given, as ruff reports only on
the files it was passed.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from ..core.catalogue import Catalogue
from ..core.model import Finding

__all__ = ["is_partial", "project_results", "reported_on"]


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
    from . import Plan

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
    from ..artifacts.discovery import discover
    from ..runner import Cache, run_files

    settings = plan.settings
    known = {r.rel for r in given}
    try:
        everything = discover([Path(settings.root)], settings)
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
