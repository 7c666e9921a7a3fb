"""Values of Python expressions as far as they can be known statically: names followed to the one value they are bound to, numbers, text through constants, f-strings and ``+``, and what a call passes for a parameter. None means unknown."""

from __future__ import annotations

from ..core.records import record
from typing import Any

from ..artifacts import pynodes as cst

from ..artifacts.python import (
    PyModule,
    Scope,
    has_star_kwargs,
    keyword,
    positional,
    string_value,
)

# -- values ----------------------------------------------------------------------------


def is_none(expr: Any) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def resolve(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> cst.BaseExpression | None:
    """Follow names to the single value they are bound to; None when that cannot be known.

    A parameter, a loop target or a name bound more than once is unknown; an
    unbound name (a builtin, a star import) is unknown too.
    """
    for _ in range(8):
        if not isinstance(expr, cst.Name) or expr.value in ("None", "True", "False"):
            return expr
        if module.is_opaque(expr.value, scope):
            return None
        values = module.lookup(expr.value, scope)
        if len(values) != 1 or expr.value in module.imports and not values:
            return None
        expr = values[0]
    return None


def number(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> float | None:
    """The value of a numeric literal, a constant bound to one, or simple arithmetic on them."""
    value = resolve(module, expr, scope)
    if isinstance(value, (cst.Integer, cst.Float)):
        try:
            return float(value.evaluated_value)
        except (OverflowError, ValueError):
            return float("inf")  # a literal too large for a float is, for a timeout, unbounded in practice
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        n = number(module, value.expression, scope)
        return -n if n is not None else None
    if isinstance(value, cst.BinaryOperation):
        left, right = number(module, value.left, scope), number(module, value.right, scope)
        if left is None or right is None:
            return None
        op = value.operator
        if isinstance(op, cst.Add):
            return left + right
        if isinstance(op, cst.Subtract):
            return left - right
        if isinstance(op, cst.Multiply):
            return left * right
        if isinstance(op, (cst.Divide, cst.FloorDivide)) and right:
            return left / right if isinstance(op, cst.Divide) else left // right
    return None


@record(frozen=True)
class Text:
    """A string value as far as it is known: ``value`` is its (start of) text."""

    value: str
    complete: bool  # False: only a prefix is known (an f-string with a runtime part)
    node: cst.BaseExpression  # the literal the text starts in (a constant's, for ``f"{BASE}/x"``)


def text(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, _depth: int = 0) -> Text | None:
    """The literal text of a string expression, through constants, ``+`` and f-strings."""
    value = resolve(module, expr, scope)
    if value is None or _depth > 8:
        return None
    if isinstance(value, cst.SimpleString):
        try:
            s = value.evaluated_value
        except Exception:  # noqa: BLE001 - odd literals are just unknown
            return None
        return Text(s, True, value) if isinstance(s, str) else None
    if isinstance(value, cst.ConcatenatedString):
        return _join(text(module, value.left, scope, _depth + 1),
                     lambda: text(module, value.right, scope, _depth + 1))
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return _join(text(module, value.left, scope, _depth + 1),
                     lambda: text(module, value.right, scope, _depth + 1))
    if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or) \
            and _environment(module, value.left, scope):
        return text(module, value.right, scope, _depth + 1)  # os.environ.get("X") or "http://inventory:8000"
    if isinstance(value, cst.FormattedString):
        out: list[str] = []
        start: cst.BaseExpression = value
        for i, part in enumerate(value.parts):
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value)
                continue
            inner = None
            if isinstance(part, cst.FormattedStringExpression) and part.format_spec is None and part.conversion is None:
                inner = text(module, part.expression, scope, _depth + 1)
            if inner is None:
                return Text("".join(out), False, start)
            if i == 0:
                start = inner.node
            out.append(inner.value)
            if not inner.complete:
                return Text("".join(out), False, start)
        return Text("".join(out), True, start)
    return None


ENVIRONMENT = frozenset({"os.getenv", "os.environ.get"})


def _environment(module: PyModule, expr: cst.BaseExpression, scope: Scope) -> bool:
    """Whether an expression reads an environment variable (``os.getenv("X")``, ``os.environ.get("X")``)."""
    value = resolve(module, expr, scope)
    return isinstance(value, cst.Call) and module.qualname(value.func) in ENVIRONMENT


def _join(left: Text | None, right) -> Text | None:
    if left is None:
        return None
    if not left.complete:
        return Text(left.value, False, left.node)
    r = right()
    if r is None:
        return Text(left.value, False, left.node)
    return Text(left.value + r.value, r.complete, left.node)


def _kwargs(module: PyModule, call: cst.Call, scope: Scope) -> dict[str, cst.BaseExpression] | None:
    """Keys of ``**mapping`` arguments when every mapping is a dict we can read, else None."""
    keys: dict[str, cst.BaseExpression] = {}
    for arg in call.args:
        if arg.star != "**":
            continue
        value = resolve(module, arg.value, scope)
        if isinstance(value, cst.Call) and _is_builtin(module, value.func, "dict"):
            for a in value.args:
                if a.keyword is None:
                    return None
                keys[a.keyword.value] = a.value
            continue
        if not isinstance(value, cst.Dict):
            return None
        for el in value.elements:
            if not isinstance(el, cst.DictElement):
                return None
            k = text(module, el.key, scope)
            if k is None or not k.complete:
                return None
            keys[k.value] = el.value
    return keys


def _is_builtin(module: PyModule, func: cst.BaseExpression, name: str) -> bool:
    return isinstance(func, cst.Name) and func.value == name and module.qualname(func) is None


@record(frozen=True)
class Argument:
    """What a call passes for one parameter: ``expr``; ``unknown`` when a mapping we cannot read may carry it."""

    expr: cst.BaseExpression | None
    unknown: bool = False
    at: cst.BaseExpression | None = None  # what the call itself writes (``**options`` for a mapping's key)

    @property
    def where(self) -> cst.BaseExpression | None:
        return self.at if self.at is not None else self.expr


def bind_partial(module: PyModule, call: cst.Call, partial: cst.Call) -> None:
    """Record that ``call`` calls what ``partial`` (a ``functools.partial(f, *args, **kwargs)``) binds."""
    module.analysis("values.partials", lambda m: {})[id(call)] = partial


def bind_remote_partial(module: PyModule, call: cst.Call, partial: Any) -> None:
    """Record that ``call`` calls a ``functools.partial`` of another module (its ``CallInfo``)."""
    module.analysis("values.remote_partials", lambda m: {})[id(call)] = partial


def argument(module: PyModule, call: cst.Call, scope: Scope, name: str, index: int | None = None) -> Argument:
    """What ``call`` passes for the parameter ``name`` (at position ``index``), including what a
    ``functools.partial`` it calls through has bound: ``f(*bound, *args, **{**bound_kw, **kw})``.
    What a partial of another module binds is known by name only: an argument it binds is unknown."""
    remote = module._cache.get("values.remote_partials", {}).get(id(call))
    if remote is not None:
        n = len(remote.positional) - 1  # after the function
        here = _argument(module, call, scope, name, None if index is None or index < n else index - n)
        if here.expr is not None or here.unknown:
            return here
        bound = any(k == name for k, _ in remote.keywords) or remote.star_kwargs or (index is not None and index < n)
        return Argument(None, True) if bound else here
    partial = module._cache.get("values.partials", {}).get(id(call))
    if partial is None:
        return _argument(module, call, scope, name, index)
    bound = [a for a in partial.args[1:] if a.keyword is None]
    n = len(bound)
    if index is not None and any(a.star == "*" for a in bound):
        here = _argument(module, call, scope, name, None)
        return here if here.expr is not None or here.unknown else Argument(None, True)
    here = _argument(module, call, scope, name, None if index is None or index < n else index - n)
    if here.expr is not None or here.unknown:
        return here
    return _argument(module, partial, scope, name, None if index is None or index >= n else index + 1)


def _argument(module: PyModule, call: cst.Call, scope: Scope, name: str, index: int | None = None) -> Argument:
    arg = keyword(call, name)
    if arg is not None:
        return Argument(arg.value)
    if index is not None:
        pos = positional(call, index)
        if pos is not None:
            return Argument(pos.value)
        if any(a.star == "*" for a in call.args):
            return Argument(None, True)
    if has_star_kwargs(call):
        keys = _kwargs(module, call, scope)
        if keys is None:
            return Argument(None, True)
        if name in keys:
            star = next(a.value for a in call.args if a.star == "**")
            return Argument(keys[name], at=star)
    return Argument(None)


def template(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, depth: int = 0) -> str | None:
    """A string expression's value with unknown parts as ``{}`` (None when nothing is known)."""
    if expr is None or depth > 6:
        return None
    expr = module.constant(expr, scope)
    s = string_value(expr)
    if s is not None:
        return s
    if isinstance(expr, cst.FormattedString):
        out = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value)
            else:
                inner = template(module, part.expression, scope, depth + 1)
                out.append(inner if inner is not None else "{}")
        return "".join(out)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left = template(module, expr.left, scope, depth + 1)
        right = template(module, expr.right, scope, depth + 1)
        if left is None and right is None:
            return None
        return (left if left is not None else "{}") + (right if right is not None else "{}")
    return None
