"""The engine: plan the run, put each file through the pipeline (read and parse once, the
rules for its kind, suppressions, per-file ignores, severities), then the cross-file rules.

Engine rules (``rules/engine.toml``) are reported here: CL001 for a file that cannot be
read or parsed and for a rule that failed on a file, CL002 for configuration written in a
file that cannot be used (``Artifact.config_problems``), CL003 for an inline suppression
that suppresses nothing.
"""

from __future__ import annotations

from ..core.config import enabled_rules
from .pipeline import check_file, examined
from .plan import ENGINE_CODES, Plan, is_candidate, make_plan, wanted_kinds
from .project import Project, run_system_rules
from .results import FileResult, RunResult, engine_finding
from .suppress import apply_suppressions, per_file_ignores

__all__ = [
    "ENGINE_CODES", "FileResult", "Plan", "Project", "RunResult", "apply_suppressions", "check_file",
    "enabled_rules", "engine_finding", "examined", "is_candidate", "make_plan", "per_file_ignores",
    "run_system_rules", "wanted_kinds",
]
