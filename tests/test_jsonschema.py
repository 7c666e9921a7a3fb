"""JSON Schema event files: which files are events (precision: other JSON Schemas, OpenAPI and
AsyncAPI documents are not), the envelope and past-tense rules, and Confluent-style
compatibility (each break kind, the compatible changes, FORWARD, --base, strict mode)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import found, run, write_tree

from commlint.analyses.jsonschema_events import breaks, event_reason
from commlint.artifacts.jsonschema import parse, sniff

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE = {"event_id": {"type": "string"}, "event_type": {"const": "order.created"}, "event_version": {"type": "string"}}


def schema(props: dict[str, Any] | None = None, required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"$schema": DRAFT, "type": "object", "properties": {**ENVELOPE, **(props or {})}}
    out["required"] = ["event_id", "event_type", "event_version", *(required or [])]
    out.update(extra)
    return out


def art(data: Any, path: str = "events/order-created.json"):  # noqa: ANN201
    return parse(path, json.dumps(data, indent=2))


def why(old: Any, new: Any, **kw: Any) -> list[str]:
    return [f"{b.path}: {b.why}" for b in breaks(art(old), art(new), **kw)]


@pytest.mark.parametrize("path,data,event", [
    ("events/order-created.json", {"$schema": DRAFT, "type": "object", "properties": {"id": {}}}, True),
    ("schemas/order-created.json", {"$schema": DRAFT, "type": "object", "properties": {"id": {}}}, True),
    ("contracts/x.json", schema(), True),  # the envelope says so, wherever it lies
    ("contracts/OrderCreatedEvent.json", {"$schema": DRAFT, "type": "object", "properties": {"id": {}}}, True),
    ("schemas/service-settings.json", {"$schema": DRAFT, "type": "object", "properties": {"port": {}}}, False),
    ("schemas/order.json", {"$schema": DRAFT, "type": "object", "properties": {"id": {}}}, False),  # a noun, not an event
    # SchemaStore's schemas folder: participles spelled as their verb say nothing
    ("schemas/cloud-run-v1.json", {"$schema": DRAFT, "type": "object", "properties": {"id": {}}}, False),
    ("schemas/demand-forecast-1.0.0.json", {"$schema": DRAFT, "type": "object", "properties": {"id": {}}}, False),
    ("events/ids.json", {"$schema": DRAFT, "type": "array", "items": {"type": "string"}}, False),  # not an object schema
])
def test_which_schemas_are_events(path: str, data: Any, event: bool) -> None:
    text = json.dumps(data)
    assert sniff(path, text) or not event
    if sniff(path, text):
        assert (event_reason(parse(path, text)) is not None) == event


def test_files_that_are_not_event_schemas_are_not_claimed(check_tree) -> None:
    result = check_tree({
        "schemas/events/openapi.json": json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                                                   "paths": {}, "$schema": DRAFT}),
        "package.json": json.dumps({"name": "x", "version": "1.0.0"}),
        "config/settings.schema.json": json.dumps({"$schema": DRAFT, "properties": {"event_type": {"type": "string"}}}),
        "events/notes.json": json.dumps({"no": "schema"}),
    }, {"select": ["CL411", "CL412", "CL413"]})
    # the one JSON Schema whose properties carry the envelope is an event; the others are not read
    assert found(result) == {("config/settings.schema.json", 1, "CL411")}


def test_envelope_in_a_yaml_schema_through_allof_and_ref(check_tree) -> None:
    yaml_text = f"""
$schema: "{DRAFT}"
title: InvoicePaid
$defs:
  envelope:
    type: object
    properties:
      eventId: {{type: string}}
      eventType: {{const: invoice.paid}}
      eventVersion: {{type: string}}
    required: [eventId, eventType, eventVersion]
allOf:
  - $ref: "#/$defs/envelope"
  - type: object
    properties:
      invoice_id: {{type: string}}
"""
    assert found(check_tree({"events/invoice-paid.yaml": yaml_text}, {"select": ["CL411", "CL412"]})) == set()
    half = yaml_text.replace("required: [eventId, eventType, eventVersion]", "required: [eventId]")
    result = check_tree({"events/invoice-paid.yaml": half}, {"select": ["CL411"]})
    [f] = result.active
    assert "eventType" not in f.message and "event_type, event_version" in f.message and "does not require" in f.message


def test_a_schema_of_references_to_other_files_is_not_judged(check_tree) -> None:
    data = {"$schema": DRAFT, "title": "OrderCreated", "allOf": [{"$ref": "common/envelope.json"}],
            "type": "object", "properties": {"order_id": {"type": "string"}}}
    assert found(check_tree({"events/order-created.json": json.dumps(data)}, {"select": ["CL411"]})) == set()


def test_past_tense_judges_names_not_sentences(check_tree) -> None:
    files = {
        "events/a.json": json.dumps({**schema(), "title": "Order Create"}),
        "events/b.json": json.dumps({**schema(), "title": "Emitted when a customer places an order"}),
        "events/c.json": json.dumps(schema({"event_type": {"type": "string", "default": "send_email"}})),
        "events/d.json": json.dumps({**schema(), "title": "OrderCreatedV2"}),
    }
    result = check_tree(files, {"select": ["CL412"]})
    assert {(f.location.path, f.location.pointer) for f in result.active} == {
        ("events/a.json", "/title"), ("events/c.json", "/properties/event_type/default")}


@pytest.mark.parametrize("old,new,words", [
    (schema({"x": {"type": "string"}}), schema({"x": {"type": "integer"}}), "type changed from string to integer"),
    (schema(), schema({"y": {"type": "string"}}, ["y"]), "'y' added as required"),
    (schema({"y": {"type": "string"}}), schema({"y": {"type": "string"}}, ["y"]), "'y' made required"),
    (schema({"c": {"enum": ["a", "b"]}}), schema({"c": {"enum": ["a"]}}), 'enum narrowed: "b"'),
    (schema({"c": {"type": "string"}}), schema({"c": {"type": "string", "enum": ["a"]}}), "enum added"),
    (schema({"s": {"type": "string", "maxLength": 10}}), schema({"s": {"type": "string", "maxLength": 5}}),
     "maxLength tightened from 10 to 5"),
    (schema({"s": {"type": "string"}}), schema({"s": {"type": "string", "pattern": "^a"}}), "pattern added"),
    (schema({"n": {"type": "number"}}), schema({"n": {"type": "number", "minimum": 0}}), "minimum 0 added"),
    (schema({"a": {"type": "array", "items": {"type": "string"}}}),
     schema({"a": {"type": "array", "items": {"type": "integer"}}}), "a[]: type changed"),
    (schema({"a": {"type": "array"}}), schema({"a": {"type": "array", "uniqueItems": True}}), "uniqueItems added"),
    (schema({"g": {"type": "string"}}, additionalProperties=False), schema(additionalProperties=False),
     "'g' removed from a closed content model"),
    (schema(), schema(additionalProperties=False), "additionalProperties turned off"),
    (schema({"u": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}), schema({"u": {"anyOf": [{"type": "string"}]}}),
     "anyOf has no branch that reads anyOf branch 1"),
    (schema({"m": {"type": "object", "properties": {"k": {"type": "string"}}}}),
     schema({"m": {"type": "object", "properties": {"k": {"type": "boolean"}}}}), "m.k: type changed"),
])
def test_backward_breaks(old: Any, new: Any, words: str) -> None:
    assert any(words in w for w in why(old, new)), why(old, new)


@pytest.mark.parametrize("old,new", [
    (schema({"x": {"type": "integer"}}), schema({"x": {"type": "number"}})),  # widened
    (schema({"c": {"enum": ["a"]}}), schema({"c": {"enum": ["a", "b"]}})),  # extended
    (schema({"y": {"type": "string"}}), schema()),  # removed from an open model
    (schema(additionalProperties=False), schema({"y": {"type": "string"}}, additionalProperties=False)),  # optional, closed
    (schema(), schema({"y": {"type": "string", "default": "z"}}, ["y"])),  # required with a default
    (schema({"y": {"type": "string"}}, ["y"]), schema({"y": {"type": "string"}})),  # no longer required
    (schema({"s": {"type": "string", "maxLength": 5}}), schema({"s": {"type": "string"}})),  # bound removed
    (schema({"x": {"type": "string"}}), schema({"x": {"type": "string", "description": "now documented"}})),
    (schema({"u": {"type": "string"}}), schema({"u": {"anyOf": [{"type": "string"}, {"type": "null"}]}})),
    (schema({"r": {"$ref": "other.json"}}), schema({"r": {"type": "string"}})),  # not followed: not judged
])
def test_backward_compatible_changes(old: Any, new: Any) -> None:
    assert why(old, new) == []


def test_an_optional_property_added_to_an_open_model_breaks_only_in_strict_mode() -> None:
    old, new = schema(), schema({"y": {"type": "string"}})
    assert why(old, new) == []
    assert any("open content model" in w for w in why(old, new, strict_open=True))


def test_forward_mode_words_the_change_from_the_earlier_schema(check_tree) -> None:
    files = {"events/order-created.v1.json": json.dumps(schema({"c": {"enum": ["a"]}}), indent=2),
             "events/order-created.v2.json": json.dumps(schema({"c": {"enum": ["a", "b"]}}), indent=2)}
    assert found(check_tree(files, {"select": ["CL413"]})) == set()
    result = check_tree(files, {"select": ["CL413"], "compatibility": {"events/*": "FORWARD"}})
    [f] = result.active
    assert f.location.path == "events/order-created.v2.json" and 'enum extended with "b"' in f.message
    assert "FORWARD" in f.message


def test_base_folder_and_revision(tmp_path: Path) -> None:
    old, new = schema({"x": {"type": "string"}}), schema({"x": {"type": "boolean"}})
    write_tree(tmp_path, {"old/events/order-created.json": json.dumps(old, indent=2),
                          "new/events/order-created.json": json.dumps(new, indent=2)})
    result = run(tmp_path / "new", {"select": ["CL413"], "base": str(tmp_path / "old")}, paths=[tmp_path / "new"])
    [f] = result.active
    assert "type changed from string to boolean" in f.message
    if shutil.which("git") is None:
        return
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
                       cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    write_tree(repo, {"events/order-created.json": json.dumps(old, indent=2)})
    git("add", "-A")
    git("commit", "-qm", "v1")
    write_tree(repo, {"events/order-created.json": json.dumps(new, indent=2)})
    [f] = run(repo, {"select": ["CL413"], "base": "HEAD"}).active
    assert "HEAD:events/order-created.json" in f.message
    assert run(repo, {"select": ["CL413"]}).active == []


def test_hostile_input_is_a_finding_not_a_crash(check_tree) -> None:
    deep: Any = {"type": "object", "properties": {}}
    node = deep
    for _ in range(60):
        node["properties"]["n"] = {"type": "object", "properties": {}}
        node = node["properties"]["n"]
    loop = schema({"a": {"$ref": "#/properties/a"}})
    files = {"events/broken.json": '{"$schema": "' + DRAFT + '", "properties": {"event_id": ',
             "events/deep.v1.json": json.dumps({"$schema": DRAFT, **deep}),
             "events/deep.v2.json": json.dumps({"$schema": DRAFT, **deep, "required": ["zz"], "properties": {"zz": {}}}),
             "events/loop.v1.json": json.dumps(loop), "events/loop.v2.json": json.dumps(loop)}
    result = check_tree(files, {"select": ["CL001", "CL411", "CL412", "CL413"]})
    assert ("events/broken.json", 1, "CL001") in found(result)


def test_a_cloudevents_schema_carries_the_envelope_under_its_own_names(check_tree) -> None:
    # ahsanazmi1/orca's CloudEvents schemas: id, type (versioned), specversion
    data = {"$schema": "http://json-schema.org/draft-07/schema#", "title": "Orca Decision CloudEvent",
            "type": "object", "required": ["specversion", "id", "type", "source", "data"],
            "properties": {"specversion": {"enum": ["1.0"]}, "id": {"type": "string"}, "source": {"type": "string"},
                           "type": {"type": "string", "enum": ["ocn.orca.decision.v1"]},
                           "dataschema": {"type": "string"},
                           "data": {"type": "object", "properties": {"event_type": {"enum": ["ocn.other.thing.v1"]}}}}}
    result = check_tree({"events/v1/orca.decision.v1.schema.json": json.dumps(data, indent=2)},
                        {"select": ["CL411", "CL412"]})
    # no envelope finding; the type is judged once (not the title again, not the payload's reference)
    assert [(f.code, f.location.pointer) for f in result.active] == [("CL412", "/properties/type/enum/0")]
    unversioned = json.loads(json.dumps(data))
    unversioned["properties"]["type"]["enum"] = ["ocn.orca.decision.made"]
    del unversioned["properties"]["dataschema"]
    [f] = check_tree({"events/v1/orca.decision.v1.schema.json": json.dumps(unversioned)}, {"select": ["CL411"]}).active
    assert "event_version" in f.message and "event_id" not in f.message


def test_a_generic_envelope_schema_is_not_an_event(check_tree) -> None:
    data = {"$schema": DRAFT, "title": "DomainEvent", "type": "object", "properties": {"id": {"type": "string"}}}
    assert found(check_tree({"contracts/domain-event.json": json.dumps(data)}, {"select": ["CL411", "CL412"]})) == set()


def test_a_schema_an_asyncapi_document_references_is_an_event(check_tree) -> None:
    asyncapi = """
asyncapi: 3.0.0
info: {title: orders, version: 1.0.0}
channels:
  placed:
    address: orders.order.placed
    messages:
      placed:
        payload:
          $ref: './contracts/order.json'
"""
    schema = {"$schema": DRAFT, "title": "Order", "type": "object", "properties": {"order_id": {"type": "string"}}}
    files = {"svc/asyncapi.yaml": asyncapi, "svc/contracts/order.json": json.dumps(schema),
             "svc/contracts/customer.json": json.dumps(schema)}
    result = check_tree(files, {"select": ["CL411", "CL412"]})
    # order.json is the message's payload: an event (no envelope, a noun for a name); customer.json is not
    assert {(f.location.path, f.code) for f in result.active} == {
        ("svc/contracts/order.json", "CL411"), ("svc/contracts/order.json", "CL412")}


def test_the_asyncapi_lookup_never_climbs_out_of_the_tree(tmp_path) -> None:  # noqa: ANN001
    """A schema named by an absolute path (a checked path reached through a symbolic link) was
    looked up in every folder above it, up to ``/``: minutes on a busy /tmp, and folders outside
    the tree listed. Only folders of the tree are looked in."""
    from types import SimpleNamespace

    from commlint.analyses.jsonschema_events import _referenced_by_asyncapi

    outside = SimpleNamespace(path=str(tmp_path / "elsewhere" / "events" / "order.json"), deps=set())
    assert _referenced_by_asyncapi(outside, tmp_path / "tree") is None and outside.deps == set()
    climbing = SimpleNamespace(path="../events/order.json", deps=set())
    assert _referenced_by_asyncapi(climbing, tmp_path / "tree") is None and climbing.deps == set()
    inside = SimpleNamespace(path="events/v1/order.json", deps=set())
    assert _referenced_by_asyncapi(inside, tmp_path / "tree") is None
    assert len(inside.deps) == 3  # events/v1, events and the tree's root: nothing above it


def test_parse_of_a_document_that_is_no_json_schema_raises_and_sniff_declines() -> None:
    from commlint.artifacts import ParseError

    for path, text in (("a.json", '{"title": "Order", "properties": {}}'), ("a.yaml", "title: Order\nproperties: {}\n")):
        assert sniff(path, text) is False
        with pytest.raises(ParseError):
            parse(path, text)
    art = parse("e.json", '{"$schema": "https://json-schema.org/draft/2020-12/schema", "properties": {}}')
    assert art.data["properties"] == {}
