"""The analyses' syntax tree (``artifacts/pynodes.py``, built from CPython's ``ast`` by
``pybuild``) is libcst's: the same node classes, fields, order, values and ranges, on every Python
file of this repository and every rule example. libcst is the reference here, and only here."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from commlint.artifacts import pybuild
from commlint.artifacts import pynodes as N
from commlint.artifacts.python import parse
from commlint.core.catalogue import load

from conftest import REPO, normalise

SYNTAX = (
    "async def f(a, /, b=1, *c, d: int = 2, **e) -> X:\n    x = [y async for y in z if y] or (lambda q: q)(1)\n"
    "    match x:\n        case {'k': [1, *rest]} if rest: pass\n    return f'{x!r:>{w}}' if x else 'y' 'z'\n"
    "@dec(1)\nclass C(B, metaclass=M):\n    a: int = 1; b = a @ b\n    del a[1:2, ...], b.c\n"
    "with (open(x) as f, g as h):\n    global q\ntry:\n    raise E from e\nexcept* (A, B) as e:\n    ...\n"
)
TRICKY = (
    "x = ('a'  # one\n     'b' f'{c=}' r'\\d', rb'\\d' b'')\nif a: b(); c()\nelif d:\n    pass\nelse:  # e\n    pass\n"
    "s = 'é' + f(ünï=1, *(z), **{'k': (v)})\nt = (  # c\n    1,\n    2,\n)\ny = [(i, j) for i in (a) if (i) for j in b]\n"
    "def g(p, q=(1), *, r, **s,\n      ):\n    return (yield from h()) is not None\n"
    "import a.b as c, d\nfrom ..e import (f as g, h)\nfrom . import *\nwhile x: pass\nelse: x = 2;\n"
    "z = f'{a!r}{b:{c}.{d}}{{e}}\\N{BULLET}{f\"{g}\"}' f'''{\n  h +\n  i}'''\n"
)


ODD = (  # tabs, a form feed, characters outside the BMP, async forms, the rest of the statements
    "def f():\n\tif x:\n\t\treturn g(1,\n\t\t\t2)\n\x0c\nclass C: pass\n"
    "s = '\U0001F600' + h(\u00e9=1)  # \U0001F600\nt = f'\U0001F600{x!r}' 'b'\nu = x \\\n    + y\n"
    "async def f():\n    async with a as (b, c):\n        pass\n    async for x in y:\n        await z\n"
    "    return [i async for i in j]\nlambda *a, **k: 0\nlambda: 0\ndel a, b\nassert x, 'm'\nglobal g, h\n"
    "try:\n    pass\nexcept (A, B):\n    pass\nelse:\n    pass\nfinally:\n    pass\n"
    "def g():\n    w = (yield)\n    v = yield from q\n    x = f'{a:{b}}' f'{c!s:>10}' f'{{}}' f'{d=}' f'{e = }'\n"
)


def _python_sources() -> list[tuple[str, str]]:
    out = [(str(p.relative_to(REPO)), p.read_text(encoding="utf-8"))
           for p in sorted((REPO / "src").rglob("*.py")) + sorted((REPO / "tests").rglob("*.py"))]
    for rule in load().rules:
        for i, ex in enumerate(rule.examples):
            out += [(f"{rule.code}-{i}-{k}", v) for k, v in normalise(ex.files).items() if k.endswith(".py")]
    return out + [("syntax", SYNTAX), ("tricky", TRICKY), ("odd", ODD)]


SOURCES = _python_sources()
SCALARS = {"Name": ("value",), "SimpleString": ("value",), "Integer": ("value",), "Float": ("value",),
           "Imaginary": ("value",), "Arg": ("star",), "Param": ("star",), "FormattedStringText": ("value",),
           "FormattedStringExpression": ("conversion",), "FormattedString": ("start", "end")}
NO_RANGE = {*N.OPERATORS, "Asynchronous", "Dot", "Module"}


def _compare(ours: N.CSTNode, theirs: cst.CSTNode, ranges: dict, where: str, out: list[str]) -> None:
    name = type(ours).__name__
    if name != type(theirs).__name__:
        out.append(f"{where}: {name} where libcst has {type(theirs).__name__}")
        return
    for attr in SCALARS.get(name, ()):
        mine, ref = getattr(ours, attr), getattr(theirs, attr)
        if attr == "star":
            mine, ref = mine or "", ref if isinstance(ref, str) else ""
        if mine != ref:
            out.append(f"{where}/{name}.{attr}: {mine!r} where libcst has {ref!r}")
    if name not in NO_RANGE and theirs in ranges:
        r = ranges[theirs]
        expected = (r.start.line, r.start.column, r.end.line, r.end.column)
        if tuple(ours._p) != expected:
            out.append(f"{where}/{name}: range {ours._p} where libcst has {expected}")
    for field in type(ours)._fields:
        mine = getattr(ours, field)
        ref = getattr(theirs, field, None)
        ref = None if isinstance(ref, cst.MaybeSentinel) else ref
        mine_list = mine if isinstance(mine, list) else [] if mine is None else [mine]
        ref_list = list(ref) if isinstance(ref, (list, tuple)) else [] if ref is None else [ref]
        if len(mine_list) != len(ref_list):
            out.append(f"{where}/{name}.{field}: {len(mine_list)} nodes where libcst has {len(ref_list)}")
            continue
        for a, b in zip(mine_list, ref_list):
            _compare(a, b, ranges, f"{where}/{name}.{field}", out)


@pytest.mark.parametrize("name,text", SOURCES, ids=[n for n, _ in SOURCES])
def test_the_tree_is_libcsts(name: str, text: str) -> None:
    try:
        tree = ast.parse(text)
        ref = cst.parse_module(text)
    except (SyntaxError, cst.ParserSyntaxError):
        pytest.skip("an example that does not parse")
    ranges = MetadataWrapper(ref, unsafe_skip_copy=True).resolve(PositionProvider)
    out: list[str] = []
    _compare(pybuild.build(text, tree), ref, ranges, "", out)
    assert not out, "\n".join(out[:10])


def test_the_comparison_can_fail() -> None:
    text = "f(a, b=1)\n"
    ref = cst.parse_module(text)
    ranges = MetadataWrapper(ref, unsafe_skip_copy=True).resolve(PositionProvider)
    ours = pybuild.build(text, ast.parse(text))
    call = ours.body[0].body[0].value
    call.args[1].keyword._p = (1, 5, 1, 7)
    call.args.pop(0)
    out: list[str] = []
    _compare(ours, ref, ranges, "", out)
    assert any("1 nodes where libcst has 2" in line for line in out)


def test_columns_are_characters_and_fields_sit_in_their_f_string() -> None:
    module = parse("m.py", "s = 'é'; t = f'ü{call(x)}'\n")
    calls = [c.node for c in module.calls]
    assert [module.span(c) for c in calls] == [(1, 18, 1, 25)]  # "é" and "ü" are one column each
    assert module.tree.code_for_node(calls[0]) == "call(x)"
    line = module.tree.body[0]
    assert isinstance(line, N.SimpleStatementLine) and len(line.body) == 2


class _Recorder(N.CSTVisitor):
    def __init__(self, prune: type | None = None) -> None:
        self.events: list[tuple[str, int]] = []
        self.prune = prune

    def on_visit(self, node: N.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return not (self.prune is not None and isinstance(node, self.prune))

    def on_leave(self, node: N.CSTNode) -> None:
        self.events.append(("leave", id(node)))


class _Typed(N.CSTVisitor):
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def visit_Call(self, node: N.CSTNode) -> None:
        self.events.append(("visit", id(node)))

    def leave_Call(self, node: N.CSTNode) -> None:
        self.events.append(("leave", id(node)))

    def visit_FunctionDef(self, node: N.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return not node.name.value.startswith("_")

    def leave_FunctionDef(self, node: N.CSTNode) -> None:
        self.events.append(("leave", id(node)))


@pytest.mark.parametrize("name,text", SOURCES[:30] + SOURCES[-3:], ids=[n for n, _ in SOURCES[:30] + SOURCES[-3:]])
def test_walk_visits_parents_first_in_field_order_and_prunes(name: str, text: str) -> None:
    tree = pybuild.build(text, ast.parse(text))
    every = _Recorder()
    N.walk(tree, every)
    assert [i for e, i in every.events if e == "visit"] == [id(n) for n in N.iter_nodes(tree)]
    assert len(every.events) == 2 * len(list(N.iter_nodes(tree)))
    generic = _Recorder(N.FunctionDef)
    typed = _Typed()
    N.walk(tree, generic)
    N.walk(tree, typed)
    wanted = {id(n) for n in N.iter_nodes(tree) if isinstance(n, (N.Call, N.FunctionDef))}
    pruned_below: set[int] = set()
    for n in N.iter_nodes(tree):
        if isinstance(n, N.FunctionDef) and n.name.value.startswith("_"):
            pruned_below |= {id(c) for c in N.iter_nodes(n)} - {id(n)}
    assert [e for e in typed.events] == [e for e in every.events if e[1] in wanted - pruned_below]
    assert len(generic.events) <= len(every.events)


def test_strings_nested_with_the_f_strings_own_quotes_are_read_on_3_11_too() -> None:
    """Python 3.12 allows ``f"{d["k"]}"`` (PEP 701); on 3.11 the nested quotes are turned to the
    other kind, in place, so every offset stays where it was."""
    import sys

    from commlint.artifacts import ParseError
    from commlint.artifacts.pystrings import older_fstrings

    text = 'import requests\n\n\ndef f(d):\n    log(f"got {d["k"]:>{d["w"]}}")\n    return requests.get(d["url"])\n'
    turned = older_fstrings(text)
    assert turned is not None and len(turned) == len(text)
    assert "f\"got {d['k']:>{d['w']}}\"" in turned and 'd["url"]' in turned  # outside f-strings: untouched
    module = parse("m.py", text)
    assert [module.span(c.node)[:2] for c in module.calls] == [(5, 5), (6, 12)]
    assert module.text == text
    assert older_fstrings("x = f'{a}'\n") is None  # nothing to turn
    cannot = 'x = f"{d["it\'s"]}"\n'  # the nested string holds the other quote
    assert older_fstrings(cannot) is None
    if sys.version_info < (3, 12):
        with pytest.raises(ParseError, match="as Python 3.11 reads it"):
            parse("m.py", cannot)
