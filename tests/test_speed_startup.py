"""Start-up and pre-commit use: what a run imports, and which files it checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, write_tree

HEAVY = ("libcst", "yaml", "openapi_spec_validator", "jsonschema", "pydantic", "typer", "fastavro", "rich")
BAD = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
PLAIN = '"""Sends requests nowhere: only the word is here."""\n\n\ndef add(a, b):\n    return a + b\n'


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO / "src"))


def _modules_after(args: list[str], cwd: Path) -> tuple[int, set[str]]:
    """Run the CLI in a fresh interpreter; the exit code and every module it imported."""
    code = (
        "import json, sys\n"
        "from commlint.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as e:\n"
        "    rc = e.code\n"
        "sys.stderr.write('\\nMODULES ' + json.dumps([rc, sorted(sys.modules)]) + '\\n')\n"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)
    line = next(ln for ln in p.stderr.splitlines() if ln.startswith("MODULES "))
    rc, mods = json.loads(line[len("MODULES "):])
    return rc, set(mods)


def _roots(mods: set[str]) -> set[str]:
    return {m.split(".")[0] for m in mods}


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    rc, mods = _modules_after(["--version"], tmp_path)
    assert rc == 0
    assert not _roots(mods) & set(HEAVY), sorted(_roots(mods) & set(HEAVY))
    assert "commlint.engine" not in mods


def test_a_run_with_nothing_to_parse_builds_no_tree(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/plain.py": PLAIN, "app/util.py": "X = 1\n"})
    rc, mods = _modules_after(["check", "--no-cache", "-q", str(tmp_path)], tmp_path)
    assert rc == 0
    assert "commlint.artifacts.pybuild" not in mods  # the prefilter said no: nothing was parsed
    assert "libcst" not in mods


def test_no_run_imports_libcst_and_a_warm_run_builds_no_tree(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/bad.py": BAD, "app/plain.py": PLAIN})
    rc, mods = _modules_after(["check", "-q", str(tmp_path)], tmp_path)
    assert rc == 1 and "commlint.artifacts.pybuild" in mods and "libcst" not in mods
    rc, mods = _modules_after(["check", "-q", str(tmp_path)], tmp_path)
    assert rc == 1  # the finding comes from the cache
    assert not _roots(mods) & {"libcst", "pydantic", "typer"} and "commlint.artifacts.pybuild" not in mods
    assert "_hashlib" not in mods  # OpenSSL, through hashlib: core/hashing.py keeps it out


def _git(cwd: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    env = {k: v for k, v in env.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _check_json(args: list[str], cwd: Path) -> tuple[int, dict]:
    p = subprocess.run([sys.executable, "-m", "commlint", "check", "--format", "json", "--no-cache", *args],
                       cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)
    return p.returncode, json.loads(p.stdout)


def _paths(report: dict) -> set[str]:
    return {f["location"]["path"] for f in report["findings"]}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write_tree(root, {"old/a.py": BAD, "old/b.py": BAD, "commlint.toml": ""})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "start")
    return root


def test_diff_base_checks_only_changed_and_new_files(repo: Path) -> None:
    rc, report = _check_json([], repo)
    assert rc == 1 and _paths(report) == {"old/a.py", "old/b.py"}
    (repo / "old/b.py").write_text(BAD + "\n\ndef more():\n    return requests.post('u')\n", encoding="utf-8")
    write_tree(repo, {"new/c.py": BAD, "new/ignored.py": BAD, ".gitignore": "new/ignored.py\n"})
    rc, report = _check_json(["--diff-base", "HEAD"], repo)
    assert rc == 1
    assert _paths(report) == {"old/b.py", "new/c.py"}
    assert report["summary"]["files"] == 2  # b.py and c.py: a.py is not even read
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "more")
    rc, report = _check_json(["--diff-base", "HEAD"], repo)
    assert rc == 0 and report["findings"] == []
    rc, report = _check_json(["--diff-base", "HEAD~1", "old"], repo)  # limited to the given paths
    assert _paths(report) == {"old/b.py"}


def test_diff_base_needs_a_known_revision(repo: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "commlint", "check", "--diff-base", "no-such-ref"], cwd=repo,
                       env=_env(), capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "unknown git revision" in p.stderr


def test_file_arguments_from_pre_commit_check_only_those_files(repo: Path) -> None:
    rc, report = _check_json(["old/b.py"], repo)
    assert rc == 1 and _paths(report) == {"old/b.py"} and report["summary"]["files"] == 1


def test_no_progress_bar_when_piped(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"m{i}.py": BAD for i in range(30)})
    p = subprocess.run([sys.executable, "-m", "commlint", "check", "--no-cache", str(tmp_path)], cwd=tmp_path,
                       env=_env(), capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert p.stderr == ""


def test_progress_bar_waits_a_second_before_showing(monkeypatch) -> None:  # noqa: ANN001
    import time

    from commlint import cli

    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    bar = cli._progress_bar()
    bar.update(1, 50)
    assert bar.bar is None  # a quick run never shows one
    now[0] += 1.5
    bar.update(2, 50)
    assert bar.bar is not None
    bar.update(50, 50)
    bar.close()
