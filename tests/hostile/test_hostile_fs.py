"""The file system as it really is: symlink loops and escapes, unreadable,
vanishing and special files, odd names, a cache that is read-only, corrupt or
shared by two runs at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import REPO, cli, measure, write

import commlint.engine.pipeline
import commlint.runner
from commlint.core.catalogue import load
from commlint.core.config import build_settings
from commlint.artifacts.discovery import SourceFile
from commlint.engine import check_file, make_plan
from commlint.runner import Cache

CALL = "import requests\nrequests.get('http://orders')\n"


@pytest.mark.timeout(60)
def test_symlink_loops_are_entered_once(tmp_path: Path) -> None:
    write(tmp_path, {"svc/client.py": CALL})
    (tmp_path / "svc" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "svc" / "self").symlink_to(tmp_path / "svc" / "self")  # a link to itself
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")  # a loop of two links
    m = measure(tmp_path)
    assert [(f.location.path, f.code) for f in m.result.active] == [("svc/client.py", "CL101")]
    assert m.seconds < 20


@pytest.mark.timeout(60)
def test_symlinks_out_of_the_tree_are_not_followed(tmp_path: Path, monkeypatch) -> None:
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    write(outside, {"secret.py": CALL, "pkg/more.py": CALL})
    write(tree, {"ok.py": CALL})
    (tree / "secret.py").symlink_to(outside / "secret.py")
    (tree / "pkg").symlink_to(outside / "pkg", target_is_directory=True)
    (tree / "passwd.yaml").symlink_to("/etc/passwd")
    opened: list[str] = []
    real = commlint.runner.read_source
    monkeypatch.setattr(commlint.runner, "read_source", lambda p, n: opened.append(str(p)) or real(p, n))
    m = measure(tree)
    assert {f.location.path for f in m.result.active} == {"ok.py"}
    assert sorted(m.result.messages) == [f"{name}: symbolic link out of the tree, not followed"
                                         for name in ("passwd.yaml", "pkg", "secret.py")]
    assert opened == [str(tree / "ok.py")]


@pytest.mark.timeout(60)
def test_an_unreadable_file_is_cl001(tmp_path: Path, monkeypatch) -> None:
    """Tests run as root, who can read anything: the denial is simulated at the one place files are opened."""
    write(tmp_path, {"denied.py": CALL, "ok.py": CALL})
    real = commlint.engine.pipeline.read_source

    def read(path, limit):  # noqa: ANN001, ANN202
        if Path(path).name == "denied.py":
            raise PermissionError(13, "Permission denied")
        return real(path, limit)

    monkeypatch.setattr(commlint.engine.pipeline, "read_source", read)
    monkeypatch.setattr(commlint.runner, "read_source", read)
    m = measure(tmp_path)
    assert m.cl001("denied.py") == ["cannot read file: Permission denied"]
    assert m.codes("ok.py") == {"CL101"}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_cl001_for_real(tmp_path: Path) -> None:
    write(tmp_path, {"denied.py": CALL})
    (tmp_path / "denied.py").chmod(0)
    assert measure(tmp_path).cl001("denied.py") == ["cannot read file: Permission denied"]


@pytest.mark.timeout(60)
def test_a_file_deleted_during_the_run_is_skipped(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, {"gone.py": CALL, "ok.py": CALL})
    real = commlint.runner.read_source

    def read(path, limit):  # noqa: ANN001, ANN202
        if Path(path).name == "gone.py" and Path(path).exists():
            Path(path).unlink()  # deleted after discovery, before it is read
        return real(path, limit)

    monkeypatch.setattr(commlint.runner, "read_source", read)
    m = measure(tmp_path)
    assert [(f.location.path, f.code) for f in m.result.active] == [("ok.py", "CL101")]


@pytest.mark.timeout(60)
def test_a_file_deleted_before_fix_is_left_alone(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, {"client.py": CALL})
    import commlint.api
    import commlint.fixes

    real = commlint.fixes.apply_all

    def apply_all(sources, results, plan, messages):  # noqa: ANN001, ANN202
        (tmp_path / "client.py").unlink()
        return real(sources, results, plan, messages)

    monkeypatch.setattr(commlint.fixes, "apply_all", apply_all)
    m = measure(tmp_path, fix=True)
    assert m.result.fixed == {}
    assert any("client.py: not fixed, cannot re-read the file" in msg for msg in m.result.messages)
    assert not (tmp_path / "client.py").exists()


@pytest.mark.timeout(60)
def test_fifos_and_sockets_are_never_opened(tmp_path: Path) -> None:
    write(tmp_path, {"ok.py": CALL})
    os.mkfifo(tmp_path / "pipe.yaml")
    os.mkfifo(tmp_path / "pipe.py")
    p = cli("check", "--no-cache", "--isolated", ".", cwd=tmp_path, timeout=30)
    assert p.returncode == 1 and "ok.py" in p.stdout and "pipe" not in p.stdout, p.stdout + p.stderr
    p = cli("check", "--no-cache", "--isolated", "pipe.py", cwd=tmp_path, timeout=30)
    assert p.returncode == 0 and "pipe.py: not a regular file, not read" in p.stdout, p.stdout + p.stderr
    # a file that becomes a FIFO after discovery is not opened for a blocking read either
    plan = make_plan(build_settings({}, tmp_path, load()), load())
    result = check_file(SourceFile(tmp_path / "pipe.py", "pipe.py", ("python",)), plan)
    assert [f.message for f in result.findings] == ["cannot read file: not a regular file"]


ODD_NAMES = ["with space.py", "ünïcödé/名前.py", "new\nline.py", "esc\x1b[31mred.py", "tab\tname.py",
             "-leading-dash.py", "quote'\"s.py", "percent%20name.py", "#hash.py"]


@pytest.mark.timeout(120)
def test_odd_file_names_in_every_format(tmp_path: Path) -> None:
    write(tmp_path, {name: CALL for name in ODD_NAMES})
    bad = os.fsencode(tmp_path) + b"/latin1-\xe9.py"  # not valid UTF-8: a surrogate-escaped str
    with open(bad, "wb") as fh:
        fh.write(CALL.encode())
    for fmt in ("json", "sarif", "text", "github", "markdown"):
        p = cli("check", "--isolated", "--ignore", "CL111,CL112,CL121", "--format", fmt, ".", cwd=tmp_path, timeout=60)
        assert p.returncode == 1, p.stderr[-2000:]
        assert "\x1b" not in p.stdout  # no terminal escape reaches the output
        if fmt in ("json", "sarif"):
            assert p.stdout.startswith('{'), p.stderr
            doc = json.loads(p.stdout)
            paths = ([f["location"]["path"] for f in doc["findings"]] if fmt == "json" else
                     [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]])
            assert len(paths) == len(ODD_NAMES) + 1
        if fmt == "text":
            assert "new\\nline.py" in p.stdout and "esc\\x1b[31mred.py" in p.stdout
            assert "latin1-\\udce9.py" in p.stdout
            assert not [ln for ln in p.stdout.splitlines() if ln.startswith("line.py")]  # no line forged by a name


@pytest.mark.timeout(60)
def test_a_read_only_cache_directory_is_not_an_error(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, {"client.py": CALL})
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    p = cli("check", "--isolated", "--cache-dir", str(blocker / "cache"), ".", cwd=tmp_path)
    assert p.returncode == 1 and "CL101" in p.stdout and not p.stderr, p.stderr
    # a directory that cannot be written to (simulated: root can write anywhere)
    from commlint.core import cachedir

    def denied(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cachedir, "_new_tmp", denied)
    cache = Cache(tmp_path / "ro-cache", "k")
    m = measure(tmp_path, cache=cache)
    assert m.codes() == {"CL101"} and cache.writable is False


CORRUPTIONS = [b"", b"{", b"\x00\xff" * 10, b"[]", b'{"rel": 1}', b'{"rel": "x", "kind": null, "findings": [1],'
               b' "facts": {}, "parsed": true}', json.dumps({"rel": "client.py", "kind": "python", "parsed": True,
               "facts": {}, "findings": [{"code": "CL101"}]}).encode()]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("garbage", CORRUPTIONS)
def test_a_corrupt_cache_entry_is_recomputed(tmp_path: Path, garbage: bytes) -> None:
    write(tmp_path, {"client.py": CALL})
    cache_dir = tmp_path / ".cache"
    first = cli("check", "--isolated", "--format", "json", "--cache-dir", str(cache_dir), ".", cwd=tmp_path)
    entries = [p for p in cache_dir.rglob("*.json")]
    assert entries
    for e in entries:
        e.write_bytes(garbage)
    again = cli("check", "--isolated", "--format", "json", "--cache-dir", str(cache_dir), ".", cwd=tmp_path)
    assert again.returncode == first.returncode == 1, again.stderr
    assert json.loads(again.stdout)["findings"] == json.loads(first.stdout)["findings"]


@pytest.mark.timeout(120)
def test_two_runs_at_once_share_a_cache(tmp_path: Path) -> None:
    files = {f"svc{i}/client.py": CALL.replace("orders", f"orders{i}") for i in range(40)}
    files.update({f"api{i}/openapi.yaml": "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /orders: {}\n"
                  for i in range(10)})
    write(tmp_path, files)
    cache_dir = tmp_path / "shared-cache"
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO / "src")}
    cmd = [sys.executable, "-m", "commlint", "check", "--isolated", "--format", "json", "-j", "1",
           "--cache-dir", str(cache_dir), "."]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=100) for p in procs]
    assert [p.returncode for p in procs] == [1, 1], [e for _, e in outs]
    third = cli("check", "--isolated", "--format", "json", "--cache-dir", str(cache_dir), ".", cwd=tmp_path)
    results = [json.loads(o)["findings"] for o, _ in outs] + [json.loads(third.stdout)["findings"]]
    assert results[0] == results[1] == results[2]
    assert len(results[0]) >= 50
    assert not [p for p in cache_dir.rglob(".tmp-*")]  # no temporary file left behind


@pytest.mark.timeout(120)
def test_exit_codes_on_broken_input(tmp_path: Path) -> None:
    """Broken files are findings (CL001 is an error): exit 1; --exit-zero: 0; ignoring CL001: 0.
    Only a usage or configuration error exits 2."""
    write(tmp_path, {"broken.py": "import requests\ndef f(:\n", "bad.yaml": "openapi: 3.1.0\npaths: [\n",
                     "bin.proto": b"\xff\xfe\x00", "bomb.avsc": "[" * 100_000})
    p = cli("check", "--isolated", "--no-cache", ".", cwd=tmp_path)
    assert p.returncode == 1 and "Found 4 findings (4 errors) in 4 files" in p.stdout, p.stdout + p.stderr
    assert cli("check", "--isolated", "--no-cache", "--exit-zero", ".", cwd=tmp_path).returncode == 0
    p = cli("check", "--isolated", "--no-cache", "--ignore", "CL001,CL400", ".", cwd=tmp_path)
    assert p.returncode == 0, p.stdout
    (tmp_path / "commlint.toml").write_text("file-timeout = 'soon'\n")
    p = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert p.returncode == 2 and "file-timeout: expected a number of seconds" in p.stderr


def test_safe_open_resolves_dotdot_through_links(tmp_path: Path) -> None:
    """Folders are resolved once and remembered; ``tree/link/..`` is still resolved through the
    link (as ``realpath`` does), never by cutting the name short."""
    from commlint.core import safeio

    (tmp_path / "tree" / "a").mkdir(parents=True)
    (tmp_path / "out" / "x").mkdir(parents=True)
    (tmp_path / "out" / "secret").write_text("s")
    (tmp_path / "tree" / "a" / "f").write_text("f")
    (tmp_path / "tree" / "link").symlink_to(tmp_path / "out" / "x", target_is_directory=True)
    tree = tmp_path / "tree"
    assert safeio.read_file(tree / "a" / "f", 10, tree) == b"f"
    assert safeio.read_file(tree / "a" / ".." / "a" / "f", 10, tree) == b"f"
    with pytest.raises(safeio.Refused):
        safeio.read_file(tree / "link" / ".." / "secret", 10, tree)
    (tmp_path / "tree" / "a" / "g").symlink_to(tmp_path / "out" / "secret")
    with pytest.raises(safeio.Refused):
        safeio.read_file(tree / "a" / "g", 10, tree)  # the file itself is looked at every time
