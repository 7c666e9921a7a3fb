"""Avro schemas: what makes one invalid (CL400), and the rules that need more
than a catalogue example shows: git history, compatibility modes, suppressions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import found, run, write_tree

from commlint.artifacts.avro import load
from commlint.core.config import ConfigError


def problems(schema: Any) -> list[tuple[str, str]]:
    text = schema if isinstance(schema, str) else json.dumps(schema, indent=1)
    art = load("s.avsc", text)
    return [(p if isinstance(p, str) else f"line {p.line}", m) for p, m in art.problems]


def rec(*fields: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": "R", "fields": list(fields), **extra}


@pytest.mark.parametrize("schema,pointer,words", [
    (rec({"name": "a", "type": "int"}, {"name": "a", "type": "string"}), "/fields/1/name", "duplicate field name"),
    (rec({"name": "a-b", "type": "int"}), "/fields/0/name", "invalid field name"),
    ({"type": "record", "name": "9R", "fields": []}, "/name", "invalid name"),
    ({"type": "record", "name": "R", "namespace": "a..b", "fields": []}, "/namespace", "invalid namespace"),
    (rec({"name": "u", "type": ["int", "int"]}), "/fields/0/type/1", "two branches"),
    (rec({"name": "u", "type": [{"type": "array", "items": "int"}, {"type": "array", "items": "long"}]}), "/fields/0/type/1", "two branches"),
    (rec({"name": "u", "type": ["null", ["int", "string"]]}), "/fields/0/type/1", "another union"),
    ({"type": "record", "name": "R"}, "", '"fields" list'),
    (rec({"name": "f", "type": {"type": "fixed", "name": "F"}}), "/fields/0/type", '"size"'),
    (rec({"name": "a", "type": "int", "order": "sideways"}), "/fields/0/order", "invalid order"),
    (rec({"name": "a", "type": "int", "default": "x"}), "/fields/0/default", "does not match"),
    (rec({"name": "a", "type": "Missing"}), "/fields/0/type", "unknown type"),
    (rec({"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "A"]}}), "/fields/0/type/symbols/1", "duplicate enum symbol"),
    (rec({"name": "e", "type": {"type": "enum", "name": "R", "symbols": ["A"]}}), "/fields/0/type/name", "defined twice"),
    (rec({"name": "a"}), "/fields/0", 'no "type"'),
    (42, "", "not an Avro schema"),
])
def test_invalid_schemas_are_reported_at_their_pointer(schema: Any, pointer: str, words: str) -> None:
    got = problems(schema)
    assert any(p == pointer and words in m for p, m in got), got


def test_fastavro_accepts_what_is_reported() -> None:
    """The walk exists because fastavro lets these through."""
    import fastavro

    for schema in (rec({"name": "a", "type": "int"}, {"name": "a", "type": "string"}), rec({"name": "a-b", "type": "int"}),
                   rec({"name": "u", "type": ["int", "int"]})):
        fastavro.parse_schema(schema)
        assert problems(schema)


def test_json_errors_and_duplicate_keys_have_lines() -> None:
    assert problems('{\n "type": "record",\n "name": "R",\n "fields": [,]\n}')[0][0] == "line 4"
    got = problems('{"type": "record", "name": "R", "name": "S", "fields": []}')
    assert got and "duplicate key 'name'" in got[0][1]


def test_hostile_input_is_a_problem_not_a_crash() -> None:
    deep = '{"type": "array", "items": ' * 3000 + '"int"' + "}" * 3000
    assert problems(deep)
    assert load("s.avsc", "").problems
    assert load("s.avsc", "null").problems
    assert load("s.avsc", '{"type": "map", "values": {"type": "map"}}').problems


def test_valid_schemas_with_logical_types_and_named_references() -> None:
    schema = rec(
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
        {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"], "default": "A"}},
        {"name": "again", "type": "Kind", "default": "B"},
        {"name": "self", "type": ["null", "R"], "default": None},
        {"name": "nested", "type": {"type": "record", "name": "N", "namespace": "other", "fields": []}},
        {"name": "nested_again", "type": "other.N", "default": {}},
        namespace="com.shop",
    )
    assert problems(schema) == []
    art = load("s.avsc", json.dumps(schema))
    assert set(art.defined_at) == {"com.shop.R", "com.shop.Kind", "other.N"}


def test_the_events_of_a_union_leave_out_its_parts() -> None:
    def top(schema: Any) -> list[str]:
        return [r["name"] for r, _ in load("s.avsc", json.dumps(schema)).top_records()]

    address = rec({"name": "city", "type": "string"}, name="Address")
    placed = rec({"name": "ship_to", "type": ["null", "Address"], "default": None},
                 {"name": "lines", "type": {"type": "array", "items": rec(name="Line")}}, name="OrderPlaced")
    assert top([address, placed, "Line"]) == ["OrderPlaced"]  # held by name, or defined inside another branch
    assert top([rec(name="OrderPlaced"), rec(name="OrderCancelled")]) == ["OrderPlaced", "OrderCancelled"]


def test_the_parts_of_a_union_are_found_in_one_walk(monkeypatch) -> None:  # noqa: ANN001
    """A union of records each naming all the earlier ones (a quarter of a megabyte): which are parts
    is read from each branch's own subtree, not by following every name (that was 2.4 s for this
    one, and grew with the cube of its size up to the 16 MB file limit)."""
    from commlint.artifacts import avro

    n = 250
    schema = [rec({"name": "f", "type": ["null", *[f"R{j}" for j in range(i)]] if i else "int"}, name=f"R{i}")
              for i in range(n)]
    art = load("s.avsc", json.dumps(schema))
    calls = 0
    resolve = avro.AvroArtifact.resolve

    def counted(self, node, ptr):  # noqa: ANN001, ANN202
        nonlocal calls
        calls += 1
        return resolve(self, node, ptr)

    monkeypatch.setattr(avro.AvroArtifact, "resolve", counted)
    assert [r["name"] for r, _ in art.top_records()] == [f"R{n - 1}"]
    assert calls <= n  # one per branch


# -- CL403 / CL404 against git history -----------------------------------------------------

V1 = {"type": "record", "name": "OrderCreated", "fields": [{"name": "order_id", "type": "string"}, {"name": "qty", "type": "int"}]}
V2 = {"type": "record", "name": "OrderCreated", "fields": [{"name": "order_id", "type": "string"}]}  # qty removed
V3 = {"type": "record", "name": "OrderCreated", "fields": [{"name": "order_id", "type": "string"},
                                                          {"name": "qty", "type": "string", "default": ""}]}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
                          cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    git(tmp_path, "init", "-q", "-b", "main")
    return tmp_path


def commit(root: Path, files: dict[str, Any], message: str) -> None:
    write_tree(root, {k: json.dumps(v, indent=2) + "\n" for k, v in files.items()})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def test_base_revision_is_the_previous_version(repo: Path) -> None:
    commit(repo, {"schemas/order.avsc": V1}, "v1")
    write_tree(repo, {"schemas/order.avsc": json.dumps(V3, indent=2)})
    result = run(repo, {"select": ["CL403"], "base": "HEAD"})
    [f] = result.active
    assert (f.location.path, f.location.line) == ("schemas/order.avsc", 11)
    assert "OrderCreated.qty" in f.message and "from int to string" in f.message and "HEAD:schemas/order.avsc" in f.message
    assert run(repo, {"select": ["CL403"]}).active == []  # no base, not transitive: nothing to compare with


def test_transitive_mode_reads_every_committed_version(repo: Path) -> None:
    commit(repo, {"schemas/order.avsc": V1}, "v1")
    commit(repo, {"schemas/order.avsc": V2}, "v2")
    write_tree(repo, {"schemas/order.avsc": json.dumps(V3, indent=2)})
    assert run(repo, {"select": ["CL403"], "base": "HEAD"}).active == []  # against v2 alone: compatible
    result = run(repo, {"select": ["CL403"], "compatibility": {"*.avsc": "backward_transitive"}})
    assert {(f.location.line, f.code) for f in result.active} == {(11, "CL403")}
    assert "BACKWARD_TRANSITIVE" in result.active[0].message


def test_forward_mode_reports_a_removed_field_at_the_new_record(repo: Path) -> None:
    commit(repo, {"schemas/order.avsc": V1}, "v1")
    write_tree(repo, {"schemas/order.avsc": json.dumps(V2, indent=2)})
    assert run(repo, {"select": ["CL403"], "base": "HEAD"}).active == []  # BACKWARD allows removing
    result = run(repo, {"select": ["CL403", "CL404"], "base": "HEAD", "compatibility": {"schemas/*": "FORWARD"}})
    # one finding per problem: the removed field is CL403's here, not CL404's as well
    assert {(f.location.line, f.code) for f in result.active} == {(4, "CL403")}
    assert any("field 'qty' was removed" in f.message for f in result.active if f.code == "CL403")


def test_an_unknown_base_revision_is_a_note_not_a_crash(repo: Path) -> None:
    commit(repo, {"schemas/order.avsc": V1}, "v1")
    result = run(repo, {"select": ["CL403"], "base": "no-such-branch"})
    assert [(f.code, f.severity.label) for f in result.active] == [("CL403", "note")]
    assert "unknown git revision" in result.active[0].message


def test_the_longest_matching_glob_sets_the_mode(check_tree) -> None:
    files = {"s/order.v1.avsc": json.dumps(V1), "s/order.v2.avsc": json.dumps(V2)}
    assert found(check_tree(files, {"select": ["CL403"], "compatibility": {"*": "FORWARD", "s/order*": "BACKWARD"}})) == set()
    assert found(check_tree(files, {"select": ["CL403"], "compatibility": {"*": "BACKWARD", "s/order*": "FORWARD"}})) == {
        ("s/order.v2.avsc", 1, "CL403")}
    assert found(check_tree(files, {"select": ["CL403"], "compatibility": {"OrderCreated": "FULL"}})) == {
        ("s/order.v2.avsc", 1, "CL403")}


def test_an_unknown_mode_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="compatibility.*BACKWARDS"):
        run(tmp_path, {"compatibility": {"*": "BACKWARDS"}})


def test_versions_side_by_side_are_paired_by_subject(check_tree) -> None:
    bad = json.dumps({"type": "record", "name": "OrderCreated", "fields": [{"name": "order_id", "type": "long"}]})
    files = {
        "a/order_v1.avsc": json.dumps(V1), "a/order_v2.avsc": bad,  # underscore
        "b/v1/order.avsc": json.dumps(V1), "b/v2/order.avsc": bad,  # folders
        "c/v1.avsc": json.dumps(V1), "c/v2.avsc": bad,  # the folder is the subject
        "d/order.v1.avsc": json.dumps(V1), "d/payment.v2.avsc": bad,  # another subject: not paired
        "e/dev1.avsc": json.dumps(V1), "e/dev2.avsc": bad,  # not a version suffix
    }
    assert {p for p, _, _ in found(check_tree(files, {"select": ["CL403"]}))} == {"a/order_v2.avsc", "b/v2/order.avsc", "c/v2.avsc"}


def test_x_commlint_ignore_suppresses_a_finding_in_its_object(check_tree) -> None:
    v2 = {"type": "record", "name": "OrderCreated", "fields": [
        {"name": "order_id", "type": "string"},
        {"name": "qty", "type": "long", "x-commlint-ignore": ["CL404"]},
        {"name": "note", "type": "string"}]}
    files = {"s/order.v1.avsc": json.dumps(V2), "s/order.v2.avsc": json.dumps(v2, indent=1)}
    result = check_tree(files, {"select": ["CL404"]})
    assert [(f.location.pointer, f.suppressed is not None) for f in result.findings] == [
        ("/fields/1/name", True), ("/fields/2/name", False)]


def test_a_renamed_record_is_compared_through_its_alias(check_tree) -> None:
    v2 = {"type": "record", "name": "OrderPlaced", "aliases": ["OrderCreated"], "fields": [{"name": "order_id", "type": "string"}]}
    result = check_tree({"s/order.v1.avsc": json.dumps(V1), "s/order.v2.avsc": json.dumps(v2)}, {"select": ["CL403", "CL404"]})
    assert {f.code for f in result.active} == {"CL404"}  # qty removed; the rename itself is aliased
    assert "'qty'" in result.active[0].message


def test_event_rules_skip_non_records_and_invalid_schemas(check_tree) -> None:
    files = {"s/id.avsc": '"string"', "s/broken.avsc": '{"type": "record", "name": "CreateOrder"}',
             "s/union.avsc": json.dumps([{"type": "record", "name": "OrderCreated", "fields": []},
                                         {"type": "record", "name": "CancelOrder", "fields": []}])}
    got = found(check_tree(files, {"select": ["CL400", "CL401", "CL402"]}))
    assert got == {("s/broken.avsc", 1, "CL400"), ("s/union.avsc", 1, "CL401"), ("s/union.avsc", 1, "CL402")}


def test_sibling_versions_are_found_for_a_folder_named_outside_the_root(tmp_path: Path) -> None:
    """`commlint check ../schemas` from a project elsewhere: the versions beside a schema are
    still read (the lookup's tree is the folder the schemas live in, not the config root)."""
    from commlint.api import check_paths
    from commlint.core.catalogue import load
    from commlint.core.config import load_settings

    project, schemas = tmp_path / "project", tmp_path / "schemas"
    project.mkdir()
    schemas.mkdir()
    v1 = {"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "id", "type": "string"}]}
    v2 = {"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "id", "type": "long"}]}
    (schemas / "order.v1.avsc").write_text(json.dumps(v1))
    (schemas / "order.v2.avsc").write_text(json.dumps(v2))
    settings = load_settings(project, load(), data={"select": ["CL403"]}, root=project)
    result = check_paths([schemas], settings, jobs=1)
    assert [(f.code, Path(f.location.path).name) for f in result.active] == [("CL403", "order.v2.avsc")]


def test_a_rename_without_alias_is_one_finding_that_keeps_the_rename_hint(check_tree) -> None:
    envelope = [{"name": "event_id", "type": "string"}, {"name": "event_type", "type": "string"},
                {"name": "event_version", "type": "int"}]
    v1 = {"type": "record", "name": "OrderPlaced", "namespace": "shop", "fields": envelope + [{"name": "amount", "type": "long"}]}
    v2 = {"type": "record", "name": "OrderPlaced", "namespace": "shop", "fields": envelope + [{"name": "total", "type": "long"}]}
    result = check_tree({"schemas/order.v1.avsc": json.dumps(v1), "schemas/order.v2.avsc": json.dumps(v2)},
                        {"select": ["CL403", "CL404"]})
    [f] = result.active  # CL403's, not CL404's as well
    assert f.code == "CL403" and "'total'" in f.message and 'add "aliases": ["amount"]' in f.message
