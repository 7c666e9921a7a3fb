"""Calls of a function of another module of the tree that hands its parameters to a Kafka client:
``kafka_inventory_consumer("product_create_topic", servers)`` where ``kafka.py`` builds
``AIOKafkaConsumer(topic, ...)``, or ``publish_event("order.created", {...})`` where the helper
calls ``producer.send(topic, value=json.dumps(payload).encode())``.

The helper is read with ``ast`` through the project index (``analyses.index``): its parameters that
become a consumer's topics (the constructor's positional topics, ``subscribe([...])``), a send's
topic or a send's payload (through ``json.dumps``/``.encode()``), when it never rebinds them. At each
call in this module, the arguments given for them are the topic names (CL212, CL215) and the payload
(CL211) of that call. The finding goes where the name or the payload is written.
"""

from __future__ import annotations

import ast

from ...artifacts.python import PyModule
from ..brokers import BROKER_WORDS, KAFKA_LIBRARIES
from ..index import Definition, find
from ..kafka.build import literal_topics
from ..kafka.model import SERIALISE_METHODS, Client, Kafka, Produce
from ..summaries import _dotted
from .helpers import bind

CONSUMERS = frozenset({"kafka.KafkaConsumer", "aiokafka.AIOKafkaConsumer"})
SENDS = frozenset({"send", "send_and_wait", "produce"})


def broker_params(d: Definition) -> dict[str, str]:
    """Parameter -> "consume" | "topic" | "value" for a function of a module that imports a Kafka
    client (remembered on the summary's function)."""
    fn = d.function
    if fn is None:
        return {}
    found = getattr(fn, "_broker_params", None)
    if found is None:
        found = _read(d) if {q.split(".")[0] for q in d.summary.imports.values()} & KAFKA_LIBRARIES else {}
        fn._broker_params = found  # type: ignore[attr-defined]
    return found


def _read(d: Definition) -> dict[str, str]:
    fn = d.function
    node = fn.node  # type: ignore[union-attr]
    params = set(fn.params)  # type: ignore[union-attr]
    rebound = {t.id for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))
               for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    usable = params - rebound

    def param(expr: ast.AST | None) -> str | None:
        for _ in range(4):  # json.dumps(payload).encode("utf-8")
            if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in SERIALISE_METHODS:
                expr = expr.args[0] if expr.func.attr == "dumps" and expr.args else expr.func.value
            elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dumps" and expr.args:
                expr = expr.args[0]
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
    return out


def calls_into(m: PyModule, k: Kafka) -> None:
    """Topics and payloads this module hands to helpers of other modules (see the module's docstring)."""
    seen: dict[str, Definition | None] = {}
    for site in m.calls:
        q = m.qualname(site.node.func)
        if q is None or q.split(".")[0] in KAFKA_LIBRARIES:
            continue
        if q not in seen:
            d = find(m, q, BROKER_WORDS)
            seen[q] = d if d is not None and d.kind == "function" and d.klass is None and broker_params(d) else None
        d = seen[q]
        if d is None:
            continue
        given = bind(site.node, d.function.params)  # type: ignore[union-attr]
        if given is None:
            continue
        roles = broker_params(d)
        topic = next((given[p] for p, r in roles.items() if r == "topic" and p in given), None)
        for p, role in roles.items():
            if p not in given:
                continue
            if role in ("consume", "topic"):
                how = "consume" if role == "consume" else "produce"
                k.topic_literals.extend((name, node, how) for name, node in literal_topics(m, [given[p]], site.scope))
            elif role == "value":
                k.produces.append(Produce(site, Client("producer", "kafka", site.scope), topic, given[p], key=None,
                                          headers=None, unknown_args=False, partition=False, keyed=False))
