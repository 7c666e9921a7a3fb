"""What every broker adapter shares: finding the function a library calls with each message, building
its Loop, and sorting the calls of a loop into acknowledgements, negative acknowledgements and processing.

The concepts (one name for each, whatever the library calls it):

- consumer: a ``Client`` with role "consumer" (a ``basic_consume``, a JetStream subscription, a
  FastStream subscriber); ``auto_ack`` is where it acknowledges every message on delivery;
- handler: the ``Loop`` whose region runs once per message (a poll loop, an iteration, or the
  callback the library calls: kind "callback");
- ack point: ``Loop.commits`` (Kafka commit, ``basic_ack``, ``delete_message``, ``msg.ack()``),
  ``Loop.nacks`` (``basic_nack``, ``reject``, ``nak``, ``term``);
- dead-letter path: ``Loop.dead_letter`` when the broker keeps it in configuration;
- publish: a ``Produce`` (payload ``value``, destination ``topic``, partition ``key``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ...artifacts import pynodes as cst

from ...artifacts.python import (
    CallSite,
    PyModule,
    Scope,
    dotted,
    keyword,
    positional,
    string_value,
)
from ..kafka.build import Resolver, _classify_region, _loop, read_mapping
from ..kafka.model import Client, Kafka, Loop, Produce

AckKind = Callable[[PyModule, CallSite, Loop], "str | None"]  # "ack" | "nack" | "own" | None


def roots(m: PyModule) -> set[str]:
    """Top-level packages the module imports."""
    return {q.split(".")[0] for q in m.imports.values()}


def function_of(m: PyModule, expr: cst.BaseExpression | None, scope: Scope, _depth: int = 0) -> Scope | None:
    """The function of this module an expression names: ``handle``, ``self.handle``, ``partial(handle, x)``."""
    if expr is None or _depth > 4:
        return None
    values: list[cst.BaseExpression] = []
    if isinstance(expr, cst.Name):
        values = m.lookup(expr.value, scope)
    elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
        cls = scope.enclosing_class()
        values = cls.bindings.get(expr.attr.value, []) if cls is not None else []
    elif isinstance(expr, cst.Call) and (dotted(expr.func) or "").rsplit(".", 1)[-1] == "partial" and expr.args:
        return function_of(m, expr.args[0].value, scope, _depth + 1)
    for v in reversed(values):
        if isinstance(v, cst.FunctionDef) and id(v) in m.scope_of:
            return m.scope_of[id(v)]
        if isinstance(v, (cst.Name, cst.Attribute, cst.Call)):
            return function_of(m, v, scope, _depth + 1)
    return None


def params(fn: Scope) -> list[cst.Param]:
    """A function's parameters, without ``self``/``cls`` of a method."""
    node = fn.node
    if not isinstance(node, cst.FunctionDef):
        return []
    ps = [*node.params.posonly_params, *node.params.params]
    if ps and fn.parent is not None and fn.parent.kind == "class" and ps[0].name.value in ("self", "cls"):
        ps = ps[1:]
    return ps + list(node.params.kwonly_params)


def arg(call: cst.Call, name: str, index: int | None = None) -> cst.BaseExpression | None:
    a = keyword(call, name) or (positional(call, index) if index is not None else None)
    return a.value if a is not None else None


def method(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else ""


def literal(m: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> str | None:
    return string_value(m.constant(expr, scope)) if expr is not None else None


def truthy(m: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> bool | None:
    """True/False for a literal switch, None when unknown or absent."""
    v = m.constant(expr, scope) if expr is not None else None
    if isinstance(v, cst.Name) and v.value in ("True", "False"):
        return v.value == "True"
    return None


def mapping(m: PyModule, expr: cst.BaseExpression | None, scope: Scope, k: Kafka) -> dict[str, cst.BaseExpression] | None:
    if expr is None:
        return {}
    if isinstance(expr, cst.Name) and expr.value == "None":
        return {}
    return read_mapping(m, expr, scope, k)


def callback_loop(m: PyModule, k: Kafka, library: str, client: Client, fn: Scope, message: set[str],
                  anchor: cst.CSTNode) -> Loop:
    """The Loop of a function the library calls with each message (its parameters ``message``)."""
    assert fn.node is not None
    loop = _loop(m, k, "callback", client, anchor, fn.node, fn, None, set(message))
    loop.library = library
    return loop


def receive_loop(m: PyModule, k: Kafka, library: str, client: Client, site: CallSite, kind: str = "poll") -> Loop:
    """The Loop around a receive call (``receive_message``, ``fetch``, ``basic_get``)."""
    from ..kafka.build import _poll_loop

    loop = _poll_loop(m, k, site, client)
    loop.kind = kind
    loop.library = library
    return loop


def iterate_loop(m: PyModule, k: Kafka, library: str, client: Client, it: cst.BaseExpression, region: cst.For,
                 scope: Scope, names: list[str]) -> Loop:
    loop = _loop(m, k, "iterate", client, it, region, scope, None, set(names))
    loop.library = library
    return loop


def iterations(k: Kafka) -> Iterator[tuple[list[str], cst.BaseExpression, Scope, cst.For]]:
    """``for x in <iter>`` / ``async for x in <iter>``: targets, iterable, scope, loop."""
    for names, it, scope, loops in k.bindings:
        if loops and isinstance(loops[-1], cst.For) and loops[-1].iter is it:
            yield names, it, scope, loops[-1]


def classify(m: PyModule, k: Kafka, loop: Loop, ack_kind: AckKind) -> None:
    """Sort a loop's calls: the library's acknowledgements, negative acknowledgements and own calls
    leave the handlers; everything else is classified as for Kafka."""
    r = k.resolver if k.resolver is not None else Resolver(m, k)
    _classify_region(m, k, r, loop)
    start = k.order.get(id(loop.receive), 0) if loop.receive is not None else 0
    own: set[int] = set()
    for site in loop.calls:
        if site.node is loop.receive or k.order.get(id(site.node), 0) < start:
            continue
        kind = ack_kind(m, site, loop)
        if kind is None:
            continue
        own.add(id(site.node))
        if kind == "ack":
            loop.commits.append(site)
        elif kind == "nack":
            loop.nacks.append(site)
    loop.handlers = [h for h in loop.handlers if id(h.node) not in own]


def on_message(site: CallSite, loop: Loop) -> bool:
    """Whether a method is called on the message itself (``message.ack()``, ``msg.nak()``)."""
    f = site.node.func
    base = f.value if isinstance(f, cst.Attribute) else None
    while isinstance(base, cst.Attribute):
        base = base.value
    return isinstance(base, cst.Name) and base.value in loop.message


def produce(site: CallSite, client: Client | None, *, topic: cst.BaseExpression | None,
            value: cst.BaseExpression | None, key: cst.BaseExpression | None = None,
            headers: cst.BaseExpression | None = None, keyed: bool = False,
            destinations: tuple[cst.BaseExpression, ...] = ()) -> Produce:
    from ...artifacts import python as py

    return Produce(site, client, topic, value, key, headers,
                   py.has_star_kwargs(site.node) or py.has_star_args(site.node), False,
                   keyed=keyed, events_only=True, destinations=destinations)


DLX_KEYS = ("x-dead-letter-exchange", "x-dead-letter-routing-key", "dead-letter-exchange")


def queue_dead_letter(m: PyModule, k: Kafka, args: cst.BaseExpression | None, scope: Scope) -> bool | None:
    """Whether RabbitMQ queue arguments name a dead-letter exchange (None: cannot be read)."""
    found = mapping(m, args, scope, k)
    if found is None:
        return None
    return any(key in found for key in DLX_KEYS)
