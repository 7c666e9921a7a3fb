"""Retry loops written by hand around an outbound call: ``for attempt in range(5): try: call() ...
except ...: time.sleep(2)``. Read for CL131: how many retries the loop allows and whether the
sleep between them grows exponentially (``2 ** attempt``, ``delay *= 2``) or stays flat or linear.

Precision first: only a bounded ``for ... in range(...)`` loop whose body calls the service inside
a ``try`` and sleeps (``time.sleep``, ``asyncio.sleep``) is a retry loop; a ``while True`` poll
loop is not judged, nor a sleep whose length cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ..artifacts import cstwalk
from ..artifacts.python import PyModule, Scope
from .http import http_calls
from .values import number

SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep", "gevent.sleep"})


@dataclass(frozen=True)
class HandLoop:
    node: cst.For  # the loop
    scope: Scope
    retries: float | None  # None: the bound cannot be read
    exponential: bool | None  # None: the sleep's growth cannot be read


class _Loops(cst.CSTVisitor):
    def __init__(self, m: PyModule, calls: set[int]):
        self.m = m
        self.calls = calls
        self.stack: list[dict] = []  # open for-loops: {"node", "try": depth, "call": bool, "sleeps": [...]}
        self.tries = 0
        self.found: list[dict] = []

    def visit_For(self, node: cst.For) -> None:
        self.stack.append({"node": node, "try_base": self.tries, "call": False, "sleeps": [], "grows": set()})

    def leave_For(self, original_node: cst.For) -> None:
        frame = self.stack.pop()
        if frame["call"] and frame["sleeps"]:
            self.found.append(frame)

    def visit_Try(self, node: cst.Try) -> None:
        self.tries += 1

    def leave_Try(self, original_node: cst.Try) -> None:
        self.tries -= 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return not self.stack  # a function defined in a loop body is not the loop's work

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self.stack and isinstance(node.operator, (cst.MultiplyAssign, cst.LeftShiftAssign, cst.PowerAssign)) \
                and isinstance(node.target, cst.Name):
            self.stack[-1]["grows"].add(node.target.value)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.stack:
            return
        frame = self.stack[-1]
        if id(node) in self.calls and self.tries > frame["try_base"]:
            frame["call"] = True
        if (self.m.qualname(node.func) or "") in SLEEPS:
            frame["sleeps"].append(node)


def _grows(m: PyModule, expr: cst.BaseExpression, grows: set[str], scope: Scope) -> bool | None:
    """True: exponential (``2 ** n``, ``1 << n``, a name multiplied each time); False: a constant or
    linear in the loop (``1``, ``attempt * 2``, ``delay + 1``); None: cannot tell."""
    if isinstance(expr, cst.Name) and expr.value in grows:
        return True
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, (cst.Power, cst.LeftShift)):
            return True
        left, right = _grows(m, expr.left, grows, scope), _grows(m, expr.right, grows, scope)
        if left or right:
            return True
        if isinstance(expr.operator, (cst.Add, cst.Subtract, cst.Multiply)) and left is False and right is False:
            return False
        return None
    if number(m, expr, scope) is not None:
        return False
    if isinstance(expr, cst.Name):  # the loop variable (linear), or a name we cannot read
        return False if expr.value in _loop_names(m, scope) else None
    return None


def _loop_names(m: PyModule, scope: Scope) -> set[str]:
    return m.analysis(f"retries.loop_names.{id(scope)}", lambda mod: set(scope.opaque))


def hand_loops(module: PyModule) -> list[HandLoop]:
    """Hand-written retry loops around an outbound call in the module (computed once)."""

    def build(m: PyModule) -> list[HandLoop]:
        calls = {id(c.node) for c in http_calls(m) if c.role != "client"}
        if not calls or "sleep" not in m.text:
            return []
        v = _Loops(m, calls)
        cstwalk.walk(m.tree, v)
        scopes = {id(s.node): s.scope for s in m.calls}  # a sleep's call site tells the loop's scope
        out = []
        for frame in v.found:
            loop: cst.For = frame["node"]
            scope = next((scopes[id(n)] for n in frame["sleeps"] if id(n) in scopes), None)
            if scope is None or not isinstance(loop.iter, cst.Call) or not isinstance(loop.iter.func, cst.Name) \
                    or loop.iter.func.value != "range" or not loop.iter.args or m.qualname(loop.iter.func):
                continue
            args = [a.value for a in loop.iter.args]
            if len(args) == 1:
                attempts = number(m, args[0], scope)
            else:
                hi, lo = number(m, args[1], scope), number(m, args[0], scope)
                attempts = hi - lo if hi is not None and lo is not None else None
            growth = [(_grows(m, s.args[0].value, frame["grows"], scope) if s.args else False) for s in frame["sleeps"]]
            exponential = True if any(growth) else (False if growth and all(g is False for g in growth) else None)
            out.append(HandLoop(loop, scope, attempts - 1 if attempts is not None else None, exponential))
        return out

    return module.analysis("sync_calls.hand_retries", build)
