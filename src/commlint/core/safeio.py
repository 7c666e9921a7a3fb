"""The one way commlint opens a file or lists a folder of the checked tree.

``read_file`` reads a regular file only, inside the tree, at most a bounded
number of bytes:

* the path is resolved and must stay inside ``root`` (when given): a symbolic
  link is followed only while it stays in the tree, as discovery does;
* the resolved path is opened with ``O_NOFOLLOW | O_NONBLOCK``, so a link
  swapped in after the check is refused and a FIFO or device never blocks;
* ``fstat`` on the open descriptor must say regular file (no FIFO, socket,
  ``/dev/zero``), and its size is compared with the limit before any byte is
  read; the read itself is bounded too (a file that grows meanwhile).

``list_dir`` lists the names of a folder's regular files (same rules; at most
``max_entries`` of them), for lookups such as Avro imports or sibling versions.

Every refusal is an ``OSError`` with an errno and a readable ``strerror``, so
callers that already handle unreadable files handle these too.
"""

from __future__ import annotations

import errno
import os
import stat

O_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) \
    | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
MAX_ENTRIES = 10_000  # names list_dir returns at most (a lookup reads each of them)


class Refused(OSError):
    """A file commlint will not read: not regular, out of the tree, or too large."""


class TooLarge(Refused):
    def __init__(self, size: int, limit: int):
        super().__init__(errno.EFBIG, f"file is larger than {limit} bytes")
        self.size = size
        self.limit = limit


_DIRS: dict[tuple[str, bool], str] = {}  # resolved folders (absolute name, strict) -> real path
_MAX_DIRS = 4096


def _real_dir(folder: str, strict: bool) -> str:
    """``realpath`` of a folder, remembered: a run opens thousands of files in a few hundred
    folders, and resolving every component of every path again was a third of a warm run.
    The tree being checked is not changing under the run (its content is the threat, not a
    concurrent process); the file itself is still looked at every time, and opened with
    ``O_NOFOLLOW``."""
    # joined, not normalised: ``a/link/..`` must be resolved through the link, as realpath does
    key = (folder if os.path.isabs(folder) else os.path.join(os.getcwd(), folder), strict)
    real = _DIRS.get(key)
    if real is None:
        real = os.path.realpath(key[0], strict=strict)
        if len(_DIRS) >= _MAX_DIRS:
            _DIRS.clear()
        _DIRS[key] = real
    return real


def known_folder(folder: str, real: str) -> None:
    """Remember the real path of a folder the caller resolved itself (discovery: a folder entered
    through no symbolic link is its parent's real path and its name), so that the files read in it,
    in this process or in a worker forked from it, need no ``realpath`` of their own."""
    if len(_DIRS) < _MAX_DIRS:
        _DIRS[(folder if os.path.isabs(folder) else os.path.join(os.getcwd(), folder), True)] = real


def forget_folders() -> None:
    """A run starts (discovery): folders resolved by an earlier run in this process may have changed."""
    _DIRS.clear()


def real_folder(folder: str) -> str:
    """``os.path.realpath`` of a folder (that need not exist), remembered (see ``_real_dir``)."""
    return _real_dir(folder, False)


def _real(path: "os.PathLike[str] | str") -> str:
    try:
        name = os.fspath(path)
        head, tail = os.path.split(name)
        if tail not in ("", ".", "..") and not stat.S_ISLNK(os.lstat(name).st_mode):
            return os.path.join(_real_dir(head or os.curdir, True), tail)
        return os.path.realpath(name, strict=True)
    except RuntimeError:  # a symlink loop (older Pythons)
        raise Refused(errno.ELOOP, "symbolic link loop") from None
    except ValueError:  # a NUL byte in the name: no such file can exist
        raise Refused(errno.EINVAL, "a file name with a NUL byte") from None


def inside(real: str, root: "os.PathLike[str] | str | None") -> bool:
    if root is None:
        return True
    try:
        r = _real_dir(os.fspath(root), False)
    except (OSError, RuntimeError, ValueError):
        return False
    return real == r or real.startswith(r.rstrip(os.sep) + os.sep)


def open_regular(path: "os.PathLike[str] | str", root: "os.PathLike[str] | str | None" = None) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file in the tree, and its ``fstat``."""
    real = _real(path)
    if not inside(real, root):
        raise Refused(errno.EACCES, "symbolic link out of the tree, not followed")
    fd = os.open(real, O_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(errno.EINVAL, "not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_file(path: "os.PathLike[str] | str", limit: int, root: "os.PathLike[str] | str | None" = None,
              *, truncate: bool = False) -> bytes:
    """The bytes of a regular file in the tree: ``TooLarge`` beyond ``limit`` bytes or, with
    ``truncate``, its first ``limit + 1`` bytes (enough to tell that it is too large)."""
    fd, st = open_regular(path, root)
    try:
        if st.st_size > limit and not truncate:
            raise TooLarge(st.st_size, limit)
        want = limit + 1
        chunks: list[bytes] = []
        got = 0
        while got < want:
            # as much as fstat said is left, and one byte more to see the end (or growth): asking
            # for a megabyte each time allocated one per read, for the read and for the end of every
            # small file (three times the cost of reading a tree of small files in a worker)
            ask = st.st_size - got + 1 if got <= st.st_size else 1 << 16
            chunk = os.read(fd, min(want - got, ask, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        data = b"".join(chunks)
        if len(data) > limit and not truncate:
            raise TooLarge(len(data), limit)
        return data
    finally:
        os.close(fd)


def read_text(path: "os.PathLike[str] | str", limit: int, root: "os.PathLike[str] | str | None" = None,
              encoding: str = "utf-8-sig", errors: str = "strict") -> str:
    return read_file(path, limit, root).decode(encoding, errors)


def is_regular(path: "os.PathLike[str] | str", root: "os.PathLike[str] | str | None" = None) -> bool:
    """Whether ``read_file`` would open it (no read, no open)."""
    try:
        real = _real(path)
        return inside(real, root) and stat.S_ISREG(os.stat(real).st_mode)
    except (OSError, ValueError):
        return False


def list_dir(folder: "os.PathLike[str] | str", root: "os.PathLike[str] | str | None" = None,
             suffix: str | tuple[str, ...] | None = None, max_entries: int = MAX_ENTRIES,
             dirs: bool = False) -> list[str]:
    """Sorted names of the regular files (``dirs``: the folders) of ``folder`` (in the tree)
    ending with ``suffix``; links are followed only inside the tree; at most ``max_entries``
    names. A folder that cannot be listed has no names."""
    try:
        real = _real(folder)
    except OSError:
        return []
    if not inside(real, root):
        return []
    names: list[str] = []
    try:
        with os.scandir(real) as it:
            for entry in it:
                if suffix is not None and not entry.name.endswith(suffix):
                    continue
                try:
                    if dirs:
                        if not entry.is_dir() or (entry.is_symlink() and not inside(_real(entry.path), root)):
                            continue
                    elif entry.is_symlink():
                        if not is_regular(entry.path, root):
                            continue
                    elif not entry.is_file(follow_symlinks=False):
                        continue
                except OSError:
                    continue
                names.append(entry.name)
                if len(names) >= max_entries:
                    break
    except OSError:
        return []
    return sorted(names)


def digest(path: "os.PathLike[str] | str", limit: int, root: "os.PathLike[str] | str | None" = None) -> str:
    """A dependency's digest: its content's, or ``missing`` / ``unreadable`` / ``large:<size>``."""
    from .hashing import blake2b

    try:
        return blake2b(read_file(path, limit, root), digest_size=16).hexdigest()
    except TooLarge as exc:
        return f"large:{exc.size}"
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def listing_digest(folder: "os.PathLike[str] | str", root: "os.PathLike[str] | str | None" = None,
                   suffix: str | tuple[str, ...] | None = None) -> str:
    """What a folder listing was, for results that depend on which files exist."""
    from .hashing import blake2b

    names = list_dir(folder, root, suffix) + [n + "/" for n in list_dir(folder, root, suffix, dirs=True)]
    return "dir:" + blake2b("\0".join(names).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()



def listing_dependency(folder: "os.PathLike[str] | str", suffix: str | None = None) -> str:
    """The dependency key (``FileResult.deps``) of a folder's listing: a cached result that
    looked for files there is reused only while the same names are there."""
    return f"dir:{os.fspath(folder)}" + (f"\0{suffix}" if suffix else "")
