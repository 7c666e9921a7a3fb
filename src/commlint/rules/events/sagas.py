"""Saga checks (CL221, CL222): every step has a compensation and a timeout."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import libcst as cst

from ...analyses.kafka.build import read_mapping
from ...analyses.kafka.model import TIMEOUT_WRAPPERS
from ...artifacts import python as py
from ...artifacts.python import (
    PyModule,
    Scope,
    dotted,
)
from .. import PythonContext, check

# -- the checks: sagas ----------------------------------------------------------------------------------


@dataclass
class Step:
    node: cst.CSTNode
    scope: Scope
    args: dict[str, cst.BaseExpression]  # keyword -> value (dict steps: key -> value)
    positional: int
    unknown: bool


def saga_steps(m: PyModule, opts: dict) -> Iterator[Step]:
    names = set(opts.get("step-calls", []))
    for site in m.calls:
        d = dotted(site.node.func)
        if d is None or d.rsplit(".", 1)[-1] not in names:
            continue
        kw = {a.keyword.value: a.value for a in site.node.args if a.keyword is not None}
        pos = sum(1 for a in site.node.args if a.keyword is None and not a.star)
        yield Step(site.node, site.scope, kw, pos, py.has_star_kwargs(site.node) or py.has_star_args(site.node))
    action_keys = set(opts.get("action-keys", ["action"]))
    lists = set(opts.get("step-lists", ["steps"]))
    for scope in m.scopes:
        for name in lists:
            for value in scope.bindings.get(name, []):
                if isinstance(value, (cst.List, cst.Tuple)):
                    for el in value.elements:
                        keys = read_mapping(m, el.value, scope) if isinstance(el.value, cst.Dict) else None
                        if keys is not None and set(keys) & action_keys:
                            yield Step(el.value, scope, keys, 0, False)


def _given(m: PyModule, step: Step, names: Iterable[str]) -> bool:
    for n in names:
        v = step.args.get(n)
        if v is not None and not (isinstance(m.constant(v, step.scope), cst.Name)
                                  and m.constant(v, step.scope).value == "None"):
            return True
    return False


def steps(ctx: PythonContext) -> int:
    return sum(1 for _ in saga_steps(ctx.artifact, ctx.options))


@check("CL221", subjects=steps)
def step_without_compensation(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    index = int(ctx.options["compensation-position"])
    for step in saga_steps(m, ctx.options):
        if step.unknown or _given(m, step, ctx.options["compensation-keywords"]):
            continue
        if index and step.positional >= index:
            continue
        ctx.report(step.node, "saga step has no compensating action: if a later step fails, what this step did "
                   "cannot be undone. Give it one (compensation=...).", scope=step.scope)


@check("CL222", subjects=steps)
def step_without_timeout(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    wrapped: set[int] = set()  # classes (or the module) that run steps under a timeout
    for site in m.calls:
        if m.qualname(site.node.func) in TIMEOUT_WRAPPERS:
            cls = site.scope.enclosing_class()
            wrapped.add(id(cls) if cls is not None else 0)
    for step in saga_steps(m, ctx.options):
        if step.unknown or _given(m, step, ctx.options["timeout-keywords"]):
            continue
        cls = step.scope.enclosing_class()
        if (id(cls) if cls is not None else 0) in wrapped:
            continue
        ctx.report(step.node, "saga step has no timeout: a step that never answers leaves the saga hanging. "
                   "Set one (timeout=...) and escalate to a dead-letter or manual review when it expires.",
                   scope=step.scope)


