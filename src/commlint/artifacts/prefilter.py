"""Which files are worth parsing: the cheap text prefilter.

Parsing Python with libcst costs about 3 µs per byte, as much as bandit's
whole run; only parsing fewer files makes a large repository fast. A rule
family names, in its catalogue header, the substrings (``triggers``) a Python
file must contain for any of its rules to fire. Two stages decide:

1. ``bytes`` membership on the raw file (about 2 GB/s per trigger): a file
   holding no trigger is never decoded, let alone parsed;
2. for the few files that pass, unless a trigger sits on a top-level import,
   the tokenizer (15-20x cheaper than libcst) removes comments and
   docstrings, where triggers are only prose ("retries requests that fail"),
   and the triggers are looked for again in what is left: the code. A file
   the tokenizer cannot read passes (the parser then reports it).

A file that holds a suppression comment (``commlint: ignore[...]``) passes
when unused suppressions are reported (CL003), since that finding needs only
the comment. The prefilter must never change results: ``--no-prefilter``
parses and checks every file, and tests compare both over every example.
"""

from __future__ import annotations

import io
import tokenize
from typing import Iterable

SUPPRESSION_MARK = b"commlint:"


def contains_any(data: bytes, triggers: Iterable[bytes]) -> bool:
    """Stage 1: does the raw file contain any trigger?"""
    return any(t in data for t in triggers)


def code_view(data: bytes) -> str | None:
    """The source with comments and docstrings blanked out, or None when the
    tokenizer cannot read it (then the caller must assume the worst).

    A docstring here is any statement that is only string literals (module,
    class and function docstrings, attribute docstrings, code commented out
    in a string): it has no effect when the program runs. An f-string is code.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    starts = [0]  # offset of each line as the tokenizer splits them (on "\n" only)
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)

    def offset(pos: tuple[int, int]) -> int:
        return starts[pos[0] - 1] + pos[1]

    blank: list[tuple[int, int]] = []
    strings: list[tokenize.TokenInfo] = []  # string literals that began a statement
    at_statement_start = True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tok.type
            if kind == tokenize.COMMENT:
                blank.append((offset(tok.start), offset(tok.end)))
                continue
            if kind == tokenize.NL:
                continue
            if kind == tokenize.STRING and (at_statement_start or strings) and not _is_fstring(tok.string):
                strings.append(tok)
                at_statement_start = False
                continue
            if strings:
                if kind in (tokenize.NEWLINE, tokenize.ENDMARKER) or (kind == tokenize.OP and tok.string == ";"):
                    blank.append((offset(strings[0].start), offset(strings[-1].end)))
                strings = []
            at_statement_start = kind in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) or (
                kind == tokenize.OP and tok.string == ";"
            )
    except (tokenize.TokenError, SyntaxError):  # IndentationError is a SyntaxError
        return None
    if not blank:
        return text
    parts = []
    prev = 0
    for start, end in sorted(blank):
        parts.append(text[prev:start])
        parts.append(" ")
        prev = max(prev, end)
    parts.append(text[prev:])
    return "".join(parts)


def _is_fstring(literal: str) -> bool:
    """An f-string runs the code inside its braces: never blanked."""
    quote = min((i for i in (literal.find('"'), literal.find("'")) if i >= 0), default=0)
    return "f" in literal[:quote].lower()


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
