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

from .artifacts.discovery import SourceFile
from .core import safeio
from .core.model import Edit, Finding
from .engine import FileResult, Plan, check_file


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
    from .core.catalogue import load

    cat = load()
    by_rel = {s.rel: s for s in sources}
    fixed: dict[str, int] = {}
    out: list[FileResult] = []
    for res in results:
        src = by_rel.get(res.rel)
        if src is None or res.kind is None or not _fixable(res.findings, plan, cat):
            out.append(res)
            continue
        limit = max(plan.settings.max_file_size, plan.settings.max_python_file_size)
        try:
            data = safeio.read_file(src.path, limit)
            enc = _encoding(data, res.kind)
            text = data.decode(enc)
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as exc:
            messages.append(f"{res.rel}: not fixed, cannot re-read the file ({exc})")
            out.append(res)
            continue
        # the fixes' offsets must be those of exactly these bytes: check them again
        # (a cached or earlier result may describe content that has changed since)
        current = check_file(src, plan, data)
        new_text, count = apply_edits(text, _fixable(current.findings, plan, cat))
        if count == 0 or new_text == text:
            out.append(current)
            continue
        problem = _parse_problem(res.kind, res.rel, new_text, plan)
        if problem is not None:
            messages.append(f"{res.rel}: fixes dropped, the result would not parse ({problem})")
            out.append(current)
            continue
        try:
            new_data = new_text.encode(enc)
        except UnicodeEncodeError as exc:
            messages.append(f"{res.rel}: fixes dropped, the result cannot be written in {enc} ({exc.reason})")
            out.append(current)
            continue
        try:
            if safeio.read_file(src.path, limit) != data:
                messages.append(f"{res.rel}: not fixed, the file changed while commlint ran")
                out.append(current)
                continue
            write_atomic(src.path, new_data)
        except NotReplaceable as exc:
            messages.append(f"{res.rel}: not fixed, {exc}")
            out.append(current)
            continue
        except OSError as exc:
            messages.append(f"{res.rel}: not fixed, cannot write ({exc.strerror or exc})")
            out.append(current)
            continue
        fixed[res.rel] = count
        out.append(check_file(src, plan, new_data))
    return out, fixed


def _fixable(findings: list[Finding], plan: Plan, cat) -> list[Finding]:  # noqa: ANN001
    """Findings whose fixes may be applied: not suppressed inline, not dropped by per-file-ignores."""
    from .engine import per_file_ignores

    return [f for f in per_file_ignores(findings, plan, cat) if f.fix is not None and f.suppressed is None]


def _parse_problem(kind: str, rel: str, text: str, plan: Plan) -> str | None:
    """Why the fixed text would not parse as its kind, or None."""
    from .artifacts import ParseError, kind_module

    try:
        artifact = kind_module(kind).parse(rel, text, plan.settings)
    except ParseError as exc:
        return f"line {exc.line}: {exc.message}"
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    if getattr(artifact, "error", None):  # front-ends that keep their syntax error (proto)
        return str(artifact.error)
    if getattr(artifact, "valid", True) is False:  # or their problems (Avro)
        return "the result is not valid"
    return None


class NotReplaceable(Exception):
    """A file that a new file in its place would change beyond its content."""


def write_atomic(path: "os.PathLike[str] | str", data: bytes) -> None:
    """Replace the file's content: a temporary file in the same folder with the original's
    mode, owner and group, renamed over it. A file with other hard links is refused (the
    rename would detach it from them), and so is one whose owner cannot be kept."""
    path = os.fspath(path)
    real = os.path.realpath(path)
    directory = os.path.dirname(real) or "."
    st = os.stat(real)
    if not stat.S_ISREG(st.st_mode):
        raise NotReplaceable("not a regular file")
    if st.st_nlink > 1:
        raise NotReplaceable(f"it has {st.st_nlink} hard links, which writing a new file would break")
    mode = stat.S_IMODE(st.st_mode)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".commlint-")
    try:
        tst = os.fstat(fd)
        if (tst.st_uid, tst.st_gid) != (st.st_uid, st.st_gid):
            try:
                os.fchown(fd, st.st_uid, st.st_gid)
            except OSError:
                if tst.st_uid != st.st_uid:
                    raise NotReplaceable("it belongs to another user, whom the new file would not belong to") from None
                # the group cannot be kept (not one of ours): the setgid bits would not mean the same
                mode &= ~(stat.S_ISGID | stat.S_ISUID)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def preview(result, messages: "list[str] | None" = None) -> str:  # noqa: ANN001
    """The fixes a run's findings carry, as a unified diff (nothing is written).

    A file whose name cannot stand in a patch header as it is (a line break, a control
    or bidirectional character, bytes that are not UTF-8), or whose changed lines hold
    control characters, is left out with a message: printed, it would forge another
    patch or reach the terminal as escape sequences."""
    import difflib
    from pathlib import Path

    from .core.escape import clean, unsafe_name, unsafe_text

    messages = result.messages if messages is None else messages
    out = []
    by_path: dict[str, list[Finding]] = {}
    for f in result.active:
        if f.fix is not None:
            by_path.setdefault(f.location.path, []).append(f)
    limit = max(result.settings.max_file_size, result.settings.max_python_file_size)
    for rel, findings in sorted(by_path.items()):
        if unsafe_name(rel):
            messages.append(f"{clean(rel)!r}: diff not shown, the file name cannot be written safely in a patch")
            continue
        path = Path(result.settings.root) / rel
        try:
            data = safeio.read_file(path, limit)
            kind = next((r.kind for r in result.files if r.rel == rel), None) or "python"
            text = data.decode(_encoding(data, kind))
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            continue
        new, _ = apply_edits(text, findings)
        lines = list(difflib.unified_diff(text.splitlines(True), new.splitlines(True), f"a/{rel}", f"b/{rel}"))
        if any(unsafe_text(line) for line in lines[2:]):
            messages.append(f"{clean(rel)}: diff not shown, the changed lines hold control characters")
            continue
        out.extend(lines)
    return "".join(out)
