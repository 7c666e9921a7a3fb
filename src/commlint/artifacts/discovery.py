"""Which files to check: walk the given paths, honour ``.gitignore`` and ``exclude``.

Symbolic links are followed only when they stay inside the tree being
checked, and each directory is entered once (no symlink loops). Only regular
files are read: a FIFO, socket or device is skipped (opening one could block).
"""

from __future__ import annotations

import errno
import functools
import operator
import os
import re
from ..core.records import record
from pathlib import Path
from typing import Any

from ..core import safeio
from ..core.config import DEFAULT_EXCLUDE, ConfigError, Settings
from . import kinds_for, listing

GITIGNORE_LIMIT = 4 * 1024 * 1024


@record(frozen=True)
class SourceFile:
    opened: str  # the path as opened (a Path given is kept as its string)
    rel: str  # as reported: relative to the run's root, with '/'
    kinds: tuple[str, ...]
    below: str = ""  # the path below the folder named on the command line (what its role is read from)

    def __post_init__(self) -> None:
        if not isinstance(self.opened, str):
            object.__setattr__(self, "opened", os.fspath(self.opened))

    @functools.cached_property
    def path(self) -> Path:
        """The path as opened, as a Path (made when asked: a warm run on thousands of files needs none)."""
        return Path(self.opened)

    @property
    def role_path(self) -> str:
        return self.below or self.rel


def _spec(patterns: list[str]) -> "_Spec | _DirNames":
    if all(_DIR_NAME.match(p) for p in patterns):
        return _DirNames({p[:-1] for p in patterns})
    return _Spec(patterns)


_DIR_NAME = re.compile(r"^[^/*?\[\]!#\\\s]+/$")  # "node_modules/": a directory name, no wildcard


class _DirNames:
    """Patterns that are all plain directory names (the default ``exclude``):
    a path is matched when one of its directories has such a name. No need to
    import pathspec for that (30 ms, half a pre-commit run's budget for imports)."""

    def __init__(self, names: set[str]):
        self.names = names

    def match_file(self, path: str) -> bool:
        dirs = path.split("/")[:-1]  # "a/b/" -> ["a", "b"]; "a/b.py" -> ["a"]
        return not self.names.isdisjoint(dirs)


_GROUP_RE = re.compile(r"\(\?P<[^>]+>")
_ANYWHERE = "^(?:.+/)?"


class _Spec:
    """A gitignore spec with a fast "no pattern matches" answer.

    pathspec tries each pattern in turn from Python, which costs about a
    microsecond per pattern and path (ansible's 100-line .gitignore made
    discovery slower than the whole check). Almost every path matches no
    pattern, so one combined regular expression answers that case in C; only
    a path that some pattern matches goes through pathspec (built then) for
    the exact answer (negations, directory patterns).
    """

    def __init__(self, lines: list[str]):
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

        self.lines: list[str] = []
        self._spec: Any = None
        anywhere, anchored = [], []  # "name" patterns match below any directory: share that prefix
        for line in lines:
            try:
                regex, include = GitIgnoreSpecPattern.pattern_to_regex(line)
            except ValueError:
                continue  # not a valid pattern ("!" alone): git ignores the line, so do we
            self.lines.append(line)
            if include is None or regex is None:
                continue
            alt = _GROUP_RE.sub("(?:", regex)
            if alt.startswith(_ANYWHERE):
                anywhere.append(alt[len(_ANYWHERE):])
            else:
                anchored.append(alt)
        # "name" patterns, at the start of the path or after a '/': searched for, since ``^(?:.+/)?``
        # backtracks through every character of every path (17 us a path on ansible's .gitignore)
        self.any: re.Pattern[str] | None
        self.anywhere: re.Pattern[str] | None
        try:
            self.any = re.compile("|".join(f"(?:{a})" for a in anchored) or r"(?!)")
            self.anywhere = re.compile("(?:^|/)(?:" + "|".join(anywhere) + ")") if anywhere else None
        except re.error:  # ask pathspec every time
            self.any = self.anywhere = None

    def spec(self) -> Any:
        if self._spec is None:
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(self.lines)
        return self._spec

    def match_file(self, path: str) -> bool:
        if self.any is not None and self.any.match(path) is None and (
                self.anywhere is None or self.anywhere.search(path) is None):
            return False
        return self.spec().match_file(path)


def relpath(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(path: Path, roots: list[Path]) -> bool:
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return False
    return any(real == r or r in real.parents for r in roots)


def discover(paths: list[Path], settings: Settings, warn=lambda msg: None,  # noqa: ANN001
             memo: tuple[Path, str] | None = None) -> list[SourceFile]:
    """The files to check under ``paths``, sorted. With ``memo`` (the cache folder and the run's
    plan key), the last walk is reused while no folder of it has changed (``listing.py``)."""
    safeio.forget_folders()  # what an earlier run in this process resolved may have changed since
    record = want = None
    if memo is not None and paths and all(os.path.isdir(p) for p in paths):
        want = listing.key({"paths": [os.path.abspath(p) for p in paths], "root": os.path.abspath(settings.root),
                            "exclude": settings.exclude, "extend": settings.extend_exclude,
                            "gitignore": settings.respect_gitignore, "cwd": os.getcwd()})
        kept = listing.load(memo[0], memo[1], want, [os.path.abspath(p) for p in paths])
        if kept is not None:
            files, messages = kept
            for msg in messages:
                warn(msg)
            return [SourceFile(p, rel, tuple(kinds), below) for p, rel, kinds, below in files]
        record = listing.Recorder(warn)
    found = _discover(paths, settings, record.warn if record is not None else warn, record)
    if record is not None and memo is not None and want is not None:
        listing.save(memo[0], memo[1], want, [[f.opened, f.rel, list(f.kinds), f.below] for f in found], record)
    return found


def _discover(paths: list[Path], settings: Settings, warn, record: "listing.Recorder | None") -> list[SourceFile]:  # noqa: ANN001
    exclude = _spec(list(DEFAULT_EXCLUDE) + (settings.exclude or []) + settings.extend_exclude)
    root = settings.root.resolve()
    out: dict[str, SourceFile] = {}
    for given in paths:
        if not os.path.lexists(given):
            raise ConfigError(f"{given}: no such file or directory")
        top = given.resolve() if given.is_dir() else given.parent.resolve()
        bounds = [top, root] if top == root or root in top.parents else [top]
        if not given.is_dir() and not given.is_file() and not given.is_symlink():
            warn(f"{given}: not a regular file, not read")
            continue
        if given.is_file() or (given.is_symlink() and not given.is_dir()):
            if not _inside(given, bounds + [given.parent.resolve()]):
                warn(f"{given}: symbolic link out of the tree, not followed")
                continue
            rel = _rel_nofollow(given, root)
            if exclude.match_file(rel):
                continue
            ks = tuple(kinds_for(given.name))
            if ks:
                out.setdefault(rel, SourceFile(given, rel, ks))
            continue
        spec = exclude
        rel_top = _rel_nofollow(given, root)
        configured = (settings.exclude or []) + settings.extend_exclude
        if configured and rel_top not in ("", ".") and _spec(configured).match_file(rel_top.rstrip("/") + "/"):
            # a folder named on the command line is checked even if the configuration
            # excludes it (files named one by one, as pre-commit passes them, stay excluded)
            warn(f"{rel_top}: excluded by the configuration, checked because it was named")
            spec = _spec(list(DEFAULT_EXCLUDE))
        _walk(given, root, bounds, spec, settings, out, warn, _prefix(os.path.abspath(given)), record)
    return sorted(out.values(), key=lambda f: f.rel)


def _walk(top: Path, root: Path, bounds: list[Path], exclude, settings: Settings, out, warn,  # noqa: ANN001
          top_prefix: str = "", record: "listing.Recorder | None" = None) -> None:
    # Plain strings, not Path objects: this loop sees every directory entry of the tree.
    root_prefix = _prefix(os.path.abspath(root))
    seen: set[tuple[int, int]] = set()
    # (the folder as opened, its absolute path with a final separator, its real path when no
    # symbolic link led to it (None otherwise), the .gitignore specs above it)
    try:
        top_real: str | None = os.path.realpath(top, strict=True)
    except (OSError, RuntimeError, ValueError):
        top_real = None
    stack: list[tuple[str, str, str | None, list[tuple[str, _Spec | _DirNames]]]] = [
        (os.fspath(top), _prefix(os.path.abspath(top)), top_real, [])]
    while stack:
        d, d_prefix, d_real, ignores = stack.pop()
        try:
            st = os.stat(d)
        except OSError as exc:
            if record is not None:
                record.racy = True  # a folder that cannot be entered may become one that can: walk again next time
            if exc.errno != errno.ENOENT:  # gone since it was listed: nothing to say
                warn(f"{_short(_under(os.path.abspath(d), root_prefix, d))}: cannot enter folder "
                     f"({_why(exc)}), not checked")
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue  # already entered (a symbolic link loop or a second link to it)
        seen.add((st.st_dev, st.st_ino))
        if record is not None:
            record.saw(d_prefix, st)
        if d_real is not None:
            safeio.known_folder(d, d_real)  # the files read in it: no realpath of their folder
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=_NAME)
        except OSError as exc:
            if record is not None:
                record.racy = True
            warn(f"{d}: cannot list directory ({exc.strerror or exc})")
            continue
        if settings.respect_gitignore:
            gi = os.path.join(d, ".gitignore")
            # from the listing: a stat per folder was a tenth of the walk (a .gitignore made after the
            # listing is read by the next run, as one made after the walk would be)
            if any(e.name == ".gitignore" for e in entries) and os.path.isfile(gi):
                if record is not None:
                    record.saw_file(gi)
                try:
                    text = safeio.read_file(gi, GITIGNORE_LIMIT, bounds[-1]).decode("utf-8", "replace")
                    ignores = ignores + [(d_prefix, _spec(text.splitlines()))]
                except OSError as exc:
                    warn(f"{_short(_under(gi, root_prefix, gi))}: not read ({_why(exc)})")
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
                if not is_dir and not entry.is_file():
                    continue  # a FIFO, socket or device (opening one could block), or a dangling link
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    warn(f"{_short(_under(d_prefix + name, root_prefix, entry.path))}: {_why(exc)}, not checked")
                continue
            ks = () if is_dir else _kinds(name)
            if not is_dir and not ks:
                continue  # not a kind of file commlint reads: no pattern matching needed
            absolute = d_prefix + name
            inside = absolute.startswith(root_prefix)
            rel = _under(absolute, root_prefix, entry.path)
            slash = "/" if is_dir else ""
            # below the root, the relative path answers for the bare name too (a pattern without '/' matches at any depth)
            if exclude.match_file(rel + slash) or (not inside and exclude.match_file(name + slash)):
                continue
            if any(spec.match_file(_under(absolute, base, entry.path) + slash) for base, spec in ignores):
                continue
            if is_link and not _inside(Path(entry.path), bounds):
                warn(f"{rel}: symbolic link out of the tree, not followed")
                continue
            if is_dir:
                real = d_real + os.sep + name if d_real is not None and not is_link else None
                stack.append((entry.path, absolute + os.sep, real, ignores))
            else:
                below = absolute[len(top_prefix):] if top_prefix and absolute.startswith(top_prefix) else ""
                out.setdefault(rel, SourceFile(entry.path, rel, ks, below.replace(os.sep, "/")))


_NAME = operator.attrgetter("name")


_BY_SUFFIX: dict[str, tuple[str, ...]] = {}


def _kinds(name: str) -> tuple[str, ...]:
    """``kinds_for(name)``, by the part that decides it: every ending in ``KINDS`` is one dot and a
    word, so the name's last dot onwards (``.yaml``), remembered (the walk sees every file)."""
    dot = name.rfind(".")
    if dot < 0:
        return ()
    suffix = name[dot:].lower()
    kinds = _BY_SUFFIX.get(suffix)
    if kinds is None:
        kinds = _BY_SUFFIX[suffix] = tuple(kinds_for(suffix))
    return kinds


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "path longer than the system allows (PATH_MAX)"
    return exc.strerror or str(exc)


def _short(rel: str, keep: int = 120) -> str:
    """A path for a message: a path longer than PATH_MAX is shown by its two ends."""
    return rel if len(rel) <= 2 * keep else f"{rel[:keep]}...{rel[-keep:]}"


def _prefix(absolute: str) -> str:
    return absolute if absolute.endswith(os.sep) else absolute + os.sep


def _under(absolute: str, prefix: str, given: str) -> str:
    """``absolute`` relative to the directory ``prefix`` (with '/'), else ``given`` as is."""
    if absolute.startswith(prefix):
        rel = absolute[len(prefix):]
    else:
        rel = given
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def _rel_nofollow(path: Path, base: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        return path.as_posix()


def ignored(path: Path, settings: Settings) -> str | None:
    """Why a file that a lookup (a ``$ref``) would read is not part of what is checked:
    excluded by the configuration or the defaults, or git-ignored; None when it is."""
    root = Path(os.path.realpath(settings.root))
    real = Path(os.path.realpath(path))
    try:
        rel = real.relative_to(root).as_posix()
    except ValueError:
        return None  # outside the run's root: the caller's own bound decides
    exclude = _spec(list(DEFAULT_EXCLUDE) + (settings.exclude or []) + settings.extend_exclude)
    parts = rel.split("/")
    for i in range(1, len(parts)):
        if exclude.match_file("/".join(parts[:i]) + "/"):
            return "excluded by the configuration"
    if exclude.match_file(rel):
        return "excluded by the configuration"
    if not settings.respect_gitignore:
        return None
    for i in range(len(parts)):
        folder = root.joinpath(*parts[:i])
        spec = _gitignore_spec(str(folder), str(root))
        if spec is None:
            continue
        below = parts[i:]
        for j in range(1, len(below)):
            if spec.match_file("/".join(below[:j]) + "/"):
                return "ignored by git (.gitignore)"
        if spec.match_file("/".join(below)):
            return "ignored by git (.gitignore)"
    return None


_GITIGNORES: dict[tuple[str, int, int], Any] = {}


def _gitignore_spec(folder: str, root: str) -> Any:
    gi = os.path.join(folder, ".gitignore")
    try:
        st = os.stat(gi)
    except OSError:
        return None
    key = (gi, st.st_mtime_ns, st.st_size)
    if key not in _GITIGNORES:
        try:
            text = safeio.read_file(gi, GITIGNORE_LIMIT, root).decode("utf-8", "replace")
        except OSError:
            return None
        if len(_GITIGNORES) > 1024:
            _GITIGNORES.clear()
        _GITIGNORES[key] = _spec(text.splitlines())
    return _GITIGNORES[key]
