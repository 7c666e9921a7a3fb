"""Calls of a function of another module of the tree that hands its parameters to a Kafka client:
``kafka_inventory_consumer("product_create_topic", servers)`` where ``kafka.py`` builds
``AIOKafkaConsumer(topic, ...)``, or ``publish_event("order.created", {...})`` where the helper
calls ``producer.send(topic, value=json.dumps(payload).encode())``.

The helper is read with ``ast`` through the project index (``analyses.index``): its parameters that
become a consumer's topics (the constructor's positional topics, ``subscribe([...])``), a send's
topic or a send's payload (through ``json.dumps``/``.encode()``), when it never rebinds them. At each
call in this module, the arguments given for them are the topic names (CL212, CL215) and the payload
(CL211) of that call. The finding goes where the name or the payload is written.

RabbitMQ wrappers are read the same way: a method of a class of another module (called on ``self`` in a
subclass, or on a client built here: ``client = await AMQPClient().init()``) whose parameters become an
aio-pika ``exchange.publish(Message(body=...), routing_key=...)`` or a pika ``basic_publish``'s exchange,
routing key and body (also through locals bound once: ``payload = message.dict()``). Its routing keys are
then judged as ``rabbitmq.routing_keys`` judges a publish of this module.
"""

from __future__ import annotations

import ast

from ...artifacts import pynodes as cst
from ...artifacts.python import CallSite, PyModule
from ..brokers import KAFKA_LIBRARIES, LIBRARIES, MESSAGING_WORDS
from ..index import Definition, find
from ..kafka.topic_names import literal_topics
from ..kafka.model import SERIALISE_METHODS, Client, Kafka, Produce
from ..summaries import _dotted
from .helpers import bind

CONSUMERS = frozenset({"kafka.KafkaConsumer", "aiokafka.AIOKafkaConsumer"})
SENDS = frozenset({"send", "send_and_wait", "produce"})
RABBIT = frozenset({"pika", "aio_pika", "kombu"})
AS_DICT = frozenset({"attrs.asdict", "attr.asdict", "dataclasses.asdict"})


def broker_params(d: Definition) -> dict[str, str]:
    """Parameter -> "consume" | "topic" | "value" | "exchange" | "binding" (a RabbitMQ queue's binding
    key) for a function of a module that imports a Kafka or RabbitMQ client (remembered on the
    summary's function)."""
    fn = d.function
    if fn is None:
        return {}
    found = getattr(fn, "_broker_params", None)
    if found is None:
        fn._broker_params = {}  # type: ignore[attr-defined]  # (while it is read: methods calling each other)
        found = _read(d) if {q.split(".")[0] for q in d.summary.imports.values()} & (KAFKA_LIBRARIES | RABBIT) else {}
        fn._broker_params = found  # type: ignore[attr-defined]
    return found


def _read(d: Definition) -> dict[str, str]:
    fn = d.function
    node = fn.node  # type: ignore[union-attr]
    params = set(fn.params)  # type: ignore[union-attr]
    rebound = {t.id for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))
               and not _serialised_in_place(n) for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
               if isinstance(t, ast.Name)}
    usable = params - rebound
    once: dict[str, ast.AST] = {}  # locals assigned once: payload = message.dict()
    for n in ast.walk(node):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            once[n.targets[0].id] = n.value if n.targets[0].id not in once else None  # type: ignore[assignment]

    def param(expr: ast.AST | None) -> str | None:
        for _ in range(8):  # json.dumps(payload).encode("utf-8"), str(payload).encode(), Message(body=...)
            if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in SERIALISE_METHODS:
                expr = expr.args[0] if expr.func.attr == "dumps" and expr.args else expr.func.value
            elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in ("dumps", "str", "bytes") \
                    and expr.args:
                expr = expr.args[0]
            elif isinstance(expr, ast.Call) and expr.args and d.summary.resolve(_dotted(expr.func) or "") in AS_DICT:
                expr = expr.args[0]  # json.dumps(attrs.asdict(message))
            elif isinstance(expr, ast.Call) and d.summary.resolve(_dotted(expr.func) or "") == "aio_pika.Message":
                expr = next((k.value for k in expr.keywords if k.arg == "body"), expr.args[0] if expr.args else None)
            elif isinstance(expr, ast.Name) and expr.id not in params and once.get(expr.id) is not None:
                expr = once[expr.id]
            else:
                break
        return expr.id if isinstance(expr, ast.Name) and expr.id in usable else None

    out: dict[str, str] = {}
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        f = call.func
        callee = d.summary.resolve(_dotted(f) or "")
        given = {k.arg: k.value for k in call.keywords if k.arg is not None}
        if callee in CONSUMERS:
            for a in [*call.args, given.get("topics")]:
                if (p := param(a)) is not None:
                    out[p] = "consume"
        elif isinstance(f, ast.Attribute) and f.attr == "subscribe":
            topics = call.args[0] if call.args else given.get("topics")
            for a in topics.elts if isinstance(topics, (ast.List, ast.Tuple)) else [topics]:
                if (p := param(a)) is not None:
                    out[p] = "consume"
        elif isinstance(f, ast.Attribute) and f.attr in SENDS:
            topic = call.args[0] if call.args else given.get("topic")
            value = call.args[1] if len(call.args) > 1 else given.get("value")
            if (p := param(topic)) is not None:
                out.setdefault(p, "topic")
            if (p := param(value)) is not None:
                out.setdefault(p, "value")
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self" \
                and d.klass is not None and (sub := d.klass.methods.get(f.attr)) is not None:
            # self.notify(topic, event), a method of the class that sends what it is given
            roles = broker_params(Definition(d.summary, "function", f"{d.klass.name}.{f.attr}", function=sub, klass=d.klass))
            names = sub.params[1:]
            bound = {**dict(zip(names, call.args)), **given}
            for name, role in roles.items():
                if (p := param(bound.get(name))) is not None:
                    out.setdefault(p, role)
        elif isinstance(f, ast.Attribute) and f.attr in ("bind", "queue_bind") and RABBIT & {
                q.split(".")[0] for q in d.summary.imports.values()} and not _fanout(node):
            # await queue.bind(exchange, event), channel.queue_bind(queue, exchange, routing_key): a binding key
            key = given.get("routing_key", call.args[1 if f.attr == "bind" else 2] if len(call.args) > (
                1 if f.attr == "bind" else 2) else None)
            if (p := param(key)) is not None:
                out.setdefault(p, "binding")
        elif isinstance(f, ast.Attribute) and f.attr in ("publish", "basic_publish") and RABBIT & {
                q.split(".")[0] for q in d.summary.imports.values()}:
            pika = f.attr == "basic_publish"  # (exchange, routing_key, body); aio-pika: (message, routing_key)
            where = [(given.get("exchange"), "exchange"), (given.get("routing_key"), "topic"),
                     (given.get("body") if pika else given.get("message"), "value")]
            pos = ["exchange", "topic", "value"] if pika else ["value", "topic"]
            where += [(a, role) for a, role in zip(call.args, pos)]
            if not pika and isinstance(f.value, ast.Name) and f.value.id in once:  # exchange = declare_exchange(name)
                bound = once[f.value.id]
                bound = bound.value if isinstance(bound, ast.Await) else bound
                first = bound.args[0] if isinstance(bound, ast.Call) and bound.args else None
                if isinstance(first, ast.Name) and first.id in params:  # (the parameter, rebound to the exchange)
                    out.setdefault(first.id, "exchange")
            for a, role in where:
                if (p := param(a)) is not None:
                    out.setdefault(p, role)
    return out


def calls_into(m: PyModule, k: Kafka) -> None:
    """Topics and payloads this module hands to helpers of other modules (see the module's docstring)."""
    seen: dict[str, Definition | None] = {}
    for site in m.calls:
        q = m.qualname(site.node.func)
        if q is not None and q.split(".")[0] in LIBRARIES:
            continue
        d = _method(m, site) if q is None else None
        if q is not None:
            if q not in seen:
                d = _constructor(find(m, q, MESSAGING_WORDS))
                seen[q] = d if d is not None and d.kind == "function" and (
                    d.klass is None or d.name.endswith(".__init__")) and broker_params(d) else None
            d = seen[q]
        if d is None or d.function is None:
            continue
        given = bind(site.node, d.function.params[1:] if d.klass is not None else d.function.params)
        if given is None:
            continue
        roles = broker_params(d)
        rabbit = bool(RABBIT & {i.split(".")[0] for i in d.summary.imports.values()})
        topic = next((given[p] for p, r in roles.items() if r == "topic" and p in given), None)
        exchange = tuple(given[p] for p, r in roles.items() if r == "exchange" and p in given)
        for p, role in roles.items():
            if p not in given:
                continue
            if role in ("consume", "topic") and not (rabbit and role == "topic"):  # (routing keys: routing_keys())
                how = "consume" if role == "consume" else "produce"
                k.topic_literals.extend((name, node, how) for name, node in literal_topics(m, [given[p]], site.scope))
            elif role == "binding":  # a routing key a queue is bound by: no wildcard pattern (order.#)
                k.topic_literals.extend((name, node, "consume") for name, node in literal_topics(m, [given[p]], site.scope)
                                        if name and "#" not in name and "*" not in name.split("."))
            elif role == "value":
                k.produces.append(Produce(site, Client("producer", "rabbitmq" if rabbit else "kafka", site.scope), topic,
                                          given[p], key=None, headers=None, unknown_args=False, partition=False,
                                          keyed=False, events_only=rabbit, destinations=exchange))


def _fanout(fn: ast.AST) -> bool:
    """Whether a function declares a fanout or headers exchange (whose bindings ignore the key)."""
    for n in ast.walk(fn):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("declare_exchange", "exchange_declare"):
            for v in [*n.args[1:], *(k.value for k in n.keywords if k.arg in ("type", "exchange_type"))]:
                text = v.value if isinstance(v, ast.Constant) else v.attr if isinstance(v, ast.Attribute) else None
                if isinstance(text, str) and text.lower() in ("fanout", "headers"):
                    return True
    return False


def _serialised_in_place(n: ast.AST) -> bool:
    """``event = json.dumps(event)``: the parameter, encoded, is still the payload it was given."""
    if not (isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)):
        return False
    v = n.value
    for _ in range(4):
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr in SERIALISE_METHODS:
            v = v.args[0] if v.func.attr == "dumps" and v.args else v.func.value
        else:
            break
    return isinstance(v, ast.Name) and v.id == n.targets[0].id and v is not n.value


def _method(m: PyModule, site: CallSite) -> Definition | None:
    """The method of a class of another module a call runs, when it hands its parameters to a broker:
    ``self.publish_message(message)`` in a subclass of it, ``client.event_producer(...)`` with
    ``client = AMQPClient(...)`` (or ``await AMQPClient().init()``, a builder returning itself, or ``client: AMQPClient = amqp``)."""
    f = site.node.func
    if isinstance(f, cst.Name):  # PorterPool("porters"): a class of this module built on one of another's
        cls = m.classes.get(f.value)
        for base in cls.node.bases if cls is not None and isinstance(cls.node, cst.ClassDef) else ():
            d = _constructor(find(m, m.qualname(base.value), MESSAGING_WORDS))
            if d is not None and d.kind == "function" and broker_params(d):
                return d
        return None
    if not isinstance(f, cst.Attribute):
        return None
    owners: list[str] = []
    if isinstance(f.value, cst.Name) and f.value.value == "self":
        cls = site.scope.enclosing_class()
        if cls is None or not isinstance(cls.node, cst.ClassDef) or f.attr.value in cls.bindings:
            return None  # a method of this class: helpers.py follows it
        owners = [q for b in cls.node.bases if (q := m.qualname(b.value)) is not None]
    elif isinstance(f.value, cst.Name):
        found = m.binding_scope(f.value.value, site.scope)
        ann = found.annotations.get(f.value.value) if found is not None else None
        classes = ({m.qualname(ann)} if ann is not None  # ``client: AMQPClient = amqp``
                   else {_built_class(m, v) for v in m.lookup(f.value.value, site.scope)})
        owners = [q for q in classes if q is not None] if len(classes) == 1 else []
    for owner in owners:
        c = find(m, owner, MESSAGING_WORDS)
        fn = c.klass.methods.get(f.attr.value) if c is not None and c.kind == "class" and c.klass is not None else None
        if fn is not None:
            d = Definition(c.summary, "function", f"{c.name}.{f.attr.value}", function=fn, klass=c.klass)  # type: ignore[union-attr]
            return d if broker_params(d) else None
    return None


def _constructor(d: Definition | None) -> Definition | None:
    """A class's ``__init__`` (``KafkaProducerConsumer(topic, group)``), or the definition itself."""
    if d is None or d.kind != "class" or d.klass is None:
        return d
    fn = d.klass.methods.get("__init__")
    return Definition(d.summary, "function", f"{d.name}.__init__", function=fn, klass=d.klass) if fn is not None else None


def _built_class(m: PyModule, v: cst.BaseExpression) -> str | None:
    """The class a value is built from: ``AMQPClient(...)``, ``await AMQPClient().init()`` (a builder)."""
    v = v.expression if isinstance(v, cst.Await) else v
    while isinstance(v, cst.Call) and isinstance(v.func, cst.Attribute) and isinstance(v.func.value, cst.Call):
        v = v.func.value
    return m.qualname(v.func) if isinstance(v, cst.Call) else None
