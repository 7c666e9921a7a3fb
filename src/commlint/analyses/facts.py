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
- ``topics``: topics produced and consumed, when the event rules found any;
- ``consumers``: where it handles messages of literal topics (function, lines, the
  names called there) and ``publishes``: where it produces to literal topics, with
  the function (a consumer calling back its producer, choreographed flows);
- ``circuit_breaker``: whether it imports a circuit-breaker library.

Built from the module's shared index and the sync-call analysis: nothing here
walks the tree again except a light pass over decorators and class bases.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..artifacts import pynodes as cst

from ..artifacts import Artifact
from ..artifacts.openapi import OpenAPIDoc
from ..artifacts.python import PyModule, dotted, string_value
from .http import GRPC, http_calls
from .brokers import may_message
from .openapi import openapi_facts
from .proto_shape import shape
from .routes import line_of, normalise_path, routes
from .values import template

SERVERS = ("grpc.server", "grpc.aio.server")
# circuit-breaker libraries and resilience wrappers: a module importing one breaks circuits
BREAKERS = frozenset({"pybreaker", "aiobreaker", "purgatory", "circuitbreaker", "pycircuitbreaker", "breakers",
                      "resilient", "resilience4py", "hystrix", "pyresilience", "aiomisc_breaker"})


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





def _http_calls(module: PyModule) -> list[dict[str, Any]]:
    """Outbound calls from the sync-call analysis, with their URL as a template (runtime parts as ``{}``)."""
    clients = {id(c.node): c for c in http_calls(module) if c.role == "client"}
    out = []
    for c in http_calls(module):
        if c.role == "client":
            continue
        line, col = line_of(module, c.node)
        fn = c.scope.qualname if c.scope.kind != "module" else ""
        url = c.url(module)
        where = template(module, url, c.scope) if url is not None else None
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
            base = template(module, b, owner.scope) if b is not None else None
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
                line, col = line_of(module, scope.node.name)
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
            line, col = line_of(module, site.node)
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


def _last_name(call: cst.Call) -> str | None:
    f = call.func
    return f.attr.value if isinstance(f, cst.Attribute) else f.value if isinstance(f, cst.Name) else None


def _subscribed(module: PyModule, loop: Any) -> set[str]:
    """The literal topics of a FastStream Kafka subscriber (``@broker.subscriber("orders.order.created")``)."""
    c = loop.client
    if c is None or c.library != "faststream-kafka" or not isinstance(c.node, cst.Call):
        return set()
    values = (string_value(module.constant(a.value, loop.scope)) for a in c.node.args if a.keyword is None and not a.star)
    return {v for v in values if v}


def _consumers(module: PyModule) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Where the module handles messages of literal topics (the loop or callback run once per message:
    its function, its lines, the names it calls) and where it publishes to literal topics."""
    from .messaging import messaging  # the messaging model: only for a module that may message

    k = messaging(module)
    consumers = []
    for loop in k.loops:
        fn = loop.scope.enclosing_function()
        topics = sorted({name for name, _ in (loop.client.topics if loop.client is not None else [])}
                        | _subscribed(module, loop))
        if not topics:
            continue
        start, _c, end, _e = module.span(loop.region)  # a loop at module level has function ""
        consumers.append({"topics": topics, "function": fn.qualname if fn else "", "start": start, "end": end,
                          "line": module.span(loop.anchor)[0],
                          "calls": sorted({n for s in loop.calls if (n := _last_name(s.node))})})
    publishes = []
    for p in k.produces:
        name = string_value(module.constant(p.topic, p.site.scope)) if p.topic is not None else None
        fn = p.site.scope.enclosing_function()
        if name:
            publishes.append({"topic": name, "line": module.span(p.site.node)[0], "function": fn.qualname if fn else ""})
    return consumers, publishes


def collect(module: PyModule) -> dict[str, Any]:
    servicers, servers, health = _grpc(module)
    facts: dict[str, Any] = {
        "grpc_health": health,
        "routes": routes(module),
        "calls": _http_calls(module),
        "servicers": servicers,
        "grpc_servers": servers,
        "functions": _functions(module),
        "defined": sorted({s.qualname for s in module.scopes if s.kind == "function"}),
        "circuit_breaker": any(q.split(".")[0] in BREAKERS for q in module.imports.values()),
    }
    if "facts.topics" not in module._cache and not may_message(module):
        return facts  # no broker client can be here: no topics, consumers or publishes
    if "facts.topics" not in module._cache:
        from .kafka.build import kafka

        kafka(module)  # leaves the module's literal topics in facts.topics
    topics = module._cache.get("facts.topics")
    if topics:
        facts["topics"] = topics
    consumers, publishes = _consumers(module)
    if consumers:
        facts["consumers"] = consumers
    if publishes:
        facts["publishes"] = publishes
    return facts


def facts_of(artifact: Artifact) -> dict[str, Any]:
    """What cross-file rules need from a parsed file (JSON-serialisable, cached with its findings):
    for Python and OpenAPI the analyses above, for other kinds what the artifact itself reads."""
    if isinstance(artifact, PyModule):
        return collect(artifact)
    if isinstance(artifact, OpenAPIDoc):
        return openapi_facts(artifact)
    if artifact.kind == "proto":  # by kind: importing the proto reader (its grammar) costs a Python run 70 ms
        facts = artifact.facts()
        found = shape(artifact)
        if found is not None:
            facts["shape"] = found
        return facts
    return artifact.facts()
