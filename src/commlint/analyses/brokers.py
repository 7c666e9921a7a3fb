"""Whether a module may hold a broker client at all, known without importing the messaging
model (``analyses.messaging``, the Kafka model and every adapter): most modules of a tree
message nothing, and a run on one of them should not pay for the model's import.

``KAFKA_LIBRARIES`` are the Kafka clients' packages (``kafka.model.ROLES``), ``LIBRARIES`` every
broker library's package (the adapters' too); a test checks both against the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .index import module_file, project_index

if TYPE_CHECKING:
    from ..artifacts.python import PyModule

KAFKA_LIBRARIES = frozenset({"aiokafka", "confluent_kafka", "faust", "kafka"})
LIBRARIES = KAFKA_LIBRARIES | {"faststream", "nats", "pika", "aio_pika", "kombu", "boto3", "aioboto3",
                               "aiobotocore", "botocore"}
BROKER_WORDS = tuple(sorted(root.encode() for root in KAFKA_LIBRARIES))  # what a module building a client imports
# what a module of the tree that builds a client or channel of any broker for this one names
MESSAGING_WORDS = tuple(sorted({*BROKER_WORDS, b"pika", b"aio_pika", b"kombu", b"faststream", b"nats"}))


def may_message(module: PyModule) -> bool:
    """Whether the module may hold a broker client at all: it imports a broker library, or calls
    into a module of the tree that names one (a factory or wrapper the Kafka model follows).
    Otherwise its messaging model is empty, and building it (a walk of the whole tree) is skipped
    where only its facts are wanted."""

    def build(m: PyModule) -> bool:
        if {q.split(".")[0] for q in m.imports.values()} & LIBRARIES:
            return True
        index, here = project_index(m), module_file(m)
        if index is None or here is None:
            return True  # no tree to look in: build it
        seen: set[str] = set()
        bases = [b.value for c in m.classes.values() for b in getattr(c.node, "bases", ())]
        for expr in [site.node.func for site in m.calls] + bases:  # (a base class's methods: self.publish(...))
            q = m.qualname(expr)
            if q is None or q in seen:
                continue
            seen.add(q)
            if index.mentions(here, q, MESSAGING_WORDS, m.index_deps):
                return True
        return False

    return module.analysis("events.may_message", build)
