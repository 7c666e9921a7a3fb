"""The project index's walk for packages (analyses/packages.py), kept in the cache folder and
reused while no folder it entered has changed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from commlint.analyses import packages


def _tree(root: Path) -> None:
    for rel in ("lib/shop/__init__.py", "lib/shop/api.py", "tools/shop/run.py", "docs/readme.txt",
                "node_modules/shop/x.py", ".hidden/shop/y.py"):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n", encoding="utf-8")
    _settle(root)


def _settle(root: Path) -> None:
    """Folders last changed ten seconds ago: a walk of them may be kept."""
    past = time.time() - 10
    for dirpath, _, _ in os.walk(root):
        os.utime(dirpath, (past, past))


@pytest.fixture
def kept(tmp_path: Path):  # noqa: ANN201
    root, cache = tmp_path / "tree", tmp_path / "cache"
    root.mkdir()
    _tree(root)
    packages.use_cache(cache)
    yield root, cache
    packages.use_cache(None)


def _names(found: dict[str, list[Path]], root: Path) -> dict[str, list[str]]:
    return {k: sorted(p.relative_to(root).as_posix() for p in v) for k, v in found.items()}


def test_the_walk_is_kept_and_reused_while_no_folder_changed(kept, monkeypatch) -> None:  # noqa: ANN001
    root, cache = kept
    first = packages.package_dirs(root)
    assert _names(first, root) == {"shop": ["lib/shop", "tools/shop"]}  # node_modules and dot folders skipped
    assert list(cache.glob("packages-*.json"))

    def no_walk(root: Path):  # noqa: ANN202
        raise AssertionError("walked again")

    with monkeypatch.context() as m:
        m.setattr(packages, "_walk", no_walk)
        assert _names(packages.package_dirs(root), root) == _names(first, root)
    (root / "srv" / "shop").mkdir(parents=True)  # a new package: its parent's stat changed
    (root / "srv" / "shop" / "m.py").write_text("x = 1\n", encoding="utf-8")
    _settle(root)
    assert _names(packages.package_dirs(root), root) == {"shop": ["lib/shop", "srv/shop", "tools/shop"]}


def test_a_walk_of_folders_changed_just_now_is_not_kept(kept) -> None:  # noqa: ANN001
    root, cache = kept
    (root / "lib" / "new").mkdir()  # lib's modification time is now
    packages.package_dirs(root)
    assert not list(cache.glob("packages-*.json"))


@pytest.mark.parametrize("bad", [
    {"shop": ["../outside"]},  # a folder the walk never entered
    {"shop": "lib/shop"},
    {"shop": [1]},
])
def test_a_kept_walk_naming_what_it_did_not_enter_is_ignored(kept, bad, monkeypatch) -> None:  # noqa: ANN001
    root, cache = kept
    packages.package_dirs(root)
    path = next(cache.glob("packages-*.json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["packages"] = bad
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _names(packages.package_dirs(root), root) == {"shop": ["lib/shop", "tools/shop"]}  # walked again


def test_a_kept_stat_of_a_path_outside_the_root_is_ignored(kept) -> None:  # noqa: ANN001
    root, cache = kept
    packages.package_dirs(root)
    path = next(cache.glob("packages-*.json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["stats"]["../.."] = [0, 0, 0, 0, 0]
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert packages._load(cache, root) is None
