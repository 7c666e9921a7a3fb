"""Visit a libcst tree without rebuilding it.

``node.visit(visitor)`` rebuilds every node it passes (libcst's traversal is
shared with transformers), which costs as much as parsing the file. ``walk``
calls the same ``on_visit``/``on_leave`` callbacks, on the same nodes, in the
same order, but only reads the tree: each node class's children are the
fields its ``_visit_and_replace_children`` visits, in the order it visits them
(the field names are string constants of that method, in source order).
"""

from __future__ import annotations

import dataclasses
import functools

import libcst as cst


@functools.cache
def child_fields(cls: type) -> tuple[str, ...]:
    names = {f.name for f in dataclasses.fields(cls)}
    order: list[str] = []
    for const in cls._visit_and_replace_children.__code__.co_consts:
        if isinstance(const, str) and const in names and const not in order:
            order.append(const)
    return tuple(order)


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """What ``node.visit(visitor)`` does for a read-only visitor, several times faster."""
    if visitor.on_visit(node):
        CSTNode = cst.CSTNode
        for name in child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, CSTNode):
                walk(value, visitor)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, CSTNode):
                        walk(item, visitor)
    visitor.on_leave(node)
