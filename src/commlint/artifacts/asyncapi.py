"""AsyncAPI documents (2.x and 3.x; YAML or JSON), recognised by their top-level ``asyncapi`` key.

An AsyncAPI document is the event contract of a service: its channels (the
topics, by address), the operations that send to or receive from them, and
the messages they carry with their payload and headers schemas. This module
reads one document into that model, following the document's own ``$ref``s
(``#/components/...``); a reference to another file or a URL is not followed
(never fetched) and the node stays unknown. Validity against the official
AsyncAPI JSON Schemas, vendored in ``asyncapi_schemas/``, is CL800's job.

- 2.x: ``channels`` keys are the addresses; ``publish`` / ``subscribe``
  operations inside a channel carry a ``message`` (or ``oneOf`` messages).
  A Kafka channel binding's ``topic`` names the topic when it differs.
- 3.x: ``channels`` map an id to an ``address`` and its ``messages``;
  ``operations`` (``action: send | receive``) reference a channel.
"""

from __future__ import annotations

import re
from ..core.records import field, record
from typing import Any

from ..core.model import Location
from . import Artifact, ParseError, Suppression, comment_suppressions
from .yamljson import Document, join, load_json, load_yaml, split

KIND = "asyncapi"
EXTENSIONS = (".yaml", ".yml", ".json")

_YAML_KEY = re.compile(r"^['\"]?asyncapi['\"]?[ \t]*:[ \t]*['\"]?\d", re.MULTILINE)
_JSON_KEY = re.compile(r"\A[\ufeff\s]*\{\s*\"asyncapi\"\s*:|\"asyncapi\"\s*:\s*\"[23]\.")


def sniff(path: str, text: str) -> bool:
    """A top-level ``asyncapi:`` key (YAML), or an ``"asyncapi": "2.x/3.x"`` member (JSON)."""
    if "asyncapi" not in text:
        return False  # the word both patterns need: a substring test, far cheaper than a search
    if path.lower().endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{"):
        return _JSON_KEY.search(text) is not None
    return _YAML_KEY.search(text) is not None


@record
class Message:
    """One message a channel carries (resolved through ``$ref``s inside the document)."""

    name: str  # its name, messageId, or the key it is declared under
    pointer: str  # where it is written (a $ref is reported where it points)
    payload: Any
    headers: Any
    correlation: bool  # a correlationId object is declared


@record
class Channel:
    address: str  # the topic
    pointer: str
    actions: set[str] = field(default_factory=set)  # send | receive (2.x: publish | subscribe as written)
    messages: list[Message] = field(default_factory=list)


class AsyncAPIDoc(Artifact):
    kind = KIND

    def __init__(self, path: str, text: str, doc: Document | None):
        super().__init__(path, text)
        self.doc = doc
        self._channels: list[Channel] | None = None

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if self.doc is not None and isinstance(self.doc.data, dict) else {}

    @property
    def version(self) -> str:
        return str(self.data.get("asyncapi", ""))

    @property
    def major(self) -> int:
        head = self.version.split(".", 1)[0]
        return int(head) if head.isdigit() else 0

    def protocols(self) -> set[str]:
        """The protocols its servers declare (lower case); empty when it declares none."""
        servers = self.data.get("servers")
        if not isinstance(servers, dict):
            return set()
        out = set()
        for srv in servers.values():
            srv, _ = self.deref(srv, "")
            if isinstance(srv, dict) and isinstance(srv.get("protocol"), str):
                out.add(srv["protocol"].lower())
        return out

    # -- locations --------------------------------------------------------------------
    def locate(self, where: Any) -> Location:
        if isinstance(where, str) and self.doc is not None:
            line, col = self.doc.position(where)
            return Location(self.path, line, col, pointer=where or None)
        return super().locate(where)

    def suppressions(self) -> list[Suppression]:
        found = self.doc.suppressions() if self.doc is not None else []
        return found + comment_suppressions(self.text, ("#",))

    # -- references ---------------------------------------------------------------------
    def deref(self, node: Any, ptr: str, limit: int = 32) -> tuple[Any, str]:
        """(node, pointer) a chain of local ``$ref``s stands for; (None, ptr) when it leaves the document."""
        return self.doc.deref(node, ptr, limit) if self.doc is not None else (None, ptr)

    def schema_properties(self, schema: Any, ptr: str, depth: int = 0) -> dict[str, str]:
        """Property name -> pointer of a payload/headers schema, through ``$ref``, ``allOf`` and one
        level of nested objects (an envelope's ``metadata`` / ``data`` records)."""
        schema, ptr = self.deref(schema, ptr)
        out: dict[str, str] = {}
        if not isinstance(schema, dict) or depth > 3:
            return out
        for i, part in enumerate(schema.get("allOf") or []):
            out.update(self.schema_properties(part, join(ptr, "allOf", i), depth + 1))
        props = schema.get("properties")
        if isinstance(props, dict):
            for k, v in props.items():
                out.setdefault(str(k), join(ptr, "properties", k))
                if depth == 0:
                    inner = self.schema_properties(v, join(ptr, "properties", k), depth + 1)
                    for ik, ip in inner.items():
                        out.setdefault(ik, ip)
        return out

    # -- the model ------------------------------------------------------------------------
    def channels(self) -> list[Channel]:
        if self._channels is None:
            self._channels = self._read_v3() if self.major >= 3 else self._read_v2()
        return self._channels

    def _message(self, node: Any, ptr: str, key: str) -> list[Message]:
        node, where = self.deref(node, ptr)
        if not isinstance(node, dict):
            return []
        if isinstance(node.get("oneOf"), list):
            out = []
            for i, m in enumerate(node["oneOf"]):
                out.extend(self._message(m, join(where, "oneOf", i), key))
            return out
        name = node.get("name") or node.get("messageId") or (split(where)[-1] if where.startswith("/components/") else key)
        return [Message(str(name or ""), where, node.get("payload"), node.get("headers"), "correlationId" in node)]

    def _read_v2(self) -> list[Channel]:
        out = []
        channels = self.data.get("channels")
        if not isinstance(channels, dict):
            return out
        for address, item in channels.items():
            ptr = join("/channels", address)
            item, _ = self.deref(item, ptr)
            if not isinstance(item, dict):
                continue
            topic = ((item.get("bindings") or {}).get("kafka") or {}).get("topic") if isinstance(item.get("bindings"), dict) else None
            ch = Channel(str(topic or address), ptr)
            for action in ("publish", "subscribe"):
                op = item.get(action)
                if isinstance(op, dict):
                    ch.actions.add(action)
                    ch.messages.extend(self._message(op.get("message"), join(ptr, action, "message"), ""))
            out.append(ch)
        return out

    def _read_v3(self) -> list[Channel]:
        by_id: dict[str, Channel] = {}
        channels = self.data.get("channels")
        if isinstance(channels, dict):
            for cid, item in channels.items():
                ptr = join("/channels", cid)
                item, _ = self.deref(item, ptr)
                if not isinstance(item, dict) or not isinstance(item.get("address", cid), str):
                    continue  # address: null is a dynamic channel, named at runtime
                ch = Channel(str(item.get("address", cid)), ptr)
                msgs = item.get("messages")
                if isinstance(msgs, dict):
                    for key, m in msgs.items():
                        ch.messages.extend(self._message(m, join(ptr, "messages", key), str(key)))
                by_id[ptr] = ch
        ops = self.data.get("operations")
        if isinstance(ops, dict):
            for oid, op in ops.items():
                op, _ = self.deref(op, join("/operations", oid))
                if not isinstance(op, dict):
                    continue
                ref = (op.get("channel") or {}).get("$ref") if isinstance(op.get("channel"), dict) else None
                if isinstance(ref, str) and ref.startswith("#") and ref[1:] in by_id:
                    by_id[ref[1:]].actions.add(str(op.get("action", "")))
        return list(by_id.values())

    def facts(self) -> dict[str, Any]:
        if self.doc is None:
            return {}
        info = self.data.get("info") if isinstance(self.data.get("info"), dict) else {}
        return {
            "version": self.version,
            "title": str(info.get("title", "")),
            "channels": [
                {"address": c.address, "line": self.locate(c.pointer).line, "actions": sorted(c.actions),
                 "messages": [m.name for m in c.messages]}
                for c in self.channels()
            ],
        }


def is_spec(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("asyncapi"), (str, int, float))


def parse(path: str, text: str, settings: Any = None) -> AsyncAPIDoc:
    docs = [load_json(text)] if path.lower().endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{") \
        else load_yaml(text)
    doc = next((d for d in docs if is_spec(d.data)), None)
    if doc is None:
        raise ParseError("no top-level `asyncapi` key: not an AsyncAPI document")
    return AsyncAPIDoc(path, text, doc)
