"""Protobuf messages used as events: which top-level messages of a ``.proto`` file are events, and
what fields (their own, or those of an envelope message they hold) they carry.

Precision first, so only messages clearly published as events count:

- a top-level message of a file that lies in an ``events`` folder or whose name says events
  (``order_events.proto``, ``events.proto``), unless another message of the file holds it (an
  item, an envelope) or an RPC of the file takes or returns it;
- anywhere, a top-level message named as an event: ``...Event`` (``OrderCreatedEvent``; not a
  generic envelope such as ``CloudEvent``, ``DomainEvent``), or two words or more ending in a
  past-tense verb (``OrderCreated``), not an RPC's request or response nor a message they hold.

The model reads protoc's descriptors when the file compiled, else the grammar parser's tree.
"""

from __future__ import annotations

import re
from ..core.records import field, record
from pathlib import PurePosixPath
from typing import Any

from ..core.envelope import ENVELOPE_HOLDERS, norm
from .words import event_word, generic_event_name, is_past_tense, split_words

_ENVELOPE_TYPE = re.compile(r"(?:Envelope|Metadata|Meta|Header|Headers|Context|CloudEvent)$")
_EVENT_FILE = re.compile(r"(?:^|[_\-.])events?(?:$|[_\-.])", re.IGNORECASE)
SCALARS = frozenset({"double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64",
                     "sfixed32", "sfixed64", "bool", "string", "bytes"})


@record
class ProtoField:
    name: str
    message: str | None  # the local name of a message of this file it holds; None: a scalar or enum
    external: str | None = None  # the name of a message defined elsewhere (imported) it holds


@record
class ProtoMessage:
    name: str  # local name (``Outer.Inner`` for nested ones)
    where: Any  # a Location or a grammar node, for ctx.report
    top: bool
    fields: list[ProtoField] = field(default_factory=list)


@record
class ProtoEvents:
    messages: dict[str, ProtoMessage]
    rpc_types: set[str]  # local names of messages an RPC of the file takes or returns
    event_file: bool  # the file lies in an events folder or is named for events

    def held(self) -> set[str]:
        """Messages another message of the file holds as a field."""
        return {f.message for m in self.messages.values() for f in m.fields if f.message and f.message != m.name}

    def rpc_reachable(self) -> set[str]:
        """Messages an RPC of the file takes or returns, and those they hold, all the way down:
        parts of a request or response (``repeated LastPlayed last_played`` in a statistics
        response, x3776x/pasadena), not events, whatever their names."""
        seen, todo = set(), [t for t in self.rpc_types if t in self.messages]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo += [f.message for f in self.messages[name].fields if f.message in self.messages]
        return seen

    def events(self) -> list[tuple[ProtoMessage, str]]:
        """(message, why it is taken for an event), in file order."""
        held = self.held()
        rpc = self.rpc_reachable()
        out = []
        for m in self.messages.values():
            if not m.top or m.name in rpc:
                continue
            if event_named(m.name):
                out.append((m, "it is named as an event"))
            elif self.event_file and m.name not in held:
                out.append((m, "it is a top-level message of an events file"))
        return out

    def envelope_fields(self, m: ProtoMessage) -> tuple[set[str], bool]:
        """The normalised names of the envelope fields it carries (its own and those of the messages of this file
        it holds as envelope), and whether an envelope held from another file may carry the rest (not judged)."""
        have = {norm(f.name) for f in m.fields}
        unknown = False
        for f in m.fields:
            if f.message and f.message in self.messages and f.message != m.name:
                inner = self.messages[f.message]
                inner_names = {norm(x.name) for x in inner.fields}
                if norm(f.name) in ENVELOPE_HOLDERS or _ENVELOPE_TYPE.search(f.message) or inner_names & {"eventid", "eventtype"}:
                    have |= inner_names
            elif f.external and (norm(f.name) in ENVELOPE_HOLDERS or _ENVELOPE_TYPE.search(f.external)):
                unknown = True
        return have, unknown


def event_named(name: str) -> bool:
    """``OrderCreated``, ``OrderCreatedEvent``, ``CreateOrderEvent``: a name that says it is an event
    (not a generic envelope such as ``CloudEvent`` or ``DomainEvent``)."""
    words = split_words(name)
    if len(words) >= 2 and words[-1].lower() == "event":
        return not generic_event_name(name)
    word = event_word(name)
    return len(words) >= 2 and word is not None and is_past_tense(word) and words[-1].lower() not in ("request", "response")


def is_event_file(path: str) -> bool:
    p = PurePosixPath(path)
    return any(d.lower() in ("events", "event") for d in p.parts[:-1]) or bool(_EVENT_FILE.search(p.stem))


def from_model(model: Any, path: str, at: Any) -> ProtoEvents:
    """From protoc's descriptor model; ``at(path_tuple, symbol)`` gives a Location."""
    msgs: dict[str, ProtoMessage] = {}
    for full, m in model.messages.items():
        local = model.local(full)
        if getattr(m.options, "map_entry", False):
            continue
        pm = ProtoMessage(local, at(m.path, local), "." not in local)
        for f in m.fields.values():
            if f.type in ("message", "group"):
                if f.type_name in model.messages:
                    pm.fields.append(ProtoField(f.name, model.local(f.type_name)))
                else:
                    pm.fields.append(ProtoField(f.name, None, f.type_name.rsplit(".", 1)[-1]))
            else:
                pm.fields.append(ProtoField(f.name, None))
        msgs[local] = pm
    rpc = {model.local(x) for s in model.services.values() for meth in s.methods.values() for x in (meth.input, meth.output)}
    return ProtoEvents(msgs, rpc, is_event_file(path))


def from_grammar(file: Any, path: str) -> ProtoEvents:
    """From the grammar parser's tree (types resolved by name within the file)."""
    from proto_schema_parser import ast

    found: list[tuple[str, Any]] = []

    def visit(elements: list[Any], prefix: str) -> None:
        for e in elements:
            if isinstance(e, ast.Message):
                qual = f"{prefix}.{e.name}" if prefix else e.name
                found.append((qual, e))
                visit(e.elements, qual)

    visit(file.file_elements, "")
    names = {q for q, _ in found}
    by_last: dict[str, str] = {}
    for q in names:
        by_last.setdefault(q.rsplit(".", 1)[-1], q)
    enums = {getattr(e, "name", None) for e in _all(file.file_elements) if isinstance(e, ast.Enum)}

    def resolve(t: str) -> tuple[str | None, str | None]:
        t = t.lstrip(".")
        if t in SCALARS or t.rsplit(".", 1)[-1] in enums:
            return None, None
        if t in names:
            return t, None
        last = t.rsplit(".", 1)[-1]
        if "." not in t and last in by_last:
            return by_last[last], None
        return None, last

    msgs: dict[str, ProtoMessage] = {}
    for qual, e in found:
        pm = ProtoMessage(qual, e, "." not in qual)
        for member in _fields(e.elements):
            if isinstance(member, ast.Field):
                local, ext = resolve(str(member.type))
                pm.fields.append(ProtoField(member.name, local, ext))
            elif isinstance(member, ast.MapField):
                pm.fields.append(ProtoField(member.name, None))
        msgs[qual] = pm
    rpc: set[str] = set()
    for s in file.file_elements:
        if isinstance(s, ast.Service):
            for meth in s.elements:
                if isinstance(meth, ast.Method):
                    for mt in (meth.input_type, meth.output_type):
                        local, _ = resolve(str(getattr(mt, "type", mt)))
                        rpc.add(local or str(getattr(mt, "type", mt)).lstrip(".").rsplit(".", 1)[-1])
    return ProtoEvents(msgs, rpc, is_event_file(path))


def _all(elements: list[Any]) -> list[Any]:
    out = []
    for e in elements:
        out.append(e)
        children = getattr(e, "elements", None)
        if isinstance(children, list):
            out += _all(children)
    return out


def _fields(elements: list[Any]) -> list[Any]:
    from proto_schema_parser import ast

    out = []
    for m in elements:
        if isinstance(m, ast.OneOf):
            out += _fields(m.elements)
        else:
            out.append(m)
    return out
