"""Published events are immutable (CL242): a tombstone produced to an event topic, or
``delete_records`` on one, deletes events the standard says are never deleted."""

from __future__ import annotations

from ...artifacts import pynodes as cst

from ...analyses.kafka.build import kafka
from ...analyses.naming import is_dead_letter, strip_dead_letter
from ...analyses.words import event_word, is_past_tense
from ...artifacts.cstnodes import string_value
from ...artifacts.python import PyModule
from .. import PythonContext, check

KAFKA_ROOTS = ("confluent_kafka", "kafka", "aiokafka")


def _event_topic(name: str | None) -> bool:
    """A topic whose name says it carries events: its last word a past-tense fact
    (``orders.order.created``), not a state or snapshot topic, not a dead-letter topic."""
    if not name or is_dead_letter(name):
        return False
    word = event_word(strip_dead_letter(name))
    return bool(word) and is_past_tense(word)


def _deletions(m: PyModule) -> list:
    """``delete_records`` calls on a Kafka admin client of this module."""
    if not any(q.split(".")[0] in KAFKA_ROOTS for q in m.imports.values()):
        return []
    out = []
    for site in m.calls:
        f = site.node.func
        if isinstance(f, cst.Attribute) and f.attr.value == "delete_records":
            origin = m.origin(f.value, site.scope)
            if origin is None or "admin" in origin.qualname.lower():
                out.append(site)
    return out


def produces_and_deletions(ctx: PythonContext) -> int:
    return len(kafka(ctx.artifact).produces) + len(_deletions(ctx.artifact))


@check("CL242", subjects=produces_and_deletions)
def event_deleted(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    for p in kafka(m).produces:
        if not (isinstance(p.value, cst.Name) and p.value.value == "None") or p.topic is None:
            continue
        topic = string_value(m.constant(p.topic, p.site.scope))
        if _event_topic(topic):
            ctx.report(p.node, f"tombstone (a null value) produced to event topic {topic!r}: events are immutable "
                       "facts, never deleted. Publish a new event that says what happened (order.order.cancelled); "
                       "tombstones belong on compacted state topics.", scope=p.site.scope)
    for site in _deletions(m):
        ctx.report(site.node, "delete_records removes published events: events are immutable, never deleted. Let "
                   "retention expire them, or publish a compensating event.", scope=site.scope)
