"""String literals for ``pybuild``, read from the source text: ``ast`` joins ``"a" "b"`` into one
constant and gives an f-string's fields positions that Python 3.11 gets wrong, while libcst's tree
keeps each piece (``ConcatenatedString``) and each part of an f-string (text, and fields with their
conversion and format spec)."""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any

from . import pynodes as N

_PREFIX = re.compile(r"(?i)[rbuf]{0,2}(?='|\")")
# the rest of a literal after its opening quote(s)
_PLAIN_END = {
    "'": re.compile(r"(?:[^'\\\r\n]|\\.|\\\r?\n)*'", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\r\n]|\\.|\\\r?\n)*"', re.DOTALL),
    "'''": re.compile(r"(?:[^'\\]|\\.|'(?!''))*'''", re.DOTALL),
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
}
_GAP = re.compile(r"(?:[ \t\f\r\n]|\\\r?\n|#[^\r\n]*)*")
_OPEN = {"(": ")", "[": "]", "{": "}"}


def pieces(text: str, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """Each literal between ``start`` and ``end``: (start, body start, body end, end)."""
    out = []
    at = start
    while at < end:
        at = _GAP.match(text, at).end()
        if at >= end:
            break
        m = _PREFIX.match(text, at)
        if m is None:
            raise ValueError(f"no string literal at offset {at}")
        q = m.end()
        quote = text[q: q + 3] if text.startswith(text[q] * 3, q) else text[q]
        body = q + len(quote)
        close = _PLAIN_END[quote].match(text, body)
        if close is None:
            raise ValueError(f"unterminated string literal at offset {at}")
        out.append((at, body, close.end() - len(quote), close.end()))
        at = close.end()
    return out


class Strings:
    """The string part of ``pybuild._Builder``."""

    text: str

    def string(self, start: int, end: int) -> Any:
        found = pieces(self.text, start, end)
        nodes = [self.piece(*piece) for piece in found]
        node = nodes[-1]
        for i in range(len(nodes) - 2, -1, -1):
            node = N.ConcatenatedString(self.p(found[i][0], found[-1][3]), nodes[i], node)
        return node

    def piece(self, start: int, body: int, body_end: int, end: int) -> Any:
        head = self.text[start:body]
        if "f" not in head.lower():
            return N.SimpleString(self.p(start, end), self.text[start:end])
        parts = self.fstring_parts(body, body_end, "r" in head.lower())
        return N.FormattedString(self.p(start, end), parts, head, self.text[body_end:end])

    def fstring_parts(self, start: int, end: int, raw: bool) -> list[Any]:
        """Text and fields of an f-string's body (or of a format spec) between two offsets."""
        text = self.text
        parts: list[Any] = []
        at = chunk = start
        while at < end:
            c = text[at]
            if c == "\\" and not raw:
                named = text.find("}", at, end) if text.startswith("\\N{", at) else -1
                at = named + 1 if named > at else at + 2  # "\N{DASH}" is not a field
                continue
            if c in "{}":
                if text.startswith(c * 2, at):
                    at += 2
                    continue
                if c == "}":  # a lone "}" (an error CPython let through): text
                    at += 1
                    continue
                if at > chunk:
                    parts.append(N.FormattedStringText(self.p(chunk, at), text[chunk:at]))
                close, node = self.field(at, end, raw)
                parts.append(node)
                at = chunk = close
                continue
            at += 1
        if end > chunk:
            parts.append(N.FormattedStringText(self.p(chunk, end), text[chunk:end]))
        return parts

    def field(self, start: int, end: int, raw: bool) -> tuple[int, Any]:
        """The field ``{expr!c:spec}`` opening at ``start``: (the offset after it, its node)."""
        text = self.text
        depth = 0
        at = start + 1
        expr_end = conv = spec = -1
        while at < end:
            c = text[at]
            if c in "'\"":
                quote = text[at: at + 3] if text.startswith(c * 3, at) else c
                m = _PLAIN_END[quote].match(text, at + len(quote))
                at = m.end() if m else at + 1
                continue
            if c in _OPEN:
                depth += 1
            elif c in ")]":
                depth -= 1
            elif c == "}" and depth > 0:
                depth -= 1
            elif depth == 0:
                if c == "}":
                    break
                if c == "!" and not text.startswith("!=", at):
                    expr_end, conv = at, at + 1
                    while at < end and text[at] not in ":}":
                        at += 1
                    if at < end and text[at] == ":":
                        spec = at + 1
                        at = self._spec_end(at + 1, end)
                    break
                if c == ":":
                    expr_end, spec = at, at + 1
                    at = self._spec_end(at + 1, end)
                    break
                if c == "=" and text[at - 1] not in "=!<>" and not text.startswith("==", at):
                    expr_end = at  # ``{x=}``: libcst keeps the "=" apart from the expression
            at += 1
        close = at  # the "}" of the field
        if expr_end < 0:
            expr_end = close
        conversion = text[conv: (spec - 1 if spec > 0 else close)].strip() if conv > 0 else None
        fmt = self.fstring_parts(spec, close, raw) if spec > 0 else None
        expression = self.field_expression(start + 1, expr_end)
        return close + 1, N.FormattedStringExpression(self.p(start, close + 1), expression, fmt, conversion)

    def _spec_end(self, at: int, end: int) -> int:
        depth = 0
        text = self.text
        while at < end:
            c = text[at]
            if c == "{":
                depth += 1
            elif c == "}":
                if depth == 0:
                    return at
                depth -= 1
            at += 1
        return at

    def field_expression(self, start: int, end: int) -> Any:
        """A field's expression, parsed by itself and placed back at its offsets."""
        source = self.text[start:end]
        if source.endswith("=") and not source.endswith(("==", "!=", "<=", ">=")):
            source = source[:-1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse("(" + source + ")", mode="eval")
        line, col = self.lc(start)
        if self.shift is not None:
            line, col, _, _ = self._shifted(line, col, line, col)
        sub = type(self)("(" + source + ")", shift=(line, col))
        return sub.expr(tree.body)


# -- f-strings of Python 3.12 (PEP 701) on an older interpreter --------------------------------

_TOKEN = re.compile(r"#[^\r\n]*|(?i:[rbuf]{0,2})(?='|\")")
_FIELD_STRING = re.compile(r"(?i:[rbuf]{0,2})(?='|\")")


def older_fstrings(text: str) -> str | None:
    """``text`` with the quotes of strings nested in an f-string's fields turned to the other kind
    where they repeat the f-string's own (``f"{d["k"]}"`` -> ``f"{d['k']}"``, which Python 3.12
    allows and 3.11 does not): the same length, every offset unchanged, the same values. None when
    nothing needs it, or a nested string cannot be turned (it holds the other quote, or a backslash)."""
    edits: list[int] = []
    at = 0
    n = len(text)
    while at < n:
        m = _TOKEN.search(text, at)
        if m is None:
            break
        if m.group().startswith("#"):
            at = m.end()
            continue
        end = _literal(text, m.start(), edits, None)
        if end is None:
            return None
        at = end
    if not edits:
        return None
    chars = list(text)
    for i in edits:
        chars[i] = "'" if chars[i] == '"' else '"'
    return "".join(chars)


def _literal(text: str, start: int, edits: list[int], outer: str | None) -> int | None:
    """The end of the string literal at ``start``; quotes to turn go to ``edits``. ``outer``: the
    quote of the f-string this one is nested in."""
    m = _PREFIX.match(text, start)
    if m is None:
        return start + 1
    q = m.end()
    quote = text[q: q + 3] if text.startswith(text[q] * 3, q) else text[q]
    turned = outer is not None and quote[0] == outer[0]
    if turned and len(quote) == 3:
        return None
    body = q + len(quote)
    if "f" not in text[start:q].lower():
        close = _PLAIN_END[quote].match(text, body)
        if close is None:
            return None
        end = close.end()
        if turned:
            inner = text[body:end - 1]
            if "'" in inner or '"' in inner or "\\" in inner:
                return None
            edits.extend((q, end - 1))
        return end
    at = body
    n = len(text)
    while at < n:
        if text.startswith(quote, at):
            if turned:
                edits.extend((q, at))
            return at + len(quote)
        c = text[at]
        if c == "\\":
            at += 2
        elif text.startswith(("{{", "}}"), at):
            at += 2
        elif c == "{":
            at = _field(text, at + 1, edits, quote if not turned else ("'" if quote == '"' else '"'))
            if at is None:
                return None
        elif c in "\r\n" and len(quote) == 1:
            return None
        else:
            at += 1
    return None


def _field(text: str, at: int, edits: list[int], quote: str) -> int | None:
    """The offset after the ``}`` closing the field whose expression starts at ``at``."""
    depth = 0
    n = len(text)
    while at < n:
        c = text[at]
        if c in "'\"" or (c.isalpha() and _FIELD_STRING.match(text, at) and not text[at - 1].isalnum()
                          and text[at - 1] != "_"):
            m = _FIELD_STRING.match(text, at)
            if m is not None:
                end = _literal(text, at, edits, quote)
                if end is None:
                    return None
                at = end
                continue
        if c in "([{":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "}":
            if depth == 0:
                return at + 1
            depth -= 1
        elif c == ":" and depth == 0:  # the format spec: text, and fields of its own
            at += 1
            while at < n and text[at] != "}":
                if text[at] == "{":
                    at = _field(text, at + 1, edits, quote)
                    if at is None:
                        return None
                else:
                    at += 1
            continue
        elif c == "\\" or c == "#":
            return None
        at += 1
    return None
