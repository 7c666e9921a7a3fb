"""One model of a module's messaging, whatever the broker: the Kafka model (``analyses.kafka``) with the
consumers, handler loops, acknowledgements and publishes of the standard's alternatives added by one
thin adapter per library (``rabbitmq``: pika, aio-pika, kombu; ``sqs``: boto3, aioboto3, aiobotocore,
SQS and SNS; ``nats``: nats-py JetStream; ``faststream``: its Kafka, RabbitMQ, NATS and Redis brokers).

The rules read ``messaging(module)``; ``kafka(module)`` stays the Kafka clients' own model (CL231,
request/reply over Kafka, reads only it: request/reply is what the standard keeps RabbitMQ for).
"""

from __future__ import annotations

from ...core.records import replace

from ...artifacts.python import PyModule
from ..kafka.build import kafka
from ..kafka.topic_names import literal_topics
from ..kafka.model import Kafka
from ..brokers import may_message
from . import faststream, helpers, nats, rabbitmq, sqs
from .remote import calls_into

ADAPTERS = (faststream, sqs, rabbitmq, nats)  # publishes are claimed in this order


def messaging(module: PyModule) -> Kafka:
    """Clients, handler loops and publishes of every broker library the module uses (computed once)."""

    def build(m: PyModule) -> Kafka:
        k = kafka(m)
        used = [a for a in ADAPTERS if a.applies(m)]
        remote = may_message(m)
        if not used and not k.produces and not remote:
            return k
        merged = replace(k, clients=list(k.clients), loops=list(k.loops), produces=list(k.produces),
                         topic_literals=list(k.topic_literals))
        for a in used:
            a.publishes(m, merged)
        if remote:
            calls_into(m, merged)
        helpers.through_helpers(m, merged)
        sends = {id(p) for p in k.produces}  # the Kafka clients' own, whose topics the Kafka model reads
        for p in merged.produces:
            if p.via is not None and p.topic is not None and id(helpers.send_of(p)) in sends:
                merged.topic_literals.extend((name, node, "produce") for name, node in literal_topics(m, [p.topic], p.site.scope))
        rabbitmq.routing_keys(m, merged)
        for a in used:
            a.consumers(m, merged)
        return merged

    return module.analysis("events.messaging", build)
