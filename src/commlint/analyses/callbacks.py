"""Consumers in the system model: what a message handler does while it handles a message.

From each module's ``consumers`` and ``publishes`` facts (``commlint.analyses.facts``) and the
system's calls (``commlint.analyses.system``): the synchronous calls a handler makes, through the
helpers of its service it calls by name, to the service that produces the topic it consumes
(CL711); and the chains of handlers that each publish the next event (a choreographed flow, CL712).
"""

from __future__ import annotations

from ..core.records import record
from typing import Any

from .system import Call, System

Fn = tuple[str, str]  # (file, function qualname)


@record(frozen=True, eq=False)
class Consumer:
    service: str
    rel: str
    fact: dict[str, Any]

    @property
    def topics(self) -> list[str]:
        return list(self.fact["topics"])


@record(frozen=True)
class Callback:
    consumer: Consumer
    call: Call
    topic: str
    producers: tuple[str, ...]  # files where the called service produces the topic


def _index(system: System) -> dict[tuple[str, str], list[Fn]]:
    by_name: dict[tuple[str, str], list[Fn]] = {}
    for rel, facts in system.python.items():
        svc = system.services.service_of(rel)
        if svc is not None:
            for fn in facts.get("defined", []):
                by_name.setdefault((svc, fn.rsplit(".", 1)[-1]), []).append((rel, fn))
    return by_name


def _reach(system: System, by_name: dict[tuple[str, str], list[Fn]], service: str, names: list[str]) -> set[Fn]:
    """The functions of a service reached from the names called (by name, approximately)."""
    todo = [t for n in names for t in by_name.get((service, n), [])]
    seen = set(todo)
    while todo and len(seen) < 500:
        rel, fn = todo.pop()
        for n in system.python.get(rel, {}).get("functions", {}).get(fn, []):
            for t in by_name.get((service, n), []):
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
    return seen


def consumers(system: System) -> list[Consumer]:
    out = []
    for rel, facts in sorted(system.python.items()):
        svc = system.services.service_of(rel)
        if svc is not None:
            out.extend(Consumer(svc, rel, c) for c in facts.get("consumers", []))
    return out


def _handles(system: System, by_name: dict[tuple[str, str], list[Fn]], c: Consumer) -> tuple[set[Fn], Any]:
    """What runs per message: the functions reached from the handler region, and a test for a
    (file, function, line) written in the region itself."""
    reached = _reach(system, by_name, c.service, c.fact.get("calls", []))
    reached.discard((c.rel, c.fact["function"]))  # the consuming function itself: only its region counts

    def inside(rel: str, fn: str, line: int) -> bool:
        if (rel, fn) in reached:
            return True
        return rel == c.rel and fn == c.fact["function"] and c.fact["start"] <= line <= c.fact["end"]

    return reached, inside


def producers_of(system: System) -> dict[str, dict[str, list[str]]]:
    """topic -> service -> files that produce it."""
    out: dict[str, dict[str, list[str]]] = {}
    for rel, facts in system.python.items():
        svc = system.services.service_of(rel)
        if svc is None:
            continue
        for t in (facts.get("topics") or {}).get("produces", []) + facts.get("publishes", []):
            files = out.setdefault(str(t["topic"]), {}).setdefault(svc, [])
            if rel not in files:
                files.append(rel)
    return out


def callbacks(system: System) -> list[Callback]:
    """Synchronous calls a handler makes to the service that produced the event it handles."""
    by_name = _index(system)
    producers = producers_of(system)
    out = []
    for c in consumers(system):
        # a topic many services produce (an audit stream) names no producer to call back: only a topic
        # one other service produces is judged
        owners = {t: o for t in c.topics if len(o := {s: f for s, f in producers.get(t, {}).items()
                                                       if s != c.service}) == 1}
        if not owners:
            continue
        _reached, inside = _handles(system, by_name, c)
        for call in system.calls:
            if call.service != c.service or call.target_service in (None, c.service):
                continue
            if not inside(call.rel, call.fact.get("function", ""), call.fact["line"]):
                continue
            for topic, o in owners.items():
                if call.target_service in o:
                    out.append(Callback(c, call, topic, tuple(sorted(o[call.target_service]))))
                    break
    return out


@record(frozen=True)
class Step:
    consumer: Consumer
    topic: str  # the event it handles
    publishes: tuple[str, ...]  # the events it publishes while handling it


def event_chains(system: System) -> list[list[Step]]:
    """The longest chains of handlers where each publishes the event the next one handles, from
    an event no handler of the chain publishes, one per first handler; cycles are not followed."""
    by_name = _index(system)
    steps: list[Step] = []
    for c in consumers(system):
        reached, inside = _handles(system, by_name, c)
        pubs = sorted({p["topic"] for p in system.python.get(c.rel, {}).get("publishes", [])
                       if inside(c.rel, p.get("function", ""), p["line"])}
                      | {p["topic"] for rel, fn in reached for p in system.python.get(rel, {}).get("publishes", [])
                         if p.get("function") == fn})
        for t in c.topics:
            steps.append(Step(c, t, tuple(x for x in pubs if x not in c.topics)))
    handling: dict[str, list[Step]] = {}
    for s in steps:
        handling.setdefault(s.topic, []).append(s)
    published_in_flow = {t for s in steps for t in s.publishes}
    memo: dict[int, list[Step]] = {}

    def longest(s: Step, path: tuple[int, ...]) -> list[Step]:
        if id(s) in memo:
            return memo[id(s)]
        best: list[Step] = []
        for t in s.publishes:
            for nxt in handling.get(t, []):
                if id(nxt) in path or len(path) > 20:
                    continue
                chain = longest(nxt, path + (id(nxt),))
                if len(chain) > len(best):
                    best = chain
        memo[id(s)] = [s] + best
        return memo[id(s)]

    return [longest(s, (id(s),)) for s in steps if s.topic not in published_in_flow]
