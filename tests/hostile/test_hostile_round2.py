"""Hardening, round 2 (issue 18): each case is built on the fly, as a tester reproduced it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import REPO, case, cli, measure, write  # noqa: F401 (case: a fixture)

from commlint.core import safeio

CALL = "import requests\nrequests.get('http://orders')\n"


def git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", "-c", "protocol.file.allow=always", *args], cwd=cwd, check=True,
                          capture_output=True, text=True, env=env).stdout


# -- the safe-open helper ----------------------------------------------------------------------


def test_safeio_reads_regular_files_in_the_tree_only(tmp_path: Path) -> None:
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    write(outside, {"secret.avsc": "{}"})
    write(tree, {"ok.avsc": "{}", "sub/inner.avsc": "{}"})
    (tree / "zero.avsc").symlink_to("/dev/zero")
    (tree / "out.avsc").symlink_to(outside / "secret.avsc")
    (tree / "in.avsc").symlink_to(tree / "sub" / "inner.avsc")
    os.mkfifo(tree / "fifo.avsc")
    assert safeio.read_file(tree / "ok.avsc", 10, tree) == b"{}"
    assert safeio.read_file(tree / "in.avsc", 10, tree) == b"{}"  # a link that stays inside
    for name in ("zero.avsc", "out.avsc", "fifo.avsc"):
        with pytest.raises(OSError):
            safeio.read_file(tree / name, 1 << 20, tree)
    with pytest.raises(safeio.TooLarge):
        safeio.read_file(tree / "ok.avsc", 1, tree)
    assert safeio.read_file(tree / "ok.avsc", 1, tree, truncate=True) == b"{}"
    assert safeio.list_dir(tree, tree, ".avsc") == ["in.avsc", "ok.avsc"]  # no device, FIFO or escape
    assert len(safeio.list_dir(tree, tree, max_entries=1)) == 1


def test_no_module_opens_files_past_safeio() -> None:
    """Every read of a checked file goes through core/safeio.py (the catalogue and the
    cache writer aside): a new ``open(`` elsewhere fails this test."""
    allowed = {"core/safeio.py", "core/catalogue.py", "core/model.py", "core/cachedir.py", "fixes.py"}  # model: the examples
    offenders = []
    for path in (REPO / "src" / "commlint").rglob("*.py"):
        rel = path.relative_to(REPO / "src" / "commlint").as_posix()
        if rel in allowed:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if any(tok in code for tok in ("open(", ".read_text(", ".read_bytes(", "os.listdir(")) \
                    and "urlopen(" not in code and "os.open(os.devnull" not in code:
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []


# -- item 2: git runs nothing the repository configures ---------------------------------------


def _hostile_repo(root: Path, marker: Path) -> None:
    write(root, {"svc/client.py": CALL, "schemas/order.avsc": '{"type": "record", "name": "O", "fields": []}'})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    write(root, {".gitattributes": "*.py filter=x diff=x\n*.avsc filter=x diff=x\n"})
    touch = f"touch {marker}"
    for key, value in (("filter.x.clean", f"{touch}; cat"), ("filter.x.smudge", f"{touch}; cat"),
                       ("filter.x.process", touch), ("diff.x.textconv", f"{touch}; cat"),
                       ("diff.x.command", touch), ("diff.external", touch), ("core.fsmonitor", touch),
                       ("core.pager", touch), ("log.showSignature", "true"), ("gpg.program", touch)):
        git(root, "config", key, value)
    hooks = root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in ("post-checkout", "pre-commit", "post-index-change", "fsmonitor-watchman"):
        (hooks / hook).write_text(f"#!/bin/sh\n{touch}\n")
        (hooks / hook).chmod(0o755)


@pytest.mark.timeout(120)
def test_diff_base_runs_no_filter_hook_or_diff_program(tmp_path: Path) -> None:
    root, marker = tmp_path / "repo", tmp_path / "marker"
    _hostile_repo(root, marker)
    # a change git's own diff would need the clean filter to see (same size, new content)
    write(root, {"svc/client.py": CALL.replace("orders", "ordres"), "svc/new.py": CALL})
    assert not marker.exists()
    p = cli("check", "--isolated", "--no-cache", "--diff-base", "HEAD", "-f", "json", ".", cwd=root)
    assert not marker.exists(), "commlint ran a program the checked repository configured"
    assert p.returncode == 1, p.stderr
    assert {f["location"]["path"] for f in json.loads(p.stdout)["findings"]} == {"svc/client.py", "svc/new.py"}
    # the comparison with a base reads blobs (cat-file) and history (log): nothing runs either
    write(root, {"schemas/order.avsc": '{"type": "record", "name": "O", "fields": [{"name": "x", "type": "int"}]}'})
    git(root, "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "filter.x.clean=cat", "-c", "filter.x.smudge=cat",
        "-c", "filter.x.process=", "-c", "log.showSignature=false", "commit", "-qam", "two")
    marker.unlink(missing_ok=True)
    p = cli("check", "--isolated", "--base", "HEAD~1", "--select", "ALL", "-f", "json", ".", cwd=root)
    assert not marker.exists(), "commlint ran a program the checked repository configured"
    assert p.returncode in (0, 1), p.stderr


@pytest.mark.timeout(60)
def test_diff_base_sees_unstaged_staged_and_untracked_changes(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": CALL, "b.py": CALL, "c.py": CALL, "same.py": CALL})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "one")
    write(tmp_path, {"a.py": CALL + "# unstaged\n", "b.py": CALL + "# staged\n", "d.py": CALL})
    git(tmp_path, "add", "b.py")
    os.utime(tmp_path / "same.py")  # touched, not changed
    from commlint.core.gitutil import changed_files

    assert [p.name for p in changed_files("HEAD", [tmp_path], tmp_path)] == ["a.py", "b.py", "d.py"]


# -- item 3: names escaped everywhere; a diff never forged by a name ---------------------------


FIXABLE = "import requests\nrequests.get('http://orders')\n"


@pytest.mark.timeout(120)
def test_diff_refuses_names_that_would_forge_a_patch(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    forged = "x.py\n+++ b/victim.txt\n@@ -1 +1 @@\n-untouched\n+owned\n#.py"
    names = [forged, "esc\x1b]0;title\x07.py", "rlo\u202egnp.py", "ok.py"]
    write(tmp_path, {n: FIXABLE for n in names})
    p = cli("check", "--isolated", "--no-cache", "--diff", ".", cwd=tmp_path)
    assert p.returncode == 1, p.stderr  # ok.py's fix is pending: exit 1, as ruff --diff (issue 13)
    assert "\x1b" not in p.stdout + p.stderr and "\u202e" not in p.stdout + p.stderr
    assert "victim" not in p.stdout
    assert "+++ b/ok.py" in p.stdout
    assert p.stderr.count("diff not shown, the file name cannot be written safely") == 3
    patched = subprocess.run(["patch", "-p1", "--dry-run"], input=p.stdout, text=True, cwd=tmp_path,
                             capture_output=True)
    assert "victim" not in patched.stdout
    assert victim.read_text() == "untouched\n"


@pytest.mark.timeout(60)
def test_a_name_that_is_a_workflow_command_is_not_one_in_text_output(tmp_path: Path) -> None:
    write(tmp_path, {"::stop-commands::x.py": CALL, "::error::y.py": CALL})
    p = cli("check", "--isolated", "--no-cache", ".", cwd=tmp_path)
    assert p.returncode == 1
    assert not [ln for ln in p.stdout.splitlines() if ln.lstrip().startswith("::")], p.stdout
    assert "./::stop-commands::x.py" in p.stdout


# -- item 5: the cache never lands in the project ----------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("where", ["", ".", "svc"])
def test_a_cache_dir_that_is_the_project_is_refused(tmp_path: Path, where: str) -> None:
    write(tmp_path, {"svc/client.py": CALL})
    p = cli("check", "--isolated", "--cache-dir", where, ".", cwd=tmp_path)
    assert p.returncode == 2 and "cache" in p.stderr, p.stderr
    assert not (tmp_path / ".gitignore").exists() and not (tmp_path / "svc" / ".gitignore").exists()
    again = cli("check", "--isolated", "--no-cache", ".", cwd=tmp_path)
    assert "1 file checked" in again.stdout


@pytest.mark.timeout(60)
def test_stale_temporary_cache_files_are_removed(tmp_path: Path) -> None:
    write(tmp_path, {"client.py": CALL})
    cache = tmp_path / ".commlint_cache"
    cli("check", "--isolated", ".", cwd=tmp_path)
    old, fresh = cache / ".tmp-killed.json", cache / ".tmp-running.json"
    old.write_text("{")
    fresh.write_text("{")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    write(tmp_path, {"client.py": CALL + "# changed\n"})
    cli("check", "--isolated", ".", cwd=tmp_path)
    assert not old.exists() and fresh.exists()


# -- item 8: wrong results with no warning -----------------------------------------------------


@pytest.mark.timeout(60)
def test_empty_base_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, {"client.py": CALL})
    for args in (["--base", ""], ["--diff-base", ""], ["--cache-dir", " "]):
        p = cli("check", "--isolated", *args, ".", cwd=tmp_path)
        assert p.returncode == 2 and "empty" in p.stderr, (args, p.stderr)
    write(tmp_path, {"commlint.toml": 'base = ""\n'})
    p = cli("check", ".", cwd=tmp_path)
    assert p.returncode == 2 and "base" in p.stderr


@pytest.mark.timeout(60)
def test_a_broken_pyproject_with_our_table_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, {"client.py": CALL, "pyproject.toml": '[project]\nname = "x"\nbroken = \n\n[tool.commlint]\nselect = ["CL1"]\n'})
    p = cli("check", ".", cwd=tmp_path)
    assert p.returncode == 2 and "pyproject.toml" in p.stderr and "TOML" in p.stderr, p.stderr


@pytest.mark.timeout(60)
@pytest.mark.parametrize("content", [b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", b"name = '\xff\xfe'\n",
                                     b"[tool.other]\nbroken = \n"])
def test_an_unrelated_broken_pyproject_above_is_skipped(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "pyproject.toml").write_bytes(content)
    write(tmp_path, {"project/client.py": CALL})
    p = cli("check", "--no-cache", ".", cwd=tmp_path / "project")
    assert p.returncode == 1 and "client.py" in p.stdout, p.stderr


# -- item 9: crashes ---------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_non_utf8_name_with_fix_and_diff(tmp_path: Path) -> None:
    bad = os.fsencode(tmp_path) + b"/latin1-\xe9.py"
    with open(bad, "wb") as fh:
        fh.write(FIXABLE.encode())
    p = cli("check", "--isolated", "--no-cache", "--diff", ".", cwd=tmp_path)
    assert p.returncode == 0 and "Traceback" not in p.stderr and "diff not shown" in p.stderr, p.stderr
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONIOENCODING": "utf-8:strict", "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-m", "commlint", "check", "--isolated", "--no-cache", "."], cwd=tmp_path,
                       capture_output=True, env=env)
    assert p.returncode == 1 and b"Traceback" not in p.stderr, p.stderr
    p = cli("check", "--isolated", "--no-cache", "--fix", "-f", "json", "-o", "out.json", ".", cwd=tmp_path)
    assert "Traceback" not in p.stderr, p.stderr
    doc = json.loads((tmp_path / "out.json").read_bytes().decode("utf-8"))  # valid UTF-8
    assert list(doc["summary"]["fixed"]) == ["latin1-\\udce9.py"]
    assert b"timeout=" in open(bad, "rb").read()


@pytest.mark.timeout(60)
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [[], ["--diff"], ["-f", "json"]])
def test_writing_to_a_full_device_is_an_error_not_a_traceback(tmp_path: Path, args: list[str]) -> None:
    write(tmp_path, {"client.py": FIXABLE})
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NO_COLOR": "1"}
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "commlint", "check", "--isolated", "--no-cache", *args, "."],
                           cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, env=env)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "No space left" in p.stderr, p.stderr


# -- item 10: values validated -----------------------------------------------------------------


BAD_CONFIG = [
    ("file-timeout = nan", "file-timeout"), ("file-timeout = inf", "file-timeout"),
    ("file-timeout = -1", "file-timeout"), ('max-file-size = "99999999999999999999G"', "max-file-size"),
    ("max-python-file-size = 99999999999999999", "max-python-file-size"),
    ("[rules.CL101]\nfix-timeout = nan", "fix-timeout"), ("[rules.CL101]\nfix-timeout = -inf", "fix-timeout"),
    ("[rules.CL101]\nfix-timeout = 0.0", "fix-timeout"), ("[rules.CL131]\nmax-retries = 2.5", "max-retries"),
    ('[rules.CL601]\npattern = "(unclosed"', "pattern"), ('[rules.CL302]\nversion-pattern = "[z-a]"', "version-pattern"),
    ("[rules.CL111]\nnames = [1, 2]", "names"), ("services = {x = 5}", "services.x"),
    ("services = {x = {path = 5}}", "services.x"), ('hosts = {x = [5]}', "hosts.x"),
    ('cache-dir = ""', "cache-dir"),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("text,key", BAD_CONFIG)
def test_bad_values_are_config_errors_naming_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    write(tmp_path, {"client.py": CALL, "commlint.toml": text + "\n"})
    p = cli("check", "--no-cache", ".", cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert key in p.stderr and "commlint.toml" in p.stderr, p.stderr
    assert "internal error" not in p.stdout + p.stderr


def test_jobs_are_capped_and_the_run_says_so(tmp_path: Path) -> None:
    from commlint import runner

    write(tmp_path, {"client.py": CALL})
    m = measure(tmp_path, jobs=100_000)
    assert any("100000 worker processes asked for" in msg for msg in m.result.messages)
    assert runner.max_jobs() <= 64


# -- item 11: workers die with the run ---------------------------------------------------------


DRIVER = """
import sys, time
from pathlib import Path
import commlint.runner as runner
from commlint.core.catalogue import load
from commlint.core.config import build_settings
from commlint.api import check_paths

def slow(source, plan, data=None):
    time.sleep(120)

runner.check_file = slow
runner.PARALLEL_BYTES = 0
root = Path(sys.argv[1])
check_paths([root], build_settings({"file-timeout": 0}, root, load()), jobs=2)
"""


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.timeout(60)
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_workers_die_when_the_run_is_killed(tmp_path: Path) -> None:
    from commlint.runner import BATCH_BYTES

    # large enough for a batch each (small files travel together, and one batch needs one worker)
    write(tmp_path, {f"f{i}.py": CALL + "#" * BATCH_BYTES + "\n" for i in range(4)})
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path)], env=env)
    try:
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) >= 2, "the pool did not start"
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.2)
        assert not [w for w in workers if _alive(w)], "a worker outlived the run"
    finally:
        proc.kill()
        for w in _children(proc.pid):
            os.kill(w, signal.SIGKILL)


def test_the_watchdog_ends_a_worker_whose_parent_is_gone() -> None:
    code = ("import os, time, commlint.runner as r\n"
            "r.die_with_parent(os.getppid() + 999999)\ntime.sleep(30)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    start = time.monotonic()
    p = subprocess.run([sys.executable, "-c", code], env=env, timeout=20)
    assert p.returncode == 1 and time.monotonic() - start < 10


# -- item 12: smaller --------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_fix_keeps_the_owner_of_a_file(tmp_path: Path) -> None:
    write(tmp_path, {"client.py": FIXABLE})
    os.chown(tmp_path / "client.py", 12345, 23456)
    p = cli("check", "--isolated", "--no-cache", "--fix", ".", cwd=tmp_path)
    st = os.stat(tmp_path / "client.py")
    assert (st.st_uid, st.st_gid) == (12345, 23456), p.stdout + p.stderr
    assert "timeout=" in (tmp_path / "client.py").read_text()


@pytest.mark.timeout(60)
def test_fix_refuses_to_break_a_hard_link(tmp_path: Path) -> None:
    write(tmp_path, {"client.py": FIXABLE})
    os.link(tmp_path / "client.py", tmp_path / "other-name.txt")
    m = measure(tmp_path, fix=True)
    assert m.result.fixed == {}
    assert any("hard links" in msg for msg in m.result.messages), m.result.messages
    assert os.stat(tmp_path / "client.py").st_ino == os.stat(tmp_path / "other-name.txt").st_ino
    assert (tmp_path / "client.py").read_text() == FIXABLE


def _deep(root: Path, depth: int = 20) -> None:
    os.makedirs(root / "svc", exist_ok=True)
    d = os.open(root / "svc", os.O_RDONLY)
    for i in range(depth):
        name = f"d{i:02d}" + "x" * 240
        os.mkdir(name, dir_fd=d)
        nd = os.open(name, os.O_RDONLY, dir_fd=d)
        os.close(d)
        d = nd
    f = os.open("client.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=d)
    os.write(f, CALL.encode())
    os.close(f)
    os.close(d)


@pytest.mark.timeout(60)
def test_a_path_longer_than_path_max_is_reported(tmp_path: Path) -> None:
    _deep(tmp_path)
    m = measure(tmp_path)
    assert any("PATH_MAX" in msg for msg in m.result.messages), m.result.messages
    p = cli("check", "--isolated", "--no-cache", ".", cwd=tmp_path)
    assert "PATH_MAX" in p.stdout


# -- item 7: no exponential work ---------------------------------------------------------------


def _mesh(services: int, calls: int) -> dict[str, str]:
    """Each service's one handler calls the next ``calls`` services: a DAG with exponentially
    many paths (the tester's 20 x 10 took over 600 s)."""
    files = {}
    for i in range(services):
        peers = [j for j in range(i + 1, min(services, i + 1 + calls))]
        body = "".join(f"    c{j}.get('/v1/x')\n" for j in peers) or "    pass\n"
        clients = "".join(f"c{j} = httpx.Client(base_url='http://s{j}.shop.svc.cluster.local', timeout=5)\n" for j in peers)
        files[f"s{i}/requirements.txt"] = "fastapi\n"
        files[f"s{i}/app.py"] = (f"import httpx\nfrom fastapi import FastAPI\n\napp = FastAPI()\n{clients}\n\n"
                                 f"@app.get('/v1/x')\ndef x():\n{body}")
    return files


@pytest.mark.timeout(120)
def test_call_chains_are_polynomial(case) -> None:
    m = case(_mesh(20, 10), {"select": ["CL701"]})
    assert m.seconds < 30, m.seconds
    chains = [f for f in m.result.active if f.code == "CL701"]
    assert chains and max(len(f.related) for f in chains) == 8  # MAX_HOPS
    assert m.cl001() == []


@pytest.mark.timeout(60)
def test_a_cross_file_rule_has_a_budget(case, monkeypatch) -> None:
    from commlint.rules import system

    def forever(project):  # noqa: ANN001, ANN202
        while True:
            pass

    monkeypatch.setattr(system, "build", forever)
    m = case(_mesh(3, 2), {"select": ["CL701", "CL001"], "file-timeout": 1})
    assert [msg for msg in m.cl001(".") if "cross-file rule CL701" in msg and "file-timeout" in msg]
    assert m.seconds < 20


# -- item 1: Avro lookups read regular files in the tree, bounded --------------------------------

USES_UNKNOWN = '{"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "m", "type": "shop.Money"}]}'
MONEY = '{"type": "record", "name": "Money", "namespace": "shop", "fields": [{"name": "cents", "type": "long"}]}'


@pytest.mark.timeout(60)
def test_avro_lookups_never_read_devices_fifos_or_links_out_of_the_tree(tmp_path: Path, monkeypatch) -> None:
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    write(outside, {"money.avsc": MONEY})
    write(tree, {"schemas/order.avsc": USES_UNKNOWN})
    (tree / "schemas" / "zero.avsc").symlink_to("/dev/zero")
    (tree / "schemas" / "money.avsc").symlink_to(outside / "money.avsc")
    os.mkfifo(tree / "schemas" / "pipe.avsc")
    (tree / "schemas" / "v0").mkdir()
    (tree / "schemas" / "order.v1.avsc").symlink_to("/dev/zero")
    m = measure(tree, {"file-timeout": 0}, memory=True)
    assert m.seconds < 20 and m.peak_bytes < 200 * 1024 * 1024
    assert "CL400" in m.codes("schemas/order.avsc")  # Money stays unknown: the link out of the tree is not read
    assert m.internal_errors() == []


# -- item 4: a $ref never reads an ignored file, never echoes a referenced value ---------------


@pytest.mark.timeout(60)
def test_a_ref_to_a_git_ignored_file_is_not_read(tmp_path: Path) -> None:
    secret = "-----BEGIN PRIVATE KEY-----SECRETVALUE"
    spec = ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
            "    S: {$ref: 'gcp-key.json#/private_key'}\n    T: {$ref: 'frag.json#/value'}\n")
    write(tmp_path, {".gitignore": "gcp-key.json\n", "gcp-key.json": json.dumps({"private_key": secret}),
                     "frag.json": json.dumps({"value": "ANOTHERSECRET"}), "api.yaml": spec})
    for fmt in ("text", "json", "sarif", "github"):
        p = cli("check", "--isolated", "--no-cache", "--select", "CL300", "-f", fmt, ".", cwd=tmp_path)
        assert "SECRETVALUE" not in p.stdout and "ANOTHERSECRET" not in p.stdout, p.stdout
    m = measure(tmp_path, {"select": ["CL300"]})
    assert any("ignored by git" in f.message for f in m.result.active), [f.message for f in m.result.active]


# -- item 6: cached results depend on every file they read, and on the listings --------------

V2 = '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}'
V1 = '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "int"}]}'


@pytest.mark.timeout(120)
def test_the_cache_sees_files_added_beside_a_schema(tmp_path: Path) -> None:
    write(tmp_path, {"schemas/order.v2.avsc": V2, "types/order.avsc": USES_UNKNOWN})
    cache = tmp_path / "cache"
    args = ["check", "--isolated", "--select", "CL400,CL403", "--cache-dir", str(cache), "-f", "json", "."]

    def codes() -> set[tuple[str, str]]:
        p = cli(*args, cwd=tmp_path)
        return {(f["code"], f["location"]["path"]) for f in json.loads(p.stdout)["findings"]}

    first = codes()
    assert ("CL403", "schemas/order.v2.avsc") not in first and ("CL400", "types/order.avsc") in first
    write(tmp_path, {"schemas/order.v1.avsc": V1, "types/money.avsc": MONEY})
    second = codes()
    assert ("CL403", "schemas/order.v2.avsc") in second
    assert ("CL400", "types/order.avsc") not in second


# -- item 8: TRANSITIVE looks at the whole history ----------------------------------------------


def _avro(fields: list[str]) -> str:
    return json.dumps({"type": "record", "name": "Order", "fields": [json.loads(f) for f in fields]})


@pytest.mark.timeout(180)
def test_transitive_compatibility_sees_every_version(tmp_path: Path) -> None:
    write(tmp_path, {"order.avsc": _avro(['{"name": "x", "type": "int"}'])})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "v1")
    extra: list[str] = []
    for i in range(59):
        extra.append(json.dumps({"name": f"f{i}", "type": "int", "default": 0}))
        write(tmp_path, {"order.avsc": _avro(extra)})
        git(tmp_path, "commit", "-qam", f"v{i + 2}")
    write(tmp_path, {"order.avsc": _avro(extra + ['{"name": "x", "type": "string", "default": ""}'])})
    m = measure(tmp_path, {"select": ["CL403"], "compatibility": {"*": "BACKWARD_TRANSITIVE"}})
    assert "CL403" in m.codes("order.avsc"), [f.message for f in m.result.active]
    m = measure(tmp_path, {"select": ["CL403"], "compatibility": {"*": "BACKWARD"}})
    assert "CL403" not in m.codes("order.avsc")


# -- item 12: a file in a submodule is compared with the commit the base records ---------------


@pytest.mark.timeout(120)
def test_a_submodule_file_gets_the_base_its_superproject_records(tmp_path: Path) -> None:
    sub, sup = tmp_path / "sub", tmp_path / "super"
    write(sub, {"order.avsc": V1})
    git(sub, "init", "-q")
    git(sub, "add", ".")
    git(sub, "commit", "-qm", "v1")
    sup.mkdir()
    git(sup, "init", "-q")
    git(sup, "submodule", "add", "-q", str(sub), "schemas")
    git(sup, "commit", "-qm", "with the submodule")
    write(sup / "schemas", {"order.avsc": V2})
    git(sup / "schemas", "commit", "-qam", "v2, not recorded by the superproject")
    m = measure(sup, {"select": ["CL403"], "base": "HEAD"})
    assert "CL403" in m.codes("schemas/order.avsc"), [f.message for f in m.result.active] + m.result.messages
