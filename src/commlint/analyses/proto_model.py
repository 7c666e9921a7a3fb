"""The descriptor model of a ``.proto`` file: what protoc resolved (full type names, json names,
oneofs, presence, editions features, options), flattened by full name, with the source line
of every element (protoc's ``source_code_info``)."""

from __future__ import annotations

from ..core.records import field, record
from typing import Any

# FieldDescriptorProto.Type -> name
SCALARS = {1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
           9: "string", 10: "group", 11: "message", 12: "bytes", 13: "uint32", 14: "enum", 15: "sfixed32",
           16: "sfixed64", 17: "sint32", 18: "sint64"}
EDITIONS = {998: "proto2", 999: "proto3", 1000: "2023", 1001: "2024", 1002: "2026"}
FIELD_MAX = 536_870_911
TOP_LEVEL = ((2,), (12,), (14,))  # FileDescriptorProto's package, syntax and edition


@record
class Field:
    name: str
    number: int
    type: str  # int32, message, enum, group...
    type_name: str  # full name of a message or enum type, without the leading dot
    json_name: str
    cardinality: str  # repeated | required | optional (explicit presence) | implicit
    oneof: str | None  # the real oneof it belongs to (not proto3 optional's synthetic one)
    default: str | None
    options: Any
    path: tuple[int, ...]
    is_map: bool = False

    @property
    def readable_type(self) -> str:
        return self.type_name if self.type in ("message", "enum", "group") else self.type


@record
class Message:
    name: str
    fields: dict[int, Field]
    oneofs: dict[str, tuple[int, ...]]  # name -> path
    reserved: list[tuple[int, int]]  # inclusive ranges
    reserved_names: set[str]
    extension_ranges: list[tuple[int, int]]
    options: Any
    path: tuple[int, ...]
    json_format: str = "ALLOW"


@record
class EnumValue:
    name: str
    number: int
    path: tuple[int, ...]


@record
class Enum:
    name: str
    values: dict[int, list[EnumValue]]
    reserved: list[tuple[int, int]]
    reserved_names: set[str]
    closed: bool
    json_format: str
    path: tuple[int, ...]


@record
class Method:
    name: str
    input: str
    output: str
    client_streaming: bool
    server_streaming: bool
    idempotency: int
    path: tuple[int, ...]


@record
class Service:
    name: str
    methods: dict[str, Method]
    path: tuple[int, ...]


@record
class Model:
    name: str
    package: str
    syntax: str  # proto2 | proto3 | editions
    edition: str | None  # 2023, 2024
    options: Any
    messages: dict[str, Message] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    extensions: dict[str, tuple[int, ...]] = field(default_factory=dict)  # full name -> path
    map_entries: dict[str, tuple[int, ...]] = field(default_factory=dict)  # a map field's entry message -> its path
    # the descriptor's source_code_info, or a function giving it (the file compiled again for its
    # lines), read into ``spans`` when a line is first asked for
    source: Any = None
    # a function giving where the top-level statements are ({(2,): package, (12,): syntax, (14,): edition}
    # -> (line, column)), read from the text: their lines cost no source info
    statements: Any = None
    complete: bool = False  # its elements read (``fill``)
    _spans: dict[tuple[int, ...], tuple[int, int]] | None = None
    _statements: dict[tuple[int, ...], tuple[int, int]] | None = None

    @property
    def spans(self) -> dict[tuple[int, ...], tuple[int, int]]:
        """path -> (line, column), 1-based. Read on demand: most files have nothing to report,
        and their source info (one location per element and comment) is never looked at."""
        if self._spans is None:
            source = self.source() if callable(self.source) else self.source
            self._spans = {}
            for loc in source.location if source is not None else ():
                if loc.span:
                    self._spans.setdefault(tuple(loc.path), (loc.span[0] + 1, loc.span[1] + 1))
        return self._spans

    def _top(self) -> dict[tuple[int, ...], tuple[int, int]]:
        """The top-level statements' positions: from the text when it is at hand, else from the spans."""
        if self._spans is None and self.statements is not None:
            if self._statements is None:
                self._statements = self.statements()
            return self._statements
        return self.spans

    def has(self, statement: tuple[int, ...]) -> bool:
        """Whether the file has the statement (``(14,)``: an edition declaration)."""
        return statement in self._top()

    @property
    def has_lines(self) -> bool:
        return self.statements is not None or bool(self.spans)

    def line_of(self, path: tuple[int, ...]) -> tuple[int, int]:
        """Where an element is written: its own span, else its nearest enclosing element's."""
        if path in TOP_LEVEL:  # a statement's own span, else the package's, the syntax's, the top
            top = self._top()
            return top.get(path) or top.get((2,), top.get((12,), (1, 1)))
        while path:
            hit = self.spans.get(path)
            if hit is not None:
                return hit
            path = path[:-1]
        return self.spans.get((2,), self.spans.get((12,), (1, 1)))

    def local(self, full: str) -> str:
        """A full name without the file's package, for messages."""
        return full[len(self.package) + 1:] if self.package and full.startswith(self.package + ".") else full


def _features(options: Any) -> Any:
    return options.features if options is not None and options.HasField("features") else None


def _feature(chain: list[Any], name: str) -> int | None:
    """The innermost explicitly set editions feature along an element's chain of options."""
    for options in chain:
        f = _features(options)
        if f is not None and f.HasField(name):
            return getattr(f, name)
    return None


def build(fd: Any, source: Any = None, statements: Any = None, elements: bool = True) -> Model:
    """The model of one ``FileDescriptorProto``; its lines from its source info, or from
    ``source`` and ``statements`` (see ``Model``) when given. ``elements=False``: the file's
    syntax, package and lines only, its elements added by ``fill`` when wanted."""
    syntax = fd.syntax or "proto2"
    edition = EDITIONS.get(fd.edition) if syntax == "editions" else None
    model = Model(fd.name, fd.package, syntax, edition, fd.options, source=source if source is not None else fd.source_code_info,
                  statements=statements)
    if elements:
        fill(model, fd)
    return model


def fill(model: Model, fd: Any) -> Model:
    """``model``'s messages, enums, services and extensions, read from ``fd`` (once)."""
    if model.complete:
        return model
    model.complete = True
    prefix = f"{fd.package}." if fd.package else ""
    chain = [fd.options]
    for i, m in enumerate(fd.message_type):
        _message(model, m, prefix + m.name, (4, i), chain)
    for i, e in enumerate(fd.enum_type):
        _enum(model, e, prefix + e.name, (5, i), chain)
    for i, s in enumerate(fd.service):
        methods = {m.name: Method(m.name, m.input_type.lstrip("."), m.output_type.lstrip("."), m.client_streaming,
                                  m.server_streaming, m.options.idempotency_level, (6, i, 2, j))
                   for j, m in enumerate(s.method)}
        model.services[prefix + s.name] = Service(prefix + s.name, methods, (6, i))
    for i, x in enumerate(fd.extension):
        model.extensions[f"{x.extendee.lstrip('.')}.{x.name}"] = (7, i)
    return model


def _ranges(ranges: Any, exclusive: bool) -> list[tuple[int, int]]:
    return [(r.start, r.end - 1 if exclusive else r.end) for r in ranges]


def _message(model: Model, m: Any, full: str, path: tuple[int, ...], chain: list[Any]) -> None:
    chain = [m.options, *chain]
    json_format = {1: "ALLOW", 2: "LEGACY_BEST_EFFORT"}.get(_feature(chain, "json_format") or 0,
                                                          "LEGACY_BEST_EFFORT" if model.syntax == "proto2" else "ALLOW")
    msg = Message(full, {}, {}, _ranges(m.reserved_range, True), set(m.reserved_name),
                  _ranges(m.extension_range, True), m.options, path, json_format)
    maps = {n.name for n in m.nested_type if n.options.map_entry}
    synthetic = {f.oneof_index for f in m.field if f.proto3_optional}
    for j, o in enumerate(m.oneof_decl):
        if j not in synthetic:
            msg.oneofs[o.name] = (*path, 8, j)
    for j, f in enumerate(m.field):
        fchain = [f.options, *chain]
        oneof = m.oneof_decl[f.oneof_index].name if f.HasField("oneof_index") and f.oneof_index not in synthetic else None
        kind = SCALARS.get(f.type, str(f.type))
        type_name = f.type_name.lstrip(".")
        is_map = kind == "message" and type_name.rsplit(".", 1)[-1] in maps and type_name.startswith(full + ".")
        msg.fields[f.number] = Field(f.name, f.number, kind, type_name, f.json_name or f.name,
                                     _cardinality(model, f, oneof, kind, fchain),
                                     oneof, f.default_value if f.HasField("default_value") else None, f.options,
                                     (*path, 2, j), is_map)
    model.messages[full] = msg
    for j, n in enumerate(m.nested_type):
        if n.options.map_entry:
            model.map_entries[f"{full}.{n.name}"] = (*path, 3, j)
        else:
            _message(model, n, f"{full}.{n.name}", (*path, 3, j), chain)
    for j, e in enumerate(m.enum_type):
        _enum(model, e, f"{full}.{e.name}", (*path, 4, j), chain)
    for j, x in enumerate(m.extension):
        model.extensions[f"{x.extendee.lstrip('.')}.{x.name}"] = (*path, 6, j)


def _cardinality(model: Model, f: Any, oneof: str | None, kind: str, chain: list[Any]) -> str:
    if f.label == 3:
        return "repeated"
    if f.label == 2:
        return "required"
    if oneof is not None or f.proto3_optional or kind in ("message", "group"):
        return "optional"
    if model.syntax == "proto2":
        return "optional"
    if model.syntax == "proto3":
        return "implicit"
    presence = _feature(chain, "field_presence")  # 1 EXPLICIT, 2 IMPLICIT, 3 LEGACY_REQUIRED
    return {2: "implicit", 3: "required"}.get(presence or 1, "optional")


def _enum(model: Model, e: Any, full: str, path: tuple[int, ...], chain: list[Any]) -> None:
    chain = [e.options, *chain]
    values: dict[int, list[EnumValue]] = {}
    for j, v in enumerate(e.value):
        values.setdefault(v.number, []).append(EnumValue(v.name, v.number, (*path, 2, j)))
    enum_type = _feature(chain, "enum_type")  # 1 OPEN, 2 CLOSED
    closed = model.syntax == "proto2" if enum_type is None else enum_type == 2
    json_format = {1: "ALLOW", 2: "LEGACY_BEST_EFFORT"}.get(_feature(chain, "json_format") or 0,
                                                          "LEGACY_BEST_EFFORT" if model.syntax == "proto2" else "ALLOW")
    model.enums[full] = Enum(full, values, _ranges(e.reserved_range, False), set(e.reserved_name), closed, json_format, path)
