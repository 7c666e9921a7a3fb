"""Visit a libcst tree without rebuilding it.

``node.visit(visitor)`` rebuilds every node it passes (libcst's traversal is
shared with transformers), which costs as much as parsing the file. ``walk``
calls the same callbacks, on the same nodes, in the same order, but only
reads the tree: each node class's children are the fields its
``_visit_and_replace_children`` visits, in the order it visits them (the
field names are string constants of that method, in source order).

For a plain ``CSTVisitor`` (``visit_<Node>``/``leave_<Node>`` methods), the
callbacks are looked up once per node class, and the no-op defaults libcst
defines for every node class are not called at all.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable

import libcst as cst


@functools.cache
def child_fields(cls: type) -> tuple[str, ...]:
    names = {f.name for f in dataclasses.fields(cls)}
    order: list[str] = []
    for const in cls._visit_and_replace_children.__code__.co_consts:
        if isinstance(const, str) and const in names and const not in order:
            order.append(const)
    return tuple(order)


@functools.cache
def _is_node(cls: type) -> bool:
    return issubclass(cls, cst.CSTNode)


def _children(node: cst.CSTNode):  # noqa: ANN202
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if _is_node(type(value)):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if _is_node(type(item)):
                    yield item


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """What ``node.visit(visitor)`` does for a read-only visitor, several times faster."""
    kind = type(visitor)
    if kind.on_visit is not cst.CSTVisitor.on_visit or kind.on_leave is not cst.CSTVisitor.on_leave:
        _walk_generic(node, visitor)
        return
    callbacks: dict[type, tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None]] = {}

    def lookup(cls: type) -> tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None]:
        found = []
        for prefix in ("visit_", "leave_"):
            name = prefix + cls.__name__
            own = getattr(kind, name, None)
            found.append(None if own is None or own is getattr(cst.CSTVisitor, name, None) else getattr(visitor, name))
        callbacks[cls] = (found[0], found[1])
        return callbacks[cls]

    def go(node: cst.CSTNode) -> None:
        cls = type(node)
        visit, leave = callbacks.get(cls) or lookup(cls)
        if visit is None or visit(node) is not False:
            for child in _children(node):
                go(child)
        if leave is not None:
            leave(node)

    go(node)


def _walk_generic(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    if visitor.on_visit(node):
        for child in _children(node):
            _walk_generic(child, visitor)
    visitor.on_leave(node)
