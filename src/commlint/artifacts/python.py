"""Python source: parsed once with CPython's parser into libcst-shaped nodes
(``pynodes``, built by ``pybuild``) and indexed in one pass.

The index gives every rule family what it needs without a scope or
qualified-name provider:

- ``imports``: local name -> qualified name (``r`` -> ``requests``,
  ``C`` -> ``httpx.AsyncClient``);
- ``calls``: every call with its enclosing function and class and whether it
  sits in a loop;
- bindings per scope (module, each function, each class's ``self.x``
  attributes, ``with ... as x`` targets), so a client object can be followed
  from where it is built to where it is used;
- positions: each node holds its range.
"""

from __future__ import annotations

import io
import sys
import tokenize
from ..core.records import field, record
from typing import Any

from ..core.model import Location
from .reading import decode_python as decode  # noqa: F401 - the kind's decoder
from . import Artifact, ParseError, Suppression, comment_suppressions, pybuild
from . import pynodes as cst
from .pystrings import older_fstrings
from .cstnodes import (  # noqa: F401 - re-exported
    dotted,
    has_star_args,
    has_star_kwargs,
    keyword,
    parameter,
    positional,
    string_value,
)

KIND = "python"
_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def parse(path: str, text: str, settings: Any = None, tree: Any = None) -> "PyModule":
    """Parse with CPython's parser (``tree``: the ``ast`` tree the prefilter made of this text
    already) and index the module. Syntax newer than the running Python is a syntax error."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError("source contains a NUL byte", line=line)
    source = text
    if tree is None:
        source, tree = _cpython_parse(path, text)
    try:
        built = pybuild.build(source, tree)
    except RecursionError:
        raise ParseError("too deeply nested to parse") from None
    module = PyModule(path, text, built)
    module.settings = settings
    try:
        with pybuild.deep_recursion():
            cst.walk(module.tree, _Indexer(module))
    except RecursionError:
        raise ParseError("too deeply nested to analyse") from None
    return module


def _cpython_parse(path: str, text: str) -> tuple[str, Any]:
    """(the text parsed, its ``ast`` tree). Strings nested in f-strings with the f-string's own
    quotes (Python 3.12) are read on older interpreters too: see ``pystrings.older_fstrings``."""
    try:
        return text, pybuild.parse_tree(text, path)
    except SyntaxError as exc:
        older = older_fstrings(text) if "f-string" in (exc.msg or "") else None
        if older is not None:
            try:
                return older, pybuild.parse_tree(older, path)
            except (SyntaxError, RecursionError, MemoryError, ValueError):
                pass
        raise ParseError(f"syntax error: {exc.msg} (as Python {_VERSION} reads it)",
                         line=exc.lineno or 1, column=exc.offset or 1) from None
    except (RecursionError, MemoryError):
        raise ParseError("too deeply nested: Python's own parser cannot compile this file") from None
    except ValueError as exc:
        raise ParseError(f"cannot be parsed: {exc}") from None


# -- the index -----------------------------------------------------------


@record(eq=False)
class Scope:
    """A module, class or function body and the names bound in it."""

    kind: str  # "module" | "class" | "function"
    name: str
    node: cst.CSTNode | None
    parent: "Scope | None"
    bindings: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    # class scopes: attributes assigned as ``self.x = ...`` in any method
    attributes: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    decorators: tuple[cst.Decorator, ...] = ()
    is_async: bool = False
    # names bound to values the index cannot follow: parameters, loop targets,
    # ``except ... as e``; they shadow outer bindings (see ``PyModule.lookup``)
    opaque: set[str] = field(default_factory=set)
    # names a function declares ``global`` or ``nonlocal``
    declared: set[str] = field(default_factory=set)
    # local names annotated with a type: ``client: AMQPClient = amqp``
    annotations: dict[str, cst.BaseExpression] = field(default_factory=dict)

    @property
    def qualname(self) -> str:
        parts = []
        s: Scope | None = self
        while s is not None and s.kind != "module":
            parts.append(s.name)
            s = s.parent
        return ".".join(reversed(parts))

    def enclosing_class(self) -> "Scope | None":
        s: Scope | None = self
        while s is not None:
            if s.kind == "class":
                return s
            s = s.parent
        return None

    def enclosing_function(self) -> "Scope | None":
        s: Scope | None = self
        while s is not None:
            if s.kind == "function":
                return s
            s = s.parent
        return None


@record(eq=False)
class CallSite:
    node: cst.Call
    scope: Scope
    in_loop: bool


@record(eq=False)
class Store:
    """An assignment to an attribute or item: ``session.headers["X"] = v``, ``app.state.c = v``."""

    target: cst.BaseExpression  # an Attribute or Subscript
    value: cst.BaseExpression
    scope: Scope


@record(frozen=True)
class Origin:
    """Where a value comes from: ``call`` built it, ``qualname`` is what was called."""

    qualname: str
    call: cst.Call | None


class PyModule(Artifact):
    kind = KIND

    def __init__(self, path: str, text: str, tree: cst.Module):
        super().__init__(path, text)
        self.tree = tree
        self.imports: dict[str, str] = {}
        self.star_imports: list[str] = []  # ``from utils import *``: the modules, as written (analyses.index reads them)
        self.module_scope = Scope("module", "", None, None)
        self.scopes: list[Scope] = [self.module_scope]
        self.classes: dict[str, Scope] = {}
        self.calls: list[CallSite] = []
        self.stores: list[Store] = []  # assignments to attributes and items, in source order
        self.scope_of: dict[int, Scope] = {}  # id(FunctionDef/ClassDef node) -> scope
        self._cache: dict[str, Any] = {}
        self.settings: Any = None  # the run's settings (the project index reads the tree's root from them)
        self.index_deps: set[str] = set()  # other modules the project index read for this one

    def dependencies(self) -> list[str]:
        return sorted(self.index_deps)

    # -- shared analyses -------------------------------------------------
    def analysis(self, key: str, build):  # noqa: ANN001
        """Compute an analysis once per module and share it between rules."""
        if key not in self._cache:
            self._cache[key] = build(self)
        return self._cache[key]

    # -- names -----------------------------------------------------------
    def qualname(self, expr: cst.BaseExpression) -> str | None:
        """What an expression names through the module's imports (``r.get`` -> ``requests.get``)."""
        d = dotted(expr)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        target = self.imports.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def lookup(self, name: str, scope: Scope) -> list[cst.BaseExpression]:
        """Values bound to ``name`` as seen from ``scope`` (innermost first; classes skipped)."""
        found = self.binding_scope(name, scope)
        return found.bindings.get(name, []) if found is not None else []

    def binding_scope(self, name: str, scope: Scope) -> Scope | None:
        """The scope whose binding of ``name`` is visible from ``scope`` (classes skipped)."""
        s: Scope | None = scope
        while s is not None:
            if s.kind != "class" or s is scope:
                if name in s.opaque or s.bindings.get(name):
                    return s
            s = s.parent
        return None

    def is_opaque(self, name: str, scope: Scope) -> bool:
        """Whether ``name`` seen from ``scope`` is a parameter or loop target (its value is not known)."""
        found = self.binding_scope(name, scope)
        return found is not None and name in found.opaque

    def origin(self, expr: cst.BaseExpression, scope: Scope, _depth: int = 0) -> Origin | None:
        """Follow a value to the call that built it: ``s`` -> ``requests.Session()``."""
        if _depth > 8:
            return None
        while isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Call):
            q = self.qualname(expr.func)
            if q is not None:
                return Origin(q, expr)
            # a method of something we can follow: requests.Session().get / client.stream(...)
            if isinstance(expr.func, cst.Attribute):
                inner = self.origin(expr.func.value, scope, _depth + 1)
                if inner is not None:
                    return Origin(f"{inner.qualname}().{expr.func.attr.value}", expr)
            if isinstance(expr.func, cst.Name) or (isinstance(expr.func, cst.Attribute) and isinstance(
                    expr.func.value, cst.Name) and expr.func.value.value == "self"):
                # def get_client(): return httpx.AsyncClient(...); def get_producer(self): return self._producer
                returned = self.returns(expr.func, scope)
                if returned is not None and len(returned[0]) == 1:
                    return self.origin(returned[0][0], returned[1], _depth + 1)
            return None
        if isinstance(expr, cst.Name):
            q = self.qualname(expr)
            if q is not None and expr.value in self.imports and not self.lookup(expr.value, scope):
                return Origin(q, None)
            for value in reversed(self.lookup(expr.value, scope)):
                o = self.origin(value, scope, _depth + 1)
                if o is not None:
                    return o
            return None
        if isinstance(expr, cst.Attribute):
            base = expr.value
            if isinstance(base, cst.Name) and base.value in ("self", "cls"):
                cls = scope.enclosing_class()
                if cls is not None:
                    for value in reversed(cls.attributes.get(expr.attr.value, [])):
                        o = self.origin(value, cls, _depth + 1)
                        if o is not None:
                            return o
                return None
            q = self.qualname(expr)
            if q is not None:
                return Origin(q, None)
        return None

    def function_named(self, expr: cst.BaseExpression, scope: Scope) -> Scope | None:
        """The function of this module a call's callee names: ``handle`` or ``self.handle``, bound
        to exactly one ``def``."""
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
            cls = scope.enclosing_class()
            values = cls.bindings.get(expr.attr.value, []) if cls is not None else []
        elif isinstance(expr, cst.Name):
            values = self.lookup(expr.value, scope)
        else:
            return None
        fns = [v for v in values if isinstance(v, cst.FunctionDef)]
        return self.scope_of.get(id(fns[0])) if len(fns) == 1 else None

    def returns(self, expr: cst.BaseExpression, scope: Scope) -> tuple[list[cst.BaseExpression], Scope] | None:
        """What the function ``expr`` names (see ``function_named``) returns, its ``return`` values
        in order, with its scope (a factory: ``def get_client(): return httpx.AsyncClient(...)``)."""
        fn = self.function_named(expr, scope)
        return (self.returned_by(fn), fn) if fn is not None else None

    def returned_by(self, fn: Scope) -> list[cst.BaseExpression]:
        """The values a function's ``return`` statements give, in order (remembered per function)."""
        if not isinstance(fn.node, cst.FunctionDef):
            return []
        key = f"returns.{id(fn.node)}"
        if key not in self._cache:
            self._cache[key] = [n.value for n in cst.iter_nodes(fn.node.body) if isinstance(n, cst.Return) and n.value is not None]
        return self._cache[key]

    def constant(self, expr: cst.BaseExpression | None, scope: Scope, _depth: int = 0) -> cst.BaseExpression | None:
        """Follow a name to the literal it is bound to (``TIMEOUT = None``); else the expression."""
        if expr is None or _depth > 8:
            return expr
        if isinstance(expr, cst.Name) and expr.value not in ("None", "True", "False"):
            vals = self.lookup(expr.value, scope)
            if len(vals) == 1:
                return self.constant(vals[0], scope, _depth + 1)
        return expr

    # -- positions ---------------------------------------------------------
    def span(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """1-based (line, column, end line, end column) of a node."""
        line, col, eline, ecol = node._p
        return line, col + 1, eline, ecol + 1

    def node_offsets(self, node: cst.CSTNode) -> tuple[int, int]:
        """Character offsets of a node in this file's text (for fixes), lines counted as its
        range's are."""
        line, col, eline, ecol = node._p
        starts = self.tree.starts
        return starts[line - 1] + col, starts[eline - 1] + ecol

    def locate(self, where: Any, scope: Scope | None = None) -> Location:
        if isinstance(where, cst.CSTNode):
            line, col, eline, ecol = self.span(where)
            symbol = scope.qualname if scope is not None and scope.kind != "module" else None
            return Location(self.path, line, col, eline, ecol, symbol=symbol or None)
        return super().locate(where)

    def suppressions(self) -> list[Suppression]:
        return comment_suppressions_in(self.text)



class _Indexer(cst.CSTVisitor):
    """One pass over the tree: imports, scopes, bindings, calls, loops."""

    def __init__(self, module: PyModule):
        self.m = module
        self.scope = module.module_scope
        self.loop_depth = [0]
        self.globals: dict[int, set[str]] = {}  # id(function scope) -> the names it declares global

    # imports
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.m.imports[alias.asname.name.value] = full
            else:
                head = full.split(".")[0]
                self.m.imports[head] = head

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = dotted(node.module) if node.module is not None else ""
        base = "." * len(node.relative) + (base or "")
        if isinstance(node.names, cst.ImportStar):
            self.m.star_imports.append(base)
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.m.imports[local] = f"{base}.{name}" if base else name

    # scopes
    def _push(self, scope: Scope, node: cst.CSTNode) -> None:
        self.m.scopes.append(scope)
        self.m.scope_of[id(node)] = scope
        self.scope = scope
        self.loop_depth.append(0)

    def _pop(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent
        self.loop_depth.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        scope = Scope("class", node.name.value, node, self.scope, decorators=tuple(node.decorators))
        self.m.classes.setdefault(node.name.value, scope)
        self._push(scope, node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value, node)  # type: ignore[arg-type]
        scope = Scope(
            "function", node.name.value, node, self.scope,
            decorators=tuple(node.decorators), is_async=node.asynchronous is not None,
        )
        self._push(scope, node)
        self._params(scope, node.params)
        for param in (*node.params.params, *node.params.kwonly_params, *node.params.posonly_params):
            if param.default is not None:
                scope.bindings.setdefault(param.name.value, []).append(param.default)

    @staticmethod
    def _params(scope: Scope, params: cst.Parameters) -> None:
        for param in (*params.params, *params.kwonly_params, *params.posonly_params):
            scope.opaque.add(param.name.value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.opaque.add(star.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._push(Scope("function", "<lambda>", node, self.scope), node)
        self._params(self.scope, node.params)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._pop()

    # loops (comprehensions count: they run their body many times)
    def _enter_loop(self, node: cst.CSTNode) -> None:
        self.loop_depth[-1] += 1

    def _leave_loop(self, node: cst.CSTNode) -> None:
        self.loop_depth[-1] -= 1

    def visit_For(self, node: cst.For) -> None:
        self._opaque_target(node.target)
        self._enter_loop(node)

    leave_For = _leave_loop

    def _opaque_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.scope.opaque.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self._opaque_target(el.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.declared.update(n.name.value for n in node.names)
        self.globals.setdefault(id(self.scope), set()).update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.scope.declared.update(n.name.value for n in node.names)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._opaque_target(node.name.name)
    visit_While = _enter_loop
    leave_While = _leave_loop
    visit_ListComp = _enter_loop
    leave_ListComp = _leave_loop
    visit_SetComp = _enter_loop
    leave_SetComp = _leave_loop
    visit_DictComp = _enter_loop
    leave_DictComp = _leave_loop
    visit_GeneratorExp = _enter_loop
    leave_GeneratorExp = _leave_loop

    # bindings
    def _bind(self, name: str, value: cst.BaseExpression) -> None:
        self.scope.bindings.setdefault(name, []).append(value)
        if name in self.globals.get(id(self.scope), ()):  # global client; client = httpx.AsyncClient(...)
            self.m.module_scope.bindings.setdefault(name, []).append(value)  # what other functions see

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, value)
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value in ("self", "cls")
        ):
            cls = self.scope.enclosing_class()
            if cls is not None:
                cls.attributes.setdefault(target.attr.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            if isinstance(value, (cst.Tuple, cst.List)) and len(target.elements) == len(value.elements):
                for t, v in zip(target.elements, value.elements):
                    if not isinstance(t, cst.StarredElement) and not isinstance(v, cst.StarredElement):
                        self._bind_target(t.value, v.value)
            else:
                self._opaque_target(target)  # ``a, b = f()``: values the index cannot follow
        if isinstance(target, (cst.Attribute, cst.Subscript)):
            self.m.stores.append(Store(target, value, self.scope))

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._bind_target(t.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._opaque_target(node.target)  # ``x += 1``: no longer the literal it was bound to

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.scope.annotations[node.target.value] = node.annotation.annotation
        if node.value is not None:
            self._bind_target(node.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item)

    def visit_Call(self, node: cst.Call) -> None:
        self.m.calls.append(CallSite(node, self.scope, self.loop_depth[-1] > 0))


def comment_suppressions_in(text: str) -> list[Suppression]:
    """``# commlint: ignore[...]`` in real comments only: not in strings or docstrings
    that show the syntax."""
    found = comment_suppressions(text)
    if not found:
        return found
    lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and "commlint:" in tok.string:
                lines.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    return [s for s in found if s.line in lines]
