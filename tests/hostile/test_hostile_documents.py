"""Broken and hostile YAML, JSON, Avro, Protobuf, OpenAPI and topic files."""

from __future__ import annotations

import builtins
import json
import os
from pathlib import Path

import pytest
from hostile import case, no_network  # noqa: F401 - fixtures

SPEC = "openapi: 3.1.0\ninfo: {title: Orders, version: '1'}\n"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each anchor is a list of ``width`` aliases of the one before."""
    names = [f"l{i}" for i in range(levels + 1)]
    out = [f"{names[0]}: &{names[0]} [" + ", ".join(["lol"] * width) + "]"]
    for prev, name in zip(names, names[1:]):
        out.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * width) + "]")
    return "\n".join(out) + "\n"


def merge_bomb(levels: int = 14) -> str:
    """Merge keys (``<<``) whose values hold aliases of the level before."""
    out = ["m0: &m0 {k0: [1, 2, 3, 4, 5, 6, 7, 8]}"]
    for i in range(1, levels + 1):
        out.append(f"m{i}: &m{i} {{k{i}: [*m{i - 1}, *m{i - 1}, *m{i - 1}, *m{i - 1}], <<: [*m{i - 1}, *m{i - 1}]}}")
    return "\n".join(out) + "\n"


# -- YAML and JSON -----------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name, text, line, reason", [
    ("openapi.yaml", SPEC + "paths: [\n", 4, "YAML syntax error"),
    ("openapi.yaml", SPEC + "paths:\n  /a:\n\t  get: {}\n", 5, "YAML syntax error"),
    ("openapi.yaml", SPEC + "x: " + "[" * 3000 + "]" * 3000 + "\n", 3, "nested"),
    ("openapi.yaml", SPEC + "x: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", 3, "nested"),
    ("openapi.yaml", SPEC + "paths: *nowhere\n", 3, "YAML"),
    ("openapi.json", '{"openapi": "3.1.0", "info": ', 1, "JSON syntax error"),
    ("openapi.json", '{"openapi": "3.1.0", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", 1, "nested too deeply"),
    ("openapi.json", '{"openapi": "3.1.0", "info": {"title": "t", "version": 1' + "0" * 5000 + "}}", 1,
     "cannot be read"),
    ("topics.yaml", "topics:\n  - name: a\n    partitions: [\n", 4, "YAML syntax error"),
])
def test_malformed_documents_are_cl001(case, name: str, text: str, line: int, reason: str) -> None:
    m = case({name: text})
    assert [(f.code, f.location.line) for f in m.result.active if f.code == "CL001"] == [("CL001", line)], m.cl001()
    assert reason in m.cl001()[0]
    assert not m.internal_errors()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name, head, bomb", [
    ("openapi.yaml", SPEC, alias_bomb),
    ("topics.yaml", "topics: []\n", alias_bomb),
    ("kafka-topic.yaml", "kind: KafkaTopic\napiVersion: kafka.strimzi.io/v1beta2\n", merge_bomb),
    ("openapi.yaml", SPEC, merge_bomb),
])
def test_alias_bombs_stop_in_bounded_time_and_memory(case, name: str, head: str, bomb) -> None:  # noqa: ANN001
    m = case({name: head + bomb()}, memory=True)
    assert len(m.cl001()) == 1 and "alias bomb" in m.cl001()[0], [f.message for f in m.result.active]
    assert m.seconds < 30
    assert m.peak_bytes is not None and m.peak_bytes < 256 * 2**20


@pytest.mark.timeout(60)
def test_merge_keys_follow_yaml_precedence_and_are_not_duplicates(case) -> None:
    text = SPEC + """x-defaults: &defaults {description: default, x-owner: a}
x-other: {description: other, x-team: b}
paths:
  /v1/orders:
    x-merged:
      <<: [*defaults, {x-owner: ignored, x-extra: c}]
      x-owner: mine
"""
    m = case({"openapi.yaml": text})
    assert not [f for f in m.result.active if "duplicate" in f.message], [f.message for f in m.result.active]
    from commlint.artifacts.yamljson import load_yaml

    merged = load_yaml(text)[0].data["paths"]["/v1/orders"]["x-merged"]
    assert merged == {"x-owner": "mine", "description": "default", "x-extra": "c"}


@pytest.mark.timeout(60)
def test_duplicate_keys_are_reported_not_crashes(case) -> None:
    m = case({
        "openapi.yaml": SPEC + "info: {title: Again, version: '2'}\npaths: {}\n",
        "openapi.json": '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "paths": {}}',
        "event.avsc": '{"type": "record", "name": "OrderPlaced", "name": "OrderCreated", "fields": []}',
    })
    dups = sorted((f.location.path, f.code) for f in m.result.active if "duplicate key" in f.message)
    assert dups == [("event.avsc", "CL400"), ("openapi.json", "CL300"), ("openapi.yaml", "CL300")]


@pytest.mark.timeout(60)
def test_python_tags_never_construct_anything(case, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    payload = f"!!python/object/apply:os.system ['touch {marker}']"
    m = case({
        "openapi.yaml": SPEC + f"paths: {{}}\nx-evil: {payload}\n",
        "topics.yaml": f"topics:\n  - name: {payload}\n    partitions: 3\n",
        "kafka/topic.yaml": "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n"
                            "  name: !!python/object/new:subprocess.Popen [['touch', '" + str(marker) + "']]\n",
        "cfn.yaml": "topics:\n  - name: !Ref TopicName\n    partitions: !GetAtt Topic.Partitions\n",
    })
    assert not marker.exists()
    assert not m.internal_errors()
    assert "CL001" not in m.codes()


@pytest.mark.timeout(60)
def test_multi_document_streams_are_read_document_by_document(case) -> None:
    topic = "---\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata: {{name: {}}}\nspec: {{partitions: 3, config: {{retention.ms: 604800000}}}}\n"
    text = topic.format("orders.order.created") + "--- # an empty document\n" + topic.format("Orders.Order.Created")
    m = case({"topics/kafka.yaml": text})
    assert {(f.code, f.location.line) for f in m.result.active if f.code == "CL601"} == {("CL601", 10)}
    spec = "---\nkind: ConfigMap\n---\n" + SPEC + "paths: {}\n"
    m2 = case({"api/openapi.yaml": spec})
    assert {f.rel for f in m2.result.files if f.kind == "openapi" and f.parsed} == {"api/openapi.yaml"}


@pytest.mark.timeout(60)
def test_a_50_mb_document_is_bounded_by_max_file_size(case) -> None:
    topic = "  - name: orders.order.created\n    partitions: 3\n"
    big = "topics:\n" + topic * (50 * 2**20 // len(topic) + 1)
    data = '{"rows": [' + ",".join(['{"a": 1}'] * (50 * 2**20 // 9)) + "]}"
    m = case({"topics.yaml": big, "data/dump.json": data}, memory=True)
    assert m.cl001("topics.yaml") == ["file is larger than max-file-size (16777216 bytes); not checked"]
    assert m.cl001("data/dump.json") == []  # a large data file that is none of ours: not claimed
    assert m.seconds < 30
    assert m.peak_bytes is not None and m.peak_bytes < 128 * 2**20  # never more than the limit in memory


# -- Avro ---------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", [
    # A -> B -> A: recursive named types are legal Avro
    '{"type": "record", "name": "A", "fields": [{"name": "b", "type": {"type": "record", "name": "B",'
    ' "fields": [{"name": "a", "type": ["null", "A"], "default": null}]}}]}',
    '{"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"], "default": null},'
    ' {"name": "children", "type": {"type": "array", "items": "Node"}}]}',
])
def test_recursive_avro_types_complete(case, text: str) -> None:
    m = case({"schemas/node.avsc": text})
    assert "CL001" not in m.codes() and "CL400" not in m.codes(), [f.message for f in m.result.active]
    assert m.seconds < 30


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text, reason", [
    ('{"type": "record", "name": "A", "fields": [{"name": "a", "type": '
     + '{"type": "array", "items": ' * 3000 + '"int"' + "}" * 3000 + "}]}", "nested too deeply"),
    ('{"type": "record", "name": "A"', "JSON syntax error"),
    ('{"type": "record", "name": "A", "fields": [{"name": "b", "type": "B"}]}', "unknown type 'B'"),
    ('[{"type": "record", "name": "A", "fields": []}, {"type": "record", "name": "A", "fields": []}]', ""),
    ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ('{"type": "enum", "name": "E", "symbols": [' + ",".join(['"S"'] * 10_000) + "]}", ""),
])
def test_broken_avro_is_cl400(case, text: str, reason: str) -> None:
    m = case({"a.avsc": text})
    assert m.codes() <= {"CL400", "CL401", "CL402", "CL403"} and "CL400" in m.codes(), [f.message for f in m.result.active]
    assert any(reason in f.message for f in m.result.active if f.code == "CL400")
    assert not m.internal_errors()


# -- Protobuf -----------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text, line", [
    ('syntax = "proto3";\n/* never closed\nmessage A { int32 a = 1; }\n', 2),
    ('syntax = "proto3";\nmessage A { string s = 1 [default = "never closed]; }\n', 2),
    ('syntax = "proto3";\n' + "message A { " * 3000 + "}" * 3000 + "\n", 2),  # protoc: where the nesting is
    ('syntax = "proto3";\nmessage A { int32 a = 1; }\n' + "}" * 1000, 3),
])
def test_broken_proto_is_cl500(case, text: str, line: int) -> None:
    m = case({"a.proto": text})
    assert [(f.code, f.location.line) for f in m.result.active if f.code in ("CL001", "CL500")] == [("CL500", line)], \
        [f.message for f in m.result.active]
    assert not m.internal_errors()


@pytest.mark.timeout(60)
def test_binary_proto_is_cl001(case) -> None:
    m = case({"a.proto": b"\x0a\x05hello\xff\xfe\x00\x01"})
    assert m.cl001() == ["not valid UTF-8 (byte 7)"]


# -- OpenAPI references -------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_circular_refs_complete(case) -> None:
    m = case({
        "api/openapi.yaml": SPEC + """paths:
  /v1/orders:
    $ref: 'paths.yaml#/orders'
components:
  schemas:
    Self: {$ref: '#/components/schemas/Self'}
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/A'}
    Tree:
      type: object
      properties:
        children: {type: array, items: {$ref: '#/components/schemas/Tree'}}
""",
        "api/paths.yaml": "orders:\n  $ref: 'openapi.yaml#/paths/~1v1~1orders'\n",
    })
    assert m.seconds < 30
    assert "CL001" not in m.codes(), m.cl001()
    assert not m.internal_errors()


@pytest.mark.timeout(60)
def test_refs_outside_the_tree_or_remote_are_reported_never_read(case, tmp_path: Path, monkeypatch, no_network) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("Secret: {type: string}\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "linked").symlink_to(outside, target_is_directory=True)
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, *a, **k):  # noqa: ANN001, ANN202
        opened.append(os.fspath(file) if not isinstance(file, int) else "")
        return real_open(file, *a, **k)

    def spy_os_open(file, *a, **k):  # noqa: ANN001, ANN202
        opened.append(os.fspath(file))
        return real_os_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    refs = ["../../../../../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x.yaml",
            "https://example.com/s.yaml#/S", "//example.com/s.yaml", "linked/secret.yaml#/Secret",
            "%2e%2e/%2e%2e/%2e%2e/etc/passwd"]
    schemas = "".join(f"    S{i}: {{$ref: '{r}'}}\n" for i, r in enumerate(refs))
    m = case({"api/openapi.yaml": SPEC + "paths: {}\ncomponents:\n  schemas:\n" + schemas})
    reported = sorted(f.location.line for f in m.result.active if f.code == "CL300" and "$ref" in f.message)
    assert reported == list(range(6, 6 + len(refs))), [f.message for f in m.result.active]
    assert not [p for p in opened if "passwd" in p or p.startswith(str(outside))], opened
    assert no_network == []


# -- topics in Terraform ------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", [
    'resource "kafka_topic" "orders" {\n  name = "orders.order.created\n',
    'resource "kafka_topic" "orders" {\n  name = "orders.order.created"\n  config = ' + "[" * 2000 + "]" * 2000 + "\n}\n",
    'resource "kafka_topic" "orders" {\n  name = "${' + "(" * 500 + "1" + ")" * 500 + '}"\n}\n',
    "\x00\x01" * 100,
])
def test_broken_terraform_is_cl001_or_nothing(case, text: str) -> None:
    m = case({"main.tf": text})
    assert m.codes() <= {"CL001"} and not m.internal_errors(), [f.message for f in m.result.active]
    assert m.seconds < 30


@pytest.mark.timeout(60)
def test_json_with_lone_surrogates_and_odd_numbers_parses(case) -> None:
    text = json.dumps({"openapi": "3.1.0", "info": {"title": "\ud800 orders", "version": "1"}, "paths": {},
                       "x-n": [float("nan"), float("inf"), -0.0, 1e308]})
    m = case({"openapi.json": text})
    assert "CL001" not in m.codes() and not m.internal_errors()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("ref", ["#/components/x", "#/info", "other.yaml", "#"])
def test_a_ref_at_the_top_of_a_spec_is_reported_not_a_crash(case, ref: str) -> None:
    """Found by the fuzzer: building the validator followed a top-level $ref outside its error handling."""
    m = case({"openapi.yaml": f"$ref: '{ref}'\n" + SPEC + "paths: {}\n", "other.yaml": "a: 1\n"})
    assert not m.internal_errors(), m.internal_errors()
    assert "CL300" in m.codes("openapi.yaml")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("value", ["true", "3", "'text'", "{a: 1}"])
def test_julieops_lists_written_as_scalars_hold_nothing(case, value: str) -> None:
    """Found by test_topics' hypothesis test: `consumers: true` in a JulieOps topology was a TypeError."""
    m = case({"topology.yaml": f"""context: shop
projects:
  - name: orders
    consumers: {value}
    producers: {value}
    streams: {value}
    topics:
      - name: order.created
        consumers: {value}
      - name: order.placed
        streams: [{{applicationId: app, topics: {{read: {value}, write: {value}}}}}]
"""})
    assert not m.internal_errors() and "CL001" not in m.codes(), [f.message for f in m.result.active]
    assert [(r.kind, r.parsed) for r in m.result.files] == [("topics", True)]
    assert {f.code for f in m.result.active} & {"CL601", "CL602", "CL603"}  # its topics were read


# -- $ref graphs that a validator following references would walk without end -------------------


def _spec_with(schemas: dict, top: str) -> str:
    import yaml

    return yaml.safe_dump({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/v1/a": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{top}"}}}}}}}},
        "components": {"schemas": schemas},
    })


@pytest.mark.timeout(120)
@pytest.mark.parametrize("shape", ["allof-dag", "ref-chain"])
def test_ref_graphs_that_explode_are_a_note_not_a_timeout(case, shape: str) -> None:
    """A 3 KB allOf DAG of 25 nodes expands to millions of nodes, and a chain of 1,000 $refs
    costs jsonschema-path a quadratic walk: commlint measures the expansion first (linear) and
    skips the checks that follow references, saying so, instead of spending the budget."""
    if shape == "allof-dag":
        schemas = {f"S{i}": {"type": "object", "properties": {f"p{i}": {"type": "string"}}} for i in range(2)}
        schemas.update({f"S{i}": {"allOf": [{"$ref": f"#/components/schemas/S{i - 1}"},
                                            {"$ref": f"#/components/schemas/S{i - 2}"}]} for i in range(2, 25)})
        text, top, words = _spec_with(schemas, "S24"), "S24", "expand to more than"
    else:
        schemas = {f"C{i}": {"$ref": f"#/components/schemas/C{i + 1}"} for i in range(1000)}
        schemas["C1000"] = {"type": "string"}
        text, top, words = _spec_with(schemas, "C0"), "C0", "a chain of 1001 $refs"
    m = case({"openapi.yaml": text}, {"select": ["CL300", "CL001"]})
    notes = [f for f in m.result.active if f.code == "CL300" and f.severity.name == "NOTE"]
    assert len(notes) == 1 and words in notes[0].message and top
    assert m.cl001() == [] and not m.internal_errors()
    assert m.seconds < 15
