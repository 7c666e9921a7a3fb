"""The real `pre-commit` tool runs commlint's hook from this repository against a
temporary git repository: it fails on a violation and passes once it is fixed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow

CLIENT = """import requests

SESSION = requests.Session()
SESSION.headers["X-Caller-Service"] = "orders"


def fetch(url, request_id):
    return SESSION.get(url, headers={"X-Request-ID": request_id})
"""


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    if shutil.which("pre-commit") is None or shutil.which("git") is None:
        pytest.skip("pre-commit or git is not installed")
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    work = tmp_path / "work"
    work.mkdir()
    _git("init", "-q", cwd=work)
    _git("config", "user.email", "t@example.invalid", cwd=work)
    _git("config", "user.name", "t", cwd=work)
    (work / "client.py").write_text(CLIENT)
    _git("add", "client.py", cwd=work)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "NO_COLOR": "1"}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "try-repo", str(REPO), "commlint", "--all-files", "--color", "never"],
            cwd=work, capture_output=True, text=True, env=env, timeout=900,
        )

    p = run()
    if p.returncode != 0 and "CL101" not in p.stdout:
        if "Could not find a version" in p.stdout + p.stderr or "Network is unreachable" in p.stdout + p.stderr:
            pytest.skip("the hook environment could not be installed (no package index)")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "CL101 missing-timeout" in p.stdout
    (work / "client.py").write_text(CLIENT.replace("request_id})", "request_id}, timeout=5)"))
    _git("add", "client.py", cwd=work)
    p = run()
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Passed" in p.stdout
