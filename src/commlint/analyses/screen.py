"""The prefilter's last stage: a Python file that holds a trigger word but cannot hold anything the
Python rules examine, told from CPython's ``ast`` tree alone, without building the analyses' tree
(``artifacts/pybuild.py``) or indexing the module.

Every CL1xx check examines the module's outbound calls and clients (``analyses/http.py``) and the
helpers they are made through (``analyses/forwarding.py``), and the cross-file facts are its calls,
routes, gRPC servicers and servers, broker use and circuit breakers. Each of those starts at a name
the module imports: a library's (``requests.get``, ``httpx.AsyncClient``, ``fastapi.FastAPI``) or a
module of the tree that names one (a factory, a wrapper, a helper that forwards a timeout). So a
module none of whose imported names leads to one has nothing to examine, and its facts are its
functions and what they call, read here from ``ast`` the way ``artifacts/python.py`` reads them from
its tree. ``ansible`` has 67 files holding a trigger word (``urllib.parse``, a variable named
``requests``); 31 of them are told apart here, and the other 36 are built and checked (with the
``ast`` tree made here, not parsed again).

This stands only for the rules whose rule.toml says ``examines = "calls"`` (CL101-CL131). What
cannot be told from names is built and checked: a file holding a trigger of any other rule (events,
sagas, two-phase commit), a suppression comment, a gRPC stub or servicer name, or an
aiohttp ``router.add_<verb>`` call. ``--no-prefilter`` turns this stage off with the others, and the
tests compare both over every example.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path
from typing import Any

from .summaries import import_bindings

# Library qualnames the call model, routes and gRPC facts know, as prefixes: a name related to one of
# them (``requests.Session``, ``urllib`` from ``import urllib.request``) may be an outbound call, a
# client, an app or a server. tests/test_screen.py checks they cover the analyses' own tables.
LIBRARY_PREFIXES = ("requests", "httpx", "aiohttp", "urllib3", "urllib.request", "http.client", "grpc",
                    "grpc_health", "fastapi", "starlette", "flask")
# libraries that count as soon as they are imported (broker clients, circuit breakers)
IMPORTED_ROOTS = frozenset({
    "confluent_kafka", "aiokafka", "kafka", "faust", "faststream", "nats", "pika", "aio_pika", "aiormq", "kombu",
    "boto3", "aiobotocore", "aioboto3", "botocore",
    "pybreaker", "aiobreaker", "purgatory", "circuitbreaker", "pycircuitbreaker", "breakers", "resilient",
    "resilience4py", "hystrix", "pyresilience", "aiomisc_breaker",
})
# a module of the tree holding one of these may be a factory, wrapper or forwarding helper
TREE_WORDS = (b"requests", b"httpx", b"aiohttp", b"urllib", b"http.client", b"HTTPConnection", b"grpc",
              b"kafka", b"faust", b"fastapi", b"flask", b"starlette")
# a module of the tree holding one of these is followed by the messaging model whatever it defines
BROKER_WORDS = (b"kafka", b"faust")
# in the text at all: built and checked (gRPC stubs and servicers are known by name, not by import)
_ALWAYS_CHECKED = (b"commlint:", b"Stub", b"Servicer")
_DOTTED = re.compile(r"[A-Za-z_][\w.]*")


def related(qualname: str) -> bool:
    """Whether a qualified name may be, or lead to, one of the libraries' calls, clients or apps."""
    if "_vendor." in qualname or qualname.startswith("requests.packages"):
        return True  # pip._vendor.requests: the call model reads vendored copies as the library
    return any(qualname == p or qualname.startswith(p + ".") or p.startswith(qualname + ".")
               for p in LIBRARY_PREFIXES)


def screened(rel: str, data: bytes, text: str, plan: Any, others_present: bool) -> tuple[Any, dict[str, Any] | None]:
    """(CPython's ``ast`` tree of the file or None, what stands for its result): for a Python file
    nothing the rules examine can be in, ``{"facts": ..., "deps": ...}`` (its cross-file facts, the
    files read to decide); None when it must be parsed and checked. ``others_present``: a rule that
    examines more than the calls (``examines`` in its rule.toml) runs on it."""
    if others_present or any(w in data for w in _ALWAYS_CHECKED) or (b"router" in data and b"add_" in data):
        return None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, None  # the parser reports it as it always does
    reader = _Reader()
    try:
        reader.visit(tree)
    except RecursionError:
        return tree, None
    if reader.imported_root:
        return tree, None
    deps: set[str] = set()
    if _leads_anywhere(reader, rel, plan.settings, deps):
        return tree, None
    return tree, {"facts": reader.facts(), "deps": deps}


def _leads_anywhere(reader: "_Reader", rel: str, settings: Any, deps: set[str]) -> bool:
    """Whether a name the module uses through its imports is a library's or leads into a module of the
    tree that names one (the project index reads it, as the analyses would)."""
    from .index import index_of, run_path

    index = index_of(settings)
    here = None
    if index is not None:
        here = run_path(settings, rel)
    if reader.stars:  # from x import *: what the star modules bind (``requests``, two stars away)
        if index is None:
            return True  # no tree to look in: assume the worst
        for star in reversed(reader.stars):
            for name, target in index.star_names(here, star, deps).items():  # type: ignore[arg-type]
                reader.imports.setdefault(name, target)
                if target.split(".")[0] in IMPORTED_ROOTS:
                    return True
    names = set()
    for chain in reader.chains:
        head, _, rest = chain.partition(".")
        target = reader.imports.get(head)
        if target is not None:
            names.add(target + ("." + rest if rest else ""))
    if any(related(q) for q in names):
        return True
    if index is None or here is None:
        return bool(names)  # no tree to look in: assume the worst
    for q in sorted(names):
        found = index.module_file(here, q)
        if found is None:
            continue
        path, rest = found
        if index.file_mentions(path, TREE_WORDS, deps):
            if index.file_mentions(path, BROKER_WORDS, deps) or _may_lead(index, here, q, deps):
                return True  # (a module naming a broker library: the messaging model's own test)
            continue
        if rest and not index.defines(path, rest[0]):  # a re-export, perhaps: where it is defined
            d = index.find(here, q, deps)
            if d is not None and index.file_mentions(Path(d.summary.path), TREE_WORDS, deps):
                return True
    return False


class _Reader(ast.NodeVisitor):
    """One walk: imports (as ``artifacts/python.py`` binds them), the dotted names used through them,
    and the scopes and calls the facts are made of (the analyses' scope model: a function's decorators,
    defaults and annotations are inside it)."""

    # ``NodeVisitor.visit`` builds a method name and looks it up for every node, and its
    # ``generic_visit`` goes through a generator per node: the same walk, in the same order,
    # with the method of each node type looked up once (a third of the screen's Python time)
    _methods: dict[type, Any] = {}

    def visit(self, node: ast.AST) -> None:
        t = type(node)
        method = self._methods.get(t)
        if method is None:
            method = self._methods[t] = getattr(type(self), "visit_" + t.__name__, _Reader.generic_visit)
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        visit = self.visit
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        visit(item)
            elif isinstance(value, ast.AST):
                visit(value)

    def __init__(self) -> None:
        self.imports: dict[str, str] = {}
        self.stars: list[str] = []  # from x import *
        self.imported_root = False
        self.chains: list[str] = []
        self.scope: list[tuple[str, str]] = []  # (kind, name) from the outermost
        self.defined: set[str] = set()
        self.functions: dict[str, set[str]] = {}

    # imports
    def visit_Import(self, node: ast.Import) -> None:
        self._bind(node, [alias.name for alias in node.names])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if any(a.name == "*" for a in node.names):
            self.stars.append("." * node.level + (node.module or ""))
        self._bind(node, [node.module or ""] if not node.level else [])

    def _bind(self, node: ast.Import | ast.ImportFrom, absolute: list[str]) -> None:
        if any(m.split(".")[0] in IMPORTED_ROOTS for m in absolute):
            self.imported_root = True
        for local, target in import_bindings(node):
            if "grpc_health" in target:
                self.imported_root = True  # facts.collect: a service importing it serves health checks
            self.imports[local] = target

    # names used
    def visit_Attribute(self, node: ast.Attribute) -> None:
        parts = []
        inner: ast.AST = node
        while isinstance(inner, ast.Attribute):
            parts.append(inner.attr)
            inner = inner.value
        if isinstance(inner, ast.Name):
            parts.append(inner.id)
            self.chains.append(".".join(reversed(parts)))
        else:
            self.visit(inner)

    def visit_Name(self, node: ast.Name) -> None:
        self.chains.append(node.id)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and len(node.value) < 500:  # a string annotation ("httpx.Client")
            self.chains.extend(_DOTTED.findall(node.value))

    # scopes and calls
    def _scoped(self, kind: str, name: str, node: ast.AST) -> None:
        self.scope.append((kind, name))
        if kind == "function":
            self.defined.add(self._qualname())
        self.generic_visit(node)
        self.scope.pop()

    def _qualname(self) -> str:
        return ".".join(name for _, name in self.scope)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scoped("function", node.name, node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scoped("function", "<lambda>", node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped("class", node.name, node)

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        depth = next((i for i in range(len(self.scope), 0, -1) if self.scope[i - 1][0] == "function"), 0)
        if name and depth:
            fn = ".".join(n for _, n in self.scope[:depth])
            self.functions.setdefault(fn, set()).add(name)
        self.generic_visit(node)

    def facts(self) -> dict[str, Any]:
        """What ``analyses/facts.collect`` gives for a module with no calls, routes, servicers or brokers."""
        return {"grpc_health": False, "routes": [], "calls": [], "servicers": [], "grpc_servers": [],
                "functions": {k: sorted(v) for k, v in self.functions.items()}, "defined": sorted(self.defined),
                "circuit_breaker": False}


def _may_lead(index: Any, importer: Path, qualname: str, deps: set[str]) -> bool:
    """Whether what ``qualname`` is defined as in the tree (the index's answer, as the analyses get
    it) can be or make a client, a call or a helper forwarding a timeout: a function that forwards one
    or returns a call's result (a factory), a class with such a method, a client held in an attribute
    or a base that can; a name the index cannot tell (an instance, an alias) is assumed to."""
    return _definition_leads(index, index.find(importer, qualname, deps), deps, 0, set())


def _definition_leads(index: Any, d: Any, deps: set[str], depth: int, seen: set[tuple[str, str]]) -> bool:
    from .index import MAX_DEPTH
    from .summaries import CallInfo

    if d is None or depth > MAX_DEPTH or len(seen) > 200:
        return True  # not known, or too much to read: assume it can
    if (d.summary.path, d.name) in seen:
        return False  # read already, on another path through the bases
    seen.add((d.summary.path, d.name))
    if d.kind in ("const", "field"):
        return d.value is None or d.value.kind in ("name", "other")  # a literal makes nothing

    s = d.summary

    def makes(call: Any) -> bool:  # a library's construction, or a factory of the tree it returns
        head = call.callee.split(".")[0]
        return related(s.resolve(call.callee)) or head in s.imports or head in s.functions or head in s.classes

    def leads(fn: Any) -> bool:
        return bool(fn.forwards) or any(isinstance(r, CallInfo) and makes(r) for r in fn.returns)

    if d.kind == "function":
        return d.function is None or leads(d.function)
    if d.kind == "partial":
        return True  # functools.partial(requests.get, ...): a call through it is the library's
    k = d.klass
    if k is None or k.attrs or any(leads(k.methods[name]) for name in list(k.methods.nodes)):
        return True
    here = Path(d.summary.path)
    for base in k.bases:  # what it inherits
        q = d.summary.resolve(base)
        if related(q):
            return True
        if base.split(".")[0] in d.summary.imports:
            inner = index.find(here, q, deps) if index.module_file(here, q) is not None else False
        elif base.split(".")[0] in d.summary.classes:
            inner = index.local(d.summary, here, base.split("."), deps)
        else:
            continue  # a builtin (Exception, object) or a name of no module here
        if inner is not False and _definition_leads(index, inner, deps, depth + 1, seen):
            return True
    return False
