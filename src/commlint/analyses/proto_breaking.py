"""buf's breaking-change rules (``buf breaking``) over two descriptor models of one file.

Each change is reported with the buf rule id that would report it (FIELD_NO_DELETE...), so
users migrating from buf recognise it, and the rules are chosen as buf's ``breaking.use``
chooses them: by category (FILE, the default; PACKAGE; WIRE_JSON; WIRE) or by id, minus
``except``. The categories are buf's own (``buf config ls-breaking-rules --version v2``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .proto_model import Enum, Field, Message, Model

_F, _P, _WJ, _W = "FILE", "PACKAGE", "WIRE_JSON", "WIRE"
_ALL4 = (_F, _P, _WJ, _W)
_FPJ = (_F, _P, _WJ)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "EXTENSION_NO_DELETE": (_F,), "SERVICE_NO_DELETE": (_F,), "ENUM_NO_DELETE": (_F,), "FILE_NO_DELETE": (_F,),
    "MESSAGE_NO_DELETE": (_F,), "RPC_NO_DELETE": (_F, _P), "ENUM_SAME_TYPE": (_F, _P),
    "FIELD_SAME_CARDINALITY": (_F, _P), "FIELD_SAME_CPP_STRING_TYPE": (_F, _P),
    "FIELD_SAME_JAVA_UTF8_VALIDATION": (_F, _P), "FIELD_SAME_JSTYPE": (_F, _P), "FIELD_SAME_UTF8_VALIDATION": (_F, _P),
    **{f"FILE_SAME_{o}": (_F, _P) for o in (
        "CC_ENABLE_ARENAS", "CC_GENERIC_SERVICES", "CSHARP_NAMESPACE", "GO_PACKAGE", "JAVA_GENERIC_SERVICES",
        "JAVA_MULTIPLE_FILES", "JAVA_OUTER_CLASSNAME", "JAVA_PACKAGE", "OBJC_CLASS_PREFIX", "OPTIMIZE_FOR",
        "PHP_CLASS_PREFIX", "PHP_METADATA_NAMESPACE", "PHP_NAMESPACE", "PY_GENERIC_SERVICES", "RUBY_PACKAGE",
        "SWIFT_PREFIX")},
    "ENUM_VALUE_NO_DELETE": (_F, _P), "EXTENSION_MESSAGE_NO_DELETE": (_F, _P), "FIELD_NO_DELETE": (_F, _P),
    "FIELD_SAME_TYPE": (_F, _P), "FILE_SAME_SYNTAX": (_F, _P), "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR": (_F, _P),
    "ONEOF_NO_DELETE": (_F, _P), "ENUM_SAME_JSON_FORMAT": _FPJ, "ENUM_VALUE_SAME_NAME": _FPJ,
    "FIELD_SAME_JSON_NAME": _FPJ, "FIELD_SAME_NAME": _FPJ, "MESSAGE_SAME_JSON_FORMAT": _FPJ,
    "FIELD_SAME_DEFAULT": _ALL4, "FIELD_SAME_ONEOF": _ALL4, "FILE_SAME_PACKAGE": _ALL4,
    "MESSAGE_SAME_REQUIRED_FIELDS": _ALL4, "RESERVED_ENUM_NO_DELETE": _ALL4, "RESERVED_MESSAGE_NO_DELETE": _ALL4,
    "RPC_SAME_CLIENT_STREAMING": _ALL4, "RPC_SAME_IDEMPOTENCY_LEVEL": _ALL4, "RPC_SAME_REQUEST_TYPE": _ALL4,
    "RPC_SAME_RESPONSE_TYPE": _ALL4, "RPC_SAME_SERVER_STREAMING": _ALL4,
    "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED": (_WJ,), "FIELD_NO_DELETE_UNLESS_NAME_RESERVED": (_WJ,),
    "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY": (_WJ,), "FIELD_WIRE_JSON_COMPATIBLE_TYPE": (_WJ,),
    "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED": (_WJ, _W), "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED": (_WJ, _W),
    "FIELD_WIRE_COMPATIBLE_CARDINALITY": (_W,), "FIELD_WIRE_COMPATIBLE_TYPE": (_W,),
}
FILE_OPTIONS = {
    "CC_ENABLE_ARENAS": "cc_enable_arenas", "CC_GENERIC_SERVICES": "cc_generic_services",
    "CSHARP_NAMESPACE": "csharp_namespace", "GO_PACKAGE": "go_package", "JAVA_GENERIC_SERVICES": "java_generic_services",
    "JAVA_MULTIPLE_FILES": "java_multiple_files", "JAVA_OUTER_CLASSNAME": "java_outer_classname",
    "JAVA_PACKAGE": "java_package", "OBJC_CLASS_PREFIX": "objc_class_prefix", "OPTIMIZE_FOR": "optimize_for",
    "PHP_CLASS_PREFIX": "php_class_prefix", "PHP_METADATA_NAMESPACE": "php_metadata_namespace",
    "PHP_NAMESPACE": "php_namespace", "PY_GENERIC_SERVICES": "py_generic_services", "RUBY_PACKAGE": "ruby_package",
    "SWIFT_PREFIX": "swift_prefix",
}
# wire-compatible scalar groups (varint, zigzag, 32-bit, 64-bit, length-delimited)
WIRE_GROUPS = [{"int32", "uint32", "int64", "uint64", "bool"}, {"sint32", "sint64"}, {"fixed32", "sfixed32"},
               {"fixed64", "sfixed64"}, {"string", "bytes"}]
WIRE_JSON_GROUPS = [{"int32", "uint32"}, {"int64", "uint64"}, {"fixed32", "sfixed32"}, {"fixed64", "sfixed64"}]

Change = tuple[str, tuple[int, ...] | None, str]  # (buf rule id, path of the element in the new file or None, why)


def selected(use: list[str], except_: list[str]) -> set[str]:
    """The rule ids ``use`` (categories or ids) and ``except`` choose, as buf's breaking config does."""
    out: set[str] = set()
    for u in use:
        u = u.upper()
        if u in CATEGORIES:
            out.add(u)
        else:
            out |= {r for r, cats in CATEGORIES.items() if u in cats}
    for e in except_:
        e = e.upper()
        out -= {e} if e in CATEGORIES else {r for r, cats in CATEGORIES.items() if e in cats}
    return out


def unknown_ids(values: list[str]) -> list[str]:
    cats = {c for cs in CATEGORIES.values() for c in cs}
    return [v for v in values if v.upper() not in CATEGORIES and v.upper() not in cats]


def _covered(ranges: list[tuple[int, int]], lo: int, hi: int) -> bool:
    """Whether [lo, hi] lies within the union of ``ranges``."""
    n = lo
    for a, b in sorted(ranges):
        if a <= n <= b:
            n = b + 1
            if n > hi:
                return True
    return n > hi


def breaking(old: Model, new: Model, rules: set[str]) -> list[Change]:
    """The changes from ``old`` to ``new`` that the chosen rules report. A changed package is
    reported once (buf also reports every element of the old package as deleted)."""
    if old.package != new.package and "FILE_SAME_PACKAGE" in rules:
        return [("FILE_SAME_PACKAGE", (2,), f'package changed from "{old.package}" to "{new.package}": a new package is '
                 "a new API version; keep the old package's file for its clients")]
    out = [c for c in _all(old, new) if c[0] in rules]
    return list(dict.fromkeys(out))


def _all(old: Model, new: Model) -> Iterator[Change]:
    yield from _file(old, new)
    for name, m in old.messages.items():
        now = new.messages.get(name)
        if now is None:
            yield "MESSAGE_NO_DELETE", _parent(new, name), f'message "{name}" was deleted'
        else:
            yield from _message(m, now, new)
    for name in old.map_entries:  # buf counts a map's entry message as a message of its own
        if name not in new.map_entries and name not in new.messages:
            yield "MESSAGE_NO_DELETE", _parent(new, name), f'message "{name}" (a map field\'s entries) was deleted'
    for name, e in old.enums.items():
        now = new.enums.get(name)
        if now is None:
            yield "ENUM_NO_DELETE", _parent(new, name), f'enum "{name}" was deleted'
        else:
            yield from _enum(e, now)
    for name, s in old.services.items():
        now = new.services.get(name)
        if now is None:
            yield "SERVICE_NO_DELETE", None, f'service "{name}" was deleted'
            continue
        for mname, m in s.methods.items():
            n = now.methods.get(mname)
            rpc = f'RPC "{name}.{mname}"'
            if n is None:
                yield "RPC_NO_DELETE", now.path, f"{rpc} was deleted"
                continue
            for rule, a, b, what in (("RPC_SAME_REQUEST_TYPE", m.input, n.input, "request type"),
                                     ("RPC_SAME_RESPONSE_TYPE", m.output, n.output, "response type"),
                                     ("RPC_SAME_CLIENT_STREAMING", m.client_streaming, n.client_streaming, "client streaming"),
                                     ("RPC_SAME_SERVER_STREAMING", m.server_streaming, n.server_streaming, "server streaming"),
                                     ("RPC_SAME_IDEMPOTENCY_LEVEL", m.idempotency, n.idempotency, "idempotency level")):
                if a != b:
                    yield rule, n.path, f"{rpc} changed its {what} from {a} to {b}"
    for name in old.extensions:
        if name not in new.extensions:
            yield "EXTENSION_NO_DELETE", None, f'extension "{name}" was deleted'


def _parent(model: Model, name: str) -> tuple[int, ...] | None:
    parent = model.messages.get(name.rsplit(".", 1)[0]) if "." in name else None
    return parent.path if parent is not None else None


def _file(old: Model, new: Model) -> Iterator[Change]:
    if old.package != new.package:
        yield "FILE_SAME_PACKAGE", (2,), f'package changed from "{old.package}" to "{new.package}"'
    was, now = old.edition or old.syntax, new.edition or new.syntax
    if was != now:
        yield "FILE_SAME_SYNTAX", (12,), f'syntax changed from "{was}" to "{now}"'
    if old.options.java_string_check_utf8 != new.options.java_string_check_utf8:
        yield ("FIELD_SAME_JAVA_UTF8_VALIDATION", (8,), "file option java_string_check_utf8 changed from "
               f"{old.options.java_string_check_utf8} to {new.options.java_string_check_utf8}")
    for rule, opt in FILE_OPTIONS.items():
        a, b = getattr(old.options, opt), getattr(new.options, opt)
        if a != b:
            yield f"FILE_SAME_{rule}", (8,), f"file option {opt} changed from {a!r} to {b!r}"


def _message(m: Message, now: Message, new: Model) -> Iterator[Change]:
    name = m.name
    by_name = {f.name: f for f in now.fields.values()}
    for number, f in m.fields.items():
        g = now.fields.get(number)
        if g is None:
            moved = by_name.get(f.name)
            how = f" (renumbered: it is now field {moved.number})" if moved is not None else ""
            yield ("FIELD_NO_DELETE", moved.path if moved is not None else now.path,
                   f'field {number} "{f.name}" was deleted from message "{name}"{how}')
            if not _covered(now.reserved, number, number):
                yield ("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", now.path,
                       f'field {number} "{f.name}" was deleted from "{name}" without reserving its number (reserved {number};)')
            if f.name not in now.reserved_names:
                yield ("FIELD_NO_DELETE_UNLESS_NAME_RESERVED", now.path,
                       f'field {number} "{f.name}" was deleted from "{name}" without reserving its name (reserved "{f.name}";)')
            continue
        yield from _field(name, f, g)
    for oneof in m.oneofs:
        if oneof not in now.oneofs:
            yield "ONEOF_NO_DELETE", now.path, f'oneof "{oneof}" was deleted from message "{name}"'
    for lo, hi in m.reserved:
        if not _covered(now.reserved, lo, hi):
            yield "RESERVED_MESSAGE_NO_DELETE", now.path, f'reserved range {_range(lo, hi)} was deleted from message "{name}"'
    for rn in sorted(m.reserved_names - now.reserved_names):
        yield "RESERVED_MESSAGE_NO_DELETE", now.path, f'reserved name "{rn}" was deleted from message "{name}"'
    for lo, hi in m.extension_ranges:
        if not _covered(now.extension_ranges, lo, hi):
            yield "EXTENSION_MESSAGE_NO_DELETE", now.path, f'extension range {_range(lo, hi)} was deleted from message "{name}"'
    if not m.options.no_standard_descriptor_accessor and now.options.no_standard_descriptor_accessor:
        yield ("MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR", now.path,
               f'message "{name}" set no_standard_descriptor_accessor to true')
    req = lambda x: sorted(n for n, f in x.fields.items() if f.cardinality == "required")  # noqa: E731
    if req(m) != req(now):
        yield "MESSAGE_SAME_REQUIRED_FIELDS", now.path, f'message "{name}" required fields changed from {req(m)} to {req(now)}'
    if m.json_format != now.json_format:
        yield "MESSAGE_SAME_JSON_FORMAT", now.path, f'message "{name}" JSON format changed from {m.json_format} to {now.json_format}'


def _range(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo} to {hi}"


def _wire_compatible(a: Field, b: Field, groups: list[set[str]], enum_int: bool) -> bool:
    if a.type == b.type and a.type_name == b.type_name:
        return True
    if any(a.type in g and b.type in g for g in groups):
        return True
    ints = {"int32", "uint32", "int64", "uint64", "bool"}
    return enum_int and {a.type, b.type} <= ints | {"enum"} and "enum" in (a.type, b.type)


def _field(msg: str, f: Field, g: Field) -> Iterator[Change]:
    where = f'field {f.number} "{g.name}" of message "{msg}"'
    if f.name != g.name:
        yield "FIELD_SAME_NAME", g.path, f'field {f.number} of message "{msg}" changed its name from "{f.name}" to "{g.name}"'
    if f.json_name != g.json_name:
        yield "FIELD_SAME_JSON_NAME", g.path, f'{where} changed its json_name from "{f.json_name}" to "{g.json_name}"'
    if f.readable_type != g.readable_type or f.is_map != g.is_map:
        yield "FIELD_SAME_TYPE", g.path, f"{where} changed its type from {_kind(f)} to {_kind(g)}"
        if not _wire_compatible(f, g, WIRE_GROUPS, True):
            yield "FIELD_WIRE_COMPATIBLE_TYPE", g.path, f"{where} changed to a wire-incompatible type ({_kind(f)} to {_kind(g)})"
        if not _wire_compatible(f, g, WIRE_JSON_GROUPS, False):
            yield ("FIELD_WIRE_JSON_COMPATIBLE_TYPE", g.path,
                   f"{where} changed to a wire- or JSON-incompatible type ({_kind(f)} to {_kind(g)})")
    if _card(f) != _card(g):
        yield "FIELD_SAME_CARDINALITY", g.path, f"{where} changed its cardinality from {_card(f)} to {_card(g)}"
    if f.cardinality != g.cardinality:
        singular = {"optional", "implicit"}
        if not ({f.cardinality, g.cardinality} <= singular):
            yield ("FIELD_WIRE_COMPATIBLE_CARDINALITY", g.path,
                   f"{where} changed from {f.cardinality} to {g.cardinality}, which the wire format does not allow")
            yield ("FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY", g.path,
                   f"{where} changed from {f.cardinality} to {g.cardinality}, which the wire and JSON formats do not allow")
    if f.oneof != g.oneof:
        how = (f'moved into oneof "{g.oneof}"' if f.oneof is None else f'moved out of oneof "{f.oneof}"' if g.oneof is None
               else f'moved from oneof "{f.oneof}" to oneof "{g.oneof}"')
        yield "FIELD_SAME_ONEOF", g.path, f"{where} {how}"
    if f.default != g.default:
        yield "FIELD_SAME_DEFAULT", g.path, f"{where} changed its default from {f.default!r} to {g.default!r}"
    for rule, opt in (("FIELD_SAME_JSTYPE", "jstype"), ("FIELD_SAME_CPP_STRING_TYPE", "ctype")):
        a, b = getattr(f.options, opt), getattr(g.options, opt)
        if a != b:
            yield rule, g.path, f"{where} changed its {opt} from {a} to {b}"
    a, b = _utf8(f), _utf8(g)
    if a != b:
        yield "FIELD_SAME_UTF8_VALIDATION", g.path, f"{where} changed its utf8_validation from {a} to {b}"


def _card(f: Field) -> str:
    """Cardinality as buf tells it apart: a map is not a repeated field."""
    return "map" if f.is_map else f.cardinality


def _utf8(f: Field) -> int:
    feats = f.options.features if f.options.HasField("features") else None
    return feats.utf8_validation if feats is not None and feats.HasField("utf8_validation") else 0


def _kind(f: Field) -> str:
    return ("map " if f.is_map else "") + f.readable_type


def _enum(e: Enum, now: Enum) -> Iterator[Change]:
    name = e.name
    for number, values in e.values.items():
        vs = now.values.get(number)
        if vs is None:
            v = values[0]
            yield "ENUM_VALUE_NO_DELETE", now.path, f'enum value {number} "{v.name}" was deleted from enum "{name}"'
            if not _covered(now.reserved, number, number):
                yield ("ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", now.path,
                       f'enum value {number} "{v.name}" was deleted from "{name}" without reserving its number')
            if v.name not in now.reserved_names:
                yield ("ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED", now.path,
                       f'enum value {number} "{v.name}" was deleted from "{name}" without reserving its name')
            continue
        if {v.name for v in values} - {v.name for v in vs}:
            yield ("ENUM_VALUE_SAME_NAME", vs[0].path, f'enum value {number} of enum "{name}" changed its name from '
                   f'"{values[0].name}" to "{vs[0].name}"')
    for lo, hi in e.reserved:
        if not _covered(now.reserved, lo, hi):
            yield "RESERVED_ENUM_NO_DELETE", now.path, f'reserved range {_range(lo, hi)} was deleted from enum "{name}"'
    for rn in sorted(e.reserved_names - now.reserved_names):
        yield "RESERVED_ENUM_NO_DELETE", now.path, f'reserved name "{rn}" was deleted from enum "{name}"'
    if e.closed != now.closed:
        yield "ENUM_SAME_TYPE", now.path, f'enum "{name}" changed from {_openness(e)} to {_openness(now)}'
    if e.json_format != now.json_format:
        yield "ENUM_SAME_JSON_FORMAT", now.path, f'enum "{name}" JSON format changed from {e.json_format} to {now.json_format}'


def _openness(e: Enum) -> str:
    return "closed" if e.closed else "open"


def deleted_file(old: Model, name: str) -> Change:
    held = [f'service "{s}"' for s in old.services][:3] + [f'message "{m}"' for m in old.messages][:3]
    what = f" (it held {', '.join(held)})" if held else ""
    return "FILE_NO_DELETE", None, f'previously present file "{name}" was deleted{what}'


def describe(change: Change) -> str:
    return f"{change[2]} [buf {change[0]}]"


def options_problem(options: dict[str, Any]) -> str | None:
    bad = unknown_ids([*options.get("use", []), *options.get("except", [])])
    return f"unknown buf breaking rule or category {bad[0]!r}" if bad else None
