"""The fast paths give the same answers as the slow ones they replace."""

from __future__ import annotations

import os
from pathlib import Path

import pathspec
import pytest

from commlint import runner
from commlint.artifacts.discovery import _spec

from conftest import run, write_tree

BAD = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


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


def test_fast_gitignore_spec_answers_like_pathspec_on_generated_patterns() -> None:
    from hypothesis import given, settings, strategies as st

    segment = st.sampled_from(["a", "b", "gen", "x.py", "*.py", "*", "**", "a?", "[ab]", ".venv", "build"])
    pattern = st.builds(lambda neg, lead, segs, trail: ("!" if neg else "") + ("/" if lead else "") + "/".join(segs)
                        + ("/" if trail else ""), st.booleans(), st.booleans(), st.lists(segment, min_size=1, max_size=3),
                        st.booleans())
    name = st.sampled_from(["a", "b", "gen", "x.py", "y.py", ".venv", "build", "ab"])
    path = st.builds(lambda segs, trail: "/".join(segs) + ("/" if trail else ""),
                     st.lists(name, min_size=1, max_size=4), st.booleans())

    @settings(max_examples=300, deadline=None)
    @given(st.lists(pattern, max_size=5), st.lists(path, max_size=8))
    def check(lines: list[str], paths: list[str]) -> None:
        fast = _spec(lines)
        slow = pathspec.GitIgnoreSpec.from_lines(lines)
        for p in paths:
            assert fast.match_file(p) == slow.match_file(p), (lines, p)

    check()


def test_the_walks_kinds_by_ending_are_kinds_for() -> None:
    from commlint.artifacts import KINDS, kinds_for
    from commlint.artifacts.discovery import _kinds

    endings = {e for _, exts in KINDS for e in exts}
    assert all(e.count(".") == 1 and e.startswith(".") for e in endings)  # what _kinds relies on
    names = ["a.py", "A.PY", "x.yaml.py", "py", ".py", "a.b.yml", "x.JSON", "main.tf", "tf", "s.avsc", "x.proto",
             "README", "a.py~", "a.pyc", "archive.tar.gz", ".yaml", "a."] + [f"n{e}" for e in endings]
    for name in names:
        assert _kinds(name) == tuple(kinds_for(name)), name


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


def test_progress_is_reported_for_files_read(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    write_tree(tmp_path, {f"m{i}.py": BAD for i in range(5)} | {"plain.py": "x = 1\n"})
    for jobs, threshold in ((1, runner.PARALLEL_BYTES), (2, 0)):
        monkeypatch.setattr(runner, "PARALLEL_BYTES", threshold)
        calls: list[tuple[int, int]] = []
        run(tmp_path, {}, jobs=jobs, progress=lambda done, total: calls.append((done, total)))
        assert calls[-1] == (6, 6) and {t for _, t in calls} == {6}  # plain.py too: read and searched, never parsed
        assert [d for d, _ in calls] == sorted({d for d, _ in calls})


def test_the_folders_discovery_resolves_are_their_real_paths(tmp_path: Path) -> None:
    """Discovery tells safeio the real path of each folder it entered through no symbolic link;
    a folder reached through a link is resolved as before."""
    from commlint.artifacts.discovery import discover
    from commlint.core import safeio
    from commlint.core.catalogue import load
    from commlint.core.config import build_settings

    write_tree(tmp_path, {"svc/app/api.py": BAD, "svc/app/deep/x.py": BAD, "lib/util.py": BAD})
    (tmp_path / "svc" / "linked").symlink_to(tmp_path / "lib", target_is_directory=True)
    settings = build_settings({}, tmp_path, load(), None)
    safeio._DIRS.clear()
    found = discover([tmp_path], settings)
    rels = {f.rel for f in found}
    assert {"svc/app/api.py", "svc/app/deep/x.py"} <= rels and rels & {"lib/util.py", "svc/linked/util.py"}
    seeded = {folder: real for (folder, strict), real in safeio._DIRS.items() if strict}
    assert seeded and all(os.path.realpath(folder) == real for folder, real in seeded.items())
    assert not any(folder.endswith("linked") for folder in seeded)  # through a link: not told
    for f in found:  # and every file still reads as itself
        assert safeio.read_file(f.opened, 10**6, tmp_path) == Path(f.opened).read_bytes()


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 7])
def test_a_file_is_read_whole_whatever_its_size(tmp_path: Path, size: int) -> None:
    from commlint.core import safeio

    data = bytes(i % 251 for i in range(size))
    (tmp_path / "f").write_bytes(data)
    assert safeio.read_file(tmp_path / "f", 4 << 20) == data
    assert safeio.read_file(tmp_path / "f", 100, truncate=True) == data[:101]
    if size > 100:
        with pytest.raises(safeio.TooLarge):
            safeio.read_file(tmp_path / "f", 100)
