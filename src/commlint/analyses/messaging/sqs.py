"""Amazon SQS and SNS adapter: boto3, aioboto3 and aiobotocore clients and resources.

- consume: ``receive_message(QueueUrl=...)`` (client) or ``queue.receive_messages()`` (resource),
  in a loop over the returned ``Messages``; the message is acknowledged by ``delete_message``,
  ``delete_message_batch`` or ``message.delete()``, and given back by
  ``change_message_visibility`` (the queue's redrive policy is its dead-letter path: configuration,
  judged by CL610, not code);
- publish: ``send_message(QueueUrl=..., MessageBody=..., MessageGroupId=..., MessageAttributes=...)``
  and SNS ``publish(TopicArn=..., Message=..., MessageGroupId=..., MessageAttributes=...)``; a FIFO
  queue or topic (``.fifo``) orders by ``MessageGroupId``, its partition key.
"""

from __future__ import annotations

from ...artifacts import pynodes as cst

from ...artifacts.python import CallSite, PyModule, keyword
from ..kafka.model import Client, Kafka, Loop
from .common import (
    arg,
    classify,
    literal,
    method,
    on_message,
    produce,
    receive_loop,
    roots,
)

LIBRARIES = frozenset({"boto3", "aioboto3", "aiobotocore", "botocore"})


def applies(m: PyModule) -> bool:
    return bool(roots(m) & LIBRARIES)


def _fifo(m: PyModule, expr: cst.BaseExpression | None, site: CallSite) -> bool:
    text = literal(m, expr, site.scope)
    return text is not None and text.endswith(".fifo")


def publishes(m: PyModule, k: Kafka) -> None:
    seen = {id(p.node) for p in k.produces}
    for site in m.calls:
        call = site.node
        name = method(call)
        if id(call) in seen:
            continue
        if name == "send_message" and keyword(call, "MessageBody") is not None:
            url = arg(call, "QueueUrl")
            k.produces.append(produce(site, Client("producer", "sqs", site.scope), topic=url,
                                      value=arg(call, "MessageBody"), key=arg(call, "MessageGroupId"),
                                      headers=arg(call, "MessageAttributes"), keyed=_fifo(m, url, site)))
        elif name == "publish" and keyword(call, "Message") is not None and \
                (keyword(call, "TopicArn") is not None or keyword(call, "TargetArn") is not None):
            arn = arg(call, "TopicArn") or arg(call, "TargetArn")
            k.produces.append(produce(site, Client("producer", "sns", site.scope), topic=arn,
                                      value=arg(call, "Message"), key=arg(call, "MessageGroupId"),
                                      headers=arg(call, "MessageAttributes"), keyed=_fifo(m, arn, site)))


def ack_kind(m: PyModule, site: CallSite, loop: Loop) -> str | None:
    name = method(site.node)
    if name in ("delete_message", "delete_message_batch") or (name == "delete" and on_message(site, loop)):
        return "ack"
    if name in ("change_message_visibility", "change_message_visibility_batch") or \
            (name == "change_visibility" and on_message(site, loop)):
        return "nack"
    return None


def consumers(m: PyModule, k: Kafka) -> None:
    for site in m.calls:
        call = site.node
        name = method(call)
        if not ((name == "receive_message" and keyword(call, "QueueUrl") is not None) or name == "receive_messages"):
            continue
        c = Client("consumer", "sqs", site.scope, call)
        k.clients.append(c)
        loop = receive_loop(m, k, "sqs", c, site)
        classify(m, k, loop, ack_kind)
        loop.dead_letter = "external"  # the queue's redrive policy
        k.loops.append(loop)


def sns_topic_names(m: PyModule, k: Kafka) -> list[tuple[str, cst.CSTNode]]:
    """SNS topics the module creates by a literal name (``create_topic(Name="orders-order-placed")``),
    when it publishes to SNS or subscribes a queue or function to a topic: topics that carry events."""
    if not applies(m):
        return []
    fans_out = any(p.client is not None and p.client.library == "sns" for p in k.produces) or any(
        method(site.node) == "subscribe" and (literal(m, arg(site.node, "Protocol"), site.scope) or "").lower()
        in ("sqs", "lambda") for site in m.calls)
    if not fans_out:
        return []
    out = []
    for site in m.calls:
        if method(site.node) != "create_topic":
            continue
        expr = arg(site.node, "Name")
        name = literal(m, expr, site.scope)
        if name is not None and expr is not None:
            out.append((name, expr))
    return out

