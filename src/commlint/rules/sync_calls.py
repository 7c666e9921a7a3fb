"""Synchronous calls in Python code (CL1xx): timeouts, headers, pooling, addresses, retries.

The shared analysis, ``http_calls(module)`` in ``_http.py``, finds every
outbound HTTP or gRPC call and client construction in a module, resolved
through imports and aliases and followed from the client's construction to
its use. The checks below read it; none re-walks the tree.
"""

from __future__ import annotations

import ipaddress
import re

from ..artifacts import pynodes as cst

from ..artifacts.python import PyModule, Scope, has_star_kwargs, keyword
from ..core.model import Edit, Fix, Severity
from ..analyses.routes import once, per_request, stored_calls, why_per_request
from . import PythonContext, check
from ..analyses.http import AIOHTTP, CLIENTS, GRPC, GRPC_CHANNELS, HTTP_CLIENT, REQUESTS, HttpCall, argument, http_calls, mounts_adapter, qualname, text
from ..analyses.callers import constructed_per_request, passed_headers, remote_dependency
from ..analyses.forwarding import forwarded_calls, forwarded_header_calls
from ..analyses.headers import call_headers, header_names
from ..analyses.retries import hand_loops, retry_policy_of
from ..analyses.timeouts import timeout_spec
from ..analyses.inbound import no_inbound_request, runs_once
from ..analyses.script_callers import called_only_by_scripts
from ..analyses.targets import EXTERNAL, UNKNOWN, call_target, classify_url, host_of  # noqa: F401 - host_of re-exported

# -- fixes ------------------------------------------------------------------------------


_INDENT = re.compile(r"[ \t]*")
_TRAILING_COMMA = re.compile(r"(?:\s|#[^\n]*)*,")  # after the last argument: the call has a trailing comma


def add_timeout_fix(module: PyModule, call: cst.Call, seconds: float) -> Fix | None:
    """Add ``timeout=<seconds>`` as the call's last argument, as small text insertions.

    The rest of the call is left byte for byte: a call whose closing
    parenthesis sits on its own line gets the argument on a line of its own,
    indented like the last argument (and with a trailing comma if the call
    had one); otherwise it goes right after the last argument.
    """
    if has_star_kwargs(call):
        return None
    arg = f"timeout={float(seconds)!r}"
    text = module.text
    _, end = module.node_offsets(call)
    close = end - 1
    if text[close:end] != ")":
        return None
    if not call.args:
        edits = [Edit(close, close, arg)]
    else:
        last = call.args[-1]
        last_end = module.node_offsets(last)[1]
        comma = _TRAILING_COMMA.match(text, last_end, close) is not None
        line_start = text.rfind("\n", 0, close) + 1
        if line_start > last_end and not text[line_start:close].strip():
            arg_line = text.rfind("\n", 0, module.node_offsets(last)[0]) + 1
            indent = _INDENT.match(text, arg_line).group()  # type: ignore[union-attr]
            edits = [Edit(line_start, line_start, f"{indent}{arg}{',' if comma else ''}\n")]
            if not comma:
                edits.insert(0, Edit(last_end, last_end, ","))
        elif comma:
            after = text.index(",", last_end) + 1
            edits = [Edit(after, after, f" {arg},")]
        else:
            edits = [Edit(last_end, last_end, f", {arg}")]
    return Fix(f"add {arg}", tuple(edits))


# -- helpers ------------------------------------------------------------------------------


def _describe(c: HttpCall) -> str:
    if c.role == "client":
        return f"`{c.qualname}(...)` client"
    return f"`{c.qualname}(...)` call"


def _note(ctx: PythonContext, where, message: str, scope: Scope) -> None:
    """Under --strict, what cannot be known statically is reported as a note."""
    if ctx.settings is not None and getattr(ctx.settings, "strict", False):
        ctx.report(where, message, scope=scope, severity=Severity.NOTE)


def _seconds(x: float) -> str:
    return "more seconds than a float holds" if x == float("inf") else f"{x:g} s"


def calls(ctx: PythonContext) -> int:
    """What the CL1xx checks examine: the module's outbound calls and clients."""
    return len(http_calls(ctx.artifact))


def timeout_subjects(ctx: PythonContext) -> int:
    """CL101 also examines calls to helpers that forward their caller's timeout."""
    return calls(ctx) + len(forwarded_calls(ctx.artifact))


# -- CL101, CL102, CL103, CL104: timeouts -----------------------------------------------------


@check("CL101", subjects=timeout_subjects)
def missing_timeout(ctx: PythonContext) -> None:
    module: PyModule = ctx.artifact
    seconds = float(ctx.options["fix-timeout"])
    for fw in forwarded_calls(module):
        ctx.report(fw.site.node, f"`{fw.helper}(...)` is given no timeout, and the `{fw.inner}(...)` call it makes "
                   f"({fw.where}) takes its timeout from its caller: {fw.library.default}.", scope=fw.site.scope)
    for c in http_calls(module):
        if c.timeout is not None:
            continue
        if c.timeout_unknown:
            _note(ctx, c.node, f"{_describe(c)}: cannot tell whether the `**` arguments carry a timeout.", c.scope)
            continue
        lib = c.library
        fix = add_timeout_fix(module, c.node, seconds) if lib is not AIOHTTP else None
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
                fix=fix,
            )
            continue
        if not lib.call_timeout:
            continue
        if c.role == "method" and c.client is not None:
            if lib.client_timeout:
                # a client built in this module is reported once, at its construction;
                # one built elsewhere may carry its own timeout
                if c.client.call is None and c.remote is None:
                    _note(ctx, c.node, f"{_describe(c)}: its client is built where commlint cannot see it; "
                          "cannot tell whether a timeout bounds this call.", c.scope)
                continue
            if lib is REQUESTS and mounts_adapter(module, c.client):
                continue
            if c.client.call is None and lib is not GRPC:
                if c.remote is None:
                    _note(ctx, c.node, f"{_describe(c)}: its client is built where commlint cannot see it; "
                          "cannot tell whether a timeout bounds this call.", c.scope)
                elif lib is REQUESTS and c.remote.call.kw("timeout") is None:
                    ctx.report(c.node, f"{_describe(c)} has no timeout: {lib.default} (the session is built "
                               f"at {c.remote.where}).", scope=c.scope, fix=fix)
                continue
        ctx.report(c.node, f"{_describe(c)} has no timeout: {lib.default}.", scope=c.scope, fix=fix)


def _specs(module: PyModule):
    """(call, spec) for every explicit timeout whose value can be read."""
    for c in http_calls(module):
        if c.timeout is None:
            continue
        spec = timeout_spec(module, c.timeout, c.scope, c.library)
        yield c, spec


@check("CL102", subjects=calls)
def unbounded_timeout(ctx: PythonContext) -> None:
    module: PyModule = ctx.artifact
    for c, spec in _specs(module):
        if spec is None:
            if isinstance(c.timeout, cst.Name) and module.is_opaque(c.timeout.value, c.scope):
                _note(ctx, c.timeout, f"{_describe(c)}: the timeout comes from parameter "
                      f"`{c.timeout.value}`, whose value cannot be known here.", c.scope)
            elif isinstance(c.timeout, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
                shown = module.tree.code_for_node(c.timeout)
                _note(ctx, c.timeout, f"{_describe(c)}: the timeout comes from `{shown[:60]}`, whose value "
                      "cannot be known statically; make sure it is bounded.", c.scope)
            continue
        unbounded = [p for p, ph in spec.phases.items() if ph.state == "none"]
        if not unbounded:
            continue
        what = "every phase" if spec.kind == "none" or len(unbounded) == len(spec.phases) else ", ".join(unbounded)
        ctx.report(
            c.timeout_at,
            f"{_describe(c)} sets an unbounded timeout ({what} without a limit): "
            "a slow dependency then hangs this service.",
            scope=c.scope,
        )


@check("CL103", subjects=calls)
def phase_timeouts(ctx: PythonContext) -> None:
    module: PyModule = ctx.artifact
    per_phase = bool(ctx.options["require-phases"])
    for c, spec in _specs(module):
        if spec is None or spec.kind == "none":
            continue
        wanted = [p for p in spec.phases if p in ("connect", "read", "write")]
        if len(wanted) < 2:
            continue  # the library takes one deadline only (gRPC, urlopen, http.client)
        omitted = [p for p in wanted if spec.phases[p].state == "omitted"]
        shared = [p for p in wanted if spec.phases[p].state == "shared"] if per_phase else []
        if omitted:
            extra = " (httpx rejects a Timeout without a default or all four phases)" if spec.kind == "httpx.Timeout" else ""
            problem = f"the timeout leaves {', '.join(omitted)} unbounded{extra}; bound connect, read and write."
        elif shared:
            problem = (f"one number bounds {', '.join(shared)} together; "
                       "set connect, read and write separately (option `require-phases`).")
        else:
            continue
        ctx.report(c.timeout_at, f"{_describe(c)}: {problem}", scope=c.scope)


@check("CL104", subjects=calls)
def timeout_ceiling(ctx: PythonContext) -> None:
    module: PyModule = ctx.artifact
    ceiling = float(ctx.options["ceiling"])
    phases = set(ctx.options["phases"])
    for c, spec in _specs(module):
        if spec is None:
            continue
        over = {p: ph.seconds for p, ph in spec.phases.items()
                if p in phases and ph.seconds is not None and ph.seconds > ceiling}
        if not over:
            continue
        values = sorted(set(over.values()), reverse=True)
        what = "the timeout" if spec.kind == "number" else ", ".join(over)
        ctx.report(
            c.timeout_at,
            f"{_describe(c)}: {what} of {_seconds(values[0])} is above the ceiling of {_seconds(ceiling)} "
            "(option `ceiling`); tune it per endpoint.",
            scope=c.scope,
        )


# -- CL111, CL112: headers ---------------------------------------------------------------------


def _judged(module: PyModule, target: str, scope: Scope, node: cst.CSTNode, strict: bool, propagation: bool) -> bool:
    """Whether a call's headers are judged: an internal call (an unknown one under --strict), and for
    X-Request-ID one made while a request is served."""
    if target == EXTERNAL or (target == UNKNOWN and not strict):
        return False
    return not (propagation and no_inbound_request(module, scope, node))


def _header_check(ctx: PythonContext, why: str) -> None:
    """Internal calls only (a third party neither reads nor forwards these headers; a call whose
    target cannot be told is judged under --strict); for X-Request-ID, only where a request
    came in: a start-up call or a CLI command has no correlation ID to propagate."""
    module: PyModule = ctx.artifact
    names = {n.lower() for n in ctx.options["names"]}
    shown = " or ".join(f"`{n}`" for n in ctx.options["names"])
    strict = bool(getattr(ctx.settings, "strict", False))
    propagation = ctx.meta.code == "CL111"
    for c in http_calls(module):
        if c.role == "client" or (c.library is HTTP_CLIENT and c.role != "method"):
            continue
        if c.role == "method" and c.name in ("send", "ws_connect"):
            continue
        target = call_target(module, c, ctx.settings)
        if not _judged(module, target, c.scope, c.node, strict, propagation):
            continue
        sent = call_headers(module, c)
        if names & sent.names or (propagation and sent.forwards):
            continue  # X-Request-ID also goes with the incoming request's headers, passed on whole
        kind = "metadata" if c.library is GRPC else "header"
        if sent.forwards and sent.complete:  # only X-Caller-Service gets here
            ctx.report(c.node, f"{_describe(c)} sends no {shown} {kind} of its own: it passes on the incoming "
                       "request's headers, where this header names the service that called this one, not this one: "
                       f"{why}", scope=c.scope, properties={"target": target})
            continue
        if not sent.complete:
            given = c.headers(module).expr
            param = given.value if isinstance(given, cst.Name) and module.is_opaque(given.value, c.scope) else None
            passed = passed_headers(module, c.scope, param) if param is not None and sent.names <= set() else None
            lacking = [p for p in passed or () if p.complete and not names & p.names]
            if lacking:
                more = f" (and {len(lacking) - 1} more call sites)" if len(lacking) > 1 else ""
                ctx.report(c.node, f"{_describe(c)} sends no {shown} {kind}: its headers come from parameter "
                           f"`{param}`, and the call at {lacking[0].where}{more} passes none. {why}",
                           scope=c.scope, properties={"target": target})
                continue
            source = f"its headers come from parameter `{param}`, whose value cannot be known here; " \
                if param is not None else ""
            if sent.forwards:  # only X-Caller-Service gets here: the caller's, if the request had one
                source = "it passes on the incoming request's headers, where this header names the service " \
                         "that called this one, not this one; "
            _note(ctx, c.node, f"{_describe(c)}: {source}cannot tell whether it sends the {shown} {kind}.", c.scope)
            continue
        built = f" (its client is built at {c.remote.where})" if c.remote is not None else ""
        ctx.report(c.node, f"{_describe(c)} sends no {shown} {kind}{built}: {why}", scope=c.scope,
                   properties={"target": target})
    for fw in forwarded_header_calls(module):  # invoke_http(url, json=...): the helper's call sends what it is given
        target = classify_url(module, fw.url, fw.site.scope, ctx.settings)
        if not _judged(module, target, fw.site.scope, fw.site.node, strict, propagation):
            continue
        sent = header_names(module, fw.headers, fw.site.scope)
        if names & sent.names or sent.forwards:
            continue  # the incoming request's headers, passed on: judged where the helper sends them
        if not sent.complete:
            _note(ctx, fw.site.node, f"`{fw.helper}(...)`: cannot tell whether the headers it is given carry "
                  f"the {shown} header.", fw.site.scope)
            continue
        ctx.report(fw.site.node, f"`{fw.helper}(...)` sends no {shown} header: the `{fw.inner}(...)` call it makes "
                   f"({fw.where}) sets no headers of its own, and this call passes none. {why}",
                   scope=fw.site.scope, properties={"target": target})


@check("CL111", subjects=calls)
def missing_request_id(ctx: PythonContext) -> None:
    _header_check(ctx, "propagate the correlation ID on every outbound call.")


@check("CL112", subjects=calls)
def missing_caller_service(ctx: PythonContext) -> None:
    _header_check(ctx, "name the calling service so downstream services know who is calling.")


# -- CL121: a connection per request ---------------------------------------------------------------


PER_CALL_FUNCTIONS = ("requests", "httpx", "aiohttp", "urllib")


@check("CL121", subjects=calls)
def connection_per_request(ctx: PythonContext) -> None:
    """A connection opened per request: a module-level request function (``requests.get``) in a
    function or loop, a client built in a request handler, in a loop, in a function called from
    one, or in a helper that builds it, uses it and drops it. Not code that runs once: at
    import or start-up, in a CLI command or ``main``, behind a cache or an ``if X is None:`` guard."""
    module: PyModule = ctx.artifact
    for c in http_calls(module):
        fn = c.scope.enclosing_function()
        if c.role == "function" and c.library.name in PER_CALL_FUNCTIONS and (fn is not None or c.site.in_loop):
            if not c.site.in_loop and (runs_once(module, c.scope, c.node) or (
                    fn is not None and called_only_by_scripts(module, fn) is not None)):
                continue
            ctx.report(
                c.node,
                f"`{c.qualname}(...)` opens a new connection on every call; "
                "use a pooled client (a `Session`/`Client` built once and reused).",
                scope=c.scope,
                properties={"target": call_target(module, c, ctx.settings)},
            )
    builders = [(s, q) for s in module.calls if (q := qualname(module, s.node.func)) in CLIENTS or q in GRPC_CHANNELS]
    if not builders:
        return
    runs = per_request(module)
    stored = stored_calls(module)
    used_in: dict[int, set[int]] = {}
    for c in http_calls(module):
        if c.role == "method" and c.client is not None and c.client.call is not None:
            where = c.scope.enclosing_function()
            used_in.setdefault(id(c.client.call), set()).add(id(where) if where is not None else 0)
    for site, q in builders:
        if id(site.node) in stored:
            continue
        fn = site.scope.enclosing_function()
        why = None
        if site.in_loop:
            why = "in a loop"
        elif fn is not None and id(fn) in runs and (fn.name != "__init__" or used_in.get(id(site.node))):
            why = f"in {why_per_request(module, runs, id(fn))}"  # (a client __init__ keeps and nothing uses opens nothing)
        elif fn is not None and fn.name != "__init__" and id(fn) in used_in.get(id(site.node), ()) \
                and not runs_once(module, site.scope, site.node):
            why = f"in `{fn.qualname}` and dropped after use"
        elif fn is not None and not once(fn) and not runs_once(module, site.scope, site.node) \
                and (where := remote_dependency(module, fn)) is not None:
            why = f"in `{fn.qualname}`, a FastAPI dependency run on every request (`Depends` in {where})"
        elif fn is not None and fn.parent is not None and used_in.get(id(site.node), set()) - {id(fn)} \
                and module.returned_by(fn) == [site.node] and not once(fn) \
                and not runs_once(module, site.scope, site.node) and _used_once_per_call(module, fn):
            why = f"by `{fn.qualname}()` on every call, then used and dropped"  # a factory each caller uses once
        elif fn is not None and fn.name == "__init__" and fn.parent is not None and used_in.get(id(site.node)) \
                and (where := constructed_per_request(module, fn.parent)) is not None:  # (unused, it opens nothing)
            why = f"in `{fn.qualname}`, and a request handler builds a `{fn.parent.name}` on every request ({where})"
        if why is None:
            continue
        ctx.report(
            site.node,
            f"`{q}(...)` is built {why}: a new connection pool, and new TCP connections, every time. "
            "Build the client once (module level, app startup) and reuse it.",
            scope=site.scope,
        )


def _used_once_per_call(module: PyModule, factory: Scope) -> bool:
    """Whether every call of a factory of this module is in a function that keeps the client only
    while it runs (``async with get_client() as client:``, a local name), none stored on an object."""
    kept = {id(store.value) for store in module.stores}
    sites = [s for s in module.calls if isinstance(s.node.func, cst.Name) and s.node.func.value == factory.name]
    return bool(sites) and all(s.scope.enclosing_function() is not None and id(s.node) not in kept for s in sites)


# -- CL122: hard-coded addresses ---------------------------------------------------------------

LOAD_BALANCER = re.compile(r"\.elb(\.[a-z0-9-]+)?\.amazonaws\.com$", re.IGNORECASE)


def _address_problem(host: str, options: dict) -> str | None:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "a load-balancer hostname" if LOAD_BALANCER.search(host) else None
    if (ip.is_loopback or ip.is_unspecified) and options["allow-loopback"]:  # 0.0.0.0 / [::]: this host
        return None
    for allowed in options["allow"]:
        try:
            if ip in ipaddress.ip_network(allowed, strict=False):
                return None
        except ValueError:
            continue
    return f"the IP address {host}"


def _addresses(module: PyModule):
    """(expression, form, scope) for every service address an outbound call or client names."""
    for c in http_calls(module):
        if c.library is GRPC:
            continue
        url = c.url(module)
        if url is None:
            continue
        form = "host" if c.role == "client" and c.library is not AIOHTTP and c.library.name != "httpx" and \
            "from_url" not in c.qualname else "url"
        yield url, form, c.scope
    for site in module.calls:
        if (qualname(module, site.node.func) or "") in GRPC_CHANNELS:
            target = argument(module, site.node, site.scope, "target", 0).expr
            if target is not None:
                yield target, "target", site.scope


@check("CL122", subjects=calls)
def hardcoded_address(ctx: PythonContext) -> None:
    module: PyModule = ctx.artifact
    seen: set[int] = set()
    for expr, form, scope in _addresses(module):
        t = text(module, expr, scope)
        if t is None:
            continue
        host = host_of(t.value, t.complete, form)
        problem = _address_problem(host, ctx.options) if host else None
        if problem is None:
            continue
        where = t.node  # the literal the host is written in
        if id(where) in seen:
            continue
        seen.add(id(where))
        ctx.report(
            where,
            f"service address uses {problem}; use the service's DNS name "
            "(`<service>.<namespace>.svc.cluster.local`) so it survives rescheduling and scaling.",
            scope=scope,
        )


# -- CL131: retry policies ----------------------------------------------------------------------

@check("CL131", subjects=calls)
def retry_policy(ctx: PythonContext) -> None:
    module: PyModule = ctx.artifact
    limit = float(ctx.options["max-retries"])
    found: list[tuple[cst.CSTNode, str, cst.Call | None, Scope]] = []
    for site in module.calls:
        q = qualname(module, site.node.func)
        if q is not None:
            found.append((site.node, q, site.node, site.scope))
    for c in http_calls(module):
        if c.role == "method" and c.library.name == "urllib3" and keyword(c.node, "retries") is not None:
            found.append((c.node, "urllib3.request", c.node, c.scope))
    for scope in module.scopes:
        for dec in scope.decorators:
            if not isinstance(dec.decorator, cst.Call):
                q = qualname(module, dec.decorator)
                if q is not None:
                    found.append((dec.decorator, q, None, scope.parent or scope))
    policies = [(node, scope, retry_policy_of(module, node, q, call, scope)) for node, q, call, scope in found]
    policies += [(h.node.iter if isinstance(h.node, cst.For) else h.node.test, h.scope, (h.retries, h.exponential))
                 for h in hand_loops(module)]
    for node, scope, policy in policies:
        if policy is None:
            continue
        retries, exponential = policy
        problems = []
        if retries is not None and retries > limit:
            problems.append("retries without limit" if retries == float("inf") else f"{retries:g} retries")
        if exponential is False:
            problems.append("no exponential backoff")
        if problems:
            ctx.report(
                node,
                f"retry policy with {' and '.join(problems)}: the standard's policy is at most "
                f"{limit:g} retries with exponential backoff (option `max-retries`).",
                scope=scope,
            )
