"""The fast paths give the same answers as the slow ones they replace."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst
import pathspec
import pytest

from commlint import runner
from commlint.core.catalogue import load
from commlint.artifacts.cstwalk import walk
from commlint.artifacts.discovery import _spec

from conftest import REPO, normalise, run, write_tree

BAD = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


class Recorder(cst.CSTVisitor):
    def __init__(self, prune: type | None = None) -> None:
        self.events: list[tuple[str, int]] = []
        self.prune = prune

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return not (self.prune is not None and isinstance(node, self.prune))

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


def _python_sources() -> list[tuple[str, str]]:
    out = [(str(p.relative_to(REPO)), p.read_text(encoding="utf-8"))
           for p in sorted((REPO / "src").rglob("*.py")) + sorted((REPO / "tests").rglob("*.py"))]
    for rule in load().rules:
        for i, ex in enumerate(rule.examples):
            out += [(f"{rule.code}-{i}-{k}", v) for k, v in normalise(ex.files).items() if k.endswith(".py")]
    out.append(("formfeed", "\x0cimport requests\r\nrequests.get(u)\rx = 1\n"))  # libcst drops the form feed
    out.append(("syntax", "async def f(a, /, b=1, *c, d: int = 2, **e) -> X:\n    x = [y async for y in z if y] or (lambda q: q)(1)\n"
                          "    match x:\n        case {'k': [1, *rest]} if rest: pass\n    return f'{x!r:>{w}}' if x else 'y' 'z'\n"
                          "@dec(1)\nclass C(B, metaclass=M):\n    a: int = 1; b = a @ b\n    del a[1:2, ...], b.c\n"
                          "with (open(x) as f, g as h):\n    global q\ntry:\n    raise E from e\nexcept* (A, B) as e:\n    ...\n"))
    return out


def parse_or_skip(text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError:
        pytest.skip("an example that does not parse")


@pytest.mark.parametrize("name,text", _python_sources(), ids=[n for n, _ in _python_sources()])
def test_walk_visits_like_libcst(name: str, text: str) -> None:
    tree = parse_or_skip(text)
    for prune in (None, cst.FunctionDef):
        slow, fast = Recorder(prune), Recorder(prune)
        tree.visit(slow)
        walk(tree, fast)
        assert fast.events == slow.events


class Typed(cst.CSTVisitor):
    """Callbacks by node class, as rules write them (the fast dispatch path)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.events.append(("name", id(node)))

    def visit_Call(self, node: cst.Call) -> None:
        self.events.append(("call", id(node)))

    def leave_Call(self, original_node: cst.Call) -> None:
        self.events.append(("/call", id(original_node)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.events.append(("def", id(node)))
        return not node.name.value.startswith("_")  # prune private functions

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.events.append(("/def", id(original_node)))

    def visit_Comment(self, node: cst.Comment) -> None:
        self.events.append(("comment", id(node)))


@pytest.mark.parametrize("name,text", _python_sources(), ids=[n for n, _ in _python_sources()])
def test_walk_calls_typed_callbacks_like_libcst(name: str, text: str) -> None:
    from commlint.artifacts.python import PyModule, _Indexer

    tree = parse_or_skip(text)
    slow, fast = Typed(), Typed()
    tree.visit(slow)
    walk(tree, fast)
    assert fast.events == slow.events
    by_visit, by_walk = PyModule(name, text, tree), PyModule(name, text, tree)
    tree.visit(_Indexer(by_visit))
    walk(tree, _Indexer(by_walk))

    def index(m: PyModule) -> tuple:
        def ids(d: dict) -> dict:
            return {k: [id(v) for v in vs] for k, vs in d.items()}
        return (m.imports, [(s.kind, s.name, ids(s.bindings), ids(s.attributes)) for s in m.scopes],
                [(id(c.node), c.scope.name, c.in_loop) for c in m.calls])

    assert index(by_walk) == index(by_visit)


PATTERNS = [
    "*.py[co]", "build", "/dist/", "docs/*.html", "!docs/keep.html", "**/gen/**", "a/**/b", "*.log", "!important.log",
    "node_modules/", "lib/vendor/*", "!lib/vendor/__init__.py", "[._]*.sw[a-p]", "\\#*", "foo?bar", "/root-only.txt",
]
PATHS = [
    "a.py", "a.pyc", "x/y/z.pyo", "build", "build/", "src/build/x.py", "dist/", "x/dist/", "docs/a.html", "docs/keep.html",
    "docs/sub/a.html", "p/gen/q/r.py", "gen/x", "a/b", "a/x/y/b", "a/x/b/c", "x.log", "important.log", "d/important.log",
    "node_modules/", "pkg/node_modules/", "lib/vendor/x.py", "lib/vendor/__init__.py", ".x.swp", "_y.swa", "#tmp",
    "fooxbar", "foo/bar", "root-only.txt", "sub/root-only.txt", "plain/file.yaml", "", "dir/",
    ".venv/", "x/.venv/lib/y.py", ".venv", "gen", "a/gen/", "dist", "dist/a.py", "x/dist/y/z.py", "distx/y.py",
]


@pytest.mark.parametrize("lines", [PATTERNS, PATTERNS[:1], ["!x"], [], ["# comment", ""], ["(unbalanced"], ["*"], ["!", "*.py"],
                                   ["node_modules/", "build/", ".venv/", "gen/"], ["dist/"]])
def test_fast_gitignore_spec_answers_like_pathspec(lines: list[str]) -> None:
    fast = _spec(lines)
    slow = pathspec.GitIgnoreSpec.from_lines([ln for ln in lines if ln != "!"])  # git skips an invalid line
    for path in PATHS:
        assert fast.match_file(path) == slow.match_file(path), path


def test_ansible_sized_gitignore_matches(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".gitignore": "\n".join(PATTERNS) + "\n",
        "docs/a.html": "x", "docs/keep.html": "x", "app/mod.py": BAD, "app/mod.pyc": "x", "build/gen.py": BAD,
        "lib/vendor/x.py": BAD, "lib/vendor/__init__.py": BAD, "api/openapi.yaml": "openapi: 3.0.0\n",
    })
    result = run(tmp_path, {})
    assert sorted(r.rel for r in result.files) == ["api/openapi.yaml", "app/mod.py", "lib/vendor/__init__.py"]


def test_a_file_that_kills_its_worker_is_reported_and_the_rest_checked(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    write_tree(tmp_path, {f"svc/m{i}.py": BAD for i in range(8)} | {"svc/boom.py": BAD})
    real = runner.check_file

    def fragile(source, plan, data=None):  # noqa: ANN001, ANN202
        if source.rel == "svc/boom.py" and os.getpid() != parent:
            os._exit(9)  # as the kernel's out-of-memory killer would
        return real(source, plan, data)

    parent = os.getpid()
    monkeypatch.setattr(runner, "check_file", fragile)
    monkeypatch.setattr(runner, "PARALLEL_BYTES", 0)
    result = run(tmp_path, {"select": ["CL101", "CL001"]}, jobs=2, cache_dir=tmp_path / "cache")
    by_path = {}
    for f in result.findings:
        by_path.setdefault(f.location.path, []).append(f.code)
    assert by_path.pop("svc/boom.py") == ["CL001"]
    assert by_path == {f"svc/m{i}.py": ["CL101"] for i in range(8)}
    # the crash is not cached: the next run checks boom.py again (alone, so in this process)
    again = run(tmp_path, {"select": ["CL101", "CL001"]}, jobs=2, cache_dir=tmp_path / "cache")
    assert sorted((f.location.path, f.code) for f in again.findings if f.location.path == "svc/boom.py") == [
        ("svc/boom.py", "CL101")]


def test_progress_is_reported_for_files_parsed(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    write_tree(tmp_path, {f"m{i}.py": BAD for i in range(5)} | {"plain.py": "x = 1\n"})
    for jobs, threshold in ((1, runner.PARALLEL_BYTES), (2, 0)):
        monkeypatch.setattr(runner, "PARALLEL_BYTES", threshold)
        calls: list[tuple[int, int]] = []
        run(tmp_path, {}, jobs=jobs, progress=lambda done, total: calls.append((done, total)))
        assert calls[-1] == (5, 5) and {t for _, t in calls} == {5}  # plain.py is never parsed
        assert [d for d, _ in calls] == sorted({d for d, _ in calls})


@pytest.mark.parametrize("name,text", _python_sources(), ids=[n for n, _ in _python_sources()])
def test_positions_are_libcsts(name: str, text: str) -> None:
    from libcst.metadata import MetadataWrapper, PositionProvider

    from commlint.artifacts.python import parse

    try:
        module = parse(name, text)
    except Exception:  # noqa: BLE001
        pytest.skip("an example that does not parse")
    expected = MetadataWrapper(module.tree, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, r in expected.items():
        assert module.span(node) == (r.start.line, r.start.column + 1, r.end.line, r.end.column + 1), type(node).__name__
        start, end = module.node_offsets(node)
        assert module.offset(r.start.line, r.start.column + 1) == start
        assert module.offset(r.end.line, r.end.column + 1) == end


class FieldCallbacks(cst.CSTVisitor):
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def visit_Call_func(self, node: cst.Call) -> None:
        self.events.append(("func", id(node)))

    def leave_Call_args(self, node: cst.Call) -> None:
        self.events.append(("args", id(node)))


def test_field_callbacks_are_called_too() -> None:
    tree = cst.parse_module("f(g(1), x=h())\n")
    slow, fast = FieldCallbacks(), FieldCallbacks()
    tree.visit(slow)
    walk(tree, fast)
    assert fast.events == slow.events and len(slow.events) == 6


@pytest.mark.parametrize("name,text", _python_sources()[:40] + _python_sources()[-1:], ids=lambda v: str(v)[:30])
def test_below_trivia_there_is_only_trivia(name: str, text: str) -> None:
    """What lets walk skip whitespace, comments and operators when no callback wants them."""
    from commlint.artifacts.cstwalk import is_trivia

    tree = parse_or_skip(text)
    stack = [(tree, False)]
    while stack:
        node, under_trivia = stack.pop()
        if under_trivia:
            assert is_trivia(type(node)), type(node).__name__
        stack.extend((child, under_trivia or is_trivia(type(node))) for child in node.children)


def _some_sources() -> list[tuple[str, str]]:
    """Every rule example and the syntax samples, and this project's parsing code (not all of it: the
    comparison parses each twice)."""
    return [(n, t) for n, t in _python_sources() if not n.startswith(("src", "tests")) or n.startswith("src/commlint/artifacts")]


@pytest.mark.parametrize("name,text", _some_sources(), ids=[n for n, _ in _some_sources()])
def test_unvalidated_parse_builds_the_same_tree(name: str, text: str) -> None:
    from commlint.artifacts.python import parse_module

    try:
        slow = cst.parse_module(text)
    except cst.ParserSyntaxError:
        with pytest.raises(cst.ParserSyntaxError):
            parse_module(text)
        return
    fast = parse_module(text)
    assert fast.deep_equals(slow)
    assert fast.code == text or fast.code == slow.code


def test_nodes_built_after_a_parse_are_validated_again() -> None:
    from commlint.artifacts.python import parse_module

    parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):  # a parse that fails switches it back on too
        cst.Name("")
