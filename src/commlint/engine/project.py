"""The cross-file rules: every checked file's kind and facts joined into one Project, and the system rules run on it."""

from __future__ import annotations

import importlib
from typing import Any, Iterable

from ..core.catalogue import Catalogue
from ..core.config import Settings
from ..core.model import Finding, Location
from ..rules import CHECKS, RuleContext
from .pipeline import examined
from .results import engine_finding
from .plan import Plan
from .results import FileResult
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
            CHECKS[code](ctx)
            examined_out[code] = examined(ctx, CHECKS[code])
        except Exception as exc:  # noqa: BLE001
            out.append(engine_finding(cat.by_code["CL001"],
                                       f"internal error in rule {code} ({meta.name}): {type(exc).__name__}: {exc}",
                                       Location("."), plan.settings))
        out.extend(ctx.findings)
    return suppress_system(out, plan, cat, {r.rel: r.kind for r in results})
