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
# Where the tool's page is, when it has one that exists: the GitHub Action sets it to
# the repository it runs commlint from. No default: commlint is not published anywhere.
INFO_URI_ENV = "COMMLINT_INFORMATION_URI"

# GitHub code scanning's limits on one upload ("SARIF support for code scanning",
# "SARIF results exceed limits"): a file over them is rejected whole.
MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_LOCATIONS = 1_000
MAX_RELATED = 1_000
MAX_GZIP_BYTES = 10 * 1024 * 1024


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


def _within_limits(findings: list[Finding], notes: list[str]) -> list[Finding]:
    """At most MAX_RESULTS results, the most severe kept (active before suppressed)."""
    if len(findings) <= MAX_RESULTS:
        return findings
    ranked = sorted(findings, key=lambda f: (f.suppressed is not None, -int(f.severity), f.sort_key()))
    kept, left = ranked[:MAX_RESULTS], ranked[MAX_RESULTS:]
    by_code: dict[str, int] = {}
    for f in left:
        by_code[f.code] = by_code.get(f.code, 0) + 1
    worst = max(f.severity for f in left).label
    notes.append(f"SARIF: {len(left)} of {len(findings)} results left out (GitHub code scanning takes at most "
                 f"{MAX_RESULTS:,} per run; the most severe kept, the worst left out is a {worst}): "
                 + ", ".join(f"{c} {n}" for c, n in sorted(by_code.items())))
    keep = {id(f) for f in kept}
    return [f for f in findings if id(f) in keep]


def render_sarif(result: "RunResult", notes: list[str] | None = None) -> str:
    """``notes``: what had to be left out to stay within GitHub's limits (said on stderr)."""
    notes = [] if notes is None else notes
    text = _render(result, _within_limits(list(result.findings), notes), notes)
    import gzip

    findings = list(result.findings)
    raw = len(text.encode("utf-8"))
    # gzip never makes text larger than a few bytes per 16 KiB block: a small report is not compressed to know
    size = raw if raw < MAX_GZIP_BYTES * 0.99 else len(gzip.compress(text.encode("utf-8"), 6))
    while size > MAX_GZIP_BYTES and findings:
        keep = max(0, int(len(findings) * min(0.9, MAX_GZIP_BYTES / size)))
        ranked = sorted(findings, key=lambda f: (f.suppressed is not None, -int(f.severity), f.sort_key()))[:keep]
        ids = {id(f) for f in ranked}
        findings = [f for f in findings if id(f) in ids]
        trimmed: list[str] = []
        text = _render(result, _within_limits(findings, trimmed), [])
        size = len(gzip.compress(text.encode("utf-8"), 6))
        if size <= MAX_GZIP_BYTES or not findings:
            notes.append(f"SARIF: {len(result.findings) - len(findings)} of {len(result.findings)} results left out "
                         "to keep the file within GitHub's 10 MB (gzip) upload limit; the most severe kept")
    return text


def _render(result: "RunResult", findings: list[Finding], notes: list[str]) -> str:
    import os

    cat = load()
    rules = list(result.rules)
    used = {f.code for f in findings}
    for code in sorted(used - {r.code for r in rules}):
        rules.append(cat.by_code[code])
    rules = rules[:MAX_RULES]  # the catalogue holds far fewer: never reached
    index = {r.code: i for i, r in enumerate(rules)}
    seen: dict[str, int] = {}
    results = []
    for f in findings:
        entry: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": f.severity.label,
            "message": {"text": clean(f.message)},
            "locations": [_location(f.location)],
            "partialFingerprints": {"commlint/v1": _fingerprint(f, seen)},
            "properties": {"name": f.name, "checklist": list(f.checklist), "sections": list(f.sections),
                           **dict(f.properties)},
        }
        if f.related:
            entry["relatedLocations"] = [
                {"id": i, **_location(r), "message": {"text": clean(r.symbol or r.path)}}
                for i, r in enumerate(f.related[:MAX_RELATED])
            ]
            if len(f.related) > MAX_RELATED:
                notes.append(f"SARIF: {f.code} at {f.location.path}:{f.location.line}: {len(f.related) - MAX_RELATED}"
                             f" of {len(f.related)} related locations left out (at most {MAX_RELATED:,})")
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
    info = os.environ.get(INFO_URI_ENV, "")
    if info.startswith(("https://", "http://")):
        run["tool"]["driver"]["informationUri"] = info  # type: ignore[index]
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(_clean_obj(doc), indent=2, ensure_ascii=False) + "\n"
