"""``--fix``: apply the fixes findings carry, safely.

Edits are applied from the end of the file backwards; an edit that overlaps
one already taken waits for the next run. A file is written only when it has
fixes, only if it has not changed since it was read, only if the result still
parses, and atomically (temporary file in the same folder + rename, with the
original's permissions).
"""

from __future__ import annotations

import os
import stat
import tempfile

from .discovery import SourceFile
from .engine import FileResult, Plan, check_file
from .model import Edit, Finding


def apply_edits(text: str, findings: list[Finding]) -> tuple[str, int]:
    edits: list[Edit] = []
    applied = 0
    taken: list[tuple[int, int]] = []
    for f in sorted(findings, key=lambda f: f.fix.edits[0].start if f.fix and f.fix.edits else 0):
        if f.fix is None or f.suppressed is not None:
            continue
        spans = [(e.start, e.end) for e in f.fix.edits]
        if any(s < te and ts < e or s == ts for s, e in spans for ts, te in taken):
            continue
        taken.extend(spans)
        edits.extend(f.fix.edits)
        applied += 1
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: e.start] + e.replacement + text[e.end :]
    return text, applied


def _encoding(data: bytes, kind: str) -> str:
    if kind == "python":
        import io
        import tokenize

        enc, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return enc
    return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"


def apply_all(
    sources: list[SourceFile], results: list[FileResult], plan: Plan, messages: list[str]
) -> tuple[list[FileResult], dict[str, int]]:
    by_rel = {s.rel: s for s in sources}
    fixed: dict[str, int] = {}
    out: list[FileResult] = []
    for res in results:
        fixable = [f for f in res.findings if f.fix is not None and f.suppressed is None]
        src = by_rel.get(res.rel)
        if not fixable or src is None or res.kind is None:
            out.append(res)
            continue
        try:
            with open(src.path, "rb") as fh:
                data = fh.read()
            enc = _encoding(data, res.kind)
            text = data.decode(enc)
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as exc:
            messages.append(f"{res.rel}: not fixed, cannot re-read the file ({exc})")
            out.append(res)
            continue
        new_text, count = apply_edits(text, fixable)
        if count == 0 or new_text == text:
            out.append(res)
            continue
        from .artifacts import ParseError, kind_module

        try:
            kind_module(res.kind).parse(res.rel, new_text, plan.settings)
        except (ParseError, Exception) as exc:  # noqa: BLE001
            messages.append(f"{res.rel}: fixes dropped, the result would not parse ({exc})")
            out.append(res)
            continue
        new_data = new_text.encode(enc)
        try:
            with open(src.path, "rb") as fh:
                if fh.read() != data:
                    messages.append(f"{res.rel}: not fixed, the file changed while commlint ran")
                    out.append(res)
                    continue
            write_atomic(src.path, new_data)
        except OSError as exc:
            messages.append(f"{res.rel}: not fixed, cannot write ({exc.strerror or exc})")
            out.append(res)
            continue
        fixed[res.rel] = count
        out.append(check_file(src, plan, new_data))
    return out, fixed


def write_atomic(path: "os.PathLike[str] | str", data: bytes) -> None:
    path = os.fspath(path)
    real = os.path.realpath(path)
    directory = os.path.dirname(real) or "."
    mode = stat.S_IMODE(os.stat(real).st_mode)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".commlint-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def preview(result) -> str:  # noqa: ANN001
    """The fixes a run's findings carry, as a unified diff (nothing is written)."""
    import difflib
    from pathlib import Path

    out = []
    by_path: dict[str, list[Finding]] = {}
    for f in result.active:
        if f.fix is not None:
            by_path.setdefault(f.location.path, []).append(f)
    for rel, findings in sorted(by_path.items()):
        path = Path(result.settings.root) / rel
        try:
            data = path.read_bytes()
            kind = next((r.kind for r in result.files if r.rel == rel), None) or "python"
            text = data.decode(_encoding(data, kind))
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            continue
        new, _ = apply_edits(text, findings)
        out.extend(difflib.unified_diff(text.splitlines(True), new.splitlines(True), f"a/{rel}", f"b/{rel}"))
    return "".join(out)
