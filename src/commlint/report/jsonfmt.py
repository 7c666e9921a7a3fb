"""``--format json``: every finding as data, with a summary and the checklist scorecard."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..core.escape import clean
from ..core.version import __version__
from .scorecard import scorecard

if TYPE_CHECKING:
    from ..engine import RunResult


def _clean_obj(obj):  # noqa: ANN001, ANN202
    if isinstance(obj, str):
        return clean(obj)
    if isinstance(obj, list):
        return [_clean_obj(o) for o in obj]
    if isinstance(obj, dict):
        return {_clean_obj(k): _clean_obj(v) for k, v in obj.items()}
    return obj


def render_json(result: "RunResult") -> str:
    active = result.active
    by_severity: dict[str, int] = {}
    for f in active:
        by_severity[f.severity.label] = by_severity.get(f.severity.label, 0) + 1
    doc = {
        "tool": "commlint",
        "version": __version__,
        "findings": [f.to_dict() for f in result.findings],
        "summary": {
            "files": len(result.files),
            "findings": len(active),
            "suppressed": len(result.findings) - len(active),
            "by_severity": by_severity,
            "fixed": result.fixed,
        },
        "checklist": scorecard(result),
        "messages": result.messages,
    }
    return json.dumps(_clean_obj(doc), indent=2, ensure_ascii=False) + "\n"
