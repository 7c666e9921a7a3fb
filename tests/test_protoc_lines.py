"""Lines without protoc's source info: the batches are compiled without it, the top-level
statements are found in the text (protolines), and any other line comes from the file
compiled again alone with it. Each is checked here against protoc's own source info."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import run, write_tree

from commlint import artifacts
from commlint.artifacts import protoc, protolines
from commlint.artifacts.proto import ProtoArtifact, parse

pytestmark = pytest.mark.skipif(not protoc.available(), reason="grpcio-tools not installed")

TEXTS = [
    'syntax = "proto3";\npackage a.v1;\n',
    '\ufeffsyntax = "proto3";\npackage a;\n',  # a byte order mark
    '// package nope;\n/* syntax = "proto2"; package x; */ syntax = "proto3";\n\t package  a.b ;\n',
    'syntax = "proto3";\r\n\r\n/* é\ttab */\t\tpackage a;\r\n',
    'syntax = "proto3";\nimport "google/protobuf/descriptor.proto";\nextend google.protobuf.FileOptions { string package = 50001; }\n'
    'option (package) = "package x;";\nmessage M { option (m) = { }; string package = 1; }\npackage a;\n'
    "extend google.protobuf.MessageOptions { M m = 50002; }\n",
    'edition = "2023";\npackage a.v1;\nmessage M { string s = 1 [features.field_presence = LEGACY_REQUIRED]; }\n',
    'syntax = "proto2";\n\nmessage M { required string s = 1; }\n',  # no package
    '/* a long\n   comment */ package a; // after\nmessage M {}\n',  # no syntax
    "syntax = 'proto3'; package a.b;\n",
    'syntax = "proto3";\noption java_package = "x\\"; package y;";\n;;package a ;\n',
]


def _protoc_spans(tmp: Path, text: str) -> dict[tuple[int, ...], tuple[int, int]]:
    (tmp / "f.proto").write_bytes(text.encode("utf-8"))
    status, messages, files = protoc._run_protoc(["f.proto"], (tmp,))
    assert status == 0, messages
    fd = next(f for f in files if f.name == "f.proto")
    spans: dict[tuple[int, ...], tuple[int, int]] = {}
    for loc in fd.source_code_info.location:
        if loc.span:
            spans.setdefault(tuple(loc.path), (loc.span[0] + 1, loc.span[1] + 1))
    return spans


@pytest.mark.parametrize("text", TEXTS)
def test_top_level_statements_are_where_protoc_puts_them(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spans = _protoc_spans(Path(tmp), text)
    want = {p: spans[p] for p in (protolines.PACKAGE, protolines.SYNTAX, protolines.EDITION) if p in spans}
    assert protolines.statements(text.encode("utf-8"), protoc.edition_path()) == want


PROTO2 = 'syntax = "proto2";\n// a comment\npackage shop;\n\nmessage Order {\n  required string id = 1;\n' \
         '  message Line {\n\trequired int32 n = 1;\n  }\n}\n'


def test_lines_of_a_batch_compiled_without_source_info_are_protocs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"shop/order.proto": PROTO2, "shop/other.proto": 'syntax = "proto3";\npackage shop.v1;\n'})
    (tmp_path / "shop/bom.proto").write_bytes(b'\xef\xbb\xbfsyntax = "proto2";\npackage shop.v1;\n')  # protoc counts the BOM
    top = tmp_path.resolve()
    runs: list[tuple[tuple[str, ...], bool]] = []
    real = protoc._run_protoc

    def run_protoc(names: list[str], roots: tuple[Path, ...], lines: bool = True):  # noqa: ANN202
        runs.append((tuple(names), lines))
        return real(names, roots, lines)

    monkeypatch.setattr(protoc, "_run_protoc", run_protoc)
    by_lines = {}
    for lines in (True, False):
        monkeypatch.setattr(artifacts, "collecting_facts", lambda kinds, on=lines: protoc.LINES.__setitem__(0, on))
        protoc.clear()
        runs.clear()
        result = run(top, {"select": ["CL501", "CL502", "CL503"]}, jobs=1)
        by_lines[lines] = sorted((f.code, f.location.path, f.location.line, f.location.column, f.message) for f in result.findings)
        batches = [("bom.proto", "other.proto"), ("shop/order.proto",)]
        assert sorted(runs) == sorted([(b, lines) for b in batches] + ([] if lines else [(("shop/order.proto",), True)]))
        # without source info, only the file whose findings need more than its top-level lines is compiled again
    protoc.clear()
    assert by_lines[False] == by_lines[True]
    assert [(c, line, col) for c, _, line, col, _ in by_lines[False] if c == "CL502"] == [("CL502", 6, 3), ("CL502", 8, 9)]  # a tab: 8 columns
    assert [(c, p, line) for c, p, line, _, _ in by_lines[False] if c in ("CL501", "CL503")] == \
        [("CL501", "shop/bom.proto", 1), ("CL501", "shop/order.proto", 1), ("CL503", "shop/order.proto", 3)]


def test_the_text_checked_is_what_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines asked for later come from the text the findings are about, even when the file on
    disk has changed since its batch was compiled."""
    write_tree(tmp_path, {"shop/order.proto": PROTO2})
    top = tmp_path.resolve()
    monkeypatch.setattr(protoc, "LINES", [False])
    protoc.clear()
    try:
        compiled = protoc.compile_file(top / "shop/order.proto", PROTO2, top)
        assert compiled.descriptor is not None and not compiled.descriptor.HasField("source_code_info")
        (top / "shop/order.proto").write_text("\n\n\n" + PROTO2, encoding="utf-8")
        info = protoc.source_info(compiled, PROTO2.encode())
        spans = {tuple(loc.path): loc.span[0] + 1 for loc in info.location}
        assert spans[(4, 0, 2, 0)] == 6
    finally:
        protoc.clear()


def test_a_file_read_by_the_grammar_needs_no_source_info(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.proto": 'syntax = "proto3";\nimport "nowhere/x.proto";\npackage a;\n'})
    art = parse("a.proto", (tmp_path / "a.proto").read_text(), type("S", (), {"root": str(tmp_path)})())
    assert isinstance(art, ProtoArtifact) and art.descriptor is None and art.file is not None


def test_a_dependency_digest_is_remembered_but_never_stale(tmp_path: Path) -> None:
    """The files of a tree import the same few files: their digests are remembered per
    process, and a file rewritten since (even within the same second, same size) is read again."""
    from commlint.artifacts import reading

    dep = tmp_path / "common.proto"
    dep.write_text('syntax = "proto3";\npackage a;\n', encoding="utf-8")
    first = reading.file_digest(str(dep))
    assert reading.file_digest(str(dep)) == first
    dep.write_text('syntax = "proto3";\npackage b;\n', encoding="utf-8")
    assert reading.file_digest(str(dep)) != first
    dep.unlink()
    assert reading.file_digest(str(dep)) == "missing"


def test_a_file_path_resolves_as_pathlib_resolves_it(tmp_path: Path) -> None:
    """The file a .proto path names (its folder's real path remembered), and whether it is in
    the tree, as ``(top / path).resolve()`` and ``top in file.parents`` say."""
    import os

    from commlint.artifacts.proto import _inside

    top = (tmp_path / "tree").resolve()
    (top / "a/b").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (top / "a/b/x.proto").write_text("syntax = 'proto3';\n", encoding="utf-8")
    (tmp_path / "outside/y.proto").write_text("syntax = 'proto3';\n", encoding="utf-8")
    os.symlink(top / "a/b", top / "link")  # a folder linked inside the tree
    os.symlink(top / "a/b/x.proto", top / "a/z.proto")  # a file linked inside
    os.symlink(tmp_path / "outside/y.proto", top / "a/out.proto")  # a file linked out
    os.symlink(tmp_path / "outside", top / "away")  # a folder linked out
    for rel in ["a/b/x.proto", "link/x.proto", "a/z.proto", "a/out.proto", "away/y.proto", "a/../a/b/x.proto",
                "link/../a/b/x.proto", "missing/none.proto"]:
        old = (top / rel).resolve()
        assert _inside(top, rel) == (old if top in old.parents else None), rel
