"""Reader/writer compatibility of two Avro schemas, as Apache Avro's own checker defines it (name mismatches, fixed sizes, enum symbols, defaults, type promotions, unions), pointing to the field that broke."""

from __future__ import annotations

from ..core.records import record
from typing import Any

from ..artifacts.avro import NAMED, PRIMITIVES, AvroArtifact
from ..artifacts.yamljson import join


@record(frozen=True)
class Incompatibility:
    """Why a reader schema cannot read what a writer schema may write (Avro-Java's categories)."""

    kind: str  # name_mismatch | fixed_size_mismatch | missing_enum_symbols | reader_field_missing_default_value | type_mismatch | missing_union_branch
    path: str  # readable: OrderCreated.items[].price
    reader: str  # JSON pointer in the reader schema
    writer: str  # JSON pointer in the writer schema
    reader_type: str
    writer_type: str
    detail: str = ""  # the field name, the missing symbols, the sizes


def describe(art: AvroArtifact, node: Any, ptr: str = "", depth: int = 0) -> str:
    """A short readable type: ``int``, ``record OrderCreated``, ``array<string>``, ``union[null, string]``."""
    node, ptr = art.resolve(node, ptr)
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "union[" + ", ".join(describe(art, b, ptr, depth + 1) for b in node) + "]" if depth < 3 else "union"
    if isinstance(node, dict):
        t = node.get("type")
        if t in NAMED:
            return f"{'record' if t == 'error' else t} {node.get('name')}"
        if t == "array":
            return f"array<{describe(art, node.get('items'), ptr, depth + 1)}>" if depth < 3 else "array"
        if t == "map":
            return f"map<{describe(art, node.get('values'), ptr, depth + 1)}>" if depth < 3 else "map"
        return str(t)
    return repr(node)


def _type(node: Any) -> str:
    if isinstance(node, list):
        return "union"
    if isinstance(node, dict):
        return "record" if node.get("type") == "error" else str(node.get("type"))
    return str(node)


def _short(fullname: str) -> str:
    return fullname.rsplit(".", 1)[-1]


def _qualified_aliases(node: dict[str, Any]) -> set[str]:
    """A named type's aliases as full names (an alias without a dot takes the type's namespace)."""
    space = node["name"].rsplit(".", 1)[0] if "." in node["name"] else ""
    return {a.removeprefix(".") if "." in a or not space else f"{space}.{a}" for a in node.get("aliases", []) or []}


def _field_default(field: dict[str, Any]) -> bool:
    return "default" in field


class _Checker:
    """Avro-Java's ReaderWriterCompatibilityChecker, step for step, with locations."""

    def __init__(self, reader: AvroArtifact, writer: AvroArtifact):
        self.r, self.w = reader, writer
        self.memo: dict[tuple[int, int], list[Incompatibility] | None] = {}

    def check(self, rnode: Any, rptr: str, wnode: Any, wptr: str, path: str) -> list[Incompatibility]:
        rnode, rptr = self.r.resolve(rnode, rptr)
        wnode, wptr = self.w.resolve(wnode, wptr)
        if isinstance(rnode, str) or isinstance(wnode, str):
            return self.calculate(rnode, rptr, wnode, wptr, path)  # a primitive: nothing shared, nothing recursive
        key = (id(rnode), id(wnode))
        if key in self.memo:
            return self.memo[key] or []  # None: this pair is being checked further up (a recursive type)
        self.memo[key] = None
        out = self.calculate(rnode, rptr, wnode, wptr, path)
        self.memo[key] = out
        return out

    def bad(self, kind: str, path: str, r: Any, rptr: str, w: Any, wptr: str, detail: str = "") -> list[Incompatibility]:
        return [Incompatibility(kind, path, rptr, wptr, describe(self.r, r, rptr), describe(self.w, w, wptr), detail)]

    def calculate(self, r: Any, rptr: str, w: Any, wptr: str, path: str) -> list[Incompatibility]:
        rt, wt = _type(r), _type(w)
        if rt == wt:
            if rt in PRIMITIVES:
                return []
            if rt == "array":
                return self.check(r["items"], join(rptr, "items"), w["items"], join(wptr, "items"), path + "[]")
            if rt == "map":
                return self.check(r["values"], join(rptr, "values"), w["values"], join(wptr, "values"), path + "{}")
            if rt == "union":
                out = []
                for i, branch in enumerate(w):
                    if self.check(r, rptr, branch, join(wptr, i), path):
                        out += self.bad("missing_union_branch", path, r, rptr, branch, join(wptr, i))
                return out
            out = self.names(r, rptr, w, wptr, path)
            if rt == "fixed" and r.get("size") != w.get("size"):
                out += self.bad("fixed_size_mismatch", path, r, rptr, w, wptr, f"{w.get('size')} -> {r.get('size')}")
            elif rt == "enum":
                out += self.enum(r, rptr, w, wptr, path)
            elif rt == "record":
                out += self.fields(r, rptr, w, wptr, path)
            return out
        if wt == "union":
            out = []
            for i, branch in enumerate(w):
                out += self.check(r, rptr, branch, join(wptr, i), path)
            return out
        promotions = {"long": {"int"}, "float": {"int", "long"}, "double": {"int", "long", "float"},
                      "bytes": {"string"}, "string": {"bytes"}}
        if wt in promotions.get(rt, ()):
            return []
        if rt == "union":
            for i, branch in enumerate(r):
                if not self.check(branch, join(rptr, i), w, wptr, path):
                    return []
            return self.bad("missing_union_branch", path, r, rptr, w, wptr)
        return self.bad("type_mismatch", path, r, rptr, w, wptr)

    def names(self, r: dict[str, Any], rptr: str, w: dict[str, Any], wptr: str, path: str) -> list[Incompatibility]:
        if _short(r["name"]) == _short(w["name"]) or w["name"] in _qualified_aliases(r):
            return []
        return self.bad("name_mismatch", path, r, join(rptr, "name"), w, join(wptr, "name"), f"{w['name']} -> {r['name']}")

    def enum(self, r: dict[str, Any], rptr: str, w: dict[str, Any], wptr: str, path: str) -> list[Incompatibility]:
        missing = [s for s in w["symbols"] if s not in r["symbols"]]
        if not missing or (r.get("default") and r["default"] in r["symbols"]):
            return []
        return self.bad("missing_enum_symbols", path, r, join(rptr, "symbols"), w, join(wptr, "symbols"), ", ".join(missing))

    def fields(self, r: dict[str, Any], rptr: str, w: dict[str, Any], wptr: str, path: str) -> list[Incompatibility]:
        out = []
        by_name = {f["name"]: (i, f) for i, f in enumerate(w["fields"])}
        for i, rf in enumerate(r["fields"]):
            fptr = join(rptr, "fields", i)
            fpath = f"{path}.{rf['name']}"
            hit = by_name.get(rf["name"]) or next((by_name[a] for a in rf.get("aliases", []) or [] if a in by_name), None)
            if hit is not None:
                j, wf = hit
                out += self.check(rf["type"], join(fptr, "type"), wf["type"], join(wptr, "fields", j, "type"), fpath)
            elif not _field_default(rf):
                # Avro-Java then compares an enum with a default to the writer record (a type mismatch): incompatible either way
                out += self.bad("reader_field_missing_default_value", fpath, rf["type"], join(fptr, "name"), w, wptr, rf["name"])
        return out


def compatibility(reader: AvroArtifact, writer: AvroArtifact) -> list[Incompatibility]:
    """Why ``reader`` cannot read data written with ``writer``; empty when it can. Both must be valid."""
    root = reader.resolve(reader.schema, "")[0]
    name = root.get("name", "") if isinstance(root, dict) else ""
    found = _Checker(reader, writer).check(reader.schema, "", writer.schema, "", _short(name) if name else "(root)")
    unique: dict[tuple[str, str, str, str], Incompatibility] = {}
    for inc in found:
        unique.setdefault((inc.kind, inc.reader, inc.writer, inc.detail), inc)
    return list(unique.values())
