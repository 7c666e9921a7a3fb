"""Topic names as far as the code lets them be known: literals, constants and enum members of
this module or another, settings defaults, and entries of a table of names (``TOPICS["audit"]``)."""

from __future__ import annotations

from collections.abc import Iterable

from ...artifacts import pynodes as cst
from ...artifacts.python import PyModule, Scope, string_value
from ..django_settings import setting
from ..index import find


def literal_topics(m: PyModule, exprs: Iterable[cst.BaseExpression], scope: Scope) -> list[tuple[str, cst.CSTNode]]:
    out = []
    for e in exprs:
        v = m.constant(e, scope)
        if isinstance(v, (cst.List, cst.Tuple, cst.Set)):
            out.extend(literal_topics(m, [el.value for el in v.elements if not isinstance(el, cst.StarredElement)], scope))
            continue
        s = string_value(v)
        if s is None and isinstance(v, (cst.Name, cst.Attribute)):
            s = imported_text(m, v)  # a constant, enum member or settings default of another module
        elif s is None and isinstance(v, cst.Subscript):
            s = keyed_text(m, v, scope)
        if s is not None and v is not None:
            out.append((s, v))
    return out


def keyed_text(m: PyModule, expr: cst.Subscript, scope: Scope) -> str | None:
    """The text of an entry of a table of names: ``TOPICS["audit"]`` with ``TOPICS = {"audit":
    "healthcare.audit", ...}`` bound once in this module or defined in another module of the tree."""
    if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        return None
    key = string_value(m.constant(expr.slice[0].slice.value, scope))
    if key is None:
        return None
    table = m.constant(expr.value, scope)
    if isinstance(table, cst.Dict):
        for el in table.elements:
            if isinstance(el, cst.DictElement) and string_value(el.key) == key:
                return string_value(el.value)
        return None
    q = m.qualname(table) if isinstance(table, (cst.Name, cst.Attribute)) else None
    d = find(m, q) if q is not None else None
    if d is None or d.value is None or d.value.kind != "dict":
        return None
    return dict(d.value.items).get(key)


def imported_text(m: PyModule, expr: cst.BaseExpression) -> str | None:
    """The string an imported name stands for (``topics.ORDER_CREATED``, ``Topics.ORDER_CREATED.value``,
    ``settings.orders_topic`` with ``orders_topic: str = "orders.order.created"`` or ``os.getenv("TOPIC",
    "order-events")``, Django's settings), read through the project index; None if not a literal of the tree."""
    if isinstance(expr, cst.Attribute) and expr.attr.value == "value":
        expr = expr.value
    q = m.qualname(expr)
    if q is None:
        return None
    d = find(m, q) or setting(m, q)
    return d.value.value if d is not None and d.value is not None and d.value.kind in ("str", "env") else None
