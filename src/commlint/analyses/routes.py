"""Where a Python module serves requests: the HTTP routes it declares (FastAPI/Starlette,
Flask, aiohttp) with their paths, for the contract rules, and the functions that run once
per request or per loop iteration, for the connection-per-request rule.

Two views of one question, kept side by side: ``routes`` knows the frameworks' app
classes and reads the path; ``per_request`` accepts any route-like decorator or
registration, since a handler's path does not matter there.
"""

from __future__ import annotations

import re
from typing import Any

from ..artifacts import pynodes as cst

from ..artifacts.python import (
    PyModule,
    Scope,
    dotted,
    keyword,
    positional,
    string_value,
)
from .http import LIBRARY_PREFIXES, qualname
from .values import argument, template

VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
APP_CLASSES = {
    "fastapi.FastAPI": "fastapi", "fastapi.APIRouter": "fastapi", "fastapi.routing.APIRouter": "fastapi",
    "starlette.applications.Starlette": "fastapi", "flask.Flask": "flask", "flask.Blueprint": "flask",
    "aiohttp.web.RouteTableDef": "aiohttp", "aiohttp.web.Application": "aiohttp",
    "aiohttp.web_routedef.RouteTableDef": "aiohttp",
}
_FLASK_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_TEMPLATE = re.compile(r"\{[^{}]*\}")


def normalise_path(path: str) -> str:
    """``/v1/orders/<int:id>`` and ``/v1/orders/{order_id}`` -> ``/v1/orders/{}``."""
    path = _FLASK_PARAM.sub("{}", path)
    path = _TEMPLATE.sub("{}", path)
    path = path.split("?", 1)[0]
    if len(path) > 1:
        path = path.rstrip("/")
    return path or "/"


def line_of(module: PyModule, node: cst.CSTNode) -> tuple[int, int]:
    line, col, _, _ = module.span(node)
    return line, col



def routes(module: PyModule) -> list[dict[str, Any]]:
    out = []
    prefixes: dict[int, str] = {}
    for scope in module.scopes:
        if scope.kind != "function":
            continue
        for dec in scope.decorators:
            call = dec.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            verb = call.func.attr.value
            origin = module.origin(call.func.value, scope.parent or scope)
            framework = APP_CLASSES.get(origin.qualname) if origin is not None else None
            if framework is None:
                continue
            prefix = ""
            if origin is not None and origin.call is not None:
                key = id(origin.call)
                if key not in prefixes:
                    p = keyword(origin.call, "prefix") or keyword(origin.call, "url_prefix")
                    prefixes[key] = (template(module, p.value, scope) or "") if p is not None else ""
                prefix = prefixes[key]
            path_arg = positional(call, 0) or keyword(call, "path") or keyword(call, "rule")
            path = template(module, path_arg.value, scope) if path_arg is not None else None
            if path is None:
                continue
            if verb in VERBS:
                methods = [verb.upper()]
            elif verb in ("route", "api_route", "websocket_route"):
                m = keyword(call, "methods")
                methods = []
                if m is not None and isinstance(m.value, (cst.List, cst.Tuple, cst.Set)):
                    methods = [v.upper() for el in m.value.elements if (v := string_value(el.value))]
                methods = methods or ["GET"]
            else:
                continue
            line, col = line_of(module, dec)
            for method in methods:
                out.append({
                    "framework": framework, "method": method, "path": prefix + path,
                    "template": normalise_path(prefix + path), "handler": scope.qualname,
                    "line": line, "column": col,
                })
    # aiohttp: app.router.add_get("/p", handler) and web.get("/p", handler)
    for site in module.calls:
        call = site.node
        f = call.func
        if not isinstance(f, cst.Attribute):
            continue
        name = f.attr.value
        q = module.qualname(f) or ""
        verb = None
        if name.startswith("add_") and name[4:] in VERBS and dotted(f.value) and dotted(f.value).endswith("router"):  # type: ignore[union-attr]
            verb = name[4:]
        elif q in {f"aiohttp.web.{v}" for v in VERBS}:
            verb = name
        if verb is None:
            continue
        path = template(module, positional(call, 0).value, site.scope) if positional(call, 0) else None
        handler = positional(call, 1)
        if path is None or handler is None:
            continue
        line, col = line_of(module, call)
        out.append({
            "framework": "aiohttp", "method": verb.upper(), "path": path, "template": normalise_path(path),
            "handler": dotted(handler.value) or "", "line": line, "column": col,
        })
    return out


ROUTE_DECORATORS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "route", "api_route", "websocket", "view"}
)
# registration calls: attribute or qualified name -> (keyword, positional index) of the handler
ROUTE_REGISTRATIONS = {
    **{f"add_{v}": ("handler", 1) for v in ("get", "post", "put", "patch", "delete", "head", "options")},
    "add_route": ("handler", 2),
    "add_url_rule": ("view_func", 2),
    "add_api_route": ("endpoint", 1),
    "add_api_websocket_route": ("endpoint", 1),
}
ROUTE_FUNCTIONS = {
    **{f"aiohttp.web.{v}": ("handler", 1) for v in ("get", "post", "put", "patch", "delete", "head", "route")},
    "starlette.routing.Route": ("endpoint", 1),
    "fastapi.routing.APIRoute": ("endpoint", 1),
}
VIEW_BASES = frozenset(
    {"aiohttp.web.View", "flask.views.MethodView", "flask.views.View", "starlette.endpoints.HTTPEndpoint"}
)
VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"})
ONCE_DECORATORS = frozenset({"cache", "lru_cache", "cached_property", "cached", "alru_cache", "asynccontextmanager"})


def _function_named(module: PyModule, expr: cst.BaseExpression, scope: Scope) -> Scope | None:
    """The module-defined function (or class ``__init__``) an expression names."""
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
        cls = scope.enclosing_class()
        values = cls.bindings.get(expr.attr.value, []) if cls is not None else []
    elif isinstance(expr, cst.Name):
        values = module.lookup(expr.value, scope)
        if not values and expr.value in module.classes:
            init = module.classes[expr.value].bindings.get("__init__", [])
            values = init
    else:
        return None
    for v in values:
        if isinstance(v, cst.FunctionDef):
            return module.scope_of.get(id(v))
    return None


DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})


def dependencies(module: PyModule) -> dict[int, tuple[Scope, cst.Call]]:
    """Functions of this module named in a FastAPI ``Depends(...)``/``Security(...)`` here (a route's
    parameter, an ``Annotated`` alias, a router's ``dependencies=``): FastAPI calls each on every
    request that needs it. id(scope) -> (scope, the Depends call). ``callers.remote_dependency``
    finds the ones named in other modules."""

    def build(m: PyModule) -> dict[int, tuple[Scope, cst.Call]]:
        out: dict[int, tuple[Scope, cst.Call]] = {}
        for site in m.calls:
            if qualname(m, site.node.func) not in DEPENDS:
                continue
            arg = positional(site.node, 0) or keyword(site.node, "dependency")
            fn = _function_named(m, arg.value, site.scope) if arg is not None else None
            if fn is not None and fn.kind == "function":
                out.setdefault(id(fn), (fn, site.node))
        return out

    return module.analysis("routes.dependencies", build)


def once(scope: Scope) -> bool:
    """A function whose result is kept (``@lru_cache``, ``@cached_property``...): its body runs once."""
    return any(_decorator_name(d) in ONCE_DECORATORS for d in scope.decorators)


def _decorator_name(dec: cst.Decorator) -> str:
    d = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
    return d.attr.value if isinstance(d, cst.Attribute) else d.value if isinstance(d, cst.Name) else ""


def _handlers(module: PyModule) -> dict[int, tuple[str, Scope, cst.CSTNode | None]]:
    """Functions that run once per incoming request: id(scope) -> ("handler", scope, decorator or registration)."""
    out: dict[int, tuple[str, Scope, cst.CSTNode | None]] = {}
    for scope in module.scopes:
        if scope.kind != "function":
            continue
        for dec in scope.decorators:
            d = dec.decorator
            if (
                isinstance(d, cst.Call)
                and isinstance(d.func, cst.Attribute)
                and d.func.attr.value in ROUTE_DECORATORS
                and not (qualname(module, d.func) or "").startswith(LIBRARY_PREFIXES)
            ):
                out[id(scope)] = ("handler", scope, d)
        cls = scope.parent
        if (
            cls is not None
            and scope.name in VIEW_METHODS
            and isinstance(cls.node, cst.ClassDef)
            and any((qualname(module, b.value) or "") in VIEW_BASES for b in cls.node.bases)
        ):
            out[id(scope)] = ("handler", scope, None)
    for site in module.calls:
        f = site.node.func
        q = qualname(module, f) or ""
        spec = ROUTE_FUNCTIONS.get(q) or (
            ROUTE_REGISTRATIONS.get(f.attr.value) if isinstance(f, cst.Attribute) and not q else None
        )
        if spec is None:
            continue
        handler = argument(module, site.node, site.scope, *spec).expr
        target = _function_named(module, handler, site.scope) if handler is not None else None
        if target is not None:
            out[id(target)] = ("handler", target, site.node)
    return out


def stored_calls(module: PyModule) -> set[int]:
    """Calls whose result is kept (``app.state.c = ...``, ``cache[k] = ...``, ``global c; c = ...``)."""

    def build(m: PyModule) -> set[int]:
        out = set()
        for store in m.stores:
            t = store.target
            fn = store.scope.enclosing_function()
            is_self = isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self"
            if not (is_self and fn is not None and fn.name == "__init__"):
                out.add(id(store.value))
        for scope in m.scopes:
            for name in scope.declared:
                for value in scope.bindings.get(name, []):
                    out.add(id(value))
        return out

    return module.analysis("sync_calls.stored", build)


def over_literals(module: PyModule, caller: Scope | None, call: cst.CSTNode) -> bool:
    """Whether every loop around ``call`` in ``caller`` walks a few values written in the code (``for
    base in CANDIDATES:`` with ``CANDIDATES = [...]``, ``for k, v in {...}.items():``): a fallback or a
    fixed batch, run a known number of times, not once per request or message."""
    if caller is None or not isinstance(caller.node, cst.FunctionDef):
        return False
    every = module.analysis("routes.loops", lambda m: {})  # the loops of each function, found once
    if id(caller.node) not in every:
        every[id(caller.node)] = [n for n in cst.iter_nodes(caller.node.body) if isinstance(n, (cst.For, cst.While))]
    where = call._p
    loops = [n for n in every[id(caller.node)] if n._p[:2] <= where[:2] and n._p[2:] >= where[2:]]
    for loop in loops:
        it = loop.iter if isinstance(loop, cst.For) else None
        if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and it.func.attr.value in ("items", "keys", "values"):
            it = it.func.value
        if isinstance(it, cst.Name):
            bound = module.lookup(it.value, caller)
            it = bound[0] if len(bound) == 1 else None
        if not (isinstance(it, (cst.List, cst.Tuple, cst.Set, cst.Dict)) and 0 < len(it.elements) <= 10):
            return False
    return bool(loops)


def per_request(module: PyModule) -> dict[int, tuple[str, Scope, cst.CSTNode | None]]:
    """Functions that run per request or per loop iteration: id(scope) -> (how, scope, where).

    ``how`` is "handler", "loop" (called in a loop at ``where``) or "called"
    (from the function ``where`` names, itself in the map).
    """

    def build(m: PyModule) -> dict[int, tuple[str, Scope, cst.CSTNode | None]]:
        runs = dict(_handlers(m))
        for fn, call in dependencies(m).values():
            if id(fn) not in runs and not once(fn):
                runs[id(fn)] = ("dependency", fn, call)
        stored = stored_calls(m)
        edges: list[tuple[Scope | None, Scope]] = []
        for site in m.calls:
            callee = _function_named(m, site.node.func, site.scope)
            if callee is None or id(site.node) in stored:
                continue
            if any(_decorator_name(d) in ONCE_DECORATORS for d in callee.decorators):
                continue
            edges.append((site.scope.enclosing_function(), callee))
            if site.in_loop and id(callee) not in runs and not over_literals(m, site.scope.enclosing_function(), site.node):
                runs[id(callee)] = ("loop", callee, site.node)
        changed = True
        while changed:
            changed = False
            for caller, callee in edges:
                if caller is not None and id(caller) in runs and id(callee) not in runs:
                    runs[id(callee)] = ("called", callee, caller)
                    changed = True
        return runs

    return module.analysis("sync_calls.per_request", build)


def why_per_request(module: PyModule, runs: dict, key: int, depth: int = 0) -> str:
    """Say why a function runs per request, following the chain of callers."""
    how, scope, where = runs[key]
    if how == "handler":
        return f"request handler `{scope.qualname}`"
    if how == "loop":
        return f"`{scope.qualname}`, called in a loop at line {module.span(where)[0]}"
    if how == "dependency":
        return f"`{scope.qualname}`, a FastAPI dependency run on every request (`Depends` at line {module.span(where)[0]})"
    if depth > 5:
        return f"`{scope.qualname}`"
    return f"`{scope.qualname}`, called from {why_per_request(module, runs, id(where), depth + 1)}"
