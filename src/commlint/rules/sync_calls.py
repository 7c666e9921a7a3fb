"""Synchronous calls in Python code (CL1xx): timeouts first.

The shared analysis, ``http_calls(module)``, finds every outbound HTTP or
gRPC call and client construction in a module, resolved through imports and
aliases and followed from the client's construction to its use. The checks
below read it; none re-walks the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
from ..model import Edit, Fix
from . import RuleContext, check

# -- the libraries ---------------------------------------------------------------

VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})


@dataclass(frozen=True)
class Library:
    name: str
    functions: frozenset[str] = frozenset()  # module-level functions that make a request
    clients: frozenset[str] = frozenset()  # constructors of client objects
    methods: frozenset[str] | None = VERBS  # client methods that make a request; None: any
    client_timeout: bool = True  # whether the constructor takes a timeout for its calls
    call_timeout: bool = True  # whether each call takes a timeout
    timeout_index: dict[str, int] = field(default_factory=dict)  # qualname -> positional index
    default: str = ""  # what happens when no timeout is given

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
    methods=frozenset(),
    call_timeout=False,
    default="the connection uses the socket default, which waits forever",
)
GRPC = Library(
    "grpc",
    methods=None,
    client_timeout=False,
    default="a gRPC call with no deadline waits forever",
)
LIBRARIES = (REQUESTS, HTTPX, AIOHTTP, URLLIB3, URLLIB, HTTP_CLIENT)
FUNCTIONS = {q: lib for lib in LIBRARIES for q in lib.functions}
CLIENTS = {q: lib for lib in LIBRARIES for q in lib.clients}
GRPC_CALL_SUFFIXES = ("future", "with_call")


def is_grpc_stub(qualname: str) -> bool:
    return qualname.rsplit(".", 1)[-1].endswith("Stub") and "." in qualname


# -- the analysis --------------------------------------------------------------------


@dataclass(eq=False)
class HttpCall:
    """An outbound call (``role`` "function" or "method") or a client construction ("client")."""

    site: CallSite
    library: Library
    role: str
    qualname: str
    client: Origin | None = None  # for "method": what built the client
    timeout: cst.BaseExpression | None = None  # the explicit timeout given here
    timeout_unknown: bool = False  # a **mapping we cannot read may carry one
    uses: list["HttpCall"] = field(default_factory=list)  # for "client": its calls in this module

    @property
    def node(self) -> cst.Call:
        return self.site.node

    @property
    def scope(self) -> Scope:
        return self.site.scope


def _kwargs_keys(module: PyModule, call: cst.Call, scope: Scope) -> dict[str, cst.BaseExpression] | None:
    """Keys of ``**mapping`` arguments when every mapping is a dict we can read, else None."""
    keys: dict[str, cst.BaseExpression] = {}
    for arg in call.args:
        if arg.star != "**":
            continue
        value = module.constant(arg.value, scope)
        if isinstance(value, cst.Call) and module.qualname(value.func) is None and _is_name(value.func, "dict"):
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
            k = el.key
            if isinstance(k, cst.SimpleString):
                keys[k.evaluated_value] = el.value  # type: ignore[index]
            else:
                return None
    return keys


def _is_name(expr: cst.BaseExpression, name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


def _timeout_arg(module: PyModule, call: cst.Call, scope: Scope, lib: Library, qualname: str):
    """(timeout expression or None, unknown?) for a call or constructor."""
    arg = keyword(call, "timeout")
    if arg is not None:
        return arg.value, False
    index = lib.timeout_index.get(qualname)
    if index is not None:
        pos = positional(call, index)
        if pos is not None:
            return pos.value, False
    if has_star_kwargs(call):
        keys = _kwargs_keys(module, call, scope)
        if keys is None:
            return None, True
        if "timeout" in keys:
            return keys["timeout"], False
    if any(arg.star == "*" for arg in call.args) and index is not None:
        return None, True
    return None, False


def _classify(module: PyModule, site: CallSite) -> HttpCall | None:
    call = site.node
    q = module.qualname(call.func)
    if q is not None:
        if q in FUNCTIONS:
            lib = FUNCTIONS[q]
            t, unknown = _timeout_arg(module, call, site.scope, lib, q)
            return HttpCall(site, lib, "function", q, timeout=t, timeout_unknown=unknown)
        if q in CLIENTS:
            lib = CLIENTS[q]
            t, unknown = _timeout_arg(module, call, site.scope, lib, q)
            return HttpCall(site, lib, "client", q, timeout=t, timeout_unknown=unknown)
    if not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    receiver = call.func.value
    if method in GRPC_CALL_SUFFIXES and isinstance(receiver, cst.Attribute):
        # stub.Method.future(request, timeout=...)
        origin = module.origin(receiver.value, site.scope)
        if origin is not None and is_grpc_stub(origin.qualname):
            t, unknown = _timeout_arg(module, call, site.scope, GRPC, "")
            return HttpCall(site, GRPC, "method", f"{origin.qualname}.{receiver.attr.value}", origin, t, unknown)
    origin = module.origin(receiver, site.scope)
    if origin is None:
        return None
    lib = CLIENTS.get(origin.qualname)
    if lib is None and is_grpc_stub(origin.qualname) and method[:1].isupper():
        lib = GRPC
    if lib is None or (lib.methods is not None and method not in lib.methods):
        return None
    t, unknown = _timeout_arg(module, call, site.scope, lib, "")
    return HttpCall(site, lib, "method", f"{origin.qualname}.{method}", origin, t, unknown)


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


def mounts_adapter(module: PyModule, origin: Origin | None) -> bool:
    """``session.mount(prefix, SomeAdapter(...))``: an adapter may set the timeout."""
    if origin is None or origin.call is None:
        return False
    for site in module.calls:
        f = site.node.func
        if isinstance(f, cst.Attribute) and f.attr.value == "mount":
            o = module.origin(f.value, site.scope)
            if o is not None and o.call is origin.call:
                return True
    return False


# -- timeout values ----------------------------------------------------------------------

_UNSET = object()


def _arg_value(module: PyModule, call: cst.Call, name: str, index: int | None, scope: Scope):
    arg = keyword(call, name)
    if arg is None and index is not None:
        arg = positional(call, index)
    if arg is None:
        return _UNSET
    return module.constant(arg.value, scope)


def _is_none(expr) -> bool:  # noqa: ANN001
    return isinstance(expr, cst.Name) and expr.value == "None"


def unbounded_phases(module: PyModule, expr: cst.BaseExpression, scope: Scope) -> list[str] | None:
    """The phases an explicit timeout value leaves unbounded, [] if none, None if unknown."""
    value = module.constant(expr, scope)
    if _is_none(value):
        return ["all"]
    if isinstance(value, (cst.Tuple, cst.List)):
        names = ("connect", "read", "write")
        return [names[i] if i < 3 else str(i) for i, el in enumerate(value.elements)
                if _is_none(module.constant(el.value, scope))]
    if isinstance(value, (cst.Integer, cst.Float)):
        return []
    if not isinstance(value, cst.Call):
        return None
    q = module.qualname(value.func) or ""
    if q in ("httpx.Timeout", "httpx._config.Timeout"):
        default = _arg_value(module, value, "timeout", 0, scope)
        phases = []
        for p in ("connect", "read", "write", "pool"):
            v = _arg_value(module, value, p, None, scope)
            if v is _UNSET:
                v = default
            if v is _UNSET or _is_none(v):
                # httpx.Timeout() with nothing set is an error at run time; None is unbounded
                if v is not _UNSET or default is not _UNSET:
                    phases.append(p)
        return phases
    if q in ("aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout"):
        get = {p: _arg_value(module, value, p, i, scope)
               for i, p in enumerate(("total", "connect", "sock_read", "sock_connect"))}

        def bounded(v) -> bool:  # noqa: ANN001
            return v is not _UNSET and not _is_none(v)

        phases = []
        if not (bounded(get["total"]) or bounded(get["connect"]) or bounded(get["sock_connect"])):
            phases.append("connect")
        if not (bounded(get["total"]) or bounded(get["sock_read"])):
            phases.append("read")
        return phases
    if q in ("urllib3.Timeout", "urllib3.util.Timeout", "urllib3.util.timeout.Timeout"):
        total = _arg_value(module, value, "total", 0, scope)
        phases = []
        for p, i in (("connect", 1), ("read", 2)):
            v = _arg_value(module, value, p, i, scope)
            if _is_none(v) and (total is _UNSET or _is_none(total)):
                phases.append(p)
        if _is_none(total) and not phases and all(
            _arg_value(module, value, p, i, scope) is _UNSET for p, i in (("connect", 1), ("read", 2))
        ):
            phases = ["all"]
        return phases
    return None


# -- fixes ------------------------------------------------------------------------------


def add_timeout_fix(module: PyModule, call: cst.Call, seconds: float) -> Fix | None:
    """Append ``timeout=<seconds>`` to a call, keeping its formatting."""
    if has_star_kwargs(call):
        return None
    arg = cst.Arg(
        keyword=cst.Name("timeout"),
        value=cst.Float(repr(float(seconds))),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    args = list(call.args)
    if args and isinstance(args[-1].comma, cst.Comma):
        # a trailing comma: ours goes after the last argument, in the same layout
        last = args[-1]
        if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
            separator = args[-2].comma
        else:
            separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args[-1] = last.with_changes(comma=separator)
        arg = arg.with_changes(comma=last.comma)
    new = call.with_changes(args=[*args, arg])
    start, end = module.node_offsets(call)
    return Fix(f"add timeout={float(seconds)!r}", (Edit(start, end, module.tree.code_for_node(new)),))


# -- the checks -----------------------------------------------------------------------------


def _describe(c: HttpCall) -> str:
    if c.role == "client":
        return f"`{c.qualname}(...)` client"
    return f"`{c.qualname}(...)` call"


@check("CL101")
def missing_timeout(ctx: RuleContext) -> None:
    module: PyModule = ctx.artifact
    seconds = float(ctx.options.get("fix-timeout", 5.0))
    for c in http_calls(module):
        if c.timeout is not None or c.timeout_unknown:
            continue
        lib = c.library
        if c.role == "client":
            if not lib.client_timeout and lib is not HTTP_CLIENT:
                continue
            if c.uses and all(u.timeout is not None or u.timeout_unknown for u in c.uses):
                continue  # every call it makes in this module sets its own timeout
            ctx.report(
                c.node,
                f"{_describe(c)} built without a timeout: {lib.default}. "
                "Set one on the client so every call it makes is bounded.",
                scope=c.scope,
                fix=add_timeout_fix(module, c.node, seconds) if lib is not AIOHTTP else None,
            )
            continue
        if not lib.call_timeout:
            continue
        if c.role == "method" and c.client is not None:
            client_call = c.client.call
            if lib.client_timeout:
                # a client built in this module is reported once, at its construction;
                # one built elsewhere may carry its own timeout
                continue
            if lib is REQUESTS and mounts_adapter(module, c.client):
                continue
            if client_call is None and lib is not GRPC:
                continue
        ctx.report(
            c.node,
            f"{_describe(c)} has no timeout: {lib.default}.",
            scope=c.scope,
            fix=add_timeout_fix(module, c.node, seconds) if lib is not AIOHTTP else None,
        )


@check("CL102")
def unbounded_timeout(ctx: RuleContext) -> None:
    module: PyModule = ctx.artifact
    for c in http_calls(module):
        if c.timeout is None:
            continue
        phases = unbounded_phases(module, c.timeout, c.scope)
        if not phases:
            continue
        what = "every phase" if phases == ["all"] else ", ".join(phases)
        ctx.report(
            c.timeout,
            f"{_describe(c)} sets an unbounded timeout ({what} without a limit): "
            "a slow dependency then hangs this service.",
            scope=c.scope,
        )


# -- what each check examines (for the checklist scorecard) ---------------------------------------


def _calls(ctx: RuleContext) -> int:
    return len(http_calls(ctx.artifact))


SUBJECTS = {"CL101": _calls, "CL102": _calls}
