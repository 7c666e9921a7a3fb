"""Which files are worth parsing: the cheap text prefilter.

Parsing and indexing Python costs far more than searching it for a few words;
only parsing fewer files makes a large repository fast. A rule
family names, in its catalogue header, the substrings (``triggers``) a Python
file must contain for any of its rules to fire. Two stages decide:

1. ``bytes`` membership on the raw file (about 2 GB/s per trigger): a file
   holding no trigger is never decoded, let alone parsed;
2. for the few files that pass, unless a trigger sits on a top-level import,
   a regular expression removes comments and
   docstrings, where triggers are only prose ("retries requests that fail"),
   and the triggers are looked for again in what is left: the code. A file
   the tokenizer cannot read passes (the parser then reports it).
3. for a file still in, CPython's ``ast`` tells whether anything the call
   checks examine can be in it at all (``analyses/screen.py``): a file none of
   whose imported names leads to an HTTP, gRPC or broker library, directly or
   through a module of the tree, gets no tree of the analyses and no rule
   run, and its cross-file facts are read from that ``ast``.

A file that holds a suppression comment (``commlint: ignore[...]``) passes
when unused suppressions are reported (CL003), since that finding needs only
the comment. The prefilter must never change results: ``--no-prefilter``
parses and checks every file, and tests compare both over every example.
"""

from __future__ import annotations

import io
import re
from typing import Iterable

SUPPRESSION_MARK = b"commlint:"


def contains_any(data: bytes, triggers: Iterable[bytes]) -> bool:
    """Stage 1: does the raw file contain any trigger?"""
    return any(t in data for t in triggers)


# Comments and string literals, in one pass of the regular-expression engine (C): what the
# tokenizer calls COMMENT and STRING tokens, found several times faster than with ``tokenize``.
# A quote that starts no complete literal ("bad") makes the view unknown.
_SCAN = re.compile(  # no named groups: they make the scan twice as slow
    r"#[^\r\n]*"
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"""|['"]""",  # a quote that starts no complete literal
    re.S,
)
_PREFIX = frozenset("rRbBuUfF")
_SPACES = re.compile(r"(?:[ \t\f]|\\\r?\n)*")  # what may sit between the literals of one statement


def code_view(data: bytes) -> str | None:
    """The source with comments and docstrings blanked out, or None when it cannot be
    read as Python tokens (then the caller must assume the worst).

    A docstring here is any statement that is only string literals (module,
    class and function docstrings, attribute docstrings, code commented out
    in a string): it has no effect when the program runs. An f-string is code.
    A statement starts at a line's first token outside brackets and backslash
    continuations, or after a ``;``. The result is what the tokenizer gives
    (a test compares the two), found by one regular expression instead.
    """
    import tokenize  # here: a warm run reads no file, and tokenize is 2 ms of its imports

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    blank: list[tuple[int, int]] = []
    depth = 0  # brackets open in the code read so far
    prev = 0  # where the previous comment or literal ended
    at_start = True  # whether a statement begins at ``prev``
    group: tuple[int, int] | None = None  # a statement's literals so far: first start, last end
    for m in _SCAN.finditer(text):
        start, end = m.span()
        comment = text[start] == "#"
        if not comment and end - start == 1:
            return None  # an unterminated literal
        head = start  # a literal's prefix (r, b, f, rb...) sits just before its quote
        while not comment and head > prev and head > start - 2 and text[head - 1] in _PREFIX:
            head -= 1
        chunk = text[prev:head]
        if group is not None:
            if _SPACES.fullmatch(chunk) is None:  # code, or a line's end, after the literals
                if _ends_statement(chunk):
                    blank.append(group)
                group = None
            elif comment:
                blank.append((start, end))
                prev = end
                continue  # a comment after the literals: the statement may still end at the line's end
        if chunk:
            depth += _opened(chunk)
            at_start = _starts_statement(chunk, at_start, depth)
        prev = end
        if comment:
            blank.append((start, end))
            continue
        if group is None and not at_start:
            continue  # a literal inside a statement: code
        fstring = "f" in text[head:start] or "F" in text[head:start]
        if group is not None:
            group = None if fstring else (group[0], end)  # an f-string among them makes the statement code
        elif not fstring:
            group = (head, end)
        at_start = False
    if group is not None and _ends_statement(text[prev:]):
        blank.append(group)
    if not blank:
        return text
    parts = []
    prev = 0
    for start, end in sorted(blank):
        parts.append(text[prev:start])
        parts.append(" ")
        prev = end
    parts.append(text[prev:])
    return "".join(parts)


def _opened(chunk: str) -> int:
    return (chunk.count("(") + chunk.count("[") + chunk.count("{")
            - chunk.count(")") - chunk.count("]") - chunk.count("}"))


def _starts_statement(chunk: str, was: bool, depth: int) -> bool:
    """Whether a statement begins right after ``chunk``, code between two literals or comments
    (``was``: whether one began before it)."""
    if depth > 0:
        return False
    if "\\" in chunk:  # backslash continuations join lines: no statement ends there
        chunk = chunk.replace("\\\r\n", " ").replace("\\\n", " ")
    nl = chunk.rfind("\n")
    if nl != -1:
        was = True
    stripped = chunk[nl + 1:].strip(" \t\f")
    return was if not stripped else stripped.endswith(";")


def _ends_statement(rest: str) -> bool:
    """Whether what follows a statement's literals ends it: a line's end, a ``;``, the file's end."""
    after = rest[_SPACES.match(rest).end():]  # type: ignore[union-attr]
    return after == "" or after[0] in "\r\n;"


def on_import_line(data: bytes, triggers: Iterable[bytes], limit: int = 16) -> bool:
    """Whether a trigger sits on a top-level ``import``/``from`` line: then the
    file is taken as code without tokenizing it (at worst the line is in a
    docstring and the file is parsed for nothing; indented example code in
    docstrings is common, so indented imports go through the tokenizer)."""
    for t in triggers:
        i = data.find(t)
        for _ in range(limit):
            if i == -1:
                break
            head = data[data.rfind(b"\n", 0, i) + 1 : i]
            if head.startswith((b"import ", b"from ")):
                return True
            i = data.find(t, i + 1)
    return False


def python_in_scope(data: bytes, triggers: tuple[bytes, ...], suppressions: bool) -> bool:
    """Whether any enabled rule can report on this Python file (both stages)."""
    if suppressions and SUPPRESSION_MARK in data:
        return True
    if not contains_any(data, triggers):
        return False
    if on_import_line(data, triggers):
        return True
    code = code_view(data)
    if code is None:
        return True
    return any(t.decode("utf-8") in code for t in triggers)
