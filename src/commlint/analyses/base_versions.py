"""Earlier versions of a contract file, for the breaking-change rules (OpenAPI, Avro, JSON Schema, proto).

One loader for every kind: the ``--base`` value is a directory holding an earlier copy of
the tree (as buf's ``--against DIR``) or a git revision; Avro also keeps versions side by
side (``order.v1.avsc`` / ``order.v2.avsc``, ``v1/order.avsc``), and a ``*_TRANSITIVE``
mode compares with every committed version. Nothing here parses a kind: callers get text
and a reader for the other files of that version (a spec's ``$ref``s).
"""

from __future__ import annotations

import functools
import os
import re
from ..core.records import record
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from ..core import gitutil, safeio
from ..core.config import ConfigError

Reader = Callable[[Path], "str | None"]


@record(frozen=True)
class Version:
    """One earlier version: a label for messages, its text, and the folder its relative
    references resolve against."""

    label: str
    text: str
    folder: Path


@functools.lru_cache(maxsize=64)
def git_top(folder: str) -> Path | None:
    top = gitutil.toplevel(Path(folder))
    return top.resolve() if top is not None else None


def base_dir(root: Path, base: str) -> Path | None:
    """``base`` as a directory holding an earlier copy of the tree, if it is one."""
    d = Path(base) if Path(base).is_absolute() else root / base
    return d if d.is_dir() else None


@functools.lru_cache(maxsize=16)
def base_problem(ref: str, folder: str) -> str | None:
    """Why the ``--base`` revision cannot be used for a file in ``folder``, or None."""
    top = git_top(folder)
    if top is None:
        return "not inside a git repository (nor a directory)"
    try:
        gitutil.verify_ref(ref, top)
    except ConfigError as exc:
        return str(exc)
    return None


def base_unusable(settings: Any, path: str) -> str | None:
    """Why ``--base`` cannot be compared with for the file at ``path`` (relative to the run's
    root), reported once per file as a note; None when it can, or when no base is set."""
    base = settings.base
    root = Path(settings.root)
    if not base or base_dir(root, base) is not None:
        return None
    return base_problem(base, _ref_folder(root, (root / path).resolve().parent))


def git_reader(root: Path, base: str, file: Path) -> Reader | None:
    """Reads files of the tree as they are at the git revision ``base`` (None: the file is not
    in the repository the run checks). A file in a submodule is read at the submodule commit
    the revision records. Raises ConfigError for an unusable revision."""
    top = git_top(str(root))
    if top is None or top not in file.parents:
        return None
    problem = base_problem(base, str(root))
    if problem:
        raise ConfigError(problem)
    own = git_top(str(file.parent))
    rev, repo = (base, top) if own is None or own == top else (gitutil.base_for(base, own, top) or (None, None))
    if rev is None or repo is None:
        return None

    def read(path: Path) -> str | None:
        try:
            return gitutil.show(rev, path.relative_to(repo).as_posix(), repo)
        except ValueError:
            return None

    return read


def option_path(root: Path, option: str, rel: str) -> tuple[Path, Path]:
    """A rule's ``base-path`` option, a file or a folder mirroring the tree: the earlier
    version of ``rel`` and the folder its references may read."""
    given = (root / option).resolve()
    if given.is_dir():
        return (given / rel).resolve(), given
    return given, given.parent


_VERSIONED_STEM = re.compile(r"^(?:(?P<subject>.+?)[._-])?[vV](?P<n>\d+)$")
_VERSION_DIR = re.compile(r"^[vV](?P<n>\d+)$")
VERSION_LIMIT = 16 * 1024 * 1024  # an earlier version larger than this is not read


def lookup_tree(root: Path, file: Path) -> Path:
    """The tree a version lookup may read: the run's root, or for a file named outside it
    (``commlint check ../schemas``) the folder two levels up (``v1/order.avsc`` beside ``v2/``)."""
    real = Path(os.path.realpath(file))
    top = Path(os.path.realpath(root))
    return top if top in real.parents else real.parent.parent


def sibling_versions(root: Path, rel: str, ext: str) -> list[tuple[int, str]]:
    """Earlier versions of ``rel`` kept beside it, oldest first: (version, relative path)."""
    p = PurePosixPath(rel)
    tree = lookup_tree(root, root / rel)
    out: dict[str, int] = {}
    m = _VERSIONED_STEM.match(p.name[: -len(ext)])
    if m:
        subject, n = m.group("subject") or "", int(m.group("n"))
        for entry in safeio.list_dir(root / p.parent, tree):
            if not entry.lower().endswith(ext) or entry == p.name:
                continue
            other = _VERSIONED_STEM.match(entry[: -len(ext)])
            if other and (other.group("subject") or "") == subject and int(other.group("n")) < n:
                out[str(p.parent / entry)] = int(other.group("n"))
    d = _VERSION_DIR.match(p.parent.name)
    if d:
        n = int(d.group("n"))
        for entry in safeio.list_dir(root / p.parent.parent, tree, dirs=True):
            other = _VERSION_DIR.match(entry)
            if other and int(other.group("n")) < n and safeio.is_regular(root / p.parent.parent / entry / p.name, tree):
                out[str(p.parent.parent / entry / p.name)] = int(other.group("n"))
    return sorted(((n, path) for path, n in out.items()), key=lambda x: (x[0], x[1]))


def version_listings(root: Path, rel: str, ext: str) -> list[str]:
    """The folder listings ``sibling_versions`` depends on (a version added beside a schema
    changes its verdict), as dependency keys."""
    p = PurePosixPath(rel)
    out = [safeio.listing_dependency(root / p.parent, ext)] if _VERSIONED_STEM.match(p.name[: -len(ext)]) else []
    if _VERSION_DIR.match(p.parent.name):
        out.append(safeio.listing_dependency(root / p.parent.parent))
        out += [str(root / p.parent.parent / d / p.name)
                for d in safeio.list_dir(root / p.parent.parent, lookup_tree(root, root / rel), dirs=True)
                if _VERSION_DIR.match(d)]
    return out


def _ref_folder(root: Path, folder: Path) -> str:
    """Where ``--base`` is a revision: the repository the run checks (a file in one of its
    submodules is compared with the commit the revision records for it), else the file's."""
    return str(root) if git_top(str(root)) is not None else str(folder)


def base_versions(root: Path, rel: str, base: str | None, transitive: bool) -> list[Version]:
    """Earlier versions of a file: the file under ``base`` when it is a directory, else at the
    ``base`` git revision; and, when transitive, every commit that changed it."""
    out: list[Version] = []
    refs = []
    path = (root / rel).resolve()
    if base and base_dir(root, base) is not None:
        old = base_dir(root, base) / rel  # type: ignore[operator]
        try:
            text = safeio.read_file(old, VERSION_LIMIT, base_dir(root, base)).decode("utf-8-sig")
            out.append(Version(f"{base.rstrip('/')}/{rel}", text, old.parent))
        except (OSError, UnicodeDecodeError):
            pass
    elif base and base_problem(base, _ref_folder(root, path.parent)) is None:
        refs.append(base)
    if not refs and not transitive:
        return out
    top = git_top(str(path.parent))
    if top is None:
        return out
    try:
        inside = path.relative_to(top).as_posix()
    except ValueError:
        return out
    texts: dict[str, str] = {}
    if refs:  # a file in a submodule: the submodule commit the base revision records
        mapped = gitutil.base_for(refs[0], top, root)
        if mapped is not None:
            texts.update({refs[0]: t for t in gitutil.show_many([mapped[0]], inside, mapped[1]).values()})
    if transitive:  # every commit that changed the file: all of them, however many
        history = [c for c in gitutil.log_versions(inside, top) if c not in refs]
        refs += history
        texts.update(gitutil.show_many(history, inside, top))
    for ref in refs:
        text = texts.get(ref)
        if text is not None:
            label = ref[:12] if re.fullmatch(r"[0-9a-f]{40}", ref) else ref
            out.append(Version(f"{label}:{inside}", text, path.parent))
    return out


MAX_TREE_BYTES = 256 * 1024 * 1024
_TREES: dict[tuple[str, str, str], Path | None] = {}


def base_tree(root: Path, base: str, suffix: str) -> Path | None:
    """A directory holding the earlier tree of ``root``: the ``--base`` directory itself, or the
    files ending in ``suffix`` at the ``--base`` git revision, extracted once per run into a
    temporary directory (compilers that read imports need the whole earlier tree)."""
    given = base_dir(root, base)
    if given is not None:
        return given.resolve()
    root = root.resolve()
    top = git_top(str(root))
    if top is None or base_problem(base, str(root)) is not None:
        return None
    key = (str(root), base, suffix)
    if key not in _TREES:
        _TREES[key] = _extract(root, top, base, suffix)
    return _TREES[key]


def _extract(root: Path, top: Path, base: str, suffix: str) -> Path | None:
    import atexit
    import io
    import shutil
    import tarfile
    import tempfile

    inside = root.relative_to(top).as_posix()
    spec = f":(glob){inside + '/' if inside != '.' else ''}**/*{suffix}"
    data = gitutil.archive(base, [spec], top)
    if data is None or len(data) > MAX_TREE_BYTES:
        return None
    dest = Path(tempfile.mkdtemp(prefix="commlint-base-"))
    atexit.register(shutil.rmtree, dest, True)
    with tarfile.TarFile(fileobj=io.BytesIO(data)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(suffix)]
        tar.extractall(dest, members=members, filter="data")
    return (dest / inside).resolve() if inside != "." else dest.resolve()


def earlier_versions_of(art: Any, root: Path, ext: str, base: str | None, transitive: bool,
                        load_file: Callable[..., Any], parse_version: Callable[[Version], Any]) -> list[tuple[str, Any]]:
    """The versions a schema file must stay compatible with, as (label, parsed artifact).

    Not transitive: the latest earlier version beside it and the ``--base`` one. Transitive:
    every earlier version beside it and every committed version. Which versions exist matters
    as much as what they hold (a version added beside the schema later changes its verdict),
    so the folder listings and the side-by-side files become ``art.deps``. ``load_file(path,
    mtime, size, rel, lookup root)`` reads a version beside it (cached by its stat);
    ``parse_version`` parses a ``--base`` one; either may return None (not a version to judge)."""
    side = sibling_versions(root, art.path, ext)
    if not transitive:
        side = side[-1:]
    art.deps.update(version_listings(root, art.path, ext))
    out: list[tuple[str, Any]] = []
    seen = {art.text}
    for _n, rel in side:
        p = root / rel
        art.deps.add(str(p))
        try:
            st = p.stat()
        except OSError:
            continue
        old = load_file(str(p), st.st_mtime_ns, st.st_size, rel, str(lookup_tree(root, p)))
        if old is not None and old.text not in seen:
            seen.add(old.text)
            out.append((rel, old))
    for v in base_versions(root, art.path, base, transitive):
        if v.text not in seen:
            seen.add(v.text)
            old = parse_version(v)
            if old is not None:
                out.append((v.label, old))
    return out


def configured_mode(settings: Any, subjects: list[str], default: str = "BACKWARD") -> str:
    """A schema's compatibility mode: the longest ``compatibility`` glob matching one of its
    subjects (its path, file name, record or title)."""
    from fnmatch import fnmatchcase

    best: tuple[int, str] | None = None
    for glob, mode in (settings.compatibility or {}).items():
        if any(s and fnmatchcase(s, glob) for s in subjects) and (best is None or len(glob) > best[0]):
            best = (len(glob), str(mode).upper())
    return best[1] if best else default
