"""Reading git history without running anything the checked repository configures.

Every call passes ``core.fsmonitor=false`` and ``--no-ext-diff``/``--no-textconv``
where they apply, so a hostile ``.git/config`` cannot make commlint run a program,
and ``GIT_TERMINAL_PROMPT=0`` so nothing waits for input.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .config import ConfigError

SAFE = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "protocol.allow=never"]


def _git(args: list[str], cwd: Path, timeout: float = 30.0) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    try:
        return subprocess.run(["git", *SAFE, *args], cwd=cwd, capture_output=True, timeout=timeout,
                              env=env, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise ConfigError("git is not installed, but a git revision was given") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"git {' '.join(args[:2])} took longer than {timeout:.0f} s") from None


def toplevel(cwd: Path) -> Path | None:
    p = _git(["rev-parse", "--show-toplevel"], cwd)
    if p.returncode != 0:
        return None
    return Path(p.stdout.decode("utf-8", "surrogateescape").strip())


def verify_ref(ref: str, cwd: Path) -> None:
    if ref.startswith("-"):
        raise ConfigError(f"not a git revision: {ref!r}")
    p = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    if p.returncode != 0:
        raise ConfigError(f"unknown git revision {ref!r}")


def show(ref: str, path: str, cwd: Path) -> str | None:
    """The text of ``path`` (relative to the repository top) at ``ref``, or None when absent."""
    if ref.startswith("-"):
        raise ConfigError(f"not a git revision: {ref!r}")
    p = _git(["--no-pager", "show", "--no-textconv", f"{ref}:{path}"], cwd)
    if p.returncode != 0:
        return None
    try:
        return p.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def log_versions(path: str, cwd: Path, limit: int = 50) -> list[str]:
    """Commits that changed ``path``, newest first (for TRANSITIVE compatibility)."""
    p = _git(["--no-pager", "log", "--format=%H", f"-n{limit}", "--no-ext-diff", "--", path], cwd)
    if p.returncode != 0:
        return []
    return p.stdout.decode().split()


def changed_files(ref: str, targets: list[Path], root: Path) -> list[Path]:
    """Files changed since ``ref`` (committed, staged, unstaged or untracked) under the targets."""
    top = toplevel(root)
    if top is None:
        raise ConfigError("--diff-base needs a git repository")
    verify_ref(ref, top)
    diff = _git(["--no-pager", "diff", "--name-only", "--no-ext-diff", "--no-textconv", "-z", ref, "--"], top)
    if diff.returncode != 0:
        raise ConfigError(f"git diff against {ref!r} failed: {diff.stderr.decode(errors='replace').strip()}")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    names = set(diff.stdout.decode("utf-8", "surrogateescape").split("\0"))
    names |= set(untracked.stdout.decode("utf-8", "surrogateescape").split("\0"))
    wanted = [t.resolve() for t in targets]
    out = []
    for name in sorted(n for n in names if n):
        p = top / name
        if not p.is_file():
            continue
        rp = p.resolve()
        if any(rp == w or w in rp.parents for w in wanted):
            out.append(p)
    return out


def archive(ref: str, pathspecs: list[str], cwd: Path, timeout: float = 120.0) -> bytes | None:
    """A tar of the files matching ``pathspecs`` (git pathspecs, relative to the top) at ``ref``."""
    if ref.startswith("-"):
        raise ConfigError(f"not a git revision: {ref!r}")
    p = _git(["archive", "--format=tar", ref, "--", *pathspecs], cwd, timeout)
    return p.stdout if p.returncode == 0 else None
