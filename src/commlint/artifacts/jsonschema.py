"""JSON Schema files that describe events (JSON or YAML), located by JSON pointer.

Not every JSON Schema is an event: a file is of this kind only when it declares a
json-schema.org ``$schema`` (a draft) and something says it describes an event:

- its properties (at the top level, or in an object property holding the envelope) include
  ``event_id`` or ``event_type`` (any case, ``eventId`` counts);
- it lies in a folder named ``events`` / ``event`` (``schemas/events/order-created.json``);
- its title or file name ends in ``Event`` (``OrderCreatedEvent``, ``order_event.json``);
- it lies in a ``schemas`` folder and its title or file name reads as a past-tense event
  (``schemas/order-created.json``);
- an AsyncAPI document in its folder or a folder above references it (a message payload's
  ``$ref``).

OpenAPI and AsyncAPI documents are claimed before this kind (their own kinds); a schema whose
top level is not an object schema is not an event. ``sniff`` looks at the text cheaply; ``parse``
loads it, ``analyses.jsonschema_events.event_reason`` decides, and the rules judge only schemas it calls events. References inside
the file (``#/definitions/...``, ``#/$defs/...``) are followed; references to other files or URLs
are never fetched, and what they stand for is not judged.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from ..core.envelope import ENVELOPE_HOLDERS, norm
from ..core.model import Location
from . import Artifact, ParseError, Suppression, comment_suppressions
from .yamljson import Document, join, load_json, load_yaml

KIND = "jsonschema"
EXTENSIONS = (".json", ".yaml", ".yml")

_SCHEMA_JSON = re.compile(r"\"\$schema\"\s*:\s*\"https?://json-schema\.org/")
_SCHEMA_YAML = re.compile(r"^['\"]?\$schema['\"]?[ \t]*:[ \t]*['\"]?https?://json-schema\.org/", re.MULTILINE)
_PROPERTIES = re.compile(r"[\"']?properties[\"']?\s*:")
EVENT_DIRS = frozenset({"events", "event"})
SCHEMA_DIRS = frozenset({"schemas", "schema", "jsonschema", "json-schemas", "json-schema"})


def stem_of(path: str) -> str:
    name = PurePosixPath(path).name
    for ext in (".schema.json", ".schema.yaml", ".schema.yml", ".json", ".yaml", ".yml"):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name


def dirs_of(path: str) -> set[str]:
    return {p.lower() for p in PurePosixPath(path).parts[:-1]}


def sniff(path: str, text: str) -> bool:
    """A json-schema.org ``$schema`` and ``properties``: an object schema, which may describe an
    event (what says so needs the parsed file, and for AsyncAPI references the tree)."""
    if "json-schema.org/" not in text:
        return False  # what both patterns need: a substring test, far cheaper than a search
    is_json = path.lower().endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{")
    if (_SCHEMA_JSON if is_json else _SCHEMA_YAML).search(text) is None:
        return False
    return _PROPERTIES.search(text) is not None  # an object schema: the analysis decides whether it is an event


class JSONSchemaArtifact(Artifact):
    kind = KIND

    def __init__(self, path: str, text: str, doc: Document):
        super().__init__(path, text)
        self.doc = doc
        self.deps: set[str] = set()  # other files read for its findings (earlier versions)

    @property
    def data(self) -> Any:
        return self.doc.data

    @property
    def title(self) -> str:
        t = self.data.get("title") if isinstance(self.data, dict) else None
        return t if isinstance(t, str) else ""

    @property
    def stem(self) -> str:
        return stem_of(self.path)

    def dependencies(self) -> list[str]:
        return sorted(self.deps)

    def locate(self, where: Any) -> Location:
        if isinstance(where, str):
            line, col = self.doc.position(where)
            return Location(self.path, line, col, pointer=where or None)
        return super().locate(where)

    def suppressions(self) -> list[Suppression]:
        found = self.doc.suppressions()
        return found + comment_suppressions(self.text, ("#",))

    # -- references and object schemas --------------------------------------------------
    def deref(self, node: Any, ptr: str, limit: int = 32) -> tuple[Any, str]:
        """(node, pointer) a chain of local ``$ref``s stands for; (None, ptr) when it leaves the file."""
        return deref(self.doc, node, ptr, limit)

    def object_view(self, ptr: str = "") -> "ObjectView | None":
        return object_view(self.doc, self.data if ptr == "" else self.doc.get(ptr), ptr)


class ObjectView:
    """An object schema with its ``allOf`` parts merged: properties (name -> (schema, pointer)),
    the required names, and whether it is closed (``additionalProperties: false``)."""

    def __init__(self, ptr: str):
        self.pointer = ptr
        self.properties: dict[str, tuple[Any, str]] = {}
        self.required: set[str] = set()
        self.required_at: str = ptr
        self.closed = False
        self.opaque = False  # part of it is a reference out of the file: not judged whole


def deref(doc: Document, node: Any, ptr: str, limit: int = 32) -> tuple[Any, str]:
    return doc.deref(node, ptr, limit)


def object_view(doc: Document, node: Any, ptr: str, depth: int = 0) -> ObjectView | None:
    """The object schema at ``node`` (its properties, required names, closedness), or None when it
    is not one (no ``properties`` and not ``type: object``)."""
    node, ptr = deref(doc, node, ptr)
    if not isinstance(node, dict) or depth > 8:
        return None
    view = ObjectView(ptr)
    parts = [(node, ptr)]
    all_of = node.get("allOf")
    for i, part in enumerate(all_of if isinstance(all_of, list) else []):
        sub, sptr = deref(doc, part, join(ptr, "allOf", i))
        if sub is None:
            view.opaque = True
        elif isinstance(sub, dict):
            inner = object_view(doc, sub, sptr, depth + 1)
            if inner is not None:
                view.properties.update({k: v for k, v in inner.properties.items() if k not in view.properties})
                view.required |= inner.required
                view.opaque |= inner.opaque
    if not (isinstance(node.get("properties"), dict) or node.get("type") == "object" or view.properties):
        return None
    for part, pptr in parts:
        props = part.get("properties")
        if isinstance(props, dict):
            for k, v in props.items():
                view.properties[str(k)] = (v, join(pptr, "properties", k))
        req = part.get("required")
        if isinstance(req, list):
            view.required |= {r for r in req if isinstance(r, str)}
            view.required_at = join(pptr, "required")
        if part.get("additionalProperties") is False and not part.get("patternProperties"):
            view.closed = True
        if part.get("unevaluatedProperties") is False and not part.get("patternProperties"):
            view.closed = True
    return view


def envelope_holders(doc: Document, view: ObjectView) -> list[tuple[str, ObjectView]]:
    """Object properties of an event that hold (part of) its envelope: (property name, its view)."""
    out = []
    for name, (schema, ptr) in view.properties.items():
        inner = object_view(doc, schema, ptr)
        if inner is None:
            continue
        names = {norm(k) for k in inner.properties}
        if norm(name) in ENVELOPE_HOLDERS or names & {"eventid", "eventtype"}:
            out.append((name, inner))
    return out


def is_spec(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("$schema"), str) and "json-schema.org/" in data["$schema"]


def parse(path: str, text: str, settings: Any = None) -> JSONSchemaArtifact:
    is_json = path.lower().endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{")
    docs = [load_json(text)] if is_json else load_yaml(text)
    doc = next((d for d in docs if is_spec(d.data)), None)
    if doc is None:
        raise ParseError("no top-level json-schema.org `$schema`: not a JSON Schema document")
    return JSONSchemaArtifact(path, text, doc)
