"""What a Python module tells the cross-file rules, as JSON-serialisable facts.

- ``routes``: HTTP routes it serves (FastAPI/Starlette, Flask, aiohttp), with
  the handler function;
- ``calls``: synchronous outbound calls (HTTP host and path, gRPC target,
  service and method), with the function that makes them;
- ``servicers``: gRPC servicer classes and their methods;
- ``grpc_servers``: where a gRPC server is built, and whether the standard
  health service is registered in the module;
- ``functions``: for each function, the names it calls (to follow a handler
  through helpers to the call it makes);
- ``topics``: topics produced and consumed, when the event rules found any.

Built from the module's shared index and the sync-call analysis: nothing here
walks the tree again except a light pass over decorators and class bases.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import libcst as cst

from ..artifacts.python import PyModule, Scope, dotted, keyword, positional, string_value

VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
APP_CLASSES = {
    "fastapi.FastAPI": "fastapi", "fastapi.APIRouter": "fastapi", "fastapi.routing.APIRouter": "fastapi",
    "starlette.applications.Starlette": "fastapi", "flask.Flask": "flask", "flask.Blueprint": "flask",
    "aiohttp.web.RouteTableDef": "aiohttp", "aiohttp.web.Application": "aiohttp",
    "aiohttp.web_routedef.RouteTableDef": "aiohttp",
}
CHANNELS = ("grpc.insecure_channel", "grpc.secure_channel", "grpc.aio.insecure_channel", "grpc.aio.secure_channel")
SERVERS = ("grpc.server", "grpc.aio.server")
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


def text_of(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, depth: int = 0) -> str | None:
    """A string expression's value with unknown parts as ``{}`` (None when nothing is known)."""
    if expr is None or depth > 6:
        return None
    expr = module.constant(expr, scope)
    s = string_value(expr)
    if s is not None:
        return s
    if isinstance(expr, cst.FormattedString):
        out = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value)
            else:
                inner = text_of(module, part.expression, scope, depth + 1)
                out.append(inner if inner is not None else "{}")
        return "".join(out)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left = text_of(module, expr.left, scope, depth + 1)
        right = text_of(module, expr.right, scope, depth + 1)
        if left is None and right is None:
            return None
        return (left if left is not None else "{}") + (right if right is not None else "{}")
    return None


def split_url(url: str) -> tuple[str | None, str]:
    """(host, path) of a URL or a path; host None for a bare path."""
    if url.startswith("{}"):
        return None, ""
    if "://" in url:
        try:
            parts = urlsplit(url)
            return parts.hostname, parts.path or "/"
        except ValueError:
            return None, ""
    return None, url


def _line(module: PyModule, node: cst.CSTNode) -> tuple[int, int]:
    line, col, _, _ = module.span(node)
    return line, col


def _routes(module: PyModule) -> list[dict[str, Any]]:
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
                    prefixes[key] = (text_of(module, p.value, scope) or "") if p is not None else ""
                prefix = prefixes[key]
            path_arg = positional(call, 0) or keyword(call, "path") or keyword(call, "rule")
            path = text_of(module, path_arg.value, scope) if path_arg is not None else None
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
            line, col = _line(module, dec)
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
        path = text_of(module, positional(call, 0).value, site.scope) if positional(call, 0) else None
        handler = positional(call, 1)
        if path is None or handler is None:
            continue
        line, col = _line(module, call)
        out.append({
            "framework": "aiohttp", "method": verb.upper(), "path": path, "template": normalise_path(path),
            "handler": dotted(handler.value) or "", "line": line, "column": col,
        })
    return out


def _http_calls(module: PyModule) -> list[dict[str, Any]]:
    """Outbound calls from the sync-call analysis, with their URL as a template (runtime parts as ``{}``)."""
    from ..rules.sync_calls import GRPC, http_calls

    clients = {id(c.node): c for c in http_calls(module) if c.role == "client"}
    out = []
    for c in http_calls(module):
        if c.role == "client":
            continue
        line, col = _line(module, c.node)
        fn = c.scope.qualname if c.scope.kind != "module" else ""
        url = c.url(module)
        where = text_of(module, url, c.scope) if url is not None else None
        if c.library is GRPC:
            stub = c.client.qualname.rsplit(".", 1)[-1] if c.client else ""
            out.append({
                "kind": "grpc", "host": (where or "").rsplit(":", 1)[0] or None,
                "service": stub[:-4] if stub.endswith("Stub") else stub, "method": c.method(module),
                "function": fn, "line": line, "column": col,
            })
            continue
        base = None
        owner = clients.get(id(c.client.call)) if c.client is not None and c.client.call is not None else None
        if owner is not None:
            b = owner.url(module)
            base = text_of(module, b, owner.scope) if b is not None else None
        full = (base or "") + (where or "") if (base or where) else None
        if full is None:
            continue
        host, path = split_url(full)
        out.append({
            "kind": "http", "method": c.method(module) or "GET", "host": host, "path": path,
            "template": normalise_path(path) if path else "", "function": fn, "line": line, "column": col,
        })
    return out


def _grpc(module: PyModule) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
    servicers = []
    for scope in module.scopes:
        if scope.kind != "class" or not isinstance(scope.node, cst.ClassDef):
            continue
        for base in scope.node.bases:
            name = dotted(base.value) or ""
            last = name.rsplit(".", 1)[-1]
            if last.endswith("Servicer") and last != "Servicer":
                methods = [
                    s.name for s in module.scopes
                    if s.parent is scope and s.kind == "function" and s.name[:1].isupper()
                ]
                line, col = _line(module, scope.node.name)
                servicers.append({"service": last[: -len("Servicer")], "class": scope.qualname,
                                  "methods": methods, "line": line, "column": col})
    servers = []
    health = any("grpc_health" in q for q in module.imports.values())
    for site in module.calls:
        q = module.qualname(site.node.func) or ""
        name = dotted(site.node.func) or ""
        if name.endswith("add_HealthServicer_to_server") or q.endswith("add_HealthServicer_to_server"):
            health = True
        if q in SERVERS:
            line, col = _line(module, site.node)
            servers.append({"line": line, "column": col,
                            "function": site.scope.qualname if site.scope.kind != "module" else ""})
    for s in servers:
        s["health"] = health
    return servicers, servers, health


def _functions(module: PyModule) -> dict[str, list[str]]:
    """For each function, the last names of what it calls (``self.client.stock`` -> ``stock``)."""
    out: dict[str, set[str]] = {}
    for site in module.calls:
        fn = site.scope.enclosing_function()
        if fn is None:
            continue
        f = site.node.func
        name = f.attr.value if isinstance(f, cst.Attribute) else f.value if isinstance(f, cst.Name) else None
        if name:
            out.setdefault(fn.qualname, set()).add(name)
    return {k: sorted(v) for k, v in out.items()}


def collect(module: PyModule) -> dict[str, Any]:
    servicers, servers, health = _grpc(module)
    facts: dict[str, Any] = {
        "grpc_health": health,
        "routes": _routes(module),
        "calls": _http_calls(module),
        "servicers": servicers,
        "grpc_servers": servers,
        "functions": _functions(module),
        "defined": sorted({s.qualname for s in module.scopes if s.kind == "function"}),
    }
    if "facts.topics" not in module._cache:
        try:
            from ..rules import events

            events.kafka(module)  # leaves the module's literal topics in facts.topics
        except ImportError:
            pass
    topics = module._cache.get("facts.topics")
    if topics:
        facts["topics"] = topics
    return facts
