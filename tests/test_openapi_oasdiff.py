"""CL304 covers oasdiff's breaking-change checks: one synthetic edit of one base document per
check, each run through commlint against the unedited copy (option ``base-path``), each
expected to give exactly one CL304 finding naming the oasdiff check id, its JSON path and
a line; and edits a client does not notice, which must give none."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from conftest import run, write_tree

BASE: dict[str, Any] = yaml.safe_load("""
openapi: 3.1.0
info: {title: Orders, version: '1'}
paths:
  /v1/orders/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      parameters:
        - {name: expand, in: query, schema: {type: string, enum: [items, customer]}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        '200':
          description: OK
          headers:
            X-Rate-Limit: {required: true, schema: {type: integer}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Order'}
    post:
      security: [{oauth: ['orders:write']}]
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/OrderInput'}
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Order'}
    delete:
      responses: {'204': {description: Deleted}}
  /v1/items:
    get:
      responses: {'200': {description: OK}}
webhooks:
  orderShipped:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Shipment'}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Ack'}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: 'https://auth.example/token', scopes: {'orders:write': w, 'orders:admin': a}}}
    key: {type: apiKey, in: header, name: X-API-Key}
  schemas:
    OrderInput:
      type: object
      required: [sku]
      properties:
        sku: {type: string, minLength: 1, maxLength: 50, pattern: '^[A-Z]+$'}
        quantity: {type: integer, minimum: 1, maximum: 100}
        note: {type: [string, 'null']}
        ref: {type: string}
        due: {type: string, format: date-time}
        lines: {type: array, items: {type: string}, minItems: 1, maxItems: 10}
        priority: {type: string, enum: [low, high]}
        payment:
          oneOf: [{$ref: '#/components/schemas/Card'}, {$ref: '#/components/schemas/Iban'}]
    Order:
      type: object
      required: [id, status]
      properties:
        id: {type: string}
        status: {type: string, enum: [pending, shipped]}
        total: {type: number, maximum: 1000}
        code: {type: string, maxLength: 8}
        lines: {type: array, items: {type: string}, minItems: 1}
        eta: {type: string}
        payment:
          oneOf: [{$ref: '#/components/schemas/Card'}, {$ref: '#/components/schemas/Iban'}]
    Card: {type: object, properties: {number: {type: string}}}
    Iban: {type: object, properties: {iban: {type: string}}}
    Cash: {type: object, properties: {currency: {type: string}}}
    Shipment:
      type: object
      required: [orderId]
      properties:
        orderId: {type: string}
        carrier: {type: string, enum: [ups, dhl]}
    Ack: {type: object, properties: {ok: {type: boolean}}}
""")

ORDER = "/v1/orders/{id}"
BODY = f"paths.{ORDER}.post.requestBody.content.application/json.schema"
GOT = f"paths.{ORDER}.get.responses.200.content.application/json.schema"  # Order, first reached from GET
HOOK = "webhooks.orderShipped.post"


def _op(d: dict[str, Any], method: str, path: str = ORDER) -> dict[str, Any]:
    return d["paths"][path][method]


def _s(d: dict[str, Any], name: str) -> dict[str, Any]:
    return d["components"]["schemas"][name]


def _p(d: dict[str, Any], schema: str, prop: str) -> dict[str, Any]:
    return _s(d, schema)["properties"][prop]


def _param(d: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in _op(d, "get")["parameters"] if p["name"] == name)


def _rename(mapping: dict[str, Any], old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


Edit = Callable[[dict[str, Any]], Any]

# (name, edit of the base document, the oasdiff check id CL304 names ("" when oasdiff has
# none), the finding's JSON path)
BREAKING: list[tuple[str, Edit, str, str]] = [
    # paths and operations
    ("path removed", lambda d: d["paths"].pop("/v1/items"), "api-path-removed-without-deprecation", "paths./v1/items"),
    ("operation removed", lambda d: d["paths"][ORDER].pop("delete"),
     "api-removed-without-deprecation", f"paths.{ORDER}.delete"),
    # responses
    ("success status 201 -> 200", lambda d: _rename(_op(d, "post")["responses"], "201", "200"),
     "response-success-status-removed", f"paths.{ORDER}.post.responses.201"),
    ("response media type json -> xml", lambda d: _rename(_op(d, "get")["responses"]["200"]["content"],
                                                           "application/json", "application/xml"),
     "response-media-type-removed", f"paths.{ORDER}.get.responses.200.content.application/json"),
    ("required response header removed", lambda d: _op(d, "get")["responses"]["200"].pop("headers"),
     "required-response-header-removed", f"paths.{ORDER}.get.responses.200.headers.X-Rate-Limit"),
    ("response header became optional",
     lambda d: _op(d, "get")["responses"]["200"]["headers"]["X-Rate-Limit"].pop("required"),
     "response-header-became-optional", f"paths.{ORDER}.get.responses.200.headers.X-Rate-Limit"),
    ("response body type changed", lambda d: _op(d, "get")["responses"]["200"]["content"]["application/json"].update(
        schema={"type": "array", "items": {"$ref": "#/components/schemas/Order"}}),
     "response-body-type-changed", f"{GOT}.type"),
    # request bodies
    ("request media type json -> xml", lambda d: _rename(_op(d, "post")["requestBody"]["content"],
                                                          "application/json", "application/xml"),
     "request-body-media-type-removed", f"paths.{ORDER}.post.requestBody.content.application/json"),
    ("request body became required", lambda d: _op(d, "post")["requestBody"].update(required=True),
     "request-body-became-required", f"paths.{ORDER}.post.requestBody.required"),
    ("request body removed", lambda d: _op(d, "post").pop("requestBody"), "request-body-removed",
     f"paths.{ORDER}.post.requestBody"),
    ("required request body added", lambda d: _op(d, "delete").update(
        requestBody={"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}),
     "request-body-added-required", f"paths.{ORDER}.delete.requestBody"),
    ("new required request property", lambda d: (_s(d, "OrderInput")["properties"].update(currency={"type": "string"}),
                                                 _s(d, "OrderInput")["required"].append("currency")),
     "new-required-request-property", f"{BODY}.required"),
    ("request property became required", lambda d: _s(d, "OrderInput")["required"].append("quantity"),
     "request-property-became-required", f"{BODY}.required"),
    ("request property type changed", lambda d: _p(d, "OrderInput", "quantity").update(type="string"),
     "request-property-type-changed", f"{BODY}.properties.quantity.type"),
    ("request property format changed", lambda d: _p(d, "OrderInput", "due").update(format="date"),
     "request-property-type-changed", f"{BODY}.properties.due.format"),
    ("request maxLength decreased", lambda d: _p(d, "OrderInput", "sku").update(maxLength=20),
     "request-property-max-length-decreased", f"{BODY}.properties.sku.maxLength"),
    ("request minLength increased", lambda d: _p(d, "OrderInput", "sku").update(minLength=3),
     "request-property-min-length-increased", f"{BODY}.properties.sku.minLength"),
    ("request maxLength set", lambda d: _p(d, "OrderInput", "ref").update(maxLength=12),
     "request-property-max-length-set", f"{BODY}.properties.ref.maxLength"),
    ("request maximum decreased", lambda d: _p(d, "OrderInput", "quantity").update(maximum=50),
     "request-property-max-decreased", f"{BODY}.properties.quantity.maximum"),
    ("request minimum increased", lambda d: _p(d, "OrderInput", "quantity").update(minimum=5),
     "request-property-min-increased", f"{BODY}.properties.quantity.minimum"),
    ("request maximum made exclusive", lambda d: _p(d, "OrderInput", "quantity").update(exclusiveMaximum=100) or
     _p(d, "OrderInput", "quantity").pop("maximum"),
     "request-property-exclusive-max-decreased", f"{BODY}.properties.quantity.exclusiveMaximum"),
    ("request maxItems decreased", lambda d: _p(d, "OrderInput", "lines").update(maxItems=5),
     "", f"{BODY}.properties.lines.maxItems"),  # oasdiff checks maxItems of parameters only
    ("request minItems increased", lambda d: _p(d, "OrderInput", "lines").update(minItems=2),
     "request-property-min-items-increased", f"{BODY}.properties.lines.minItems"),
    ("request pattern added", lambda d: _p(d, "OrderInput", "ref").update(pattern="^R[0-9]+$"),
     "request-property-pattern-added", f"{BODY}.properties.ref.pattern"),
    ("request pattern changed", lambda d: _p(d, "OrderInput", "sku").update(pattern="^[A-Z]{3}$"),
     "request-property-pattern-changed", f"{BODY}.properties.sku.pattern"),
    ("request null no longer accepted", lambda d: _p(d, "OrderInput", "note").update(type="string"),
     "request-property-became-not-nullable", f"{BODY}.properties.note"),
    ("request enum value removed", lambda d: _p(d, "OrderInput", "priority").update(enum=["low"]),
     "request-property-enum-value-removed", f"{BODY}.properties.priority.enum"),
    ("request property became an enum", lambda d: _p(d, "OrderInput", "ref").update(enum=["a", "b"]),
     "request-property-became-enum", f"{BODY}.properties.ref.enum"),
    ("request const added", lambda d: _p(d, "OrderInput", "ref").update(const="R1"),
     "request-property-const-added", f"{BODY}.properties.ref.const"),
    ("request oneOf branch removed", lambda d: _p(d, "OrderInput", "payment")["oneOf"].pop(),
     "request-property-one-of-removed", f"{BODY}.properties.payment.oneOf"),
    ("request property removed, no others allowed", lambda d: (_s(d, "OrderInput").update(additionalProperties=False),
                                                               _s(d, "OrderInput")["properties"].pop("note")),
     "request-property-removed", f"{BODY}.properties.note"),
    # parameters
    ("new required parameter", lambda d: _op(d, "get")["parameters"].append(
        {"name": "since", "in": "query", "required": True, "schema": {"type": "string"}}),
     "new-required-request-parameter", f"paths.{ORDER}.get.parameters.4"),
    ("optional parameter became required", lambda d: _param(d, "expand").update(required=True),
     "request-parameter-became-required", f"paths.{ORDER}.get.parameters.0.required"),
    ("parameter moved from header to query", lambda d: _param(d, "X-Trace").update({"in": "query"}),
     "request-parameter-removed", f"paths.{ORDER}.get.parameters.3"),
    ("parameter removed", lambda d: _op(d, "get")["parameters"].pop(3), "request-parameter-removed",
     f"paths.{ORDER}.get.parameters.3"),
    ("parameter style changed", lambda d: _param(d, "tags").update(style="pipeDelimited"), "",
     f"paths.{ORDER}.get.parameters.1.style"),
    ("parameter explode changed", lambda d: _param(d, "tags").update(explode=False), "",
     f"paths.{ORDER}.get.parameters.1.explode"),
    ("parameter type changed", lambda d: _param(d, "limit")["schema"].update(type="boolean"),
     "request-parameter-type-changed", f"paths.{ORDER}.get.parameters.2.schema.type"),
    ("parameter enum value removed", lambda d: _param(d, "expand")["schema"].update(enum=["items"]),
     "request-parameter-enum-value-removed", f"paths.{ORDER}.get.parameters.0.schema.enum"),
    ("parameter maximum decreased", lambda d: _param(d, "limit")["schema"].update(maximum=50),
     "request-parameter-max-decreased", f"paths.{ORDER}.get.parameters.2.schema.maximum"),
    # response schemas
    ("response enum value added", lambda d: _p(d, "Order", "status")["enum"].append("cancelled"),
     "response-property-enum-value-added", f"{GOT}.properties.status.enum"),
    ("response optional property removed", lambda d: _s(d, "Order")["properties"].pop("eta"),
     "response-optional-property-removed", f"{GOT}.properties.eta"),
    ("response required property removed", lambda d: (_s(d, "Order")["properties"].pop("id"),
                                                      _s(d, "Order")["required"].remove("id")),
     "response-required-property-removed", f"{GOT}.properties.id"),
    ("response property became optional", lambda d: _s(d, "Order")["required"].remove("status"),
     "response-property-became-optional", f"{GOT}.properties.status"),
    ("response property type changed", lambda d: _p(d, "Order", "total").update(type="string"),
     "response-property-type-changed", f"{GOT}.properties.total.type"),
    ("response maximum increased", lambda d: _p(d, "Order", "total").update(maximum=5000),
     "response-property-max-increased", f"{GOT}.properties.total.maximum"),
    ("response maxLength increased", lambda d: _p(d, "Order", "code").update(maxLength=16),
     "response-property-max-length-increased", f"{GOT}.properties.code.maxLength"),
    ("response maxLength removed", lambda d: _p(d, "Order", "code").pop("maxLength"),
     "response-property-max-length-unset", f"{GOT}.properties.code"),
    ("response minItems decreased", lambda d: _p(d, "Order", "lines").update(minItems=0),
     "response-property-min-items-decreased", f"{GOT}.properties.lines.minItems"),
    ("response may now be null", lambda d: _p(d, "Order", "eta").update(type=["string", "null"]),
     "response-property-became-nullable", f"{GOT}.properties.eta"),
    ("response oneOf branch added", lambda d: _p(d, "Order", "payment")["oneOf"].append(
        {"$ref": "#/components/schemas/Cash"}), "response-property-one-of-added", f"{GOT}.properties.payment.oneOf"),
    # security
    ("security added to an operation", lambda d: _op(d, "get").update(security=[{"key": []}]),
     "api-security-added", f"paths.{ORDER}.get.security"),
    ("global security added", lambda d: d.update(security=[{"key": []}]), "api-global-security-added", "security"),
    ("security scope added", lambda d: _op(d, "post").update(security=[{"oauth": ["orders:write", "orders:admin"]}]),
     "api-security-scope-added", f"paths.{ORDER}.post.security"),
    # webhooks: the API sends the payload, the subscriber answers
    ("webhook removed", lambda d: d["webhooks"].pop("orderShipped"), "webhook-removed", "webhooks.orderShipped"),
    ("webhook payload property removed", lambda d: _s(d, "Shipment")["properties"].pop("carrier"),
     "response-optional-property-removed", f"{HOOK}.requestBody.content.application/json.schema.properties.carrier"),
    ("webhook payload enum value added", lambda d: _p(d, "Shipment", "carrier")["enum"].append("fedex"),
     "response-property-enum-value-added", f"{HOOK}.requestBody.content.application/json.schema.properties.carrier.enum"),
    ("webhook answer property became required", lambda d: _s(d, "Ack").update(required=["ok"]),
     "request-property-became-required", f"{HOOK}.responses.200.content.application/json.schema.required"),
]

# (name, edit of the base document[, edit of the base first])
NOT_BREAKING: list[tuple[Any, ...]] = [
    ("response enum value removed", lambda d: _p(d, "Order", "status").update(enum=["pending"])),
    ("request maxLength increased", lambda d: _p(d, "OrderInput", "sku").update(maxLength=100)),
    ("request minLength decreased", lambda d: _p(d, "OrderInput", "sku").update(minLength=0)),
    ("request maximum increased", lambda d: _p(d, "OrderInput", "quantity").update(maximum=1000)),
    ("request pattern removed", lambda d: _p(d, "OrderInput", "sku").pop("pattern")),
    ("request enum value added", lambda d: _p(d, "OrderInput", "priority")["enum"].append("urgent")),
    ("request now accepts null", lambda d: _p(d, "OrderInput", "ref").update(type=["string", "null"])),
    ("request integer -> number", lambda d: _p(d, "OrderInput", "quantity").update(type="number")),
    ("request oneOf branch added", lambda d: _p(d, "OrderInput", "payment")["oneOf"].append(
        {"$ref": "#/components/schemas/Cash"})),
    ("new optional request property", lambda d: _s(d, "OrderInput")["properties"].update(gift={"type": "boolean"})),
    ("optional parameter added", lambda d: _op(d, "get")["parameters"].append(
        {"name": "page", "in": "query", "schema": {"type": "integer"}})),
    ("parameter maximum increased", lambda d: _param(d, "limit")["schema"].update(maximum=500)),
    ("new operation added", lambda d: d["paths"][ORDER].update(put={"responses": {"200": {"description": "OK"}}})),
    ("description changes", lambda d: (d["info"].update(description="Orders API"),
                                       _op(d, "get").update(description="Read one order", summary="Get"),
                                       _p(d, "Order", "id").update(description="The order's id"))),
    ("response number -> integer", lambda d: _p(d, "Order", "total").update(type="integer")),
    ("new response property", lambda d: _s(d, "Order")["properties"].update(weight={"type": "number"})),
    ("response maximum decreased", lambda d: _p(d, "Order", "total").update(maximum=10)),
    ("response oneOf branch removed", lambda d: _p(d, "Order", "payment")["oneOf"].pop()),
    ("response media type gains a charset", lambda d: _rename(_op(d, "get")["responses"]["200"]["content"],
                                                               "application/json", "application/json; charset=utf-8")),
    ("new success status beside the old", lambda d: _op(d, "post")["responses"].update({"202": {"description": "Later"}})),
    ("a $ref branch replaced by its content", lambda d: (_s(d, "Order")["properties"]["payment"]["oneOf"].__setitem__(
        0, {"type": "object", "properties": {"number": {"type": "string"}}}))),
    ("security alternative added", lambda d: _op(d, "post").update(security=[{"oauth": ["orders:write"]}, {"key": []}])),
    ("security scope replaced by another", lambda d: _op(d, "post").update(security=[{"oauth": ["orders:admin"]}])),
    ("a required API key parameter became a security scheme", lambda d: (
        _op(d, "get")["parameters"].pop(), _op(d, "get").update(security=[{"key": []}])), lambda d: _op(d, "get")[
            "parameters"].append({"name": "X-API-Key", "in": "header", "required": True, "schema": {"type": "string"}})),
    ("security scheme renamed", lambda d: (_rename(d["components"]["securitySchemes"], "oauth", "oauth2"),
                                           _op(d, "post").update(security=[{"oauth2": ["orders:write"]}]))),
    ("deprecated operation removed", lambda d: d["paths"][ORDER].pop("delete"),
     lambda d: _op(d, "delete").update(deprecated=True)),  # oasdiff's api-removed-with-deprecation: information only
    ("webhook added", lambda d: d["webhooks"].update(orderCancelled=copy.deepcopy(d["webhooks"]["orderShipped"]))),
    ("webhook payload gains a required property", lambda d: (
        _s(d, "Shipment")["properties"].update(weight={"type": "number"}), _s(d, "Shipment")["required"].append("weight"))),
    ("webhook payload enum value removed", lambda d: _p(d, "Shipment", "carrier").update(enum=["ups"])),
    ("webhook payload became required", lambda d: d["webhooks"]["orderShipped"]["post"]["requestBody"].update(
        required=True)),
]


def _tree(cases: list[tuple[str, Edit | None, Edit | None]]) -> dict[str, str]:
    """One folder per case, ``case-N/api.yaml`` edited and ``published/case-N/api.yaml`` not."""
    files = {}
    for i, (_name, edit, base_edit) in enumerate(cases):
        base = copy.deepcopy(BASE)
        if base_edit is not None:
            base_edit(base)
        new = copy.deepcopy(base)
        if edit is not None:
            edit(new)
        files[f"case-{i}/api.yaml"] = yaml.safe_dump(new, sort_keys=False)
        files[f"published/case-{i}/api.yaml"] = yaml.safe_dump(base, sort_keys=False)
    return files


def _findings(tmp_path_factory, cases: list[tuple[str, Edit | None, Edit | None]]) -> dict[str, list]:
    """CL304's findings for every case, by case name: one commlint run over all of them."""
    root = tmp_path_factory.mktemp("cases")
    write_tree(root, _tree(cases))
    result = run(root, {"select": ["CL304"], "rules": {"CL304": {"base-path": "published"}}, "jobs": 1})
    out: dict[str, list] = {name: [] for name, _, _ in cases}
    for f in result.active:
        assert f.code == "CL304" and f.location.path.startswith("case-"), f
        out[cases[int(f.location.path.split("/")[0][5:])][0]].append(f)
    return out


@pytest.fixture(scope="module")
def breaking(tmp_path_factory) -> dict[str, list]:
    return _findings(tmp_path_factory, [("unchanged", None, None)] + [(n, e, None) for n, e, _, _ in BREAKING])


@pytest.fixture(scope="module")
def not_breaking(tmp_path_factory) -> dict[str, list]:
    return _findings(tmp_path_factory, [(c[0], c[1], c[2] if len(c) > 2 else None) for c in NOT_BREAKING])


def test_the_base_document_is_not_breaking_against_itself(breaking) -> None:
    assert breaking["unchanged"] == []


@pytest.mark.parametrize("name, edit, check, json_path", BREAKING, ids=[c[0] for c in BREAKING])
def test_breaking_edit_is_reported_with_the_oasdiff_id(breaking, name: str, edit: Edit, check: str,
                                                         json_path: str) -> None:
    found = breaking[name]
    assert len(found) == 1, [f.message for f in found]
    (f,) = found
    props = dict(f.properties)
    assert props.get("oasdiff", "") == check
    assert (f"(oasdiff: {check}" if check else "(no oasdiff check)") in f.message
    assert props["json-path"] == json_path
    assert f.location.path.endswith("/api.yaml") and f.location.line > 1


@pytest.mark.parametrize("name", [c[0] for c in NOT_BREAKING])
def test_edit_a_client_does_not_notice_is_not_reported(not_breaking, name: str) -> None:
    assert not_breaking[name] == [], [f.message for f in not_breaking[name]]


def test_every_named_check_is_an_oasdiff_id() -> None:
    from commlint.analyses.openapi_schema_diff import OASDIFF

    assert {c for _, _, c, _ in BREAKING if c} <= OASDIFF.keys()


OLD = """openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /v1/orders/{id}:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/In'}
      responses:
        '201': {description: Created}
components:
  schemas:
    In:
      type: object
      properties:
        name: {type: string, maxLength: 50}
"""


def test_finding_carries_the_json_path_and_the_line_in_the_new_document(tmp_path) -> None:
    new = OLD.replace("maxLength: 50", "maxLength: 20").replace("'201'", "'200'")
    write_tree(tmp_path, {"api.yaml": new, "old/api.yaml": OLD})
    result = run(tmp_path, {"select": ["CL304"], "rules": {"CL304": {"base-path": "old/api.yaml"}}})
    got = sorted((f.location.line, dict(f.properties)["json-path"], f.message) for f in result.active)
    assert got == [
        (10, "paths./v1/orders/{id}.post.responses.201",  # removed: where it was, its parent
         ("POST /v1/orders/{id}: success response 201 was removed (the operation now answers 200) "
          "(oasdiff: response-success-status-removed)")),
        (17, "paths./v1/orders/{id}.post.requestBody.content.application/json.schema.properties.name.maxLength",
         ("POST /v1/orders/{id}: request body property 'name': maxLength decreased from 50 to 20 "
          "(oasdiff: request-property-max-length-decreased)")),
    ]


def test_a_change_in_a_shared_component_is_one_finding(tmp_path) -> None:
    ops = "".join(f"  /v1/{n}:\n    get:\n      responses:\n        '200':\n          description: OK\n"
                  "          content: {application/json: {schema: {$ref: '#/components/schemas/S'}}}\n"
                  for n in ("a", "b", "c"))
    old = (f"openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\npaths:\n{ops}components:\n  schemas:\n"
           "    S: {type: object, properties: {x: {type: string}, y: {type: string}}}\n")
    write_tree(tmp_path, {"api.yaml": old.replace(", y: {type: string}", ""), "old.yaml": old})
    result = run(tmp_path, {"select": ["CL304"], "rules": {"CL304": {"base-path": "old.yaml"}}})
    (f,) = result.active
    line = old.splitlines().index("    S: {type: object, properties: {x: {type: string}, y: {type: string}}}") + 1
    assert "'y' was removed" in f.message and f.location.line == line


def test_recursive_schemas_are_compared_in_bounded_time() -> None:
    """A schema tree that refers to itself through many components, as large APIs do: every
    (old node, new node) pair is compared once, not once per route to it."""
    import time

    from commlint.analyses.openapi_diff import breaking_changes
    from commlint.artifacts.openapi import load_spec

    n = 30  # 30 schemas, each refers to all 30: without memoising, 30^depth comparisons
    schemas = {f"N{i}": {"type": "object", "properties": {f"p{j}": {"$ref": f"#/components/schemas/N{j}"}
                                                         for j in range(n)} | {"v": {"type": "string"}}}
               for i in range(n)}
    doc = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
           "paths": {f"/v1/r{k}": {"post": {"requestBody": {"content": {"application/json": {
               "schema": {"$ref": "#/components/schemas/N0"}}}}, "responses": {"200": {"description": "OK", "content": {
                   "application/json": {"schema": {"$ref": "#/components/schemas/N0"}}}}}}} for k in range(20)},
           "components": {"schemas": schemas}}
    changed = copy.deepcopy(doc)
    changed["components"]["schemas"]["N7"]["properties"]["v"]["type"] = "integer"

    def load(d: dict[str, Any], name: str):
        import json
        from pathlib import Path
        return load_spec(Path(f"/nonexistent/{name}.json"), json.dumps(d), Path("/nonexistent"), lambda p: None)

    old, new = load(doc, "old"), load(changed, "new")
    start = time.monotonic()
    found = breaking_changes(old, new)
    assert time.monotonic() - start < 5
    assert {c.check for c in found} == {"request-property-type-changed", "response-property-type-changed"}


SWAGGER = """swagger: '2.0'
info: {title: T, version: '1'}
paths:
  /v1/orders:
    post:
      parameters:
        - {name: body, in: body, schema: {type: object, properties: {note: {type: string, maxLength: 50}}}}
        - {name: kind, in: query, type: string, enum: [a, b]}
      responses:
        '200': {description: OK, schema: {type: object, properties: {state: {type: string, enum: [on, off]}}}}
"""

OPENAPI_30 = """openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /v1/orders:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                qty: {type: integer, maximum: 10}
                memo: {type: string, nullable: true}
      responses:
        '200': {description: OK}
"""


@pytest.mark.parametrize("old, edits, want", [
    (SWAGGER, [("maxLength: 50", "maxLength: 20"), ("enum: [a, b]", "enum: [a]"), ("enum: [on, off]", "enum: [on, off, idle]")],
     ["request-parameter-enum-value-removed", "request-property-max-length-decreased", "response-property-enum-value-added"]),
    (OPENAPI_30, [("maximum: 10}", "maximum: 10, exclusiveMaximum: true}"), ("nullable: true", "nullable: false")],
     ["request-property-became-not-nullable", "request-property-max-decreased"]),
], ids=["swagger 2", "openapi 3.0 boolean exclusiveMaximum and nullable"])
def test_older_versions_of_the_format(tmp_path, old: str, edits: list[tuple[str, str]], want: list[str]) -> None:
    new = old
    for a, b in edits:
        assert a in new
        new = new.replace(a, b)
    write_tree(tmp_path, {"api.yaml": new, "old/api.yaml": old})
    result = run(tmp_path, {"select": ["CL304"], "rules": {"CL304": {"base-path": "old/api.yaml"}}})
    assert sorted(dict(f.properties).get("oasdiff", "") for f in result.active) == want, [f.message for f in result.active]
