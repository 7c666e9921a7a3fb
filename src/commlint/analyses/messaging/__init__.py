"""One model of a module's messaging, whatever the broker: the Kafka model (``analyses.kafka``) with the
consumers, handler loops, acknowledgements and publishes of the standard's alternatives added by one
thin adapter per library (``rabbitmq``: pika, aio-pika, kombu; ``sqs``: boto3, aioboto3, aiobotocore,
SQS and SNS; ``nats``: nats-py JetStream; ``faststream``: its Kafka, RabbitMQ, NATS and Redis brokers).

The rules read ``messaging(module)``; ``kafka(module)`` stays the Kafka clients' own model (CL231,
request/reply over Kafka, reads only it: request/reply is what the standard keeps RabbitMQ for).
"""

from __future__ import annotations

from dataclasses import replace

from ...artifacts.python import PyModule
from ..index import module_file, project_index
from ..kafka.build import BROKER_WORDS, kafka
from ..kafka.model import ROLES, Kafka
from . import faststream, nats, rabbitmq, sqs

ADAPTERS = (faststream, sqs, rabbitmq, nats)  # publishes are claimed in this order


def messaging(module: PyModule) -> Kafka:
    """Clients, handler loops and publishes of every broker library the module uses (computed once)."""

    def build(m: PyModule) -> Kafka:
        k = kafka(m)
        used = [a for a in ADAPTERS if a.applies(m)]
        if not used:
            return k
        merged = replace(k, clients=list(k.clients), loops=list(k.loops), produces=list(k.produces),
                         topic_literals=list(k.topic_literals))
        for a in used:
            a.publishes(m, merged)
        for a in used:
            a.consumers(m, merged)
        return merged

    return module.analysis("events.messaging", build)


def may_message(module: PyModule) -> bool:
    """Whether the module may hold a broker client at all: it imports a broker library, or calls
    into a module of the tree that names one (a factory or wrapper the Kafka model follows).
    Otherwise its messaging model is empty, and building it (a walk of the whole tree) is skipped
    where only its facts are wanted."""

    def build(m: PyModule) -> bool:
        roots = {q.split(".")[0] for q in m.imports.values()}
        if roots & set(ROLES) or any(a.applies(m) for a in ADAPTERS):
            return True
        index, here = project_index(m), module_file(m)
        if index is None or here is None:
            return True  # no tree to look in: build it
        seen: set[str] = set()
        for site in m.calls:
            q = m.qualname(site.node.func)
            if q is None or q in seen:
                continue
            seen.add(q)
            if index.mentions(here, q, BROKER_WORDS, m.index_deps):
                return True
        return False

    return module.analysis("events.may_message", build)
