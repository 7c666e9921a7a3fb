"""Module summaries for the project index (``analyses/index.py``), read with ``ast``: imports,
module-level constants and instances, classes (enum members, settings and dataclass field defaults,
clients held in ``self.<attr>``) and functions (parameters and annotations at once; what the body
returns, calls and forwards on first use). Nothing is imported or run.
"""

from __future__ import annotations

import ast
from ..core.records import field, record
from typing import Any

_REQUEST_NAMES = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "urlopen"})
_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "environ.get", "getenv"})

# -- literal values -----------------------------------------------------------------------------


@record(frozen=True)
class Lit:
    """A value as written: ``kind`` str | num | none | bool | dict | env | name | other."""

    kind: str
    value: Any = None
    complete: bool = True  # for dict: every key is a literal (no ``**`` of an unknown mapping)
    items: tuple[tuple[str, str], ...] = ()  # for dict: its entries whose key and value are both text


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _lit(node: ast.AST | None) -> Lit:
    if node is None:
        return Lit("other")
    if isinstance(node, ast.Constant):
        v = node.value
        if v is None:
            return Lit("none")
        if isinstance(v, bool):
            return Lit("bool", v)
        if isinstance(v, (int, float)):
            return Lit("num", float(v))
        if isinstance(v, str):
            return Lit("str", v)
        return Lit("other")
    if isinstance(node, ast.Dict):
        keys, items = [], []
        complete = True
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                keys.append(k.value.lower())
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    items.append((k.value, v.value))
            else:
                complete = False
        return Lit("dict", tuple(keys), complete, tuple(items))
    if isinstance(node, ast.Call):
        callee = _dotted(node.func) or ""
        if callee in _ENV_GETTERS and node.args:
            default = _lit(node.args[1]) if len(node.args) > 1 else None
            if default is not None and default.kind == "str":
                return Lit("env", default.value)
            var = _lit(node.args[0])
            return Lit("name", var.value) if var.kind == "str" else Lit("other")
        if callee == "dict" and not node.args:
            return Lit("dict", tuple(k.arg.lower() for k in node.keywords if k.arg), all(k.arg for k in node.keywords))
        if callee.rsplit(".", 1)[-1] == "Field":  # pydantic Field("x") / Field(default="x")
            given = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "default"), None)
            if given is not None:
                return _lit(given)
    if isinstance(node, ast.JoinedStr):
        prefix = "".join(v.value for v in node.values[:1] if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return Lit("fstr", prefix, False)
    d = _dotted(node)
    return Lit("name", d) if d is not None else Lit("other")


@record(frozen=True)
class CallInfo:
    """A construction as written: ``callee`` (through the defining module's imports), its arguments."""

    callee: str
    keywords: tuple[tuple[str, Lit], ...]
    positional: tuple[Lit, ...]
    star_kwargs: bool
    line: int

    def kw(self, name: str) -> Lit | None:
        return next((v for k, v in self.keywords if k == name), None)


def _call_info(node: ast.Call) -> CallInfo | None:
    callee = _dotted(node.func)
    if callee is None:
        return None
    return CallInfo(callee, tuple((k.arg, _lit(k.value)) for k in node.keywords if k.arg is not None),
                    tuple(_lit(a) for a in node.args if not isinstance(a, ast.Starred)),
                    any(k.arg is None for k in node.keywords), node.lineno)


@record(frozen=True)
class Forward:
    """A call inside a function that takes its timeout (or every keyword) from the function's caller:
    ``requests.get(url, timeout=timeout)`` or ``session.get(url, **kwargs)``."""

    callee: str
    line: int
    timeout: str | None  # the parameter passed as ``timeout=``
    star: bool  # the function's ``**kwargs`` are passed on
    url: str | None = None  # the parameter passed as the URL (``requests.request(method, url, **kwargs)``)
    headers: bool = False  # the call is given ``headers=`` of its own


class Function:
    """A function's parameters (read at once) and what its body does (read on first use)."""

    def __init__(self, node: ast.FunctionDef | ast.AsyncFunctionDef):
        self.name, self.line, self.node = node.name, node.lineno, node
        self.params: list[str] = []
        self.annotations: dict[str, str] = {}  # parameter -> the class it is annotated with
        self.defaults: dict[str, Lit] = {}  # parameter -> its default
        a = node.args
        for p in (*a.posonlyargs, *a.args, *a.kwonlyargs):
            self.params.append(p.arg)
            if p.annotation is not None and (ann := _annotation(p.annotation)):
                self.annotations[p.arg] = ann
        positional = [*a.posonlyargs, *a.args]
        for p, d in zip(positional[len(positional) - len(a.defaults):], a.defaults):
            self.defaults[p.arg] = _lit(d)
        for p, d in zip(a.kwonlyargs, a.kw_defaults):
            if d is not None:
                self.defaults[p.arg] = _lit(d)
        self.kwargs: str | None = a.kwarg.arg if a.kwarg is not None else None  # the ``**kwargs`` parameter
        self._body: tuple | None = None

    def may_forward(self) -> bool:
        """Whether it can hand a caller's timeout on: a ``**kwargs`` or a parameter named for it."""
        return self.kwargs is not None or any("timeout" in p for p in self.params)

    @property
    def returns(self) -> list[CallInfo | Lit]:
        """Constructions or dict literals it returns."""
        return self._read()[0]

    @property
    def calls(self) -> set[str]:
        """Names of what its body calls (``execute``, ``redis.set``)."""
        return self._read()[1]

    @property
    def names(self) -> set[str]:
        """Identifiers, attribute names and short string constants it mentions."""
        return self._read()[2]

    @property
    def forwards(self) -> list[Forward]:
        """Calls it hands its own timeout parameter (or ``**kwargs``) to."""
        return self._read()[3] if self.may_forward() else []

    def _read(self) -> tuple:
        if self._body is None:
            self._body = _body(self)
        return self._body


class _Lazy(dict):
    """Functions by name, each summarised on first use (most of a module's functions never are)."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, ast.AST] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.nodes

    def __getitem__(self, name: str) -> Function:
        if not dict.__contains__(self, name):
            dict.__setitem__(self, name, _function(self.nodes[name]))  # type: ignore[arg-type]
        return dict.__getitem__(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self.nodes else default


@record
class Klass:
    name: str
    line: int
    bases: list[str] = field(default_factory=list)
    fields: dict[str, Lit] = field(default_factory=dict)  # enum members, settings and dataclass defaults
    declared: list[str] = field(default_factory=list)  # every name its body assigns or annotates (a model's fields)
    record: bool = False  # a @dataclass, @attrs.define, @attr.s record: its annotations are its fields
    methods: _Lazy = field(default_factory=_Lazy)
    _attrs: dict[str, CallInfo] | None = None

    @property
    def attrs(self) -> dict[str, CallInfo]:
        """``self.<attr> = Something(...)`` in any of its methods (the first one assigned)."""
        if self._attrs is None:
            self._attrs = {}
            for node in self.methods.nodes.values():
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.value, ast.Call):
                        t = sub.targets[0]
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self" \
                                and t.attr not in self._attrs and (info := _call_info(sub.value)) is not None:
                            self._attrs[t.attr] = info
        return self._attrs


@record
class Summary:
    path: str  # absolute
    imports: dict[str, str] = field(default_factory=dict)  # as PyModule.imports writes them
    consts: dict[str, Lit] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)  # settings = Settings() -> "Settings"
    functions: _Lazy = field(default_factory=_Lazy)
    classes: dict[str, Klass] = field(default_factory=dict)
    partials: dict[str, CallInfo] = field(default_factory=dict)  # module-level functools.partial(...)
    stars: list[str] = field(default_factory=list)  # from x import *: the modules, as written
    paths: list[str] = field(default_factory=list)  # sys.path.insert(0, "../common"): folders, as written

    def resolve(self, dotted: str) -> str:
        """A dotted name written in this module through its imports (``KafkaConsumer`` -> ``kafka.KafkaConsumer``)."""
        head, _, rest = dotted.partition(".")
        target = self.imports.get(head)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Function:
    return Function(node)


def _body(fn: Function) -> tuple:
    """(returns, calls, names, forwards) of a function, in one walk of its body."""
    node = fn.node
    out_returns: list[CallInfo | Lit] = []
    calls: set[str] = set()
    names: set[str] = set()
    forwards: list[Forward] = []
    local: dict[str, list[ast.AST]] = {}
    returns: list[ast.Return] = []
    for sub in ast.walk(node):  # one walk: this runs on every function of every module the index reads
        if isinstance(sub, ast.Call):
            callee = _dotted(sub.func)
            if callee is None:
                continue
            calls.add(callee)
            if not sub.keywords:
                continue
            given = next((k.value for k in sub.keywords if k.arg == "timeout"), None)
            param = given.id if isinstance(given, ast.Name) and given.id in fn.params else None
            star = fn.kwargs is not None and any(k.arg is None and isinstance(k.value, ast.Name)
                                                 and k.value.id == fn.kwargs for k in sub.keywords)
            last = callee.rsplit(".", 1)[-1]
            if (param or star) and last in _REQUEST_NAMES:
                where = next((k.value for k in sub.keywords if k.arg == "url"), None)
                index = 1 if last == "request" else 0
                if where is None and len(sub.args) > index and not isinstance(sub.args[index], ast.Starred):
                    where = sub.args[index]
                url = where.id if isinstance(where, ast.Name) and where.id in fn.params else None
                forwards.append(Forward(callee, sub.lineno, param, star and given is None, url,
                                        any(k.arg == "headers" for k in sub.keywords)))
        elif isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
        elif isinstance(sub, ast.Assign):
            if len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name):
                local.setdefault(sub.targets[0].id, []).append(sub.value)
        elif isinstance(sub, ast.Return):
            if sub.value is not None:
                returns.append(sub)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) < 80:
            names.add(sub.value)
    for sub in returns:
        value = sub.value
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Name) and len(local.get(value.id, ())) == 1:
            value = local[value.id][0]
        if isinstance(value, ast.Call):
            info = _call_info(value)
            if info is not None:
                out_returns.append(info)
        elif isinstance(value, ast.Dict):
            out_returns.append(_lit(value))
    return out_returns, calls, names, forwards


def _annotation(node: ast.AST) -> str | None:
    """``httpx.AsyncClient``, ``Optional[httpx.AsyncClient]``, ``"aiohttp.ClientSession"`` -> the class named."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(node, ast.Subscript) and (_dotted(node.value) or "").rsplit(".", 1)[-1] in ("Optional", "Annotated"):
        inner = node.slice
        if isinstance(inner, ast.Tuple) and inner.elts:
            inner = inner.elts[0]
        return _annotation(inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | None
        for side in (node.left, node.right):
            if not (isinstance(side, ast.Constant) and side.value is None):
                return _annotation(side)
    return _dotted(node)


def summarize(path: str, text: str) -> Summary | None:
    """The summary of one module's source (None when it does not parse)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    s = Summary(path)
    for node in tree.body:
        _top_level(s, node)
    return s


def import_bindings(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(local name, what it names) for each name an import binds, as ``PyModule.imports`` writes
    them: ``import a.b`` binds ``a``; ``from . import x`` names ``..x`` (one dot per level, then one)."""
    if isinstance(node, ast.Import):
        return [(a.asname, a.name) if a.asname else (a.name.split(".")[0],) * 2 for a in node.names]
    base = "." * node.level + (node.module or "")
    return [(a.asname or a.name, f"{base}.{a.name}" if base else a.name) for a in node.names if a.name != "*"]


def _top_level(s: Summary, node: ast.stmt) -> None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        s.imports.update(import_bindings(node))
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            s.stars.append("." * node.level + (node.module or ""))
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and node.value is not None:
            name = targets[0].id
            lit = _lit(node.value)
            if lit.kind != "other":
                s.consts[name] = lit
            if isinstance(node.value, ast.Call) and (callee := _dotted(node.value.func)) is not None:
                s.instances[name] = callee
                if s.resolve(callee) == "functools.partial" and (info := _call_info(node.value)) is not None:
                    s.partials[name] = info  # get = partial(requests.get, timeout=5)
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
            and _dotted(node.value.func) in ("sys.path.insert", "sys.path.append") and node.value.args:
        folder = node.value.args[-1]  # a script's own imports from a sibling folder
        if isinstance(folder, ast.Constant) and isinstance(folder.value, str) and s.imports.get("sys") == "sys":
            s.paths.append(folder.value)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        s.functions.nodes[node.name] = node
    elif isinstance(node, ast.ClassDef):
        k = Klass(node.name, node.lineno, [d for b in node.bases if (d := _dotted(b)) is not None],
                  record=any(_record_decorator(d) for d in node.decorator_list))
        for item in node.body:
            if isinstance(item, (ast.Assign, ast.AnnAssign)):
                targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                k.declared += [t.id for t in targets if isinstance(t, ast.Name)]
                if len(targets) == 1 and isinstance(targets[0], ast.Name) and item.value is not None:
                    k.fields[targets[0].id] = _lit(item.value)
            elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                k.methods.nodes[item.name] = item
        s.classes[node.name] = k


RECORD_DECORATORS = frozenset({"dataclass", "define", "frozen", "mutable", "attr.s", "attr.attrs", "attrs.attrs",
                               "attr.dataclass"})


def _record_decorator(d: ast.expr) -> bool:
    """``@dataclass``, ``@dataclass(frozen=True)``, ``@attrs.define``, ``@attr.s(auto_attribs=True)``."""
    name = _dotted(d.func if isinstance(d, ast.Call) else d) or ""
    return name in RECORD_DECORATORS or name.rsplit(".", 1)[-1] in ("dataclass", "define", "frozen", "mutable")
