"""The data commlint passes around: rules' metadata, locations, findings, fixes.

Findings are frozen records; reporters only format them.
"""

from __future__ import annotations

import enum
import functools
from .records import field, record, replace
from pathlib import Path
from typing import Any


class Severity(enum.IntEnum):
    """How serious a finding is. The SARIF level is the lower-case name."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str) -> "Severity":
        aliases = {"info": "note", "warn": "warning", "err": "error"}
        key = aliases.get(str(value).lower(), str(value).lower())
        try:
            return cls[key.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (use note, warning or error)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@record(frozen=True)
class Location:
    """Where a finding is. ``path`` is relative to the run's root, with '/'.

    ``line``/``column`` are 1-based; ``end_*`` are inclusive line and
    exclusive column. ``pointer`` is a JSON pointer into a YAML/JSON/Avro
    document; ``symbol`` a qualified name in code (``OrderClient.fetch``).
    """

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    pointer: str | None = None
    symbol: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "line": self.line, "column": self.column}
        if self.end_line is not None:
            d["end_line"] = self.end_line
        if self.end_column is not None:
            d["end_column"] = self.end_column
        if self.pointer is not None:
            d["pointer"] = self.pointer
        if self.symbol is not None:
            d["symbol"] = self.symbol
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Location":
        return cls(**d)


@record(frozen=True)
class Edit:
    """Replace ``text[start:end]`` (character offsets) with ``replacement``."""

    start: int
    end: int
    replacement: str


@record(frozen=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "edits": [[e.start, e.end, e.replacement] for e in self.edits],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Fix":
        return cls(d["description"], tuple(Edit(*e) for e in d["edits"]))


@record(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    checklist: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    fix: Fix | None = None
    related: tuple[Location, ...] = ()
    suppressed: str | None = None  # the justification, when an inline suppression applies
    properties: tuple[tuple[str, str], ...] = ()  # what the rule knew: ("target", "internal"), ...

    def with_(self, **changes: Any) -> "Finding":
        return replace(self, **changes)

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "location": self.location.to_dict(),
            "checklist": list(self.checklist),
            "sections": list(self.sections),
        }
        if self.fix is not None:
            d["fix"] = self.fix.to_dict()
        if self.related:
            d["related"] = [r.to_dict() for r in self.related]
        if self.suppressed is not None:
            d["suppressed"] = self.suppressed
        if self.properties:
            d["properties"] = dict(self.properties)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        return cls(
            code=d["code"],
            name=d["name"],
            severity=Severity.parse(d["severity"]),
            message=d["message"],
            location=Location.from_dict(d["location"]),
            checklist=tuple(d.get("checklist", ())),
            sections=tuple(d.get("sections", ())),
            fix=Fix.from_dict(d["fix"]) if d.get("fix") else None,
            related=tuple(Location.from_dict(r) for r in d.get("related", ())),
            suppressed=d.get("suppressed"),
            properties=tuple(sorted((str(k), str(v)) for k, v in (d.get("properties") or {}).items())),
        )


@record(frozen=True)
class Example:
    """A rule's good or bad example: a folder of real files beside the rule's
    ``rule.toml`` (``bad/``, ``bad-2/``, ``good/``...), holding the files at the
    paths the example needs (``bad/orders/client.py``).

    Bad examples mark the lines that must fire inline (``# expect: CL101``)
    or list them in ``expect`` as ``"path:line:CODE"`` where the format has
    no comments (JSON, Avro). A bad example with a ``fixed`` counterpart
    (``fixed/`` for ``bad/``, ``fixed-2/`` for ``bad-2/``) is what
    ``commlint check --fix`` turns it into, byte for byte.

    The files are read when first asked for: loading the catalogue reads no example.
    """

    kind: str  # "bad" | "good"
    name: str = ""  # the folder: bad, bad-2, good...
    folder: str | None = None  # where its files are
    title: str = ""
    expect: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    args: dict[str, Any] = field(default_factory=dict)
    fixed_folder: str | None = None  # a bad example's fixed counterpart

    @functools.cached_property
    def files(self) -> dict[str, str]:
        """Path (relative to the example's folder, with '/') -> content."""
        return read_tree(self.folder) if self.folder else {}

    @functools.cached_property
    def fixed(self) -> dict[str, str] | None:
        """What ``--fix`` makes of the files, or None when the example has no fixed counterpart."""
        return read_tree(self.fixed_folder) if self.fixed_folder else None

    @property
    def fixed_name(self) -> str | None:
        return self.name.replace("bad", "fixed", 1) if self.fixed_folder else None


def read_tree(folder: str) -> dict[str, str]:
    """Every file under ``folder`` (not ``__pycache__``), decoded as UTF-8 with its line endings kept."""
    root = Path(folder)
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.relative_to(root).parts and p.suffix != ".pyc":
            out[p.relative_to(root).as_posix()] = p.read_bytes().decode("utf-8")
    return out


@record(frozen=True)
class RuleMeta:
    """A rule as the catalogue (``rules/<family>/<CODE>-<name>/rule.toml``) describes it."""

    code: str
    name: str
    family: str
    kind: str
    module: str
    severity: Severity
    summary: str
    checklist: tuple[str, ...]
    sections: tuple[str, ...]
    standard: tuple[str, ...]  # the sentences of the standard this rule enforces
    what: str
    why: str
    fix: str
    options: dict[str, Any]
    examples: tuple[Example, ...]
    default_enabled: bool = True
    aliases: tuple[str, ...] = ()
    fixable: bool = False  # a bad example has a fixed counterpart
    folder: str = ""  # the rule's folder in the catalogue, relative to it: "sync_calls/CL101-missing-timeout"
    # "calls": its check examines the module's outbound calls and clients alone (``http_calls``), so a
    # file where none can be is not parsed for it (analyses/screen.py)
    examines: str = ""

    @property
    def items(self) -> tuple[str, ...]:
        """Checklist items then sections: what a finding evidences."""
        return self.checklist + self.sections
