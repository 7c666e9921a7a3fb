"""The project index: what other modules of the checked tree define, read with ``ast`` (cheap), so a
rule judging one module can follow a name it imports into the module that defines it.

Per module (``Summary``, built once per file content and shared by every module that asks):
its imports, module-level names (constants, ``os.environ.get(name, default)`` defaults, instances
such as ``settings = Settings()``), classes (enum members, pydantic ``BaseSettings`` and dataclass
field defaults, clients held in ``self.<attr>`` attributes), and functions with their parameters,
annotations and what they return when it is a construction (``return httpx.AsyncClient(...)``,
``return KafkaConsumer(topic, ...)``) or a dict literal (a headers helper).

``ProjectIndex.find(module, qualname)`` answers what an imported name is defined as, following
re-exports a bounded number of times; every file it reads becomes a dependency of the asking
module (``PyModule.dependencies``), so a cached result is reused only while they are unchanged.
Nothing is read outside the checked tree, and nothing is imported or run.
"""

from __future__ import annotations

import os
import re
import sys
from ..core.records import record
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.hashing import blake2b
from .summaries import CallInfo, Forward, Function, Klass, Lit, Summary, summarize  # noqa: F401 - re-exported

if TYPE_CHECKING:  # only for annotations: the screen reads the index without the analyses (analyses/screen.py)
    from ..artifacts.python import PyModule

_STDLIB = frozenset(sys.stdlib_module_names)
MAX_DEPTH = 4  # re-exports and factories followed before giving up
MAX_MODULE_BYTES = 1024 * 1024
CONTENTS_LIMIT = 64 * 1024 * 1024  # bytes of the tree's modules kept in memory for later reads in a process
_DEFINITION = re.compile(rb"^(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.M)
_SYS_PATH = re.compile(rb"\bsys\s*\.\s*path\s*\.\s*(?:insert|append)\b")  # what Summary.paths is read from

# -- the index of a tree ---------------------------------------------------------------------


@record(frozen=True)
class Definition:
    """What a qualified name is defined as: a function, a class, a class's field or a constant."""

    summary: Summary
    kind: str  # function | class | field | const | instance | partial
    name: str  # "get_consumer", "Topics", "Topics.ORDER_CREATED"
    function: Function | None = None
    klass: Klass | None = None
    value: Lit | None = None
    call: CallInfo | None = None  # for a partial: the functools.partial(...) call as written


@record(frozen=True)
class Built:
    """A construction a factory returns: ``qualname`` of what it builds, the call as written, where."""

    qualname: str
    call: CallInfo
    summary: Summary
    function: Function

    @property
    def where(self) -> str:
        return f"{os.path.basename(self.summary.path)}:{self.call.line}"


_SUMMARIES: dict[str, Summary | None] = {}  # content digest and path -> summary, kept from run to run
_INDEXES: dict[str, "ProjectIndex"] = {}


class ProjectIndex:
    """The modules of one checked tree (``root``), read on demand and remembered per content."""

    def __init__(self, root: Path):
        self.root = root
        self._files: dict[str, tuple[str, Summary | None]] = {}  # absolute path -> (digest, summary)
        self._packages: dict[str, list[Path]] | None = None
        self._resolved: dict[tuple[str, str], tuple[Path, list[str]] | None] = {}
        self._sys_paths: dict[str, list[str]] = {}  # importer -> the folders it puts on sys.path itself
        self._unders: dict[tuple[str, str], tuple[Path, list[str]] | None] = {}
        self._listings: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._mentions: dict[tuple[str, tuple[bytes, ...]], bool] = {}
        self._defines: dict[str, set[str]] = {}
        self._contents: dict[str, tuple[tuple[int, int], bytes | None]] = {}
        self._contents_size = 0

    # -- files -----------------------------------------------------------------
    def summary_of(self, path: Path, deps: set[str] | None = None) -> Summary | None:
        from ..core import safeio

        key = str(path)
        if deps is not None:
            deps.add(key)
        try:
            st = os.stat(path)
            stamp = f"{st.st_size}:{st.st_mtime_ns}"  # a long-lived process (the API) sees edits
        except OSError:
            return None
        if key not in self._files or self._files[key][0] != stamp:
            try:
                data = safeio.read_file(path, MAX_MODULE_BYTES, self.root)
            except (OSError, safeio.TooLarge):
                self._files[key] = (stamp, None)
                return None
            # by content and path: a summary names its file (``Summary.path``), which the readers
            # compare; shared by content alone, a second tree's copy would name the first's file
            digest = blake2b(data, digest_size=16).hexdigest() + ":" + key
            if digest not in _SUMMARIES:
                if len(_SUMMARIES) > 20000:
                    _SUMMARIES.clear()
                _SUMMARIES[digest] = summarize(key, data.decode("utf-8", "replace").lstrip("\ufeff"))
            self._files[key] = (stamp, _SUMMARIES[digest])
        return self._files[key][1]

    def _package_dirs(self, name: str) -> list[Path]:
        """Folders named ``name`` anywhere in the tree (a package under ``src/`` or a sibling project)."""
        if self._packages is None:
            from .packages import package_dirs

            self._packages = package_dirs(self.root)
        return self._packages.get(name, [])

    def module_file(self, importer: Path, dotted: str) -> tuple[Path, list[str]] | None:
        """The file defining the longest importable prefix of ``dotted`` (relative with leading dots), and the rest."""
        key = (str(importer.parent), dotted)
        if key not in self._resolved:
            if len(self._resolved) > 100000:
                self._resolved.clear()
            self._resolved[key] = self._module_file(importer, dotted)
        found = self._resolved[key]
        if found is None and not dotted.startswith("."):  # a folder the importer puts on sys.path itself
            for base in self._extra_paths(importer):
                if (found := self._under(base, [p for p in dotted.split(".") if p], str(self.root))) is not None:
                    break
        return found

    def _extra_paths(self, importer: Path) -> list[str]:
        """``sys.path.insert(0, "../common")`` in the importer: those folders, from its own (read once)."""
        key = str(importer)
        if key not in self._sys_paths:
            # a summary only for a module that writes sys.path.insert: most importers are not read
            s = self.summary_of(importer) if _SYS_PATH.search(self.contents(importer) or b"") else None
            self._sys_paths[key] = [os.path.normpath(os.path.join(os.path.dirname(key), folder))
                                    for folder in (s.paths if s is not None else ())]
        return self._sys_paths[key]

    def _module_file(self, importer: Path, dotted: str) -> tuple[Path, list[str]] | None:
        dots = len(dotted) - len(dotted.lstrip("."))
        parts = [p for p in dotted[dots:].split(".") if p]
        if not parts or (not dots and parts[0] in _STDLIB):
            return None  # os.path.join, json.dumps: not a module of the tree
        root = str(self.root)
        if dots:
            level = dots - 1 if len(parts) == 1 else dots
            base = os.path.dirname(str(importer))
            for _ in range(max(level - 1, 0)):
                base = os.path.dirname(base)
            found = self._under(base, parts, root)
            return found
        base = os.path.dirname(str(importer))
        for _ in range(32):  # the importing file's folder and each one above it, up to the root
            found = self._under(base, parts, root)
            if found is not None:
                return found
            if base == root or len(base) <= len(root):
                break
            base = os.path.dirname(base)
        for pkg in self._package_dirs(parts[0]):  # a package under src/ or a sibling project
            found = self._under(str(pkg.parent), parts, root)
            if found is not None:
                return found
        return None

    def _under(self, base: str, parts: list[str], root: str) -> tuple[Path, list[str]] | None:
        key = (base, ".".join(parts))  # importers in one folder tree share their ancestors' answers
        if key not in self._unders:
            self._unders[key] = self._find_under(base, parts, root)
        return self._unders[key]

    def _find_under(self, base: str, parts: list[str], root: str) -> tuple[Path, list[str]] | None:
        if base != root and not base.startswith(root + os.sep):
            return None
        for n in range(len(parts), 0, -1):
            folder = os.path.join(base, *parts[: n - 1])
            files, dirs = self._listing(folder)
            if parts[n - 1] + ".py" in files:
                return Path(os.path.join(folder, parts[n - 1] + ".py")), parts[n:]
            if parts[n - 1] in dirs and "__init__.py" in self._listing(os.path.join(folder, parts[n - 1]))[0]:
                return Path(os.path.join(folder, parts[n - 1], "__init__.py")), parts[n:]
        return None

    def _listing(self, folder: str) -> tuple[frozenset[str], frozenset[str]]:
        """The names of the files and of the folders in ``folder`` (symbolic links followed, as
        ``os.path.isfile`` does): one ``scandir`` per folder and run, where asking for each
        candidate module's file was 20,000 ``stat`` calls on ansible."""
        kept = self._listings.get(folder)
        if kept is None:
            files, dirs = set(), set()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        try:
                            if entry.is_file():
                                files.add(entry.name)
                            elif entry.is_dir():
                                dirs.add(entry.name)
                        except OSError:
                            pass
            except (OSError, ValueError):
                pass
            if len(self._listings) > 100000:
                self._listings.clear()
            kept = self._listings[folder] = (frozenset(files), frozenset(dirs))
        return kept

    def mentions(self, importer: Path, qualname: str, needles: tuple[bytes, ...], deps: set[str] | None = None) -> bool:
        """Whether the module ``qualname`` is defined in contains any of ``needles`` (read, not parsed:
        a cheap test before a summary is built for one question); the file read becomes one of ``deps``."""
        found = self.module_file(importer, qualname)
        return found is not None and self.file_mentions(found[0], needles, deps)

    def contents(self, path: Path) -> bytes | None:
        """A module's bytes, read once per process while its size and time are unchanged (every
        search of the tree reads the same files); kept up to CONTENTS_LIMIT bytes in all."""
        from ..core import safeio

        key = str(path)
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp = (st.st_size, st.st_mtime_ns)  # a long-lived process (the API) sees edits
        kept = self._contents.get(key)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        try:
            data: bytes | None = safeio.read_file(path, MAX_MODULE_BYTES, self.root)
        except (OSError, safeio.TooLarge):
            data = None
        if self._contents_size + len(data or b"") <= CONTENTS_LIMIT:
            self._contents[key] = (stamp, data)
            self._contents_size += len(data or b"")
        return data

    def file_mentions(self, path: Path, needles: tuple[bytes, ...], deps: set[str] | None = None) -> bool:
        """Whether a module of the tree contains any of ``needles`` (remembered per file and needles)."""
        if deps is not None:
            deps.add(str(path))
        key = (str(path), needles)
        if key not in self._mentions:
            data = self.contents(path) or b""
            self._mentions[key] = any(n in data for n in needles)
        return self._mentions[key]

    def star_names(self, importer: Path, dotted: str, deps: set[str] | None = None, _depth: int = 0) -> dict[str, str]:
        """What ``from <dotted> import *`` in ``importer`` binds, as ``PyModule.imports`` writes it:
        the module's top-level definitions (``TOPIC`` -> ``utilities.constant.TOPIC``) and what it
        imports absolutely, its own star imports followed (``import requests`` two stars away)."""
        found = self.module_file(importer, dotted)
        if found is None or found[1] or _depth > MAX_DEPTH:
            return {}
        path = found[0]
        summary = self.summary_of(path, deps)
        if summary is None:
            return {}
        out: dict[str, str] = {}
        for star in summary.stars:
            out.update(self.star_names(path, star, deps, _depth + 1))
        out.update({name: target for name, target in summary.imports.items() if not target.startswith(".")})
        if not dotted.startswith("."):
            defined = [*summary.consts, *summary.instances, *summary.functions.nodes, *summary.classes]
            out.update({name: f"{dotted}.{name}" for name in defined if not name.startswith("_")})
        return out

    def defines(self, path: Path, name: str) -> bool:
        """Whether a module defines ``name`` with a top-level ``def`` or ``class`` statement (read,
        not parsed): then it is no re-export of another module's."""
        key = str(path)
        if key not in self._defines:
            self._defines[key] = {m.decode("utf-8", "replace") for m in _DEFINITION.findall(self.contents(path) or b"")}
        return name in self._defines[key]

    # -- names ---------------------------------------------------------------------
    def find(self, importer: Path, qualname: str, deps: set[str] | None = None, _depth: int = 0) -> Definition | None:
        """What ``qualname`` (as the importing module's imports write it) is defined as in the tree."""
        if _depth > MAX_DEPTH:
            return None
        found = self.module_file(importer, qualname)
        if found is None:
            return None
        path, rest = found
        s = self.summary_of(path, deps)
        if s is None or not rest:
            return None
        return self.local(s, path, rest, deps, _depth)

    def local(self, s: Summary, path: Path, rest: list[str], deps: set[str] | None, _depth: int = 0) -> Definition | None:
        """``rest`` (a name and attributes) looked up in a module's summary, through its own imports."""
        head = rest[0]
        if head in s.functions and len(rest) == 1:
            return Definition(s, "function", head, function=s.functions[head])
        if head in s.classes:
            k = s.classes[head]
            if len(rest) == 1:
                return Definition(s, "class", head, klass=k)
            if len(rest) == 2 and rest[1] in k.methods:
                return Definition(s, "function", ".".join(rest), function=k.methods[rest[1]], klass=k)
            if len(rest) == 2 and rest[1] in k.fields:
                return Definition(s, "field", ".".join(rest), klass=k, value=k.fields[rest[1]])
            return None
        if head in s.instances and len(rest) == 2:  # settings.order_topic, settings = Settings()
            cls = self.local(s, path, s.instances[head].split("."), deps, _depth + 1) \
                if s.instances[head].split(".")[0] not in s.imports else \
                self.find(path, s.resolve(s.instances[head]), deps, _depth + 1)
            if cls is not None and cls.kind == "class" and cls.klass is not None and rest[1] in cls.klass.fields:
                return Definition(cls.summary, "field", f"{cls.name}.{rest[1]}", klass=cls.klass,
                                  value=cls.klass.fields[rest[1]])
            return None
        if head in s.partials and len(rest) == 1:
            return Definition(s, "partial", head, call=s.partials[head])
        if head in s.consts and len(rest) == 1:
            return Definition(s, "const", head, value=s.consts[head])
        if head in s.imports:  # a re-export: from .consumer import get_consumer
            target = s.imports[head]
            return self.find(path, ".".join([target, *rest[1:]]), deps, _depth + 1)
        return None

    def returned(self, d: Definition, deps: set[str] | None, _depth: int = 0) -> list[Built]:
        """The constructions a function returns, as (qualified callee, call, defining summary), through
        other factories it returns the result of (bounded)."""
        if d.function is None or _depth > MAX_DEPTH:
            return []
        out = []
        for r in d.function.returns:
            if not isinstance(r, CallInfo):
                continue
            q = d.summary.resolve(r.callee)
            out.append(Built(q, r, d.summary, d.function))
            head = r.callee.split(".")[0]
            inner = None
            if head in d.summary.functions and "." not in r.callee:
                inner = Definition(d.summary, "function", head, function=d.summary.functions[head])
            elif head in d.summary.imports:
                inner = self.find(Path(d.summary.path), q, deps, _depth + 1)
            if inner is not None and inner.kind == "function":
                out.extend(self.returned(inner, deps, _depth + 1))
        return out


def reset() -> None:
    """Forget the trees' listings (a new run starts: files may have come or gone since the last one);
    summaries stay, keyed by content."""
    _INDEXES.clear()


def project_index(module: PyModule) -> ProjectIndex | None:
    """The index of the tree a module belongs to (None without a run's settings)."""
    return index_of(getattr(module, "settings", None))


def index_of(settings: object) -> ProjectIndex | None:
    """The index of a run's tree (``settings.tree``, else ``settings.root``), one per tree and run."""
    root = getattr(settings, "tree", None) or getattr(settings, "root", None)
    if root is None:
        return None
    key = str(root)
    if key not in _INDEXES:
        _INDEXES[key] = ProjectIndex(Path(root).resolve())
    return _INDEXES[key]


def expand_star_imports(module: PyModule) -> None:
    """Bind the names a module uses from its ``from x import *`` imports (``requests``, brought in
    by a module it star-imports) as its own imports are bound: every analysis then reads them
    as if they were written out. Names the module binds itself are left alone."""
    if not module.star_imports:
        return
    index, here = project_index(module), module_file(module)
    if index is None or here is None:
        return
    from ..artifacts import pynodes as cst

    own = set(module.module_scope.bindings) | set(module.classes)
    used = {n.value for n in cst.iter_nodes(module.tree) if isinstance(n, cst.Name)} - own - set(module.imports)
    for star in reversed(module.star_imports):  # the last import of a name wins, as Python binds it
        for name, target in index.star_names(here, star, module.index_deps).items():
            if name in used:
                module.imports.setdefault(name, target)


def run_path(settings: object, rel: str) -> Path:
    """A file of the run on disk: discovery names it relative to the run's root (``settings.root``),
    which is not always the tree the index reads (``settings.tree``)."""
    p = Path(rel)
    return (p if p.is_absolute() else Path(getattr(settings, "root", None) or ".") / p).resolve()


def module_file(module: PyModule) -> Path | None:
    """The module's own file on disk (resolved once per module)."""

    def build(m: PyModule) -> Path | None:
        index = project_index(m)
        if index is None:
            return None
        found = run_path(m.settings, m.path)
        return found if found == index.root or index.root in found.parents else None

    return module.analysis("index.file", build)


def instance_of(module: PyModule, qualname: str | None, needles: tuple[bytes, ...] = ()) -> str | None:
    """What a module-level instance of another module of the tree is built by (``producer =
    AIOKafkaProducer(...)`` there, ``from ..kafka import producer`` here): the callee, qualified."""
    index = project_index(module)
    here = module_file(module)
    if not qualname or index is None or here is None:
        return None
    if needles and not index.mentions(here, qualname, needles, module.index_deps):
        return None
    found = index.module_file(here, qualname)
    s = index.summary_of(found[0], module.index_deps) if found is not None and len(found[1]) == 1 else None
    callee = s.instances.get(found[1][0]) if s is not None and found is not None else None
    return s.resolve(callee) if s is not None and callee is not None else None


def find(module: PyModule, qualname: str | None, needles: tuple[bytes, ...] = ()) -> Definition | None:
    """What an imported name of ``module`` is defined as in another module of the tree (or None).
    With ``needles``, only a module containing one of them is summarised (the question needs one)."""
    if not qualname:
        return None
    index = project_index(module)
    here = module_file(module)
    if index is None or here is None:
        return None
    if needles and not index.mentions(here, qualname, needles, module.index_deps):
        return None
    memo = module.analysis("index.memo", lambda m: {})
    if qualname not in memo:
        memo[qualname] = index.find(here, qualname, module.index_deps)
    return memo[qualname]


def constructions(module: PyModule, qualname: str | None, needles: tuple[bytes, ...] = ()) -> list[Built]:
    """What a function imported by ``module`` returns when it builds something (a client factory)."""
    d = find(module, qualname, needles)
    if d is None:
        return []
    index = project_index(module)
    if d.kind == "class" and d.klass is not None:
        return []
    return index.returned(d, module.index_deps) if index is not None else []
