"""JSON Schema events: which schema files are events, and whether one version reads another.

``event_reason`` says why a JSON Schema file is taken for an event (or None: it is not one).

``breaks(writer, reader)`` lists why data valid under the writer's schema may be rejected by
the reader's: the new schema reading old data is BACKWARD compatibility, the old one reading new
data FORWARD. The checks follow Confluent Schema Registry's JSON Schema rules
(``io.confluent.kafka.schemaregistry.json.diff``): a property added as required (without a
default), a property made required, a type changed to one that does not hold the old
(``integer`` to ``number`` is an extension), an ``enum`` or ``const`` that drops or narrows
values, a string, number, array or object bound added or tightened (``maxLength``,
``minimum``, ``pattern``, ``maxItems``, ``uniqueItems``, ``maxProperties`` ...), a property
removed from a closed content model (``additionalProperties: false``), ``additionalProperties``
turned off or given a schema, and ``anyOf`` / ``oneOf`` branches dropped. Adding an optional
property to an open content model is one only when ``strict_open`` asks (Confluent's strict
mode refuses it, since old data may hold that name with another type; its lenient mode and most
teams accept it). References outside the file are not followed: what they stand for is not judged.
"""

from __future__ import annotations

import functools
import posixpath
import re
from ..core.records import record
from pathlib import Path, PurePosixPath
from typing import Any

from ..artifacts.jsonschema import (
    EVENT_DIRS,
    SCHEMA_DIRS,
    JSONSchemaArtifact,
    deref,
    dirs_of,
    envelope_holders,
    object_view,
)
from ..artifacts.yamljson import Document, join
from ..core import safeio
from ..core.envelope import norm
from .words import event_word, generic_event_name, is_past_tense

_EVENT_SUFFIX = re.compile(r"(?:^|[a-z0-9_\-. ])[Ee]vent$")
# past participles spelled as their verb (or a noun): no sign by themselves that a name is an event
# (cloud-run-v1.json, demand-forecast.json, reset.json in SchemaStore's schemas folder)
_SAME_AS_BASE = frozenset("""bet bid broadcast burst cast cost cut forecast hit hurt let put quit read reset rid run set
    shed shut slit split spread thrust upset wed wet come become overcome""".split())


def event_reason(art: JSONSchemaArtifact, root: Path | None = None) -> str | None:
    """Why the file is taken for an event schema, or None when nothing says it is one. With the
    run's ``root``, an AsyncAPI document in the file's folder or a folder above it that references
    the file (a message payload ``$ref: ./schemas/order-created.json``) says so too."""
    cached = getattr(art, "_event_reason", False)
    if cached is not False:
        return cached
    reason = _reason(art)
    if reason is None and root is not None and art.object_view() is not None:
        reason = _referenced_by_asyncapi(art, root)
    art._event_reason = reason  # type: ignore[attr-defined]
    return reason


_ASYNCAPI_HEAD = re.compile(r"^['\"]?asyncapi['\"]?[ \t]*:|\"asyncapi\"\s*:", re.MULTILINE)
_ASYNCAPI_LIMIT = 4 * 1024 * 1024


def _referenced_by_asyncapi(art: JSONSchemaArtifact, root: Path) -> str | None:
    rel = PurePosixPath(art.path)
    if rel.is_absolute() or ".." in rel.parts:
        return None  # not a path inside the checked tree: no folder above it is ours to list
    folder = rel.parent
    for _ in range(len(rel.parts)):  # the file's folder, then each one above it, up to the tree's root
        art.deps.add(safeio.listing_dependency(root / folder, None))
        for doc_rel, refs in _asyncapi_refs(str(root), folder.as_posix()):
            if rel.as_posix() in refs:
                art.deps.add(str(root / doc_rel))
                return f"the AsyncAPI document {doc_rel} references it"
        if folder in (PurePosixPath("."), PurePosixPath("")):
            return None
        folder = folder.parent
    return None


@functools.lru_cache(maxsize=512)
def _asyncapi_refs(root: str, folder: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The AsyncAPI documents directly in ``folder`` (relative to ``root``), each with the files its
    ``$ref``s point to (relative to ``root``); references to URLs and inside the document are left out."""
    from ..artifacts import ParseError
    from ..artifacts.yamljson import load_json, load_yaml

    out = []
    here = Path(root) / folder
    for name in safeio.list_dir(here, root, (".yaml", ".yml", ".json"), max_entries=500):
        try:
            head = safeio.read_file(here / name, 65536, root, truncate=True).decode("utf-8-sig", "replace")
            if _ASYNCAPI_HEAD.search(head) is None:
                continue  # most files: only their first 64 KiB read
            text = safeio.read_file(here / name, _ASYNCAPI_LIMIT, root).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        try:
            docs = [load_json(text)] if name.endswith(".json") else load_yaml(text)
        except (ParseError, RecursionError):
            continue
        refs: set[str] = set()
        for doc in docs:
            _collect_refs(doc.data, refs, 0)
        files = set()
        for ref in refs:
            target = ref.split("#", 1)[0]
            if not target or "://" in target:
                continue
            joined = posixpath.normpath(posixpath.join(folder, target))
            if not joined.startswith(".."):
                files.add(joined)
        out.append((posixpath.normpath(posixpath.join(folder, name)), frozenset(files)))
    return tuple(out)


def _collect_refs(node: Any, out: set[str], depth: int) -> None:
    if depth > 64:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out.add(v)
            else:
                _collect_refs(v, out, depth + 1)
    elif isinstance(node, list):
        for v in node:
            _collect_refs(v, out, depth + 1)


def _reason(art: JSONSchemaArtifact) -> str | None:
    view = art.object_view()
    if view is None:
        return None
    names = {norm(k) for k in view.properties}
    for _name, inner in envelope_holders(art.doc, view):
        names |= {norm(k) for k in inner.properties}
    if names & {"eventid", "eventtype"}:
        return "its properties include the event envelope"
    dirs = dirs_of(art.path)
    if dirs & EVENT_DIRS:
        return "it lies in an events folder"
    labels = [x for x in (art.title.strip(), art.stem) if x]
    if any(_EVENT_SUFFIX.search(x) and not generic_event_name(x) for x in labels):
        return "its name says it is an event"
    if dirs & SCHEMA_DIRS:
        for label in labels:
            words = re.findall(r"[A-Za-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", label))
            word = event_word(label)
            if len(words) >= 2 and word and is_past_tense(word) and word not in _SAME_AS_BASE:
                return "it is a schema named as a past-tense event"
    return None


# -- compatibility ------------------------------------------------------------------------------


@record(frozen=True)
class Break:
    """One reason the reader's schema may reject data the writer's accepted."""

    path: str  # the property path (``customer.email``; ``(root)``)
    reader: str  # JSON pointer in the reader's document
    writer: str  # JSON pointer in the writer's document
    why: str


_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default", "deprecated", "readOnly",
                          "writeOnly", "$id", "id", "$schema", "definitions", "$defs", "format", "contentMediaType",
                          "contentEncoding"})


def _accepts_all(node: Any) -> bool:
    return node is True or (isinstance(node, dict) and not (set(node) - _ANNOTATIONS))


def _types(node: dict[str, Any]) -> set[str] | None:
    t = node.get("type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list) and all(isinstance(x, str) for x in t):
        return set(t)
    values = node["enum"] if isinstance(node.get("enum"), list) else [node["const"]] if "const" in node else None
    if values is not None:
        return {_type_of(v) for v in values}
    if isinstance(node.get("properties"), dict) or isinstance(node.get("required"), list):
        return {"object"}
    if "items" in node:
        return {"array"}
    return None


def _type_of(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "integer" if v.is_integer() else "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _held(t: str, by: set[str]) -> bool:
    return t in by or (t == "integer" and "number" in by)


def _num(node: dict[str, Any], key: str) -> float | None:
    v = node.get(key)
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _show(types: set[str]) -> str:
    return " or ".join(sorted(types))


def _sub(path: str, name: str) -> str:
    return name if path == "(root)" else f"{path}.{name}"


class _Walk:
    def __init__(self, wdoc: Document, rdoc: Document, strict_open: bool, forward: bool = False):
        self.wdoc, self.rdoc, self.strict_open, self.forward = wdoc, rdoc, strict_open, forward
        self.out: list[Break] = []
        self.seen: set[tuple[str, str]] = set()

    def add(self, path: str, rptr: str, wptr: str, why: str, forward_why: str | None = None) -> None:
        """``why`` says it as the new schema reading old data; ``forward_why`` as the old reading new."""
        self.out.append(Break(path, rptr, wptr, forward_why if self.forward and forward_why else why))

    def compare(self, w: Any, wptr: str, r: Any, rptr: str, path: str, depth: int = 0) -> None:
        w, wptr = deref(self.wdoc, w, wptr)
        r, rptr = deref(self.rdoc, r, rptr)
        if w is None or r is None or depth > 32 or (wptr, rptr) in self.seen:
            return  # a reference out of the file, or a cycle: not judged
        self.seen.add((wptr, rptr))
        if _accepts_all(r) or w is False:
            return
        if r is False:
            self.add(path, rptr, wptr, "now accepts nothing (false), where the earlier schema accepted values")
            return
        if not isinstance(w, dict) or not isinstance(r, dict):
            return
        if w is True:
            w = {}
        if self._combined(w, wptr, r, rptr, path, depth):
            return
        self._type(w, wptr, r, rptr, path)
        self._values(w, wptr, r, rptr, path)
        self._bounds(w, wptr, r, rptr, path)
        tw, tr = _types(w), _types(r)
        if (tw is None or "array" in tw) and (tr is None or "array" in tr) and isinstance(r.get("items"), dict):
            wi = w.get("items") if isinstance(w.get("items"), dict) else {}
            self.compare(wi, join(wptr, "items"), r["items"], join(rptr, "items"), f"{path}[]", depth + 1)
        if (tw is None or "object" in tw) and (tr is None or "object" in tr):
            self._object(w, wptr, r, rptr, path, depth)

    def _type(self, w: dict[str, Any], wptr: str, r: dict[str, Any], rptr: str, path: str) -> None:
        tr, tw = _types(r), _types(w)
        if tr is None or "type" not in r:
            return
        where = join(rptr, "type")
        if tw is None:
            self.add(path, where, wptr, f"type {_show(tr)} added where the earlier schema allowed any type",
                     f"type removed: the earlier schema accepts only {_show(tr)}")
            return
        lost = {t for t in tw if not _held(t, tr)}
        if lost:
            self.add(path, where, join(wptr, "type") if "type" in w else wptr,
                     f"type changed from {_show(tw)} to {_show(tr)}: a {_show(lost)} value is rejected",
                     f"type changed from {_show(tr)} to {_show(tw)}: the earlier schema rejects a {_show(lost)} value")

    def _values(self, w: dict[str, Any], wptr: str, r: dict[str, Any], rptr: str, path: str) -> None:
        wvals = w["enum"] if isinstance(w.get("enum"), list) else [w["const"]] if "const" in w else None
        if isinstance(r.get("enum"), list):
            if wvals is None:
                self.add(path, join(rptr, "enum"), wptr, "enum added: only its values are accepted now",
                         "enum removed: the earlier schema accepts only its values")
            else:
                lost = [v for v in wvals if v not in r["enum"]]
                if lost:
                    self.add(path, join(rptr, "enum"), join(wptr, "enum") if "enum" in w else wptr,
                             f"enum narrowed: {', '.join(map(_lit, lost))} no longer accepted",
                             f"enum extended with {', '.join(map(_lit, lost))}, which the earlier schema rejects")
        if "const" in r:
            if wvals is None:
                self.add(path, join(rptr, "const"), wptr, f"const {_lit(r['const'])} added: only that value is accepted now",
                         f"const {_lit(r['const'])} removed: the earlier schema accepts only that value")
            elif any(v != r["const"] for v in wvals):
                others = ", ".join(_lit(v) for v in wvals if v != r["const"])
                self.add(path, join(rptr, "const"), wptr, f"const changed to {_lit(r['const'])}: {others} no longer accepted",
                         f"{others} now allowed, where the earlier schema accepts only {_lit(r['const'])}")

    def _bounds(self, w: dict[str, Any], wptr: str, r: dict[str, Any], rptr: str, path: str) -> None:
        for key, tighter in (("maxLength", 1), ("maximum", 1), ("exclusiveMaximum", 1), ("maxItems", 1),
                             ("maxProperties", 1), ("minLength", -1), ("minimum", -1), ("exclusiveMinimum", -1),
                             ("minItems", -1), ("minProperties", -1)):
            rv = _num(r, key)
            if rv is None:
                continue
            wv = _num(w, key)
            if wv is None:
                if key in ("minLength", "minItems", "minProperties") and rv == 0:
                    continue
                self.add(path, join(rptr, key), wptr, f"{key} {_lit(rv)} added: values beyond it are rejected",
                         f"{key} removed: the earlier schema rejects values beyond {_lit(rv)}")
            elif (wv > rv) if tighter > 0 else (wv < rv):
                self.add(path, join(rptr, key), join(wptr, key), f"{key} tightened from {_lit(wv)} to {_lit(rv)}",
                         f"{key} loosened from {_lit(rv)} to {_lit(wv)}, beyond what the earlier schema accepts")
        rm = _num(r, "multipleOf")
        if rm:
            wm = _num(w, "multipleOf")
            if wm is None or (wm / rm) != int(wm / rm):
                self.add(path, join(rptr, "multipleOf"), wptr, f"multipleOf {_lit(rm)} {'added' if wm is None else 'changed'}",
                         f"multipleOf {'removed' if wm is None else 'changed'}: the earlier schema needs multiples of {_lit(rm)}")
        if isinstance(r.get("pattern"), str) and r["pattern"] != w.get("pattern"):
            self.add(path, join(rptr, "pattern"), wptr,
                     "pattern added" if "pattern" not in w else f"pattern changed from {_lit(w['pattern'])}",
                     f"pattern {_lit(r['pattern'])} of the earlier schema " + ("removed" if "pattern" not in w else "changed"))
        if r.get("uniqueItems") is True and w.get("uniqueItems") is not True:
            self.add(path, join(rptr, "uniqueItems"), wptr, "uniqueItems added: arrays with repeated items are rejected",
                     "uniqueItems removed: the earlier schema rejects arrays with repeated items")

    def _object(self, w: dict[str, Any], wptr: str, r: dict[str, Any], rptr: str, path: str, depth: int) -> None:
        wv, rv = object_view(self.wdoc, w, wptr), object_view(self.rdoc, r, rptr)
        if wv is None:
            wv = object_view(self.wdoc, {"type": "object"}, wptr)
        if rv is None or wv is None or wv.opaque or rv.opaque:
            return
        for name, (rs, rp) in rv.properties.items():
            sub = _sub(path, name)
            has_default = isinstance(rs, dict) and "default" in rs
            if name not in wv.properties:
                if name in rv.required and not has_default:
                    self.add(sub, rp, wptr, f"property {name!r} added as required: data written before it existed lacks it",
                             f"property {name!r} removed, which the earlier schema requires")
                elif not wv.closed and self.strict_open and not _accepts_all(rs):
                    self.add(sub, rp, wptr, f"property {name!r} added to an open content model (the earlier schema "
                             "allows any additional property, so earlier data may hold it with another type)",
                             f"property {name!r} removed from an open content model (new data may hold it with "
                             "another type, which the earlier schema rejects)")
                continue
            ws, wp = wv.properties[name]
            if name in rv.required and name not in wv.required and not has_default:
                self.add(sub, rv.required_at, wp, f"property {name!r} made required: earlier data may lack it",
                         f"property {name!r} no longer required, but the earlier schema requires it")
            self.compare(ws, wp, rs, rp, sub, depth + 1)
        if rv.closed:
            for name, (_ws, wp) in wv.properties.items():
                if name not in rv.properties:
                    self.add(_sub(path, name), join(rptr, "properties") if "properties" in r else rptr, wp,
                             f"property {name!r} removed from a closed content model (additionalProperties: false): "
                             "data that holds it is rejected",
                             f"property {name!r} added, which the earlier schema's closed content model "
                             "(additionalProperties: false) rejects")
            if not wv.closed:
                self.add(path, join(rptr, "additionalProperties") if "additionalProperties" in r else rptr, wptr,
                         "additionalProperties turned off: data with properties the schema does not declare is rejected",
                         "additionalProperties turned on: the earlier schema rejects properties it does not declare")
        elif isinstance(r.get("additionalProperties"), dict) and not _accepts_all(r["additionalProperties"]):
            wa = w.get("additionalProperties")
            if isinstance(wa, dict):
                self.compare(wa, join(wptr, "additionalProperties"), r["additionalProperties"],
                             join(rptr, "additionalProperties"), f"{path}.*", depth + 1)
            elif wa is not False and not wv.closed:
                self.add(path, join(rptr, "additionalProperties"), wptr,
                         "additionalProperties given a schema: undeclared properties of earlier data may not match it",
                         "additionalProperties' schema removed: the earlier schema holds undeclared properties to it")

    def _combined(self, w: dict[str, Any], wptr: str, r: dict[str, Any], rptr: str, path: str, depth: int) -> bool:
        """``anyOf`` / ``oneOf``: every branch the writer allowed must be read by some reader branch."""
        key = next((k for k in ("anyOf", "oneOf") if isinstance(r.get(k), list)), None)
        if key is None:
            return False
        wkey = next((k for k in ("anyOf", "oneOf") if isinstance(w.get(k), list)), None)
        branches = [(b, join(wptr, wkey, i)) for i, b in enumerate(w[wkey])] if wkey else [(w, wptr)]
        for b, bptr in branches:
            if not any(self._fits(b, bptr, rb, join(rptr, key, j), depth) for j, rb in enumerate(r[key])):
                label = f"{wkey} branch {bptr.rsplit('/', 1)[-1]}" if wkey else "the earlier schema"
                self.add(path, join(rptr, key), bptr, f"{key} has no branch that reads {label}",
                         f"the earlier schema's {key} has no branch that reads {label.replace('the earlier schema', 'this schema')}")
        return True

    def _fits(self, w: Any, wptr: str, r: Any, rptr: str, depth: int) -> bool:
        trial = _Walk(self.wdoc, self.rdoc, self.strict_open, self.forward)
        trial.seen = set(self.seen)
        trial.compare(w, wptr, r, rptr, "(root)", depth + 1)
        return not trial.out


def _lit(v: Any) -> str:
    import json

    return json.dumps(v) if not isinstance(v, float) or not v.is_integer() else str(int(v))


def breaks(writer: JSONSchemaArtifact, reader: JSONSchemaArtifact, strict_open: bool = False,
           forward: bool = False) -> list[Break]:
    """Why data the writer's schema accepts may be rejected by the reader's (empty: it reads it all).
    ``forward``: the reader is the earlier version (the reasons are worded so)."""
    walk = _Walk(writer.doc, reader.doc, strict_open, forward)
    walk.compare(writer.data, "", reader.data, "", "(root)")
    return walk.out
