"""AsyncAPI event contracts (CL800-CL804): validity against the official AsyncAPI JSON Schemas, channel addresses as ``<domain>.<entity>.<event>``, past-tense message names, the event envelope in payloads, a declared correlation id."""

from __future__ import annotations

import functools
import json
import re
import pkgutil
from typing import Any

from ..analyses.naming import is_dead_letter
from ..analyses.words import past_tense_problem, suggest
from ..artifacts.asyncapi import AsyncAPIDoc, Channel, Message
from ..artifacts.yamljson import join, pointer, split
from . import AsyncAPIContext, check

SCHEMA_VERSIONS = ("2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0", "3.0.0", "3.1.0")
PARAM = re.compile(r"\{[^}]*\}|\$\{[^}]*\}")
MAX_ERRORS = 25


def event_contract(ctx: AsyncAPIContext) -> bool:
    """Whether the document is a Kafka event contract, which the standard's event rules are about:
    its servers speak Kafka, or it declares no servers. A WebSocket, MQTT or AMQP API is not judged."""
    protocols = ctx.artifact.protocols()
    return not protocols or any(p.startswith(tuple(ctx.options["protocols"])) for p in protocols)


def _topic_like(ch: Channel) -> bool:
    """An event channel: not a dead-letter or retry channel, not a path (``/``, ``devices/{id}``:
    WebSocket, MQTT or AMQP addressing, not a Kafka topic)."""
    return not is_dead_letter(ch.address) and "/" not in ch.address


def _norm(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


# -- CL800 validity -----------------------------------------------------------------------


@functools.cache
def validator(version: str) -> Any:
    """A validator for one AsyncAPI version's bundled schema (every definition inside it: no network)."""
    import jsonschema
    from referencing import Registry

    data = pkgutil.get_data("commlint.artifacts", f"asyncapi_schemas/{version}.json")  # package data, not a checked file
    schema = json.loads(data or b"{}")
    cls = jsonschema.validators.validator_for(schema)

    def refuse(uri: str) -> Any:  # a $ref outside the bundle is never fetched
        from referencing.exceptions import NoSuchResource

        raise NoSuchResource(ref=uri)

    return cls(schema, registry=Registry(retrieve=refuse))


def _schema_version(version: str) -> str | None:
    """The vendored schema for a document's version: exact, or the latest patch of its minor."""
    if version in SCHEMA_VERSIONS:
        return version
    minor = ".".join(version.split(".")[:2])
    found = [v for v in SCHEMA_VERSIONS if v.startswith(minor + ".")]
    return found[-1] if found else None


def validation_errors(doc: AsyncAPIDoc) -> list[tuple[str, str]]:
    import jsonschema

    version = doc.version
    target = _schema_version(version)
    if target is None:
        known = ", ".join(SCHEMA_VERSIONS)
        return [("/asyncapi", f"unknown AsyncAPI version {version!r} (commlint knows {known})")]
    data = dict(doc.data)
    if target != version:
        data["asyncapi"] = target  # a newer patch of a known minor validates against its schema
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for err in sorted(validator(target).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        best = jsonschema.exceptions.best_match([err])
        ptr = pointer(*best.absolute_path)
        if ptr in seen:
            continue
        seen.add(ptr)
        out.append((ptr, _message(best)))
        if len(out) >= MAX_ERRORS:
            break
    return out


def _message(err: Any) -> str:
    msg = err.message
    if len(msg) > 240:
        msg = msg[:200] + "..."
    where = pointer(*err.absolute_path) or "the document"
    return f"{where}: {msg} (AsyncAPI schema: {err.validator})"


def _broken_refs(doc: AsyncAPIDoc) -> list[tuple[str, str]]:
    out = []
    stack: list[tuple[Any, str]] = [(doc.data, "")]
    while stack:
        node, ptr = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and doc.doc is not None \
                    and doc.doc.get(ref[1:], _NONE) is _NONE:
                out.append((join(ptr, "$ref"), f"$ref {ref!r} points to nothing in this document"))
            stack.extend((v, join(ptr, k)) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, join(ptr, i)) for i, v in enumerate(node) if isinstance(v, (dict, list)))
    return sorted(out)


_NONE = object()


@check("CL800")
def invalid_asyncapi(ctx: AsyncAPIContext) -> None:
    doc: AsyncAPIDoc = ctx.artifact
    if doc.doc is None:
        return
    for ptr, _line, _col in doc.doc.duplicates:
        ctx.report(ptr, f"duplicate key {split(ptr)[-1]!r}: the last one wins, the others are lost")
    for ptr, message in _broken_refs(doc):
        ctx.report(ptr, message)
    for ptr, message in validation_errors(doc):
        ctx.report(ptr, message)


# -- CL801 channel addresses ---------------------------------------------------------------


def _event_channels(doc: AsyncAPIDoc) -> list[tuple[Channel, list[str]]]:
    """Channels the naming rules read: not dead-letter or retry channels, parameters as ``x``."""
    out = []
    for ch in doc.channels():
        if is_dead_letter(ch.address) or ch.address.startswith("_"):
            continue
        parts = PARAM.sub("x", ch.address).split(".")
        if not any(p and p != "x" for p in parts):
            continue
        out.append((ch, parts))
    return out


@check("CL801")
def channel_address_pattern(ctx: AsyncAPIContext) -> None:
    doc: AsyncAPIDoc = ctx.artifact
    if not event_contract(ctx):
        return
    pattern = re.compile(ctx.options["pattern"])
    for ch, parts in _event_channels(doc):
        candidate = ".".join(parts)
        if pattern.fullmatch(candidate):
            continue
        if "/" in ch.address and not ctx.options["check-paths"]:
            continue  # an MQTT/AMQP/WebSocket path, not a Kafka topic
        if candidate != candidate.lower():
            why = "has upper-case letters"
        elif len(parts) != 3:
            why = f"has {len(parts)} dot-separated segment{'s' if len(parts) != 1 else ''}, not 3"
        else:
            why = "does not match the naming pattern"
        hint = suggest(ch.address)
        tip = f" (e.g. {hint!r})" if hint and pattern.fullmatch(hint) else ""
        ctx.report(ch.pointer, f"channel address {ch.address!r} {why}: use <domain>.<entity>.<event>{tip}")


# -- CL802 message names -------------------------------------------------------------------


@check("CL802")
def message_not_past_tense(ctx: AsyncAPIContext) -> None:
    doc: AsyncAPIDoc = ctx.artifact
    if not event_contract(ctx):
        return
    extra = set(ctx.options["extra-past-words"])
    state = set(ctx.options["state-words"])
    seen: set[str] = set()
    for ch in doc.channels():
        if not _topic_like(ch):
            continue
        for m in ch.messages:
            if not m.name or m.pointer in seen:
                continue
            seen.add(m.pointer)
            problem = past_tense_problem(m.name, extra, state)
            if problem is None:
                continue
            better = suggest(m.name)
            hint = f"; name the fact, e.g. {better!r}" if better else "; name what happened, in the past tense"
            where = join(m.pointer, "name") if doc.doc is not None and doc.doc.get(join(m.pointer, "name")) else m.pointer
            ctx.report(where, f"message {m.name!r} {problem}{hint}")


# -- CL803 envelope ------------------------------------------------------------------------


def _messages(doc: AsyncAPIDoc) -> list[Message]:
    seen: set[str] = set()
    out = []
    for ch in doc.channels():
        if not _topic_like(ch):
            continue
        for m in ch.messages:
            if m.pointer not in seen:
                seen.add(m.pointer)
                out.append(m)
    return out


def _fields(doc: AsyncAPIDoc, m: Message) -> set[str] | None:
    """Normalised names of the payload's and headers' properties; None when the payload is unknown
    (another file, a schema format commlint does not read, no properties at all)."""
    payload, _ = doc.deref(m.payload, join(m.pointer, "payload"))
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("schema"), (dict, str)) and "schemaFormat" in payload:
        inner = payload["schema"]
        if not isinstance(inner, dict) or "$ref" in inner and not str(inner["$ref"]).startswith("#"):
            return None  # 3.x multi-format schema (Avro, Protobuf) in another file
        payload = inner
    props = doc.schema_properties(payload, join(m.pointer, "payload"))
    if not props:
        return None
    heads = doc.schema_properties(m.headers, join(m.pointer, "headers"))
    return {_norm(p) for p in list(props) + list(heads)}


@check("CL803")
def envelope_missing(ctx: AsyncAPIContext) -> None:
    doc: AsyncAPIDoc = ctx.artifact
    if not event_contract(ctx):
        return
    wanted = ctx.options["fields"]
    for m in _messages(doc):
        have = _fields(doc, m)
        if have is None:
            continue
        missing = [w for w in wanted if _norm(w) not in have]
        if missing:
            ctx.report(join(m.pointer, "payload") if isinstance(m.payload, dict) else m.pointer,
                       f"message {m.name or split(m.pointer)[-1]!r} has no {', '.join(missing)} "
                       f"field{'s' if len(missing) > 1 else ''} in its payload or headers (the envelope every event carries)")


# -- CL804 correlation id ------------------------------------------------------------------


@check("CL804")
def correlation_id_missing(ctx: AsyncAPIContext) -> None:
    doc: AsyncAPIDoc = ctx.artifact
    if not event_contract(ctx):
        return
    names = {_norm(n) for n in ctx.options["fields"]}
    for m in _messages(doc):
        if m.correlation:
            continue
        have = _fields(doc, m)
        if have is None or have & names:
            continue  # unknown payload, or the id travels as a field (CL803 reads the envelope)
        label = m.name or split(m.pointer)[-1]
        ctx.report(m.pointer, f"message {label!r} declares no `correlationId` and carries no correlation id in its "
                              "headers or payload: declare `correlationId: {location: '$message.header#/correlation_id'}` "
                              "so the id that ties a request to its events is part of the contract")

