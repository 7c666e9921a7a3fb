"""Who calls a helper of the tree, and with which headers: ``async def get(self, path, headers=None):
... client.get(url, headers=headers)`` sends whatever its callers pass, so CL111/CL112 read the
mapping at each call site, in whichever module it is (``headers = self.auth_headers(token)``;
``await self.client.get("/users", headers=headers)`` with ``self.client = HTTPClient()``).

The call sites are found by name (a file that does not contain the helper's name cannot call it),
then confirmed by resolving what is called: an import of the helper's module, an instance of its
class held in ``self.<attr>`` or a local. Read with ``ast``; every file scanned becomes a dependency
of the asking module, so a new call site anywhere invalidates its cached result.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from ..core.records import record
from pathlib import Path

from ..artifacts.python import PyModule, Scope
from ..artifacts.reading import python_files, tree_dependency
from .index import Definition, ProjectIndex, module_file, project_index
from .routes import DEPENDS
from .summaries import _dotted, _lit

MAX_SITES = 200


@record(frozen=True)
class Passed:
    """Header names one call site passes (lower case); ``complete`` False when more may come."""

    names: frozenset[str]
    complete: bool
    where: str  # path:line, relative to the tree


def _readers(index: ProjectIndex, deps: set[str], needle: bytes, any_of: tuple[bytes, ...] = (),
             under: Path | None = None) -> Iterator[tuple[Path, "_Caller"]]:
    """The tree's Python files holding ``needle`` (and one of ``any_of``), parsed (only those below
    ``under``, if given). Every file looked at becomes a dependency of the asking module, and so does
    the set of the tree's Python files: a call site added to any of them later changes the answer."""
    root = index.root
    if under is not None and (under == root or root in under.parents):
        root = under  # (never a folder above the tree's)
    deps.add(tree_dependency(root))  # a file added later may call it too
    for path in python_files(root):
        deps.add(str(path))
        data = index.contents(path)
        if data is None or needle not in data or (any_of and not any(n in data for n in any_of)):
            continue
        try:
            tree = ast.parse(data.decode("utf-8", "replace").lstrip("\ufeff"))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        yield path, _Caller(index, path, tree, deps)


def _enclosing(tree: ast.AST) -> dict[int, tuple[ast.AST | None, ast.ClassDef | None]]:
    """id(call) -> (enclosing function, enclosing class)."""
    out: dict[int, tuple[ast.AST | None, ast.ClassDef | None]] = {}

    def visit(node: ast.AST, fn: ast.AST | None, cls: ast.ClassDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, None, child)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child, cls)
            else:
                if isinstance(child, ast.Call):
                    out[id(child)] = (fn, cls)
                visit(child, fn, cls)

    visit(tree, None, None)
    return out


def _assigned(body: ast.AST | None, name: str) -> list[ast.AST]:
    if body is None:
        return []
    return [n.value for n in ast.walk(body) if isinstance(n, ast.Assign) and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name]


class _Caller:
    """One module that may call the helper: its tree, summary and what its names resolve to."""

    def __init__(self, index: ProjectIndex, path: Path, tree: ast.Module, deps: set[str]):
        self.index, self.path, self.tree, self.deps = index, path, tree, deps
        self.summary = index.summary_of(path, deps)
        self.scopes = _enclosing(tree)

    def definition(self, dotted: str | None) -> Definition | None:
        if not dotted or self.summary is None:
            return None
        head = dotted.split(".")[0]
        if head in self.summary.imports:
            return self.index.find(self.path, self.summary.resolve(dotted), self.deps)
        return self.index.local(self.summary, self.path, dotted.split("."), self.deps)

    def instance_class(self, receiver: ast.AST, fn: ast.AST | None, cls: ast.ClassDef | None) -> Definition | None:
        """The class of the tree an object is an instance of: ``self.client`` (``self.client = HTTPClient()``)
        or a local or module name bound once to ``HTTPClient()``."""
        values: list[ast.AST] = []
        if isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name) and receiver.value.id == "self" \
                and cls is not None:
            values = [n.value for n in ast.walk(cls) if isinstance(n, ast.Assign) and len(n.targets) == 1
                      and isinstance(n.targets[0], ast.Attribute) and isinstance(n.targets[0].value, ast.Name)
                      and n.targets[0].value.id == "self" and n.targets[0].attr == receiver.attr]
        elif isinstance(receiver, ast.Name):
            values = _assigned(fn, receiver.id) or _assigned(self.tree, receiver.id)
        calls = [v for v in values if isinstance(v, ast.Call)]
        if len(calls) != 1:
            return None
        d = self.definition(_dotted(calls[0].func))
        return d if d is not None and d.kind == "class" else None

    def headers(self, expr: ast.AST | None, fn: ast.AST | None, cls: ast.ClassDef | None, depth: int = 0
                ) -> tuple[frozenset[str], bool]:
        """The header names an argument expression holds, through local names and helpers returning dicts."""
        if expr is None or depth > 4:
            return frozenset(), False
        if isinstance(expr, ast.Constant) and expr.value is None:
            return frozenset(), True
        if isinstance(expr, (ast.Dict, ast.Call)):
            lit = _lit(expr)
            if lit.kind == "dict":
                names, complete = frozenset(lit.value), lit.complete
                if isinstance(expr, ast.Dict):
                    for k, v in zip(expr.keys, expr.values):
                        if k is None:  # {**base, ...}
                            inner, ok = self.headers(v, fn, cls, depth + 1)
                            names, complete = names | inner, complete and ok
                return names, complete
            if isinstance(expr, ast.Call):
                return self._returned(expr, fn, cls, depth)
        if isinstance(expr, ast.Name):
            values = _assigned(fn, expr.id) if fn is not None else []
            if len(values) == 1 and not self._mutated(fn, expr.id):
                return self.headers(values[0], fn, cls, depth + 1)
        return frozenset(), False

    def _mutated(self, fn: ast.AST | None, name: str) -> bool:
        for n in ast.walk(fn) if fn is not None else ():
            if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) and isinstance(n.value, ast.Name) \
                    and n.value.id == name:
                return True
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) \
                    and n.func.value.id == name and n.func.attr in ("update", "setdefault"):
                return True
        return False

    def _returned(self, call: ast.Call, fn: ast.AST | None, cls: ast.ClassDef | None, depth: int
                  ) -> tuple[frozenset[str], bool]:
        f = call.func
        d = None
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self" and cls is not None:
            d = self.definition(f"{cls.name}.{f.attr}")
        else:
            d = self.definition(_dotted(f))
        if d is None or d.function is None or not d.function.returns:
            return frozenset(), False
        names: frozenset[str] = frozenset()
        for r in d.function.returns:
            if getattr(r, "kind", None) != "dict":
                return frozenset(), False
            names |= frozenset(r.value)
            if not r.complete:
                return names, False
        return names, True


def passed_headers(module: PyModule, scope: Scope, param: str) -> list[Passed] | None:
    """What every call site in the tree passes for ``param`` of the function ``scope`` (a module-level
    function or a method of a module-level class); None when the function or its callers cannot be read."""
    index, here = project_index(module), module_file(module)
    fn = scope.enclosing_function()
    if index is None or here is None or fn is None or fn.parent is None:
        return None
    cls = fn.parent if fn.parent.kind == "class" else None
    if (cls is None and fn.parent is not module.module_scope) or (cls is not None and cls.parent is not module.module_scope):
        return None
    key = f"callers.headers.{id(fn)}.{param}"
    return module.analysis(key, lambda m: _scan(m, index, here, fn.name, cls.name if cls is not None else None, param))


def _scan(module: PyModule, index: ProjectIndex, here: Path, name: str, cls: str | None, param: str) -> list[Passed] | None:
    own = index.summary_of(here)
    target = index.local(own, here, [cls, name] if cls else [name], None) if own is not None else None
    if target is None or target.function is None or param not in target.function.params:
        return None
    params = target.function.params[1:] if cls is not None else target.function.params
    position = params.index(param) if param in params else None
    default = target.function.defaults.get(param)
    out: list[Passed] = []
    needle = name.encode()
    deps = module.index_deps
    for path, caller in _readers(index, deps, needle):
        for call in (n for n in ast.walk(caller.tree) if isinstance(n, ast.Call)):
            f = call.func
            if not ((isinstance(f, ast.Name) and f.id == name) or (isinstance(f, ast.Attribute) and f.attr == name)):
                continue
            fn_node, cls_node = caller.scopes.get(id(call), (None, None))
            if cls is None:
                d = caller.definition(_dotted(f))
                if d is None or d.summary.path != str(here) or d.name != name:
                    continue
            else:
                if not isinstance(f, ast.Attribute):
                    continue
                k = caller.instance_class(f.value, fn_node, cls_node)
                if k is None or k.summary.path != str(here) or k.name != cls:
                    continue
            arg = next((kw.value for kw in call.keywords if kw.arg == param), None)
            if any(kw.arg is None for kw in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
                names, complete = frozenset(), False
            elif arg is None and position is not None and len(call.args) > position:
                names, complete = caller.headers(call.args[position], fn_node, cls_node)
            elif arg is None:
                names, complete = (frozenset(default.value), default.complete) if default is not None and \
                    default.kind == "dict" else (frozenset(), default is not None and default.kind == "none")
            else:
                names, complete = caller.headers(arg, fn_node, cls_node)
            rel = os.path.relpath(path, index.root).replace(os.sep, "/")
            out.append(Passed(names, complete, f"{rel}:{call.lineno}"))
            if len(out) >= MAX_SITES:
                return out
    return out


def remote_dependency(module: PyModule, fn: Scope) -> str | None:
    """Where (``path:line``) another module of the tree names ``fn``, a module-level function of this
    module, in a FastAPI ``Depends(...)``/``Security(...)``: then FastAPI runs it on every request
    (``routes.dependencies`` finds the ones named in the module itself)."""
    index, here = project_index(module), module_file(module)
    if index is None or here is None or fn.kind != "function" or fn.parent is not module.module_scope:
        return None

    def scan(m: PyModule) -> str | None:
        for path, caller in _readers(index, m.index_deps, fn.name.encode(), (b"Depends", b"Security")):
            if path == here or caller.summary is None:
                continue
            for call in (n for n in ast.walk(caller.tree) if isinstance(n, ast.Call)):
                if caller.summary.resolve(_dotted(call.func) or "") not in DEPENDS:
                    continue
                arg = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "dependency"), None)
                d = caller.definition(_dotted(arg)) if arg is not None else None
                if d is not None and d.kind == "function" and d.summary.path == str(here) and d.name == fn.name:
                    return f"{os.path.relpath(path, index.root).replace(os.sep, '/')}:{call.lineno}"
        return None

    return module.analysis(f"callers.dependency.{fn.name}", scan)


def passed_values(module: PyModule, cls: Scope, param: str) -> list[str] | None:
    """What the constructions of ``cls`` (a module-level class of this module) across the tree pass
    for ``param`` of its ``__init__``, as the names and strings a URL is read from
    (``ProductClient(base_url=settings.product_service_url)`` -> ``settings.product_service_url``);
    None when the class or its constructions cannot be read."""
    index, here = project_index(module), module_file(module)
    if index is None or here is None or cls.kind != "class" or cls.parent is not module.module_scope:
        return None

    def scan(m: PyModule) -> list[str] | None:
        own = index.summary_of(here)
        init = index.local(own, here, [cls.name, "__init__"], None) if own is not None else None
        if init is None or init.function is None or param not in init.function.params[1:]:
            return None
        position = init.function.params[1:].index(param)
        out: list[str] = []
        for _path, _caller, call, named in _constructions(index, here, cls.name, m.index_deps):
            if named is not call.func:
                continue  # Depends(Service): FastAPI passes nothing
            arg = next((kw.value for kw in call.keywords if kw.arg == param), None)
            if arg is None and len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args):
                arg = call.args[position]
            out += _value_names(arg) if arg is not None else []
            if len(out) >= MAX_SITES:
                return out
        return out

    return module.analysis(f"callers.values.{cls.name}.{param}", scan)


def _constructions(index: ProjectIndex, here: Path, name: str, deps: set[str]
                   ) -> Iterator[tuple[Path, "_Caller", ast.Call, ast.AST]]:
    """Every call in the tree that builds the class ``name`` of the module at ``here``, confirmed by
    resolving it: (file, its reader, the call, the expression naming the class: the call's callee,
    or the class a FastAPI ``Depends(Service)`` names)."""
    for path, caller in _readers(index, deps, name.encode()):
        if caller.summary is None:
            continue
        for call in (n for n in ast.walk(caller.tree) if isinstance(n, ast.Call)):
            named = call.func
            if call.args and caller.summary.resolve(_dotted(call.func) or "") in DEPENDS:
                named = call.args[0]
            last = named.attr if isinstance(named, ast.Attribute) else named.id if isinstance(named, ast.Name) else None
            d = caller.definition(_dotted(named)) if last == name else None
            if d is not None and d.kind == "class" and d.summary.path == str(here) and d.name == name:
                yield path, caller, call, named


def _value_names(expr: ast.AST, depth: int = 0) -> list[str]:
    """The strings and dotted names an argument is built from (``os.getenv("X_URL", "http://x")``,
    ``f"{settings.base}/v1"``, ``settings.product_service_url``)."""
    if depth > 4:
        return []
    if isinstance(expr, ast.Constant):
        return [expr.value] if isinstance(expr.value, str) else []
    dotted = _dotted(expr)
    if dotted is not None:
        return [dotted]
    if isinstance(expr, ast.JoinedStr):
        return [n for v in expr.values[:1] for n in _value_names(v.value if isinstance(v, ast.FormattedValue) else v,
                                                                   depth + 1)]
    if isinstance(expr, ast.Call):
        return [n for a in expr.args for n in _value_names(a, depth + 1)] + \
            [n for kw in expr.keywords for n in _value_names(kw.value, depth + 1)]
    if isinstance(expr, ast.BinOp):
        return _value_names(expr.left, depth + 1)
    return []


def constructed_per_request(module: PyModule, cls: Scope) -> str | None:
    """Where (``path:line``) a request handler of the tree, in any module, builds an instance of
    ``cls`` (a module-level class of this module) on every request: a function with a route
    decorator (``@router.post(...)``) that calls ``AppointmentService()``, or a FastAPI
    ``Depends(AppointmentService)``. Then what its ``__init__`` builds is built per request."""
    from .routes import ROUTE_DECORATORS

    index, here = project_index(module), module_file(module)
    if index is None or here is None or cls.kind != "class" or cls.parent is not module.module_scope:
        return None

    def handler(fn: ast.AST | None) -> bool:
        return isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_DECORATORS
            for d in fn.decorator_list)

    def scan(m: PyModule) -> str | None:
        for path, caller, call, named in _constructions(index, here, cls.name, m.index_deps):
            # Depends(AppointmentService): FastAPI builds one per request
            if named is not call.func or handler(caller.scopes.get(id(call), (None, None))[0]):
                return f"{os.path.relpath(path, index.root).replace(os.sep, '/')}:{call.lineno}"
        return None

    return module.analysis(f"callers.per_request.{cls.name}", scan)
