"""FastStream adapter: ``@broker.subscriber(...)`` handlers and ``broker.publish`` / ``@broker.publisher`` for
Kafka (``faststream.kafka``, ``faststream.confluent``), RabbitMQ, NATS and Redis brokers and routers.

FastStream acknowledges a message after its handler returns, and nacks it when the handler raises,
except where the subscriber says otherwise: ``no_ack=True`` or ``ack_policy=AckPolicy.ACK_FIRST``, and
the Kafka subscriber's default (``auto_commit=True`` in 0.5, ``AckPolicy.ACK_FIRST`` in 0.6: offsets
committed on a timer) when it has a ``group_id``. ``msg.ack()``/``nack()``/``reject()`` on a
``StreamMessage`` parameter are acknowledgements. A ``RabbitQueue(name, arguments={...})`` declares
the queue and its dead-letter exchange.
"""

from __future__ import annotations

from ...artifacts import pynodes as cst

from ...artifacts.python import CallSite, PyModule, Scope, dotted, keyword, positional
from ..kafka.model import Client, Kafka, Loop
from .common import (
    arg,
    callback_loop,
    classify,
    literal,
    method,
    on_message,
    produce,
    queue_dead_letter,
    roots,
    truthy,
)

KINDS = {"kafka": "kafka", "confluent": "kafka", "rabbit": "rabbitmq", "nats": "nats", "redis": "redis"}
DESTINATIONS = ("topic", "queue", "subject", "channel", "stream", "list")


def applies(m: PyModule) -> bool:
    return "faststream" in roots(m)


def _kind(m: PyModule, broker: cst.BaseExpression, scope: Scope) -> str | None:
    """kafka | rabbitmq | nats | redis for a FastStream broker or router (built here, or the only kind imported)."""
    origin = m.origin(broker, scope)
    q = origin.qualname if origin is not None else ""
    parts = q.split(".")
    if parts[0] == "faststream" and len(parts) > 1 and parts[1] in KINDS:
        return KINDS[parts[1]]
    if parts[0] and parts[0] != "faststream" and origin is not None and origin.call is not None:
        return None  # built by something else
    kinds = {KINDS[v.split(".")[1]] for v in m.imports.values() if v.startswith("faststream.") and len(v.split(".")) > 2
             and v.split(".")[1] in KINDS}
    return kinds.pop() if len(kinds) == 1 else None


def _decorated(m: PyModule, fn: Scope, name: str) -> list[tuple[cst.Call, str]]:
    out = []
    for dec in fn.decorators:
        d = dec.decorator
        if isinstance(d, cst.Call) and isinstance(d.func, cst.Attribute) and d.func.attr.value == name:
            kind = _kind(m, d.func.value, fn.parent or fn)
            if kind is not None:
                out.append((d, kind))
    return out


def _ack_first(m: PyModule, call: cst.Call, scope: Scope, kind: str) -> tuple[cst.CSTNode, str] | None:
    policy = keyword(call, "ack_policy")
    if policy is not None:
        text = dotted(policy.value) or literal(m, policy.value, scope) or ""
        return (policy.value, "`ack_policy=AckPolicy.ACK_FIRST`") if text.upper().endswith("ACK_FIRST") else None
    no_ack = keyword(call, "no_ack")
    if no_ack is not None and truthy(m, no_ack.value, scope):
        return no_ack.value, "`no_ack=True`"
    if kind == "kafka" and keyword(call, "group_id") is not None:
        auto = keyword(call, "auto_commit")
        if auto is None:
            return call, "FastStream's Kafka default (`auto_commit=True`, `AckPolicy.ACK_FIRST` in 0.6)"
        if truthy(m, auto.value, scope):
            return auto.value, "`auto_commit=True`"
    return None


def _dead_letter(m: PyModule, k: Kafka, call: cst.Call, scope: Scope, kind: str) -> tuple[str | None, cst.CSTNode | None]:
    if kind == "kafka":
        return None, None  # a dead-letter topic is produced to in code, as with any Kafka consumer
    if kind != "rabbitmq":
        return "external", None
    q = arg(call, "queue", 0)
    q = m.constant(q, scope) if q is not None else None
    if isinstance(q, cst.Call) and (dotted(q.func) or "").endswith("RabbitQueue"):
        if truthy(m, arg(q, "exclusive"), scope) or truthy(m, arg(q, "auto_delete"), scope):
            return "external", None
        dlx = queue_dead_letter(m, k, arg(q, "arguments"), scope)
        if dlx is not None:
            return ("declared" if dlx else "missing"), q
    return "external", None


def ack_kind(m: PyModule, site: CallSite, loop: Loop) -> str | None:
    if not on_message(site, loop):
        return None
    name = method(site.node)
    return "ack" if name == "ack" else "nack" if name in ("nack", "reject") else None


def _topics(m: PyModule, k: Kafka, call: cst.Call, scope: Scope, how: str) -> None:
    for a in call.args:
        if a.keyword is None and not a.star:
            text = literal(m, a.value, scope)
            if text is not None:
                k.topic_literals.append((text, m.constant(a.value, scope), how))  # type: ignore[arg-type]


_INJECTED = ("Depends", "FromDishka", "Inject", "Provide", "Injected", "Context")


def _injected(m: PyModule, p: cst.Param) -> bool:
    """A parameter FastStream fills from its dependency injection (``FromDishka[Services]``,
    ``Annotated[Service, Depends(get)]``, ``Context()``), not from the message body: calls on it are
    the application's services, not methods of the message."""
    if p.annotation is None:
        return False
    text = m.tree.code_for_node(p.annotation.annotation)
    head = text.split("[", 1)[0].rsplit(".", 1)[-1]
    return head in _INJECTED or any(f"{w}(" in text or f"{w}[" in text for w in _INJECTED)


def consumers(m: PyModule, k: Kafka) -> None:
    for fn in m.scopes:
        if fn.kind != "function" or not fn.decorators or not isinstance(fn.node, cst.FunctionDef):
            continue
        for call, kind in _decorated(m, fn, "subscriber"):
            c = Client("consumer", f"faststream-{kind}", fn, call)
            first = _ack_first(m, call, fn, kind)
            if first is not None:
                c.auto_ack, c.auto_ack_why = first
            k.clients.append(c)
            if kind == "kafka":
                _topics(m, k, call, fn, "consume")
            ps = fn.node.params
            message = {p.name.value for p in (*ps.posonly_params, *ps.params, *ps.kwonly_params)
                       if p.default is None and not _injected(m, p)}
            loop = callback_loop(m, k, f"faststream-{kind}", c, fn, message, call)
            loop.dead_letter, loop.dead_letter_at = _dead_letter(m, k, call, fn, kind)
            classify(m, k, loop, ack_kind)
            k.loops.append(loop)


def publishes(m: PyModule, k: Kafka) -> None:
    seen = {id(p.node) for p in k.produces}
    for fn in m.scopes:
        if fn.kind != "function" or not fn.decorators:
            continue
        for call, kind in _decorated(m, fn, "publisher"):
            if kind == "kafka":
                _topics(m, k, call, fn, "produce")
            for ret in k.returns.get(id(fn), []):
                if ret.value is not None and not (isinstance(ret.value, cst.Name) and ret.value.value == "None"):
                    site = CallSite(call, fn, False)
                    k.produces.append(produce(site, Client("producer", f"faststream-{kind}", fn), topic=arg(call, "topic", 0),
                                              value=ret.value, keyed=False))
                    k.produces[-1].events_only = kind != "kafka"
    for site in m.calls:
        call = site.node
        if id(call) in seen or method(call) != "publish" or not isinstance(call.func, cst.Attribute):
            continue
        kind = _kind(m, call.func.value, site.scope)
        if kind is None or positional(call, 0) is None:
            continue
        dest = next((a.value for n in DESTINATIONS if (a := keyword(call, n)) is not None), None) or arg(call, "_", 1)
        p = produce(site, Client("producer", f"faststream-{kind}", site.scope), topic=dest, value=arg(call, "message", 0),
                    key=arg(call, "key"), headers=arg(call, "headers"), keyed=kind == "kafka")
        p.events_only = kind != "kafka"
        if kind == "kafka" and dest is not None:
            _topics(m, k, cst.Call(dest._p, cst.Name(dest._p, "_"), [cst.Arg(dest._p, None, dest, "")]), site.scope, "produce")
        k.produces.append(p)
