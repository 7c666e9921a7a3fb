"""The header names an outbound call or client sets, through dicts, constants, mutations and client defaults (unknown when they cannot be read)."""

from __future__ import annotations

from ..core.records import record

from ..artifacts import pynodes as cst

from ..artifacts.python import (
    Origin,
    PyModule,
    Scope,
    keyword,
    parameter,
    positional,
)
from .http import (
    GRPC,
    GRPC_CHANNELS,
    HEADER_HOOKS,
    HTTP_CLIENT,
    LIBRARY_PREFIXES,
    URLLIB,
    VERBS,
    HttpCall,
    client_method_calls,
    client_stores,
    grpc_channel,
    http_calls,
    qualname,
)
from .values import _is_builtin, _kwargs, argument, is_none, resolve, text

# -- headers -----------------------------------------------------------------------------


@record(frozen=True)
class Headers:
    """Header names (lower case) a call sets; ``complete`` False when more may come from code we cannot read;
    ``forwards`` when the incoming request's headers are passed on whole (its correlation ID with them)."""

    names: frozenset[str] = frozenset()
    complete: bool = True
    forwards: bool = False

    def __or__(self, other: Headers) -> Headers:
        return Headers(self.names | other.names, self.complete and other.complete, self.forwards or other.forwards)


UNKNOWN_HEADERS = Headers(frozenset(), False)
# what the incoming request carried, passed on (whole, or copied by a comprehension): its names are not
# known, but nothing else adds any (its X-Request-ID goes with it; its X-Caller-Service names its caller)
FORWARDED = Headers(frozenset(), True, True)
INBOUND_REQUESTS = frozenset({"flask.request", "quart.request"})  # the request being served, as a global
REQUEST_CLASSES = frozenset({
    "fastapi.Request", "starlette.requests.Request", "aiohttp.web.Request", "aiohttp.web.BaseRequest",
    "aiohttp.web_request.Request", "django.http.HttpRequest", "flask.Request", "werkzeug.Request",
    "werkzeug.wrappers.Request", "sanic.Request", "sanic.request.Request", "tornado.httputil.HTTPServerRequest",
})


def inbound_headers(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> bool:
    """Whether ``expr`` is the headers of the request being served: ``request.headers`` of Flask's
    ``request``, or of a handler's parameter annotated as a framework's request or named ``request``."""
    if not (isinstance(expr, cst.Attribute) and expr.attr.value == "headers"):
        return False
    base = expr.value
    if qualname(module, base) in INBOUND_REQUESTS:
        return True
    p = parameter(scope, base.value) if isinstance(base, cst.Name) else None
    if p is None:
        return False
    return base.value == "request" if p.annotation is None else qualname(module, p.annotation.annotation) in REQUEST_CLASSES


def header_names(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, _depth: int = 0) -> Headers:
    """The names a headers mapping (or gRPC metadata sequence) sets, through constants and ``**``."""
    if expr is None or is_none(expr):
        return Headers()
    if _depth > 8:
        return UNKNOWN_HEADERS
    if inbound_headers(module, expr, scope):
        return FORWARDED
    value = resolve(module, expr, scope)
    if value is None:
        return UNKNOWN_HEADERS
    if isinstance(value, cst.DictComp) and _copies_inbound(module, value, scope):
        return FORWARDED  # {k: v for k, v in request.headers.items() if k.lower() != "host"}
    extra = Headers()
    if isinstance(expr, cst.Name) and value is not expr:
        extra = _mutations(module, expr, scope)
    if isinstance(value, cst.Dict):
        out = extra
        for el in value.elements:
            if isinstance(el, cst.StarredDictElement):
                out = out | header_names(module, el.value, scope, _depth + 1)
                continue
            k = text(module, el.key, scope)
            out = out | (Headers(frozenset({k.value.lower()})) if k is not None and k.complete else UNKNOWN_HEADERS)
        return out
    if isinstance(value, (cst.List, cst.Tuple)):  # [("x-request-id", v), ...]
        out = extra
        for el in value.elements:
            pair = resolve(module, el.value, scope)
            if isinstance(el, cst.StarredElement) or not isinstance(pair, (cst.Tuple, cst.List)) or not pair.elements:
                return UNKNOWN_HEADERS
            k = text(module, pair.elements[0].value, scope)
            out = out | (Headers(frozenset({k.value.lower()})) if k is not None and k.complete else UNKNOWN_HEADERS)
        return out
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, (cst.BitOr, cst.Add)):
        return extra | header_names(module, value.left, scope, _depth + 1) | header_names(
            module, value.right, scope, _depth + 1
        )
    if isinstance(value, cst.Call):
        returned = _returned_headers(module, value, scope)
        if returned is not None:
            return extra | returned
        q = qualname(module, value.func) or ""
        wrapper = _is_builtin(module, value.func, "dict") or q in (
            "httpx.Headers", "requests.structures.CaseInsensitiveDict", "multidict.CIMultiDict",
            "multidict.CIMultiDictProxy", "aiohttp.helpers.CIMultiDict", "urllib3.HTTPHeaderDict",
            "urllib3._collections.HTTPHeaderDict",
        )
        if wrapper:
            out = extra
            for a in value.args:
                if a.keyword is not None:
                    out = out | Headers(frozenset({a.keyword.value.lower()}))
                else:
                    out = out | header_names(module, a.value, scope, _depth + 1)
            return out
    return UNKNOWN_HEADERS


def _copies_inbound(module: PyModule, comp: cst.DictComp, scope: Scope) -> bool:
    """``{k: v for k, v in request.headers.items()}``: the incoming request's headers, key for key."""
    loop = comp.for_in
    it = loop.iter
    if loop.inner_for_in is not None or not (isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and it.func.attr.value == "items"
            and inbound_headers(module, it.func.value, scope)):
        return False
    target = loop.target
    return isinstance(target, cst.Tuple) and len(target.elements) == 2 and all(
        isinstance(t, cst.Name) and isinstance(e, cst.Name) and t.value == e.value
        for t, e in zip((el.value for el in target.elements), (comp.key, comp.value)))


def _returned_headers(module: PyModule, call: cst.Call, scope: Scope) -> Headers | None:
    """The keys of the dict literal a helper returns (``self.auth_headers(token)``, ``build_headers()``,
    here or in another module), read through the project index; None when it is no such helper."""
    from .index import find, module_file, project_index

    f = call.func
    d = None
    q = module.qualname(f)
    if q is not None:
        if q.startswith(LIBRARY_PREFIXES):
            return None
        d = find(module, q)
    else:
        index, here = project_index(module), module_file(module)
        rest = None
        if isinstance(f, cst.Name) and module.lookup(f.value, scope) and all(
                isinstance(v, cst.FunctionDef) for v in module.lookup(f.value, scope)):
            rest = [f.value]
        elif isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == "self":
            cls = scope.enclosing_class()
            rest = [cls.name, f.attr.value] if cls is not None and cls.parent is module.module_scope else None
        if rest is not None and index is not None and here is not None:
            summary = index.summary_of(here)
            d = index.local(summary, here, rest, None) if summary is not None else None
    if d is None or d.function is None or not d.function.returns:
        return None
    out = Headers()
    for r in d.function.returns:
        if getattr(r, "kind", None) != "dict":
            return UNKNOWN_HEADERS  # some path returns something else
        out = out | Headers(frozenset(r.value), r.complete)
    return out


def _mutations(module: PyModule, name: cst.Name, scope: Scope) -> Headers:
    """What code does to a headers dict bound to ``name`` after building it."""
    binding = module.lookup(name.value, scope)
    out = Headers()
    for store in module.stores:
        t = store.target
        if isinstance(t, cst.Subscript) and _same_binding(module, t.value, name, store.scope, binding):
            key = t.slice[0].slice if len(t.slice) == 1 else None
            k = text(module, key.value, store.scope) if isinstance(key, cst.Index) else None
            out = out | (Headers(frozenset({k.value.lower()})) if k is not None and k.complete else UNKNOWN_HEADERS)
    for site in module.calls:
        f = site.node.func
        if isinstance(f, cst.Attribute) and _same_binding(module, f.value, name, site.scope, binding):
            if f.attr.value == "update" or f.attr.value == "setdefault":
                first = positional(site.node, 0)
                if f.attr.value == "setdefault":
                    k = text(module, first.value, site.scope) if first is not None else None
                    found = Headers(frozenset({k.value.lower()})) if k is not None and k.complete else UNKNOWN_HEADERS
                else:
                    found = header_names(module, first.value, site.scope) if first is not None else Headers()
                    found = found | Headers(frozenset(a.keyword.value.lower() for a in site.node.args if a.keyword))
                out = out | found
            elif f.attr.value not in ("get", "items", "keys", "values", "copy"):
                out = out | UNKNOWN_HEADERS
        elif any(_same_binding(module, a.value, name, site.scope, binding) for a in site.node.args) and not (
            isinstance(f, cst.Attribute) and f.attr.value in VERBS | {"stream", "ws_connect"}
        ) and keyword(site.node, "headers") is None:
            out = out | UNKNOWN_HEADERS  # handed to a function that may add to it
    return out


def _same_binding(module: PyModule, expr: cst.BaseExpression, name: cst.Name, scope: Scope, binding) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name.value and module.lookup(expr.value, scope) is binding


def adds_no_headers(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> bool:
    """Whether a hook/auth/transport value visibly sets no headers (None, a tuple, a library helper)."""
    value = resolve(module, expr, scope)
    if value is None:
        return False
    if is_none(value) or isinstance(value, (cst.Tuple, cst.SimpleString)):
        return True
    if isinstance(value, (cst.Dict, cst.List)) and not value.elements:
        return True
    if isinstance(value, cst.Call):
        q = qualname(module, value.func) or ""
        return q.startswith(LIBRARY_PREFIXES)
    return False


def client_headers(module: PyModule, client: HttpCall) -> Headers:
    """The headers a client built in this module sends on every call."""

    def build(m: PyModule) -> Headers:
        origin = Origin(client.qualname, client.node)
        out = header_names(m, argument(m, client.node, client.scope, "headers").expr, client.scope)
        if any(a.star == "**" for a in client.node.args) and _kwargs(m, client.node, client.scope) is None:
            out = out | UNKNOWN_HEADERS
        for arg in client.node.args:
            if arg.keyword is not None and arg.keyword.value in HEADER_HOOKS and not adds_no_headers(
                m, arg.value, client.scope
            ):
                out = out | UNKNOWN_HEADERS
        for attr, store in client_stores(m, origin):
            if attr == "headers[]":
                key = store.target.slice[0].slice if len(store.target.slice) == 1 else None
                k = text(m, key.value, store.scope) if isinstance(key, cst.Index) else None
                out = out | (Headers(frozenset({k.value.lower()})) if k is not None and k.complete else UNKNOWN_HEADERS)
            elif attr == "headers":
                out = out | header_names(m, store.value, store.scope)
            elif attr.rstrip("[]") in HEADER_HOOKS and not adds_no_headers(m, store.value, store.scope):
                out = out | UNKNOWN_HEADERS
        for name, site in client_method_calls(m, origin):
            first = positional(site.node, 0)
            if name in ("headers.update", "headers.setdefault", "headers.__setitem__"):
                if name == "headers.update":
                    found = header_names(m, first.value, site.scope) if first is not None else Headers()
                else:
                    k = text(m, first.value, site.scope) if first is not None else None
                    found = Headers(frozenset({k.value.lower()})) if k is not None and k.complete else UNKNOWN_HEADERS
                out = out | found
            elif name == "mount":
                adapter = positional(site.node, 1)
                if adapter is None or not adds_no_headers(m, adapter.value, site.scope):
                    out = out | UNKNOWN_HEADERS
            elif name.split(".")[0] in HEADER_HOOKS:  # session.hooks["response"].append(...)
                out = out | UNKNOWN_HEADERS
        return out

    return module.analysis(f"sync_calls.client_headers.{id(client.node)}", build)


def call_headers(module: PyModule, call: HttpCall) -> Headers:
    """Every header name a call sends: its own, its client's and its request object's."""
    if call.role == "client" or (call.role == "method" and call.name == "send"):
        return UNKNOWN_HEADERS
    given = call.headers(module)
    out = UNKNOWN_HEADERS if given.unknown else header_names(module, given.expr, call.scope)
    for arg in call.node.args:
        if arg.keyword is not None and arg.keyword.value in HEADER_HOOKS and not adds_no_headers(
            module, arg.value, call.scope
        ):
            out = out | UNKNOWN_HEADERS
    if call.library is URLLIB:
        for name, site in client_method_calls(module, call.request_object(module)):
            if name in ("add_header", "add_unredirected_header"):
                arg = positional(site.node, 0)
                k = text(module, arg.value, site.scope) if arg is not None else None
                out = out | (Headers(frozenset({k.value.lower()})) if k is not None and k.complete else UNKNOWN_HEADERS)
        return out
    if call.role == "function":
        return out
    if call.library is GRPC:
        channel = grpc_channel(module, call.client)
        if channel is None or channel.call is None or channel.qualname not in GRPC_CHANNELS:
            return out | UNKNOWN_HEADERS  # an intercepted or unknown channel may add metadata
        if keyword(channel.call, "interceptors") is not None:
            return out | UNKNOWN_HEADERS
        return out
    if call.remote is not None:
        return out | remote_headers(call.remote)
    if call.client is None or call.client.call is None:
        return out | UNKNOWN_HEADERS
    owner = next((c for c in http_calls(module) if c.role == "client" and c.node is call.client.call), None)
    if owner is None:
        return out | UNKNOWN_HEADERS
    if call.library is HTTP_CLIENT:
        for name, site in client_method_calls(module, call.client):
            if name == "putheader":
                arg = positional(site.node, 0)
                k = text(module, arg.value, site.scope) if arg is not None else None
                out = out | (Headers(frozenset({k.value.lower()})) if k is not None and k.complete else UNKNOWN_HEADERS)
    return out | client_headers(module, owner)


def remote_headers(built) -> Headers:  # noqa: ANN001 - analyses.index.Built
    """The headers a client built by a factory in another module sends: its ``headers=`` dict as
    written there; unknown when the factory may add more (hooks, ``**options``, ``.headers`` changed)."""
    info = built.call
    if info.star_kwargs or any(info.kw(h) is not None for h in HEADER_HOOKS):
        return UNKNOWN_HEADERS
    given = info.kw("headers")
    if given is None:
        return UNKNOWN_HEADERS if "headers" in built.function.names or "mount" in built.function.names else Headers()
    if given.kind == "dict" and "headers" not in built.function.names:
        return Headers(frozenset(given.value), given.complete)
    return UNKNOWN_HEADERS
