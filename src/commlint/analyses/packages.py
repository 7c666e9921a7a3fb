"""The folders of a tree that hold Python files, by name: where the project index looks for a
package imported by its first name (``ansible`` under ``lib/``, a sibling project).

Finding them walks the whole tree (ansible: 65 ms, a quarter of a pre-commit run on one file).
The walk is kept in the cache folder, with the stat of each folder it entered, and reused while
every one of them has the stat it had: a folder's modification time changes whenever an entry is
added to it, removed or renamed, as ``artifacts/listing.py`` relies on for the whole listing.
Kept only when no folder changed in the two seconds before the walk. The file is as untrusted as
the tree: anything malformed is ignored, and every folder it names must lie below the root.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

FORMAT = 1
LIMIT = 16 * 1024 * 1024  # a kept walk larger than this is not read
BUDGET = 20000  # folders walked at most
SKIP_DIRS = frozenset({"node_modules", "site-packages", "__pycache__", "venv", ".venv", "build", "dist"})
_MEMO: list[Path | None] = [None]  # the run's cache folder (None: nothing kept)


def use_cache(directory: Path | None) -> None:
    """Keep and reuse walks in ``directory`` (the run's cache folder), or not (None)."""
    _MEMO[0] = directory


def _file(directory: Path, root: Path) -> tuple[Path, str]:
    from ..core.hashing import hexdigest

    name = f"packages-{hexdigest(str(root).encode(), 12)}.json"
    return directory / name, name


def package_dirs(root: Path) -> dict[str, list[Path]]:
    """Folder name -> the folders of that name below ``root`` that hold a ``.py`` file."""
    directory = _MEMO[0]
    if directory is not None:
        kept = _load(directory, root)
        if kept is not None:
            return kept
    found, stats, racy = _walk(root)
    if directory is not None and not racy:
        _save(directory, root, found, stats)
    return found


def _walk(root: Path) -> tuple[dict[str, list[Path]], dict[str, list[int]], bool]:
    from ..core.stamps import settled, stat_key

    found: dict[str, list[Path]] = {}
    stats: dict[str, list[int]] = {}
    racy = False
    now = time.time_ns()
    budget = BUDGET
    top = str(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS]
        budget -= 1
        if budget <= 0:
            racy = True  # not kept: a later walk might stop elsewhere
            break
        try:
            st = os.stat(dirpath)
        except OSError:
            racy = True
        else:
            stats[os.path.relpath(dirpath, top)] = stat_key(st)
            racy = racy or not settled(st, now)
        if any(f.endswith(".py") for f in filenames):
            p = Path(dirpath)
            found.setdefault(p.name, []).append(p)
    return found, stats, racy


def _save(directory: Path, root: Path, found: dict[str, list[Path]], stats: dict[str, list[int]]) -> None:
    from ..core.cachedir import write_into

    top = str(root)
    doc = {"format": FORMAT, "root": top, "stats": stats,
           "packages": {name: [os.path.relpath(p, top) for p in paths] for name, paths in found.items()}}
    try:
        write_into(directory, _file(directory, root)[1], json.dumps(doc, separators=(",", ":")))
    except OSError:
        pass  # a cache folder that cannot be written: the next run walks again


def _load(directory: Path, root: Path) -> dict[str, list[Path]] | None:
    from ..core import safeio
    from ..core.stamps import stat_key

    try:
        doc = json.loads(safeio.read_file(_file(directory, root)[0], LIMIT))
    except (OSError, ValueError, RecursionError, safeio.TooLarge):
        return None
    top = str(root)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("root") != top:
        return None
    stats, packages = doc.get("stats"), doc.get("packages")
    if not isinstance(stats, dict) or not isinstance(packages, dict):
        return None
    for rel, was in stats.items():
        if not _relative(rel):
            return None
        try:
            if stat_key(os.stat(os.path.join(top, rel))) != was:
                return None
        except (OSError, ValueError, TypeError):
            return None
    found: dict[str, list[Path]] = {}
    for name, rels in packages.items():
        if not isinstance(rels, list) or not all(isinstance(r, str) and r in stats for r in rels):
            return None  # every folder named must be one the walk entered, below the root
        found[name] = [Path(os.path.normpath(os.path.join(top, r))) for r in rels]
    return found


def _relative(rel: object) -> bool:
    """A path below the root: relative, without a '..' step or a NUL."""
    if not isinstance(rel, str) or "\x00" in rel or os.path.isabs(rel) or rel[1:2] == ":":
        return False
    return ".." not in rel.replace("\\", "/").split("/")
