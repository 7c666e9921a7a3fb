"""Gradual adoption on an existing repository: a baseline of known findings, and
inline suppressions written for every current finding (ruff's ``--add-noqa``).

A baseline entry is a finding's fingerprint: its code, path, symbol or JSON
pointer, and the text of its source line with whitespace normalised. Line
numbers are not part of it, so a finding whose line moved is still known; only
findings that are new (or on a line whose text changed) fail the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core.model import Finding
    from .engine import RunResult

from .core.safeio import read_file

BASELINE_FORMAT = 1
MAX_SOURCE = 64 * 1024 * 1024
_SPACE = re.compile(r"\s+")


class BaselineError(Exception):
    pass


class _Sources:
    def __init__(self, root: Path):
        self.root = root
        self.lines: dict[str, list[str]] = {}

    def line(self, rel: str, n: int) -> str:
        if rel not in self.lines:
            try:
                data = read_file(self.root / rel, MAX_SOURCE, self.root, truncate=True)
                self.lines[rel] = data.decode("utf-8", "replace").splitlines()
            except OSError:
                self.lines[rel] = []
        lines = self.lines[rel]
        return lines[n - 1] if 1 <= n <= len(lines) else ""


def _normalised(line: str) -> str:
    line = re.sub(r"\s*(#|//)\s*commlint:\s*ignore.*$", "", line)  # a suppression added later changes nothing
    return _SPACE.sub(" ", line).strip()


def fingerprint(f: "Finding", sources: _Sources) -> str:
    loc = f.location
    anchor = loc.pointer if loc.pointer is not None else (loc.symbol or "")
    text = _normalised(sources.line(loc.path, loc.line)) if loc.path not in ("", ".") else ""
    raw = "\0".join((f.code, loc.path, anchor, text))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def write_baseline(result: "RunResult", path: Path) -> int:
    sources = _Sources(Path(result.settings.root))
    entries = []
    for f in result.active:
        entries.append({"fingerprint": fingerprint(f, sources), "code": f.code, "path": f.location.path,
                        "line": f.location.line, "message": f.message})
    entries.sort(key=lambda e: (e["path"], e["line"], e["code"], e["fingerprint"]))
    doc = {"tool": "commlint", "format": BASELINE_FORMAT, "findings": entries}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> Counter[str]:
    try:
        doc = json.loads(read_file(path, 256 * 1024 * 1024).decode("utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not a commlint baseline (not valid JSON: line {getattr(exc, 'lineno', '?')})") from None
    if not isinstance(doc, dict) or doc.get("format") != BASELINE_FORMAT or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a commlint baseline (write one with --write-baseline)")
    return Counter(e["fingerprint"] for e in doc["findings"] if isinstance(e, dict) and isinstance(e.get("fingerprint"), str))


def apply_baseline(result: "RunResult", known: Counter[str]) -> int:
    """Mark the findings the baseline knows as suppressed ("in the baseline"); how many."""
    sources = _Sources(Path(result.settings.root))
    left = Counter(known)
    out = []
    matched = 0
    for f in result.findings:
        if f.suppressed is None:
            fp = fingerprint(f, sources)
            if left[fp] > 0:
                left[fp] -= 1
                matched += 1
                f = f.with_(suppressed="in the baseline")
        out.append(f)
    result.findings = out
    return matched


# -- --add-suppressions -------------------------------------------------------------------------

COMMENT = {".py": "#", ".pyi": "#", ".yaml": "#", ".yml": "#", ".proto": "//", ".tf": "#"}
_EXISTING = re.compile(r"(?P<lead>\s*(?:#|//)\s*commlint:\s*ignore\[)(?P<codes>[^\]]*)(?P<rest>\].*)$")


def _same_meaning(ext: str, before: str, after: str) -> bool:
    """Whether the edited file means what it meant: only comments were added."""
    try:
        if ext in (".py", ".pyi"):
            import ast

            return ast.dump(ast.parse(before)) == ast.dump(ast.parse(after))
        if ext in (".yaml", ".yml"):
            import yaml

            return list(yaml.safe_load_all(before)) == list(yaml.safe_load_all(after))
    except Exception:  # noqa: BLE001 - could not tell: do not write
        return False
    return True  # proto, Terraform: a comment at the end of a line is always a comment


def add_suppressions(result: "RunResult", reason: str = "TODO: reason") -> tuple[int, int, list[str]]:
    """Write ``commlint: ignore[CODE] -- TODO: reason`` on each active finding's line.
    Returns (suppressions written, files changed, messages)."""
    from .fixes import write_atomic

    root = Path(result.settings.root)
    by_file: dict[str, dict[int, list[str]]] = {}
    messages: list[str] = []
    skipped: Counter[str] = Counter()
    for f in result.active:
        rel = f.location.path
        ext = os.path.splitext(rel)[1].lower()
        if ext not in COMMENT:
            skipped[rel] += 1
            continue
        codes = by_file.setdefault(rel, {}).setdefault(f.location.line, [])
        if f.code not in codes:
            codes.append(f.code)
    for rel, n in sorted(skipped.items()):
        if rel in ("", "."):
            continue
        messages.append(f"{rel}: {n} finding(s) not suppressed: a JSON file has no comments; "
                        "add `x-commlint-ignore: [CODE]` to the object instead")
    written = files = 0
    for rel, lines in sorted(by_file.items()):
        path = root / rel
        ext = os.path.splitext(rel)[1].lower()
        mark = COMMENT[ext]
        try:
            data = read_file(path, MAX_SOURCE, root)
            text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            messages.append(f"{rel}: not changed, cannot read it ({exc})")
            continue
        parts = text.splitlines(keepends=True)
        count = 0
        for n, codes in lines.items():
            if not 1 <= n <= len(parts):
                continue
            line = parts[n - 1]
            body = line.rstrip("\r\n")
            ending = line[len(body):]
            m = _EXISTING.search(body)
            if m:
                have = [c.strip() for c in m.group("codes").split(",") if c.strip()]
                new = have + [c for c in codes if c not in have]
                body = body[: m.start()] + m.group("lead") + ", ".join(new) + m.group("rest")
            else:
                body = f"{body}  {mark} commlint: ignore[{', '.join(codes)}] -- {reason}"
            parts[n - 1] = body + ending
            count += len(codes)
        new_text = "".join(parts)
        if new_text == text:
            continue
        if not _same_meaning(ext, text, new_text):
            messages.append(f"{rel}: not changed, a comment at the end of the reported line would change what "
                            "the file means (inside a string or block scalar); suppress these by hand")
            continue
        try:
            bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
            write_atomic(path, bom + new_text.encode("utf-8"))
        except OSError as exc:
            messages.append(f"{rel}: not changed, cannot write ({exc.strerror or exc})")
            continue
        written += count
        files += 1
    return written, files, messages

