"""Producer checks (CL211-CL215): the event envelope, past-tense names, semantic versions, keyed sends, topic names."""

from __future__ import annotations

import re

from ...artifacts import pynodes as cst

from ...analyses.kafka.shapes import event_shape, header_keys
from ...analyses.kafka.flow import (
    unique_topics,
    envelope_candidates,
    field_values,
    passed_on,
    reading,
    telemetry,
    to_dead_letter,
)
from ...analyses.messaging import messaging as kafka  # every broker: Kafka, RabbitMQ, SQS, NATS, FastStream
from ...analyses.kafka.model import SEMVER
from ...analyses.messaging.helpers import send_of
from ...analyses.messaging.sqs import sns_topic_names
from ...analyses.kafka.topic_names import literal_topics
from ...analyses.naming import fits, is_dead_letter, is_internal, name_problem, segments, strip_dead_letter
from ...analyses.words import past_tense_problem, reads_as_command, split_words, suggest
from ...artifacts.python import (
    dotted,
    PyModule,
    string_value,
)
from ...artifacts.queues import sns_event_topic
from .. import PythonContext, check
from .consumers import excerpt

# -- the checks: producers ----------------------------------------------------------------------------


def produces(ctx: PythonContext) -> int:
    return len(kafka(ctx.artifact).produces)


def keyed_produces(ctx: PythonContext) -> int:
    """Publishes to a destination that orders by key (Kafka, FIFO queues): what CL214 judges."""
    return sum(1 for p in kafka(ctx.artifact).produces if p.keyed)


def topics(ctx: PythonContext) -> int:
    return len(kafka(ctx.artifact).topic_literals)


def produces_and_topics(ctx: PythonContext) -> int:
    return produces(ctx) + topics(ctx)


@check("CL211", subjects=produces)
def missing_envelope_field(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    required = list(ctx.options["envelope-fields"])
    # payloads of work queues (RabbitMQ, SQS, NATS): events only when they carry a field that names an
    # event (event_id, event_type, event_version); a timestamp or source alone is any job's or log
    # record's (an interaction log shipped over RabbitMQ, Freud170/IntegrationProject)
    naming = {f for f in required if f in ("event_id", "event_type", "event_version")} or set(required)
    naming |= EVENT_NAMING_KEYS
    dead_letter = [d.lower() for d in ctx.options_of("CL204")["dlq-patterns"]]
    queued, shipped = set(), set()
    for p in k.produces:
        other = _not_an_event(m, p, dead_letter)  # None, "dead letter" or "command"
        if not (p.events_only or other or telemetry(m, p)):
            continue
        shape = event_shape(m, k, p.value, p.site.scope)
        if shape is None:
            continue
        if other == "dead letter" or telemetry(m, p):
            shipped.add(id(shape.node))
        elif p.events_only and other == "command" and not {_snake(f) for f in shape.fields} & naming:
            shipped.add(id(shape.node))  # a queue's command (CL212 reports its name), not an event
        elif p.events_only:
            queued.add(id(shape.node))
    for shape, scope, headers in envelope_candidates(m, k):
        present = {_snake(f) for f in shape.fields} | headers
        if (id(shape.node) in queued and not present & naming) or id(shape.node) in shipped:
            continue  # a work queue's job; a log record, heartbeat or metric; a dead letter or a command: no event
        missing = [f for f in required if f not in present]
        if not missing:
            continue
        what = f"event model `{shape.model}`" if shape.model else "event"
        ctx.report(shape.node, f"{what} lacks envelope field{'s' if len(missing) > 1 else ''} "
                   f"{', '.join(missing)}: every event carries {', '.join(required)}.", scope=scope)
    for p in k.produces:  # on a stream (a work queue's job may pass through), each send itself (not a helper's call)
        name = passed_on(m, k, p)
        if name is None or p.via is not None or p.events_only or _not_an_event(m, p, dead_letter) or telemetry(m, p) \
                or event_shape(m, k, p.value, p.site.scope) is not None or _to_retry(m, p):
            continue
        present = {_snake(key) for key, _ in k.subscripts.get((id(p.site.scope), name), ()) if key}
        present |= header_keys(m, p.headers, p.site.scope) or set()
        missing = [f for f in required if f not in present]
        if missing:
            ctx.report(p.node, f"event publishes the consumed message `{name}` again with no envelope of its own "
                       f"(lacks {', '.join(missing)}): a new event needs its own event_id and event_type. Wrap "
                       f"it: {{\"event_id\": ..., \"event_type\": ..., ..., \"data\": {name}}}.", scope=p.site.scope)


EVENT_NAMING_KEYS = frozenset({"event", "event_name"})  # {"event": "token_issued", "data": ...} names an event


def _snake(key: str) -> str:
    """``eventType`` -> ``event_type``: a camelCase envelope key is the field, in another style."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda g: "_" + g.group(1).lower(), key)


def _not_an_event(m: PyModule, p, dead_letter: list[str]) -> str | None:  # noqa: ANN001
    """"dead letter" for a failed message and its error (to ``orders.dlq``, ``settings.KAFKA_DLQ_TOPIC``),
    "command" for a message to a destination named like a command (``register``: CL212 reports the
    name): a queue's job then, while on Kafka every message is an event and carries the envelope."""
    if to_dead_letter(m, p, dead_letter):
        return "dead letter"
    names = literal_topics(m, [p.topic], p.site.scope) if p.topic is not None else []
    return "command" if any(reads_as_command(name.split(".")[-1]) for name, _node in names) else None


def _to_retry(m: PyModule, p) -> bool:  # noqa: ANN001
    """A send to a retry or parking-lot topic (``orders.retry``): the same event again, with its own envelope."""
    names = literal_topics(m, [p.topic], p.site.scope) if p.topic is not None else []
    return any(is_dead_letter(name) for name, _node in names)


def _past_options(opts: dict) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(w.lower() for w in opts.get("past-words", [])), frozenset(w.lower() for w in opts.get("state-words", []))


@check("CL212", subjects=produces_and_topics)
def not_past_tense(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    extra, states = _past_options(ctx.options)
    seen: set[int] = set()
    for expr, scope, key in _event_types(m, k):
        value = m.constant(expr, scope)
        name = string_value(value)
        if name is None or id(value) in seen or not split_words(name):
            continue
        seen.add(id(value))
        problem = past_tense_problem(name, extra, states)
        if problem is not None:
            ctx.report(value, f"{key} {name!r} {problem}: events are facts about what happened "
                       f"(order.created), not commands.{_suggest(name)}", scope=scope)
    for name, node in unique_topics(k):
        base = strip_dead_letter(name)
        segments = base.split(".")
        problem = past_tense_problem(segments[-1], extra, states) if segments[-1] else None
        if problem is None or id(node) in seen:
            continue
        if len(segments) < 2 and "command" not in problem:
            continue  # a bare noun like "orders" breaks the naming pattern (CL215), not the tense
        seen.add(id(node))
        ctx.report(node, f"topic {name!r}: {problem}. Name topics after the fact (<domain>.<entity>.<event>, "
                   f"order.order.created).{_suggest(base)}", scope=None)


EVENT_CLASS_SUFFIXES = ("Event", "Envelope", "Message", "EventBase")


ENVELOPE_KEYS = frozenset({"event_id", "event_version", "timestamp", "source", "correlation_id", "data", "payload"})


def _event_types(m: PyModule, k):  # noqa: ANN001, ANN202
    """The ``event_type`` values that name published events, each with the key that holds it (what
    the message calls it): all of them in a module that produces messages; elsewhere those of an
    event-shaped dict (another envelope key beside it) and of event classes (``class
    OrderCreated(BaseEvent)``). An audit-log row's or a paging API's ``event_type=`` keyword is no event."""
    if k.produces:
        for expr, scope in field_values(m, k, "event_type"):
            yield expr, scope, "event_type"
        for p in k.produces:  # {"event": "dispatch", ...} published: the key names the event (EVENT_NAMING_KEYS)
            shape = event_shape(m, k, p.value, p.site.scope)
            if shape is not None and isinstance(shape.node, cst.Dict):
                for el in shape.node.elements:
                    key = string_value(el.key) if isinstance(el, cst.DictElement) else None
                    if key is not None and key in EVENT_NAMING_KEYS | {"eventType"}:
                        yield el.value, p.site.scope, key
        return
    for d, scope in k.dicts:
        keys = {string_value(el.key) for el in d.elements if isinstance(el, cst.DictElement)}
        if "event_type" in keys and keys & ENVELOPE_KEYS:
            for el in d.elements:
                if isinstance(el, cst.DictElement) and string_value(el.key) == "event_type":
                    yield el.value, scope, "event_type"
    for cls in m.classes.values():
        node = cls.node
        if not isinstance(node, cst.ClassDef) or not (node.name.value.endswith(EVENT_CLASS_SUFFIXES) or any(
            (dotted(b.value) or "").endswith(EVENT_CLASS_SUFFIXES) for b in node.bases
        )):
            continue
        for stmt in node.body.body:
            for s in getattr(stmt, "body", ()) if isinstance(stmt, cst.SimpleStatementLine) else ():
                if isinstance(s, (cst.AnnAssign, cst.Assign)) and s.value is not None:
                    targets = [s.target] if isinstance(s, cst.AnnAssign) else [t.target for t in s.targets]
                    if any(isinstance(t, cst.Name) and t.value == "event_type" for t in targets):
                        yield s.value, cls, "event_type"


def _suggest(name: str) -> str:
    s = suggest(name)
    return f" Try {s!r}." if s else ""


@check("CL213", subjects=produces)
def event_version_not_semver(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    require_patch = bool(ctx.options["require-patch"])
    seen: set[int] = set()
    for expr, scope in field_values(m, k, "event_version"):
        value = m.constant(expr, scope)
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, (cst.Integer, cst.Float)):
            ctx.report(value, f"event_version is the number {value.value}, not a semantic version string "
                       "such as \"1.0\" or \"1.0.0\".", scope=scope)
            continue
        s = string_value(value)
        if s is None:
            continue
        match = SEMVER.match(s)
        if match is None or (require_patch and match.group(3) is None):
            want = "MAJOR.MINOR.PATCH" if require_patch else "MAJOR.MINOR or MAJOR.MINOR.PATCH"
            ctx.report(value, f"event_version {s!r} is not a semantic version ({want}).", scope=scope)


@check("CL214", subjects=keyed_produces)
def produce_without_key(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    for p in kafka(m).produces:
        if p.unknown_args or p.partition or not p.keyed or telemetry(m, p) or reading(m, kafka(m), p):
            continue  # (logs, heartbeats, metrics, a simulated sensor's readings: no entity to keep in order)
        if p.via is not None and p.key is send_of(p).key:
            continue  # a helper's call that passes no key: the send in the helper is reported
        if p.key is None or (isinstance(p.key, cst.Name) and p.key.value == "None"):
            if p.client is not None and p.client.library in ("sqs", "sns"):
                ctx.report(p.node, f"`{excerpt(m, p.node.func)}` sends to a FIFO {p.client.library.upper()} "
                           "destination without MessageGroupId: messages of one entity lose their order. Group by "
                           "the entity id (MessageGroupId=order_id).", scope=p.site.scope)
                continue
            ctx.report(p.node, f"`{excerpt(m, p.node.func)}` sends without a key: messages of one entity land on "
                       "different partitions and lose their order. Key by the entity id (key=order_id).",
                       scope=p.site.scope)


@check("CL215", subjects=topics)
def topic_name_pattern(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    pattern = re.compile(ctx.options_of("CL601")["pattern"])
    for name, node in unique_topics(kafka(m)):
        parts = segments(strip_dead_letter(name))
        if parts is None or is_internal(name) or fits(parts, pattern):
            continue
        ctx.report(node, f"topic {name!r} {name_problem(parts)}: name topics <domain>.<entity>.<event> "
                   "(order.order.created), dot-separated and lower case.")
    sns = re.compile(ctx.options_of("CL601")["sns-pattern"])
    for name, node in sns_topic_names(m, kafka(m)):
        if sns_event_topic(name, True) and not sns.fullmatch(name) and "{" not in name:
            ctx.report(node, f"SNS topic {name!r} breaks <domain>-<entity>-<event>: SNS names allow no dots, so "
                       "write the standard's segments lower case, joined by hyphens (orders-order-created)")


