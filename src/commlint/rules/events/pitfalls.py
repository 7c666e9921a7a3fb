"""Pitfalls (CL231, CL232): request/reply over Kafka, two-phase commit across services."""

from __future__ import annotations

from ...artifacts import pynodes as cst

from ...analyses.kafka.build import is_agent, kafka
from ...analyses.kafka.flow import call_name
from ...analyses.kafka.model import TPC_METHODS, TPC_SQL, contains, names_in
from ...artifacts.python import (
    PyModule,
    keyword,
    string_value,
)
from .. import PythonContext, check
from .consumers import loops
from .consumers import excerpt, falsy

# -- the checks: pitfalls ---------------------------------------------------------------------------------


def produces(ctx: PythonContext) -> int:
    """Kafka produce calls: request/reply is judged for Kafka only (RabbitMQ is the standard's place for it)."""
    return len(kafka(ctx.artifact).produces)


def produces_and_loops(ctx: PythonContext) -> int:
    return produces(ctx) + loops(ctx)


@check("CL231", subjects=produces)
def request_reply(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    for site in m.calls:
        f = site.node.func
        if isinstance(f, cst.Attribute) and f.attr.value == "ask" and is_agent(m, k.resolver, f.value, site.scope):
            ctx.report(site.node, "faust `ask` waits for a reply over Kafka: request/reply belongs on REST or gRPC.",
                       scope=site.scope)
    for loop in k.loops:
        if loop.receive is None and loop.kind != "iterate":
            continue
        fn = loop.scope
        rpos = k.order.get(id(loop.receive if loop.receive is not None else loop.region), 0)
        rloops = set(map(id, k.loops_of.get(id(loop.receive), ()) if loop.receive is not None
                         else (*k.loops_of.get(id(loop.region), ()), loop.region)))
        before = [p for p in k.produces if p.site.scope is fn and k.order[id(p.node)] < rpos
                  and not rloops & set(map(id, k.loops_of.get(id(p.node), ())))]
        if not before:
            continue
        names = set(loop.message)
        returned = any(names_in(r.value) & names or (loop.receive is not None and contains(r.value, loop.receive))
                       for r in k.returns.get(id(fn), []) if r.value is not None)
        reply_to = any("reply" in m.tree.code_for_node(p.node).lower() for p in before)
        if returned or reply_to:
            ctx.report(loop.anchor, f"produces (`{excerpt(m, before[-1].node.func)}`) and then blocks consuming the "
                       "reply: request/response over Kafka adds latency for no benefit. Use REST or gRPC for "
                       "synchronous calls, Kafka for fire-and-forget events.", scope=fn)


@check("CL232", subjects=produces_and_loops)
def two_phase_commit(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    reported: set[int] = set()
    for site in m.calls:
        call = site.node
        what = None
        name = call_name(call)
        if name in TPC_METHODS:
            what = f"`{name}`"
        elif (tp := keyword(call, "twophase")) is not None and falsy(m, tp.value, site.scope) is False:
            what = "`twophase=True`"
        elif call.args:
            sql = string_value(m.constant(call.args[0].value, site.scope))
            if sql is not None and TPC_SQL.match(sql):
                what = f"`{sql.split()[0]} {sql.split()[1]}`"
        if what is None or id(site.scope) in reported or _switched_off(m, site):
            continue
        reported.add(id(site.scope))
        ctx.report(call, f"two-phase commit ({what}) couples services in one distributed transaction: one slow "
                   "or failed participant blocks all. Use a saga with compensating actions.", scope=site.scope)


def _switched_off(m: PyModule, site) -> bool:  # noqa: ANN001
    """Whether the call is in the body of an ``if FLAG:`` whose flag is a constant False (Alembic's
    multi-database template: ``USE_TWOPHASE = False`` ... ``if USE_TWOPHASE: conn.begin_twophase()``)."""
    fn = site.scope.enclosing_function()
    if fn is None or not isinstance(fn.node, cst.FunctionDef):
        return False
    where = site.node._p
    for n in cst.iter_nodes(fn.node.body):
        if isinstance(n, cst.If) and isinstance(n.test, cst.Name) and n.body._p[:2] <= where[:2] <= n.body._p[2:]:
            v = m.constant(n.test, site.scope)
            if isinstance(v, cst.Name) and v.value == "False":
                return True
    return False
