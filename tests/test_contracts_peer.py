"""Issue 15, "Contracts at peer grade": no silent pass under a narrow selection, and the
Avro details (one finding per problem across CL403/CL404, no name leakage between
versions, aliases and null namespaces resolved as Apache Avro resolves them)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import found

from commlint.artifacts.avro import load
from commlint.analyses.avro_compat import compatibility

BROKEN = {
    "a.proto": 'syntax = "proto3";\npackage a.v1;\nmessage A { string a = ; }\n',
    "x.avsc": '{"type": "record", "name": "X", "fields": [\n {"name": "a", "type": "nope"}]}\n',
    "o.yaml": "openapi: 3.1.0\npaths: {\n",
}


@pytest.mark.parametrize("select,path,line", [
    (["CL504"], "a.proto", 3), (["CL503"], "a.proto", 3),
    (["CL403"], "x.avsc", 2), (["CL404", "CL401"], "x.avsc", 2),
    (["CL304"], "o.yaml", 3), (["CL3"], "o.yaml", 3),
])
def test_a_file_that_does_not_parse_is_reported_whatever_the_selection(check_tree, select, path, line) -> None:
    result = check_tree(BROKEN, {"select": select})
    assert (path, line, "CL001") in found(result), [f.message for f in result.findings]
    assert result.active, "a broken file must never be 'Found 0 findings'"


def test_the_validity_rule_reports_it_when_selected_and_cl001_can_be_ignored(check_tree) -> None:
    assert found(check_tree(BROKEN, {"select": ["CL5"]})) == {("a.proto", 3, "CL500")}
    assert found(check_tree(BROKEN, {"select": ["CL4"]})) == {("x.avsc", 2, "CL400")}
    assert found(check_tree(BROKEN, {"select": ["CL504"], "ignore": ["CL001"]})) == set()


# -- Avro ---------------------------------------------------------------------------------

avro_schema = pytest.importorskip("avro.schema")
avro_compat = pytest.importorskip("avro.compatibility")


def apache_parses(schema: Any) -> bool:
    try:
        avro_schema.parse(json.dumps(schema))
    except Exception:  # noqa: BLE001 - the reference's verdict
        return False
    return True


def apache_compatible(reader: Any, writer: Any) -> bool:
    r, w = avro_schema.parse(json.dumps(reader)), avro_schema.parse(json.dumps(writer))
    got = avro_compat.ReaderWriterCompatibilityChecker().get_compatibility(r, w)
    return got.compatibility is avro_compat.SchemaCompatibilityType.compatible


INNER = {"type": "record", "name": "Inner", "namespace": "", "fields": [{"name": "a", "type": "int"}]}
NAMESPACES = [
    # a reference from a namespace to a type of the null namespace: Avro looks there second
    {"type": "record", "name": "Outer", "namespace": "x",
     "fields": [{"name": "i", "type": INNER}, {"name": "j", "type": "Inner"}]},
    # a leading-dot alias names the null namespace
    {"type": "record", "name": "Outer", "namespace": "x",
     "fields": [{"name": "e", "type": {"type": "enum", "name": "InnerEnum", "aliases": [".InnerEnum", "Old"], "symbols": ["A"]}}]},
    # the null-namespace type through a union and an array
    {"type": "record", "name": "Outer", "namespace": "x",
     "fields": [{"name": "i", "type": INNER}, {"name": "j", "type": ["null", "Inner"], "default": None},
                {"name": "k", "type": {"type": "array", "items": "Inner"}}]},
    # what Avro rejects stays rejected: a leading dot in a reference or a name, an undefined full name
    {"type": "record", "name": "Outer", "namespace": "x", "fields": [{"name": "i", "type": INNER}, {"name": "j", "type": ".Inner"}]},
    {"type": "record", "name": "Outer", "namespace": "x", "fields": [{"name": "j", "type": "Inner"}]},
]


@pytest.mark.parametrize("schema", NAMESPACES, ids=range(len(NAMESPACES)))
def test_names_resolve_as_apache_avro_resolves_them(schema: Any) -> None:
    art = load("s.avsc", json.dumps(schema))
    assert art.valid == apache_parses(schema), art.problems
    if art.valid:
        assert compatibility(art, art) == [] and apache_compatible(schema, schema)


def test_an_explicit_full_name_is_not_looked_for_elsewhere() -> None:
    # Avro-Java (Schema Registry) rejects "x.Inner" when only the null namespace's Inner exists;
    # the Python port is laxer here and accepts it: commlint follows Avro-Java
    schema = {"type": "record", "name": "Outer", "namespace": "x",
              "fields": [{"name": "i", "type": INNER}, {"name": "j", "type": "x.Inner"}]}
    assert not load("s.avsc", json.dumps(schema)).valid


def test_a_null_namespace_type_is_compared_through_its_references() -> None:
    old = NAMESPACES[0]
    new = json.loads(json.dumps(old))
    new["fields"][0]["type"]["fields"].append({"name": "b", "type": "string"})  # no default: breaks BACKWARD
    ours = compatibility(load("n.avsc", json.dumps(new)), load("o.avsc", json.dumps(old)))
    assert [i.kind for i in ours] == ["reader_field_missing_default_value"] and not apache_compatible(new, old)


V1 = {"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "id", "type": "string"}]}


def test_a_field_added_without_a_default_is_one_finding(check_tree) -> None:
    v2 = {**V1, "fields": V1["fields"] + [{"name": "qty", "type": "int"}]}
    files = {"order.v1.avsc": json.dumps(V1, indent=1), "order.v2.avsc": json.dumps(v2, indent=1)}
    both = check_tree(files, {"select": ["CL403", "CL404"]})
    assert [f.code for f in both.active] == ["CL403"], [f.message for f in both.active]
    alone = check_tree(files, {"select": ["CL404"]})
    assert [f.code for f in alone.active] == ["CL404"]
    # FORWARD: a removed field without a default is CL403's, reported once
    removed = {"order.v1.avsc": json.dumps(v2, indent=1), "order.v2.avsc": json.dumps(V1, indent=1)}
    fwd = check_tree(removed, {"select": ["CL403", "CL404"], "compatibility": {"*": "FORWARD"}})
    assert [f.code for f in fwd.active] == ["CL403"], [f.message for f in fwd.active]
    # BACKWARD does not cover a removal: CL404 still says it
    back = check_tree(removed, {"select": ["CL403", "CL404"]})
    assert [f.code for f in back.active] == ["CL404"]


def test_no_named_type_leaks_between_versions_of_one_subject(check_tree) -> None:
    v1 = {"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "m", "type": "shop.Money"}]}
    money = {"type": "record", "name": "Money", "namespace": "shop", "fields": [{"name": "cents", "type": "long"}]}
    v2 = {"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "m", "type": money}]}
    result = check_tree({"order.v1.avsc": json.dumps(v1), "order.v2.avsc": json.dumps(v2)}, {"select": ["CL400"]})
    assert found(result) == {("order.v1.avsc", 1, "CL400")}  # v1 does not take Money from v2
    # a type in another subject's file beside it is still an import
    shared = check_tree({"order.v1.avsc": json.dumps(v1), "money.avsc": json.dumps(money)}, {"select": ["CL400"]})
    assert found(shared) == set()
