"""Queues of the standard's alternative brokers, read with the topic configuration (``artifacts.topics``):

- Amazon SQS: Terraform ``aws_sqs_queue`` (``redrive_policy``), ``aws_sqs_queue_redrive_policy`` and
  ``aws_sqs_queue_redrive_allow_policy``; CloudFormation / SAM / Serverless ``AWS::SQS::Queue``
  (``RedrivePolicy``);
- RabbitMQ: ``definitions.json`` exports (``queues`` with ``arguments``, ``policies`` with a
  ``dead-letter-exchange`` definition and a ``pattern``) and Terraform ``rabbitmq_queue`` /
  ``rabbitmq_policy``;
- NATS JetStream consumers: Terraform ``jetstream_consumer`` (nats-io/jetstream provider,
  ``max_delivery``, default -1) and the consumer configuration JSON of the ``nats`` CLI
  (``nats consumer add --config``, ``nats consumer info --json``: ``max_deliver``, default -1).
  A consumer that redelivers without limit has no dead-letter path: only ``max_deliver`` ends the
  retries (with the MAX_DELIVERIES advisory to route the message on). ``ack_policy: none`` never
  redelivers, so it is not judged;
- Amazon SNS topics that carry events (Terraform ``aws_sns_topic``, CloudFormation
  ``AWS::SNS::Topic``), for the naming rules: a topic counts when a queue or function subscribes
  to it (``aws_sns_topic_subscription`` / ``Subscription`` with protocol ``sqs`` or ``lambda``) or
  its name says events; alarm and notification topics are not events (``broker = "sns"``,
  ``dead_letter`` None: CL610 does not read them).

Each queue knows whether it has a dead-letter path (True, False, or None when templated or unknown),
whether it is itself a dead-letter queue (another queue's redrive target, or named like one), and
whether it is transient (exclusive, auto-delete: a reply or subscription queue).
"""

from __future__ import annotations

import json
import re
from ..core.records import record
from typing import Any

from ..core.model import Location

SNIFF = re.compile(r"AWS::SQS::Queue|AWS::SNS::Topic|\"queues\"\s*:\s*\[|^queues\s*:|\"ack_policy\"\s*:\s*\"(?:explicit|all|none)\"",
                   re.MULTILINE)
_RABBIT_DEFS = ("exchanges", "bindings", "policies", "vhosts", "rabbit_version", "rabbitmq_version", "users")
DLQ_NAME = re.compile(r"(?:^|[-_.])(?:dlq|dlx|dead[-_.]?letters?|deadletters?|poison|errors?|failed)(?:$|[-_.])|dlq$",
                      re.IGNORECASE)
TF_TYPES = ("aws_sqs_queue", "aws_sqs_queue_redrive_policy", "aws_sqs_queue_redrive_allow_policy",
            "rabbitmq_queue", "rabbitmq_policy", "jetstream_consumer", "aws_sns_topic", "aws_sns_topic_subscription")
_NOT_EVENT_WORDS = frozenset("""alarm alarms alert alerts alerting notification notifications notify budget budgets pager
    pagerduty incident incidents monitor monitoring ops devops health healthcheck backup backups cloudwatch guardduty
    securityhub email emails sms slack""".split())
_EVENTISH = re.compile(r"event", re.IGNORECASE)


@record
class Queue:
    name: str
    broker: str  # sqs | rabbitmq | nats | sns (a topic, for the naming rules)
    fmt: str  # terraform | cloudformation | rabbitmq-definitions | nats-consumer
    loc: Location
    dead_letter: bool | None  # a redrive policy / dead-letter exchange; None: unknown
    is_dlq: bool = False
    transient: bool = False
    ref: str = ""  # Terraform resource name, CloudFormation logical id


def sniff(text: str) -> bool:
    if "AWS::S" not in text and "queues" not in text and "ack_policy" not in text:
        return False  # none of the words SNIFF needs: not searched
    return bool(SNIFF.search(text))


def is_dlq_name(name: str) -> bool:
    return bool(DLQ_NAME.search(name))


# -- YAML / JSON documents --------------------------------------------------------------------


def read(queues: list[Queue], data: Any, loc: Any) -> None:
    """Queues of one parsed document; ``loc(pointer)`` gives a Location."""
    if not isinstance(data, dict):
        return
    resources = data.get("Resources")
    if not isinstance(resources, dict) and isinstance(data.get("resources"), dict):  # serverless.yml
        resources = data["resources"].get("Resources")
        base = "/resources/Resources"
    else:
        base = "/Resources"
    if isinstance(resources, dict):
        _cloudformation(queues, resources, loc, base)
    if isinstance(data.get("queues"), list) and any(k in data for k in _RABBIT_DEFS):
        _definitions(queues, data, loc)
    _nats_consumer(queues, data, loc)


def _max_deliver(v: Any) -> bool | None:
    """Whether a max_deliver value bounds redelivery (None: templated, unknown)."""
    if v is None:
        return False  # the default, -1: no limit
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v > 0
    if isinstance(v, str) and v.strip().lstrip("-").isdigit():
        return int(v) > 0
    return None


def _nats_consumer(queues: list[Queue], data: dict[str, Any], loc: Any) -> None:
    """A ``nats`` CLI consumer configuration: the config itself, or ``nats consumer info --json``'s
    ``{"stream_name", "name", "config": {...}}``."""
    base, cfg = "", data
    if isinstance(data.get("config"), dict) and "stream_name" in data:
        base, cfg = "/config", data["config"]
    if not isinstance(cfg.get("ack_policy"), str) or not any(k in cfg for k in ("deliver_policy", "durable_name",
                                                                                 "filter_subject", "ack_wait")):
        return
    if "subjects" in cfg or "retention" in cfg:
        return  # a stream's configuration
    name = next((cfg[k] for k in ("durable_name", "name") if isinstance(cfg.get(k), str)), None) or \
        (data.get("name") if isinstance(data.get("name"), str) else "")
    ptr = f"{base}/max_deliver" if "max_deliver" in cfg else (
        f"{base}/durable_name" if "durable_name" in cfg else f"{base}/ack_policy")
    queues.append(Queue(name or "(unnamed consumer)", "nats", "nats-consumer", loc(ptr),
                        _max_deliver(cfg.get("max_deliver")), transient=cfg["ack_policy"] == "none"))


def _cloudformation(queues: list[Queue], resources: dict[str, Any], loc: Any, base: str) -> None:
    targets = json.dumps([r.get("Properties", {}).get("RedrivePolicy") for r in resources.values()
                          if isinstance(r, dict) and isinstance(r.get("Properties"), dict)], default=str)
    allow = json.dumps([r for r in resources.values() if isinstance(r, dict) and "RedriveAllowPolicy" in
                        json.dumps(r.get("Properties", {}), default=str)], default=str)
    _sns_cloudformation(queues, resources, loc, base)
    for lid, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::SQS::Queue":
            continue
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        name = props.get("QueueName") if isinstance(props.get("QueueName"), str) else str(lid)
        ptr = f"{base}/{lid}/Properties/QueueName" if "QueueName" in props else f"{base}/{lid}"
        referenced = re.search(rf"\b{re.escape(str(lid))}\b", targets) is not None
        queues.append(Queue(name, "sqs", "cloudformation", loc(ptr), "RedrivePolicy" in props or None
                            if _templated(props.get("RedrivePolicy")) else "RedrivePolicy" in props,
                            is_dlq=referenced or "RedriveAllowPolicy" in props or is_dlq_name(name)
                            or re.search(rf"\b{re.escape(str(lid))}\b", allow) is not None, ref=str(lid)))


def sns_event_topic(name: str, subscribed: bool) -> bool:
    """An SNS topic that carries events: subscribed by a queue or function, or named for events;
    never an alarm or notification topic."""
    words = set(re.split(r"[-_.]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()))
    return not words & _NOT_EVENT_WORDS and (subscribed or bool(_EVENTISH.search(name)))


def _sns_cloudformation(queues: list[Queue], resources: dict[str, Any], loc: Any, base: str) -> None:
    subs = json.dumps([r for r in resources.values() if isinstance(r, dict) and r.get("Type") == "AWS::SNS::Subscription"
                       and str((r.get("Properties") or {}).get("Protocol", "")).lower() in ("sqs", "lambda")], default=str)
    for lid, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::SNS::Topic":
            continue
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        name = props.get("TopicName")
        if not isinstance(name, str) or _templated(name):
            continue  # a generated or templated name: nothing to judge
        inline = [x for x in props.get("Subscription") or [] if isinstance(x, dict)] \
            if isinstance(props.get("Subscription"), list) else []
        subscribed = any(str(x.get("Protocol", "")).lower() in ("sqs", "lambda") for x in inline) or \
            re.search(rf"\b{re.escape(str(lid))}\b", subs) is not None
        if sns_event_topic(name, subscribed):
            queues.append(Queue(name, "sns", "cloudformation", loc(f"{base}/{lid}/Properties/TopicName"), None, ref=str(lid)))


def _templated(v: Any) -> bool:
    return isinstance(v, str) and ("${" in v or v.startswith("!"))


def _policies(policies: Any, key: str = "apply-to") -> list[tuple[str, bool]]:
    """(pattern, sets a dead-letter exchange) of each RabbitMQ policy that applies to queues."""
    out = []
    for p in policies if isinstance(policies, list) else []:
        if not isinstance(p, dict):
            continue
        if str(p.get(key, "all")) not in ("all", "queues", "classic_queues", "quorum_queues"):
            continue
        definition = p.get("definition") if isinstance(p.get("definition"), dict) else {}
        out.append((str(p.get("pattern", "")), "dead-letter-exchange" in definition))
    return out


def covered(name: str, policies: list[tuple[str, bool]]) -> bool | None:
    """Whether a policy gives the queue a dead-letter exchange (None: a pattern commlint cannot read)."""
    for pattern, dlx in policies:
        if not dlx:
            continue
        try:
            if re.search(pattern, name):
                return True
        except re.error:
            return None
    return False


def _definitions(queues: list[Queue], data: dict[str, Any], loc: Any) -> None:
    policies = _policies(data.get("policies"))
    for i, q in enumerate(data["queues"]):
        if not isinstance(q, dict) or not isinstance(q.get("name"), str):
            continue
        args = q.get("arguments") if isinstance(q.get("arguments"), dict) else {}
        own = "x-dead-letter-exchange" in args
        dead = True if own else covered(q["name"], policies)
        queues.append(Queue(q["name"], "rabbitmq", "rabbitmq-definitions", loc(f"/queues/{i}/name"), dead,
                            is_dlq=is_dlq_name(q["name"]),
                            transient=bool(q.get("auto_delete")) or bool(q.get("exclusive"))))
    targets = {str(q.get("arguments", {}).get("x-dead-letter-routing-key")) for q in data["queues"]
               if isinstance(q, dict) and isinstance(q.get("arguments"), dict)}
    for q in queues:
        if q.fmt == "rabbitmq-definitions" and q.name in targets:
            q.is_dlq = True


# -- Terraform ---------------------------------------------------------------------------------


def terraform(queues: list[Queue], data: dict[str, Any], lines: dict[tuple[str, str], dict[str, int]], path: str) -> None:
    """Queues of a parsed ``.tf`` file (``data`` as python-hcl2 serialises it, ``lines`` per resource)."""
    blocks: dict[str, dict[str, Any]] = {t: {} for t in TF_TYPES}
    for block in data.get("resource") or []:
        if isinstance(block, dict):
            for rtype, named in block.items():
                rtype = rtype.strip('"')
                if rtype in blocks and isinstance(named, dict):
                    blocks[rtype].update({k.strip('"'): v for k, v in named.items() if isinstance(v, dict)})
    for rname, body in blocks["jetstream_consumer"].items():
        name = _text(body.get("durable_name")) or _text(body.get("name")) or rname
        pos = lines.get(("jetstream_consumer", rname), {})
        key = "max_delivery" if "max_delivery" in body else "durable_name"
        value = body.get("max_delivery")
        if isinstance(value, str) and "${" in value:
            value = "?"
        queues.append(Queue(name, "nats", "terraform", Location(path, pos.get(key, pos.get("", 1)), 1),
                            _max_deliver(value), transient=_text(body.get("ack_policy")) == "none", ref=rname))
    subs = json.dumps([b for b in blocks["aws_sns_topic_subscription"].values()
                       if _text(b.get("protocol")) in ("sqs", "lambda")], default=str)
    for rname, body in blocks["aws_sns_topic"].items():
        name = _text(body.get("name"))
        if name is None or "${" in name:
            continue
        subscribed = re.search(rf"aws_sns_topic\.{re.escape(rname)}\b|:{re.escape(name)}(?![\w-])", subs) is not None
        if sns_event_topic(name, subscribed):
            pos = lines.get(("aws_sns_topic", rname), {})
            queues.append(Queue(name, "sns", "terraform", Location(path, pos.get("name", pos.get("", 1)), 1), None,
                                ref=rname))
    if not blocks["aws_sqs_queue"] and not blocks["rabbitmq_queue"]:
        return

    def loc(rtype: str, rname: str, key: str) -> Location:
        pos = lines.get((rtype, rname), {})
        return Location(path, pos.get(key, pos.get("", 1)), 1)

    redrives = json.dumps([b.get("redrive_policy") for b in blocks["aws_sqs_queue"].values()]
                          + [b.get("redrive_policy") for b in blocks["aws_sqs_queue_redrive_policy"].values()], default=str)
    attached = json.dumps([b.get("queue_url") for b in blocks["aws_sqs_queue_redrive_policy"].values()], default=str)
    allowed = json.dumps([b.get("queue_url") for b in blocks["aws_sqs_queue_redrive_allow_policy"].values()], default=str)
    for rname, body in blocks["aws_sqs_queue"].items():
        name = _text(body.get("name")) or _text(body.get("name_prefix")) or rname
        ref = re.compile(rf"aws_sqs_queue\.{re.escape(rname)}\b")
        policy = body.get("redrive_policy")
        dead: bool | None = policy is not None or bool(ref.search(attached))
        queues.append(Queue(name, "sqs", "terraform", loc("aws_sqs_queue", rname, "name"), dead,
                            is_dlq=bool(ref.search(redrives)) or bool(ref.search(allowed)) or is_dlq_name(name)
                            or is_dlq_name(rname) or "redrive_allow_policy" in body, ref=rname))
    policies = []
    for body in blocks["rabbitmq_policy"].values():
        for pol in _list(body.get("policy")):
            definition = {str(k).strip('"'): v for k, v in (pol.get("definition") or {}).items()} \
                if isinstance(pol.get("definition"), dict) else {}
            policies.append({"pattern": _text(pol.get("pattern")) or "", "apply-to": _text(pol.get("apply_to")) or "all",
                             "definition": definition})
    rules = _policies(policies)
    for rname, body in blocks["rabbitmq_queue"].items():
        name = _text(body.get("name")) or rname
        settings = next(iter(_list(body.get("settings"))), {})
        args = settings.get("arguments") if isinstance(settings.get("arguments"), dict) else {}
        text = json.dumps(args, default=str) + str(settings.get("arguments_json", ""))
        dead = True if "x-dead-letter-exchange" in text else covered(name, rules)
        if "${" in name:
            dead = None
        queues.append(Queue(name, "rabbitmq", "terraform", loc("rabbitmq_queue", rname, "name"), dead,
                            is_dlq=is_dlq_name(name) or is_dlq_name(rname),
                            transient=str(settings.get("auto_delete")).lower() == "true", ref=rname))


def _text(v: Any) -> str | None:
    return v.strip('"') if isinstance(v, str) else None


def _list(v: Any) -> list[dict[str, Any]]:
    if isinstance(v, dict):
        return [v]
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []
