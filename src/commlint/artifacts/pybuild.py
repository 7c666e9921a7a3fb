"""Build ``pynodes`` trees (libcst's shape) from CPython's ``ast``.

``ast`` gives every expression and statement with its range (UTF-8 columns, converted here to
characters); what it does not keep is read from the source text: the pieces of an implicitly
concatenated string and the parts of an f-string (``pystrings``), ``elif``, one-line suites and
``a; b`` lines, the position of a keyword (``else``, ``for`` in a comprehension, ``as``), and the
parentheses libcst leaves outside a tuple's range. Statements are in ``pystmts``.
"""

from __future__ import annotations

import ast
import contextlib
import re
import sys
import warnings
from typing import Any

from . import pynodes as N
from .pystmts import Statements
from .pystrings import Strings

_LINE_BREAK = re.compile(r"\r\n?|\n")
# what may stand between two tokens: spaces, line continuations, comments, line breaks
_GAP = re.compile(r"(?:[ \t\f\r\n]|\\\r?\n|#[^\r\n]*)*")
_CLOSE_ONE = re.compile(r"(?:[ \t\f\r\n]|\\\r?\n|#[^\r\n]*)*\)")
_CLOSE = re.compile(r"(?:(?:[ \t\f\r\n]|\\\r?\n|#[^\r\n]*)*\))+")
_WORD = re.compile(r"\w+")

_BINOP, _AUGOP, _BOOLOP, _UNARY, _CMPOP = N.BINARY, N.AUGMENTED, N.BOOLEAN, N.UNARY, N.COMPARISON
ASYNC = N.SHARED["Asynchronous"]


class _Builder(Statements, Strings):
    """One file's conversion. Offsets are character offsets in ``text``; ``shift`` places a
    field of an f-string, parsed on its own, back in its file."""

    def __init__(self, text: str, shift: tuple[int, int] | None = None):
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.ascii = text.isascii()
        self.shift = shift
        self._bytes: dict[int, bytes] = {}
        self._parens: dict[int, bool] = {}  # id of an ast node (alive while the tree is) -> own_parens

    # -- positions -------------------------------------------------------------------------
    def col(self, line: int, col: int) -> int:
        """A column of ``ast`` (UTF-8 bytes) as characters."""
        if self.ascii:
            return col
        raw = self._bytes.get(line)
        if raw is None:
            start = self.starts[line - 1]
            end = self.starts[line] if line < len(self.starts) else len(self.text)
            raw = self._bytes[line] = self.text[start:end].encode("utf-8", "surrogatepass")
        return len(raw[:col].decode("utf-8", "replace")) if col else 0

    def off(self, node: Any) -> int:
        return self.starts[node.lineno - 1] + self.col(node.lineno, node.col_offset)

    def end(self, node: Any) -> int:
        return self.starts[node.end_lineno - 1] + self.col(node.end_lineno, node.end_col_offset)

    def lc(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1]

    def p(self, start: int, end: int) -> tuple[int, int, int, int]:
        """The range of character offsets ``start``-``end``."""
        line, col = self.lc(start)
        eline, ecol = self.lc(end)
        if self.shift is not None:
            return self._shifted(line, col, eline, ecol)
        return line, col, eline, ecol

    def pn(self, node: Any) -> tuple[int, int, int, int]:
        """The range ``ast`` gives a node."""
        line, eline = node.lineno, node.end_lineno
        col, ecol = self.col(line, node.col_offset), self.col(eline, node.end_col_offset)
        if self.shift is not None:
            return self._shifted(line, col, eline, ecol)
        return line, col, eline, ecol

    def _shifted(self, line: int, col: int, eline: int, ecol: int) -> tuple[int, int, int, int]:
        base_line, base_col = self.shift  # type: ignore[misc]
        # the field was parsed as "(" + text: its first line is one character to the right
        return (base_line + line - 1, base_col + col - 1 if line == 1 else col,
                base_line + eline - 1, base_col + ecol - 1 if eline == 1 else ecol)

    def skip(self, offset: int) -> int:
        """The offset of the next token at or after ``offset``."""
        return _GAP.match(self.text, offset).end()

    def closed(self, offset: int) -> int:
        """``offset`` past the closing parentheses that follow it."""
        m = _CLOSE.match(self.text, offset)
        return m.end() if m else offset

    def name_at(self, offset: int) -> N.CSTNode:
        """The Name (an identifier) that starts at the next token from ``offset``."""
        start = self.skip(offset)
        m = _WORD.match(self.text, start)
        end = m.end() if m else start
        return N.Name(self.p(start, end), self.text[start:end])

    def after_word(self, offset: int, word: str) -> int:
        """The offset just past ``word``, the next token at or after ``offset``."""
        start = self.skip(offset)
        return start + len(word) if self.text.startswith(word, start) else start

    # -- expressions -------------------------------------------------------------------------
    def expr(self, node: Any) -> Any:
        return _EXPR[type(node)](self, node)

    def opt(self, node: Any) -> Any:
        return None if node is None else _EXPR[type(node)](self, node)

    def x_Name(self, node: ast.Name) -> Any:
        return N.Name(self.pn(node), node.id)

    def x_Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, (str, bytes)):
            return self.string(self.off(node), self.end(node))
        start, end = self.off(node), self.end(node)
        text = self.text[start:end]
        if value is None or value is True or value is False:
            return N.Name(self.p(start, end), text)
        if value is Ellipsis:
            return N.Ellipsis(self.p(start, end))
        cls = N.Integer if isinstance(value, int) else N.Float if isinstance(value, float) else N.Imaginary
        return cls(self.p(start, end), text)

    def x_JoinedStr(self, node: ast.JoinedStr) -> Any:
        return self.string(self.off(node), self.end(node))

    def x_Attribute(self, node: ast.Attribute) -> Any:
        end = self.end(node)
        attr = N.Name(self.p(end - len(node.attr), end), node.attr)
        return N.Attribute(self.pn(node), self.expr(node.value), attr)

    def x_Call(self, node: ast.Call) -> Any:
        outer = (self.skip(self.closed(self.end(node.func))), self.end(node) - 1)
        return N.Call(self.pn(node), self.expr(node.func), self.call_args(node.args, node.keywords, outer))

    def call_args(self, args: list[Any], keywords: list[Any], outer: tuple[int, int] | None) -> list[Any]:
        """Arguments in source order, each with the parentheses around its value (libcst's
        ``Arg`` holds them), not those of the call."""
        found = [(self.off(a), a) for a in (*args, *keywords)]
        if keywords and args:
            found.sort(key=lambda item: item[0])
        out = []
        for start, a in found:
            if isinstance(a, ast.keyword):
                value = self.expr(a.value)
                if a.arg is None:
                    out.append(N.Arg(self.pn(a), None, value, "**"))
                    continue
                end = self.wrapped(self.off(a.value), self.end(a.value), outer)[1]
                out.append(N.Arg(self.p(start, end), self.name_at(start), value, ""))
            elif isinstance(a, ast.Starred):
                out.append(N.Arg(self.pn(a), None, self.expr(a.value), "*"))
            else:
                out.append(N.Arg(self.p(*self.wrapped(*self.bounds(a), outer)), None, self.expr(a), ""))
        return out

    def bounds(self, node: Any) -> tuple[int, int]:
        """A node's offsets, without the parentheses ``ast`` counts in a tuple or generator."""
        start, end = self.off(node), self.end(node)
        if not (isinstance(node, (ast.Tuple, ast.GeneratorExp)) and self.own_parens(node)):
            return start, end
        close = end - 1  # libcst leaves out the parentheses and the space inside them
        if isinstance(node, ast.Tuple):
            if not node.elts:
                return start + 1, start + 1
            tail = node.elts[-1]
        else:
            gen = node.generators[-1]
            tail = gen.ifs[-1] if gen.ifs else gen.iter
        k = self.end(tail)
        while (m := _CLOSE_ONE.match(self.text, k)) is not None and m.end() <= close:
            k = m.end()
        after = self.skip(k)
        if after < close and self.text[after] == ",":
            k = after + 1
        return self.skip(start + 1), k

    def wrap(self, node: Any) -> tuple[int, int]:
        """A node's offsets with the parentheses around it."""
        return self.wrapped(*self.bounds(node))

    def wrapped(self, start: int, end: int, outer: tuple[int, int] | None = None) -> tuple[int, int]:
        """``start``-``end`` widened over the parentheses around it, short of ``outer``: the
        offsets of the brackets of the call or tuple it is in."""
        text = self.text
        stop_open, stop_close = outer if outer is not None else (-1, -1)
        opens = []
        i = start
        while True:
            j = self.back(i)
            if j < 0 or text[j] != "(" or j == stop_open:
                break
            opens.append(j)
            i = j
        closes = []
        k = end
        while len(closes) < len(opens) and (m := _CLOSE_ONE.match(text, k)) is not None and m.end() - 1 != stop_close:
            k = m.end()
            closes.append(k)
        if not closes:
            return start, end
        return opens[len(closes) - 1], closes[-1]

    def back(self, i: int) -> int:
        """The offset of the last character before ``i`` that is not space, a line break or a comment."""
        text = self.text
        j = i - 1
        while j >= 0:
            c = text[j]
            if c in " \t\f\\\r":
                j -= 1
            elif c == "\n":
                start = text.rfind("\n", 0, j) + 1
                hash_at = _comment_at(text, start, j)
                j = hash_at - 1 if hash_at >= 0 else j - 1
            else:
                return j
        return -1

    def elements(self, elts: list[Any], outer: tuple[int, int] | None = None) -> list[Any]:
        return [N.StarredElement(self.pn(e), self.expr(e.value)) if isinstance(e, ast.Starred)
                else N.Element(self.p(*self.wrapped(*self.bounds(e), outer)), self.expr(e)) for e in elts]

    def x_Subscript(self, node: ast.Subscript) -> Any:
        s = node.slice
        items = s.elts if isinstance(s, ast.Tuple) and not self.own_parens(s) else [s]
        elements = []
        for item in items:
            inner = self.x_Slice(item) if isinstance(item, ast.Slice) else \
                N.Index(self.pn(item) if isinstance(item, ast.Starred) else self.p(*self.wrap(item)),
                        self.expr(item.value if isinstance(item, ast.Starred) else item),
                        "*" if isinstance(item, ast.Starred) else None)
            elements.append(N.SubscriptElement(inner._p, inner))
        return N.Subscript(self.pn(node), self.expr(node.value), elements)

    def x_Slice(self, node: ast.Slice) -> Any:
        return N.Slice(self.pn(node), self.opt(node.lower), self.opt(node.upper), self.opt(node.step))

    def x_BinOp(self, node: ast.BinOp) -> Any:
        return N.BinaryOperation(self.pn(node), self.expr(node.left), _BINOP[type(node.op)], self.expr(node.right))

    def x_BoolOp(self, node: ast.BoolOp) -> Any:
        op = _BOOLOP[type(node.op)]
        values = node.values
        start = self.off(node)
        left = self.expr(values[0])
        for i, value in enumerate(values[1:], 1):
            end = self.end(node) if i == len(values) - 1 else self.closed(self.end(value))
            left = N.BooleanOperation(self.p(start, end), left, op, self.expr(value))
        return left

    def x_UnaryOp(self, node: ast.UnaryOp) -> Any:
        return N.UnaryOperation(self.pn(node), _UNARY[type(node.op)], self.expr(node.operand))

    def x_Compare(self, node: ast.Compare) -> Any:
        targets = []
        prev = node.left
        for op, comparator in zip(node.ops, node.comparators):
            start = self.closed(self.end(prev))  # libcst's target holds the space before the operator
            targets.append(N.ComparisonTarget(self.p(start, self.wrap(comparator)[1]), _CMPOP[type(op)],
                                              self.expr(comparator)))
            prev = comparator
        return N.Comparison(self.pn(node), self.expr(node.left), targets)

    def x_IfExp(self, node: ast.IfExp) -> Any:
        return N.IfExp(self.pn(node), self.expr(node.body), self.expr(node.test), self.expr(node.orelse))

    def x_Lambda(self, node: ast.Lambda) -> Any:
        return N.Lambda(self.pn(node), self.parameters(node.args, self.off(node) + len("lambda")),
                        self.expr(node.body))

    def x_Await(self, node: ast.Await) -> Any:
        return N.Await(self.pn(node), self.expr(node.value))

    def x_Yield(self, node: ast.Yield) -> Any:
        return N.Yield(self.pn(node), self.opt(node.value))

    def x_YieldFrom(self, node: ast.YieldFrom) -> Any:
        start = self.after_word(self.after_word(self.off(node), "yield"), "from")
        item = self.expr(node.value)
        return N.Yield(self.pn(node), N.From(self.p(start - 4, self.end(node.value)), item))

    def x_NamedExpr(self, node: ast.NamedExpr) -> Any:
        return N.NamedExpr(self.pn(node), self.expr(node.target), self.expr(node.value))

    def x_Starred(self, node: ast.Starred) -> Any:  # a target: ``a, *b = c``
        return N.StarredElement(self.pn(node), self.expr(node.value))

    def x_Tuple(self, node: ast.Tuple) -> Any:
        outer = (self.off(node), self.end(node) - 1) if self.own_parens(node) else None
        return N.Tuple(self.range(node), self.elements(node.elts, outer))

    def x_List(self, node: ast.List) -> Any:
        return N.List(self.pn(node), self.elements(node.elts))

    def x_Set(self, node: ast.Set) -> Any:
        return N.Set(self.pn(node), self.elements(node.elts))

    def x_Dict(self, node: ast.Dict) -> Any:
        elements = []
        for key, value in zip(node.keys, node.values):
            if key is None:
                start = self.text.rindex("**", 0, self.off(value))
                elements.append(N.StarredDictElement(self.p(start, self.wrap(value)[1]), self.expr(value)))
            else:
                elements.append(N.DictElement(self.p(self.wrap(key)[0], self.wrap(value)[1]),
                                              self.expr(key), self.expr(value)))
        return N.Dict(self.pn(node), elements)

    def comp_for(self, generators: list[Any], after: int) -> Any:
        """libcst's chain of ``for`` clauses, each holding the next; ``after``: where the element ends."""
        first: Any = None
        previous: Any = None
        for gen in generators:
            start = self.closed(after)  # with the space before "for", as libcst has it
            ifs = []
            last = gen.iter
            for test in gen.ifs:
                at = self.closed(self.end(last))
                ifs.append(N.CompIf(self.p(at, self.wrap(test)[1]), self.expr(test)))
                last = test
            clause = N.CompFor(None, ASYNC if gen.is_async else None, self.expr(gen.target),
                               self.expr(gen.iter), ifs, None)
            clause._p = (start, self.wrap(last)[1])  # completed below, once the clauses inside are known
            if previous is None:
                first = clause
            else:
                previous.inner_for_in = clause
            previous, after = clause, self.end(last)
        clause = first
        chain = []
        while clause is not None:
            chain.append(clause)
            clause = clause.inner_for_in
        end = chain[-1]._p[1]
        for clause in chain:
            clause._p = self.p(clause._p[0], end)
        return first

    def x_ListComp(self, node: ast.ListComp) -> Any:
        return N.ListComp(self.pn(node), self.expr(node.elt), self.comp_for(node.generators, self.end(node.elt)))

    def x_SetComp(self, node: ast.SetComp) -> Any:
        return N.SetComp(self.pn(node), self.expr(node.elt), self.comp_for(node.generators, self.end(node.elt)))

    def x_GeneratorExp(self, node: ast.GeneratorExp) -> Any:
        return N.GeneratorExp(self.range(node), self.expr(node.elt),
                              self.comp_for(node.generators, self.end(node.elt)))

    def x_DictComp(self, node: ast.DictComp) -> Any:
        return N.DictComp(self.pn(node), self.expr(node.key), self.expr(node.value),
                          self.comp_for(node.generators, self.end(node.value)))

    def x_FormattedValue(self, node: Any) -> Any:  # never reached: f-strings are read from the text
        raise ValueError("an f-string field outside an f-string")

    # -- parentheses ----------------------------------------------------------------------------
    def range(self, node: Any) -> tuple[int, int, int, int]:
        return self.p(*self.bounds(node))

    def own_parens(self, node: Any) -> bool:
        """Whether the node's text is wrapped in one pair of parentheses of its own (asked of a
        tuple by itself, its parent and its elements: answered once, as it scans the tuple)."""
        known = self._parens.get(id(node))
        if known is None:
            start, end = self.off(node), self.end(node)
            text = self.text
            known = text[start] == "(" and text[end - 1] == ")" and self.matching(start) == end - 1
            self._parens[id(node)] = known
        return known

    def matching(self, start: int) -> int:
        """The offset of the bracket that closes the one at ``start`` (strings and comments skipped)."""
        depth = 0
        text = self.text
        for m in _BRACKETS.finditer(text, start):
            token = m.group()
            if token in "([{":
                depth += 1
            elif token in ")]}":
                depth -= 1
                if depth == 0:
                    return m.start()
        return -1


_BRACKETS = re.compile(
    r"""[()\[\]{}]|\#[^\r\n]*|(?i:[rbuf]{0,2})(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""",
    re.DOTALL,
)

def _comment_at(text: str, start: int, end: int) -> int:
    """Where the comment on the line ``start``-``end`` begins, or -1."""
    if "#" not in text[start:end]:
        return -1
    for m in _BRACKETS.finditer(text, start, end):
        if m.group().startswith("#"):
            return m.start()
    return -1


_EXPR: dict[type, Any] = {}
for _name in dir(_Builder):
    if _name.startswith("x_"):
        _EXPR[getattr(ast, _name[2:])] = getattr(_Builder, _name)


@contextlib.contextmanager
def deep_recursion():  # noqa: ANN201
    """Room for the conversion's recursion: a tree CPython accepts (nesting up to its own limit
    of about 200 brackets) needs a few Python frames per level."""
    limit = sys.getrecursionlimit()
    if limit < 20_000:
        sys.setrecursionlimit(20_000)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def parse_tree(text: str, filename: str = "<unknown>") -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=filename)


def build(text: str, tree: ast.Module) -> N.CSTNode:
    """The ``Module`` for ``text``, from ``tree`` (``ast.parse(text)``)."""
    builder = _Builder(text)
    with deep_recursion():
        body = builder.statements(tree.body)
    return N.Module((1, 0, *builder.lc(len(text))), body, text, builder.starts)


def parse_expression(text: str) -> N.CSTNode:
    """One expression (``libcst.parse_expression``); raises SyntaxError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text.strip(), mode="eval")
    with deep_recursion():
        return _Builder(text.strip()).expr(tree.body)
