"""Reading git history without running anything the checked repository configures.

Every git command commlint runs goes through ``_git``, which disables what a
hostile ``.git/config``, ``.gitattributes`` or environment could make git run:

* ``core.fsmonitor=false`` (an fsmonitor hook), ``core.hooksPath=/dev/null``
  (hooks), ``diff.external=`` plus ``--no-ext-diff`` (an external diff program),
  ``--no-textconv`` (textconv drivers), ``log.showSignature=false`` and
  ``--no-show-signature`` (gpg), ``protocol.allow=never`` (no transport at all);
* ``GIT_CONFIG_NOSYSTEM=1`` and ``GIT_ATTR_NOSYSTEM=1``, ``core.attributesFile=/dev/null``,
  every other ``GIT_*`` variable dropped, ``GIT_TERMINAL_PROMPT=0``, stdin closed;
* clean and smudge filters cannot be switched off by name (``filter.<driver>``
  is whatever the attributes say), so commlint never asks git anything that would
  run one: blobs are read with ``cat-file`` (which applies no filter), and which
  work-tree files changed is decided here, by hashing them as git stores them,
  rather than by ``git diff``/``status`` (which run the clean filter of a file whose
  stat data changed). A file whose stored form is filtered (LFS) therefore counts as
  changed: ``--diff-base`` checks it, which is the safe side.

Every call has a time limit and reads at most ``MAX_OUTPUT`` bytes of a blob.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from .config import ConfigError

SAFE = [
    "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "protocol.allow=never",
    "-c", "diff.external=", "-c", "core.attributesFile=/dev/null", "-c", "log.showSignature=false",
    "-c", "core.pager=cat", "-c", "core.untrackedCache=false", "--no-pager",
]
MAX_OUTPUT = 64 * 1024 * 1024  # a blob larger than this is not read (a schema is not that large)
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    out.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_CONFIG_NOSYSTEM="1", GIT_ATTR_NOSYSTEM="1",
               GIT_NO_REPLACE_OBJECTS="1", GIT_ASKPASS="/bin/false", SSH_ASKPASS="/bin/false")
    out.pop("GIT_EXTERNAL_DIFF", None)
    return out


def _git(args: list[str], cwd: Path, timeout: float = 30.0, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *SAFE, *args], cwd=cwd, capture_output=True, timeout=timeout,
                              env=env(), input=input, stdin=None if input is not None else subprocess.DEVNULL)
    except FileNotFoundError:
        raise ConfigError("git is not installed, but a git revision was given") from None
    except NotADirectoryError:
        raise ConfigError(f"{cwd}: not a folder") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"git {' '.join(args[:2])} took longer than {timeout:.0f} s") from None


def toplevel(cwd: Path) -> Path | None:
    p = _git(["rev-parse", "--show-toplevel"], cwd)
    if p.returncode != 0:
        return None
    return Path(p.stdout.decode("utf-8", "surrogateescape").strip())


def _check_ref(ref: str) -> None:
    if not ref or not ref.strip() or ref.startswith("-") or "\0" in ref or "\n" in ref:
        raise ConfigError(f"not a git revision: {ref!r}")


def verify_ref(ref: str, cwd: Path) -> None:
    _check_ref(ref)
    p = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd)
    if p.returncode != 0:
        raise ConfigError(f"unknown git revision {ref!r}")


def show(ref: str, path: str, cwd: Path) -> str | None:
    """The text of ``path`` (relative to the repository top) at ``ref``, or None when absent,
    not text or larger than MAX_OUTPUT. ``cat-file blob`` applies no filter and no textconv."""
    return show_many([ref], path, cwd).get(ref)


def show_many(refs: list[str], path: str, cwd: Path) -> dict[str, str]:
    """The text of ``path`` at each of ``refs`` that has it (one ``cat-file --batch`` for all)."""
    for ref in refs:
        _check_ref(ref)
    if "\n" in path or not refs:
        return {}
    out: dict[str, str] = {}
    request = "".join(f"{ref}:{path}\n" for ref in refs).encode("utf-8", "surrogateescape")
    p = _git(["cat-file", "--batch"], cwd, timeout=60.0, input=request)
    if p.returncode != 0:
        return {}
    data, pos = p.stdout, 0
    for ref in refs:
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        header = data[pos:nl].split()
        pos = nl + 1
        if len(header) != 3 or header[1] != b"blob":
            if len(header) == 3:  # a tree or commit: skip its content
                try:
                    pos += int(header[2]) + 1
                except ValueError:
                    break
            continue
        size = int(header[2])
        blob = data[pos:pos + size]
        pos += size + 1
        if size > MAX_OUTPUT:
            continue
        try:
            out[ref] = blob.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
    return out


def log_versions(path: str, cwd: Path, limit: int | None = None) -> list[str]:
    """Commits that changed ``path``, newest first (for TRANSITIVE compatibility): all of
    them unless ``limit`` is given."""
    args = ["log", "--format=%H", "--no-ext-diff", "--no-textconv", "--no-show-signature", "--no-renames"]
    if limit is not None:
        args.append(f"-n{limit}")
    p = _git([*args, "--", path], cwd, timeout=120.0)
    if p.returncode != 0:
        return []
    return p.stdout.decode().split()


def superproject_path(top: Path) -> tuple[Path, str] | None:
    """For the top of a submodule's work tree: (the superproject's top, the submodule's path in it)."""
    p = _git(["rev-parse", "--show-superproject-working-tree"], top)
    text = p.stdout.decode("utf-8", "surrogateescape").strip()
    if p.returncode != 0 or not text:
        return None
    sup = Path(text)
    try:
        return sup, Path(os.path.realpath(top)).relative_to(os.path.realpath(sup)).as_posix()
    except ValueError:
        return None


def gitlink(ref: str, sub_path: str, cwd: Path) -> str | None:
    """The commit a superproject's ``ref`` records for the submodule at ``sub_path``."""
    _check_ref(ref)
    p = _git(["ls-tree", "-z", "--end-of-options", ref, "--", sub_path], cwd)
    if p.returncode != 0:
        return None
    for entry in p.stdout.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == b"commit" and name.decode("utf-8", "surrogateescape") == sub_path:
            return parts[2].decode()
    return None


def base_for(ref: str, file_top: Path, run_root: Path) -> tuple[str, Path] | None:
    """The revision to compare a file with, and the repository to read it from.

    ``ref`` names a revision of the repository the run checks (the one holding
    ``run_root``). A file inside a submodule lives in another repository: its base is
    the submodule commit that ``ref`` records (resolved through nested submodules),
    not whatever ``ref`` means inside the submodule. None: the submodule did not exist
    at ``ref``.
    """
    run_top = toplevel(run_root)
    file_real = Path(os.path.realpath(file_top))
    if run_top is None or Path(os.path.realpath(run_top)) == file_real:
        return ref, file_top
    chain: list[tuple[Path, str]] = []
    here = file_real
    for _ in range(32):
        up = superproject_path(here)
        if up is None:
            return ref, file_top  # not a submodule of the run's repository: its own history
        chain.append(up)
        here = Path(os.path.realpath(up[0]))
        if here == Path(os.path.realpath(run_top)):
            break
    else:
        return ref, file_top
    rev, repo = ref, here
    for sup, sub_path in reversed(chain):
        commit = gitlink(rev, sub_path, sup)
        if commit is None:
            return None
        rev, repo = commit, sup / sub_path
    return rev, repo


def _object_format(top: Path) -> str:
    p = _git(["rev-parse", "--show-object-format"], top)
    fmt = p.stdout.decode().strip() if p.returncode == 0 else ""
    return fmt or "sha1"


def _blob_id(data: bytes, fmt: str) -> str:
    h = hashlib.new("sha256" if fmt == "sha256" else "sha1")
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def _worktree_changed(top: Path, mode: str, oid: str, name: str, fmt: str) -> bool:
    """Whether a tracked file differs from its index entry, decided without git (no filter)."""
    from . import safeio

    p = top / name
    try:
        st = os.lstat(p)
    except OSError:
        return True  # deleted: nothing to check, changed_files drops it
    import stat as _stat

    if mode == "120000":
        try:
            return not _stat.S_ISLNK(st.st_mode) or _blob_id(os.fsencode(os.readlink(p)), fmt) != oid
        except OSError:
            return True
    if mode == "160000" or not _stat.S_ISREG(st.st_mode):
        return mode != "160000"
    try:
        data = safeio.read_file(p, MAX_OUTPUT)
    except OSError:
        return True
    return _blob_id(data, fmt) != oid


def changed_files(ref: str, targets: list[Path], root: Path) -> list[Path]:
    """Files changed since ``ref`` (committed, staged, unstaged or untracked) under the targets."""
    top = toplevel(root)
    if top is None:
        raise ConfigError("--diff-base needs a git repository")
    verify_ref(ref, top)
    wanted = [Path(os.path.realpath(t)) for t in targets]
    specs = []
    for w in wanted:
        try:
            rel = w.relative_to(os.path.realpath(top)).as_posix()
        except ValueError:
            continue
        specs.append(f":(literal){rel}" if rel != "." else ":(literal).")
    if not specs:
        return []
    # committed and staged: the index against ref's tree (no work tree involved, so no filter runs)
    diff = _git(["diff-index", "--cached", "--name-only", "--no-renames", "-z", "--end-of-options", ref, "--", *specs], top)
    if diff.returncode != 0:
        raise ConfigError(f"git diff against {ref!r} failed: {diff.stderr.decode(errors='replace').strip()}")
    names = set(diff.stdout.decode("utf-8", "surrogateescape").split("\0"))
    # unstaged: each index entry against the work tree, hashed here
    staged = _git(["ls-files", "-s", "-z", "--", *specs], top)
    fmt = _object_format(top)
    for entry in staged.stdout.split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 3 or not raw:
            continue
        name = raw.decode("utf-8", "surrogateescape")
        if name in names:
            continue
        if parts[2] != b"0" or _worktree_changed(top, parts[0].decode(), parts[1].decode(), name, fmt):
            names.add(name)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z", "--", *specs], top)
    names |= set(untracked.stdout.decode("utf-8", "surrogateescape").split("\0"))
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
