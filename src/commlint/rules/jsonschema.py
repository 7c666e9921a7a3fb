"""JSON Schema event files: the event envelope, past-tense names, and evolution against
earlier versions (side by side, ``order-created.v1.json`` / ``order-created.v2.json``, or the
``--base`` revision), judged the way Confluent Schema Registry judges JSON Schema.

Only files ``analyses.jsonschema_events.event_reason`` takes for events are judged.
"""

from __future__ import annotations

import functools
import re
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any

from ..analyses.base_versions import VERSION_LIMIT, base_unusable, configured_mode, earlier_versions_of
from ..analyses.jsonschema_events import breaks, event_reason
from ..analyses.words import event_word, generic_event_name, past_tense_problem, styled, suggest
from ..artifacts.jsonschema import JSONSchemaArtifact, envelope_holders, parse
from ..core.envelope import ENVELOPE_HOLDERS, norm
from ..artifacts.yamljson import join
from ..core import safeio
from ..core.model import Severity
from . import JSONSchemaContext, check


def _root(ctx: JSONSchemaContext) -> Path | None:
    return Path(ctx.settings.root) if ctx.settings is not None else None


def _events(ctx: JSONSchemaContext) -> int:
    return 1 if event_reason(ctx.artifact, _root(ctx)) else 0


def _is_event(ctx: JSONSchemaContext) -> bool:
    art: JSONSchemaArtifact = ctx.artifact
    name = PurePosixPath(art.path).name
    if any(fnmatchcase(name, g) or fnmatchcase(art.path, g) for g in ctx.options["not-events"]):
        return False
    return event_reason(art, _root(ctx)) is not None


@check("CL411", subjects=_events)
def missing_envelope(ctx: JSONSchemaContext) -> None:
    art: JSONSchemaArtifact = ctx.artifact
    if not _is_event(ctx):
        return
    view = art.object_view()
    if view is None or view.opaque:
        return
    # where each envelope field is declared: (its object view, required there, holder property or None)
    found: dict[str, tuple[bool, str | None]] = {}
    for name in view.properties:
        found.setdefault(norm(name), (name in view.required, None))
    for holder, inner in envelope_holders(art.doc, view):
        if inner.opaque:
            return
        for name in inner.properties:
            required = name in inner.required and holder in view.required
            prev = found.get(norm(name))
            if prev is None or (required and not prev[0]):
                found[norm(name)] = (required, holder)
    _cloudevent(art, view, found)
    missing = [f for f in ctx.options["fields"] if norm(f) not in found]
    optional = [f for f in ctx.options["fields"] if norm(f) in found and not found[norm(f)][0]]
    title = art.title or art.stem
    if missing:
        ctx.report("" if "properties" not in art.data else "/properties",
                   f"event schema {title!r} has no {', '.join(missing)} propert{'ies' if len(missing) > 1 else 'y'} "
                   "(the envelope every event carries, at the top level or in an envelope object such as `metadata`)")
    if optional and ctx.options["require"]:
        where = view.required_at if view.required_at != view.pointer else ("/properties" if "properties" in art.data else "")
        holders = {found[norm(f)][1] for f in optional} - {None}
        inside = f" (in {', '.join(sorted(h for h in holders if h))})" if holders else ""
        ctx.report(where, f"event schema {title!r} declares {', '.join(optional)}{inside} but does not require "
                   f"{'them' if len(optional) > 1 else 'it'}: list {'them' if len(optional) > 1 else 'it'} in "
                   "`required`, so an event without its envelope is rejected")


_VERSIONED_TYPE = re.compile(r"[._\-]v\d+$", re.IGNORECASE)


def _cloudevent(art: JSONSchemaArtifact, view: Any, found: dict[str, tuple[bool, str | None]]) -> None:
    """A CloudEvents schema (``specversion``, ``id``, ``type``) carries the envelope under CloudEvents'
    names: ``id`` is the event_id, ``type`` the event_type, and a version in the type (``....v1``) or a
    ``dataschema`` the event_version."""
    props = view.properties
    if not all(k in props for k in ("specversion", "id", "type")):
        return

    def put(key: str, required: bool) -> None:
        if key not in found or (required and not found[key][0]):
            found[key] = (required, None)

    put("eventid", "id" in view.required)
    put("eventtype", "type" in view.required)
    schema, _ = art.deref(*props["type"])
    values = [schema.get("const")] if isinstance(schema, dict) and "const" in schema else \
        (schema.get("enum") if isinstance(schema, dict) and isinstance(schema.get("enum"), list) else [])
    if values and all(isinstance(v, str) and _VERSIONED_TYPE.search(v) for v in values):
        put("eventversion", "type" in view.required)
    elif "dataschema" in props:
        put("eventversion", "dataschema" in view.required)


_NAME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[ ._\-][A-Za-z0-9]+){0,4}$")


def _name_like(title: str) -> bool:
    """A title that names the event (``OrderCreated``, ``order.created``, ``Order Created``), not a sentence."""
    if not _NAME_LIKE.match(title):
        return False
    words = title.split(" ")
    return len(words) == 1 or all(w[:1].isupper() or w[:1].isdigit() for w in words)


@check("CL412", subjects=_events)
def name_not_past_tense(ctx: JSONSchemaContext) -> None:
    art: JSONSchemaArtifact = ctx.artifact
    if not _is_event(ctx):
        return
    extra, state = set(ctx.options["extra-past-words"]), set(ctx.options["state-words"])

    wrong: set[str | None] = set()  # event words already reported (the title repeats the type)

    def judge(where: str, what: str, name: str) -> None:
        problem = past_tense_problem(name, extra, state)
        if problem:
            wrong.add(event_word(name))
            better = styled(suggest(name), name)
            hint = f"; name the fact, e.g. {better!r}" if better else "; name what happened, in the past tense"
            ctx.report(where, f"{what} {name!r} {problem}{hint}")

    view = art.object_view()
    if view is not None:
        type_fields = {norm(n) for n in ctx.options["type-fields"]}
        if all(k in view.properties for k in ("specversion", "id", "type")):
            type_fields.add("type")  # a CloudEvent: its type is the event type
        # the event's own type: at the top level or in its envelope object (not a payload's
        # reference to another event's type)
        holders = [view] + [inner for h, inner in envelope_holders(art.doc, view) if norm(h) in ENVELOPE_HOLDERS]
        for v in holders:
            for name, (schema, ptr) in v.properties.items():
                if norm(name) not in type_fields:
                    continue
                schema, ptr = art.deref(schema, ptr)
                if not isinstance(schema, dict):
                    continue
                if isinstance(schema.get("const"), str):
                    judge(join(ptr, "const"), "event type", schema["const"])
                for i, value in enumerate(schema["enum"] if isinstance(schema.get("enum"), list) else []):
                    if isinstance(value, str):
                        judge(join(ptr, "enum", i), "event type", value)
                if isinstance(schema.get("default"), str) and "const" not in schema and "enum" not in schema:
                    judge(join(ptr, "default"), "event type", schema["default"])
    title = art.title.strip()
    if title and _name_like(title) and event_word(title) not in wrong and not generic_event_name(title):
        judge("/title", "event title", title)


# -- earlier versions ----------------------------------------------------------------------------


def _ext(path: str) -> str:
    lower = path.lower()
    for ext in (".schema.json", ".schema.yaml", ".schema.yml", ".json", ".yaml", ".yml"):
        if lower.endswith(ext):
            return path[-len(ext):]
    return PurePosixPath(path).suffix


@functools.lru_cache(maxsize=256)
def _load_file(path: str, mtime: int, size: int, rel: str, root: str) -> JSONSchemaArtifact | None:
    try:
        text = safeio.read_file(path, VERSION_LIMIT, root).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return _parse(rel, text)


def _parse(rel: str, text: str) -> JSONSchemaArtifact | None:
    from ..artifacts import ParseError

    try:
        return parse(rel, text)
    except ParseError:
        return None


def earlier_versions(ctx: JSONSchemaContext, transitive: bool) -> list[tuple[str, JSONSchemaArtifact]]:
    """The versions the schema must stay compatible with: the latest (or, transitive, every)
    earlier version beside it, and the ``--base`` one (or every committed one)."""
    art: JSONSchemaArtifact = ctx.artifact
    return earlier_versions_of(art, Path(ctx.settings.root), _ext(art.path), ctx.settings.base, transitive,
                               _load_file, lambda v: _parse(art.path, v.text))


def compatibility_mode(settings: Any, art: JSONSchemaArtifact) -> str:
    """The configured mode: the longest ``compatibility`` glob matching its path, file name or title."""
    return configured_mode(settings, [art.path, PurePosixPath(art.path).name, art.title])


@check("CL413", subjects=_events)
def incompatible_change(ctx: JSONSchemaContext) -> None:
    art: JSONSchemaArtifact = ctx.artifact
    if not _is_event(ctx):
        return
    problem = base_unusable(ctx.settings, art.path)
    if problem:
        ctx.report("", f"cannot compare with --base {ctx.settings.base}: {problem}", severity=Severity.NOTE)
    mode = compatibility_mode(ctx.settings, art)
    if mode == "NONE":
        return
    level = mode.split("_")[0]
    directions = {"BACKWARD": (True,), "FORWARD": (False,), "FULL": (True, False)}.get(level, (True,))
    strict = bool(ctx.options["strict-open-content-model"])
    found: dict[tuple[str, str], list[str]] = {}
    for label, old in earlier_versions(ctx, mode.endswith("_TRANSITIVE")):
        for backward in directions:
            part = "" if len(directions) == 1 else (" (its backward part)" if backward else " (its forward part)")
            if backward:  # the new schema reads data written with the old one
                for b in breaks(old, art, strict):
                    found.setdefault((b.reader, f"{part}: {b.path}: {b.why}"), []).append(label)
            else:  # the old schema reads data written with the new one
                for b in breaks(art, old, strict, forward=True):
                    found.setdefault((b.writer, f"{part}: {b.path}: {b.why}"), []).append(label)
    for (ptr, why), labels in found.items():
        ctx.report(ptr, f"breaks {mode} compatibility with {', '.join(labels)}{why}")
