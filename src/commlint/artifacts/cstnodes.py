"""Small readers of syntax nodes (`pynodes`): a dotted name, a string literal's value, a call's arguments."""

from __future__ import annotations

from typing import Any

from . import pynodes as cst


def dotted(expr: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if isinstance(expr, cst.Name):
        parts.append(expr.value)
        return ".".join(reversed(parts))
    return None


def parameter(scope: Any, name: str) -> cst.Param | None:
    """The parameter ``name`` of the function a scope (``python.Scope``) is in, or None."""
    fn = scope.enclosing_function()
    if fn is None or not isinstance(fn.node, cst.FunctionDef):
        return None
    params = fn.node.params
    return next((p for p in (*params.posonly_params, *params.params, *params.kwonly_params) if p.name.value == name), None)


def string_value(expr: cst.BaseExpression | None) -> str | None:
    """The value of a plain or concatenated string literal (not an f-string)."""
    if isinstance(expr, cst.SimpleString):
        try:
            value = expr.evaluated_value
        except Exception:  # noqa: BLE001 - odd literals are just "unknown"
            return None
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left, right = string_value(expr.left), string_value(expr.right)
        if left is not None and right is not None:
            return left + right
    return None


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call, index: int) -> cst.Arg | None:
    i = 0
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        if i == index:
            return arg
        i += 1
    return None


def has_star_kwargs(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def has_star_args(call: cst.Call) -> bool:
    return any(arg.star == "*" for arg in call.args)
