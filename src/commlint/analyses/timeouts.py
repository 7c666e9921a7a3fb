"""What a timeout expression bounds, per phase (connect, read, write, pool), for each HTTP library."""

from __future__ import annotations

from ..core.records import record

from ..artifacts import pynodes as cst

from ..artifacts.python import (
    PyModule,
    Scope,
)
from .http import Library, qualname
from .values import argument, is_none, number, resolve

# -- timeouts ----------------------------------------------------------------------------------


@record(frozen=True)
class Phase:
    """How one phase (connect, read, write, pool, total) of a timeout is bounded.

    ``state``: "set" (bounded by a value for this phase), "shared" (bounded by
    one number that covers several phases), "none" (explicitly unbounded),
    "omitted" (not given: the library's default, usually no limit).
    """

    state: str
    seconds: float | None = None  # when the bound is a known number
    node: cst.BaseExpression | None = None


@record(frozen=True)
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
