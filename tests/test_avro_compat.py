"""commlint's Avro reader/writer check gives the same verdicts as Apache Avro's
own (avro.compatibility, the Python port of Avro-Java's SchemaCompatibility
that Schema Registry uses), on a generated matrix of changes and on every
v1/v2 pair of the demo-schemas corpus, in BACKWARD and FORWARD."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS

from commlint.artifacts.avro import load
from commlint.analyses.avro_compat import compatibility

avro_schema = pytest.importorskip("avro.schema")
avro_compat = pytest.importorskip("avro.compatibility")

PRIMS = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]


def reference(reader: Any, writer: Any) -> bool:
    """Apache Avro's verdict: can ``reader`` read what ``writer`` wrote?"""
    r = avro_schema.parse(json.dumps(reader))
    w = avro_schema.parse(json.dumps(writer))
    result = avro_compat.ReaderWriterCompatibilityChecker().get_compatibility(r, w)
    return result.compatibility is avro_compat.SchemaCompatibilityType.compatible


def ours(reader: Any, writer: Any) -> list:
    r, w = load("reader.avsc", json.dumps(reader)), load("writer.avsc", json.dumps(writer))
    assert r.valid and w.valid, (r.problems, w.problems)
    return compatibility(r, w)


def record(*fields: dict[str, Any], name: str = "R", **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def enum(symbols: list[str], name: str = "E", **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": name, "symbols": symbols, **extra}


def matrix() -> list[tuple[str, Any, Any]]:
    """(id, old, new) schema pairs: each kind of change the issue lists."""
    cases: list[tuple[str, Any, Any]] = []
    # every primitive to every primitive: the promotions and everything else
    for a, b in itertools.product(PRIMS, PRIMS):
        cases.append((f"prim-{a}-to-{b}", record(field("x", a)), record(field("x", b))))
        cases.append((f"array-{a}-to-{b}", {"type": "array", "items": a}, {"type": "array", "items": b}))
    cases.append(("map-int-to-long", {"type": "map", "values": "int"}, {"type": "map", "values": "long"}))
    cases.append(("map-long-to-int", {"type": "map", "values": "long"}, {"type": "map", "values": "int"}))
    # fields added and removed, with and without defaults
    base = [field("id", "string")]
    for kind, t, default in (("int", "int", 0), ("opt", ["null", "string"], None), ("str", "string", "x")):
        cases.append((f"add-{kind}-no-default", record(*base), record(*base, field("f", t))))
        cases.append((f"add-{kind}-default", record(*base), record(*base, field("f", t, default=default))))
        cases.append((f"remove-{kind}-no-default", record(*base, field("f", t)), record(*base)))
        cases.append((f"remove-{kind}-default", record(*base, field("f", t, default=default)), record(*base)))
    # enums: symbols added and removed, with and without a default
    ab, abc = ["A", "B"], ["A", "B", "C"]
    cases += [
        ("enum-add-symbol", record(field("e", enum(ab))), record(field("e", enum(abc)))),
        ("enum-add-symbol-default", record(field("e", enum(ab, default="A"))), record(field("e", enum(abc, default="A")))),
        ("enum-remove-symbol", record(field("e", enum(abc))), record(field("e", enum(ab)))),
        ("enum-remove-symbol-default", record(field("e", enum(abc, default="A"))), record(field("e", enum(ab, default="A")))),
        ("enum-remove-symbol-new-default", record(field("e", enum(abc))), record(field("e", enum(ab, default="A")))),
        ("enum-renamed", record(field("e", enum(ab))), record(field("e", enum(ab, name="F")))),
        ("enum-renamed-alias", record(field("e", enum(ab))), record(field("e", enum(ab, name="F", aliases=["E"])))),
        ("enum-to-string", record(field("e", enum(ab))), record(field("e", "string"))),
        ("add-enum-field-with-enum-default", record(*base), record(*base, field("e", enum(ab, default="A")))),
    ]
    # unions, branch by branch
    u = lambda *b: list(b)
    cases += [
        ("make-optional", record(field("x", "string")), record(field("x", u("null", "string"), default=None))),
        ("make-required", record(field("x", u("null", "string"), default=None)), record(field("x", "string"))),
        ("union-add-branch", record(field("x", u("null", "string"), default=None)), record(field("x", u("null", "string", "int"), default=None))),
        ("union-remove-branch", record(field("x", u("null", "string", "int"), default=None)), record(field("x", u("null", "string"), default=None))),
        ("union-reorder", record(field("x", u("null", "string"), default=None)), record(field("x", u("string", "null"), default="a"))),
        ("union-promote-branch", record(field("x", u("null", "int"), default=None)), record(field("x", u("null", "long"), default=None))),
        ("union-to-promoted-single", record(field("x", u("int", "long"))), record(field("x", "double"))),
        ("union-to-unpromotable-single", record(field("x", u("int", "string"))), record(field("x", "long"))),
        ("single-into-wider-union", record(field("x", "int")), record(field("x", u("string", "long")))),
        ("union-of-records", record(field("x", u(record(field("a", "int"), name="A"), record(field("b", "int"), name="B")))),
         record(field("x", u(record(field("a", "long"), name="A"), record(field("b", "int"), field("c", "int"), name="B"))))),
    ]
    # aliases: fields by name or alias, named types by name or alias
    cases += [
        ("field-renamed", record(field("a", "int")), record(field("b", "int"))),
        ("field-renamed-alias", record(field("a", "int")), record(field("b", "int", aliases=["a"]))),
        ("field-renamed-alias-default", record(field("a", "int")), record(field("b", "int", aliases=["a"], default=0))),
        ("record-renamed", record(field("a", "int")), record(field("a", "int"), name="S")),
        ("record-renamed-alias", record(field("a", "int")), record(field("a", "int"), name="S", aliases=["R"])),
        ("namespace-changed", record(field("a", "int"), namespace="x"), record(field("a", "int"), namespace="y")),
    ]
    # fixed, nested and recursive types
    fixed = lambda n, name="F": {"type": "fixed", "name": name, "size": n}
    linked = lambda t, extra=(): record(field("value", t), field("next", ["null", "Node"], default=None), *extra, name="Node")
    cases += [
        ("fixed-same", record(field("f", fixed(16))), record(field("f", fixed(16)))),
        ("fixed-resized", record(field("f", fixed(16))), record(field("f", fixed(32)))),
        ("fixed-to-bytes", record(field("f", fixed(16))), record(field("f", "bytes"))),
        ("nested-record-field-added", record(field("n", record(field("a", "int"), name="N"))),
         record(field("n", record(field("a", "int"), field("b", "int"), name="N")))),
        ("recursive-same", linked("int"), linked("int")),
        ("recursive-promoted", linked("int"), linked("long")),
        ("recursive-narrowed", linked("long"), linked("int")),
        ("recursive-field-added", linked("int"), linked("int", (field("extra", "string"),))),
        ("record-to-map", record(field("n", record(field("a", "int"), name="N"))), record(field("n", {"type": "map", "values": "int"}))),
        ("array-of-records", {"type": "array", "items": record(field("a", "int"), name="N")},
         {"type": "array", "items": record(field("a", "int"), field("b", "int"), name="N")}),
    ]
    return cases


CASES = matrix()


@pytest.mark.parametrize("old,new", [pytest.param(o, n, id=i) for i, o, n in CASES])
def test_backward_and_forward_agree_with_avro(old: Any, new: Any) -> None:
    assert (not ours(new, old)) == reference(new, old), "BACKWARD verdict differs from avro.compatibility"
    assert (not ours(old, new)) == reference(old, new), "FORWARD verdict differs from avro.compatibility"


def test_the_matrix_has_both_verdicts_in_both_directions() -> None:
    backward = [reference(n, o) for _, o, n in CASES]
    forward = [reference(o, n) for _, o, n in CASES]
    assert backward.count(True) > 20 and backward.count(False) > 20
    assert forward.count(True) > 20 and forward.count(False) > 20


def test_each_promotion_is_one_way() -> None:
    promotions = {("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"), ("long", "double"),
                  ("float", "double"), ("string", "bytes"), ("bytes", "string")}
    for a, b in itertools.product(PRIMS, PRIMS):
        readable = not ours(record(field("x", b)), record(field("x", a)))
        assert readable == (a == b or (a, b) in promotions), f"{a} written, {b} read"


def test_incompatibilities_name_the_field_and_pointer() -> None:
    old = record(field("id", "string"), field("amount", record(field("cents", "long"), name="Money")))
    new = record(field("id", "string"), field("amount", record(field("cents", "int"), field("currency", "string"), name="Money")))
    found = {(i.kind, i.path, i.reader) for i in ours(new, old)}
    assert found == {
        ("type_mismatch", "R.amount.cents", "/fields/1/type/fields/0/type"),
        ("reader_field_missing_default_value", "R.amount.currency", "/fields/1/type/fields/1/name"),
    }


def test_recursive_types_terminate_and_report_once() -> None:
    node = lambda t: record(field("value", t), field("children", {"type": "array", "items": "Node"}), name="Node")
    found = ours(node("int"), node("string"))
    assert [(i.kind, i.path) for i in found] == [("type_mismatch", "Node.value")]


def _demo_pairs() -> list[tuple[Path, Path]]:
    demo = CORPUS / "avro" / "demo-schemas"
    pairs = [(v2.with_name("v1.avsc"), v2) for v2 in sorted(demo.rglob("v2.avsc")) if v2.with_name("v1.avsc").is_file()]
    evolution = demo / "evolution-examples"
    for d in ("backward", "forward", "full"):
        pairs.append((evolution / d / "base-schema.avsc", evolution / d / "evolved-schema.avsc"))
    pairs += [(evolution / "breaking" / "base-schema.avsc", p) for p in sorted((evolution / "breaking").glob("*-example.avsc"))]
    return pairs


def test_demo_schema_pairs_agree_with_avro() -> None:
    if not (CORPUS / "avro" / "demo-schemas").is_dir():
        pytest.skip("corpus not present")
    pairs = _demo_pairs()
    assert len(pairs) >= 14
    compared = 0
    for old_path, new_path in pairs:
        old_text, new_text = old_path.read_text(encoding="utf-8"), new_path.read_text(encoding="utf-8")
        old, new = load(old_path.name, old_text), load(new_path.name, new_text)
        try:
            ref_old, ref_new = avro_schema.parse(old_text), avro_schema.parse(new_text)
        except Exception:  # noqa: BLE001 - Avro rejects it: so must commlint (CL400)
            assert not (old.valid and new.valid), f"avro rejects {new_path} but commlint accepts it"
            continue
        checker = avro_compat.ReaderWriterCompatibilityChecker
        compatible = avro_compat.SchemaCompatibilityType.compatible
        backward = checker().get_compatibility(ref_new, ref_old).compatibility is compatible
        forward = checker().get_compatibility(ref_old, ref_new).compatibility is compatible
        assert (not compatibility(new, old)) == backward, f"BACKWARD {new_path}"
        assert (not compatibility(old, new)) == forward, f"FORWARD {new_path}"
        compared += 1
    assert compared >= 13
