"""Publishes through a helper of the module: ``def publish(routing_key, message):
channel.basic_publish(exchange=EXCHANGE, routing_key=routing_key, body=json.dumps(message))``, called
as ``publish("order.order.created", {...})``, or a method called as ``self.publish_message(message)``.

The send inside the helper reads only its parameters; each call of the helper is a publish of what
that call passes. This adds one produce per call site (``Produce.via`` names the send it reaches),
whose topic, payload, key and headers are the call's arguments where the send's are the helper's
parameters, and the send's own otherwise. Helpers of helpers are followed two levels. The rules then
read the topic name, the payload's envelope and the key where they are written.
"""

from __future__ import annotations

from ...core.records import replace

from ...artifacts import pynodes as cst
from ...artifacts.python import PyModule, Scope
from ..kafka.model import Kafka, Produce
from ..kafka.shapes import unwrap

DEPTH = 2  # a helper calling a helper calling the send
MAX_SITES = 200  # calls of one helper followed at most (a hostile module calling it 10,000 times)
MAX_ADDED = 2000  # publishes added per module at most (helpers of helpers multiply their calls)


def through_helpers(m: PyModule, k: Kafka) -> None:
    """Add the calls of helpers that publish their parameters to ``k.produces``."""
    todo, total = list(k.produces), 0
    for _ in range(DEPTH):
        added: list[Produce] = []
        for p in todo:
            if total + len(added) >= MAX_ADDED:
                break
            added.extend(_calls_of_helper(m, p)[: MAX_ADDED - total - len(added)])
        k.produces.extend(added)
        total += len(added)
        todo = added


def send_of(p: Produce) -> Produce:
    """The send a publish reaches: itself, or the one inside the helpers it calls."""
    while p.via is not None:
        p = p.via
    return p


def _parameters(fn: Scope) -> tuple[list[cst.Param], list[cst.Param]] | None:
    """A helper's positional and keyword-only parameters (None: ``*args``/``**kwargs``, which we cannot place)."""
    node = fn.node
    if not isinstance(node, cst.FunctionDef):
        return None
    ps = node.params
    if isinstance(ps.star_arg, cst.Param) or ps.star_kwarg is not None:
        return None
    positional = [*ps.posonly_params, *ps.params]
    if fn.parent is not None and fn.parent.kind == "class" and positional:
        positional = positional[1:]  # self
    return positional, list(ps.kwonly_params)


def _forwarded(m: PyModule, expr: cst.BaseExpression | None, fn: Scope, params: list[str],
               defaults: dict[str, cst.BaseExpression]) -> str | None:
    """The helper's parameter an argument of the send is (through serialisation, ``json.dumps(message)``,
    and locals bound once, ``body = json.dumps(message)``), when the helper never rebinds it."""
    for _ in range(8):
        if isinstance(expr, cst.Name) and expr.value in params and m.binding_scope(expr.value, fn) is fn:
            bound = fn.bindings.get(expr.value, [])
            return expr.value if all(b is defaults.get(expr.value) for b in bound) else None
        if isinstance(expr, cst.Name):
            values = m.lookup(expr.value, fn)
            if len(values) != 1 or m.binding_scope(expr.value, fn) is not fn:
                return None
            expr = values[0]
            continue
        core, _ = unwrap(m, expr, fn)
        if core is expr or core is None:
            return None
        expr = core
    return None


def _callers(m: PyModule) -> dict[int, list]:
    """id(function scope) -> the call sites of the module naming it (read once per module)."""

    def build(mod: PyModule) -> dict[int, list]:
        out: dict[int, list] = {}
        for site in mod.calls:
            fn = mod.function_named(site.node.func, site.scope)
            if fn is not None:
                out.setdefault(id(fn), []).append(site)
        return out

    return m.analysis("messaging.callers", build)


def _calls_of_helper(m: PyModule, p: Produce) -> list[Produce]:
    fn = p.site.scope.enclosing_function()
    if fn is None or fn is not p.site.scope:
        return []  # the send sits in a nested function or a lambda: not the helper's own body
    declared = _parameters(fn)
    if declared is None:
        return []
    positional = [d.name.value for d in declared[0]]
    params = positional + [d.name.value for d in declared[1]]
    defaults = {d.name.value: d.default for d in (*declared[0], *declared[1]) if d.default is not None}
    slots = {what: _forwarded(m, getattr(p, what), fn, params, defaults) for what in ("topic", "value", "key", "headers")}
    if slots["topic"] is None and slots["value"] is None:
        return []
    exchange = _forwarded(m, p.destinations[0], fn, params, defaults) if p.destinations else None
    out = []
    for site in _callers(m).get(id(fn), ()):
        if len(out) >= MAX_SITES:
            break
        if site.scope is fn:
            continue  # recursion
        args = bind(site.node, positional)
        if args is None:
            continue
        changes = {}
        for what, name in slots.items():
            if name is not None:
                changes[what] = args.get(name, defaults.get(name))
        if changes.get("topic", p.topic) is None and changes.get("value", p.value) is None:
            continue
        if exchange is not None:
            given = args.get(exchange, defaults.get(exchange))
            changes["destinations"] = (given,) if given is not None else ()
        out.append(replace(p, site=site, via=p, unknown_args=p.unknown_args, **changes))
    return out


def bind(call: cst.Call, positional: list[str]) -> dict[str, cst.BaseExpression] | None:
    """The argument a call passes for each parameter (None: a ``*args``/``**kwargs`` we cannot place)."""
    out: dict[str, cst.BaseExpression] = {}
    i = 0
    for a in call.args:
        if a.star:
            return None
        if a.keyword is not None:
            out[a.keyword.value] = a.value
        elif i < len(positional):
            out[positional[i]] = a.value
            i += 1
    return out
