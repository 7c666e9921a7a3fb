"""Avro schemas (``.avsc``): parsed with fastavro, located by JSON pointer, and
compared the way Avro resolves a writer's data with a reader's schema.

A schema that is not valid is not a parse error of the file: the artifact keeps
the reasons (``problems``) and rule CL400 reports them, each at its JSON
pointer. fastavro is the authority on validity, but it accepts some schemas
Avro-Java (and so Schema Registry) rejects, so a walk over the JSON first
checks what it lets through: duplicate field names and JSON keys, invalid
names and namespaces, unions with two branches of one type or a union inside
a union, a record without ``fields``, a ``fixed`` without ``size``, invalid
``order``, and defaults that do not match their type. That walk also finds
each named type's definition, so every finding has a line.

``compatibility(reader, writer)`` implements Avro's reader/writer resolution
check exactly as Avro-Java's ``SchemaCompatibility`` does (the checker Schema
Registry uses; the PyPI ``avro`` package's ``avro.compatibility`` is a port of
it, and the tests hold the two to the same verdicts), but reports each
incompatibility with the field path and the JSON pointers on both sides.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..core import safeio
from ..core.model import Location
from . import Artifact, ParseError
from .yamljson import Document, join, load_json

KIND = "avro"

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "error", "enum", "fixed"})
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
ORDERS = frozenset({"ascending", "descending", "ignore"})


def sniff(path: str, text: str) -> bool:
    return True


class AvroArtifact(Artifact):
    kind = KIND

    def __init__(self, path: str, text: str, doc: Document | None):
        super().__init__(path, text)
        self.doc = doc
        self.schema: Any = None  # fastavro's parsed schema (names fully qualified); None when invalid
        self.named: dict[str, Any] = {}  # fullname -> parsed definition
        self.defined_at: dict[str, str] = {}  # fullname -> JSON pointer of its definition
        self.problems: list[tuple[Any, str]] = []  # (pointer or Location, why the schema is invalid)
        self.deps: set[str] = set()  # other files read for this file's findings (imports, earlier versions)

    def dependencies(self) -> list[str]:
        return sorted(self.deps)

    @property
    def valid(self) -> bool:
        return self.schema is not None

    validity_rule = "CL400"

    def unparsed(self) -> tuple[Location, str] | None:
        if self.valid:
            return None
        where, why = self.problems[0] if self.problems else ("", "not a valid schema")
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        return self.locate(where), f"not a valid Avro schema: {why}{more}"

    def locate(self, where: Any) -> Location:
        if isinstance(where, str) and self.doc is not None:
            line, col = self.doc.position(where)
            return Location(self.path, line, col, pointer=where or "/")
        return super().locate(where)

    def suppressions(self) -> list:
        return self.doc.suppressions() if self.doc is not None else []

    def resolve(self, node: Any, ptr: str) -> tuple[Any, str]:
        """A type with named references and ``{"type": <type>}`` wrappers followed to its definition."""
        for _ in range(64):
            if isinstance(node, str) and node not in PRIMITIVES and node not in self.named:
                node = null_namespace(node, self.named)
            if isinstance(node, str) and node not in PRIMITIVES and node in self.named:
                return self.named[node], self.defined_at.get(node, ptr)
            if isinstance(node, dict) and not isinstance(node.get("type"), str):
                node, ptr = node.get("type"), join(ptr, "type")
                continue
            if isinstance(node, dict) and node["type"] in PRIMITIVES:
                return node["type"], ptr
            if isinstance(node, dict) and node["type"] not in NAMED | {"array", "map"} and node["type"] in self.named:
                node = node["type"]
                continue
            return node, ptr
        return node, ptr

    def records(self) -> list[tuple[str, dict[str, Any], str]]:
        """Every record defined in the schema: (fullname, definition, pointer)."""
        return [(n, d, self.defined_at.get(n, "")) for n, d in self.named.items()
                if isinstance(d, dict) and d.get("type") in ("record", "error")]

    def top_records(self) -> list[tuple[dict[str, Any], str]]:
        """The record(s) the file is about: the top-level record, or each record of a top-level union
        that is not a part of another one. A record defined inside another branch, or held by another
        branch's fields without holding it back, is a part (Avro's idiom of one file defining several
        types as a union, the first ones used by the last), not an event of its own."""
        out = []
        branches = [(self.schema, "")]
        if isinstance(self.schema, list):
            branches = [(b, f"/{i}") for i, b in enumerate(self.schema)]
        for branch, at in branches:
            node, ptr = self.resolve(branch, at)
            if not (isinstance(node, dict) and node.get("type") in ("record", "error")):
                continue
            if at and ptr.split("/")[1] != at[1:]:
                continue  # a name for a record defined inside another branch
            out.append((node, ptr))
        if len(out) < 2:
            return out
        holds = {rec["name"]: _names_in([f["type"] for f in rec["fields"]]) - {rec["name"]} for rec, _ in out}
        return [(rec, ptr) for rec, ptr in out
                if not any(rec["name"] in held and other not in holds[rec["name"]] for other, held in holds.items())]

    def facts(self) -> dict[str, Any]:
        tops = self.top_records()
        return {"valid": self.valid, "names": sorted(self.named), "top": [t.get("name") for t, _ in tops]}


def _names_in(node: Any) -> set[str]:
    """The named types a part of a parsed schema defines or names, its own subtree only (a name is
    not followed to its definition): one walk, however the records refer to one another."""
    out: set[str] = set()
    todo = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, str):
            if node not in PRIMITIVES:
                out.add(node)
        elif isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            kind = node.get("type")
            if isinstance(kind, (dict, list)):
                todo.append(kind)  # {"type": {...}}: a wrapper
                continue
            if kind in NAMED and isinstance(node.get("name"), str):
                out.add(node["name"])
            if kind in ("record", "error"):
                todo.extend(f.get("type") for f in node.get("fields") or [] if isinstance(f, dict))
            elif kind == "array":
                todo.append(node.get("items"))
            elif kind == "map":
                todo.append(node.get("values"))
            elif isinstance(kind, str) and kind not in NAMED:
                todo.append(kind)  # {"type": "com.shop.Address"}
    return out


def parse(path: str, text: str, settings: Any = None) -> AvroArtifact:
    folder = Path(settings.root, path).parent if settings is not None else None
    return load(path, text, folder)


def load(path: str, text: str, folder: Path | None = None) -> AvroArtifact:
    """Parse an .avsc text. Never raises: an invalid schema keeps its problems.

    A type the file uses but does not define is looked for in the other .avsc
    files of ``folder`` and below, as Avro's tools and build plugins read a
    folder of schemas together.
    """
    try:
        doc = load_json(text)
    except ParseError as exc:
        art = AvroArtifact(path, text, None)
        art.problems.append((Location(path, exc.line, exc.column), exc.message))
        return art
    art = AvroArtifact(path, text, doc)
    for ptr, _line, _col in doc.duplicates:
        key = ptr.rsplit("/", 1)[-1]
        art.problems.append((ptr, f"duplicate key {key!r}: JSON readers disagree on which one counts"))
    imported: dict[str, Any] = {}
    walker = _walk(doc.data, art.problems, {})
    if folder is not None and walker.unknown and not any(
        m for _, m in art.problems if not m.startswith("unknown type")
    ):
        imported = _imports(folder, path, set(walker.unknown))
        # any .avsc beside it may define (or stop defining) a type this file uses
        files, listed = _avsc_walk(folder)
        art.deps.update(str(p) for p in files if p.name != Path(path).name)
        # which files exist matters too: a new file may define a type that was unknown
        art.deps.update(safeio.listing_dependency(d, ".avsc") for d in listed)
        if imported:
            art.problems[:] = [p for p in art.problems if not p[1].startswith("unknown type")]
            walker = _walk(doc.data, art.problems, {n: d for n, (d, _) in imported.items()})
    art.defined_at = walker.names
    if art.problems:
        return art
    import fastavro

    named: dict[str, Any] = _Names()
    try:
        _parse_imports(imported, named)
        art.schema = fastavro.parse_schema(doc.data, named, _write_hint=False)
    except RecursionError:
        art.problems.append(("", "schema nested too deeply"))
    except Exception as exc:  # noqa: BLE001 - fastavro raises several types (SchemaParseException, UnknownType, KeyError)
        art.problems.append(("", f"fastavro rejects the schema: {type(exc).__name__}: {exc}"))
    else:
        art.named = dict(named)
    return art


def null_namespace(name: str, named: Any) -> str:
    """A name qualified by the enclosing namespace (``x.Inner``) that is not defined there but is
    in the null namespace (``Inner``): Avro then resolves it to the latter, fastavro does not."""
    short = name.rsplit(".", 1)[-1]
    if "." in name and not dict.__contains__(named, name) and dict.__contains__(named, short):
        return short
    return name


class _Names(dict):  # type: ignore[type-arg]
    """fastavro's table of named types, resolving a reference as Avro does: in the enclosing
    namespace first, then in the null namespace."""

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, null_namespace(key, self) if isinstance(key, str) else key)

    def __getitem__(self, key: Any) -> Any:
        return dict.__getitem__(self, null_namespace(key, self) if isinstance(key, str) else key)

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default


def _walk(data: Any, problems: list[tuple[Any, str]], known: dict[str, Any]) -> _Validator:
    walker = _Validator(problems, known)
    try:
        walker.schema(data, "", "")
    except RecursionError:
        problems.append(("", "schema nested too deeply"))
    return walker


MAX_IMPORT_FILES = 500
IMPORT_LIMIT = 16 * 1024 * 1024  # an imported .avsc larger than this is not read


def _imports(folder: Path, path: str, wanted: set[str]) -> dict[str, tuple[Any, Any]]:
    """Definitions of ``wanted`` (and what they use) from other .avsc files: fullname -> (definition, file's schema)."""
    found: dict[str, tuple[Any, Any]] = {}
    own = Path(path).name
    files = [p for p in _avsc_files(folder) if not (p.parent == folder and same_subject(own, p.name))]
    texts: dict[Path, str] = {}
    for _ in range(8):  # imports of imports
        for p in files:
            if p.name == own and p.parent == folder or not wanted:
                continue
            if p not in texts:
                try:  # a regular file inside the folder, of bounded size (no /dev/zero, FIFO or escape)
                    texts[p] = safeio.read_file(p, IMPORT_LIMIT, folder).decode("utf-8-sig")
                except (OSError, UnicodeDecodeError):
                    texts[p] = ""
            text = texts[p]
            if not any(name.rsplit(".", 1)[-1] in text for name in wanted):
                continue
            try:
                data = load_json(text).data
            except ParseError:
                continue
            walker = _walk(data, [], {n: d for n, (d, _) in found.items()})
            for name in list(wanted):
                if name in walker.defs or name.rsplit(".", 1)[-1] in walker.defs:
                    for n, d in walker.defs.items():
                        found.setdefault(n, (d, data))
                    wanted.discard(name)
            wanted |= {u for u in walker.unknown if u not in found}
        if not wanted:
            break
    return found


_VERSIONED = re.compile(r"^(?:(?P<subject>.+?)[._-])?[vV](?P<n>\d+)\.avsc$")


def same_subject(own: str, other: str) -> bool:
    """Whether ``other`` is another version of the schema ``own`` kept beside it (``order.v1.avsc``
    and ``order.v2.avsc``, ``v1.avsc`` and ``v2.avsc``): its types are not this version's imports."""
    a, b = _VERSIONED.match(own), _VERSIONED.match(other)
    return a is not None and b is not None and (a.group("subject") or "") == (b.group("subject") or "")


def _avsc_files(folder: Path, max_dirs: int = 2000) -> list[Path]:
    """The .avsc files of a folder and below (hidden folders and node_modules skipped), bounded."""
    return _avsc_walk(folder, max_dirs)[0]


def _avsc_walk(folder: Path, max_dirs: int = 2000) -> tuple[list[Path], list[str]]:
    """The .avsc files (regular, inside the folder) and the folders listed to find them."""
    out: list[Path] = []
    listed: list[str] = []
    for dirs, (here, subdirs, names) in enumerate(os.walk(folder), start=1):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d != "node_modules")
        listed.append(here)
        out += [Path(here, n) for n in safeio.list_dir(here, folder, ".avsc")]
        if dirs >= max_dirs or len(out) >= MAX_IMPORT_FILES:
            break
    return out[:MAX_IMPORT_FILES], listed


def _parse_imports(imported: dict[str, tuple[Any, Any]], named: dict[str, Any]) -> None:
    """Parse the imported files' schemas into ``named``, each after the files it uses."""
    import fastavro

    pending: list[Any] = []
    for _, data in imported.values():
        if not any(data is d for d in pending):
            pending.append(data)
    while pending:
        left = []
        for data in pending:
            trial = _Names(named)
            try:
                fastavro.parse_schema(data, trial, _write_hint=False)
            except Exception:  # noqa: BLE001 - not yet parseable (or never): the main schema's parse will say
                left.append(data)
            else:
                named.update(trial)
        if len(left) == len(pending):
            return
        pending = left


# -- what fastavro lets through ------------------------------------------------------------


def _fullname(name: str, namespace: str) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


def _valid_fullname(name: str) -> bool:
    return all(NAME_RE.match(part) for part in name.split("."))


class _Validator:
    """A walk over the JSON that finds what makes a schema invalid, each at its pointer."""

    def __init__(self, problems: list[tuple[Any, str]], known: dict[str, Any]):
        self.problems = problems
        self.known = known  # fullname -> JSON definition, from other files
        self.names: dict[str, str] = {}  # fullname -> pointer
        self.defs: dict[str, Any] = {}  # fullname -> JSON definition
        self.unknown: list[str] = []  # full names used but not defined

    def problem(self, ptr: str, message: str) -> None:
        self.problems.append((ptr, message))

    def lookup(self, name: str, ns: str) -> Any:
        for candidate in (_fullname(name, ns), name):
            if candidate in self.defs:
                return self.defs[candidate]
            if candidate in self.known:
                return self.known[candidate]
        return None

    def schema(self, node: Any, ptr: str, ns: str) -> None:
        if isinstance(node, str):
            if node not in PRIMITIVES and self.lookup(node, ns) is None:
                self.unknown.append(_fullname(node, ns))
                hint = f' (write {{"type": "{node}", ...}} as the field\'s type)' if node in ("array", "map", *NAMED) else ""
                self.problem(ptr, f"unknown type {node!r}: not a primitive type and not defined earlier in this file{hint}")
        elif isinstance(node, list):
            self.union(node, ptr, ns)
        elif isinstance(node, dict):
            self.complex(node, ptr, ns)
        else:
            self.problem(ptr, f"not an Avro schema: {type(node).__name__} {node!r}")

    def union(self, node: list[Any], ptr: str, ns: str) -> None:
        seen: dict[str, int] = {}
        for i, branch in enumerate(node):
            bptr = join(ptr, i)
            if isinstance(branch, list):
                self.problem(bptr, "a union cannot contain another union")
                continue
            key = self.branch_key(branch, ns)
            if key is not None and key in seen:
                self.problem(bptr, f"union has two branches of type {key!r} (branches {seen[key]} and {i})")
            elif key is not None:
                seen[key] = i
            self.schema(branch, bptr, ns)

    def branch_key(self, node: Any, ns: str) -> str | None:
        """What a union branch is distinguished by: its type, or its full name for named types."""
        if isinstance(node, str):
            return node if node in PRIMITIVES else _fullname(node, ns)
        if isinstance(node, dict):
            t = node.get("type")
            if t in NAMED and isinstance(node.get("name"), str):
                name = node["name"]
                return _fullname(name, node.get("namespace", ns) if "." not in name else "")
            if isinstance(t, str):
                return t if t in PRIMITIVES | {"array", "map"} else _fullname(t, ns)
        return None

    def complex(self, node: dict[str, Any], ptr: str, ns: str) -> None:
        t = node.get("type")
        if t is None:
            self.problem(ptr, 'a schema object needs a "type"')
        elif isinstance(t, (dict, list)):
            self.schema(t, join(ptr, "type"), ns)
        elif not isinstance(t, str):
            self.problem(join(ptr, "type"), f'"type" must be a string, an object or a list, not {t!r}')
        elif t in PRIMITIVES:
            return
        elif t == "array":
            self.need(node, "items", ptr, ns)
        elif t == "map":
            self.need(node, "values", ptr, ns)
        elif t in NAMED:
            self.named(node, t, ptr, ns)
        else:
            self.schema(t, join(ptr, "type"), ns)

    def need(self, node: dict[str, Any], key: str, ptr: str, ns: str) -> None:
        if key not in node:
            self.problem(ptr, f'an {node["type"]} needs "{key}"')
        else:
            self.schema(node[key], join(ptr, key), ns)

    def named(self, node: dict[str, Any], t: str, ptr: str, ns: str) -> None:
        name = node.get("name")
        if not isinstance(name, str) or not name:
            self.problem(ptr, f'a {t} needs a non-empty "name"')
            return
        space = node.get("namespace", ns)
        if "." in name:
            space = name.rsplit(".", 1)[0]
        if space is None:
            space = ""
        if not isinstance(space, str) or (space and not _valid_fullname(space)):
            self.problem(join(ptr, "namespace"), f"invalid namespace {space!r}: each part must match [A-Za-z_][A-Za-z0-9_]*")
            space = ""
        full = _fullname(name, space)
        if not _valid_fullname(name):
            self.problem(join(ptr, "name"), f"invalid name {name!r}: it must match [A-Za-z_][A-Za-z0-9_]* (dots separate a namespace)")
        if full in self.names or full in PRIMITIVES:
            self.problem(join(ptr, "name"), f"{full!r} is defined twice (first at {self.names.get(full) or ('/' if full in self.names else 'a primitive type')})")
        else:
            self.names[full] = ptr
            self.defs[full] = node
        self.aliases(node, ptr, "named type")
        if t in ("record", "error"):
            self.fields(node, ptr, space)
        elif t == "enum":
            self.enum(node, ptr)
        elif not isinstance(node.get("size"), int) or isinstance(node.get("size"), bool) or node["size"] < 0:
            self.problem(ptr, f'a fixed needs a non-negative integer "size", not {node.get("size")!r}')

    def aliases(self, node: dict[str, Any], ptr: str, what: str) -> None:
        aliases = node.get("aliases", [])
        # a leading dot (".InnerEnum") names the null namespace, as Avro reads it
        if not isinstance(aliases, list) or not all(isinstance(a, str) and _valid_fullname(a.removeprefix(".") if what == "named type" else a) for a in aliases):
            self.problem(join(ptr, "aliases"), f"{what} aliases must be a list of valid names, not {aliases!r}")

    def fields(self, node: dict[str, Any], ptr: str, ns: str) -> None:
        fields = node.get("fields")
        if not isinstance(fields, list):
            self.problem(ptr, f'a record needs a "fields" list, not {fields!r}')
            return
        seen: dict[str, int] = {}
        for i, field in enumerate(fields):
            fptr = join(ptr, "fields", i)
            if not isinstance(field, dict):
                self.problem(fptr, f"a field must be an object, not {field!r}")
                continue
            name = field.get("name")
            if not isinstance(name, str) or not NAME_RE.match(name):
                self.problem(join(fptr, "name"), f"invalid field name {name!r}: it must match [A-Za-z_][A-Za-z0-9_]*")
            elif name in seen:
                self.problem(join(fptr, "name"), f"duplicate field name {name!r} (also field {seen[name]})")
            else:
                seen[name] = i
            if "type" not in field:
                self.problem(fptr, f"field {name!r} has no \"type\"")
                continue
            self.schema(field["type"], join(fptr, "type"), ns)
            self.aliases(field, fptr, "field")
            if "order" in field and field["order"] not in ORDERS:
                self.problem(join(fptr, "order"), f"invalid order {field['order']!r} (ascending, descending or ignore)")
            if "default" in field and not self.problems_under(fptr) and not self.valid_default(field["type"], field["default"], ns, 0):
                self.problem(join(fptr, "default"), f"default {field['default']!r} of field {name!r} does not match its type")

    def problems_under(self, ptr: str) -> bool:
        return any(isinstance(p, str) and (p == ptr or p.startswith(ptr + "/")) for p, _ in self.problems)

    def enum(self, node: dict[str, Any], ptr: str) -> None:
        symbols = node.get("symbols")
        if not isinstance(symbols, list):
            self.problem(ptr, f'an enum needs a "symbols" list, not {symbols!r}')
            return
        seen: set[str] = set()
        for i, s in enumerate(symbols):
            if not isinstance(s, str) or not NAME_RE.match(s):
                self.problem(join(ptr, "symbols", i), f"invalid enum symbol {s!r}: it must match [A-Za-z_][A-Za-z0-9_]*")
            elif s in seen:
                self.problem(join(ptr, "symbols", i), f"duplicate enum symbol {s!r}")
            seen.add(s)
        if "default" in node and node["default"] not in seen:
            self.problem(join(ptr, "default"), f"enum default {node['default']!r} is not one of its symbols")

    def valid_default(self, t: Any, value: Any, ns: str, depth: int) -> bool:
        """Whether a JSON default value fits a type (a union: any of its branches, as fastavro accepts)."""
        if depth > 100:
            return True
        if isinstance(t, list):
            return any(self.valid_default(b, value, ns, depth + 1) for b in t)
        if isinstance(t, str) and t not in PRIMITIVES:
            t = self.lookup(t, ns)
            if t is None:
                return True
        if isinstance(t, dict):
            kind = t.get("type")
            if isinstance(kind, (dict, list)):
                return self.valid_default(kind, value, ns, depth + 1)
            if kind in ("record", "error"):
                space = t.get("namespace", ns) or ""
                return isinstance(value, dict) and all(
                    self.valid_default(f.get("type"), value[f["name"]], space, depth + 1) if f.get("name") in value
                    else "default" in f
                    for f in t.get("fields", []) if isinstance(f, dict))
            if kind == "enum":
                return isinstance(value, str) and value in t.get("symbols", [])
            if kind == "fixed":
                return isinstance(value, str)
            if kind == "array":
                return isinstance(value, list) and all(self.valid_default(t.get("items"), v, ns, depth + 1) for v in value)
            if kind == "map":
                return isinstance(value, dict) and all(self.valid_default(t.get("values"), v, ns, depth + 1) for v in value.values())
            t = kind
        if t == "null":
            return value is None
        if t == "boolean":
            return isinstance(value, bool)
        if t in ("int", "long"):
            return isinstance(value, int) and not isinstance(value, bool)
        if t in ("float", "double"):
            return (isinstance(value, (int, float)) and not isinstance(value, bool)) or value in ("NaN", "Infinity", "-Infinity")
        if t in ("bytes", "string"):
            return isinstance(value, str)
        return True


# -- reader/writer compatibility --------------------------------------------------------------
