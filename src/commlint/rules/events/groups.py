"""Consumer groups (CL241): a consumer that joins no group, or takes its partitions by hand, cannot scale horizontally."""

from __future__ import annotations

from ...artifacts import pynodes as cst

from ...analyses.kafka.build import kafka
from ...analyses.kafka.model import GROUP_KEY, RECEIVE_METHODS
from ...core.model import Severity
from .. import PythonContext, check

NO_GROUP_DEFAULT = ("kafka", "aiokafka")  # group_id defaults to None: no group, no committed offsets
ASSIGN_METHODS = frozenset({"assign", "incremental_assign"})


def _consumers(ctx: PythonContext) -> int:
    return sum(1 for c in kafka(ctx.artifact).clients if c.role == "consumer" and c.node is not None)


@check("CL241", subjects=_consumers)
def consumer_without_group(ctx: PythonContext) -> None:
    for c in kafka(ctx.artifact).clients:
        if c.role != "consumer" or c.node is None or c.library not in GROUP_KEY:
            continue
        if c.methods and not c.methods & (RECEIVE_METHODS | {"subscribe", "__iter__", "__aiter__", "start"} | ASSIGN_METHODS):
            continue  # built to read metadata or offsets, never to consume
        if c.methods & ASSIGN_METHODS and "subscribe" not in c.methods:
            ctx.report(c.node, "consumer takes its partitions by hand (`assign()`) instead of `subscribe()`: Kafka "
                       "does not balance them across the group's instances, so more instances do not share the "
                       "load. Subscribe within a consumer group unless this is a replay or admin tool.",
                       scope=c.scope, severity=Severity.NOTE)
            continue
        if c.library not in NO_GROUP_DEFAULT or c.config is None:
            continue
        key = GROUP_KEY[c.library]
        value = c.config.get(key)
        if value is None or (isinstance(value, cst.Name) and value.value == "None"):
            where = value if value is not None else c.node
            ctx.report(where, f"consumer joins no consumer group (`{key}` is {'None' if value is not None else 'unset'}): "
                       "every instance reads every partition and no offset is committed, so the service cannot "
                       f"scale horizontally and restarts from the reset position. Set `{key}` to the service's group.",
                       scope=c.scope)
