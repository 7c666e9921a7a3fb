"""Retry loops written by hand around an outbound call: ``for attempt in range(5): try: call() ...
except ...: time.sleep(2)``. Read for CL131: how many retries the loop allows and whether the
sleep between them grows exponentially (``2 ** attempt``, ``delay *= 2``) or stays flat or linear.

Precision first: only a loop whose body calls the service inside a ``try`` and sleeps
(``time.sleep``, ``asyncio.sleep``) is a retry loop: ``for ... in range(...)``, a ``while``
whose test compares a counter with a bound (``while attempt < retries:``, the counter starting
from a number), or a ``while True`` that leaves as soon as the call succeeds (``try: call();
break``: it retries without limit); a ``while True`` poll loop (a heartbeat, ``if done: return``)
is not judged, nor a sleep whose length cannot be read.
"""

from __future__ import annotations

from ..core.records import record

from ..artifacts import pynodes as cst

from ..artifacts.python import PyModule, Scope
from .http import URLLIB3, argument, http_calls, qualname
from .values import is_none, number, resolve

SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep", "gevent.sleep"})


@record(frozen=True)
class HandLoop:
    node: cst.For | cst.While  # the loop
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

    visit_While = visit_For  # type: ignore[assignment]
    leave_While = leave_For  # type: ignore[assignment]

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
        cst.walk(m.tree, v)
        scopes = {id(s.node): s.scope for s in m.calls}  # a sleep's call site tells the loop's scope
        out = []
        for frame in v.found:
            loop = frame["node"]
            scope = next((scopes[id(n)] for n in frame["sleeps"] if id(n) in scopes), None)
            if scope is None:
                continue
            if isinstance(loop, cst.While) and _always(loop.test):
                if not _until_success(loop, calls):
                    continue  # a poll loop (a heartbeat, a job's state): not a retry of a failed call
                attempts = float("inf")
            elif isinstance(loop, cst.While):
                bounded = _while_bound(m, loop.test, scope)
                if bounded is False:
                    continue
                attempts = bounded
            elif not isinstance(loop.iter, cst.Call) or not isinstance(loop.iter.func, cst.Name) \
                    or loop.iter.func.value != "range" or not loop.iter.args or m.qualname(loop.iter.func):
                continue
            elif len(args := [a.value for a in loop.iter.args]) == 1:
                attempts = number(m, args[0], scope)
            else:
                hi, lo = number(m, args[1], scope), number(m, args[0], scope)
                attempts = hi - lo if hi is not None and lo is not None else None
            growth = [(_grows(m, s.args[0].value, frame["grows"], scope) if s.args else False) for s in frame["sleeps"]]
            exponential = True if any(growth) else (False if growth and all(g is False for g in growth) else None)
            out.append(HandLoop(loop, scope, attempts - 1 if attempts is not None else None, exponential))
        return out

    return module.analysis("sync_calls.hand_retries", build)


def _always(test: cst.BaseExpression) -> bool:
    """``while True:`` (``while 1:``)."""
    return (isinstance(test, cst.Name) and test.value == "True") or (isinstance(test, cst.Integer) and test.value == "1")


def _until_success(loop: cst.While, calls: set[int]) -> bool:
    """Whether a ``while True:`` loop retries a call until it succeeds, without limit: a ``try`` of
    its body makes the call and then leaves the loop whatever the answer (``break`` or ``return`` in
    the ``try`` body or its ``else``, not under an ``if``: ``if r.json()["done"]: return`` is a
    poll), and nothing else leaves it (``if attempt > 3: raise`` bounds it: not judged)."""
    exits = {id(n) for n in cst.iter_nodes(loop.body) if isinstance(n, (cst.Break, cst.Return, cst.Raise))}
    for stmt in _unconditional(loop.body.body):
        if isinstance(stmt, cst.Try) and any(id(n) in calls for n in cst.iter_nodes(stmt.body)):
            blocks = [stmt.body.body] + ([stmt.orelse.body.body] if stmt.orelse is not None else [])
            success = {id(x) for block in blocks for s in _unconditional(block)
                       if isinstance(s, cst.SimpleStatementLine) for x in s.body if isinstance(x, (cst.Break, cst.Return))}
            if success and not exits - success:
                return True
    return False


def _unconditional(block: list) -> list:
    """The statements of a block and of the ``with`` blocks in it: those that run whenever it does."""
    out = []
    for stmt in block:
        out.append(stmt)
        if isinstance(stmt, cst.With):
            out.extend(_unconditional(stmt.body.body))
    return out


def _while_bound(m: PyModule, test: cst.BaseExpression, scope: Scope) -> float | None | bool:
    """Attempts a ``while counter < bound:`` (``<=``; ``bound > counter``) loop makes when the counter
    starts from a number; None when the bound cannot be read; False when the test is no such bound."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    op, right = test.comparisons[0].operator, test.comparisons[0].comparator
    left = test.left
    if isinstance(op, (cst.GreaterThan, cst.GreaterThanEqual)):
        left, right = right, left
        op = cst.LessThan(cst.NO_RANGE) if isinstance(op, cst.GreaterThan) else cst.LessThanEqual(cst.NO_RANGE)
    if not isinstance(op, (cst.LessThan, cst.LessThanEqual)) or not isinstance(left, cst.Name):
        return False
    starts = [v for v in m.lookup(left.value, scope) if not isinstance(v, cst.Name)]
    start = number(m, starts[0], scope) if len(starts) == 1 else None
    if start is None:
        return False  # not a counter we can read: a poll loop over a deadline, a queue's size
    bound = number(m, right, scope)
    if bound is None:
        return None
    return bound - start + (1 if isinstance(op, cst.LessThanEqual) else 0)


# -- retry policies of the libraries (tenacity, backoff, retrying, urllib3, httpx) -------------------

URLLIB3_RETRY = frozenset(
    {"urllib3.Retry", "urllib3.util.Retry", "urllib3.util.retry.Retry", "requests.adapters.Retry",
     "requests.packages.urllib3.util.retry.Retry", "requests.packages.urllib3.Retry"}
)
HTTP_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})
HTTPX_TRANSPORTS = frozenset({"httpx.HTTPTransport", "httpx.AsyncHTTPTransport"})
TENACITY_POLICIES = frozenset({"retry", "Retrying", "AsyncRetrying"})
TENACITY_EXPONENTIAL = frozenset(
    {"wait_exponential", "wait_random_exponential", "wait_exponential_jitter", "wait_full_jitter"}
)
TENACITY_FLAT = frozenset({"wait_fixed", "wait_none", "wait_random", "wait_incrementing", "wait_chain"})
BACKOFF_EXPONENTIAL = frozenset({"expo", "fibo"})
BACKOFF_FLAT = frozenset({"constant", "runtime"})


def _tenacity(q: str) -> str | None:
    """``tenacity.wait.wait_fixed`` -> ``wait_fixed``; None for other libraries."""
    return q.rsplit(".", 1)[-1] if q.startswith("tenacity.") or q == "tenacity" else None


def _tenacity_wait(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> bool | None:
    """True: exponential; False: not; None: unknown."""
    if expr is None:
        return False  # tenacity's default: wait_none
    value = resolve(module, expr, scope)
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        left, right = _tenacity_wait(module, value.left, scope), _tenacity_wait(module, value.right, scope)
        if left or right:
            return True
        return False if left is False and right is False else None
    func = value.func if isinstance(value, cst.Call) else value
    name = _tenacity(qualname(module, func) or "") if func is not None else None
    if name in TENACITY_EXPONENTIAL:
        return True
    if name in TENACITY_FLAT:
        return False
    return None


def _tenacity_retries(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> float | None:
    """Most retries a stop condition allows (inf: never stops); None: unknown or time-bounded."""
    if expr is None:
        return float("inf")  # tenacity's default: stop_never
    value = resolve(module, expr, scope)
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.BitOr):
        bounds = [b for b in (_tenacity_retries(module, value.left, scope),
                              _tenacity_retries(module, value.right, scope)) if b is not None]
        return min(bounds) if bounds else None
    func = value.func if isinstance(value, cst.Call) else value
    name = _tenacity(qualname(module, func) or "") if func is not None else None
    if name == "stop_never":
        return float("inf")
    if name == "stop_after_attempt" and isinstance(value, cst.Call):
        n = number(module, argument(module, value, scope, "max_attempt_number", 0).expr, scope)
        return n - 1 if n is not None else None
    return None


def retry_policy_of(module: PyModule, node: cst.CSTNode, q: str, call: cst.Call | None, scope: Scope):
    """(retries, exponential) for a retry policy; each may be None (unknown). None: not a policy."""

    def arg(name: str, index: int | None = None) -> cst.BaseExpression | None:
        return argument(module, call, scope, name, index).expr if call is not None else None

    if q in URLLIB3_RETRY and call is not None:
        total = arg("total", 0)
        total_value = resolve(module, total, scope) if total is not None else None
        if isinstance(total_value, cst.Name) and total_value.value == "False":
            return None  # no retries at all
        if total is None:
            retries = 10.0  # urllib3's default total
        elif is_none(total_value):
            counts = [number(module, arg(k), scope) for k in ("connect", "read", "status", "other")]
            retries = float("inf") if all(a is None for a in (arg("connect"), arg("read"), arg("status"))) else \
                (None if None in counts else max(counts))
        else:
            retries = number(module, total, scope)
        factor = arg("backoff_factor")
        backoff = number(module, factor, scope) if factor is not None else 0.0
        return retries, (backoff > 0) if backoff is not None else None
    if q in HTTP_ADAPTERS or q in URLLIB3.clients or q == "urllib3.request":
        given = arg("max_retries", 0) if q in HTTP_ADAPTERS else arg("retries")
        n = number(module, given, scope) if given is not None else None
        return (n, False) if n is not None and n > 0 else None
    if q in HTTPX_TRANSPORTS:
        n = number(module, arg("retries"), scope)
        return (n, True) if n is not None else None  # httpcore backs off exponentially between retries
    if q in ("retrying.retry", "retrying.Retrying"):
        # retrying: stop_max_attempt_number (default: never stop), wait_exponential_multiplier (default: no wait)
        attempts, delay = arg("stop_max_attempt_number"), arg("stop_max_delay")
        n = number(module, attempts, scope) if attempts is not None else None
        retries = n - 1 if n is not None else (None if attempts is not None or delay is not None else float("inf"))
        exponential = arg("wait_exponential_multiplier") is not None or arg("wait_exponential_max") is not None
        return retries, True if exponential else (None if arg("wait_func") is not None else False)
    name = _tenacity(q)
    if name in TENACITY_POLICIES:
        return _tenacity_retries(module, arg("stop"), scope), _tenacity_wait(module, arg("wait"), scope)
    if q in ("backoff.on_exception", "backoff.on_predicate") and call is not None:
        wait = arg("wait_gen", 0)
        wq = (qualname(module, resolve(module, wait, scope) or wait) or "") if wait is not None else ""
        gen = wq.rsplit(".", 1)[-1] if wq.startswith("backoff.") else ""
        w = True if gen in BACKOFF_EXPONENTIAL else False if gen in BACKOFF_FLAT else None
        tries, max_time = arg("max_tries"), arg("max_time")
        if tries is not None:
            n = number(module, tries, scope)
            retries = n - 1 if n is not None else None
        else:
            retries = None if max_time is not None else float("inf")
        return retries, w
    return None
