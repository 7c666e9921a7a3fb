"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning takes it.

``tool.driver.rules`` is generated from the catalogue (help = the rule's
documentation); results carry repo-relative locations, stable
``partialFingerprints``, ``suppressions`` for inline-suppressed findings and
fixes as replacements.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.catalogue import load
from ..core.escape import clean
from ..core.model import Finding
from ..core.version import __version__
from ..docs import items_text, rule_markdown
from .jsonfmt import _clean_obj
from .scorecard import scorecard

if TYPE_CHECKING:
    from ..engine import RunResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://pypi.org/project/commlint/"


def _rule_entry(rule) -> dict[str, Any]:  # noqa: ANN001
    cat = load()
    help_md = rule_markdown(rule, cat)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": f"{rule.what}\n\n{rule.why}\n\nHow to fix: {rule.fix}", "markdown": help_md},
        "defaultConfiguration": {"level": rule.severity.label, "enabled": rule.default_enabled},
        "properties": {
            "tags": list(dict.fromkeys([*rule.checklist, *rule.sections, rule.kind])),
            "checklist": list(rule.checklist),
            "evidences": items_text(rule, cat),
        },
    }


def _fingerprint(f: Finding, seen: dict[str, int]) -> str:
    loc = f.location
    anchor = loc.pointer or loc.symbol or ""
    base = "\0".join((f.code, loc.path, anchor, f.message))
    digest = hashlib.sha256(base.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    n = seen.get(digest, 0)
    seen[digest] = n + 1
    return f"{digest}:{n}"


def _region(loc) -> dict[str, Any]:  # noqa: ANN001
    region: dict[str, Any] = {"startLine": max(1, loc.line), "startColumn": max(1, loc.column)}
    if loc.end_line is not None:
        region["endLine"] = max(loc.end_line, region["startLine"])
    if loc.end_column is not None and (loc.end_line is None or loc.end_line >= loc.line):
        end_col = max(1, loc.end_column)
        if loc.end_line in (None, loc.line) and end_col < region["startColumn"]:
            end_col = region["startColumn"]
        region["endColumn"] = end_col
    return region


def _location(loc) -> dict[str, Any]:  # noqa: ANN001
    out: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(loc.path), "uriBaseId": "%SRCROOT%"},
            "region": _region(loc),
        }
    }
    logical = []
    if loc.symbol:
        logical.append({"fullyQualifiedName": loc.symbol, "kind": "function"})
    if loc.pointer is not None:
        logical.append({"fullyQualifiedName": loc.pointer or "/", "kind": "element"})
    if logical:
        out["logicalLocations"] = logical
    return out


def _uri(path: str) -> str:
    from urllib.parse import quote

    try:
        raw = path.encode("utf-8", "surrogateescape")  # a file name that is not UTF-8: its bytes
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "backslashreplace")
    return quote(raw, safe="/")


def render_sarif(result: "RunResult") -> str:
    cat = load()
    rules = list(result.rules)
    used = {f.code for f in result.findings}
    for code in sorted(used - {r.code for r in rules}):
        rules.append(cat.by_code[code])
    index = {r.code: i for i, r in enumerate(rules)}
    seen: dict[str, int] = {}
    results = []
    for f in result.findings:
        entry: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": f.severity.label,
            "message": {"text": clean(f.message)},
            "locations": [_location(f.location)],
            "partialFingerprints": {"commlint/v1": _fingerprint(f, seen)},
            "properties": {"name": f.name, "checklist": list(f.checklist), "sections": list(f.sections)},
        }
        if f.related:
            entry["relatedLocations"] = [
                {"id": i, **_location(r), "message": {"text": clean(r.symbol or r.path)}} for i, r in enumerate(f.related)
            ]
        if f.suppressed is not None:
            entry["suppressions"] = [{"kind": "inSource", "justification": clean(f.suppressed)}]
        if f.fix is not None:
            entry["fixes"] = [{
                "description": {"text": f.fix.description},
                "artifactChanges": [{
                    "artifactLocation": {"uri": _uri(f.location.path), "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {"deletedRegion": {"charOffset": e.start, "charLength": e.end - e.start},
                         "insertedContent": {"text": e.replacement}}
                        for e in f.fix.edits
                    ],
                }],
            }]
        results.append(entry)
    root = Path(result.settings.root).resolve().as_uri().rstrip("/") + "/"
    run = {
        "tool": {
            "driver": {
                "name": "commlint",
                "semanticVersion": __version__,
                "version": __version__,
                "informationUri": INFO_URI,
                "rules": [_rule_entry(r) for r in rules],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "note", "message": {"text": clean(m)}} for m in result.messages
            ],
        }],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {"checklist": scorecard(result)},
    }
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(_clean_obj(doc), indent=2, ensure_ascii=False) + "\n"
