"""Suppressions and per-file ignores, one service for per-file and cross-file findings alike: what counts as a suppression comment is the artifact kind's to say."""

from __future__ import annotations

from pathlib import Path

from ..artifacts import Artifact, Suppression, text_suppressions
from ..core import safeio
from ..core.catalogue import Catalogue
from ..core.config import resolve_selector
from ..core.model import Finding, Location
from .plan import Plan
from .results import engine_finding


def apply_suppressions(artifact: Artifact, findings: list[Finding], plan: Plan, cat: Catalogue) -> list[Finding]:
    settings = plan.settings
    try:
        sups: list[Suppression] = artifact.suppressions()
    except Exception:  # noqa: BLE001
        sups = []
    out: list[Finding] = []
    if "CL002" in plan.engine:
        try:
            problems = artifact.config_problems()
        except Exception:  # noqa: BLE001
            problems = []
        out.extend(engine_finding(cat.by_code["CL002"], message, loc, settings) for loc, message in problems)
    for f in findings:
        for sup in sups:
            if not sup.covers(f.location):
                continue
            hit = next((c for c in sup.codes if _names(cat, c, f.code)), None)
            if hit is not None:
                sup.used.add(hit)
                f = f.with_(suppressed=sup.reason or "suppressed inline")
                break
        out.append(f)
    if "CL003" in plan.engine:
        enabled = {c for codes in plan.rules.values() for c in codes} | plan.engine
        meta = cat.by_code["CL003"]
        for sup in sups:
            for code in sup.codes:
                rule = cat.get(code)
                loc = Location(artifact.path, sup.line, 1, pointer=sup.pointer)
                if rule is None:
                    out.append(engine_finding(meta, f"suppression names an unknown rule {code!r}", loc, settings))
                elif code not in sup.used and rule.code in enabled and rule.kind != "system":
                    out.append(engine_finding(meta, f"unused suppression: no {rule.code} ({rule.name}) finding here", loc, settings))
    return out


def _names(cat: Catalogue, key: str, code: str) -> bool:
    rule = cat.get(key)
    return rule is not None and rule.code == code


# -- the run ------------------------------------------------------------------------------


def _per_file_ignored(rel: str, plan: Plan, cat: Catalogue) -> set[str]:
    """Codes that ``per-file-ignores`` drops for this path."""
    from ..artifacts.discovery import _spec

    dropped: set[str] = set()
    for glob, sels in plan.settings.per_file_ignores.items():
        if _spec([glob]).match_file(rel):
            for sel in sels:
                dropped |= {r.code for r in resolve_selector(sel, cat, include_off=True)}
    return dropped


def per_file_ignores(findings: list[Finding], plan: Plan, cat: Catalogue) -> list[Finding]:
    """Per-file ignores, applied to per-file and cross-file findings alike."""
    if not plan.settings.per_file_ignores or not findings:
        return findings
    memo: dict[str, set[str]] = {}
    out = []
    for f in findings:
        path = f.location.path
        if path not in memo:
            memo[path] = _per_file_ignored(path, plan, cat)
        if f.code not in memo[path]:
            out.append(f)
    return out


def suppress_system(findings: list[Finding], plan: Plan, cat: Catalogue, kinds: dict[str, str | None]) -> list[Finding]:
    """Inline suppressions for cross-file findings: read only the files they land in, and
    read their suppressions as the file's kind defines them (``kinds``: path -> kind), the
    same way as for per-file findings (in Python, real comments only: not strings)."""
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.location.path, []).append(f)
    out: list[Finding] = []
    for path, fs in by_path.items():
        try:
            limit = max(plan.settings.max_file_size, plan.settings.max_python_file_size)
            text = safeio.read_file(Path(plan.settings.root) / path, limit, plan.settings.root).decode("utf-8", "replace")
        except OSError:
            out.extend(fs)
            continue
        sups = text_suppressions(kinds.get(path), text)
        for f in fs:
            sup = next((s for s in sups if s.covers(f.location) and any(_names(cat, c, f.code) for c in s.codes)), None)
            out.append(f.with_(suppressed=sup.reason or "suppressed inline") if sup else f)
    return out
