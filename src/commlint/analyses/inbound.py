"""When code runs: once (at import or start-up, in a CLI command or ``main``, in a function a
script's ``main`` calls once, behind a cache or an ``if CLIENT is None:`` guard) or possibly once
per incoming request.

Two rules read it: CL121 does not call a connection opened once "per request", and CL111
has nothing to propagate where no request came in (a start-up call, a CLI command, a batch
job's ``main``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..artifacts import pynodes as cst

from ..artifacts.python import PyModule, Scope
from .routes import ONCE_DECORATORS, over_literals, per_request

STARTUP_NAMES = frozenset({
    "main", "cli", "lifespan", "startup", "on_startup", "shutdown", "on_shutdown", "startup_event",
    "shutdown_event", "init_app", "create_app", "bootstrap", "seed", "seed_data", "run_migrations", "warmup",
    "warm_up", "setup", "configure", "app_lifespan",
})
CLI_DECORATORS = frozenset({"command", "group", "callback", "cli", "main", "on_startup", "on_shutdown",
                            "before_first_request", "before_serving", "after_serving"})
STARTUP_EVENTS = frozenset({"startup", "shutdown"})


def _decorator_names(scope: Scope) -> list[tuple[str, cst.Decorator]]:
    out = []
    for dec in scope.decorators:
        d = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        name = d.attr.value if isinstance(d, cst.Attribute) else d.value if isinstance(d, cst.Name) else ""
        out.append((name, dec))
    return out


def _startup_function(fn: Scope) -> str | None:
    """Why a function runs once per process: a start-up hook, a CLI command, ``main``, a cached function."""
    for name, dec in _decorator_names(fn):
        if name in ONCE_DECORATORS and name != "asynccontextmanager":
            return f"`{fn.qualname}` is cached (@{name})"
        if name in CLI_DECORATORS:
            return f"`{fn.qualname}` is a command-line or start-up hook (@{name})"
        if name == "on_event" and isinstance(dec.decorator, cst.Call) and dec.decorator.args:
            arg = dec.decorator.args[0].value
            if isinstance(arg, cst.SimpleString) and arg.evaluated_value in STARTUP_EVENTS:
                return f"`{fn.qualname}` runs at {arg.evaluated_value}"
    if fn.name in STARTUP_NAMES:
        return f"`{fn.qualname}` runs once, at start-up or from the command line"
    return None


def _guarded(node: cst.CSTNode, fn: Scope) -> bool:
    """``if CLIENT is None: CLIENT = ...`` / ``if not self._certs:``: code that runs until a value is cached."""

    def go(n: cst.CSTNode, guarded: bool, depth: int) -> bool | None:
        if n is node:
            return guarded
        if depth > 60 or (isinstance(n, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) and n is not fn.node):
            return None
        g = guarded or (isinstance(n, cst.If) and _is_cache_test(n.test))
        for child in n.children:
            found = go(child, g, depth + 1)
            if found is not None:
                return found
        return None

    return bool(fn.node is not None and go(fn.node, False, 0))


def _is_cache_test(test: cst.BaseExpression) -> bool:
    """``X is None``, ``not X``, ``X not in cache``, ``self._x is None`` on a name that looks cached."""
    if isinstance(test, cst.BooleanOperation):
        return _is_cache_test(test.left) or _is_cache_test(test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return isinstance(test.expression, (cst.Name, cst.Attribute, cst.Call))
    if isinstance(test, cst.Comparison) and test.comparisons:
        op = test.comparisons[0].operator
        right = test.comparisons[0].comparator
        if isinstance(op, cst.Is) and isinstance(right, cst.Name) and right.value == "None":
            return True
        if isinstance(op, cst.NotIn):
            return True
    return False


def runs_once(module: PyModule, scope: Scope, node: cst.CSTNode) -> str | None:
    """Why the code at ``node`` (in ``scope``) runs once per process, or None when it may run per request."""
    fn = scope.enclosing_function()
    if fn is None:
        return "it runs once, when the module is imported"
    if id(fn) in per_request(module):
        return None
    s: Scope | None = fn
    while s is not None and s.kind == "function":
        why = _startup_function(s)
        if why is not None:
            return why
        s = s.parent
    try:
        if _guarded(node, fn):
            return f"it runs only until `{fn.qualname}` has cached its result"
    except RecursionError:
        return None
    return _called_once_by_main(module, fn, 0)


def _called_once_by_main(module: PyModule, fn: Scope, depth: int) -> str | None:
    """Why a function of a script (a module with ``if __name__ == "__main__":``) runs once: every
    use of its name in the module is a call, outside any loop, from ``main`` (or another start-up
    function, or a function that is itself called so), as ``download_run(args)`` in a CI script."""
    if depth > 3 or fn.parent is not module.module_scope or not _is_script(module):
        return None
    callers = callers_running_once(module, fn, lambda caller: _startup_function(caller) is not None
                                   or _called_once_by_main(module, caller, depth + 1) is not None)
    if not callers:
        return None
    return f"`{fn.qualname}` is called once, from `{'`, `'.join(sorted({c.qualname for c in callers}))}`, in a script"


def callers_running_once(module: PyModule, fn: Scope, once: Callable[[Scope], bool]) -> list[Scope] | None:
    """The functions of this module that call ``fn`` (a module-level function): each call outside
    any loop (or in one over a few literal values), from a function for which ``once`` holds. None
    when a call is not so, or when ``fn`` is used otherwise than called (passed on, stored)."""
    calls = [c for c in module.calls if isinstance(c.node.func, cst.Name) and c.node.func.value == fn.name]
    if _name_uses(module).get(fn.name, 0) != len(calls) + 1:  # the def, and the calls: never passed on
        return None
    callers = []
    for c in calls:
        caller = c.scope.enclosing_function()
        if (c.in_loop and not over_literals(module, caller, c.node)) or caller is None or caller is fn \
                or c.scope is not caller or not once(caller):
            return None
        callers.append(caller)
    return callers


def _is_script(module: PyModule) -> bool:
    def build(m: PyModule) -> bool:
        return any(isinstance(stmt, cst.If) and "__name__" in m.tree.code_for_node(stmt.test)
                   and "__main__" in m.tree.code_for_node(stmt.test) for stmt in m.tree.body)

    return module.analysis("inbound.script", build)


def _name_uses(module: PyModule) -> dict[str, int]:
    """How many times each name is written in the module (a Name node: uses, calls, the def)."""

    def build(m: PyModule) -> dict[str, int]:
        counts: dict[str, int] = {}
        for n in cst.iter_nodes(m.tree):
            if type(n) is cst.Name:
                counts[n.value] = counts.get(n.value, 0) + 1
        return counts

    return module.analysis("inbound.names", build)


def no_inbound_request(module: PyModule, scope: Scope, node: cst.CSTNode) -> str | None:
    """Why no incoming request can be behind the code at ``node`` (nothing to propagate), or None."""
    return runs_once(module, scope, node)
