"""Statements for ``pybuild``: libcst's lines (``SimpleStatementLine``, several for ``a; b``),
suites (``IndentedBlock``, or ``SimpleStatementSuite`` for ``if x: y``), ``elif`` as a nested
``If``, and ``else``/``finally`` as nodes of their own."""

from __future__ import annotations

import ast
import re
from typing import Any

from . import pynodes as N

_SEMI = re.compile(r"(?:[ \t\f]|\\\r?\n)*;(?:[ \t\f]|\\\r?\n)*")
_KEYWORD_GAP = re.compile(r"(?:[ \t\f\r\n;]|\\\r?\n|#[^\r\n]*)*")
_DOTTED = re.compile(r"\w+(?:(?:[ \t\f]|\\\r?\n)*\.(?:[ \t\f]|\\\r?\n)*\w+)*")
_PART = re.compile(r"\w+")
_DEF_NAME = re.compile(r"(?:async(?:[ \t\f]|\\\r?\n)+)?(?:def|class)(?:[ \t\f]|\\\r?\n)+(\w+)")
_SMALL = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Raise, ast.Assert,
          ast.Delete, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal, ast.Import,
          ast.ImportFrom)


class Statements:
    """The statement part of ``pybuild._Builder``."""

    text: str

    def statements(self, body: list[Any]) -> list[Any]:
        """A module's or a block's statements, small ones gathered into lines."""
        out: list[Any] = []
        line: Any = None
        prev: Any = None
        for stmt in body:
            if isinstance(stmt, _SMALL):
                node = self.small(stmt)
                if line is not None and self.same_line(prev, stmt):
                    line.body.append(node)
                    line._p = (*line._p[:2], *node._p[2:])
                else:
                    line = N.SimpleStatementLine(node._p, [node])
                    out.append(line)
            else:
                line = None
                out.append(self.compound(stmt))
            prev = stmt
        return out

    def same_line(self, prev: Any, stmt: Any) -> bool:
        m = _SEMI.match(self.text, self.end(prev))
        return m is not None and m.end() == self.off(stmt)

    def suite(self, body: list[Any]) -> Any:
        first = body[0]
        line_start = self.starts[first.lineno - 1]
        start = self.off(first)
        p = self.p(start, self.end(body[-1]))
        if self.text[line_start:start].strip():  # ``if x: y``: on the header's line
            return N.SimpleStatementSuite(p, [self.small(s) for s in body])
        return N.IndentedBlock(p, self.statements(body))

    def keyword_before(self, after: Any, body: list[Any], cls: type) -> Any:
        """``else:``/``finally:`` and their suite, the keyword being the next token after ``after``."""
        start = _KEYWORD_GAP.match(self.text, self.end(after)).end()
        return cls(self.p(start, self.end(body[-1])), self.suite(body))

    def orelse(self, node: Any, after: Any) -> Any:
        if not node.orelse:
            return None
        return self.keyword_before(after, node.orelse, N.Else)

    # -- compound statements -----------------------------------------------------------------
    def compound(self, node: Any) -> Any:
        built = getattr(self, "s_" + type(node).__name__)(node)
        last = built.children[-1]  # ``ast`` ends a block at a trailing ";", libcst before it
        built._p = (*built._p[:2], *last._p[2:])
        return built

    def def_name(self, node: Any) -> Any:
        start = self.off(node)
        m = _DEF_NAME.match(self.text, start)
        begin = m.start(1) if m else start
        return N.Name(self.p(begin, begin + len(node.name)), node.name)

    def decorators(self, node: Any) -> list[Any]:
        out = []
        for dec in node.decorator_list:
            at = self.text.rindex("@", 0, self.off(dec))
            out.append(N.Decorator(self.p(at, self.end(dec)), self.expr(dec)))
        return out

    def s_FunctionDef(self, node: Any, asynchronous: Any = None) -> Any:
        decorators = self.decorators(node)
        name = self.def_name(node)
        params = self.parameters(node.args, self.text.index("(", self.offset_of(name._p[2:])) + 1)
        returns = None if node.returns is None else N.Annotation(self.pn(node.returns), self.expr(node.returns))
        return N.FunctionDef(self.pn(node), decorators, asynchronous, name, params, returns, self.suite(node.body))

    def s_AsyncFunctionDef(self, node: Any) -> Any:
        return self.s_FunctionDef(node, N.SHARED["Asynchronous"])

    def s_ClassDef(self, node: Any) -> Any:
        decorators = self.decorators(node)
        name = self.def_name(node)
        at = self.skip(self.offset_of(name._p[2:]))
        outer = (at, self.matching(at)) if self.text.startswith("(", at) else None
        bases = self.call_args(node.bases, [], outer)
        keywords = self.call_args([], node.keywords, outer)
        return N.ClassDef(self.pn(node), decorators, name, bases, keywords, self.suite(node.body))

    def s_If(self, node: Any) -> Any:
        test, body = self.expr(node.test), self.suite(node.body)
        orelse = None
        if node.orelse:
            first = node.orelse[0]
            if len(node.orelse) == 1 and isinstance(first, ast.If) and self.text.startswith("elif", self.off(first)):
                orelse = self.s_If(first)
            else:
                orelse = self.orelse(node, node.body[-1])
        return N.If(self.pn(node), test, body, orelse)

    def s_For(self, node: Any, asynchronous: Any = None) -> Any:
        target, iter_, body = self.expr(node.target), self.expr(node.iter), self.suite(node.body)
        return N.For(self.pn(node), asynchronous, target, iter_, body, self.orelse(node, node.body[-1]))

    def s_AsyncFor(self, node: Any) -> Any:
        return self.s_For(node, N.SHARED["Asynchronous"])

    def s_While(self, node: Any) -> Any:
        test, body = self.expr(node.test), self.suite(node.body)
        return N.While(self.pn(node), test, body, self.orelse(node, node.body[-1]))

    def s_Try(self, node: Any, cls: type = N.Try, handler: type = N.ExceptHandler) -> Any:
        body = self.suite(node.body)
        handlers = []
        for h in node.handlers:
            type_ = self.opt(h.type)
            name = None
            if h.name is not None:
                name = self.as_name(self.end(h.type), None, h.name)
            handlers.append(handler(self.pn(h), type_, name, self.suite(h.body)))
        last = node.handlers[-1] if node.handlers else node.body[-1]
        orelse = self.orelse(node, last)
        if node.orelse:
            last = node.orelse[-1]
        final = self.keyword_before(last, node.finalbody, N.Finally) if node.finalbody else None
        return cls(self.pn(node), body, handlers, orelse, final)

    def s_TryStar(self, node: Any) -> Any:
        return self.s_Try(node, N.TryStar, N.ExceptStarHandler)

    def as_name(self, after: int, target: Any, name: str | None = None) -> Any:
        """``as x`` after the offset ``after``: an expression ``target``, or an identifier ``name``."""
        start = self.closed(after)  # libcst's AsName holds the space before "as"
        if target is not None:
            return N.AsName(self.p(start, self.end(target)), self.expr(target))
        at = self.skip(self.after_word(start, "as"))
        node = N.Name(self.p(at, at + len(name or "")), name)
        return N.AsName(self.p(start, at + len(name or "")), node)

    def offset_of(self, line_col: tuple[int, int]) -> int:
        return self.starts[line_col[0] - 1] + line_col[1]

    def s_With(self, node: Any, asynchronous: Any = None) -> Any:
        items = []
        for item in node.items:
            value = self.expr(item.context_expr)
            asname = None
            end = self.end(item.context_expr)
            if item.optional_vars is not None:
                asname = self.as_name(end, item.optional_vars)
                end = self.end(item.optional_vars)
            items.append(N.WithItem(self.p(self.off(item.context_expr), end), value, asname))
        return N.With(self.pn(node), asynchronous, items, self.suite(node.body))

    def s_AsyncWith(self, node: Any) -> Any:
        return self.s_With(node, N.SHARED["Asynchronous"])

    def s_Match(self, node: Any) -> Any:
        cases = []
        for case in node.cases:
            start = self.text.rindex("case", 0, self.off(case.pattern))
            cases.append(N.MatchCase(self.p(start, self.end(case.body[-1])), self.pattern(case.pattern),
                                     self.opt(case.guard), self.suite(case.body)))
        return N.Match(self.pn(node), self.expr(node.subject), cases)

    def with_comma(self, end: int) -> int:
        """``end`` past a comma that follows and the space after it (libcst's sequence patterns)."""
        after = self.skip(end)
        return self.skip(after + 1) if self.text.startswith(",", after) else end

    def pattern(self, node: Any) -> Any:
        p = self.pn(node)
        if isinstance(node, ast.MatchValue):
            return N.MatchValue(p, self.expr(node.value))
        if isinstance(node, ast.MatchSingleton):
            return N.MatchSingleton(p, N.Name(p, repr(node.value)))
        if isinstance(node, ast.MatchAs):
            name = None if node.name is None else N.Name(self.p(self.end(node) - len(node.name), self.end(node)), node.name)
            return N.MatchAs(p, self.pattern(node.pattern) if node.pattern is not None else None, name)
        if isinstance(node, ast.MatchStar):
            name = None if node.name is None else N.Name(self.p(self.end(node) - len(node.name), self.end(node)), node.name)
            return N.MatchStar(p, name)
        if isinstance(node, ast.MatchOr):
            return N.MatchOr(p, [N.MatchOrElement(self.pn(q), self.pattern(q)) for q in node.patterns])
        if isinstance(node, ast.MatchSequence):
            cls = N.MatchList if self.text[self.off(node)] == "[" else N.MatchTuple
            return cls(p, [self.pattern(q) if isinstance(q, ast.MatchStar)
                           else N.MatchSequenceElement(self.p(self.off(q), self.with_comma(self.end(q))), self.pattern(q))
                           for q in node.patterns])
        if isinstance(node, ast.MatchMapping):
            elements = [N.MatchMappingElement(self.p(self.off(k), self.end(q)), self.expr(k), self.pattern(q))
                        for k, q in zip(node.keys, node.patterns)]
            rest = None if node.rest is None else N.Name(self.p(self.end(node) - 1 - len(node.rest), self.end(node) - 1), node.rest)
            return N.MatchMapping(p, elements, rest)
        if isinstance(node, ast.MatchClass):
            patterns = [N.MatchSequenceElement(self.pn(q), self.pattern(q)) for q in node.patterns]
            kwds = []
            for key, q in zip(node.kwd_attrs, node.kwd_patterns):
                name = self.name_at(self.text.rindex(key, 0, self.off(q)))
                kwds.append(N.MatchKeywordElement(self.p(self.offset_of(name._p[:2]), self.end(q)), name, self.pattern(q)))
            return N.MatchClass(p, self.expr(node.cls), patterns, kwds)
        raise ValueError(f"unknown pattern {type(node).__name__}")

    # -- small statements --------------------------------------------------------------------
    def small(self, node: Any) -> Any:
        return getattr(self, "s_" + type(node).__name__)(node)

    def s_Expr(self, node: Any) -> Any:
        return N.Expr(self.pn(node), self.expr(node.value))

    def s_Assign(self, node: Any) -> Any:
        targets = [N.AssignTarget(self.p(*self.wrap(t)), self.expr(t)) for t in node.targets]
        return N.Assign(self.pn(node), targets, self.expr(node.value))

    def s_AnnAssign(self, node: Any) -> Any:
        return N.AnnAssign(self.pn(node), self.expr(node.target),
                           N.Annotation(self.pn(node.annotation), self.expr(node.annotation)), self.opt(node.value))

    def s_AugAssign(self, node: Any) -> Any:
        return N.AugAssign(self.pn(node), self.expr(node.target), N.AUGMENTED[type(node.op)], self.expr(node.value))

    def s_Return(self, node: Any) -> Any:
        return N.Return(self.pn(node), self.opt(node.value))

    def s_Raise(self, node: Any) -> Any:
        cause = None
        if node.cause is not None:
            start = self.skip(self.closed(self.end(node.exc)))
            cause = N.From(self.p(start, self.end(node.cause)), self.expr(node.cause))
        return N.Raise(self.pn(node), self.opt(node.exc), cause)

    def s_Assert(self, node: Any) -> Any:
        return N.Assert(self.pn(node), self.expr(node.test), self.opt(node.msg))

    def s_Delete(self, node: Any) -> Any:
        if len(node.targets) == 1:
            return N.Del(self.pn(node), self.expr(node.targets[0]))
        first, last = node.targets[0], node.targets[-1]
        target = N.Tuple(self.p(self.off(first), self.end(last)), self.elements(node.targets))
        return N.Del(self.pn(node), target)

    def s_Pass(self, node: Any) -> Any:
        return N.Pass(self.pn(node))

    def s_Break(self, node: Any) -> Any:
        return N.Break(self.pn(node))

    def s_Continue(self, node: Any) -> Any:
        return N.Continue(self.pn(node))

    def s_Global(self, node: Any, cls: type = N.Global) -> Any:
        start, end = self.off(node), self.end(node)
        found = list(_PART.finditer(self.text, start, end))[1:]  # the keyword, then the names
        names = [N.NameItem(self.p(m.start(), m.end()), N.Name(self.p(m.start(), m.end()), m.group())) for m in found]
        return cls(self.pn(node), names)

    def s_Nonlocal(self, node: Any) -> Any:
        return self.s_Global(node, N.Nonlocal)

    def dotted_node(self, offset: int) -> Any:
        """``a.b.c`` starting at the next token from ``offset``, as Name/Attribute nodes."""
        start = self.skip(offset)
        m = _DOTTED.match(self.text, start)
        end = m.end() if m else start
        node: Any = None
        for part in _PART.finditer(self.text, start, end):
            name = N.Name(self.p(part.start(), part.end()), part.group())
            node = name if node is None else N.Attribute(self.p(start, part.end()), node, name)
        self.dotted_end = end
        return node

    def alias(self, a: Any) -> Any:
        start, end = self.off(a), self.end(a)
        name = self.dotted_node(start) if a.name != "*" else None
        asname = None
        if a.asname is not None:
            at = self.dotted_end
            asname = N.AsName(self.p(at, end), N.Name(self.p(end - len(a.asname), end), a.asname))
        return N.ImportAlias(self.pn(a), name, asname)

    def s_Import(self, node: Any) -> Any:
        return N.Import(self.pn(node), [self.alias(a) for a in node.names])

    def s_ImportFrom(self, node: Any) -> Any:
        after = self.after_word(self.off(node), "from")
        at = self.skip(after)
        level = node.level
        while level and at < len(self.text) and self.text[at] in ". \t\\\r\n":
            at += 1
        module = self.dotted_node(at) if node.module else None
        if len(node.names) == 1 and node.names[0].name == "*":
            a = node.names[0]
            names: Any = N.ImportStar(self.pn(a))
        else:
            names = [self.alias(a) for a in node.names]
        return N.ImportFrom(self.pn(node), module, names, (N.SHARED["Dot"],) * node.level)

    # -- parameters --------------------------------------------------------------------------
    def param(self, arg: Any, default: Any, star: str) -> Any:
        start = self.off(arg)
        end = start + len(arg.arg)
        name = N.Name(self.p(start, end), arg.arg)
        if star:
            start = self.text.rindex(star, 0, start)
        annotation = None if arg.annotation is None else N.Annotation(self.pn(arg.annotation), self.expr(arg.annotation))
        return N.Param(self.p(start, end), name, annotation, self.opt(default), star)

    def parameters(self, args: ast.arguments, empty_at: int = 0) -> Any:
        positional = [*args.posonlyargs, *args.args]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        made = [self.param(a, d, "") for a, d in zip(positional, defaults)]
        posonly, params = made[: len(args.posonlyargs)], made[len(args.posonlyargs):]
        kwonly = [self.param(a, d, "") for a, d in zip(args.kwonlyargs, args.kw_defaults)]
        star_arg: Any = None
        if args.vararg is not None:
            star_arg = self.param(args.vararg, None, "*")
        elif kwonly:
            at = self.text.rindex("*", 0, self.off(args.kwonlyargs[0]))
            comma = self.skip(at + 1)  # libcst's bare star holds its comma and the space after it
            star_arg = N.ParamStar(self.p(at, self.skip(comma + 1)))
        star_kwarg = None if args.kwarg is None else self.param(args.kwarg, None, "**")
        every = [*posonly, *params, *([star_arg] if star_arg else []), *kwonly, *([star_kwarg] if star_kwarg else [])]
        if not every:  # libcst's empty Parameters sit just inside the parentheses
            return N.Parameters(self.p(empty_at, empty_at), [], [], None, [], None)
        # to the end of the last one's default or annotation, or of its comma
        if args.kwarg is not None:
            last, default = args.kwarg, None
        elif args.kwonlyargs:
            last, default = args.kwonlyargs[-1], args.kw_defaults[-1]
        elif args.vararg is not None:
            last, default = args.vararg, None
        else:
            last, default = positional[-1], defaults[-1]
        tail = default if default is not None else last.annotation
        end = self.wrap(tail)[1] if tail is not None else self.off(last) + len(last.arg)
        if args.posonlyargs and last is args.posonlyargs[-1]:
            end = self.text.index("/", end) + 1  # the "/" that ends them
        end = self.skip(end)  # with the comma and the space before ")", as libcst has it
        if self.text.startswith(",", end):
            end = self.skip(end + 1)
        p = (*every[0]._p[:2], *self.p(end, end)[2:])
        return N.Parameters(p, posonly, params, star_arg, kwonly, star_kwarg)
