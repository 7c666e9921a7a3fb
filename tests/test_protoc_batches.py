"""protoc's batches: a failing file costs a short run, not a recompilation of the batch per
file, and a compiled batch is used again only while every file of it, and every file they
import, holds the content it was compiled from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run, write_tree

from commlint.artifacts import protoc

pytestmark = pytest.mark.skipif(not protoc.available(), reason="grpcio-tools not installed")

GOOD = 'syntax = "proto3";\npackage shop.v1;\nimport "shop/v1/common.proto";\nmessage M{n} {{ Common c = 1; }}\n'
FILES = {
    "shop/v1/common.proto": 'syntax = "proto3";\npackage shop.v1;\nmessage Common { string x = 1; }\n',
    "shop/v1/broken.proto": 'syntax = "proto3";\npackage shop.v1;\nmessage Broken { string x = ; }\n',
    "shop/v1/undefined.proto": 'syntax = "proto3";\npackage shop.v1;\nmessage Undefined { Nope x = 1; }\n',
    # sorted before what it imports: protoc stops on it while reading broken.proto
    "shop/v1/a_user.proto": 'syntax = "proto3";\npackage shop.v1;\nimport "shop/v1/broken.proto";\n'
                            "message User { Broken b = 1; }\n",
    "shop/v1/z_user.proto": 'syntax = "proto3";\npackage shop.v1;\nimport "shop/v1/a_user.proto";\n'
                            "message Z { User u = 1; }\n",
}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = protoc._run_protoc

    def run_protoc(names: list[str], roots: tuple[Path, ...], lines: bool = True):  # noqa: ANN202
        calls.append(list(names))
        return real(names, roots, lines)

    monkeypatch.setattr(protoc, "_run_protoc", run_protoc)
    protoc.clear()
    yield calls
    protoc.clear()


def _compile_all(top: Path) -> dict[str, protoc.Compiled]:
    return {p.relative_to(top).as_posix(): protoc.compile_file(p, p.read_text(), top) for p in sorted(top.rglob("*.proto"))}


@pytest.mark.parametrize("good", [5, 60])
def test_failing_files_are_dropped_and_the_rest_compiled_once(tmp_path: Path, counted: list[list[str]], good: int) -> None:
    write_tree(tmp_path, {**FILES, **{f"shop/v1/m{n:02}.proto": GOOD.format(n=n) for n in range(good)}})
    got = _compile_all(tmp_path.resolve())
    assert got["shop/v1/broken.proto"].errors[0][:2] == (3, 29)
    assert got["shop/v1/undefined.proto"].errors[0][:2] == (3, 21)
    for importer in ("shop/v1/a_user.proto", "shop/v1/z_user.proto"):  # not compiled: read by the grammar
        assert got[importer].descriptor is None and not got[importer].errors
        assert "an imported file does not compile" in got[importer].unresolved
    assert all(got[f"shop/v1/m{n:02}.proto"].descriptor is not None for n in range(good))
    # two failing files: a run stopping at each, each alone for its own errors, one run for the rest;
    # as many runs for 60 good files as for 5, and no good file is ever compiled alone
    assert len(counted) == 5, [len(c) for c in counted]
    assert [c for c in counted if len(c) == 1] == [["shop/v1/broken.proto"], ["shop/v1/undefined.proto"]]


def test_an_importer_of_a_failing_file_gets_the_grammar_and_a_note(tmp_path: Path, counted: list[list[str]]) -> None:
    write_tree(tmp_path, FILES)
    result = run(tmp_path, {"select": ["CL500", "CL502"]})
    by_path = {(f.location.path, f.severity.name) for f in result.findings if f.code == "CL500"}
    assert ("shop/v1/broken.proto", "ERROR") in by_path and ("shop/v1/undefined.proto", "ERROR") in by_path
    notes = [f.message for f in result.findings if f.location.path == "shop/v1/a_user.proto"]
    assert len(notes) == 1 and "read by the grammar parser instead" in notes[0], notes


def test_a_batch_whose_messages_name_no_file_is_split_not_compiled_file_by_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {f"shop/v1/m{n:02}.proto": GOOD.format(n=n) for n in range(16)} | {"shop/v1/common.proto": FILES["shop/v1/common.proto"]})
    calls: list[int] = []
    real = protoc._run_protoc

    def run_protoc(names: list[str], roots: tuple[Path, ...], lines: bool = True):  # noqa: ANN202
        calls.append(len(names))
        if "shop/v1/m07.proto" in names:
            return 1, "something went wrong\n", []  # no file named
        return real(names, roots, lines)

    monkeypatch.setattr(protoc, "_run_protoc", run_protoc)
    protoc.clear()
    got = _compile_all(tmp_path.resolve())
    protoc.clear()
    assert got["shop/v1/m07.proto"].errors and got["shop/v1/m06.proto"].descriptor is not None
    assert len(calls) <= 2 * 5 + 1, calls  # halving down to the one file: about 2 log2(17) runs


def _rewrite_same_size_and_time(path: Path, old: str, new: str) -> None:
    assert len(old) == len(new)
    st = path.stat()
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same size and mtime: only the content tells


def test_a_changed_import_invalidates_the_batch(tmp_path: Path, counted: list[list[str]]) -> None:
    # common.proto's package does not match its folder: it is compiled from its own folder, so it is
    # an import from outside the batch of api/v1/svc.proto; peer.proto is in the same batch
    write_tree(tmp_path, {
        "common/c.proto": 'syntax = "proto3";\npackage lib;\nmessage C { string x = 1; }\n',
        "api/v1/peer.proto": 'syntax = "proto3";\npackage api.v1;\nmessage P { string y = 1; }\n',
        "api/v1/svc.proto": 'syntax = "proto3";\npackage api.v1;\nimport "common/c.proto";\nimport "api/v1/peer.proto";\n'
                            "message S { lib.C c = 1; P p = 2; }\n",
    })
    top = tmp_path.resolve()
    svc = top / "api/v1/svc.proto"

    def field_type(name: str) -> int:
        got = protoc.compile_file(svc, svc.read_text(), top)
        return got.pool[name].message_type[0].field[0].type

    assert field_type("common/c.proto") == 9  # string
    runs = len(counted)
    assert field_type("common/c.proto") == 9 and len(counted) == runs  # unchanged: not compiled again
    _rewrite_same_size_and_time(top / "common/c.proto", "string x", "double x")
    assert field_type("common/c.proto") == 1  # double: the batch was compiled again
    _rewrite_same_size_and_time(top / "api/v1/peer.proto", "string y", "double y")
    assert field_type("api/v1/peer.proto") == 1
    runs = len(counted)
    _rewrite_same_size_and_time(svc, "lib.C c", "lib.C d")
    assert protoc.compile_file(svc, svc.read_text(), top).descriptor.message_type[0].field[0].name == "d"
    assert len(counted) == runs + 1


@pytest.mark.skipif(protoc.available() and protoc.max_edition() >= 2026, reason="the bundled protoc knows edition 2026")
def test_a_file_of_an_edition_newer_than_the_bundled_protoc_is_compiled_as_the_newest_it_knows(tmp_path: Path) -> None:
    # protobuf's own src/ is edition 2026 in places, which buf reads and protoc 2024 does not
    write_tree(tmp_path, {
        "e/v1/new.proto": 'edition = "2026";\npackage e.v1;\nmessage N { string s = 1; }\n',
        "e/v1/user.proto": 'edition = "2023";\npackage e.v1;\nimport "e/v1/new.proto";\nmessage U { N n = 1; }\n',
        "e/v1/feature.proto": 'edition = "2026";\npackage e.v1;\nenum E { option features.enum_type = OPEN;\n'
                              '  E_UNKNOWN = 0 [json_name = "unknown"]; }\n',
    })
    result = run(tmp_path, {"select": ["CL500", "CL501"], "rules": {"CL501": {"allow-editions": False}}})
    got = {(f.location.path, f.code, f.severity.name) for f in result.findings}
    assert {(p, c) for p, c, _ in got if c == "CL501"} == {(f"e/v1/{n}.proto", "CL501") for n in ("new", "user", "feature")}
    assert not any(p != "e/v1/feature.proto" and c == "CL500" for p, c, _ in got), got
    assert [m for f in result.findings if f.location.path == "e/v1/new.proto" for m in [f.message]] == \
        ['edition = "2026": the standard asks for syntax = "proto3" (set allow-editions to accept editions)']
    # what only 2026 allows (json_name on an enum value) is not the file's error: a note, the grammar reads it
    [note] = [f for f in result.findings if f.location.path == "e/v1/feature.proto" and f.code == "CL500"]
    assert note.severity.name == "NOTE" and "needs a newer one" in note.message, note.message


def test_prepare_compiles_each_batch_once_before_the_workers_fork(tmp_path: Path, counted: list[list[str]]) -> None:
    from types import SimpleNamespace

    from commlint.artifacts import prepare

    files = {"shop/v1/common.proto": FILES["shop/v1/common.proto"], **{f"shop/v1/m{n:02}.proto": GOOD.format(n=n) for n in range(25)}}
    write_tree(tmp_path, files)
    prepare([(rel, ("proto",), text.encode()) for rel, text in files.items()], SimpleNamespace(root=str(tmp_path)))
    assert len(counted) == 1  # one batch, one run
    got = _compile_all(tmp_path.resolve())  # what a forked worker then does: no protoc run of its own
    assert len(counted) == 1 and all(c.descriptor is not None for c in got.values())


def test_a_large_batch_split_between_processes_gives_every_file_its_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commlint.artifacts import protoc_run

    write_tree(tmp_path, {**FILES, **{f"shop/v1/m{n:02}.proto": GOOD.format(n=n) for n in range(30)}})
    monkeypatch.setattr(protoc_run, "SPLIT_FILES", 10)
    protoc.clear()
    top = tmp_path.resolve()
    protoc.warm_all([(p, p.read_bytes()) for p in sorted(top.rglob("*.proto"))], top, 2)
    got = _compile_all(top)  # from the cache the parts filled
    protoc.clear()
    assert all(got[f"shop/v1/m{n:02}.proto"].descriptor is not None for n in range(30))
    assert got["shop/v1/broken.proto"].errors and "does not compile" in got["shop/v1/z_user.proto"].unresolved


def test_protoc_crashing_before_the_workers_fork_kills_a_child_not_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the workers start, every batch is compiled in forked processes: a part whose
    protoc dies is left to the workers, which compile its files one by one (where the runner
    reports a file that kills its process), and the other part is kept."""
    from commlint.artifacts import protoc_run

    write_tree(tmp_path, {f"shop/v1/m{n:02}.proto": GOOD.format(n=n) for n in range(20)} | {"shop/v1/common.proto": FILES["shop/v1/common.proto"]})
    monkeypatch.setattr(protoc_run, "SPLIT_FILES", 10)
    parent, real = os.getpid(), protoc._run_protoc
    runs: list[int] = []

    def run_protoc(names: list[str], roots: tuple[Path, ...], lines: bool = True):  # noqa: ANN202
        if os.getpid() != parent and "shop/v1/m15.proto" in names:
            os._exit(70)  # what a crash in protoc does to the process it runs in
        runs.append(len(names))
        return real(names, roots, lines)

    monkeypatch.setattr(protoc, "_run_protoc", run_protoc)
    protoc.clear()
    top = tmp_path.resolve()
    protoc.warm_all([(p, p.read_bytes()) for p in sorted(top.rglob("*.proto"))], top, 2)
    assert runs == []  # nothing compiled in this process
    got = _compile_all(top)
    protoc.clear()
    assert all(c.descriptor is not None for c in got.values()), got
    assert runs == [1] * 10  # the crashed part's files, each alone; the other part's came from its process


def test_files_protoc_will_not_compile_are_read_by_the_grammar_while_it_runs(tmp_path: Path) -> None:
    """prepare()'s process, idle while protoc runs in others, reads with the grammar the files
    whose imports exist nowhere or do not compile; parse() then takes that reading as it is."""
    from types import SimpleNamespace

    from commlint.artifacts import prepare, proto

    files = {f"shop/v1/m{n:02}.proto": GOOD.format(n=n) for n in range(20)} | {
        "shop/v1/common.proto": FILES["shop/v1/common.proto"],
        "shop/v1/lost.proto": 'syntax = "proto3";\npackage shop.v1;\nimport "nowhere/x.proto";\nmessage Lost { int32 a = 1; }\n',
        "shop/v1/user.proto": 'syntax = "proto3";\npackage shop.v1;\nimport "shop/v1/lost.proto";\nmessage U { Lost l = 1; }\n',
    }
    write_tree(tmp_path, files)
    settings = SimpleNamespace(root=str(tmp_path))
    protoc.clear()
    proto._READ_AHEAD.clear()
    try:
        prepare([(rel, ("proto",), text.encode()) for rel, text in files.items()], settings, 2)
        top = tmp_path.resolve()
        assert sorted(Path(k).relative_to(top).as_posix() for k, _ in proto._READ_AHEAD) == ["shop/v1/lost.proto", "shop/v1/user.proto"]
        early = {rel: proto.parse(rel, files[rel], settings) for rel in ("shop/v1/lost.proto", "shop/v1/user.proto")}
        assert not proto._READ_AHEAD  # taken
        for rel, art in early.items():
            again = proto.parse(rel, files[rel], settings)  # read by the grammar here
            assert art.fallback == again.fallback and art.error == again.error and repr(art.file) == repr(again.file)
            assert sorted(art.positions.values()) == sorted(again.positions.values()) and art.syntax_line == again.syntax_line
    finally:
        protoc.clear()
        proto._READ_AHEAD.clear()


def test_the_kinds_that_prepare_are_those_named_in_prepared() -> None:
    """``artifacts.PREPARED`` says without importing the kind modules which take part in prepare."""
    from commlint.artifacts import KINDS, PREPARED, kind_module

    assert {kind for kind, _ in KINDS if hasattr(kind_module(kind), "prepare")} == PREPARED
