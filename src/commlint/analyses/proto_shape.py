"""The shape of a ``.proto`` file, as JSON-serialisable facts, and the first difference between two shapes.

A shape is what two copies of one contract must agree on: its messages (fields by number: name, type,
repeated or not), its enums (values by number) and its services (rpcs: request, response, streaming),
each with the line it is written on. Comments, whitespace, options and the order of declarations are
not part of it. Types are compared by their last name (``Money`` whether protoc resolved it to
``orders.v1.Money`` or the grammar read it as written), so a copy read by protoc and one read by the
grammar compare alike.

Used by CL710 (the same .proto copied into several services, drifting apart).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parsers are imported where a shape is built, not by the checks comparing shapes
    from ..artifacts.proto import ProtoArtifact


def _short(type_name: str) -> str:
    return str(type_name).lstrip(".").rsplit(".", 1)[-1]


def _local(name: str, pkg: str | None) -> str:
    return name[len(pkg) + 1:] if pkg and name.startswith(pkg + ".") else name


def shape(art: "ProtoArtifact") -> dict[str, Any] | None:
    """``{"messages": {name: {"line", "fields": {"3": [name, type, repeated, line]}}}, "enums": ...,
    "services": {name: {"line", "rpcs": {rpc: [request, response, streaming, line]}}}}``; None when unparsed."""
    if art.descriptor is not None:
        return _from_descriptor(art)
    if art.file is not None:
        return _from_grammar(art)
    return None


def _from_descriptor(art: "ProtoArtifact") -> dict[str, Any]:
    from .proto_model import build

    model = build(art.descriptor, *art.line_sources())
    pkg = model.package
    messages: dict[str, Any] = {}
    for full, m in model.messages.items():
        fields = {}
        for num, f in m.fields.items():
            kind = "map" if f.is_map else "group" if f.type == "group" else _short(f.readable_type)
            fields[str(num)] = [f.name, kind, f.cardinality == "repeated" and not f.is_map, model.line_of(f.path)[0]]
        messages[_local(full, pkg)] = {"line": model.line_of(m.path)[0], "fields": fields}
    enums = {_local(full, pkg): {"line": model.line_of(e.path)[0],
                                 "values": {str(n): [vs[0].name, model.line_of(vs[0].path)[0]]
                                            for n, vs in e.values.items()}}
             for full, e in model.enums.items()}
    services = {}
    for full, s in model.services.items():
        rpcs = {name: [_short(m.input), _short(m.output), _streaming(m.client_streaming, m.server_streaming),
                       model.line_of(m.path)[0]] for name, m in s.methods.items()}
        services[_local(full, pkg)] = {"line": model.line_of(s.path)[0], "rpcs": rpcs}
    return {"messages": messages, "enums": enums, "services": services}


def _streaming(client: bool, server: bool) -> str:
    return {(False, False): "unary", (True, False): "client-streaming", (False, True): "server-streaming",
            (True, True): "bidirectional"}[(bool(client), bool(server))]


def _from_grammar(art: "ProtoArtifact") -> dict[str, Any]:
    from proto_schema_parser import ast

    from ..artifacts.proto import contract

    c = contract(art.file)
    line = lambda node: art.positions.get(id(node), (1, 1))[0]  # noqa: E731
    messages: dict[str, Any] = {}
    for qual, info in c.messages.items():
        fields = {}
        for num, f in info.fields.items():
            if isinstance(f, ast.MapField):
                kind, repeated = "map", False
            elif isinstance(f, ast.Group):
                kind, repeated = "group", f.cardinality == ast.FieldCardinality.REPEATED
            else:
                kind, repeated = _short(f.type), f.cardinality == ast.FieldCardinality.REPEATED
            fields[str(num)] = [f.name, kind, repeated, line(f)]
        messages[qual] = {"line": line(info.node), "fields": fields}
    enums = {qual: {"line": line(info.node), "values": {str(n): [v.name, line(v)] for n, v in info.fields.items()}}
             for qual, info in c.enums.items()}
    services = {}
    for qual, s in c.services.items():
        rpcs = {}
        for m in s.elements:
            if isinstance(m, ast.Method):
                rpcs[m.name] = [_short(m.input_type.type), _short(m.output_type.type),
                                _streaming(m.input_type.stream, m.output_type.stream), line(m)]
        services[qual] = {"line": line(s), "rpcs": rpcs}
    return {"messages": messages, "enums": enums, "services": services}


def names(s: dict[str, Any]) -> set[str]:
    return {f"message {n}" for n in s.get("messages", {})} | {f"service {n}" for n in s.get("services", {})}


def first_difference(here: dict[str, Any], there: dict[str, Any], other: str) -> tuple[int, str] | None:
    """(line here, what differs) for the first element both declare where ``here`` and ``there`` part;
    None if they agree on all they both declare (one may keep only the part of the contract it uses).
    A conflict (a field number with another name or type, an rpc with other messages) comes before a
    member one copy lacks: it is what breaks the wire."""
    conflicts: list[tuple[int, str]] = []
    missing: list[tuple[int, str]] = []
    for kind, members, what in (("messages", "fields", "field"), ("enums", "values", "value"),
                                ("services", "rpcs", "rpc")):
        mine, theirs = here.get(kind, {}), there.get(kind, {})
        label = kind[:-1]
        for name in sorted(set(mine) & set(theirs), key=lambda n: mine[n]["line"]):
            a, b = mine[name][members], theirs[name][members]
            for key in sorted(a, key=lambda k: a[k][-1]):
                if key not in b:
                    missing.append((a[key][-1], f"{_member(what, key, a[key])} of {label} `{name}` is declared "
                                                f"here and not {other}"))
                    continue
                diff = _member_difference(what, key, a[key], b[key], other)
                if diff:
                    conflicts.append((a[key][-1], f"{diff} (in {label} `{name}`)"))
            for key in sorted(b, key=lambda k: b[k][-1]):
                if key not in a:
                    missing.append((mine[name]["line"], f"{label} `{name}` has no {_member(what, key, b[key])}, "
                                                        f"which is declared {other}"))
    found = conflicts or missing
    return found[0] if found else None


def _member(what: str, key: str, v: list[Any]) -> str:
    if what == "field":
        return f"field {key} `{v[0]}`"
    if what == "value":
        return f"value {v[0]} = {key}"
    return f"rpc `{key}`"


def _kind(v: list[Any]) -> str:
    return f"repeated {v[1]}" if v[2] else str(v[1])


def _member_difference(what: str, key: str, a: list[Any], b: list[Any], other: str) -> str | None:
    if what == "field":
        if a[0] != b[0]:
            return f"field {key} is `{a[0]}` here and `{b[0]}` {other}"
        if _kind(a) != _kind(b):
            return f"field {key} `{a[0]}` is {_kind(a)} here and {_kind(b)} {other}"
        return None
    if what == "value":
        return f"value {key} is {a[0]} here and {b[0]} {other}" if a[0] != b[0] else None
    for i, part in ((0, "takes"), (1, "returns"), (2, "is")):
        if a[i] != b[i]:
            return f"rpc `{key}` {part} {a[i]} here and {b[i]} {other}"
    return None
