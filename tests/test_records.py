"""core/records.py behaves as dataclasses does for what the core types use of it."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
from typing import ClassVar

import pytest

from commlint.core.records import FrozenInstanceError, field, fields, record, replace


@record(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    note: str = field(default="", repr=False, compare=False)
    KIND: ClassVar[str] = "point"


@dataclasses.dataclass(frozen=True)
class DPoint:
    x: int
    y: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)
    note: str = dataclasses.field(default="", repr=False, compare=False)
    KIND: ClassVar[str] = "point"


@record
class Box:
    items: list[int] = field(default_factory=list)
    label: str = "box"

    def __post_init__(self) -> None:
        self.size = len(self.items)


@record
class Crate(Box):
    weight: float = 1.0


def test_fields_defaults_and_factories_are_those_of_a_dataclass() -> None:
    assert [f.name for f in fields(Point)] == [f.name for f in dataclasses.fields(DPoint)] == ["x", "y", "tags", "note"]
    p, d = Point(1), DPoint(1)
    assert (p.x, p.y, p.tags, p.note) == (d.x, d.y, d.tags, d.note)
    assert Point(1).tags is not Point(1).tags  # a fresh list each time
    assert Point.y == DPoint.y == 0 and Point.KIND == "point"
    assert repr(Point(1, 2, ["a"], "n")) == repr(DPoint(1, 2, ["a"], "n")).replace("DPoint", "Point")
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_equality_and_hashing_follow_dataclasses() -> None:
    assert Point(1, 2) == Point(1, 2, note="other")  # note is not compared
    assert Point(1, 2) != Point(1, 3) and Point(1) != DPoint(1)
    assert hash(Point(1, 2, (), note="a")) == hash(Point(1, 2, (), note="b"))  # type: ignore[arg-type]
    assert Box.__hash__ is None and DPoint.__hash__ is not None  # a mutable record is unhashable
    assert Box([1]) == Box([1]) and Box([1]) != Box([2])


def test_frozen_records_refuse_assignment_and_replace_copies() -> None:
    p = Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.y
    q = replace(p, y=5)
    assert (q.x, q.y, p.y) == (1, 5, 2)


def test_post_init_inheritance_and_pickling() -> None:
    c = Crate([1, 2], weight=3.0)
    assert (c.items, c.label, c.weight, c.size) == ([1, 2], "box", 3.0, 2)
    assert [f.name for f in fields(c)] == ["items", "label", "weight"]
    for obj in (Point(1, 2, ["t"], "n"), c):
        assert pickle.loads(pickle.dumps(obj)) == obj


def test_a_warm_run_imports_neither_dataclasses_nor_inspect(tmp_path) -> None:  # noqa: ANN001
    """What records are for: the modules a warm run imports make no dataclass."""
    import os

    (tmp_path / "svc.py").write_text("import requests\n\n\ndef f():\n    return requests.get('http://a/b')\n")
    os.utime(tmp_path / "svc.py", (1_700_000_000, 1_700_000_000))  # old enough for its stat to be trusted
    cache = tmp_path / "cache"
    code = ("import sys\nfrom commlint.api import check_paths\n"
            "check_paths([sys.argv[1]], cache_dir=sys.argv[2])\n"
            "print(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules))\n")
    run = [sys.executable, "-c", code, str(tmp_path / "svc.py"), str(cache)]
    subprocess.run(run, capture_output=True, text=True, check=True, cwd=tmp_path)  # fills the cache
    assert subprocess.run(run, capture_output=True, text=True, check=True, cwd=tmp_path).stdout.strip() == "[]"


def test_eq_false_compares_and_hashes_by_identity_as_dataclasses_does() -> None:
    @record(eq=False)
    class Node:
        name: str

    @record(frozen=True, eq=False)
    class Frozen:
        name: str

    @dataclasses.dataclass(eq=False)
    class DNode:
        name: str

    for cls in (Node, Frozen, DNode):
        a, b = cls("x"), cls("x")
        assert a != b and a == a and len({a, b}) == 2, cls
    with pytest.raises(FrozenInstanceError):
        Frozen("x").name = "y"  # type: ignore[misc]


def test_a_cold_run_that_checks_python_imports_neither_dataclasses_nor_inspect(tmp_path) -> None:  # noqa: ANN001
    """The analyses and rules make records too: checking a Python file makes no dataclass."""
    (tmp_path / "svc.py").write_text("import requests\n\n\ndef f():\n    return requests.get('http://a/b')\n")
    code = ("import sys\nfrom commlint.api import check_paths\n"
            "r = check_paths([sys.argv[1]])\n"
            "assert 'CL101' in [f.code for f in r.findings], r.findings\n"
            "print(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules))\n")
    run = [sys.executable, "-c", code, str(tmp_path / "svc.py")]
    out = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
