"""Saga checks: every step has a compensation and a timeout (CL221, CL222); the orchestrator persists its state (CL223) and its compensations are idempotent (CL224)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
import re
from ...core.records import record

from ...artifacts import pynodes as cst

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


@record
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
        for name in lists:  # ``steps = [...]``, and in a class ``self.steps = [...]`` in a method
            for value in scope.bindings.get(name, []) + scope.attributes.get(name, []):
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


# -- the checks: saga state and compensations (notes) ------------------------------------------


def _last(call: cst.Call) -> str | None:
    f = call.func
    return f.attr.value if isinstance(f, cst.Attribute) else f.value if isinstance(f, cst.Name) else None


def _inside(scope: Scope | None, container: Scope | None) -> bool:
    while scope is not None:
        if scope is container:
            return True
        scope = scope.parent
    return False


def _orchestrators(m: PyModule, opts: dict) -> list[tuple[Scope, list[Step]]]:
    """Classes (or the module) that declare saga steps and run them themselves: a method or function
    calling a step's action or compensation (``step.action(order)``) or looping over the steps."""
    runs = set(opts.get("action-keys", ["action"])) | set(opts.get("compensation-keywords", []))
    lists = set(opts.get("step-lists", ["steps"]))
    by: dict[int, tuple[Scope, list[Step]]] = {}
    for step in saga_steps(m, opts):
        owner = step.scope.enclosing_class() or m.scopes[0]
        by.setdefault(id(owner), (owner, []))[1].append(step)
    out = []
    for owner, found in by.values():
        running = any(_inside(site.scope, owner) and site.scope.enclosing_function() is not None
                      and isinstance(site.node.func, cst.Attribute) and site.node.func.attr.value in runs
                      for site in m.calls) or any(
            isinstance(n, cst.For) and (dotted(n.iter) or "").rsplit(".", 1)[-1] in lists
            for s in m.scopes if s.kind == "function" and _inside(s, owner) and s.node is not None
            for n in _walk(s.node))
        if running:
            out.append((owner, found))
    return out


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        todo.extend(n.children)


def _persists(m: PyModule, owner: Scope, opts: dict) -> bool:
    calls, words = set(opts["persist-calls"]), tuple(opts["store-words"])
    reached = {s.qualname for s in m.scopes if s.kind == "function" and _inside(s, owner)}
    names_called = {n for site in m.calls if site.scope.enclosing_function() is not None
                    and site.scope.enclosing_function().qualname in reached and (n := _last(site.node))}
    # helpers of the module the orchestrator calls by name (one level is enough for a note)
    reached |= {s.qualname for s in m.scopes if s.kind == "function" and s.name in names_called}
    for site in m.calls:
        fn = site.scope.enclosing_function()
        if fn is None or fn.qualname not in reached:
            continue
        last = _last(site.node)
        receiver = dotted(site.node.func.value) if isinstance(site.node.func, cst.Attribute) else None
        if last in calls or (receiver and _store_like(receiver, words)):
            return True
    return False


def _store_like(receiver: str, words: tuple[str, ...]) -> bool:
    """``self.repository``, ``orders_db``, ``sagaStore``: a part of the name is (or, for longer
    words, begins or ends with) a store word; ``feedback`` holds no ``db``."""
    parts = [p for p in re.split(r"[._]|(?<=[a-z])(?=[A-Z])", receiver) if p]
    return any(p.lower() == w or (len(w) >= 4 and (p.lower().endswith(w) or p.lower().startswith(w)))
               for p in parts for w in words)


def orchestrators(ctx: PythonContext) -> int:
    return len(_orchestrators(ctx.artifact, ctx.options_of("CL221")))


@check("CL223", subjects=orchestrators)
def saga_state_not_persisted(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    for owner, steps_ in _orchestrators(m, ctx.options_of("CL221")):
        if _persists(m, owner, ctx.options):
            continue
        where = owner.node.name if isinstance(owner.node, cst.ClassDef) else steps_[0].node
        what = f"saga orchestrator {owner.name}" if owner.kind == "class" else "this saga orchestrator"
        ctx.report(where, f"{what} runs {len(steps_)} steps but keeps its progress only in memory (no store, "
                   "session, repository or cache call records it): after a crash nobody knows which steps ran "
                   "or what to compensate. Persist the saga's state after each step so it can resume.",
                   scope=owner)


def _helper(m: PyModule, call: cst.Call, fn: Scope) -> Scope | None:
    """The function of this module a call names (``self._refund_once(...)``, ``release(...)``)."""
    f = call.func
    if isinstance(f, cst.Attribute) and dotted(f.value) in ("self", "cls"):
        home, name = fn.enclosing_class(), f.attr.value
    elif isinstance(f, cst.Name):
        home, name = m.scopes[0], f.value
    else:
        return None
    hits = [s for s in m.scopes if s.kind == "function" and s.name == name and home is not None and s.parent is home]
    return hits[0] if len(hits) == 1 and hits[0] is not fn else None


def _guarded(m: PyModule, fn: Scope, opts: dict, depth: int = 0) -> bool | None:
    """Whether a compensation checks before it undoes, itself or in a helper of the module it calls
    (None: it calls nothing worth judging)."""
    words = tuple(opts["guard-words"])
    node = fn.node
    decorators = [d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator for d in fn.decorators]
    if any("idempot" in (dotted(d) or "").lower() for d in decorators):
        return True
    effects = 0
    for n in _walk(node):
        if isinstance(n, (cst.If, cst.IfExp, cst.While, cst.Assert)):
            test = n.test
            text = " ".join(x.value for x in _walk(test) if isinstance(x, cst.Name)).lower()
            if any(w in text for w in words):
                return True
        elif isinstance(n, cst.SimpleString) and any(w in n.value.lower() for w in opts["guard-strings"]):
            return True
        elif isinstance(n, cst.Name) and "idempot" in n.value.lower():
            return True
        elif isinstance(n, cst.Call):
            last = (_last(n) or "").lower()
            if last in opts["idempotent-calls"]:
                return True
            helper = _helper(m, n, fn) if depth < 2 else None
            verdict = _guarded(m, helper, opts, depth + 1) if helper is not None else None
            if verdict:
                return True
            if verdict is False or (helper is None and last and last not in opts["ignored-calls"]):
                effects += 1
    return None if effects == 0 else False


def _compensation_function(m: PyModule, step: Step, opts: dict) -> Scope | None:
    """The function of this module a step's compensation names (``release_stock``, ``self.refund``)."""
    index = int(opts["compensation-position"])
    given = [step.args[kw] for kw in opts["compensation-keywords"] if kw in step.args]
    if not given and index and step.positional >= index and isinstance(step.node, cst.Call):
        given = [[a.value for a in step.node.args if a.keyword is None][index - 1]]
    for v in given[:1]:
        name = v.value if isinstance(v, cst.Name) else (
            v.attr.value if isinstance(v, cst.Attribute) and dotted(v.value) in ("self", "cls") else None)
        if name is None:
            return None
        cls = step.scope.enclosing_class()
        homes = (cls,) if isinstance(v, cst.Attribute) else (m.scopes[0], cls)
        hits = [s for s in m.scopes if s.kind == "function" and s.name == name and s.parent is not None
                and any(s.parent is h for h in homes if h is not None)]
        return hits[0] if len(hits) == 1 else None
    return None


def compensations(ctx: PythonContext) -> int:
    opts = {**ctx.options_of("CL221"), **ctx.options}
    return sum(1 for s in saga_steps(ctx.artifact, opts) if _compensation_function(ctx.artifact, s, opts))


@check("CL224", subjects=compensations)
def compensation_not_idempotent(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    opts = {**ctx.options_of("CL221"), **ctx.options}
    seen: set[int] = set()
    for step in saga_steps(m, opts):
        fn = _compensation_function(m, step, opts)
        if fn is None or id(fn) in seen or not isinstance(fn.node, cst.FunctionDef):
            continue
        seen.add(id(fn))
        if _guarded(m, fn, opts) is not False:
            continue
        ctx.report(fn.node.name, f"compensation {fn.name} undoes its step without checking whether it already "
                   "did: a retried or resumed saga calls it again and refunds, releases or cancels twice. Check "
                   "the current state first (already refunded? a compensated flag, an idempotency key).",
                   scope=fn.parent)
