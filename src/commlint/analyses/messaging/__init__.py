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
from ..kafka.build import kafka
from ..kafka.model import Kafka
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
