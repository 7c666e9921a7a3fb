"""The cross-file rules: every checked file's kind and facts joined into one Project, and the system rules run on it."""

from __future__ import annotations

import importlib
from typing import Any, Iterable

from ..core.budget import FileTimeout, time_budget
from ..core.catalogue import Catalogue
from ..core.config import Settings
from ..core.model import Finding, Location
from ..rules import CHECKS, RuleContext
from .pipeline import examined
from .plan import Plan
from .results import FileResult, engine_finding
from .suppress import suppress_system


class Project:
    """What cross-file rules see: every checked file's kind and facts."""

    kind = "system"

    def __init__(self, files: list[FileResult], settings: Settings):
        self.files = files
        self.settings = settings

    def facts(self, kind: str) -> Iterable[tuple[str, dict[str, Any]]]:
        for r in self.files:
            if r.kind == kind:
                yield r.rel, r.facts

    def locate(self, where: Any) -> Location:
        if isinstance(where, Location):
            return where
        if isinstance(where, dict):
            return Location.from_dict(where)
        raise TypeError(f"cannot locate {type(where).__name__} in the project")


def run_system_rules(results: list[FileResult], plan: Plan, cat: Catalogue,
                     examined_out: dict[str, int] | None = None) -> list[Finding]:
    examined_out = {} if examined_out is None else examined_out
    codes = plan.rules.get("system", [])
    if not codes:
        return []
    project = Project(results, plan.settings)
    out: list[Finding] = []
    for code in codes:
        meta = cat.by_code[code]
        importlib.import_module(meta.module)
        ctx = RuleContext(meta, project, plan.settings.options_for(meta), plan.settings,
                          plan.settings.severity.get(code, meta.severity))
        try:
            with time_budget(plan.settings.file_timeout):
                CHECKS[code](ctx)
            examined_out[code] = examined(ctx, CHECKS[code])
        except FileTimeout:
            # a cross-file rule has the same budget as one file: what it found so far is dropped
            # (half a graph's findings would be arbitrary), and the run says why
            if "CL001" in plan.engine:
                out.append(engine_finding(
                    cat.by_code["CL001"],
                    f"cross-file rule {code} ({meta.name}) took longer than file-timeout "
                    f"({plan.settings.file_timeout:g} s); not checked", Location("."), plan.settings))
            continue
        except RecursionError:
            out.append(engine_finding(cat.by_code["CL001"], f"rule {code} ({meta.name}) gave up: too deeply nested",
                                      Location("."), plan.settings))
        except Exception as exc:  # noqa: BLE001
            out.append(engine_finding(cat.by_code["CL001"],
                                       f"internal error in rule {code} ({meta.name}): {type(exc).__name__}: {exc}",
                                       Location("."), plan.settings))
        out.extend(ctx.findings)
    return suppress_system(out, plan, cat, {r.rel: r.kind for r in results})
