"""Where a ``.proto`` file's top-level statements start (``syntax``, ``edition``, ``package``),
read from its text the way protoc's tokenizer reads it, for a file protoc has compiled.

protoc's source info gives the same positions, but asking for it costs a third of protoc's
time on a large tree (one location per element and comment), and most files have no
finding that needs a line; the findings that do are mostly about these statements (an
unversioned package, a syntax other than proto3). Only a file protoc accepted is read here,
so its comments and strings are well formed; a statement is a keyword at brace depth 0 that
follows nothing, a ``;`` or a ``}``. Lines count ``\\n`` only and columns count bytes (a byte
order mark's three too), a tab moving to the next multiple of 8, as protoc counts them
(``io/tokenizer.cc``).
"""

from __future__ import annotations

import re

# FileDescriptorProto field numbers: the paths protoc's source info gives these statements
PACKAGE, SYNTAX, EDITION = (2,), (12,), (14,)

TOKEN = re.compile(rb"""[ \t\n\r\f\v]+|//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
                   rb"""|[A-Za-z_][A-Za-z0-9_]*|[0-9][A-Za-z0-9_.]*|.""", re.S)
_SKIP = frozenset(b" \t\n\r\f\v")


def statements(data: bytes, edition: tuple[int, ...] = EDITION) -> dict[tuple[int, ...], tuple[int, int]]:
    """{path: (line, column)}, 1-based, of the file's package, syntax and edition statements;
    ``edition``: the path protoc gives an edition statement (protoc 5.x gives it syntax's)."""
    keywords = {b"package": PACKAGE, b"syntax": SYNTAX, b"edition": edition}
    out: dict[tuple[int, ...], tuple[int, int]] = {}
    depth, start = 0, True  # ``start``: the next token at depth 0 begins a statement
    for m in TOKEN.finditer(data, 3 if data.startswith(b"\xef\xbb\xbf") else 0):
        first = data[m.start()]
        if first in _SKIP or (first == 0x2F and m.end() - m.start() > 1 and data[m.start() + 1] in b"/*"):
            continue  # whitespace, a comment
        tok = m.group()
        if depth == 0 and start and tok in keywords:
            out.setdefault(keywords[tok], _position(data, m.start()))
            if PACKAGE in out:
                break  # syntax or edition comes first when there is one
        if tok == b"{":
            depth += 1
        elif tok == b"}":
            depth = max(0, depth - 1)
        start = depth == 0 and tok in (b";", b"}")
    return out


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    col = 0
    for byte in data[line_start:offset]:
        col = col + 8 - col % 8 if byte == 0x09 else col + 1
    return data.count(b"\n", 0, offset) + 1, col + 1
