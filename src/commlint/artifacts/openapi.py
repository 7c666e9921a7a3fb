"""OpenAPI documents (Swagger 2.0, OpenAPI 3.0, 3.1; YAML or JSON), recognised by content.

A file is an OpenAPI document when its top level has an ``openapi`` (or
``swagger``) key. The other files of a multi-file spec are fragments: they are
read only through a ``$ref`` and are not documents themselves.

``Refs`` reads every file a document reaches through relative ``$ref``s, once,
with positions. It never reads outside the checked tree and never touches the
network: a remote ``$ref``, one leaving the tree, a missing file or a pointer
to nothing becomes a problem for CL300 to report. ``Refs.deref`` follows
reference chains (cycles stop), ``Refs.follow`` walks a pointer *through*
``$ref``s to the node it names, and ``OpenAPIDoc.where`` turns that into the
line a user should look at (with the fragment file as a related location).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..core.model import Location
from . import Artifact, ParseError, Suppression, comment_suppressions
from .yamljson import IGNORE_KEY, Document, join, load_json, load_yaml, split

KIND = "openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_FILES = 20_000  # files one spec may reach through $ref

_YAML_KEY = re.compile(r"^['\"]?(?:openapi|swagger)['\"]?[ \t]*:", re.MULTILINE)
_JSON_KEY = re.compile(r"\"(?:openapi|swagger)\"\s*:")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_MISSING = object()

Reader = Callable[[Path], "str | None"]


_JSON_FIRST = re.compile(r"\A[\ufeff\s]*\{\s*\"(?:openapi|swagger)\"\s*:")
_JSON_TOKEN = re.compile(r"\"(?:[^\"\\]|\\.)*\"\s*:?|[{}\[\]]")


def sniff(path: str, text: str) -> bool:
    """A top-level ``openapi:``/``swagger:`` key, in YAML or in JSON."""
    if "openapi" not in text and "swagger" not in text:
        return False  # the words every pattern below needs: a substring test, far cheaper than a search
    if path.lower().endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{"):
        return _JSON_FIRST.match(text) is not None or (_JSON_KEY.search(text) is not None and _json_top_key(text))
    return _YAML_KEY.search(text) is not None


def _json_top_key(text: str) -> bool:
    """Whether the top-level JSON object has an openapi/swagger key (a scan of strings and brackets)."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok in ("{", "["):
            depth += 1
        elif tok in ("}", "]"):
            depth -= 1
        elif depth == 1 and tok.endswith(":") and tok.rstrip(": \t\r\n") in ('"openapi"', '"swagger"'):
            return True
    return False


def load_document(path: str, text: str) -> Document | None:
    """The first document of the text with a top-level ``openapi``/``swagger`` key, if any."""
    docs = [load_json(text)] if path.lower().endswith(".json") else load_yaml(text)
    return next((d for d in docs if is_spec(d.data)), None)


def is_spec(data: Any) -> bool:
    return isinstance(data, dict) and ("openapi" in data or "swagger" in data)


def _load_any(path: str, text: str) -> Document:
    if path.lower().endswith(".json"):
        return load_json(text)
    docs = load_yaml(text)
    return docs[0] if docs else Document(None, text, "yaml")


def _refs_in(data: Any) -> Iterator[tuple[str, str]]:
    """(pointer of the object, its $ref) for every reference object in a document."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, ptr = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield ptr, ref
            stack.extend((v, join(ptr, k)) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, join(ptr, i)) for i, v in enumerate(node) if isinstance(v, (dict, list)))


class NotChecked(OSError):
    """A file a ``$ref`` names that is not part of what is checked (git-ignored, excluded)."""


# Parsed fragments, per process and run: a fragment shared by a hundred specs is read and
# parsed once (keyed by path, size and modification time, so an edit is seen).
_PARSED: dict[tuple[str, int, int], "Document"] = {}
MAX_PARSED = 2048


def file_reader(limit: int, settings: Any = None) -> Reader:
    """Reads a ``$ref``'d file through safeio (regular, in the tree, at most ``limit`` bytes);
    a git-ignored or excluded file is refused (``settings``: the run's)."""
    from ..core import safeio

    def read(path: Path) -> str | None:
        if not safeio.is_regular(path):
            if path.exists() or path.is_symlink():
                raise OSError(22, "not a regular file")
            return None
        if settings is not None:
            from .discovery import ignored

            why = ignored(path, settings)
            if why is not None:
                raise NotChecked(13, f"{why}: not part of what is checked, not read")
        try:
            return safeio.read_file(path, limit).decode("utf-8-sig")
        except safeio.TooLarge:
            return None

    return read


class Refs:
    """The files one document reaches through relative ``$ref``s (keys: resolved paths)."""

    def __init__(self, root: Path, doc: Document, bound: Path, read: Reader):
        self._resolved: dict[tuple[Path, str], Path] = {}
        self.root = root
        self.bound = bound
        self.read = read
        self.files: dict[Path, Document | None] = {root: doc}
        self.failed: dict[Path, str] = {}
        self.via: dict[Path, tuple[Path, str]] = {}  # file -> (file, pointer) of the $ref that first reached it
        self.problems: list[tuple[Path, str, str]] = []  # (file, pointer of the $ref, message)
        self._crawl()

    def target(self, ref: str, base: Path) -> tuple[Path, str] | str:
        """The (file, pointer) a ``$ref`` written in ``base`` names, or why it is not followed."""
        if _SCHEME.match(ref):
            if ref.lower().startswith(("http:", "https:")):
                return f"$ref {ref!r} is remote: commlint never fetches it"
            return f"$ref {ref!r} is an absolute URI: commlint follows only relative references in the tree"
        where, _, frag = ref.partition("#")
        if not where:
            return base, unquote(frag)
        key = (base.parent, where)
        file = self._resolved.get(key)
        if file is None:
            try:
                file = (base.parent / unquote(where)).resolve()
            except (OSError, ValueError, RuntimeError) as exc:
                return f"$ref {ref!r} cannot be followed: {exc}"
            self._resolved[key] = file  # thousands of $refs name a few hundred files: resolve each once
        if file != self.bound and self.bound not in file.parents:
            return f"$ref {ref!r} points outside the checked tree: not read"
        return file, unquote(frag)

    def _load(self, file: Path) -> Document | None:
        if len(self.files) >= MAX_FILES:
            self.failed[file] = f"more than {MAX_FILES} files reached: not read"
            return None
        try:
            text = self.read(file)
        except (OSError, UnicodeDecodeError) as exc:
            self.failed[file] = f"cannot read it ({getattr(exc, 'strerror', None) or exc})"
            return None
        if text is None:
            self.failed[file] = "no such file"
            return None
        try:
            st = file.stat()
            key = (str(file), st.st_size, st.st_mtime_ns)
        except OSError:
            key = None
        if key is not None and key in _PARSED and _PARSED[key].text == text:
            return _PARSED[key]
        try:
            doc = _load_any(file.name, text)
            if key is not None:
                if len(_PARSED) >= MAX_PARSED:
                    _PARSED.clear()
                _PARSED[key] = doc
            return doc
        except ParseError as exc:
            self.failed[file] = f"it does not parse (line {exc.line}: {exc.message})"
            return None

    def _crawl(self) -> None:
        queue = [self.root]
        while queue:
            base = queue.pop()
            doc = self.files[base]
            assert doc is not None
            for ptr, ref in _refs_in(doc.data):
                found = self.target(ref, base)
                if isinstance(found, str):
                    self.problems.append((base, ptr, found))
                    continue
                file, frag = found
                if file not in self.files:
                    self.files[file] = self._load(file)
                    self.via[file] = (base, ptr)
                    if self.files[file] is not None:
                        queue.append(file)
                tdoc = self.files[file]
                if tdoc is None:
                    self.problems.append((base, ptr, f"$ref {ref!r} cannot be resolved: {self.failed[file]}"))
                elif (not frag or frag.startswith("/")) and tdoc.get(frag, _MISSING) is _MISSING:
                    self.problems.append((base, ptr, f"$ref {ref!r} points to nothing"))

    def node(self, file: Path, ptr: str) -> Any:
        doc = self.files.get(file)
        return _MISSING if doc is None or not (not ptr or ptr.startswith("/")) else doc.get(ptr, _MISSING)

    def deref(self, node: Any, file: Path, ptr: str = "", limit: int = 64) -> tuple[Any, Path, str]:
        """What a (chain of) reference object(s) stands for: (node, its file, its pointer there).

        The node is None when a reference is broken or the chain is a cycle.
        """
        for _ in range(limit):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node, file, ptr
            found = self.target(node["$ref"], file)
            if isinstance(found, str):
                return None, file, ptr
            file, ptr = found
            node = self.node(file, ptr)
            if node is _MISSING:
                return None, file, ptr
        return None, file, ptr

    def expansion(self, cap: int = 1_000_000) -> tuple[int, int]:
        """How large the document becomes when every ``$ref`` is replaced by what it names
        (nodes, at most ``cap``), and the longest chain of references met on the way: what a
        validator that follows references walks. Linear: each referenced node is measured once."""
        sizes: dict[tuple[Path, str], int] = {}
        depth: dict[tuple[Path, str], int] = {}
        active: set[tuple[Path, str]] = set()
        targets: dict[tuple[str, Path], tuple[Path, str] | str] = {}

        def measure(node: Any, file: Path, ptr: str) -> tuple[int, int]:
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                where = (node["$ref"], file)
                found = targets[where] if where in targets else targets.setdefault(where, self.target(*where))
                if isinstance(found, str):
                    return 1, 0
                key = found
                if key in sizes:
                    return sizes[key], depth[key] + 1
                if key in active:  # a cycle: a validator stops there (or reports it)
                    return 1, 1
                target = self.node(*key)
                if target is _MISSING:
                    return 1, 1
                active.add(key)
                size, chain = measure(target, key[0], key[1])
                active.discard(key)
                sizes[key], depth[key] = size, chain
                return size, chain + 1
            total, longest = 1, 0
            children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            for k, child in children:
                if isinstance(child, (dict, list)):
                    size, chain = measure(child, file, f"{ptr}/{k}")
                    total = min(cap, total + size)
                    longest = max(longest, chain)
            return total, longest

        import sys

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20_000))
        try:
            return measure(self.node(self.root, ""), self.root, "")
        except RecursionError:
            return cap, cap
        finally:
            sys.setrecursionlimit(limit)

    def follow(self, ptr: str, through: bool = False) -> tuple[Path, str, str]:
        """Where the node a pointer names through ``$ref``s is: (file, pointer there, last pointer
        in the root file). ``through``: if that node is a reference, where it points."""
        file, phys, in_root = self.root, "", ""
        node = self.node(file, "")
        for part in [*split(ptr), None] if through else split(ptr):
            if part is None:  # the end: step through a reference
                target, tfile, tptr = self.deref(node, file, phys)
                if target is not None:
                    file, phys = tfile, tptr
                    in_root = phys if file == self.root else in_root
                break
            if isinstance(node, dict) and part not in node and isinstance(node.get("$ref"), str):
                target, tfile, tptr = self.deref(node, file, phys)
                if target is None:
                    break
                node, file, phys = target, tfile, tptr
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                break
            phys = join(phys, part)
            if file == self.root:
                in_root = phys
        return file, phys, in_root

    def entry(self, file: Path) -> str:
        """The pointer, in the root file, of the $ref through which ``file`` was first reached."""
        seen = set()
        ptr = ""
        while file != self.root and file in self.via and file not in seen:
            seen.add(file)
            file, ptr = self.via[file]
        return ptr


class OpenAPIDoc(Artifact):
    kind = KIND

    def __init__(self, path: str, text: str, doc: Document | None, file: Path, bound: Path, limit: int,
                 settings: Any = None):
        super().__init__(path, text)
        self.settings = settings
        self.doc = doc
        self.data: dict[str, Any] = doc.data if doc is not None else {}
        self.file = file
        self.bound = bound
        self.limit = limit
        self._refs: Refs | None = None
        self.deps: set[Path] = set()  # other files read for this document's findings (a base version)

    @property
    def is_document(self) -> bool:
        return self.doc is not None

    @property
    def version(self) -> str:
        return str(self.data.get("openapi", self.data.get("swagger", "")))

    @property
    def swagger(self) -> bool:
        return "openapi" not in self.data

    @property
    def refs(self) -> Refs:
        if self._refs is None:
            assert self.doc is not None
            self._refs = Refs(self.file, self.doc, self.bound, file_reader(self.limit, self.settings))
        return self._refs

    def dependencies(self) -> list[str]:
        files = set(self._refs.files) if self._refs is not None else set()
        return sorted(str(p) for p in files | self.deps if p != self.file)

    def rel(self, file: Path) -> str:
        from .discovery import relpath

        return relpath(file, self.bound)

    # -- locations -------------------------------------------------------------------------
    def place(self, file: Path, ptr: str, in_root: str | None = None) -> tuple[Location, tuple[Location, ...]]:
        """The Location of a node in ``file`` and, for a fragment file, the node itself as a related location."""
        assert self.doc is not None
        if file == self.file:
            return Location(self.path, *self.doc.position(ptr), pointer=ptr), ()
        anchor = self.refs.entry(file) if in_root is None else in_root
        other = self.refs.files.get(file)
        line, col = other.position(ptr) if other is not None else (1, 1)
        return (Location(self.path, *self.doc.position(anchor), pointer=anchor),
                (Location(self.rel(file), line, col, pointer=ptr),))

    def where(self, ptr: str, through: bool = False) -> tuple[Location, tuple[Location, ...]]:
        """Location (and related locations) of the node a pointer names, following ``$ref``s
        (``through``: also the one the node itself is)."""
        if self.doc is None:
            return Location(self.path), ()
        if ptr in self.doc.positions() and not (through and isinstance(self.doc.get(ptr), dict)
                                                 and "$ref" in self.doc.get(ptr)):
            return self.place(self.file, ptr)
        return self.place(*self.refs.follow(ptr, through))

    def locate(self, where: Any) -> Location:
        if isinstance(where, str):
            return self.where(where)[0]
        return super().locate(where)

    # -- suppressions ----------------------------------------------------------------------
    def suppressions(self) -> list[Suppression]:
        out = comment_suppressions(self.text) if self.doc is not None and self.doc.fmt == "yaml" else []
        if self.doc is None:
            return out
        known = _known_rule()
        for sup in self.doc.suppressions():
            codes = tuple(c for c in sup.codes if known(c))
            if codes:
                sup.codes = codes
                out.append(sup)
        return out

    def config_problems(self) -> list[tuple[Location, str]]:
        if self.doc is None:
            return []
        known = _known_rule()
        out = []
        for ptr, value, line in self.doc.ignores:
            loc = Location(self.path, line, self.doc.position(join(ptr, IGNORE_KEY))[1], pointer=join(ptr, IGNORE_KEY))
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                out.append((loc, f"{IGNORE_KEY} must be a list of rule codes or names, not {type(value).__name__} {value!r}"))
                continue
            for v in values:
                if not known(v):
                    out.append((loc, f"{IGNORE_KEY} names an unknown rule {v!r}"))
        return out


def _known_rule() -> Callable[[str], bool]:
    from ..core.catalogue import load

    cat = load()
    return lambda key: cat.get(key) is not None


def spec_root(path: str, settings: Any) -> tuple[Path, Path]:
    """The file on disk and the tree its $refs may read (the run's root, or the file's folder outside it)."""
    root = Path(settings.root).resolve()
    p = Path(path)
    file = (p if p.is_absolute() else root / p).resolve()
    if not file.exists() and not p.is_absolute():
        file = p.resolve()
    bound = root if root in file.parents else file.parent
    return file, bound


def parse(path: str, text: str, settings: Any) -> OpenAPIDoc:
    doc = load_document(path, text)
    file, bound = spec_root(path, settings)
    return OpenAPIDoc(path, text, doc, file, bound, settings.max_file_size, settings)


def load_spec(file: Path, text: str, bound: Path, read: Reader, name: str | None = None) -> OpenAPIDoc | None:
    """Another version of a document (a base to compare with), its $refs read through ``read``."""
    doc = load_document(file.name, text)
    if doc is None:
        return None
    art = OpenAPIDoc(name or file.name, text, doc, file, bound, 0)
    art._refs = Refs(file, doc, bound, read)
    return art
