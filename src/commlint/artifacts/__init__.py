"""Artifact kinds: how commlint finds, parses and locates each kind of file.

One module per kind (``commlint.artifacts.<kind>``; the endings it may claim are its entry
in ``KINDS`` below), each with:

- ``KIND``: the kind's name, used by rules (``kind = "python"`` in the catalogue);
- ``sniff(path, text) -> bool``: for endings several kinds share (YAML, JSON),
  a cheap look at the content that says whether the file is of this kind;
- ``parse(path, text, settings) -> Artifact``: parse once; raise ``ParseError``.

Modules are imported only when a file of their kind is seen.
"""

from __future__ import annotations

import importlib
import re
from ..core.records import field, record
from types import ModuleType
from typing import Any

from ..core.model import Location

# Order matters where endings are shared: the first kind whose sniff() says yes
# claims the file.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("python", (".py",)),
    ("avro", (".avsc",)),
    ("proto", (".proto",)),
    ("openapi", (".yaml", ".yml", ".json")),
    ("asyncapi", (".yaml", ".yml", ".json")),
    ("topics", (".yaml", ".yml", ".json", ".tf")),
    ("jsonschema", (".json", ".yaml", ".yml")),
)

SUPPRESS_RE = re.compile(
    r"commlint:\s*ignore\[(?P<codes>[^\]]*)\](?:\s*--\s*(?P<reason>[^\n]*?))?\s*(?:\*/)?\s*$"
)
BARE_SUPPRESS_RE = re.compile(r"commlint:\s*ignore(?![\[\w-])")  # no [CODES]: names no rule


class ParseError(Exception):
    """A file of a known kind that cannot be parsed. Becomes a CL001 finding."""

    def __init__(self, message: str, line: int = 1, column: int = 1, pointer: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.pointer = pointer


@record
class Suppression:
    """``commlint: ignore[CODES] -- reason`` found in a file.

    A line suppression covers findings on its own line and on the next line.
    A pointer suppression (``x-commlint-ignore`` in a JSON/YAML object)
    covers findings whose pointer is inside that object.
    """

    codes: tuple[str, ...]
    reason: str
    line: int
    pointer: str | None = None
    used: set[str] = field(default_factory=set)
    column: int = 1  # where the comment starts (CL003 points there)
    bare: bool = False  # ``commlint: ignore`` naming no rule: suppresses nothing, reported (CL002)

    def covers(self, loc: Location) -> bool:
        if self.pointer is not None:
            p = loc.pointer
            return p is not None and (p == self.pointer or p.startswith(self.pointer.rstrip("/") + "/"))
        return loc.line in (self.line, self.line + 1)


def comment_suppressions(text: str, markers: tuple[str, ...] = ("#", "//", "/*")) -> list[Suppression]:
    """Suppressions written as comments: ``# commlint: ignore[CL101] -- reason``."""
    if "commlint:" not in text:
        return []
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        if "commlint:" not in line:
            continue
        m = SUPPRESS_RE.search(line)
        bare = None if m else BARE_SUPPRESS_RE.search(line)
        if not m and not bare:
            continue
        start = (m or bare).start()  # type: ignore[union-attr]
        prefix = line[:start].rstrip()
        if not any(prefix.endswith(mk) or mk in prefix for mk in markers):
            continue
        column = max(prefix.rfind(mk) for mk in markers) + 1
        if bare:
            out.append(Suppression((), "", i, column=column, bare=True))
            continue
        codes = tuple(c.strip() for c in m.group("codes").split(",") if c.strip())  # type: ignore[union-attr]
        out.append(Suppression(codes, (m.group("reason") or "").strip(), i, column=column))  # type: ignore[union-attr]
    return out


class Artifact:
    """A parsed file. Kind modules subclass it."""

    kind = ""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self._line_starts: list[int] | None = None

    # -- locations -----------------------------------------------------
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based line and 1-based column."""
        starts = self.line_starts()
        line = max(1, min(line, len(starts)))
        return starts[line - 1] + column - 1

    def locate(self, where: Any) -> Location:
        """A Location for whatever the kind's rules report on."""
        if isinstance(where, Location):
            return where
        if isinstance(where, int):
            return Location(self.path, where, 1)
        raise TypeError(f"cannot locate {type(where).__name__} in a {self.kind} file")

    def suppressions(self) -> list[Suppression]:
        return comment_suppressions(self.text)

    def config_problems(self) -> list[tuple[Location, str]]:
        """Configuration written in the file that commlint cannot use (CL002), such as
        an ``x-commlint-ignore`` that is not a list of rule codes."""
        return []

    def dependencies(self) -> list[str]:
        """Other files this file's findings depend on (absolute paths), such as the files a
        spec's ``$ref``s read: the result cache checks them before reusing a result."""
        return []

    def facts(self) -> dict[str, Any]:
        """What cross-file rules need from this file (JSON-serialisable, cached)."""
        return {}

    # The rule that reports why a file of this kind does not parse (CL400, CL500): when it is
    # not selected, the engine reports the failure as CL001, so no selection hides it.
    validity_rule: str | None = None

    def unparsed(self) -> tuple[Location, str] | None:
        """Where and why the file does not parse (its kind's rules then skip it), or None."""
        return None


def text_suppressions(kind: str | None, text: str) -> list[Suppression]:
    """The comment suppressions of a file of ``kind``, as that kind defines comments: a kind
    module may define ``comment_suppressions_in(text)`` (Python: real comments, not strings);
    others use the generic comment scan. Per-file and cross-file findings both read them so."""
    if kind is not None:
        own = getattr(kind_module(kind), "comment_suppressions_in", None)
        if own is not None:
            return own(text)
    return comment_suppressions(text)


_KIND_MODULES: dict[str, ModuleType] = {}


def kind_module(kind: str) -> ModuleType:
    """The front-end of a kind, imported on first use (then looked up: the prefilter asks for each
    YAML file's four kinds, and ``import_module`` was a fifth of telling ansible's files apart)."""
    mod = _KIND_MODULES.get(kind)
    if mod is None:
        mod = _KIND_MODULES[kind] = importlib.import_module(f"{__name__}.{kind}")
    return mod


PREPARED = frozenset({"proto"})  # the kinds whose module defines ``prepare`` (a test checks it)


def prepares(kinds: tuple[str, ...]) -> bool:
    """Whether a file of these kinds takes part in ``prepare`` (known without importing them)."""
    return not PREPARED.isdisjoint(kinds)


def prepare(files: list[tuple[str, tuple[str, ...], bytes | None]], settings: Any, workers: int = 1) -> None:
    """Work a kind does once for many files (protoc's batches), done before worker processes
    fork so that they inherit it: ``files`` is (path, kinds, content) for each file to check.
    A kind module takes part by defining ``prepare(files, settings, workers)``, its kind
    named in ``PREPARED``."""
    by_kind: dict[str, list[tuple[str, bytes]]] = {}
    for path, kinds, data in files:
        for kind in kinds:
            if data is not None and kind in PREPARED:
                by_kind.setdefault(kind, []).append((path, data))
    for kind, items in by_kind.items():
        kind_module(kind).prepare(items, settings, workers)


PROTO_LINES = [True]  # protoc's batches compiled with source info (``protoc.LINES``)


def collecting_facts(kinds: set[str]) -> None:
    """Whether the run collects cross-file facts from files of each kind, said before any is
    parsed. Only protoc cares: facts read every element's line, so its batches are compiled
    with source info; a run that only checks files needs lines for findings alone. (A flag
    here, not in protoc: importing protoc costs a run without .proto files 5 ms.)"""
    PROTO_LINES[0] = "proto" in kinds


def kinds_for(path: str) -> list[str]:
    lower = path.lower()
    return [k for k, exts in KINDS if lower.endswith(exts)]
