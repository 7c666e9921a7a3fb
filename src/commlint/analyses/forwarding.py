"""Calls to a helper that hands its caller's timeout on to the HTTP call it makes.

``def fetch(url, timeout=None): return requests.get(url, timeout=timeout)`` (or ``**kwargs``
passed on) sets no timeout itself: each caller chooses. A caller that passes none leaves the
request unbounded, so the finding belongs at that call site, in whichever module it is. The
helper is read through the project index (``analyses.index``), in this module or another.
"""

from __future__ import annotations

from ..core.records import record
from pathlib import Path

from ..artifacts import pynodes as cst

from ..artifacts.python import CallSite, PyModule
from .http import CLIENTS, FUNCTIONS, REQUESTS, Library
from .index import Definition, Forward, find, module_file, project_index
from .values import argument


_LIBRARIES = (b"requests", b"httpx", b"aiohttp", b"urllib")


@record(frozen=True)
class Forwarded:
    """A call site of a helper that passes no timeout where the helper forwards one."""

    site: CallSite
    helper: str  # the helper as called: ``fetch``, ``client.get_json``
    inner: str  # what the helper calls: ``requests.get``
    where: str  # file:line of that call
    library: Library


def _helper(module: PyModule, site: CallSite) -> Definition | None:
    f = site.node.func
    q = module.qualname(f)
    if q is not None:
        index, here = project_index(module), module_file(module)
        if index is None or here is None or not index.mentions(here, q, _LIBRARIES, module.index_deps):
            return None  # a helper forwarding a timeout to a library call names the library
        return find(module, q)
    if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value != "self":
        # api = Api(); api.call(...): a method of a class of the tree (a name bound once to a construction)
        values = module.lookup(f.value.value, site.scope)
        built = values[0] if len(values) == 1 and isinstance(values[0], cst.Call) else None
        name = built.func.attr.value if built is not None and isinstance(built.func, cst.Attribute) else \
            built.func.value if built is not None and isinstance(built.func, cst.Name) else ""
        if not name[:1].isupper():
            return None
        o = module.origin(f.value, site.scope)
        if o is not None and o.call is not None and "(" not in o.qualname:
            d = find(module, f"{o.qualname}.{f.attr.value}")
            return d if d is not None and d.klass is not None else None
        return None
    index, here = project_index(module), module_file(module)
    if index is None or here is None or ("timeout" not in module.text and "**" not in module.text):
        return None  # a helper of this module forwarding a timeout names one
    if isinstance(f, cst.Name):
        values = module.lookup(f.value, site.scope)
        if len(values) != 1 or not isinstance(values[0], cst.FunctionDef):
            return None
        fn_scope = module.scope_of.get(id(values[0]))
        if fn_scope is None or fn_scope.parent is not module.module_scope:
            return None
        rest = [f.value]
    elif isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == "self":
        cls = site.scope.enclosing_class()
        if cls is None or cls.parent is not module.module_scope:
            return None
        values = cls.bindings.get(f.attr.value, [])
        rest = [cls.name, f.attr.value]
    else:
        return None
    if len(values) != 1 or not isinstance(values[0], cst.FunctionDef) or not _may_forward(values[0]):
        return None  # read the module's own summary only for a helper that can forward a timeout
    s = index.summary_of(here)
    return index.local(s, here, rest, None) if s is not None else None


def _may_forward(fn: cst.FunctionDef) -> bool:
    """``index.Function.may_forward`` on the concrete tree: a ``**kwargs``, or a parameter named for a timeout."""
    p = fn.params
    return isinstance(p.star_kwarg, cst.Param) or any(
        "timeout" in q.name.value for q in (*p.posonly_params, *p.params, *p.kwonly_params))


def _library(d: Definition, fw: Forward) -> Library | None:
    """The library of the call a helper forwards to, when it takes a per-call timeout nothing else sets."""
    q = d.summary.resolve(fw.callee)
    if q in FUNCTIONS:
        lib = FUNCTIONS[q]
        return lib if lib.call_timeout else None
    parts = fw.callee.split(".")
    if len(parts) == 3 and parts[0] == "self" and d.klass is not None and parts[1] in d.klass.attrs:
        built = d.summary.resolve(d.klass.attrs[parts[1]].callee)
        return REQUESTS if built in REQUESTS.clients else None
    if len(parts) == 2 and d.function is not None:
        ann = d.function.annotations.get(parts[0])
        built = d.summary.resolve(ann) if ann else None
        return REQUESTS if built in REQUESTS.clients else None
    return None


def _passes_timeout(site: CallSite, d: Definition, fw: Forward) -> bool | None:
    """True: the call site passes one; False: it does not; None: cannot tell (``**options``)."""
    call = site.node
    if any(a.star for a in call.args):
        return None
    if any(a.keyword is not None and a.keyword.value == "timeout" for a in call.args):
        return True
    if fw.timeout is not None and d.function is not None:
        if fw.timeout != "timeout" and any(a.keyword is not None and a.keyword.value == fw.timeout for a in call.args):
            return True
        params = d.function.params
        if d.klass is not None and params and params[0] in ("self", "cls"):
            params = params[1:]
        if fw.timeout in params and sum(1 for a in call.args if a.keyword is None) > params.index(fw.timeout):
            return True
    return False


def _helper_calls(module: PyModule) -> list[tuple[CallSite, Definition]]:
    """Call sites, in this module, of functions of the tree (here or in another module) that forward
    what their caller gives them (a timeout, ``**kwargs``) to an HTTP call."""

    def build(m: PyModule) -> list[tuple[CallSite, Definition]]:
        out = []
        for site in m.calls:
            if not isinstance(site.node.func, (cst.Name, cst.Attribute)):
                continue
            q = m.qualname(site.node.func) or ""
            if q.split(".")[0] in ("requests", "httpx", "aiohttp", "urllib3", "urllib", "http", "grpc") or q in CLIENTS:
                continue
            f = site.node.func
            last = f.attr.value if isinstance(f, cst.Attribute) else f.value  # type: ignore[union-attr]
            if last[:1].isupper():
                continue  # a class built, not a helper called
            d = _helper(m, site)
            if d is not None and d.kind == "function" and d.function is not None and d.function.forwards:
                out.append((site, d))
        return out

    return module.analysis("sync_calls.helper_calls", build)


def forwarded_calls(module: PyModule) -> list[Forwarded]:
    """Call sites, in this module, of helpers (here or in another module) that forward a timeout they were not given."""

    def build(m: PyModule) -> list[Forwarded]:
        out: list[Forwarded] = []
        for site, d in _helper_calls(m):
            for fw in d.function.forwards:  # type: ignore[union-attr]
                lib = _library(d, fw)
                if lib is None or _passes_timeout(site, d, fw) is not False:
                    continue
                if fw.timeout is not None:
                    default = d.function.defaults.get(fw.timeout)  # type: ignore[union-attr]
                    if default is None or default.kind != "none":
                        continue  # required (a call without it fails), or a default that bounds it
                name = m.tree.code_for_node(site.node.func)
                out.append(Forwarded(site, name, d.summary.resolve(fw.callee) if lib is not REQUESTS or
                                     d.summary.resolve(fw.callee) in FUNCTIONS else f"requests.Session.{fw.callee.rsplit('.', 1)[-1]}",
                                     f"{Path(d.summary.path).name}:{fw.line}", lib))
                break
        return out

    return module.analysis("sync_calls.forwarded", build)


@record(frozen=True)
class ForwardedHeaders:
    """A call site of a helper that hands the URL and ``**kwargs`` it is given to an HTTP call setting
    no headers of its own: which headers go is this call's choice (``invoke_http(url, json=...)``)."""

    site: CallSite
    helper: str  # the helper as called
    inner: str  # what the helper calls
    where: str  # file:line of that call
    url: cst.BaseExpression  # this call's URL argument
    headers: cst.BaseExpression | None  # this call's ``headers=``, if any


def forwarded_header_calls(module: PyModule) -> list[ForwardedHeaders]:
    """Call sites, in this module, of helpers whose HTTP call takes its URL and headers from them."""

    def build(m: PyModule) -> list[ForwardedHeaders]:
        out: list[ForwardedHeaders] = []
        for site, d in _helper_calls(m):
            fn = d.function
            params = fn.params[1:] if d.klass is not None and fn.params[:1] in (["self"], ["cls"]) else fn.params  # type: ignore[union-attr]
            for fw in fn.forwards:  # type: ignore[union-attr]
                if not fw.star or fw.url not in params or fw.headers or d.summary.resolve(fw.callee) not in FUNCTIONS:
                    continue
                call = site.node
                if any(a.star for a in call.args):
                    break  # ``**options``: what it passes cannot be read
                url = argument(m, call, site.scope, fw.url, params.index(fw.url)).expr
                if url is not None:
                    out.append(ForwardedHeaders(site, m.tree.code_for_node(call.func), d.summary.resolve(fw.callee),
                                                f"{Path(d.summary.path).name}:{fw.line}", url,
                                                argument(m, call, site.scope, "headers").expr))
                break
        return out

    return module.analysis("sync_calls.forwarded_headers", build)
