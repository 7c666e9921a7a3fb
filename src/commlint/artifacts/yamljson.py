"""YAML and JSON documents with the line of every node, for OpenAPI, Avro and topic files.

- YAML is composed with the C loader when present (safe: tags never construct
  objects; an unknown tag such as ``!!python/object`` or ``!Ref`` keeps its
  plain value), then turned into Python data while recording each node's
  JSON pointer and position. Aliases and merge keys are followed with a node
  budget, so an alias bomb becomes a parse error instead of eating memory.
- JSON is loaded with the standard library (fast); positions are found only
  when a finding needs one, by a small scanner over the text.
- Duplicate keys are recorded (the last one wins, as in most loaders) so a
  rule can report them.
- ``x-commlint-ignore: [CODES]`` in any object is collected as a suppression
  bound to that object's pointer.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from ..core.records import field, record
from typing import Any

from . import ParseError, Suppression

MAX_NODES = 2_000_000  # nodes one YAML stream may convert to
MAX_ALIAS_NODES = 100_000  # of which reached again through aliases and merge keys
MAX_DEPTH = 400
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


@record
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

    def deref(self, node: Any, ptr: str, limit: int = 32) -> tuple[Any, str]:
        """(node, pointer) a chain of local ``$ref``s stands for; (None, ptr) when it leaves the
        document, points nowhere or goes round more than ``limit`` times."""
        missing = object()
        for _ in range(limit):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node, ptr
            ref = node["$ref"]
            if not ref.startswith("#"):
                return None, ptr
            ptr = ref[1:]
            node = self.get(ptr, missing)
            if node is missing:
                return None, ptr
        return None, ptr

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


_QUOTED = re.compile(r"'[^'\n]*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*")
_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth(text: str) -> int:
    """The deepest nesting of flow collections (``[``/``{``) outside quotes and comments:
    commlint's own measure, so its message does not depend on the YAML library's wording."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(_QUOTED.sub("", text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def load_yaml(text: str, max_nodes: int = MAX_NODES) -> list[Document]:
    """Every document of a YAML stream, with positions."""
    import yaml

    try:
        nodes = list(yaml.compose_all(text, Loader=_loader_cls()))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if _flow_depth(text) > MAX_DEPTH:
            raise ParseError(f"YAML nested more than {MAX_DEPTH} levels deep", line, col) from None
        raise ParseError(f"YAML syntax error: {exc.problem or exc}", line, col) from None
    except yaml.YAMLError as exc:
        if _flow_depth(text) > MAX_DEPTH:
            raise ParseError(f"YAML nested more than {MAX_DEPTH} levels deep") from None
        raise ParseError(f"YAML error: {exc}") from None
    except RecursionError:
        raise ParseError(f"YAML nested more than {MAX_DEPTH} levels deep") from None
    docs = []
    budget = _Budget(max_nodes, MAX_ALIAS_NODES)
    for node in nodes:
        if node is None:
            continue
        doc = Document(None, text, "yaml", line_offset=node.start_mark.line)
        doc._positions = {}
        try:
            doc.data = _convert(node, "", doc, budget, 0)
        except RecursionError:
            raise ParseError("YAML nested too deeply", node.start_mark.line + 1) from None
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


class _Budget:
    """How many nodes a stream may still expand to, in all and through aliases.

    A node met a second time was reached through an alias (or a merge key):
    it and everything under it count against ``aliased`` as well, so an alias
    bomb stops after a bounded amount of work and memory whatever its shape.
    """

    def __init__(self, nodes: int, aliased: int):
        self.nodes = nodes
        self.aliased = aliased
        self.seen: set[int] = set()
        self.merges: dict[int, list[tuple[Any, Any]]] = {}

    def spend(self, node: Any, repeat: bool) -> bool:
        """Count one node; whether it is a repeat (reached through an alias)."""
        if not repeat and isinstance(node.value, list):
            repeat = id(node) in self.seen
            self.seen.add(id(node))
        self.nodes -= 1
        if repeat:
            self.aliased -= 1
        if self.nodes < 0:
            raise ParseError(f"YAML expands to more than {MAX_NODES} nodes", node.start_mark.line + 1)
        if self.aliased < 0:
            raise ParseError(f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)",
                             node.start_mark.line + 1)
        return repeat


def _convert(node: Any, ptr: str, doc: Document, budget: _Budget, depth: int, repeat: bool = False) -> Any:
    import yaml

    repeat = budget.spend(node, repeat)
    if depth > MAX_DEPTH:
        raise ParseError(f"YAML nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)
    pos = doc._positions
    assert pos is not None
    if ptr not in pos:
        pos[ptr] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, f"{ptr}/{i}", doc, budget, depth + 1, repeat) for i, n in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode, merged in _pairs(node, budget):
            if isinstance(knode, yaml.ScalarNode):
                key = knode.value
            else:
                key = json.dumps(_convert(knode, ptr, doc, budget, depth + 1, repeat), default=str)
            child = f"{ptr}/{escape(key)}"
            if key in out and not merged:
                doc.duplicates.append((child, knode.start_mark.line + 1, knode.start_mark.column + 1))
            if key in out and merged:
                continue  # a key the mapping (or an earlier merge source) already has wins
            pos[child] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            out[key] = _convert(vnode, child, doc, budget, depth + 1, repeat or merged)
            if key == IGNORE_KEY:
                doc.ignores.append((ptr, out[key], knode.start_mark.line + 1))
        return out
    return None


def _is_merge(knode: Any) -> bool:
    return getattr(knode, "tag", None) == "tag:yaml.org,2002:merge"


def _pairs(node: Any, budget: _Budget) -> list[tuple[Any, Any, bool]]:
    """A mapping's own pairs, then the pairs its merge keys (``<<: *base``) bring in.

    As YAML's merge-key type says: the mapping's own keys win over merged ones,
    and an earlier merge source wins over a later one.
    """
    own = [(k, v, False) for k, v in node.value if not _is_merge(k)]
    merged = [(k, v, True) for k, v in _merged(node, budget, 0)]
    return own + merged


def _merged(node: Any, budget: _Budget, depth: int) -> list[tuple[Any, Any]]:
    """The pairs a mapping contributes when merged into another (its own, then its merges'), once per mapping."""
    import yaml

    if depth > MAX_DEPTH:
        raise ParseError(f"YAML merge keys nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)
    out: dict[Any, tuple[Any, Any]] = {}  # key -> pair: the first source that has a key wins
    for k, v in node.value:
        if not _is_merge(k):
            continue
        sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
        for src in sources:
            if not isinstance(src, yaml.MappingNode):
                continue
            if id(src) not in budget.merges:
                budget.merges[id(src)] = []  # a merge cycle meets this empty list and stops
                pairs = [(sk, sv) for sk, sv in src.value if not _is_merge(sk)] + _merged(src, budget, depth + 1)
                budget.merges[id(src)] = list({_key_id(sk): (sk, sv) for sk, sv in reversed(pairs)}.values())[::-1]
            pairs = budget.merges[id(src)]
            budget.aliased -= len(pairs)
            if budget.aliased < 0:
                raise ParseError(f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)",
                                 node.start_mark.line + 1)
            for sk, sv in pairs:
                out.setdefault(_key_id(sk), (sk, sv))
    return list(out.values())


def _key_id(knode: Any) -> Any:
    return knode.value if isinstance(knode.value, str) else id(knode)


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
    except ValueError as exc:  # an integer too long to convert (sys.get_int_max_str_digits)
        raise ParseError(f"JSON value cannot be read: {exc}") from None
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


# Words a YAML file must hold for a cross-file reader to care (Kubernetes kinds, alert rules,
# mesh circuit breaking): looked for in the bytes the run reads anyway, and remembered in the
# cache, so a warm run does not open two thousand YAML files again for four readers.
MANIFEST_WORDS = (b"kind:", b"alert:", b"outlierDetection", b"outlier_detection", b"circuit_breakers",
                  b"connectionPool", b"failure-accrual")


def manifest_words(data: bytes) -> bool:
    """Whether a YAML file's bytes hold a word of ``MANIFEST_WORDS``."""
    return any(w in data for w in MANIFEST_WORDS)


def manifest_candidates(files: "Iterable[Any]") -> list[str]:
    """The YAML files of a run that a cross-file reader must open: those whose bytes held a
    manifest word, and those the run did not read (``manifest`` unknown)."""
    return [r.rel for r in files
            if r.rel.lower().endswith((".yaml", ".yml")) and getattr(r, "manifest", None) is not False]


def read_documents(root: "os.PathLike[str] | str", rels: "Iterable[str]", hint: "re.Pattern[str]",
                   limit: int = 1_000_000) -> "Iterator[tuple[str, str, list[Document]]]":
    """(path, text, documents) of each YAML file under ``root`` whose text matches ``hint``
    (a cheap look before parsing), read through safeio and bounded; a file that cannot be
    read or parsed is skipped (it is some other rule's to report). For the cross-file rules
    that read manifests and monitoring configuration beside the code."""
    from pathlib import Path

    from ..core import safeio

    for rel in rels:
        try:
            text = safeio.read_file(Path(root) / rel, limit, root, truncate=True)[:limit].decode("utf-8", "replace")
        except OSError:
            continue
        if not hint.search(text):
            continue
        try:
            docs = load_yaml(text)
        except Exception:  # noqa: BLE001 - not ours to report
            continue
        yield rel, text, docs
