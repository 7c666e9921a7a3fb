"""YAML and JSON documents with the line of every node, for OpenAPI, Avro and topic files.

- YAML is composed with the C loader when present (safe: tags never construct
  objects; an unknown tag such as ``!!python/object`` or ``!Ref`` keeps its
  plain value), then turned into Python data while recording each node's
  JSON pointer and position. Aliases are followed with a node budget, so an
  alias bomb becomes a parse error instead of eating memory.
- JSON is loaded with the standard library (fast); positions are found only
  when a finding needs one, by a small scanner over the text.
- Duplicate keys are recorded (the last one wins, as in most loaders) so a
  rule can report them.
- ``x-commlint-ignore: [CODES]`` in any object is collected as a suppression
  bound to that object's pointer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import ParseError, Suppression

MAX_NODES = 2_000_000
IGNORE_KEY = "x-commlint-ignore"


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*parts: Any) -> str:
    return "".join("/" + escape(str(p)) for p in parts)


def join(base: str, *parts: Any) -> str:
    return base + pointer(*parts)


def split(ptr: str) -> list[str]:
    if not ptr:
        return []
    return [unescape(p) for p in ptr.lstrip("/").split("/")] if ptr != "/" else [""]


@dataclass
class Document:
    """One parsed YAML/JSON document."""

    data: Any
    text: str
    fmt: str  # "yaml" | "json"
    line_offset: int = 0  # for YAML streams: where this document starts
    _positions: dict[str, tuple[int, int]] | None = None
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    ignores: list[tuple[str, Any, int]] = field(default_factory=list)  # (pointer, value, line)

    def positions(self) -> dict[str, tuple[int, int]]:
        if self._positions is None:
            self._positions = _json_positions(self.text) if self.fmt == "json" else {}
        return self._positions

    def position(self, ptr: str) -> tuple[int, int]:
        """1-based (line, column) of the node at ``ptr``, or of its nearest ancestor that has one."""
        pos = self.positions()
        p = ptr
        while True:
            if p in pos:
                return pos[p]
            if not p:
                return (self.line_offset + 1, 1)
            p = p[: p.rfind("/")]

    def get(self, ptr: str, default: Any = None) -> Any:
        node = self.data
        for part in split(ptr):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return default
        return node

    def suppressions(self) -> list[Suppression]:
        out = []
        for ptr, value, line in self.ignores:
            if isinstance(value, str):
                value = [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                out.append(Suppression(tuple(value), "x-commlint-ignore", line, pointer=ptr))
        return out


# -- YAML ---------------------------------------------------------------------------------


def _loader_cls():  # noqa: ANN202
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, max_nodes: int = MAX_NODES) -> list[Document]:
    """Every document of a YAML stream, with positions."""
    import yaml

    try:
        nodes = list(yaml.compose_all(text, Loader=_loader_cls()))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise ParseError(f"YAML syntax error: {exc.problem or exc}", line, col) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"YAML error: {exc}") from None
    except RecursionError:
        raise ParseError("YAML nested too deeply") from None
    docs = []
    budget = [max_nodes]
    for node in nodes:
        if node is None:
            continue
        doc = Document(None, text, "yaml", line_offset=node.start_mark.line)
        doc._positions = {}
        doc.data = _convert(node, "", doc, budget, 0)
        docs.append(doc)
    return docs


_CONSTRUCT: dict[str, Any] | None = None


def _scalar(node: Any) -> Any:
    global _CONSTRUCT
    import yaml

    tag = node.tag
    if _CONSTRUCT is None:
        _CONSTRUCT = {
            "tag:yaml.org,2002:null": lambda v: None,
            "tag:yaml.org,2002:bool": lambda v: v.lower() in ("yes", "true", "on", "y"),
            "tag:yaml.org,2002:int": lambda v: yaml.SafeLoader.construct_yaml_int(_Fake, _Node(v)),
            "tag:yaml.org,2002:float": lambda v: yaml.SafeLoader.construct_yaml_float(_Fake, _Node(v)),
        }
    fn = _CONSTRUCT.get(tag)
    if fn is None:
        return node.value  # strings, timestamps, binary and unknown tags keep their text
    try:
        return fn(node.value)
    except Exception:  # noqa: BLE001
        return node.value


class _Node:
    def __init__(self, value: str):
        self.value = value


class _Fake:
    @staticmethod
    def construct_scalar(node: _Node) -> str:
        return node.value


def _convert(node: Any, ptr: str, doc: Document, budget: list[int], depth: int) -> Any:
    import yaml

    budget[0] -= 1
    if budget[0] < 0:
        raise ParseError(f"YAML expands to more than {MAX_NODES} nodes (an alias bomb?)", node.start_mark.line + 1)
    if depth > 500:
        raise ParseError("YAML nested more than 500 levels deep", node.start_mark.line + 1)
    pos = doc._positions
    assert pos is not None
    if ptr not in pos:
        pos[ptr] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, f"{ptr}/{i}", doc, budget, depth + 1) for i, n in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in _merged(node):
            if isinstance(knode, yaml.ScalarNode):
                key = knode.value
            else:
                key = json.dumps(_convert(knode, ptr, doc, budget, depth + 1), default=str)
            child = f"{ptr}/{escape(key)}"
            if key in out:
                doc.duplicates.append((child, knode.start_mark.line + 1, knode.start_mark.column + 1))
            pos[child] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            out[key] = _convert(vnode, child, doc, budget, depth + 1)
            if key == IGNORE_KEY:
                doc.ignores.append((ptr, out[key], knode.start_mark.line + 1))
        return out
    return None


def _merged(node: Any) -> list[tuple[Any, Any]]:
    """Mapping pairs with YAML merge keys (``<<: *base``) expanded."""
    import yaml

    pairs = []
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.tag == "tag:yaml.org,2002:merge":
            sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
            for s in sources:
                if isinstance(s, yaml.MappingNode):
                    pairs.extend(_merged(s))
        else:
            pairs.append((k, v))
    return pairs


# -- JSON ---------------------------------------------------------------------------------------


def load_json(text: str) -> Document:
    dups: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                dups.append(k)
            out[k] = v
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ParseError(f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise ParseError("JSON nested too deeply") from None
    doc = Document(data, text, "json")
    if dups:
        doc.duplicates = _json_duplicates(text)
    if IGNORE_KEY in text:
        _collect_ignores(data, "", doc)
    return doc


def _collect_ignores(node: Any, ptr: str, doc: Document) -> None:
    stack = [(node, ptr)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, dict):
            if IGNORE_KEY in n:
                doc.ignores.append((p, n[IGNORE_KEY], doc.position(join(p, IGNORE_KEY))[0]))
            stack.extend((v, join(p, k)) for k, v in n.items())
        elif isinstance(n, list):
            stack.extend((v, join(p, i)) for i, v in enumerate(n))


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.S)


def _scan(text: str):  # noqa: ANN202
    """(pointer, offset, is_key) for every key and value in a JSON text."""
    stack: list[list[Any]] = []  # ["{", key, expecting_key] or ["[", index]

    def path() -> str:
        return "".join("/" + escape(str(f[1])) for f in stack if f[1] is not None)

    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok == ":":
            continue
        if tok == ",":
            if stack:
                if stack[-1][0] == "{":
                    stack[-1][2] = True
                else:
                    stack[-1][1] += 1
            continue
        if tok in "}]":
            if stack:
                stack.pop()
            continue
        if stack and stack[-1][0] == "{" and stack[-1][2]:
            try:
                key = json.loads(tok)
            except ValueError:
                key = tok
            stack[-1][1] = key
            stack[-1][2] = False
            yield path(), m.start(), True
            continue
        yield path(), m.start(), False
        if tok == "{":
            stack.append(["{", None, True])
        elif tok == "[":
            stack.append(["[", 0])


def _positions_from(text: str, keys: bool) -> list[tuple[str, int, int]]:
    import bisect

    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out = []
    for ptr, off, is_key in _scan(text):
        if is_key != keys and keys:
            continue
        line = bisect.bisect_right(starts, off)
        out.append((ptr, line, off - starts[line - 1] + 1, is_key))  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def _json_positions(text: str) -> dict[str, tuple[int, int]]:
    pos: dict[str, tuple[int, int]] = {}
    for ptr, line, col, is_key in _positions_from(text, False):  # type: ignore[misc]
        if is_key or ptr not in pos:
            pos[ptr] = (line, col)
    return pos


def _json_duplicates(text: str) -> list[tuple[str, int, int]]:
    seen: set[str] = set()
    out = []
    for ptr, line, col, is_key in _positions_from(text, False):  # type: ignore[misc]
        if not is_key:
            continue
        if ptr in seen:
            out.append((ptr, line, col))
        seen.add(ptr)
    return out
