"""Protobuf contracts (``.proto``), parsed with proto-schema-parser.

proto-schema-parser (an ANTLR grammar of proto2, proto3 and editions) keeps
options, oneofs, maps, streaming, reserved ranges and comments, but its tree
has no positions and its parser prints syntax errors and carries on. Here the
same grammar is driven with an error listener that collects syntax errors,
and its tree builder records the line of every node it builds, so every
finding has a line.

A file that does not parse is not an engine error: the artifact keeps the
error and rule CL500 reports it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from ..core.records import field, record
from pathlib import Path
from typing import Any

from antlr4 import CommonTokenStream, InputStream, Token
from antlr4.error.ErrorListener import ErrorListener
from proto_schema_parser import ast
from proto_schema_parser.antlr.ProtobufLexer import ProtobufLexer
from proto_schema_parser.antlr.ProtobufParser import ProtobufParser
from proto_schema_parser.parser import _ASTConstructor

from ..core import safeio
from ..core.model import Location
from . import Artifact, protoc, protolines

KIND = "proto"
FIELD_MAX = 536_870_911
ENUM_MAX = 2_147_483_647


def sniff(path: str, text: str) -> bool:
    return True


class _Errors(ErrorListener):
    def __init__(self) -> None:
        self.errors: list[tuple[int, int, str]] = []

    def syntaxError(self, recognizer: Any, offendingSymbol: Any, line: int, column: int, msg: str, e: Any) -> None:
        self.errors.append((line, column + 1, msg))


# Whitespace and comments, the bulk of a real file's characters, which the generated lexer
# walks one character at a time through its DFA: matched here by a regular expression into
# the very tokens it makes (its rules: WS [ \t\r\n\f]+ on the hidden channel, LINE_COMMENT
# '//' ~[\r\n]*, BLOCK_COMMENT '/*' .*? '*/'; no other rule starts with these characters).
# An unclosed comment, and everything else, is left to the generated lexer.
_QUIET = re.compile(r"[ \t\r\n\f]+|//[^\r\n]*|/\*.*?\*/", re.S)
_QUIET_TYPES = {" ": ProtobufLexer.WS, "\t": ProtobufLexer.WS, "\r": ProtobufLexer.WS, "\n": ProtobufLexer.WS,
                "\f": ProtobufLexer.WS}


class _Lexer(ProtobufLexer):
    """The generated lexer, with whitespace and comments matched by ``_QUIET`` (the same tokens,
    text, lines, columns and channels; tests compare the two on real files)."""

    def nextToken(self) -> Any:  # noqa: N802 - ANTLR's name
        if not self._hitEOF:
            start = self._input.index
            m = _QUIET.match(self._input.strdata, start)
            if m is not None:
                text = m.group()
                interp = self._interp
                self._type = _QUIET_TYPES.get(text[0]) or (ProtobufLexer.LINE_COMMENT if text[1] == "/" else ProtobufLexer.BLOCK_COMMENT)
                self._channel = Token.HIDDEN_CHANNEL if self._type == ProtobufLexer.WS else Token.DEFAULT_CHANNEL
                self._tokenStartCharIndex, self._tokenStartLine, self._tokenStartColumn = start, interp.line, interp.column
                self._text = None
                newlines = text.count("\n")
                if newlines:
                    interp.line += newlines
                    interp.column = len(text) - text.rfind("\n") - 1
                else:
                    interp.column += len(text)
                self._input.seek(m.end())
                if self._input.LA(1) == Token.EOF:
                    self._hitEOF = True
                return self.emit()
        return super().nextToken()


class _Located(_ASTConstructor):
    """The library's tree builder, recording where each node starts."""

    def __init__(self) -> None:
        super().__init__()
        self.positions: dict[int, tuple[int, int]] = {}

    def visit(self, tree: Any) -> Any:
        node = super().visit(tree)
        start = getattr(tree, "start", None)
        if node is not None and start is not None and not isinstance(node, (str, int, float, bool, list)):
            self.positions.setdefault(id(node), (start.line, start.column + 1))
        return node


class ProtoArtifact(Artifact):
    kind = KIND

    def __init__(self, path: str, text: str):
        super().__init__(path, text)
        self.file: ast.File | None = None
        self.positions: dict[int, tuple[int, int]] = {}
        self.names: dict[int, str] = {}  # id(node) -> qualified name (Outer.Inner.field)
        self.syntax_line: int | None = None
        self.error: tuple[int, int, str] | None = None
        self.descriptor: Any = None  # protoc's FileDescriptorProto (with source info) when it compiled the file
        self.compiled: Any = None  # protoc.Compiled: the descriptor pool of its batch
        self.fallback: str | None = None  # why the grammar parser read the file instead of protoc
        self._model: Any = None
        self.deps: set[str] = set()  # files this file's findings depend on: its imports, found or looked for

    validity_rule = "CL500"

    def dependencies(self) -> list[str]:
        return sorted(self.deps)

    def unparsed(self) -> tuple[Location, str] | None:
        if self.error is None:
            return None
        line, col, message = self.error
        return Location(self.path, line, col), f"not a valid .proto file: {message}"

    def locate(self, where: Any) -> Location:
        if isinstance(where, (Location, int)):
            return super().locate(where)
        line, col = self.positions.get(id(where), (1, 1))
        return Location(self.path, line, col, symbol=self.names.get(id(where)))

    def line_sources(self) -> tuple[Any, Any]:
        """For the descriptor model's lines, when protoc compiled the file without source info:
        (a function giving its source info, compiled again alone from this text; a function
        giving its top-level statements' positions, read from the text); else (None, None)."""
        d, compiled = self.descriptor, self.compiled
        if d is None or compiled is None or d.HasField("source_code_info"):
            return None, None
        read: list[bytes] = []

        def data() -> bytes:  # what protoc read, looked up once
            if not read:
                read.append(protoc.compiled_bytes(compiled, self.text.encode("utf-8")))
            return read[0]

        return (lambda: protoc.source_info(compiled, data())), (lambda: protolines.statements(data(), protoc.edition_path()))

    @property
    def parsed(self) -> bool:
        return self.descriptor is not None or self.file is not None

    def facts(self) -> dict[str, Any]:
        if self.descriptor is not None:
            d = self.descriptor
            return {"valid": True, "package": d.package or None,
                    "services": {s.name: [m.name for m in s.method] for s in d.service}}
        if self.file is None:
            return {"valid": False}
        return {
            "valid": True,
            "package": package(self.file),
            "services": {s.name: [m.name for m in s.elements if isinstance(m, ast.Method)]
                         for s in self.file.file_elements if isinstance(s, ast.Service)},
        }


def parse(path: str, text: str, settings: Any = None) -> ProtoArtifact:
    """protoc's descriptors when protoc can compile the file (its imports found), else the grammar."""
    art = ProtoArtifact(path, text)
    if settings is not None and protoc.available():
        top = Path(settings.root).resolve()
        file = _inside(top, path)
        if file is not None:
            compiled = protoc.compile_file(file, text, top)
            art.compiled = compiled
            art.deps = _import_files(file, text, top, compiled)
            if compiled.errors:
                art.error = _opening(text, compiled.errors[0])
                return art
            if compiled.descriptor is not None:
                art.descriptor = compiled.descriptor
                return art
            art.fallback = compiled.unresolved
            early = _READ_AHEAD.pop((str(file), text), None)
            if early is not None:  # read by the grammar while protoc ran (prepare)
                art.file, art.positions, art.names, art.syntax_line, art.error = early
                return art
    return parse_grammar(art, text)


PREPARE_FILES = 20


def prepare(files: list[tuple[str, bytes]], settings: Any, workers: int = 1) -> None:
    """protoc's batches compiled once, here, before the workers fork (each would compile every
    batch that any of its files belongs to: the whole tree, once per worker); a large batch in
    ``workers`` processes at once."""
    if not protoc.available() or len(files) < PREPARE_FILES:  # a few files: each worker's own batches are cheap
        return
    top = Path(settings.root).resolve()
    todo = [(file, data.removeprefix(b"\xef\xbb\xbf")) for path, data in files
            for file in [_inside(top, path)] if file is not None]
    protoc.warm_all(todo, top, workers, _read_ahead(todo, top))


_READ_AHEAD: dict[tuple[str, str], tuple[Any, ...]] = {}  # (path, text) -> what parse_grammar read


def _read_ahead(todo: list[tuple[Path, bytes]], top: Path) -> Any:
    """What prepare's process does while protoc runs in others: the grammar reads the files
    protoc will not compile (an import found nowhere, or one that does not compile), which
    the workers would read after protoc; they inherit the trees."""
    done: set[str] = set()

    def run(doomed: list[str]) -> None:
        wanted = set(doomed)
        for file, data in todo:
            key = str(file)
            if key in done or (key not in wanted and not isinstance(protoc.roots_for(file, data, top), str)):
                continue
            done.add(key)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            art = parse_grammar(ProtoArtifact(key, text), text)
            _READ_AHEAD[(key, text)] = (art.file, art.positions, art.names, art.syntax_line, art.error)

    return run


def _inside(top: Path, path: str) -> Path | None:
    """``(top / path).resolve()`` when that lies under ``top`` (resolved), else None; the real
    path of the file's folder is remembered (thousands of files, a few hundred folders)."""
    full = top / path
    try:
        plain = full.name not in ("", ".", "..") and not stat.S_ISLNK(os.lstat(full).st_mode)
    except (OSError, ValueError):
        plain = False
    file = Path(safeio.real_folder(str(full.parent)), full.name) if plain else full.resolve()
    return file if str(file).startswith(f"{str(top).rstrip(os.sep)}{os.sep}") else None


def _import_files(file: Path, text: str, top: Path, compiled: Any) -> set[str]:
    """The files a compiled file's verdict depends on: every file it imports, transitively, where
    it was found; and for an import not found, each place it was looked for (a file added
    there later changes the verdict)."""
    if compiled.deps is not None:
        return set(compiled.deps)
    data = text.encode("utf-8", "replace")
    found = protoc.roots_for(file, data, top)
    ancestors = [file.parent, *[p for p in file.parent.parents if p == top or top in p.parents]]
    if isinstance(found, str):  # an import found nowhere: where it may appear
        return {str(a / imp) for imp in protoc.imports_of(data) for a in ancestors if ".." not in imp.split("/")}
    roots, _own = found
    pool = compiled.pool or {}
    seen: set[str] = set()
    todo = [compiled.name] if compiled.name else []
    out: set[str] = set()
    while todo:
        name = todo.pop()
        desc = pool.get(name)
        for dep in getattr(desc, "dependency", ()) if desc is not None else ():
            if dep in seen:
                continue
            seen.add(dep)
            todo.append(dep)
            hit = next((r / dep for r in roots if (r / dep).is_file()), None)
            if hit is not None:
                out.add(str(hit))
    return out


def _opening(text: str, error: tuple[int, int, str]) -> tuple[int, int, str]:
    """protoc reports a comment never closed at the end of the file: point at where it opens."""
    if "inside block comment" not in error[2]:
        return error
    start = text.rfind("/*")
    if start < 0:
        return error
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1, f"{error[2]} (the comment opens here)"


def parse_grammar(art: ProtoArtifact, text: str) -> ProtoArtifact:
    """The file read by the proto-schema-parser grammar (no imports resolved)."""
    errors = _Errors()
    lexer = _Lexer(InputStream(text))
    lexer.removeErrorListeners()
    lexer.addErrorListener(errors)
    parser = ProtobufParser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(errors)
    try:
        tree = parser.file_()
        if errors.errors:
            art.error = errors.errors[0]
            return art
        builder = _Located()
        art.file = builder.visit(tree)
    except RecursionError:
        art.error = (1, 1, "nested too deeply")
        return art
    except Exception as exc:  # noqa: BLE001 - the tree builder trusts what the grammar let through
        art.error = (1, 1, f"{type(exc).__name__}: {exc}")
        return art
    art.positions = builder.positions
    art.names = {id(node): qual for qual, node in walk(art.file.file_elements) if isinstance(getattr(node, "name", None), str)}
    if tree.syntaxDecl() is not None:
        art.syntax_line = tree.syntaxDecl().start.line
    elif tree.editionDecl() is not None:
        art.syntax_line = tree.editionDecl().start.line
    return art


# -- reading the tree ------------------------------------------------------------------------


def package(file: ast.File) -> str | None:
    return next((e.name for e in file.file_elements if isinstance(e, ast.Package)), None)


def walk(elements: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every message, enum, field, ... with its qualified name (``Outer.Inner``), depth first."""
    for e in elements:
        name = getattr(e, "name", None)
        qual = f"{prefix}.{name}" if prefix and isinstance(name, str) else (name if isinstance(name, str) else prefix)
        yield qual, e
        children = getattr(e, "elements", None)
        if isinstance(children, list) and not isinstance(e, ast.Service):
            yield from walk(children, qual if isinstance(e, (ast.Message, ast.Enum, ast.Extension)) else prefix)


def reserved_numbers(ranges: list[str], maximum: int) -> list[tuple[int, int]]:
    """``["2", "9 to 11", "20 to max"]`` -> [(2, 2), (9, 11), (20, maximum)]."""
    out = []
    for r in ranges:
        lo, _, hi = str(r).partition(" to ")
        try:
            a = int(lo.strip(), 0)
            b = maximum if hi.strip() == "max" else int(hi.strip(), 0) if hi else a
        except ValueError:
            continue
        out.append((a, b))
    return out


@record
class MessageInfo:
    node: Any
    fields: dict[int, Any] = field(default_factory=dict)  # number -> Field / MapField (oneof members included)
    reserved: list[tuple[int, int]] = field(default_factory=list)
    reserved_names: set[str] = field(default_factory=set)


@record
class Contract:
    """What a .proto file promises its clients, by qualified name."""

    package: str | None
    messages: dict[str, MessageInfo]
    enums: dict[str, MessageInfo]  # values by number, reserved ranges
    services: dict[str, Any]


def contract(file: ast.File) -> Contract:
    c = Contract(package(file), {}, {}, {})
    for qual, e in walk(file.file_elements):
        if isinstance(e, ast.Message):
            info = MessageInfo(e)
            for member in _members(e.elements):
                if isinstance(member, (ast.Field, ast.MapField, ast.Group)):
                    info.fields[member.number] = member
                elif isinstance(member, ast.Reserved):
                    info.reserved += reserved_numbers(member.ranges, FIELD_MAX)
                    info.reserved_names |= set(member.names)
            c.messages[qual] = info
        elif isinstance(e, ast.Enum):
            info = MessageInfo(e)
            for member in e.elements:
                if isinstance(member, ast.EnumValue):
                    info.fields.setdefault(member.number, member)
                elif isinstance(member, ast.EnumReserved):
                    info.reserved += reserved_numbers(member.ranges, ENUM_MAX)
                    info.reserved_names |= set(member.names)
            c.enums[qual] = info
        elif isinstance(e, ast.Service):
            c.services[qual] = e
    return c


def _members(elements: list[Any]) -> Iterator[Any]:
    """A message's own members, with oneof members lifted out (nested messages stay apart)."""
    for m in elements:
        if isinstance(m, ast.OneOf):
            yield from _members(m.elements)
        else:
            yield m
