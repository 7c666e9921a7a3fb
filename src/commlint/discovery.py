"""Which files to check: walk the given paths, honour ``.gitignore`` and ``exclude``.

Symbolic links are followed only when they stay inside the tree being
checked, and each directory is entered once (no symlink loops). Only regular
files are read: a FIFO, socket or device is skipped (opening one could block).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pathspec

from .artifacts import kinds_for
from .config import DEFAULT_EXCLUDE, ConfigError, Settings


@dataclass(frozen=True)
class SourceFile:
    path: Path  # as opened
    rel: str  # as reported: relative to the run's root, with '/'
    kinds: tuple[str, ...]


def _spec(patterns: list[str]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


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


def discover(paths: list[Path], settings: Settings, warn=lambda msg: None) -> list[SourceFile]:  # noqa: ANN001
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
        _walk(given, root, bounds, exclude, settings, out, warn)
    return sorted(out.values(), key=lambda f: f.rel)


def _walk(top: Path, root: Path, bounds: list[Path], exclude, settings: Settings, out, warn) -> None:  # noqa: ANN001
    seen: set[Path] = set()
    stack: list[tuple[Path, list[tuple[Path, pathspec.PathSpec]]]] = [(top, [])]
    while stack:
        d, ignores = stack.pop()
        try:
            real = d.resolve()
        except (OSError, RuntimeError):
            continue
        if real in seen:
            continue
        seen.add(real)
        if settings.respect_gitignore:
            gi = d / ".gitignore"
            if gi.is_file():
                try:
                    lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
                    ignores = ignores + [(d, _spec(lines))]
                except OSError:
                    pass
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            warn(f"{d}: cannot list directory ({exc.strerror or exc})")
            continue
        for entry in entries:
            p = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
                if not is_dir and not entry.is_file():
                    continue  # a FIFO, socket or device (opening one could block), or a dangling link
            except OSError:
                continue
            rel = _rel_nofollow(p, root)
            probe = rel + "/" if is_dir else rel
            if exclude.match_file(probe) or exclude.match_file(entry.name + ("/" if is_dir else "")):
                continue
            if any(spec.match_file(_rel_nofollow(p, base) + ("/" if is_dir else "")) for base, spec in ignores):
                continue
            if is_link and not _inside(p, bounds):
                warn(f"{rel}: symbolic link out of the tree, not followed")
                continue
            if is_dir:
                stack.append((p, ignores))
                continue
            ks = tuple(kinds_for(entry.name))
            if ks:
                out.setdefault(rel, SourceFile(p, rel, ks))


def _rel_nofollow(path: Path, base: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        return path.as_posix()
