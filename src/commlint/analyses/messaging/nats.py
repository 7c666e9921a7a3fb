"""NATS adapter: nats-py JetStream consumers (push with ``cb=``, pull with ``fetch``, ``sub.messages``) and publishes.

JetStream redelivers until a message is acknowledged, so its consumers are judged like Kafka's:
``msg.ack()``/``ack_sync()`` acknowledges, ``nak()``/``term()`` gives the message back; a push
subscription without ``manual_ack=True`` is acknowledged by the library after the callback returns.
``ConsumerConfig(ack_policy=AckPolicy.NONE)`` acknowledges on delivery; ``max_deliver`` (with the
``MAX_DELIVERIES`` advisory) is the dead-letter path; the durable name is the consumer group. Core NATS
subscriptions deliver at most once and are not consumers in this sense.
"""

from __future__ import annotations

from ...artifacts import pynodes as cst

from ...artifacts.python import CallSite, PyModule, Scope, dotted, keyword
from ..kafka.model import Client, Kafka, Loop
from .common import (
    arg,
    callback_loop,
    classify,
    function_of,
    iterate_loop,
    iterations,
    literal,
    method,
    on_message,
    params,
    produce,
    receive_loop,
    roots,
)

JS_KEYWORDS = ("durable", "stream", "config", "manual_ack", "ordered_consumer", "deliver_policy")


def applies(m: PyModule) -> bool:
    return "nats" in roots(m)


def _bound_call(m: PyModule, expr: cst.BaseExpression | None, scope: Scope, names: tuple[str, ...]) -> cst.Call | None:
    """The call an expression was assigned from (``psub = await js.pull_subscribe(...)``), if it is one of ``names``."""
    values: list[cst.BaseExpression] = []
    if isinstance(expr, cst.Name):
        values = m.lookup(expr.value, scope)
    elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
        cls = scope.enclosing_class()
        values = cls.attributes.get(expr.attr.value, []) if cls is not None else []
    for v in reversed(values):
        while isinstance(v, cst.Await):
            v = v.expression
        if isinstance(v, cst.Call) and method(v) in names:
            return v
    return None


def _jetstream(m: PyModule, call: cst.Call, scope: Scope) -> bool:
    if method(call) == "pull_subscribe" or any(keyword(call, n) is not None for n in JS_KEYWORDS):
        return True
    f = call.func
    base = f.value if isinstance(f, cst.Attribute) else None
    origin = m.origin(base, scope) if base is not None else None
    text = (origin.qualname if origin is not None else dotted(base) if base is not None else "") or ""
    last = text.rsplit(".", 1)[-1].lower()
    return "jetstream" in text or last in ("js", "jsm") or last.endswith("_js")


def _config(m: PyModule, call: cst.Call, scope: Scope) -> cst.Call | None:
    v = arg(call, "config")
    v = m.constant(v, scope) if v is not None else None
    return v if isinstance(v, cst.Call) and (dotted(v.func) or "").endswith("ConsumerConfig") else None


def _client(m: PyModule, k: Kafka, sub: cst.Call, scope: Scope) -> tuple[Client, str, cst.CSTNode | None]:
    """The consumer of a subscription, and its dead-letter state from its configuration."""
    c = Client("consumer", "nats", scope, sub)
    cfg = _config(m, sub, scope)
    if cfg is None:
        return c, "external", None
    policy = keyword(cfg, "ack_policy")
    text = (dotted(policy.value) or literal(m, policy.value, scope) or "") if policy is not None else ""
    if text.lower().rsplit(".", 1)[-1] == "none":
        c.auto_ack = policy.value  # type: ignore[union-attr]
        c.auto_ack_why = "`ack_policy=AckPolicy.NONE`"
    return c, ("declared" if keyword(cfg, "max_deliver") is not None else "missing"), cfg


def publishes(m: PyModule, k: Kafka) -> None:
    seen = {id(p.node) for p in k.produces}
    for site in m.calls:
        call = site.node
        if id(call) in seen or method(call) != "publish" or keyword(call, "TopicArn") is not None:
            continue
        subject = arg(call, "subject", 0)
        if subject is None or isinstance(m.constant(subject, site.scope), cst.Call):
            continue
        k.produces.append(produce(site, Client("producer", "nats", site.scope), topic=subject,
                                  value=arg(call, "payload", 1), headers=arg(call, "headers")))


def ack_kind(m: PyModule, site: CallSite, loop: Loop) -> str | None:
    if not on_message(site, loop):
        return None
    name = method(site.node)
    if name in ("ack", "ack_sync"):
        return "ack"
    if name in ("nak", "term"):
        return "nack"
    return "own" if name == "in_progress" else None


def consumers(m: PyModule, k: Kafka) -> None:
    found: list[Loop] = []
    for site in m.calls:
        call, scope = site.node, site.scope
        name = method(call)
        if name == "subscribe" and _jetstream(m, call, scope) and keyword(call, "cb") is not None:
            fn = function_of(m, keyword(call, "cb").value, scope)  # type: ignore[union-attr]
            if fn is None:
                continue
            c, dead, at = _client(m, k, call, scope)
            k.clients.append(c)
            ps = [p.name.value for p in params(fn)]
            loop = callback_loop(m, k, "nats", c, fn, set(ps[:1]), call)
            loop.dead_letter, loop.dead_letter_at = dead, at
            found.append(loop)
        elif name in ("fetch", "next_msg") and isinstance(call.func, cst.Attribute):
            sub = _bound_call(m, call.func.value, scope, ("pull_subscribe", "subscribe"))
            if sub is None or not _jetstream(m, sub, scope):
                continue
            c, dead, at = _client(m, k, sub, scope)
            k.clients.append(c)
            loop = receive_loop(m, k, "nats", c, site)
            loop.dead_letter, loop.dead_letter_at = dead, at
            found.append(loop)
    for names, it, scope, region in iterations(k):
        if not (isinstance(it, cst.Attribute) and it.attr.value == "messages"):
            continue
        sub = _bound_call(m, it.value, scope, ("subscribe", "pull_subscribe"))
        if sub is None or not _jetstream(m, sub, scope):
            continue
        c, dead, at = _client(m, k, sub, scope)
        k.clients.append(c)
        loop = iterate_loop(m, k, "nats", c, it, region, scope, names)
        loop.dead_letter, loop.dead_letter_at = dead, at
        found.append(loop)
    for loop in found:
        classify(m, k, loop, ack_kind)
        k.loops.append(loop)
