"""``commlint check -`` (with ``--stdin-filename``): one file's content from standard
input, checked as if it were at that path (its kind, its configuration, its service),
cross-file rules judged with the rest of the project's facts."""

from __future__ import annotations

import time
from pathlib import Path

from ..core.catalogue import load
from ..core.config import Settings, enabled_rules


def check_stdin(data: bytes, filename: str, settings: Settings, jobs: int | None = None):  # noqa: ANN201
    from . import RunResult, _post, check_file, make_plan, run_system_rules
    from ..artifacts import kinds_for
    from ..artifacts.discovery import SourceFile, relpath
    from .partial import is_partial, project_results, reported_on

    start = time.perf_counter()
    cat = load()
    plan = make_plan(settings, cat)
    path = Path(filename)
    rel = relpath(path, Path(settings.root))
    kinds = tuple(kinds_for(path.name))
    if not kinds:
        return RunResult([], [], enabled_rules(settings, cat), settings,
                         [f"{filename}: not a kind of file commlint reads (.py, .yaml, .json, .avsc, .proto, .tf)"])
    result = check_file(SourceFile(path, rel, kinds), plan, data)
    findings = _post(result.findings, plan, cat)
    examined: dict[str, int] = {}
    if plan.rules.get("system"):
        project = project_results([result], plan, cat, None, jobs) if is_partial([path], settings) else [result]
        findings += _post(reported_on(run_system_rules(project, plan, cat, examined), [result]), plan, cat)
    findings.sort(key=lambda f: f.sort_key())
    return RunResult(findings, [result], enabled_rules(settings, cat), settings, [],
                     time.perf_counter() - start, {}, examined)
