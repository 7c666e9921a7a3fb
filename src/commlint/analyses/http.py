"""The outbound-call model shared by the CL1xx checks.

``http_calls(module)`` finds every outbound HTTP or gRPC call and every client
construction in a module, resolved through imports and aliases and followed
from where a client is built to where it is used. Each ``HttpCall`` knows its
library, HTTP method, URL (or base URL / host / gRPC target), timeout and
headers expressions and its enclosing function; ``HttpCall.fact()`` is the
JSON-serialisable record cross-file rules can read.

The value helpers below (``resolve``, ``number``, ``text``, ``header_names``,
``timeout_spec``) read literals through module constants and say "unknown"
(None) for anything that cannot be known statically: parameters, names bound
more than once, values built by calls we cannot see into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ..artifacts.python import (
    CallSite,
    Origin,
    PyModule,
    Scope,
    has_star_kwargs,
    keyword,
    positional,
)

# -- the libraries ---------------------------------------------------------------

VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
# calls whose first argument is the HTTP method and the second the URL
METHOD_FIRST = frozenset({"request", "stream", "urlopen", "request_encode_url", "request_encode_body"})


@dataclass(frozen=True, eq=False)
class Library:
    name: str
    functions: frozenset[str] = frozenset()  # module-level functions that make a request
    clients: frozenset[str] = frozenset()  # constructors of client objects
    methods: frozenset[str] | None = VERBS  # client methods that make a request; None: any RPC
    client_timeout: bool = True  # whether the constructor takes a timeout for its calls
    call_timeout: bool = True  # whether each call takes a timeout
    timeout_index: dict[str, int] = field(default_factory=dict)  # qualname -> positional index
    method_timeout_index: int | None = None  # positional index of a method call's timeout
    header_index: dict[str, int] = field(default_factory=dict)  # method -> positional index of headers
    default: str = ""  # what happens when no timeout is given
    pooled_functions: bool = False  # module functions share one pool (urllib3.request)

    def __hash__(self) -> int:
        return hash(self.name)


REQUESTS = Library(
    "requests",
    functions=frozenset(f"requests.{v}" for v in VERBS) | frozenset(f"requests.api.{v}" for v in VERBS),
    clients=frozenset({"requests.Session", "requests.sessions.Session", "requests.session"}),
    methods=VERBS | {"send"},
    client_timeout=False,
    default="requests waits forever by default",
)
HTTPX = Library(
    "httpx",
    functions=frozenset(f"httpx.{v}" for v in VERBS | {"stream"}),
    clients=frozenset({"httpx.Client", "httpx.AsyncClient"}),
    methods=VERBS | {"stream", "send"},
    default="httpx falls back to an implicit 5 s default nobody chose",
)
AIOHTTP = Library(
    "aiohttp",
    functions=frozenset({"aiohttp.request"}),
    clients=frozenset({"aiohttp.ClientSession", "aiohttp.client.ClientSession"}),
    methods=VERBS | {"ws_connect"},
    default="aiohttp's default is 300 s in total with no read bound",
)
URLLIB3 = Library(
    "urllib3",
    functions=frozenset({"urllib3.request"}),
    clients=frozenset(
        {
            "urllib3.PoolManager",
            "urllib3.ProxyManager",
            "urllib3.HTTPConnectionPool",
            "urllib3.HTTPSConnectionPool",
            "urllib3.connection_from_url",
            "urllib3.poolmanager.PoolManager",
            "urllib3.connectionpool.HTTPConnectionPool",
            "urllib3.connectionpool.HTTPSConnectionPool",
        }
    ),
    methods=frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    default="urllib3 uses the socket default, which waits forever",
    pooled_functions=True,
)
URLLIB = Library(
    "urllib",
    functions=frozenset({"urllib.request.urlopen"}),
    timeout_index={"urllib.request.urlopen": 2},
    client_timeout=False,
    methods=frozenset(),
    default="urlopen uses the socket default, which waits forever",
)
HTTP_CLIENT = Library(
    "http.client",
    clients=frozenset({"http.client.HTTPConnection", "http.client.HTTPSConnection"}),
    timeout_index={"http.client.HTTPConnection": 2, "http.client.HTTPSConnection": 2},
    methods=frozenset({"request"}),
    call_timeout=False,
    header_index={"request": 3},
    default="the connection uses the socket default, which waits forever",
)
GRPC = Library(
    "grpc",
    methods=None,
    client_timeout=False,
    method_timeout_index=1,  # stub.Method(request, timeout=None, metadata=None, ...)
    header_index={"*": 2},
    default="a gRPC call with no deadline waits forever",
)
LIBRARIES = (REQUESTS, HTTPX, AIOHTTP, URLLIB3, URLLIB, HTTP_CLIENT)
FUNCTIONS = {q: lib for lib in LIBRARIES for q in lib.functions}
CLIENTS = {q: lib for lib in LIBRARIES for q in lib.clients}
GRPC_CHANNELS = frozenset(
    {"grpc.insecure_channel", "grpc.secure_channel", "grpc.aio.insecure_channel", "grpc.aio.secure_channel"}
)
GRPC_CALL_SUFFIXES = ("future", "with_call")
# names under which the libraries' own helpers live: a value built by one of
# them (``httpx.BasicAuth``, ``requests.adapters.HTTPAdapter``) adds no headers
LIBRARY_PREFIXES = ("requests.", "httpx.", "aiohttp.", "urllib3.", "urllib.", "http.", "grpc.")
# client keyword arguments through which code we cannot see may set headers
HEADER_HOOKS = frozenset({"event_hooks", "auth", "transport", "mounts", "middlewares", "trace_configs", "hooks"})


def is_grpc_stub(qualname: str) -> bool:
    return qualname.rsplit(".", 1)[-1].endswith("Stub") and "." in qualname


# -- names -------------------------------------------------------------------------------

# vendored copies answer to the library's own name: pip._vendor.requests, requests.packages.urllib3
VENDORED = re.compile(r"^(?:[\w.]+\._vendor\.|requests\.packages\.)")


def canonical(q: str) -> str:
    return VENDORED.sub("", q) if "_vendor." in q or q.startswith("requests.packages.") else q


def qualname(module: PyModule, expr: cst.BaseExpression) -> str | None:
    """``module.qualname`` with vendored copies of the libraries under their own names."""
    q = module.qualname(expr)
    return canonical(q) if q is not None else None


def origin_of(module: PyModule, expr: cst.BaseExpression, scope: Scope) -> Origin | None:
    """``module.origin`` with vendored copies of the libraries under their own names."""
    o = module.origin(expr, scope)
    return Origin(canonical(o.qualname), o.call) if o is not None else None


# -- values ----------------------------------------------------------------------------


def is_none(expr: Any) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def resolve(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> cst.BaseExpression | None:
    """Follow names to the single value they are bound to; None when that cannot be known.

    A parameter, a loop target or a name bound more than once is unknown; an
    unbound name (a builtin, a star import) is unknown too.
    """
    for _ in range(8):
        if not isinstance(expr, cst.Name) or expr.value in ("None", "True", "False"):
            return expr
        if module.is_opaque(expr.value, scope):
            return None
        values = module.lookup(expr.value, scope)
        if len(values) != 1 or expr.value in module.imports and not values:
            return None
        expr = values[0]
    return None


def number(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> float | None:
    """The value of a numeric literal, a constant bound to one, or simple arithmetic on them."""
    value = resolve(module, expr, scope)
    if isinstance(value, (cst.Integer, cst.Float)):
        try:
            return float(value.evaluated_value)
        except (OverflowError, ValueError):
            return float("inf")  # a literal too large for a float is, for a timeout, unbounded in practice
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        n = number(module, value.expression, scope)
        return -n if n is not None else None
    if isinstance(value, cst.BinaryOperation):
        left, right = number(module, value.left, scope), number(module, value.right, scope)
        if left is None or right is None:
            return None
        op = value.operator
        if isinstance(op, cst.Add):
            return left + right
        if isinstance(op, cst.Subtract):
            return left - right
        if isinstance(op, cst.Multiply):
            return left * right
        if isinstance(op, (cst.Divide, cst.FloorDivide)) and right:
            return left / right if isinstance(op, cst.Divide) else left // right
    return None


@dataclass(frozen=True)
class Text:
    """A string value as far as it is known: ``value`` is its (start of) text."""

    value: str
    complete: bool  # False: only a prefix is known (an f-string with a runtime part)
    node: cst.BaseExpression  # the literal the text starts in (a constant's, for ``f"{BASE}/x"``)


def text(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, _depth: int = 0) -> Text | None:
    """The literal text of a string expression, through constants, ``+`` and f-strings."""
    value = resolve(module, expr, scope)
    if value is None or _depth > 8:
        return None
    if isinstance(value, cst.SimpleString):
        try:
            s = value.evaluated_value
        except Exception:  # noqa: BLE001 - odd literals are just unknown
            return None
        return Text(s, True, value) if isinstance(s, str) else None
    if isinstance(value, cst.ConcatenatedString):
        return _join(text(module, value.left, scope, _depth + 1),
                     lambda: text(module, value.right, scope, _depth + 1))
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return _join(text(module, value.left, scope, _depth + 1),
                     lambda: text(module, value.right, scope, _depth + 1))
    if isinstance(value, cst.FormattedString):
        out: list[str] = []
        start: cst.BaseExpression = value
        for i, part in enumerate(value.parts):
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value)
                continue
            inner = None
            if isinstance(part, cst.FormattedStringExpression) and part.format_spec is None and part.conversion is None:
                inner = text(module, part.expression, scope, _depth + 1)
            if inner is None:
                return Text("".join(out), False, start)
            if i == 0:
                start = inner.node
            out.append(inner.value)
            if not inner.complete:
                return Text("".join(out), False, start)
        return Text("".join(out), True, start)
    return None


def _join(left: Text | None, right) -> Text | None:
    if left is None:
        return None
    if not left.complete:
        return Text(left.value, False, left.node)
    r = right()
    if r is None:
        return Text(left.value, False, left.node)
    return Text(left.value + r.value, r.complete, left.node)


def _kwargs(module: PyModule, call: cst.Call, scope: Scope) -> dict[str, cst.BaseExpression] | None:
    """Keys of ``**mapping`` arguments when every mapping is a dict we can read, else None."""
    keys: dict[str, cst.BaseExpression] = {}
    for arg in call.args:
        if arg.star != "**":
            continue
        value = resolve(module, arg.value, scope)
        if isinstance(value, cst.Call) and _is_builtin(module, value.func, "dict"):
            for a in value.args:
                if a.keyword is None:
                    return None
                keys[a.keyword.value] = a.value
            continue
        if not isinstance(value, cst.Dict):
            return None
        for el in value.elements:
            if not isinstance(el, cst.DictElement):
                return None
            k = text(module, el.key, scope)
            if k is None or not k.complete:
                return None
            keys[k.value] = el.value
    return keys


def _is_builtin(module: PyModule, func: cst.BaseExpression, name: str) -> bool:
    return isinstance(func, cst.Name) and func.value == name and qualname(module, func) is None


@dataclass(frozen=True)
class Argument:
    """What a call passes for one parameter: ``expr``; ``unknown`` when a mapping we cannot read may carry it."""

    expr: cst.BaseExpression | None
    unknown: bool = False
    at: cst.BaseExpression | None = None  # what the call itself writes (``**options`` for a mapping's key)

    @property
    def where(self) -> cst.BaseExpression | None:
        return self.at if self.at is not None else self.expr


def argument(module: PyModule, call: cst.Call, scope: Scope, name: str, index: int | None = None) -> Argument:
    arg = keyword(call, name)
    if arg is not None:
        return Argument(arg.value)
    if index is not None:
        pos = positional(call, index)
        if pos is not None:
            return Argument(pos.value)
        if any(a.star == "*" for a in call.args):
            return Argument(None, True)
    if has_star_kwargs(call):
        keys = _kwargs(module, call, scope)
        if keys is None:
            return Argument(None, True)
        if name in keys:
            star = next(a.value for a in call.args if a.star == "**")
            return Argument(keys[name], at=star)
    return Argument(None)


# -- the calls ----------------------------------------------------------------------------


@dataclass(eq=False)
class HttpCall:
    """An outbound call (``role`` "function" or "method") or a client construction ("client")."""

    site: CallSite
    library: Library
    role: str
    qualname: str
    name: str  # the function or method called: "get", "request", "CheckStock", "Client"
    client: Origin | None = None  # for "method": what built the client (or stub)
    timeout: cst.BaseExpression | None = None  # the explicit timeout given here
    timeout_unknown: bool = False  # a mapping or *args we cannot read may carry one
    timeout_at: cst.BaseExpression | None = None  # where the call writes it (the value, or ``**mapping``)
    uses: list[HttpCall] = field(default_factory=list)  # for "client": its calls in this module

    @property
    def node(self) -> cst.Call:
        return self.site.node

    @property
    def scope(self) -> Scope:
        return self.site.scope

    # -- what the call says, as far as it can be read --------------------------------
    def method(self, module: PyModule) -> str | None:
        """The HTTP method (``GET``), or the RPC name for a gRPC call."""
        if self.role == "client":
            return None
        if self.library is GRPC:
            return self.name
        if self.library is URLLIB:
            data = argument(module, self.node, self.scope, "data", 1)
            return "GET" if data.expr is None and not data.unknown else None
        if self.name in METHOD_FIRST:
            t = text(module, argument(module, self.node, self.scope, "method", 0).expr, self.scope)
            return t.value.upper() if t is not None and t.complete else None
        return self.name.upper() if self.name in VERBS else None

    def url(self, module: PyModule) -> cst.BaseExpression | None:
        """The URL (a call), base URL or host (a client), or gRPC target (a stub call) expression."""
        node, scope = self.node, self.scope
        if self.library is GRPC:
            return grpc_target(module, self.client)
        if self.role == "client":
            if self.library is HTTPX:
                return argument(module, node, scope, "base_url").expr
            if self.library is AIOHTTP:
                return argument(module, node, scope, "base_url", 0).expr
            if self.library in (URLLIB3, HTTP_CLIENT) and not self.qualname.endswith("Manager"):
                return argument(module, node, scope, "url" if "from_url" in self.qualname else "host", 0).expr
            return None
        if self.name == "send":
            return None
        if self.library is URLLIB:
            request = self.request_object(module)
            return argument(module, request.call, scope, "url", 0).expr if request else \
                argument(module, node, scope, "url", 0).expr
        return argument(module, node, scope, "url", 1 if self.name in METHOD_FIRST else 0).expr

    def headers(self, module: PyModule) -> Argument:
        """The headers (gRPC: metadata) this call passes."""
        if self.library is GRPC:
            return argument(module, self.node, self.scope, "metadata", self.library.header_index["*"])
        if self.library is URLLIB:
            request = self.request_object(module)
            if request is not None:
                return argument(module, request.call, self.scope, "headers", 2)
            first = argument(module, self.node, self.scope, "url", 0).expr
            return Argument(None, text(module, first, self.scope) is None)
        index = self.library.header_index.get(self.name)
        found = argument(module, self.node, self.scope, "headers", index)
        if found.expr is None and index is None and self.library is URLLIB3 and len(
            [a for a in self.node.args if a.keyword is None and not a.star]
        ) > 3:
            return Argument(None, True)  # urllib3's positional layout changed between versions
        return found

    def request_object(self, module: PyModule) -> Origin | None:
        """For ``urlopen(req)``: the ``urllib.request.Request(...)`` that built ``req``."""
        first = argument(module, self.node, self.scope, "url", 0).expr
        request = origin_of(module, first, self.scope) if first is not None else None
        if request is None or request.qualname != "urllib.request.Request" or request.call is None:
            return None
        return request

    def fact(self, module: PyModule) -> dict[str, Any]:
        """A JSON-serialisable record of the call for cross-file rules."""
        url = self.url(module)
        t = text(module, url, self.scope) if url is not None else None
        fn = self.scope.enclosing_function()
        return {
            "library": self.library.name,
            "role": self.role,
            "callee": self.qualname,
            "method": self.method(module),
            "url": t.value if t is not None else None,
            "url_complete": bool(t and t.complete),
            "function": fn.qualname if fn is not None else None,
            "line": module.span(self.node)[0],
        }


def _classify(module: PyModule, site: CallSite) -> HttpCall | None:
    call = site.node
    q = qualname(module, call.func)
    if q is not None and (q in FUNCTIONS or q in CLIENTS):
        role, lib = ("function", FUNCTIONS[q]) if q in FUNCTIONS else ("client", CLIENTS[q])
        t = argument(module, call, site.scope, "timeout", lib.timeout_index.get(q))
        return HttpCall(site, lib, role, q, q.rsplit(".", 1)[-1], None, t.expr, t.unknown, t.where)
    if not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    receiver = call.func.value
    if method in GRPC_CALL_SUFFIXES and isinstance(receiver, cst.Attribute):
        # stub.Method.future(request, timeout=...)
        origin = origin_of(module, receiver.value, site.scope)
        if origin is not None and is_grpc_stub(origin.qualname):
            t = argument(module, call, site.scope, "timeout", GRPC.method_timeout_index)
            rpc = receiver.attr.value
            return HttpCall(site, GRPC, "method", f"{origin.qualname}.{rpc}", rpc, origin, t.expr, t.unknown, t.where)
    origin = origin_of(module, receiver, site.scope)
    if origin is None:
        return None
    lib = CLIENTS.get(origin.qualname)
    if lib is None and is_grpc_stub(origin.qualname) and method[:1].isupper():
        lib = GRPC
    if lib is None or (lib.methods is not None and method not in lib.methods):
        return None
    t = argument(module, call, site.scope, "timeout", lib.method_timeout_index)
    return HttpCall(site, lib, "method", f"{origin.qualname}.{method}", method, origin, t.expr, t.unknown, t.where)


def http_calls(module: PyModule) -> list[HttpCall]:
    """Every outbound call and client construction in the module (computed once)."""

    def build(m: PyModule) -> list[HttpCall]:
        out = [c for site in m.calls if (c := _classify(m, site)) is not None]
        clients = {id(c.node): c for c in out if c.role == "client"}
        for c in out:
            if c.role == "method" and c.client is not None and c.client.call is not None:
                owner = clients.get(id(c.client.call))
                if owner is not None:
                    owner.uses.append(c)
        return out

    return module.analysis("sync_calls.http", build)


def call_facts(module: PyModule) -> list[dict[str, Any]]:
    """The module's outbound calls (not client constructions) as JSON-serialisable facts."""
    return [c.fact(module) for c in http_calls(module) if c.role != "client"]


def grpc_target(module: PyModule, stub: Origin | None) -> cst.BaseExpression | None:
    """The target string of the channel a stub was built on: ``Stub(grpc.insecure_channel("host:50051"))``."""
    channel = grpc_channel(module, stub)
    if channel is None or channel.call is None:
        return None
    return argument(module, channel.call, _scope_of_call(module, channel.call), "target", 0).expr


def grpc_channel(module: PyModule, stub: Origin | None) -> Origin | None:
    if stub is None or stub.call is None:
        return None
    arg = argument(module, stub.call, _scope_of_call(module, stub.call), "channel", 0).expr
    return origin_of(module, arg, _scope_of_call(module, stub.call)) if arg is not None else None


def _scope_of_call(module: PyModule, call: cst.Call) -> Scope:
    index = module.analysis("sync_calls.call_scopes", lambda m: {id(s.node): s.scope for s in m.calls})
    return index.get(id(call), module.module_scope)


def scope_of(module: PyModule, call: cst.Call) -> Scope:
    """The scope a call node sits in."""
    return _scope_of_call(module, call)


def mounts_adapter(module: PyModule, origin: Origin | None) -> bool:
    """``session.mount(prefix, SomeAdapter(...))``: an adapter may set the timeout."""
    return any(name == "mount" for name, _ in client_method_calls(module, origin))


def client_method_calls(module: PyModule, origin: Origin | None) -> list[tuple[str, CallSite]]:
    """Every ``<client>.<name>(...)`` and ``<client>.<attr>.<name>(...)`` call on a client built in the module."""
    if origin is None or origin.call is None:
        return []
    out = []
    for site in module.calls:
        f = site.node.func
        if not isinstance(f, cst.Attribute):
            continue
        base = f.value
        for receiver, name in ((base, f.attr.value),) + (
            ((base.value, f"{base.attr.value}.{f.attr.value}"),) if isinstance(base, cst.Attribute) else ()
        ):
            o = origin_of(module, receiver, site.scope)
            if o is not None and o.call is origin.call:
                out.append((name, site))
    return out


def client_stores(module: PyModule, origin: Origin | None) -> list[tuple[str, Any]]:
    """Assignments to a client's attributes: ``session.headers["X"] = v`` -> ("headers", store)."""
    if origin is None or origin.call is None:
        return []
    out = []
    for store in module.stores:
        target = store.target
        sub = None
        if isinstance(target, cst.Subscript):
            sub, target = target, target.value
        if not isinstance(target, cst.Attribute):
            continue
        o = origin_of(module, target.value, store.scope)
        if o is not None and o.call is origin.call:
            out.append((target.attr.value + ("[]" if sub is not None else ""), store))
    return out


# -- headers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Headers:
    """Header names (lower case) a call sets; ``complete`` False when more may come from code we cannot read."""

    names: frozenset[str] = frozenset()
    complete: bool = True

    def __or__(self, other: Headers) -> Headers:
        return Headers(self.names | other.names, self.complete and other.complete)


UNKNOWN_HEADERS = Headers(frozenset(), False)


def header_names(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, _depth: int = 0) -> Headers:
    """The names a headers mapping (or gRPC metadata sequence) sets, through constants and ``**``."""
    if expr is None or is_none(expr):
        return Headers()
    if _depth > 8:
        return UNKNOWN_HEADERS
    value = resolve(module, expr, scope)
    if value is None:
        return UNKNOWN_HEADERS
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


# -- timeouts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """How one phase (connect, read, write, pool, total) of a timeout is bounded.

    ``state``: "set" (bounded by a value for this phase), "shared" (bounded by
    one number that covers several phases), "none" (explicitly unbounded),
    "omitted" (not given: the library's default, usually no limit).
    """

    state: str
    seconds: float | None = None  # when the bound is a known number
    node: cst.BaseExpression | None = None


@dataclass(frozen=True)
class TimeoutSpec:
    """A timeout value split into phases; ``single`` when the library takes one deadline only."""

    phases: dict[str, Phase]
    kind: str  # "number" | "none" | "tuple" | "httpx.Timeout" | "aiohttp.ClientTimeout" | "urllib3.Timeout"


HTTPX_TIMEOUT = ("httpx.Timeout", "httpx._config.Timeout")
AIOHTTP_TIMEOUT = ("aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout")
URLLIB3_TIMEOUT = ("urllib3.Timeout", "urllib3.util.Timeout", "urllib3.util.timeout.Timeout")
# the phases each library can bound separately
LIBRARY_PHASES = {
    "requests": ("connect", "read"),
    "httpx": ("connect", "read", "write", "pool"),
    "aiohttp": ("connect", "read"),
    "urllib3": ("connect", "read"),
}


def _phase(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, shared: bool = False) -> Phase:
    """A phase given by ``expr`` (None: not given)."""
    if expr is None:
        return Phase("omitted")
    value = resolve(module, expr, scope)
    if value is not None and is_none(value):
        return Phase("none", node=expr)
    return Phase("shared" if shared else "set", number(module, expr, scope), expr)


def timeout_spec(module: PyModule, expr: cst.BaseExpression, scope: Scope, library: Library) -> TimeoutSpec | None:
    """Split an explicit timeout value into phases; None when its value cannot be known."""
    value = resolve(module, expr, scope)
    if value is None:
        return None
    phases = LIBRARY_PHASES.get(library.name, ("total",))
    if is_none(value):
        return TimeoutSpec({p: Phase("none", node=expr) for p in phases}, "none")
    n = number(module, value, scope)
    if n is not None:
        return TimeoutSpec({p: Phase("shared", n, expr) for p in phases}, "number")
    if isinstance(value, (cst.Tuple, cst.List)) and library.name in ("requests", "httpx"):
        names = LIBRARY_PHASES[library.name]
        if len(value.elements) != len(names) or any(isinstance(e, cst.StarredElement) for e in value.elements):
            return None
        return TimeoutSpec({p: _phase(module, e.value, scope) for p, e in zip(names, value.elements)}, "tuple")
    if not isinstance(value, cst.Call):
        return None
    q = qualname(module, value.func) or ""

    def arg(name: str, index: int | None = None) -> cst.BaseExpression | None:
        return argument(module, value, scope, name, index).expr

    if q in HTTPX_TIMEOUT:
        default = arg("timeout", 0)
        out = {}
        for p in ("connect", "read", "write", "pool"):
            given = arg(p)
            out[p] = _phase(module, given, scope) if given is not None else _phase(module, default, scope, shared=True)
        return TimeoutSpec(out, "httpx.Timeout")
    if q in AIOHTTP_TIMEOUT:
        total = _phase(module, arg("total", 0), scope, shared=True)
        specific = {
            "connect": (_phase(module, arg("connect", 1), scope), _phase(module, arg("sock_connect", 3), scope)),
            "read": (_phase(module, arg("sock_read", 2), scope),),
        }
        return TimeoutSpec({p: _combine(own, total) for p, own in specific.items()}, "aiohttp.ClientTimeout")
    if q in URLLIB3_TIMEOUT:
        total = _phase(module, arg("total", 0), scope, shared=True)
        return TimeoutSpec(
            {p: _combine((_phase(module, arg(p, i), scope),), total) for p, i in (("connect", 1), ("read", 2))},
            "urllib3.Timeout",
        )
    return None


def _combine(own: tuple[Phase, ...], total: Phase) -> Phase:
    """A phase bounded by its own values or else by an overall total."""
    for p in own:
        if p.state == "set":
            return p
    if total.state == "shared":
        return total
    for p in (*own, total):
        if p.state == "none":
            return p
    return Phase("omitted")
