"""Alerting configuration in the tree: Prometheus rule files (``groups:`` of ``rules:``) and
PrometheusRule resources, and which consumer groups their consumer-lag alerts cover.

A lag alert is a rule with an ``alert:`` whose ``expr`` reads a consumer-lag metric
(``kafka_consumergroup_lag``, ``kafka_consumer_lag``, ``..._lag_sum``, Burrow and KMinion
names alike: a metric whose name holds ``lag``). It covers every group unless its selector
names groups (``consumergroup="orders"``, ``group=~"orders-.*"``)."""

from __future__ import annotations

import re
from ..core.records import record
from pathlib import Path
from typing import Any, Iterable

from ..artifacts.yamljson import read_documents

_HINT = re.compile(r"(?m)^\s*-?\s*alert:\s*\S")
_LAG_METRIC = re.compile(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*lag[a-zA-Z0-9_:]*\b")
_GROUP_MATCHER = re.compile(r"\b(?:consumergroup|consumer_group|group|groupId|group_id)\s*(=~|!~|=|!=)\s*\"([^\"]*)\"")
LIMIT = 1_000_000


@record(frozen=True)
class LagAlert:
    rel: str
    name: str
    matchers: tuple[tuple[str, str], ...]  # (operator, value) of group selectors; none: every group

    def covers(self, group: str) -> bool:
        for op, value in self.matchers:
            try:
                hit = re.fullmatch(value, group) is not None if op in ("=~", "!~") else value == group
            except re.error:
                return True  # a selector we cannot read: assume it covers the group
            if (op in ("!=", "!~")) == hit:
                return False
        return True


def _rules(data: Any) -> Iterable[dict[str, Any]]:
    groups = data.get("groups") if isinstance(data, dict) else None
    if groups is None and isinstance(data, dict) and data.get("kind") == "PrometheusRule":
        groups = (data.get("spec") or {}).get("groups")
    for g in groups if isinstance(groups, list) else []:
        for r in (g.get("rules") if isinstance(g, dict) else None) or []:
            if isinstance(r, dict) and "alert" in r:
                yield r


def alert_files_and_lag_alerts(root: Path, yaml_files: Iterable[str]) -> tuple[list[str], list[LagAlert]]:
    """The files that hold alert rules, and the consumer-lag alerts among them."""
    files: list[str] = []
    alerts: list[LagAlert] = []
    for rel, _text, docs in read_documents(root, yaml_files, _HINT, LIMIT):
        found = False
        for doc in docs:
            for r in _rules(doc.data):
                found = True
                expr = str(r.get("expr", ""))
                if _LAG_METRIC.search(expr):
                    alerts.append(LagAlert(rel, str(r.get("alert")), tuple(_GROUP_MATCHER.findall(expr))))
        if found:
            files.append(rel)
    return files, alerts
