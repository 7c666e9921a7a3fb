"""RabbitMQ adapter: pika, aio-pika and kombu consumers, acknowledgements, queue declarations and publishes.

- pika: ``basic_consume(queue, on_message_callback, auto_ack=...)`` (and pika 0.x
  ``basic_consume(callback, queue, no_ack=...)``), ``for method, props, body in channel.consume(q)``,
  ``basic_get``; ``basic_ack`` acknowledges, ``basic_nack``/``basic_reject`` give the message back;
  ``queue_declare(queue, arguments={"x-dead-letter-exchange": ...})``; ``basic_publish``.
- aio-pika: ``queue.consume(callback, no_ack=...)``, ``async for message in queue.iterator()`` (or in
  the queue itself);
  ``message.ack()``/``nack()``/``reject()``, ``async with message.process()`` (acknowledges when the
  block ends); ``channel.declare_queue(name, arguments=...)``; ``exchange.publish(Message(...), routing_key)``.
- kombu: ``Consumer(queues=[Queue(...)], callbacks=[fn], no_ack=...)`` with ``fn(body, message)``;
  ``message.ack()``/``reject()``/``requeue()``; ``Queue(name, queue_arguments=...)``; ``producer.publish``.

AMQP message properties stand for envelope fields carried as metadata: ``message_id`` (event_id),
``type`` (event_type), ``timestamp``, ``app_id`` (source), ``correlation_id``.
"""

from __future__ import annotations

from ...artifacts import pynodes as cst

from ...artifacts.python import CallSite, PyModule, Scope, keyword, positional, string_value
from ..kafka.topic_names import literal_topics
from ..kafka.model import Client, Kafka, Loop
from ..values import template
from .common import (
    arg,
    callback_loop,
    classify,
    function_of,
    iterate_loop,
    iterations,
    literal,
    mapping,
    method,
    on_message,
    params,
    produce,
    queue_dead_letter,
    receive_loop,
    roots,
    truthy,
)
from .helpers import send_of

LIBRARIES = frozenset({"pika", "aio_pika", "kombu"})
PROPERTY_FIELDS = {"message_id": "event_id", "type": "event_type", "timestamp": "timestamp", "app_id": "source",
                   "correlation_id": "correlation_id"}
ACKS = frozenset({"ack", "basic_ack"})
NACKS = frozenset({"nack", "reject", "requeue", "basic_nack", "basic_reject"})
OWN = frozenset({"process", "basic_qos", "basic_cancel", "start_consuming", "stop_consuming"})


AMQP_METHODS = frozenset({"basic_consume", "basic_publish", "basic_get"})


def applies(m: PyModule) -> bool:
    return bool(libraries(m) & LIBRARIES)


def libraries(m: PyModule) -> set[str]:
    """The RabbitMQ libraries the module uses: those it imports, and pika when it calls pika's API
    on a channel a module of the tree builds (``amqp_setup.channel.basic_consume(...)``)."""

    def build(m: PyModule) -> set[str]:
        from ..index import module_file, project_index

        libs = roots(m)
        if "pika" in libs:
            return libs
        index, here = project_index(m), module_file(m)
        for site in m.calls if index is not None and here is not None else ():
            f = site.node.func
            if isinstance(f, cst.Attribute) and f.attr.value in AMQP_METHODS:
                q = m.qualname(f.value)
                if q is not None and index.mentions(here, q, (b"pika",), m.index_deps):
                    return libs | {"pika"}
        return libs

    return m.analysis("rabbitmq.libraries", build)


# -- publishes ----------------------------------------------------------------------------------


def _properties(m: PyModule, k: Kafka, call: cst.Call | None, scope: Scope) -> cst.BaseExpression | None:
    """Envelope metadata of AMQP properties (``BasicProperties(...)``, ``Message(...)``), as a dict of keys."""
    if call is None:
        return None
    keys: list[str] = []
    for a in call.args:
        if a.keyword is None:
            continue
        name = a.keyword.value
        if name == "headers":
            found = mapping(m, a.value, scope, k)
            if found is None:
                return None
            keys.extend(found)
        elif name in PROPERTY_FIELDS:
            keys.append(PROPERTY_FIELDS[name])
    none = cst.NO_RANGE  # made up: no range
    return cst.Dict(none, [cst.DictElement(none, cst.SimpleString(none, repr(key)), cst.Name(none, "None")) for key in keys])


def _built(m: PyModule, expr: cst.BaseExpression | None, scope: Scope, last: str) -> cst.Call | None:
    """The ``last(...)`` call an expression is or is bound to (``Message(...)``, ``BasicProperties(...)``)."""
    v = m.constant(expr, scope) if expr is not None else None
    if isinstance(v, cst.Call):
        f = v.func
        name = f.attr.value if isinstance(f, cst.Attribute) else (f.value if isinstance(f, cst.Name) else "")
        if name == last:
            return v
    return None


def publishes(m: PyModule, k: Kafka) -> None:
    seen = {id(p.node) for p in k.produces}
    libs = libraries(m)
    for site in m.calls:
        call = site.node
        name = method(call)
        if id(call) in seen or name not in ("basic_publish", "publish"):
            continue
        c = Client("producer", "rabbitmq", site.scope)
        if name == "basic_publish":  # pika: (exchange, routing_key, body, properties)
            props = _built(m, arg(call, "properties", 3), site.scope, "BasicProperties")
            exchange = arg(call, "exchange", 0)
            k.produces.append(produce(site, c, topic=arg(call, "routing_key", 1), value=arg(call, "body", 2),
                                      headers=_properties(m, k, props, site.scope),
                                      destinations=(exchange,) if exchange is not None else ()))
        elif "aio_pika" in libs and (msg := _built(m, arg(call, "message", 0), site.scope, "Message")) is not None:
            k.produces.append(produce(site, c, topic=arg(call, "routing_key", 1),
                                      value=arg(msg, "body", 0), headers=_properties(m, k, msg, site.scope)))
        elif "kombu" in libs and keyword(call, "routing_key") is not None:
            exchange = arg(call, "exchange")
            k.produces.append(produce(site, c, topic=arg(call, "routing_key"), value=arg(call, "body", 0),
                                      headers=_properties(m, k, call, site.scope),
                                      destinations=(exchange,) if exchange is not None else ()))


# -- queue declarations -------------------------------------------------------------------------


def _declaration(m: PyModule, k: Kafka, call: cst.Call, scope: Scope) -> tuple[str | None, cst.Call, bool | None]:
    """(queue name, the declaring call, dead-letter exchange set?) of a queue declaration; None: unknown
    (unreadable arguments, or a transient queue)."""
    name = method(call) or (call.func.value if isinstance(call.func, cst.Name) else "")
    queue = literal(m, arg(call, "name", 0) if name in ("Queue", "declare_queue") and keyword(call, "queue") is None
                    else arg(call, "queue", 0), scope)  # aio-pika's declare_queue(name=...), kombu's Queue(name=...)
    if _transient_declaration(m, call, scope):
        return queue, call, None
    args = arg(call, "queue_arguments" if name == "Queue" else "arguments")
    return queue, call, queue_dead_letter(m, k, args, scope)


def declarations(m: PyModule, k: Kafka) -> dict[str, tuple[cst.Call, bool | None]]:
    out: dict[str, tuple[cst.Call, bool | None]] = {}
    for site in m.calls:
        call = site.node
        name = method(call) or (call.func.value if isinstance(call.func, cst.Name) else "")
        if name in ("queue_declare", "declare_queue") or (name == "Queue" and (m.qualname(call.func) or "").startswith("kombu")):
            queue, node, dlx = _declaration(m, k, call, site.scope)
            if queue and queue not in out:
                out[queue] = (node, dlx)
    return out


def _dead_letter(m: PyModule, k: Kafka, loop: Loop, queue: cst.BaseExpression | None, scope: Scope,
                 decls: dict[str, tuple[cst.Call, bool | None]]) -> None:
    """``loop.dead_letter`` from the consumed queue's declaration in this module, if there is one.
    A consumer with auto-ack on never rejects a message, so no dead-letter exchange can receive one:
    only the handler's own code can dead-letter it (None: look there), wherever the queue is declared."""
    loop.dead_letter = "external"
    if loop.client is not None and loop.client.auto_ack is not None:
        loop.dead_letter = None
        return
    if queue is None:
        return
    value = _declared(m, m.constant(queue, scope), scope)
    found: tuple[cst.Call, bool | None] | None = None
    origin = m.origin(queue, scope) if isinstance(queue, (cst.Name, cst.Attribute)) else None
    every_missing = bool(decls) and all(dlx is False for _, dlx in decls.values())
    got = _got_queues(m, queue, scope)
    if got:  # aio-pika: a queue declared before, looked up by name
        names = {literal(m, arg(call, "name", 0), scope) for call in got}
        name = names.pop() if len(names) == 1 else None
        found = decls.get(name) if name is not None else next(iter(decls.values())) if every_missing else None
    elif isinstance(value, cst.Call) and method(value) != "iterator" or (origin is not None and origin.call is not None
                                                                       and method(origin.call) == "declare_queue"):
        call = value if isinstance(value, cst.Call) else origin.call  # type: ignore[union-attr]
        _, node, dlx = _declaration(m, k, call, scope)
        found = (node, dlx)
    else:
        name = literal(m, queue, scope)
        if name is not None:
            found = decls.get(name)
        elif isinstance(queue, cst.Name) and m.is_opaque(queue.value, scope) and every_missing:
            found = next(iter(decls.values()))  # a consume wrapper of a client declaring the service's queues
            loop.queue_passed_in = True
    if found is None or found[1] is None:
        return
    loop.dead_letter = "declared" if found[1] else "missing"
    loop.dead_letter_at = found[0]


def _got_queues(m: PyModule, queue: cst.BaseExpression, scope: Scope) -> list[cst.Call]:
    """The ``await channel.get_queue(name)`` calls a queue name is bound to (all of its bindings), or []."""
    values = m.lookup(queue.value, scope) if isinstance(queue, cst.Name) else []
    calls = [v.expression if isinstance(v, cst.Await) else v for v in values]
    ok = calls and all(isinstance(c, cst.Call) and method(c) == "get_queue" for c in calls)
    return calls if ok else []  # type: ignore[return-value]


def _declared(m: PyModule, value: cst.BaseExpression | None, scope: Scope) -> cst.BaseExpression | None:
    """pika's ``result.method.queue`` after ``result = channel.queue_declare(...)``: that declaration."""
    if isinstance(value, cst.Attribute) and value.attr.value == "queue" and isinstance(value.value, cst.Attribute) \
            and value.value.attr.value == "method" and isinstance(value.value.value, cst.Name):
        bound = m.lookup(value.value.value.value, scope)
        if len(bound) == 1 and isinstance(bound[0], cst.Call) and method(bound[0]) == "queue_declare":
            return bound[0]
    return value


# -- consumers ----------------------------------------------------------------------------------


def ack_kind(m: PyModule, site: CallSite, loop: Loop) -> str | None:
    name = method(site.node)
    if name in ("basic_ack", "basic_nack", "basic_reject"):
        return "ack" if name == "basic_ack" else "nack"
    if on_message(site, loop):
        if name in ACKS:
            return "ack"
        if name in NACKS:
            return "nack"
        if name in OWN:
            return "own"
    if name in OWN:
        return "own"
    return None


def _auto_ack(m: PyModule, c: Client, call: cst.Call, scope: Scope, names: tuple[str, ...]) -> None:
    for n in names:
        a = keyword(call, n)
        if a is not None and truthy(m, a.value, scope):
            c.auto_ack = a.value
            c.auto_ack_why = f"`{n}=True`"


def _transient(m: PyModule, queue: cst.BaseExpression | None, scope: Scope, _depth: int = 0) -> bool:
    """A reply or subscription queue: ``result.method.queue`` of a transient declaration, or the direct
    reply-to pseudo-queue. Losing its messages on a crash is its nature, not a bug."""
    if queue is None or _depth > 4:
        return False
    if literal(m, queue, scope) == "amq.rabbitmq.reply-to":
        return True
    values: list[cst.BaseExpression] = []
    if isinstance(queue, cst.Name):
        values = m.lookup(queue.value, scope)
    elif isinstance(queue, cst.Attribute) and isinstance(queue.value, cst.Name) and queue.value.value == "self":
        cls = scope.enclosing_class()
        values = cls.attributes.get(queue.attr.value, []) if cls is not None else []
    elif isinstance(queue, cst.Attribute):
        values = [queue]
    for v in values:
        while isinstance(v, cst.Attribute):  # result.method.queue
            v = v.value
        if isinstance(v, cst.Await):
            v = v.expression
        if isinstance(v, cst.Name) and v is not queue:
            if _transient(m, v, scope, _depth + 1):
                return True
        elif isinstance(v, cst.Call) and method(v) in ("queue_declare", "declare_queue"):
            if _transient_declaration(m, v, scope):
                return True
    return False


def _transient_declaration(m: PyModule, call: cst.Call, scope: Scope) -> bool:
    """An exclusive queue (one connection's own), or an auto-delete one whose name the server picks (no
    name, or ``""``). A named auto-delete queue is shared by whoever consumes that name (the checklist's
    consumer group): its poison messages need a dead-letter path as any other's."""
    if truthy(m, arg(call, "exclusive"), scope):
        return True
    name = arg(call, "queue", 0) or arg(call, "name")
    return bool(truthy(m, arg(call, "auto_delete"), scope)) and (name is None or literal(m, name, scope) == "")


def _rpc_server(m: PyModule, loop: Loop) -> bool:
    """A handler that answers each request on its ``reply_to`` queue: request/reply, RabbitMQ's own use."""
    return any(method(s.node) in ("basic_publish", "publish") and "reply_to" in m.tree.code_for_node(s.node)
               for s in loop.calls)


def consumers(m: PyModule, k: Kafka) -> None:
    decls = declarations(m, k)
    libs = libraries(m)
    found: list[tuple[Loop, cst.BaseExpression | None, Scope]] = []
    for site in m.calls:
        call, scope = site.node, site.scope
        name = method(call) or (call.func.value if isinstance(call.func, cst.Name) else "")
        if name == "basic_consume":
            first = arg(call, "queue", 0)
            old = function_of(m, positional(call, 0).value, scope) if positional(call, 0) is not None else None
            cb_expr = arg(call, "on_message_callback") or arg(call, "consumer_callback") or \
                (positional(call, 0).value if old is not None else arg(call, "on_message_callback", 1))  # type: ignore[union-attr]
            queue = arg(call, "queue", 1) if old is not None else first
            c = Client("consumer", "pika", scope, call)
            _auto_ack(m, c, call, scope, ("auto_ack", "no_ack"))
            k.clients.append(c)
            fn = function_of(m, cb_expr, scope)
            if fn is not None:
                ps = [p.name.value for p in params(fn)]
                message = set(ps[-2:]) if len(ps) >= 4 else set(ps[-1:])  # (ch, method, properties, body)
                found.append((callback_loop(m, k, "rabbitmq", c, fn, message, call), queue, scope))
            elif isinstance(cb_expr, cst.Name) and m.is_opaque(cb_expr.value, scope):
                # a consume wrapper whose callback is its caller's: the queue's declaration is still judged
                found.append((Loop("callback", c, call, call, scope, None, library="rabbitmq", handed_in=True),
                              queue, scope))
        elif name == "basic_get" and "pika" in libs:
            c = Client("consumer", "pika", scope, call)
            _auto_ack(m, c, call, scope, ("auto_ack", "no_ack"))
            k.clients.append(c)
            found.append((receive_loop(m, k, "rabbitmq", c, site), arg(call, "queue", 0), scope))
        elif name == "consume" and "aio_pika" in libs and positional(call, 0) is not None:
            cb_expr = positional(call, 0).value  # type: ignore[union-attr]
            if isinstance(cb_expr, cst.Call) and m.qualname(cb_expr.func) == "functools.partial" and cb_expr.args:
                cb_expr = cb_expr.args[0].value  # partial(self._process_message, callback=callback)
            fn = function_of(m, cb_expr, scope)
            if not isinstance(call.func, cst.Attribute) or (fn is None and not (
                    isinstance(cb_expr, cst.Name) and m.is_opaque(cb_expr.value, scope))):
                continue
            c = Client("consumer", "aio_pika", scope, call)
            _auto_ack(m, c, call, scope, ("no_ack",))
            k.clients.append(c)
            if fn is None:  # a consume wrapper whose callback is its caller's: the queue's declaration is judged
                found.append((Loop("callback", c, call, call, scope, None, library="rabbitmq", handed_in=True),
                              call.func.value, scope))
                continue
            ps = [p.name.value for p in params(fn)]
            found.append((callback_loop(m, k, "rabbitmq", c, fn, set(ps[:1]), call), call.func.value, scope))
        elif name == "Consumer" and "kombu" in libs and keyword(call, "callbacks") is not None:
            c = Client("consumer", "kombu", scope, call)
            _auto_ack(m, c, call, scope, ("no_ack",))
            k.clients.append(c)
            cbs = m.constant(keyword(call, "callbacks").value, scope)  # type: ignore[union-attr]
            queues = m.constant(arg(call, "queues", 1), scope)
            queue = queues.elements[0].value if isinstance(queues, (cst.List, cst.Tuple)) and len(queues.elements) == 1 \
                else None
            for el in cbs.elements if isinstance(cbs, (cst.List, cst.Tuple)) else ():
                fn = function_of(m, el.value, scope)
                if fn is not None:
                    ps = [p.name.value for p in params(fn)]
                    found.append((callback_loop(m, k, "rabbitmq", c, fn, set(ps[:2]), call), queue, scope))
    for names, it, scope, region in iterations(k):
        call = it if isinstance(it, cst.Call) else None
        direct = False  # ``async for message in queue``: aio-pika's Queue iterates as queue.iterator() does
        if call is None and isinstance(it, cst.Name):
            values = m.lookup(it.value, scope)
            last = values[-1] if values else None
            if (isinstance(last, cst.Await) and isinstance(last.expression, cst.Call) and "aio_pika" in libs
                    and method(last.expression) in ("declare_queue", "get_queue")):
                call, direct = last.expression, True
            else:
                bound = [v for v in values if isinstance(v, cst.Call)]
                call = bound[-1] if bound else None
        if direct:
            c = Client("consumer", "aio_pika", scope, call)
            k.clients.append(c)
            found.append((iterate_loop(m, k, "rabbitmq", c, it, region, scope, names), it, scope))
            continue
        if call is None or method(call) not in ("consume", "iterator"):
            continue
        if method(call) == "consume" and "pika" not in libs or method(call) == "iterator" and "aio_pika" not in libs:
            continue
        c = Client("consumer", "pika" if method(call) == "consume" else "aio_pika", scope, call)
        _auto_ack(m, c, call, scope, ("auto_ack", "no_ack"))
        k.clients.append(c)
        queue = arg(call, "queue", 0) if method(call) == "consume" else \
            (call.func.value if isinstance(call.func, cst.Attribute) else None)
        found.append((iterate_loop(m, k, "rabbitmq", c, it, region, scope, names), queue, scope))
    transient = {id(loop.client) for loop, queue, scope in found if _transient(m, queue, scope)}
    k.clients[:] = [c for c in k.clients if id(c) not in transient]
    for loop, queue, scope in found:
        if id(loop.client) in transient or _rpc_server(m, loop):
            continue
        classify(m, k, loop, ack_kind)
        _dead_letter(m, k, loop, queue, scope, decls)
        k.loops.append(loop)


# -- routing keys ---------------------------------------------------------------------------------


def routing_keys(m: PyModule, k: Kafka) -> None:
    """The routing keys a named exchange routes by, judged as topic names (CL212, CL215): those of the
    publishes to it (``basic_publish(exchange=EXCHANGE, routing_key="order.created")``, aio-pika's
    ``exchange.publish(msg, routing_key=...)``, the calls of a publishing helper) and of the queues
    bound to it (``queue_bind(..., routing_key=...)``). The default exchange's key is a queue's name,
    and a fanout or headers exchange ignores the key: neither is judged, nor an exchange we cannot read.

    A publish to a topic or fanout exchange, or by a dotted routing key (``f"patient.{kind}"``) to an
    exchange other than the default one, goes to subscribers by the event's name: its payload is an
    event (CL211), not a work queue's job."""
    if not libraries(m) & LIBRARIES and not any(p.client is not None and p.client.library == "rabbitmq"
                                                 for p in k.produces):  # (a wrapper of another module's)
        return
    kinds = _exchange_kinds(m)
    for p in k.produces:
        if p.client is None or p.client.library != "rabbitmq" or p.topic is None:
            continue
        send = send_of(p)
        where = p.destinations[0] if p.destinations else _receiver(send.node)
        scope = p.site.scope if p.destinations else send.site.scope
        name = _exchange(m, where, scope)
        if name and kinds.get(name) not in ("fanout", "headers"):
            k.topic_literals.extend((n, node, "produce") for n, node in _named(m, literal_topics(m, [p.topic], p.site.scope)))
        if name != "" and where is not None and (kinds.get(name or "") in ("topic", "fanout")
                                                 or "." in (template(m, p.topic, p.site.scope) or "")):
            p.events_only = False  # published to subscribers by event name: an event, not a queue's job
    aio = "aio_pika" in libraries(m)
    for site in m.calls:
        call, name = site.node, method(site.node)
        if name == "queue_bind":  # pika: queue_bind(queue, exchange, routing_key=None)
            exchange, key = arg(call, "exchange", 1), arg(call, "routing_key", 2)
        elif name == "bind" and aio:  # aio-pika: await queue.bind(exchange, routing_key=None)
            exchange, key = arg(call, "exchange", 0), arg(call, "routing_key", 1)
        else:
            continue
        ex = _exchange(m, exchange, site.scope)
        if key is not None and ex and kinds.get(ex) not in ("fanout", "headers"):
            k.topic_literals.extend((n, node, "consume") for n, node in _named(m, literal_topics(m, [key], site.scope)))


def _named(m: PyModule, keys: list[tuple[str, cst.CSTNode]]) -> list[tuple[str, cst.CSTNode]]:
    """Routing keys that name one event: no wildcard pattern (``#``, ``order.*``) and no empty key."""
    return [(n, node) for n, node in keys if n and "#" not in n and "*" not in n.split(".")]


def _receiver(call: cst.Call) -> cst.BaseExpression | None:
    return call.func.value if isinstance(call.func, cst.Attribute) else None


def _exchange(m: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> str | None:
    """An exchange's name: a string, or the one ``declare_exchange("orders", ...)`` made; "" for the
    default exchange; None when it cannot be read."""
    if isinstance(expr, cst.Attribute) and expr.attr.value == "default_exchange":
        return ""
    v = m.constant(expr, scope) if expr is not None else None
    if isinstance(v, cst.Await):
        v = v.expression
    if isinstance(v, cst.Call) and method(v) == "declare_exchange":
        return literal(m, arg(v, "name", 0), scope)
    return string_value(v) if v is not None else None


def _exchange_kinds(m: PyModule) -> dict[str, str]:
    """Each exchange the module declares, with its type (``exchange_declare(exchange=..., exchange_type="topic")``,
    ``declare_exchange("orders", ExchangeType.FANOUT)``)."""
    out: dict[str, str] = {}
    for site in m.calls:
        call, name = site.node, method(site.node)
        if name == "exchange_declare":
            ex, kind = arg(call, "exchange", 0), arg(call, "exchange_type", 1)
        elif name == "declare_exchange":
            ex, kind = arg(call, "name", 0), arg(call, "type", 1)
        else:
            continue
        n = literal(m, ex, site.scope)
        v = m.constant(kind, site.scope) if kind is not None else None
        text = string_value(v) if v is not None else None
        if text is None and isinstance(v, cst.Attribute):
            text = v.attr.value
        if n is not None:
            out[n] = (text or "direct").lower()
    return out
