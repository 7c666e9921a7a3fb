"""The syntax tree the Python analyses read: libcst's node classes, built from CPython's ``ast``.

The analyses were written against libcst's concrete tree (its class names, its fields and their
order, ``SimpleStatementLine`` around small statements, ``Arg`` in source order, ``elif`` as a
nested ``If``, string pieces as ``ConcatenatedString``). ``pybuild`` builds the very same shape
from CPython's parser, which is written in C: a tenth of libcst's parse, and no 0.3 s import.
What the tree leaves out is whitespace, comments, commas and brackets, which no rule reads
(a fix edits the text at the node's offsets). ``tests/test_pynodes.py`` compares every node and
its range with libcst's over every file of the repository and every rule example.

Each node holds ``_p``: (line, column, end line, end column) of its range, lines from 1 and
columns from 0 in characters, the range libcst's ``PositionProvider`` gives (without the
parentheses around the node, with those of its children). Operator and ``Asynchronous`` nodes
are shared and have no range.
"""

from __future__ import annotations

import ast
from typing import Any

NO_RANGE = (0, 0, 0, 0)


class CSTNode:
    __slots__ = ("_p",)
    _fields: tuple[str, ...] = ()  # the fields that hold nodes, in libcst's visiting order

    @property
    def children(self) -> list["CSTNode"]:
        out: list[CSTNode] = []
        for name in self._fields:
            value = getattr(self, name)
            if type(value) is list:
                out.extend(value)
            elif value is not None:
                out.append(value)
        return out

    def visit(self, visitor: "CSTVisitor") -> "CSTNode":
        walk(self, visitor)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}@{self._p[0]}:{self._p[1]}"


_INITS: dict[tuple[str, ...], Any] = {}


def _define(name: str, base: type, fields: str = "", extra: str = "") -> type:
    """A node class: ``fields`` hold nodes (visited in that order), ``extra`` plain values."""
    names = tuple(fields.split()), tuple(extra.split())
    every = names[0] + names[1]
    init = _INITS.get(every)
    if init is None:  # one per list of fields: the operators share theirs
        args = "".join(f", {n}=None" for n in every)
        body = "".join(f"\n    self.{n} = {n}" for n in every)
        scope: dict[str, Any] = {}
        exec(f"def __init__(self, _p{args}):\n    self._p = _p{body}", scope)  # noqa: S102 - fixed text
        init = _INITS[every] = scope["__init__"]
    cls = type(name, (base,), {"__slots__": every, "_fields": names[0], "__init__": init})
    globals()[name] = cls
    return cls


BaseExpression = type("BaseExpression", (CSTNode,), {"__slots__": ()})
BaseStatement = type("BaseStatement", (CSTNode,), {"__slots__": ()})
BaseSmallStatement = type("BaseSmallStatement", (CSTNode,), {"__slots__": ()})
BaseCompoundStatement = type("BaseCompoundStatement", (BaseStatement,), {"__slots__": ()})
BaseSuite = type("BaseSuite", (CSTNode,), {"__slots__": ()})
BaseString = type("BaseString", (BaseExpression,), {"__slots__": ()})
BaseNumber = type("BaseNumber", (BaseExpression,), {"__slots__": ()})
BaseComp = type("BaseComp", (BaseExpression,), {"__slots__": ()})
BaseOp = type("BaseOp", (CSTNode,), {"__slots__": ()})
BasePattern = type("BasePattern", (CSTNode,), {"__slots__": ()})
Other = CSTNode

_SPECS: tuple[tuple[type, str, str, str], ...] = (
    (CSTNode, "Module", "body", "code starts"),
    (BaseExpression, "Name", "", "value"),
    (BaseExpression, "Attribute", "value attr", ""),
    (BaseExpression, "Call", "func args", ""),
    (CSTNode, "Arg", "keyword value", "star"),
    (BaseExpression, "Subscript", "value slice", ""),
    (CSTNode, "SubscriptElement", "slice", ""),
    (CSTNode, "Index", "value", "star"),
    (CSTNode, "Slice", "lower upper step", ""),
    (BaseExpression, "BinaryOperation", "left operator right", ""),
    (BaseExpression, "BooleanOperation", "left operator right", ""),
    (BaseExpression, "UnaryOperation", "operator expression", ""),
    (BaseExpression, "Comparison", "left comparisons", ""),
    (CSTNode, "ComparisonTarget", "operator comparator", ""),
    (BaseExpression, "IfExp", "body test orelse", ""),
    (BaseExpression, "Lambda", "params body", ""),
    (BaseExpression, "Await", "expression", ""),
    (BaseExpression, "Yield", "value", ""),
    (CSTNode, "From", "item", ""),
    (BaseExpression, "NamedExpr", "target value", ""),
    (BaseExpression, "Tuple", "elements", ""),
    (BaseExpression, "List", "elements", ""),
    (BaseExpression, "Set", "elements", ""),
    (CSTNode, "Element", "value", ""),
    (CSTNode, "StarredElement", "value", ""),
    (BaseExpression, "Dict", "elements", ""),
    (CSTNode, "DictElement", "key value", ""),
    (CSTNode, "StarredDictElement", "value", ""),
    (BaseComp, "ListComp", "elt for_in", ""),
    (BaseComp, "SetComp", "elt for_in", ""),
    (BaseComp, "GeneratorExp", "elt for_in", ""),
    (BaseComp, "DictComp", "key value for_in", ""),
    (CSTNode, "CompFor", "asynchronous target iter ifs inner_for_in", ""),
    (CSTNode, "CompIf", "test", ""),
    (BaseExpression, "Ellipsis", "", ""),
    (BaseNumber, "Integer", "", "value"),
    (BaseNumber, "Float", "", "value"),
    (BaseNumber, "Imaginary", "", "value"),
    (BaseString, "SimpleString", "", "value"),
    (BaseString, "ConcatenatedString", "left right", ""),
    (BaseString, "FormattedString", "parts", "start end"),
    (CSTNode, "FormattedStringText", "", "value"),
    (CSTNode, "FormattedStringExpression", "expression format_spec", "conversion"),
    # statements
    (BaseStatement, "SimpleStatementLine", "body", ""),
    (BaseSuite, "SimpleStatementSuite", "body", ""),
    (BaseSuite, "IndentedBlock", "body", ""),
    (BaseSmallStatement, "Expr", "value", ""),
    (BaseSmallStatement, "Assign", "targets value", ""),
    (CSTNode, "AssignTarget", "target", ""),
    (BaseSmallStatement, "AnnAssign", "target annotation value", ""),
    (CSTNode, "Annotation", "annotation", ""),
    (BaseSmallStatement, "AugAssign", "target operator value", ""),
    (BaseSmallStatement, "Return", "value", ""),
    (BaseSmallStatement, "Raise", "exc cause", ""),
    (BaseSmallStatement, "Assert", "test msg", ""),
    (BaseSmallStatement, "Del", "target", ""),
    (BaseSmallStatement, "Pass", "", ""),
    (BaseSmallStatement, "Break", "", ""),
    (BaseSmallStatement, "Continue", "", ""),
    (BaseSmallStatement, "Global", "names", ""),
    (BaseSmallStatement, "Nonlocal", "names", ""),
    (CSTNode, "NameItem", "name", ""),
    (BaseSmallStatement, "Import", "names", ""),
    (BaseSmallStatement, "ImportFrom", "module names", "relative"),
    (CSTNode, "ImportAlias", "name asname", ""),
    (CSTNode, "AsName", "name", ""),
    (CSTNode, "ImportStar", "", ""),
    (BaseCompoundStatement, "FunctionDef", "decorators asynchronous name params returns body", ""),
    (CSTNode, "Decorator", "decorator", ""),
    (CSTNode, "Parameters", "posonly_params params star_arg kwonly_params star_kwarg", ""),
    (CSTNode, "Param", "name annotation default", "star"),
    (CSTNode, "ParamStar", "", ""),
    (BaseCompoundStatement, "ClassDef", "decorators name bases keywords body", ""),
    (BaseCompoundStatement, "If", "test body orelse", ""),
    (CSTNode, "Else", "body", ""),
    (BaseCompoundStatement, "For", "asynchronous target iter body orelse", ""),
    (BaseCompoundStatement, "While", "test body orelse", ""),
    (BaseCompoundStatement, "Try", "body handlers orelse finalbody", ""),
    (BaseCompoundStatement, "TryStar", "body handlers orelse finalbody", ""),
    (CSTNode, "ExceptHandler", "type name body", ""),
    (CSTNode, "ExceptStarHandler", "type name body", ""),
    (CSTNode, "Finally", "body", ""),
    (BaseCompoundStatement, "With", "asynchronous items body", ""),
    (CSTNode, "WithItem", "item asname", ""),
    (BaseCompoundStatement, "Match", "subject cases", ""),
    (CSTNode, "MatchCase", "pattern guard body", ""),
    (BasePattern, "MatchValue", "value", ""),
    (BasePattern, "MatchSingleton", "value", ""),
    (BasePattern, "MatchAs", "pattern name", ""),
    (BasePattern, "MatchStar", "name", ""),
    (BasePattern, "MatchOr", "patterns", ""),
    (CSTNode, "MatchOrElement", "pattern", ""),
    (BasePattern, "MatchList", "patterns", ""),
    (BasePattern, "MatchTuple", "patterns", ""),
    (CSTNode, "MatchSequenceElement", "value", ""),
    (BasePattern, "MatchMapping", "elements rest", ""),
    (CSTNode, "MatchMappingElement", "key pattern", ""),
    (BasePattern, "MatchClass", "cls patterns kwds", ""),
    (CSTNode, "MatchKeywordElement", "key pattern", ""),
)
for _base, _name, _fields_, _extra in _SPECS:
    _define(_name, _base, _fields_, _extra)

# operators and ``async``: no fields and no range, one shared node each
OPERATORS = (
    "Add Subtract Multiply Divide FloorDivide Modulo Power LeftShift RightShift BitOr BitAnd BitXor "
    "MatrixMultiply And Or Not Minus Plus BitInvert Equal NotEqual LessThan LessThanEqual GreaterThan "
    "GreaterThanEqual In NotIn Is IsNot AddAssign SubtractAssign MultiplyAssign DivideAssign "
    "FloorDivideAssign ModuloAssign PowerAssign LeftShiftAssign RightShiftAssign BitOrAssign "
    "BitAndAssign BitXorAssign MatrixMultiplyAssign"
).split()
for _name in OPERATORS:
    _define(_name, BaseOp)
_define("Asynchronous", CSTNode)
_define("Dot", CSTNode)
SHARED = {name: globals()[name](NO_RANGE) for name in (*OPERATORS, "Asynchronous", "Dot")}

# ``ast``'s operator classes -> the shared nodes
_BIN = {ast.Add: "Add", ast.Sub: "Subtract", ast.Mult: "Multiply", ast.Div: "Divide",
        ast.FloorDiv: "FloorDivide", ast.Mod: "Modulo", ast.Pow: "Power", ast.LShift: "LeftShift",
        ast.RShift: "RightShift", ast.BitOr: "BitOr", ast.BitAnd: "BitAnd", ast.BitXor: "BitXor",
        ast.MatMult: "MatrixMultiply"}
BINARY = {k: SHARED[v] for k, v in _BIN.items()}
AUGMENTED = {k: SHARED[v + "Assign"] for k, v in _BIN.items()}
BOOLEAN = {ast.And: SHARED["And"], ast.Or: SHARED["Or"]}
UNARY = {ast.Not: SHARED["Not"], ast.USub: SHARED["Minus"], ast.UAdd: SHARED["Plus"],
          ast.Invert: SHARED["BitInvert"]}
_CMP = {ast.Eq: "Equal", ast.NotEq: "NotEqual", ast.Lt: "LessThan", ast.LtE: "LessThanEqual",
        ast.Gt: "GreaterThan", ast.GtE: "GreaterThanEqual", ast.In: "In", ast.NotIn: "NotIn",
        ast.Is: "Is", ast.IsNot: "IsNot"}
COMPARISON = {k: SHARED[v] for k, v in _CMP.items()}


def _module_code_for_node(self: Any, node: CSTNode) -> str:
    """The source text of a node (its range; libcst regenerates the same text, less
    any parentheses around it)."""
    line, col, eline, ecol = node._p
    if line == 0:
        return ""
    starts = self.starts  # of each line in ``code``, as the builder counted them
    return self.code[starts[line - 1] + col: starts[eline - 1] + ecol]


def _evaluated(self: Any) -> Any:
    """The literal's value, as libcst's ``evaluated_value`` gives it."""
    import ast

    return ast.literal_eval(self.value)


Module.code_for_node = _module_code_for_node  # type: ignore[name-defined]  # noqa: F821
for _cls in (SimpleString, Integer, Float, Imaginary):  # type: ignore[name-defined]  # noqa: F821
    _cls.evaluated_value = property(_evaluated)


# -- visiting ------------------------------------------------------------------------------


class CSTVisitor:
    """libcst's visitor protocol: ``visit_<Node>`` (return False to skip the children) and
    ``leave_<Node>``, or ``on_visit``/``on_leave`` for every node."""

    def on_visit(self, node: CSTNode) -> bool:
        visit = getattr(self, "visit_" + type(node).__name__, None)
        return visit is None or visit(node) is not False

    def on_leave(self, node: CSTNode) -> None:
        leave = getattr(self, "leave_" + type(node).__name__, None)
        if leave is not None:
            leave(node)


def walk(node: CSTNode, visitor: CSTVisitor) -> None:
    """Call the visitor's callbacks on ``node`` and every node below it, in libcst's order."""
    kind = type(visitor)
    if kind.on_visit is not CSTVisitor.on_visit or kind.on_leave is not CSTVisitor.on_leave:
        _walk_generic(node, visitor)
        return
    table: dict[type, tuple[Any, Any, tuple[str, ...]]] = {}

    def go(node: CSTNode) -> None:
        cls = type(node)
        entry = table.get(cls)
        if entry is None:
            entry = table[cls] = (getattr(visitor, "visit_" + cls.__name__, None),
                                  getattr(visitor, "leave_" + cls.__name__, None), cls._fields)
        visit, leave, fields = entry
        if visit is None or visit(node) is not False:
            for name in fields:
                value = getattr(node, name)
                if type(value) is list:
                    for item in value:
                        go(item)
                elif value is not None:
                    go(value)
        if leave is not None:
            leave(node)

    go(node)


def _walk_generic(node: CSTNode, visitor: CSTVisitor) -> None:
    if visitor.on_visit(node):
        for child in node.children:
            _walk_generic(child, visitor)
    visitor.on_leave(node)


def iter_nodes(node: CSTNode):  # noqa: ANN201
    """Every node below ``node`` and itself, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))
