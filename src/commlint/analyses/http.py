"""The outbound-call model shared by the CL1xx checks.

``http_calls(module)`` finds every outbound HTTP or gRPC call and every client
construction in a module, resolved through imports and aliases and followed
from where a client is built to where it is used. Each ``HttpCall`` knows its
library, HTTP method, URL (or base URL / host / gRPC target), timeout and
headers expressions and its enclosing function.
"""

from __future__ import annotations

import re
from ..core.records import field, record
from typing import Any

from ..artifacts import pynodes as cst
from ..artifacts.pybuild import parse_expression

from ..artifacts.python import (
    CallSite,
    Origin,
    PyModule,
    Scope,
    parameter,
)
from ..artifacts.python import dotted as dotted_name
from .values import Argument, argument, bind_partial, bind_remote_partial, text

# -- the libraries ---------------------------------------------------------------

VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
# calls whose first argument is the HTTP method and the second the URL
METHOD_FIRST = frozenset({"request", "stream", "urlopen", "request_encode_url", "request_encode_body"})


@record(frozen=True, eq=False)
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


# -- the calls ----------------------------------------------------------------------------


@record(eq=False)
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
    # for "method": the client was built in another module of the tree, by a factory the project
    # index read (its construction as written there), or is a parameter annotated as a client
    remote: Any = None  # analyses.index.Built
    annotated: bool = False

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


PARTIAL = "functools.partial"


def _bound(module: PyModule, site: CallSite) -> tuple[cst.BaseExpression, str | None]:
    """What a call really calls: for ``get(url)`` with ``get = functools.partial(requests.get, timeout=5)``,
    ``requests.get``, the partial's arguments then counting as the call's own (``values.argument``).
    A partial of another module of the tree is read through the project index: the library function
    it binds, as (the call's own function, its qualified name)."""
    func = site.node.func
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return func, None
    o = module.origin(func, site.scope)
    if o is not None and o.call is None and not o.qualname.startswith(LIBRARY_PREFIXES):
        return func, _remote_partial(module, site.node, o.qualname)
    if o is None or o.qualname != PARTIAL or o.call is None:
        return func, None
    first = next((a for a in o.call.args if a.keyword is None and not a.star), None)
    if first is None or first is not o.call.args[0]:
        return func, None
    bind_partial(module, site.node, o.call)
    return first.value, None


def _remote_partial(module: PyModule, call: cst.Call, q: str) -> str | None:
    """The library function a ``functools.partial`` of another module binds (``from app.http import
    get`` with ``get = partial(requests.get, timeout=5)`` there), or None."""
    from .index import find

    d = find(module, q, (b"partial",))
    if d is None or d.kind != "partial" or d.call is None or not d.call.positional:
        return None
    first = d.call.positional[0]
    target = canonical(d.summary.resolve(first.value)) if first.kind == "name" and isinstance(first.value, str) else ""
    if target not in FUNCTIONS:
        return None
    bind_remote_partial(module, call, d.call)
    return target


def _classify(module: PyModule, site: CallSite) -> HttpCall | None:
    call = site.node
    func, remote = _bound(module, site)
    q = remote or qualname(module, func)
    if q is not None and (q in FUNCTIONS or q in CLIENTS):
        role, lib = ("function", FUNCTIONS[q]) if q in FUNCTIONS else ("client", CLIENTS[q])
        t = argument(module, call, site.scope, "timeout", lib.timeout_index.get(q))
        return HttpCall(site, lib, role, q, q.rsplit(".", 1)[-1], None, t.expr, t.unknown, t.where)
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    receiver = func.value
    if method in GRPC_CALL_SUFFIXES and isinstance(receiver, cst.Attribute):
        # stub.Method.future(request, timeout=...)
        origin = origin_of(module, receiver.value, site.scope)
        if origin is not None and is_grpc_stub(origin.qualname):
            t = argument(module, call, site.scope, "timeout", GRPC.method_timeout_index)
            rpc = receiver.attr.value
            return HttpCall(site, GRPC, "method", f"{origin.qualname}.{rpc}", rpc, origin, t.expr, t.unknown, t.where)
    origin = origin_of(module, receiver, site.scope)
    if origin is None:
        q = annotated_client(module, receiver, site.scope)
        if q is None or method not in (CLIENTS[q].methods or ()):
            return None
        t = argument(module, call, site.scope, "timeout", CLIENTS[q].method_timeout_index)
        return HttpCall(site, CLIENTS[q], "method", f"{q}.{method}", method, Origin(q, None), t.expr, t.unknown,
                        t.where, annotated=True)
    lib = CLIENTS.get(origin.qualname)
    if lib is None and origin.call is not None and not origin.qualname.startswith(LIBRARY_PREFIXES):
        built = factory_client(module, origin.qualname)
        if built is not None and method in (CLIENTS[built.qualname].methods or ()):
            lib = CLIENTS[built.qualname]
            t = argument(module, call, site.scope, "timeout", lib.method_timeout_index)
            return HttpCall(site, lib, "method", f"{built.qualname}.{method}", method,
                            Origin(built.qualname, None), t.expr, t.unknown, t.where, remote=built)
    if lib is None and is_grpc_stub(origin.qualname) and method[:1].isupper():
        lib = GRPC
    if lib is None or (lib.methods is not None and method not in lib.methods):
        return None
    t = argument(module, call, site.scope, "timeout", lib.method_timeout_index)
    return HttpCall(site, lib, "method", f"{origin.qualname}.{method}", method, origin, t.expr, t.unknown, t.where)


def annotated_client(module: PyModule, expr: cst.BaseExpression, scope: Scope) -> str | None:
    """The client class a parameter is annotated with (``session: aiohttp.ClientSession``,
    ``Optional[httpx.AsyncClient]``), or None."""
    if not isinstance(expr, cst.Name) or not module.is_opaque(expr.value, scope):
        return None
    p = parameter(scope, expr.value)
    return _annotation_client(module, p.annotation.annotation) if p is not None and p.annotation is not None else None


def _annotation_client(module: PyModule, ann: cst.BaseExpression) -> str | None:
    if isinstance(ann, cst.SimpleString):
        try:
            ann = parse_expression(str(ann.evaluated_value))
        except Exception:  # noqa: BLE001 - a string annotation that is not an expression
            return None
    if isinstance(ann, cst.Subscript) and (dotted_name(ann.value) or "").rsplit(".", 1)[-1] in ("Optional", "Annotated"):
        first = ann.slice[0].slice if ann.slice else None
        return _annotation_client(module, first.value) if isinstance(first, cst.Index) else None
    if isinstance(ann, cst.BinaryOperation) and isinstance(ann.operator, cst.BitOr):
        for side in (ann.left, ann.right):
            if not (isinstance(side, cst.Name) and side.value == "None"):
                return _annotation_client(module, side)
        return None
    q = qualname(module, ann)
    return q if q in CLIENTS else None


def factory_client(module: PyModule, q: str) -> Any:
    """The HTTP client a function of another module returns (``make_client()`` returning
    ``httpx.AsyncClient(base_url=..., timeout=...)``), read through the project index."""
    from .index import constructions

    for built in constructions(module, q, (b"requests", b"httpx", b"aiohttp", b"urllib3", b"http.client")):
        if built.qualname in CLIENTS:
            return built
    return None


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
