"""The grammar parser's lexer with whitespace and comments matched by a regular expression
(artifacts/proto.py ``_Lexer``) gives the very tokens the generated lexer gives: the same
types, text, channels, offsets, lines and columns, and the same errors."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from antlr4 import InputStream, Token
from antlr4.error.ErrorListener import ErrorListener
from proto_schema_parser.antlr.ProtobufLexer import ProtobufLexer

from commlint.artifacts.proto import _Lexer

CASES = [
    'syntax = "proto3"; // c1\r\n\t/* b\nc */ package a.v1;\f x\n//\n',
    "//",
    "/*",  # never closed: the generated lexer's own error
    "/* a */ /",
    "/**/ /*/ */ /* ** / */ x",
    "a // b // c\r\rd /* // */ e",
    'message M { string s = 1; } // "quoted" /* not a block',
    "\ufeffsyntax = 'proto2';\n\n\n",
    "message M {\n\t\t// é ü — 漢字\n\tint32 x = 1; /* ∞\n\n */ }\n",
    "x\vy \x00 z",  # characters no rule matches
    "option (a) = { b: 1 /* in a literal */ c: '//' };\n",
    " \n \n ",
]


class _Errors(ErrorListener):
    def __init__(self) -> None:
        self.seen: list[tuple[int, int, str]] = []

    def syntaxError(self, recognizer, offendingSymbol, line, column, msg, e):  # noqa: ANN001, N802
        self.seen.append((line, column, msg))


def _tokens(lexer_class: type, text: str) -> tuple[list[tuple], list[tuple[int, int, str]]]:
    lexer = lexer_class(InputStream(text))
    errors = _Errors()
    lexer.removeErrorListeners()
    lexer.addErrorListener(errors)
    out = []
    while True:
        t = lexer.nextToken()
        out.append((t.type, t.channel, t.start, t.stop, t.line, t.column, t.text))
        if t.type == Token.EOF:
            return out, errors.seen


@pytest.mark.parametrize("text", CASES)
def test_the_same_tokens_as_the_generated_lexer(text: str) -> None:
    assert _tokens(_Lexer, text) == _tokens(ProtobufLexer, text)


def _real_files() -> list[Path]:
    """.proto files of the shared corpus and this repository's examples (a sample)."""
    here = Path(__file__).resolve().parent.parent
    found = [p for base in (here / "rules", here / "examples", here.parent / "shared" / "corpus")
             if base.is_dir() for p in base.rglob("*.proto")]
    random.Random(7).shuffle(found)
    return found[:150]


def test_the_same_tokens_on_real_files() -> None:
    files = _real_files()
    if not files:
        pytest.skip("no .proto files at hand")
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _tokens(_Lexer, text) == _tokens(ProtobufLexer, text), os.fspath(path)


def test_the_same_tree_positions_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from commlint.artifacts import proto

    def snapshot(text: str) -> tuple:
        art = proto.parse_grammar(proto.ProtoArtifact("x.proto", text), text)
        return art.error, art.syntax_line, repr(art.file), sorted(art.positions.values()), sorted(art.names.values())

    texts = CASES + [p.read_text(encoding="utf-8", errors="replace") for p in _real_files()[:40]]
    fast = [snapshot(t) for t in texts]
    monkeypatch.setattr(proto, "_Lexer", ProtobufLexer)
    assert fast == [snapshot(t) for t in texts]
