"""The prefilter decides which files are parsed; it must never change a result.

Every catalogue example and every example/fixture tree is checked with and
without it (``--no-prefilter`` parses and checks every file), and serially and
in worker processes: the findings must be the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from commlint import runner
from commlint.core.catalogue import load
from commlint.engine import RunResult
from commlint.artifacts.prefilter import code_view, python_in_scope

from conftest import REPO, normalise, run, write_tree

CAT = load()
ALL_CODES = [r.code for r in CAT.rules]  # exact codes: opt-in rules too
EXAMPLES = [
    pytest.param(rule, ex, id=f"{rule.code}-{ex.kind}-{i}")
    for rule in CAT.rules
    for i, ex in enumerate(rule.examples)
]
TREES = [p for p in (REPO / "examples", REPO / "fixtures") if p.is_dir()]


def outcome(result: RunResult) -> tuple[list[tuple], dict[str, int]]:
    """Every finding, and what each rule examined (the scorecard counts on it)."""
    findings = sorted(
        (f.location.path, f.location.line, f.location.column, f.code, f.message, f.suppressed, f.fix is not None)
        for f in result.findings
    )
    return findings, {code: n for code, n in result.examined.items() if n}


def example_config(rule, ex, everything: bool) -> dict:  # noqa: ANN001
    config = dict(ex.args)
    config["select"] = ALL_CODES if everything else [rule.code]
    if ex.options:
        config["rules"] = {rule.code: dict(ex.options)}
    return config


@pytest.mark.parametrize("everything", [False, True], ids=["own-rule", "all-rules"])
@pytest.mark.parametrize("rule,example", EXAMPLES)
def test_catalogue_example_same_with_and_without_prefilter(rule, example, everything, tmp_path: Path) -> None:  # noqa: ANN001
    write_tree(tmp_path, normalise(example.files))
    config = example_config(rule, example, everything)
    with_prefilter = run(tmp_path, config, jobs=1)
    without = run(tmp_path, config, jobs=1, prefilter=False)
    assert outcome(with_prefilter) == outcome(without)


@pytest.mark.parametrize("tree", TREES, ids=[t.name for t in TREES])
def test_trees_same_with_and_without_prefilter_and_workers(tree: Path, monkeypatch) -> None:  # noqa: ANN001
    config = {"select": ALL_CODES}
    base = outcome(run(tree, config, jobs=1))
    assert outcome(run(tree, config, jobs=1, prefilter=False)) == base
    monkeypatch.setattr(runner, "PARALLEL_BYTES", 0)  # use worker processes however little there is (they search too)
    assert outcome(run(tree, config, jobs=2)) == base
    assert outcome(run(tree, config, jobs=2, prefilter=False)) == base


def test_workers_give_the_same_findings_in_the_same_order(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    files = {}
    for rule in CAT.rules:
        for i, ex in enumerate(rule.examples):
            for path, text in normalise(ex.files).items():
                files[f"{rule.code}-{ex.kind}-{i}/{path}"] = text
    write_tree(tmp_path, files)
    config = {"select": ALL_CODES}
    serial = run(tmp_path, config, jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_BYTES", 0)
    parallel = run(tmp_path, config, jobs=2)
    assert [f.to_dict() for f in parallel.findings] == [f.to_dict() for f in serial.findings]
    assert [(r.rel, r.kind) for r in parallel.files] == [(r.rel, r.kind) for r in serial.files]
    assert any(f.code == "CL101" for f in serial.findings)


# -- the second stage: comments and docstrings ----------------------------------------

TRIGGERS = (b"requests", b"httpx")


def test_trigger_only_in_prose_is_out_of_scope() -> None:
    src = b'"""Retries requests that fail."""\n\n\ndef f(x):\n    """Like httpx."""\n    return x  # not requests\n'
    assert not python_in_scope(src, TRIGGERS, suppressions=False)


def test_trigger_in_code_or_in_a_string_value_is_in_scope() -> None:
    assert python_in_scope(b"import requests\n", TRIGGERS, False)
    assert python_in_scope(b"def f():\n    '''doc'''\n    return httpx.get(u)\n", TRIGGERS, False)
    assert python_in_scope(b"LIB = 'requests'\n", TRIGGERS, False)  # a value, not a docstring
    assert python_in_scope(b"x = 1; 'requests'.upper()\n", TRIGGERS, False)


def test_fstring_statement_is_code() -> None:
    assert python_in_scope(b'f"{requests.get(u)}"\n', TRIGGERS, False)


def test_suppression_comment_is_in_scope_only_when_unused_suppressions_are_reported() -> None:
    src = b"x = 1  # commlint: ignore[CL101] -- reason\n"
    assert python_in_scope(src, TRIGGERS, suppressions=True)
    assert not python_in_scope(src, TRIGGERS, suppressions=False)


def test_untokenizable_file_is_in_scope() -> None:
    assert code_view(b'x = """requests\n') is None
    assert python_in_scope(b'x = """requests\n', TRIGGERS, False)
    assert not python_in_scope(b'x = """\n', TRIGGERS, False)  # no trigger at all: stage one says no


def test_encoding_cookie_is_honoured() -> None:
    src = "# -*- coding: latin-1 -*-\nimport requests\nNAME = 'Jos\xe9'\n".encode("latin-1")
    assert python_in_scope(src, TRIGGERS, False)


def _source_files() -> list[Path]:
    out = sorted((REPO / "src").rglob("*.py")) + sorted((REPO / "tests").rglob("*.py"))
    return [p for p in out if "__pycache__" not in p.parts]


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: p.name)
def test_code_view_keeps_every_name_and_non_docstring_string(path: Path) -> None:
    """What the second stage looks at never loses code: every identifier, and
    every string literal that is not a bare statement, is still in the view."""
    data = path.read_bytes()
    view = code_view(data)
    assert view is not None
    text = data.decode("utf-8")
    tree = ast.parse(text)
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert node.id in view
        elif isinstance(node, ast.Attribute):
            assert node.attr in view
        elif isinstance(node, ast.alias):
            assert node.name in view
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            segment = ast.get_source_segment(text, node)
            if segment is not None:
                assert segment in view


def test_a_trigger_on_an_import_line_needs_no_tokenizer(monkeypatch) -> None:  # noqa: ANN001
    import commlint.artifacts.prefilter as pf

    monkeypatch.setattr(pf, "code_view", lambda data: pytest.fail("tokenized"))
    assert python_in_scope(b'"""Doc."""\nfrom http import client\nimport requests as r\n', TRIGGERS, False)
    assert python_in_scope(b"from httpx import Client\n", TRIGGERS, False)


def test_indented_import_lines_go_through_the_tokenizer() -> None:
    example = b'def f():\n    """Example:\n\n        import requests\n    """\n'
    assert not python_in_scope(example, TRIGGERS, False)  # docstring example code
    assert python_in_scope(b"def f():\n    import requests\n", TRIGGERS, False)
    top = b'"""Example:\n\nimport requests\n"""\n'
    assert python_in_scope(top, TRIGGERS, False)  # taken as code without tokenizing: conservative
    assert "requests" not in (code_view(top) or "requests")


# -- the second stage's scanner is the tokenizer's answer, faster ---------------------------


def tokenizer_view(data: bytes) -> str | None:
    """The reference: comments and docstring statements blanked out by the tokenizer itself
    (what ``code_view`` did before it scanned with one regular expression)."""
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    text = text[1:] if text.startswith("\ufeff") else text
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    blank, strings, at_start = [], [], True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                blank.append((starts[tok.start[0] - 1] + tok.start[1], starts[tok.end[0] - 1] + tok.end[1]))
                continue
            if tok.type == tokenize.NL:
                continue
            quote = min((i for i in (tok.string.find('"'), tok.string.find("'")) if i >= 0), default=0)
            if tok.type == tokenize.STRING and (at_start or strings) and "f" not in tok.string[:quote].lower():
                strings.append(tok)
                at_start = False
                continue
            if strings:
                if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or tok.string == ";":
                    first, last = strings[0], strings[-1]
                    blank.append((starts[first.start[0] - 1] + first.start[1], starts[last.end[0] - 1] + last.end[1]))
                strings = []
            at_start = tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) or tok.string == ";"
    except (tokenize.TokenError, SyntaxError):
        return None
    out, prev = [], 0
    for start, end in sorted(blank):
        out += [text[prev:start], " "]
        prev = max(prev, end)
    return "".join(out) + text[prev:]


def _all_python() -> list[tuple[str, bytes]]:
    out = [(str(p.relative_to(REPO)), p.read_bytes()) for p in _source_files()]
    for rule in CAT.rules:
        for i, ex in enumerate(rule.examples):
            out += [(f"{rule.code}-{i}-{k}", v.encode()) for k, v in normalise(ex.files).items() if k.endswith(".py")]
    return out


CASES = [
    b'"""doc"""\nx = 1\n', b"r'''doc'''  # c\n", b'x = 1; "doc"\n', b'x = 1; "a".upper()\n',
    b'"a" "b"\n', b'"a" \\\n  "b"\n', b'"a" f"{b}"\n', b'f"{x}" "a"\n', b'"a"  # c\n"b"\n',
    b'x = (\n"in brackets"\n)\n', b'x = \\\n"continued"\n', b'def f(): "not at a start"\n',
    b'class A:\n    """doc"""\n\n    x = "value"\n    "attribute doc"\n', b"'''unterminated\n", b"x = 'open\n",
    b'"end of file"', b'"a"; "b"; c\n', b'\x0c"after a form feed"\n', b'"a"\r\nx = 1\r\n', b"rb'x' Rb'y'\n",
    b"# only a comment", b"x = '#not a comment'  # a comment\n", b'"\\\\"\n"x"\n', b"'''a\\''''\n",
    b'x = {"k": """v"""}\n"doc"\n', b'if x:\n    pass\n"""after a dedent"""\n', b'"a".join(b)\n',
]


def _unterminated(data: bytes) -> bool:
    """Whether the tokenizer met a quote that opens no literal (it goes on with an ERRORTOKEN,
    code_view gives up: None, so the file is parsed)."""
    import io
    import tokenize

    try:
        toks = list(tokenize.generate_tokens(io.StringIO(data.decode("utf-8")).readline))
    except (tokenize.TokenError, SyntaxError):
        return True
    return any(t.type == tokenize.ERRORTOKEN and t.string in "'\"" for t in toks)


def same_view(data: bytes) -> bool:
    expected, view = tokenizer_view(data), code_view(data)
    return expected is None or view == expected or (view is None and _unterminated(data))


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_code_view_is_the_tokenizers_view_on_edge_cases(data: bytes) -> None:
    assert same_view(data)


def test_edge_cases_are_mostly_readable() -> None:
    assert sum(code_view(c) is not None for c in CASES) >= len(CASES) - 3


@pytest.mark.parametrize("name,data", _all_python(), ids=[n for n, _ in _all_python()])
def test_code_view_is_the_tokenizers_view_on_every_python_file_here(name: str, data: bytes) -> None:
    assert same_view(data)


_PIECES = ['"a"', "'b'", '"""c\n"""', "r'd'", 'f"{x}"', "b'e'", "x", " ", "\n", ";", "(x)", "[\n'h'\n]", "(\n)",
           "# c", "\\\n x", "    ", "=", ".", "'''g'''", "{'k': 'v'}", ":", "f(\n'i' 'j')"]  # brackets balanced


@pytest.mark.parametrize("seed", range(1))
def test_code_view_is_the_tokenizers_view_on_generated_sources(seed: int) -> None:  # noqa: ARG001
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=600, deadline=None)
    @given(st.lists(st.sampled_from(_PIECES), max_size=30))
    def check(pieces: list[str]) -> None:
        assert same_view("".join(pieces).encode())

    check()


def test_the_first_stage_in_the_workers_keeps_the_same_files(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import os

    from commlint.artifacts.discovery import discover
    from commlint.artifacts.yamljson import manifest_words
    from commlint.core.config import build_settings
    from commlint.engine import make_plan

    files = {}
    for rule in CAT.rules:
        for i, ex in enumerate(rule.examples):
            for path, text in normalise(ex.files).items():
                files[f"{rule.code}-{ex.kind}-{i}/{path}"] = text
    files["prose/readme.py"] = '"""Retries requests."""\n'
    write_tree(tmp_path, files)
    settings = build_settings({"select": ALL_CODES}, tmp_path, CAT, None)
    plan = make_plan(settings, CAT)
    items = [(src, src.path.read_bytes(), None) for src in discover([tmp_path], settings)]
    serial = [runner.is_candidate(src, data, plan) for src, data, _ in items]
    sizes = [len(data) for _, data, _ in items]
    parent, real = os.getpid(), runner.is_candidate

    def searched(source, data, plan):  # noqa: ANN001, ANN202
        assert os.getpid() != parent or "proto" in source.kinds, f"{source.rel} searched in this process"
        return real(source, data, plan)

    monkeypatch.setattr(runner, "is_candidate", searched)
    for workers in (2, 3):
        for deferred in (False, True):  # read by this process, or by the workers (no cache to look up)
            given = [(src, runner.DEFERRED if deferred else data, None) for src, data, _ in items]
            kept: dict[str, bool] = {}
            digests: dict[str, str | None] = {}
            marks: dict[str, bool | None] = {}

            def store(item, res, cache_it=True, digest=None, manifest=None):  # noqa: ANN001, ANN202, ARG001
                kept[item[0].rel] = res is not None
                digests[item[0].rel] = digest or item[2]
                marks[item[0].rel] = manifest

            runner._run_parallel(given, sizes, plan, workers, store, None, hashed=deferred)
            assert [kept[src.rel] for src, _, _ in items] == serial, (workers, deferred)
            if deferred:  # each file hashed where it was read, as the cache would hash it here
                assert all(digests[src.rel] == runner.Cache.digest(data) for src, data, _ in items)
                yaml = [(src, data) for src, data, _ in items if src.rel.endswith((".yaml", ".yml"))]
                assert yaml and all(marks[src.rel] == manifest_words(data) for src, data in yaml)
                assert True in (marks[src.rel] for src, _ in yaml)
    assert True in serial and False in serial


def test_a_worker_that_does_not_fork_reads_what_was_deferred(tmp_path: Path) -> None:
    """Windows' spawn: the task travels pickled, and a deferred file is still read there."""
    import pickle

    from commlint.artifacts.discovery import discover
    from commlint.core.config import build_settings
    from commlint.engine import make_plan

    write_tree(tmp_path, {"svc/client.py": "import requests\n\n\ndef get(url):\n    return requests.get(url)\n",
                          "svc/notes.py": "x = 1\n"})
    settings = build_settings({"select": ["CL101"]}, tmp_path, CAT, None)
    plan = make_plan(settings, CAT)
    sources = discover([tmp_path], settings)
    sent = pickle.loads(pickle.dumps((plan, [(src, runner.DEFERRED, None) for src in sources], True)))
    out = dict(zip([s.rel for s in sources], runner._work(list(range(len(sources))), sent)))
    client, notes = out["svc/client.py"], out["svc/notes.py"]
    assert [f.code for f in client[0].findings] == ["CL101"]
    assert client[1] == runner.Cache.digest((tmp_path / "svc/client.py").read_bytes())
    assert notes[0] is None  # no trigger: never parsed, as when the parent read it
