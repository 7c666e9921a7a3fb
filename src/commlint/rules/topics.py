"""Topic configuration (CL6xx): names, retention, compaction, dead-letter topics, ownership.

Every check reads the one model ``commlint.artifacts.topics`` builds from
Strimzi, Confluent, JulieOps, topicctl, kafka-gitops, Terraform and commlint's
own ``topics.yaml``. Templated values (``${env}``, ``{{ .Values.x }}``) are
not findings: an environment prefix is dropped from a name, any other
placeholder stands for a valid word, and a setting that is templated is unknown.
"""

from __future__ import annotations

import re
from typing import Any

from ..artifacts.topics import Topic, TopicsFile
from ..analyses.naming import (
    HOLE,
    PLACEHOLDER,
    VERSION,
    fits,
    is_dead_letter,
    is_internal,
    name_problem,
    segments,
)
from ..analyses.words import (
    COMMAND_VERBS,
    is_past_tense,
    past_tense_problem,
    split_words,
    suggest,
)
from ..core.model import Severity
from . import TopicsContext, check

DAY_MS = 86_400_000


def named_topics(art: TopicsFile) -> list[tuple[Topic, list[str]]]:
    """Topics the naming rules read: not dead-letter, retry or internal topics, not fully templated."""
    out = []
    for t in art.topics:
        name = t.event_name or t.name
        parts = segments(name)
        if parts is None or is_dead_letter(name) or is_internal(name) or t.dlq:
            continue
        out.append((t, parts))
    return out


def _words(text: str) -> set[str]:
    return set(split_words(text))


def _marked(t: Topic, markers: set[str]) -> bool:
    """Whether a label or annotation of the topic carries one of the marker words."""
    return any(_words(f"{k} {v}") & markers for k, v in t.labels.items())


# -- CL601 -------------------------------------------------------------------------------


@check("CL601")
def topic_name_pattern(ctx: TopicsContext) -> None:
    pattern = re.compile(ctx.options["pattern"])
    for t, parts in named_topics(ctx.artifact):
        if fits(parts, pattern):
            continue
        candidate = ".".join(parts).replace(HOLE, "x")
        literal = ".".join(parts).replace(HOLE, "")
        words = [w for w in split_words(literal) if not VERSION.match(w)]
        hint = suggest(literal)
        if hint is None and len(words) == 3 and HOLE not in candidate and is_past_tense(words[-1]):
            hint = ".".join(words)
        tip = f" (e.g. {hint!r})" if hint and pattern.fullmatch(hint) else ""
        ctx.report(t.loc, f"topic name {t.name!r} {name_problem(parts)}: "
                          f"use <domain>.<entity>.<event>{tip}")
    sns = re.compile(ctx.options["sns-pattern"])
    for q in sns_topics(ctx.artifact):
        if not sns.fullmatch(q.name):
            ctx.report(q.loc, f"SNS topic name {q.name!r} breaks <domain>-<entity>-<event>: SNS names allow no "
                              "dots, so write the standard's segments lower case, joined by hyphens "
                              "(orders-order-created, with .fifo for a FIFO topic)")


def sns_topics(art: TopicsFile) -> list[Any]:
    """SNS topics that carry events (artifacts.queues), not dead-letter topics."""
    return [q for q in art.queues if q.broker == "sns" and not is_dead_letter(q.name)]


def _sns_words(name: str) -> list[str]:
    base = name[:-5] if name.lower().endswith(".fifo") else name
    return [w for w in re.split(r"[-_]+", base) if w and not VERSION.match(w)]


# -- CL602 -------------------------------------------------------------------------------


@check("CL602")
def topic_event_not_past_tense(ctx: TopicsContext) -> None:
    extra = {w.lower() for w in ctx.options["extra-words"]}
    state = {w.lower() for w in ctx.options["state-words"]}
    for t, parts in named_topics(ctx.artifact):
        events = [p for p in parts if not VERSION.match(p)]
        if not events or HOLE in events[-1]:
            continue
        last = events[-1]
        if len(events) == 1 and (split_words(last) or [""])[0] not in COMMAND_VERBS:
            continue  # a one-word name: CL601 says what is wrong with it
        if _marked(t, state):
            continue
        problem = past_tense_problem(last, extra, state)
        if problem is None:
            continue
        if problem.startswith(f"ends in {last.lower()!r}"):
            problem = "is not a past-tense verb"
        better = suggest(".".join(events))
        tip = f"; e.g. {better!r}" if better else ""
        ctx.report(t.loc, f"topic {t.name!r} does not name a past-tense event: its last segment {last!r} {problem}{tip}")
    for q in sns_topics(ctx.artifact):
        words = _sns_words(q.name)
        if len(words) < 2 or any(w.lower() in state for w in words):
            continue
        problem = past_tense_problem(words[-1], extra, state)
        if problem is None:
            continue
        better = suggest(".".join(words))
        tip = f"; e.g. {'-'.join(better.split('.'))!r}" if better else ""
        ctx.report(q.loc, f"SNS topic {q.name!r} does not name a past-tense event: its last word {words[-1]!r} "
                          f"is not a past-tense verb{tip}")


# -- CL603 -------------------------------------------------------------------------------


def _ms(value: Any) -> int | None:
    """A retention in milliseconds, or None when it cannot be known (templated, not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def _duration(ms: int) -> str:
    for size, unit in ((DAY_MS, "day"), (3_600_000, "hour"), (60_000, "minute"), (1_000, "second")):
        if ms >= size and (ms % size == 0 or (size == DAY_MS and ms >= 2 * DAY_MS)):
            n = round(ms / size, 1)
            return f"{n:g} {unit}{'s' if n != 1 else ''}"
    return f"{ms / 60_000:.1f} minutes" if ms >= 60_000 else f"{ms} ms"


def _policy(t: Topic) -> set[str] | None:
    """cleanup.policy as a set of words; None when unset or templated."""
    v = t.config.get("cleanup.policy")
    if isinstance(v, list):
        v = ",".join(str(x) for x in v)
    if not isinstance(v, str) or PLACEHOLDER.search(v):
        return None
    return {p.strip().lower() for p in v.strip("[]").split(",") if p.strip()}


@check("CL603")
def topic_retention(ctx: TopicsContext) -> None:
    min_days = float(ctx.options["min-days"])
    audit_days = float(ctx.options["audit-days"])
    audit_words = {w.lower() for w in ctx.options["audit-words"]}
    for t in ctx.artifact.topics:
        if is_internal(t.name):
            continue
        policy = _policy(t)
        if policy is not None and "delete" not in policy and "compact" in policy:
            continue  # compacted only: retention.ms deletes nothing
        audit = bool(_words(t.event_name or t.name) & audit_words) or _marked(t, audit_words)
        need = audit_days if audit else min_days
        what = "audit topic" if audit else "topic"
        if "retention.ms" not in t.config:
            if t.inherited or not ctx.options["require-explicit"]:
                continue
            ctx.report(t.loc, f"{what} {t.name!r} sets no retention: the cluster default (log.retention.hours, "
                              f"168 h unless the brokers change it) applies; set retention.ms from its consumers' "
                              f"needs, at least {need:g} days")
            continue
        ms = _ms(t.config["retention.ms"])
        if ms is None or ms < 0:
            continue  # templated, or -1: kept forever
        if ms < need * DAY_MS:
            reason = "audit events are kept longer" if audit else "the standard's default is 7 days"
            ctx.report(t.where("retention.ms"),
                       f"{what} {t.name!r} keeps messages {_duration(ms)}, below {need:g} days ({reason})")


# -- CL604 -------------------------------------------------------------------------------


def is_state_topic(t: Topic, state: set[str]) -> bool:
    if _marked(t, state):
        return True
    parts = segments(t.event_name or t.name)
    if parts is None or is_dead_letter(t.name):
        return False
    words = [w for w in split_words(".".join(parts).replace(HOLE, " ")) if not VERSION.match(w)]
    if not set(words) & state:
        return False
    return words[-1] in state or not is_past_tense(words[-1])  # `payment.state.changed` is an event


@check("CL604")
def snapshot_topic_not_compacted(ctx: TopicsContext) -> None:
    state = {w.lower() for w in ctx.options["state-words"]}
    for t in ctx.artifact.topics:
        if is_internal(t.name) or not is_state_topic(t, state):
            continue
        policy = _policy(t)
        if policy is not None and "compact" in policy:
            continue
        if policy is None and "cleanup.policy" in t.config:
            continue  # templated
        if policy is None:
            if t.inherited:
                continue
            ctx.report(t.loc, f"state topic {t.name!r} sets no cleanup.policy, so the cluster default (delete) "
                              f"applies: use cleanup.policy=compact to keep the latest value per key")
        else:
            ctx.report(t.where("cleanup.policy"),
                       f"state topic {t.name!r} has cleanup.policy={','.join(sorted(policy))}: "
                       f"use compact to keep the latest value per key")


# -- CL605 -------------------------------------------------------------------------------


def _fill(template: str, topic: str, group: str) -> str:
    return template.replace("{topic}", topic).replace("{group}", group)


@check("CL605")
def consumer_group_without_dlq(ctx: TopicsContext) -> None:
    art: TopicsFile = ctx.artifact
    names = {t.name for t in art.topics}
    templates = [str(x) for x in ctx.options["dlq-names"]]
    for g in art.groups:
        if g.dlq:
            continue
        if any("{topic}" not in tpl and _fill(tpl, "", g.name) in names for tpl in templates):
            continue
        missing = [t for t in g.topics if not is_dead_letter(t)
                   and not any(_fill(tpl, t, g.name) in names for tpl in templates)]
        if not missing:
            continue
        example = _fill(next((tpl for tpl in templates if "{topic}" in tpl), "{topic}.dlq"), missing[0], g.name)
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        ctx.report(g.loc, f"consumer group {g.name!r} (reads {shown}) has no dead-letter topic: declare one "
                          f"(`dlq:`) or add a topic named by the DLQ convention, e.g. {example!r}")


# -- CL606 -------------------------------------------------------------------------------

_SUFFIX = re.compile(r"[-_.](?:service|svc|api|app|worker|consumer|producer|processor|handler|server)$")


def domain_of(name: str, explicit: str | None, mapping: dict[str, str]) -> str:
    d = (mapping.get(name) or explicit or name).lower()
    d = re.sub(r"^(?:user|group|serviceaccount):", "", d)
    while _SUFFIX.search(d):
        d = _SUFFIX.sub("", d)
    return d[:-1] if d.endswith("s") and len(d) > 3 else d


@check("CL606")
def topic_shared_across_domains(ctx: TopicsContext) -> None:
    art: TopicsFile = ctx.artifact
    mapping = {str(k): str(v) for k, v in dict(ctx.options["domains"]).items()}
    declared = {t.name: t for t in art.topics}
    by_topic: dict[str, dict[str, list[Any]]] = {}
    for p in art.producers:
        by_topic.setdefault(p.topic, {}).setdefault(domain_of(p.name, p.domain, mapping), []).append(p)
    for topic, domains in by_topic.items():
        if len(domains) < 2:
            continue
        listed = "; ".join(f"{d} ({', '.join(sorted({p.name for p in ps}))})" for d, ps in domains.items())
        where = declared[topic].loc if topic in declared else list(domains.values())[1][0].loc
        ctx.report(where, f"topic {topic!r} is produced by {len(domains)} domains: {listed}; "
                          f"one topic per event type, owned by one domain",
                   related=tuple(ps[0].loc for ps in domains.values()))


# -- CL607 -------------------------------------------------------------------------------


@check("CL607")
def single_partition_topic(ctx: TopicsContext) -> None:
    for t in ctx.artifact.topics:
        if t.partitions != 1 or is_dead_letter(t.name) or t.dlq or is_internal(t.name):
            continue
        ctx.report(t.where("partitions"),
                   f"topic {t.name!r} has a single partition: events keyed by entity id cannot be consumed in "
                   f"parallel; give it enough partitions for its consumers (ordering holds per key)")


# -- CL608 -------------------------------------------------------------------------------


def is_event_topic(t: Topic, state: set[str]) -> bool:
    """A topic that carries events: its name ends in a past-tense event and it is no state topic."""
    parts = segments(t.event_name or t.name)
    if parts is None or is_dead_letter(t.name) or t.dlq or is_internal(t.name) or is_state_topic(t, state):
        return False
    words = [w for w in split_words(".".join(parts).replace(HOLE, " ")) if not VERSION.match(w)]
    return bool(words) and is_past_tense(words[-1])


@check("CL608")
def event_topic_compacted(ctx: TopicsContext) -> None:
    state = {w.lower() for w in ctx.options["state-words"]}
    for t in ctx.artifact.topics:
        policy = _policy(t)
        if policy is None or "compact" not in policy or not is_event_topic(t, state):
            continue
        ctx.report(t.where("cleanup.policy"),
                   f"event topic {t.name!r} has cleanup.policy={','.join(sorted(policy))}: compaction deletes every "
                   "event but the latest of each key, so published events are rewritten away; use "
                   "cleanup.policy=delete with a retention, and a separate compacted topic for the current state")


# -- CL609 -------------------------------------------------------------------------------



@check("CL609")
def registry_compatibility_none(ctx: TopicsContext) -> None:
    for c in ctx.artifact.compatibility:
        what = "the registry's default" if c.subject == "*" else f"subject {c.subject!r}"
        if c.level == "NONE":
            ctx.report(c.loc, f"Schema Registry compatibility of {what} is NONE: the registry accepts any new "
                              "schema, so a producer can break every consumer; set BACKWARD (or FULL)")
        elif c.level.startswith("FORWARD"):
            ctx.report(c.loc, f"Schema Registry compatibility of {what} is {c.level}: consumers on the new schema "
                              "can read old events, but the registry does not check that consumers on the old "
                              "schema can read new ones; the standard asks for BACKWARD (or FULL)",
                       severity=Severity.NOTE)


# -- CL610 -------------------------------------------------------------------------------


@check("CL610")
def queue_without_dead_letter(ctx: TopicsContext) -> None:
    """An SQS queue without a redrive policy, a RabbitMQ queue without a dead-letter exchange (own or by policy)."""
    for q in ctx.artifact.queues:
        if q.dead_letter is not False or q.is_dlq or q.transient:
            continue
        if q.broker == "sqs":
            how = ("a redrive policy (`redrive_policy` with deadLetterTargetArn and maxReceiveCount)"
                   if q.fmt == "terraform" else "a `RedrivePolicy` (deadLetterTargetArn, maxReceiveCount)")
            ctx.report(q.loc, f"SQS queue {q.name!r} has no dead-letter queue: a poison message is received "
                              f"again and again until its retention ends. Give it {how}.")
        elif q.broker == "nats":
            key = "max_delivery" if q.fmt == "terraform" else "max_deliver"
            ctx.report(q.loc, f"NATS JetStream consumer {q.name!r} redelivers without limit ({key} unset or -1): "
                              "a message that keeps failing is delivered forever and never reaches a dead-letter "
                              f"path. Set {key} (e.g. 5) and handle the MAX_DELIVERIES advisory "
                              "($JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>) to keep the message.")
        else:
            ctx.report(q.loc, f"RabbitMQ queue {q.name!r} has no dead-letter exchange: a message that keeps "
                              "failing is requeued forever or dropped. Set `x-dead-letter-exchange` (and "
                              "`x-delivery-limit` on a quorum queue) in its arguments or a policy.")
