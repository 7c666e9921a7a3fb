"""The cache folder: where it is, whether a folder may be one, creating it, tidying it.

A cache folder holds a ``.gitignore`` of ``*`` that commlint wrote, so neither git nor a later
run's discovery looks inside; a folder that is not empty and not already a cache is refused.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir(root: Path) -> Path:
    return root / ".commlint_cache"


GITIGNORE = "# created by commlint\n*\n"
STALE_TMP_SECONDS = 3600  # a temporary file this old was left by a run that was killed
STALE_KEY_SECONDS = 14 * 86400  # results of a key (a commlint version, other options) no run used for this long


def is_cache_dir(directory: Path) -> bool:
    """Whether a folder is a commlint cache (it holds our ``.gitignore``)."""
    from . import safeio

    try:
        return safeio.read_file(Path(directory) / ".gitignore", 4096).decode("utf-8", "replace").startswith("# created by commlint")
    except OSError:
        return False


def check_cache_dir(directory: "str | os.PathLike[str]", targets: list[Path] | None = None) -> Path:
    """A usable cache folder, or ConfigError: not empty (an unset variable gives ``""``,
    which is ``.``), not a folder of the project that is not already a commlint cache
    (its ``.gitignore`` of ``*`` would hide the project from git and from later runs),
    not a folder above a checked path."""
    from .config import ConfigError

    if not os.fspath(directory).strip():
        raise ConfigError("--cache-dir: empty path (an unset variable?)")
    d = Path(directory)
    if os.path.lexists(d) and not d.is_dir():
        raise ConfigError(f"cache directory {d}: exists and is not a folder")
    if d.is_dir() and not is_cache_dir(d):
        try:
            empty = not any(os.scandir(d))
        except OSError:
            empty = False
        if not empty:
            raise ConfigError(f"cache directory {d}: a folder that is not empty and not a commlint cache; "
                              "commlint writes a .gitignore of '*' there, which would hide its files")
    real = Path(os.path.realpath(d))
    for t in targets or []:
        rt = Path(os.path.realpath(t))
        if rt == real or real in rt.parents:
            raise ConfigError(f"cache directory {d}: holds the checked path {t}")
    return d


def prepare_cache_dir(directory: Path) -> None:
    """Create the cache directory with a ``.gitignore`` of ``*``: neither git nor a
    later run's discovery looks inside, wherever it is. The ``.gitignore`` is written
    only into a folder that is empty or already a cache (check_cache_dir)."""
    directory.mkdir(parents=True, exist_ok=True)
    gitignore = directory / ".gitignore"
    if not os.path.lexists(gitignore):
        if any(e.name != ".gitignore" and not e.name.startswith(".tmp-") for e in os.scandir(directory)):
            raise OSError(17, "not a commlint cache folder")
        fd = os.open(gitignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(GITIGNORE)


def remove_stale_tmp(directory: Path, now: float | None = None) -> int:
    """Delete ``.tmp-*`` files a killed run left behind, once they are old enough that no
    live run can still be writing them. Returns how many were removed."""
    import time

    now = time.time() if now is None else now
    removed = 0
    try:
        with os.scandir(directory) as it:
            for e in it:
                if not e.name.startswith(".tmp-"):
                    continue
                try:
                    st = e.stat(follow_symlinks=False)
                    if now - st.st_mtime > STALE_TMP_SECONDS:
                        os.unlink(e.path)
                        removed += 1
                except OSError:
                    pass
    except OSError:
        pass
    return removed


def remove_stale_keys(directory: Path, keep: str, now: float | None = None) -> int:
    """Delete the results kept under other keys (``<key>.json`` with its ``listing-`` and
    ``system-`` files: an earlier commlint version's, or other rules' and options') when none of a
    key's files was written or used (``Cache.save`` touches a file it read) for two weeks, so that
    upgrades do not pile copies of a tree's results up in the folder. Returns how many were removed."""
    import re
    import time

    now = time.time() if now is None else now
    keyed = re.compile(r"(?:listing-|system-)?([0-9a-f]{16})\.json\Z")
    groups: dict[str, list[tuple[str, float]]] = {}
    try:
        with os.scandir(directory) as it:
            for e in it:
                m = keyed.match(e.name)
                if m is None or m.group(1) == keep:
                    continue
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                groups.setdefault(m.group(1), []).append((e.path, st.st_mtime))
    except OSError:
        return 0
    removed = 0
    for files in groups.values():
        if now - max(t for _, t in files) <= STALE_KEY_SECONDS:
            continue
        for path, _ in files:
            try:
                os.unlink(path)
                removed += 1
            except OSError:
                pass
    return removed


def _new_tmp(directory: Path) -> tuple[int, str]:
    """A new file of our own in ``directory`` (created, never opened if it exists: O_EXCL), named
    as ``tempfile.mkstemp`` would, without importing tempfile (shutil, random, bz2, lzma: 4 ms of a
    one-file run)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = os.path.join(directory, f".tmp-{os.urandom(6).hex()}.json")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


def write_into(directory: Path, name: str, text: str) -> None:
    """Write a file of the cache folder whole or not at all (a temporary file renamed over it), so
    a run reading it at the same time sees the old content or the new. OSError when the folder
    cannot be written (read-only, full, not a cache)."""
    tmp = None
    try:
        prepare_cache_dir(directory)
        remove_stale_tmp(directory)
        fd, tmp = _new_tmp(directory)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, directory / name)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
