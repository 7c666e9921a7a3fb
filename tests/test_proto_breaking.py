"""CL504 from protoc's descriptors: one synthetic edit per buf breaking rule of the FILE and
WIRE_JSON categories, each reported with the buf rule id; when buf is installed (buf-bin,
@bufbuild/buf), buf's own verdict on the same edit is the reference."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run, write_tree

from commlint.analyses.proto_breaking import CATEGORIES, selected

BASE = '''syntax = "proto2";
package shop.v1;
option go_package = "example.com/shop/v1";
option java_package = "com.example.shop";
message Order {
  reserved 20 to 30;
  reserved "legacy";
  extensions 100 to 200;
  optional string id = 1 [json_name = "id"];
  optional int32 qty = 2 [default = 1];
  repeated string tags = 3;
  required string owner = 4;
  optional int64 total = 5 [jstype = JS_NORMAL];
  optional string note = 6 [ctype = CORD];
  oneof payment { string card = 7; string iban = 8; }
  optional string plain = 9;
  message Line { optional int32 n = 1; }
}
enum Status { reserved 9; reserved "OLD"; STATUS_UNKNOWN = 0; STATUS_PLACED = 1; }
message Request { optional string id = 1; }
message Response { optional string id = 1; }
service OrderService {
  rpc Get(Request) returns (Response) { option idempotency_level = NO_SIDE_EFFECTS; }
  rpc Watch(Request) returns (Response);
}
extend Order { optional string ext = 100; }
'''

EDITS: dict[str, tuple[str, str]] = {  # buf rule -> (old text, new text) applied to BASE
    "MESSAGE_NO_DELETE": ("  message Line { optional int32 n = 1; }\n", ""),
    "ENUM_NO_DELETE": ('enum Status { reserved 9; reserved "OLD"; STATUS_UNKNOWN = 0; STATUS_PLACED = 1; }\n', ""),
    "SERVICE_NO_DELETE": (BASE[BASE.index("service OrderService"):BASE.index("extend Order")], ""),
    "RPC_NO_DELETE": ("  rpc Watch(Request) returns (Response);\n", ""),
    "EXTENSION_NO_DELETE": ("extend Order { optional string ext = 100; }\n", ""),
    "FIELD_NO_DELETE": ("  optional string plain = 9;\n", ""),
    "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED": ("  optional string plain = 9;\n", '  reserved "plain";\n'),
    "FIELD_NO_DELETE_UNLESS_NAME_RESERVED": ("  optional string plain = 9;\n", "  reserved 9;\n"),
    "ENUM_VALUE_NO_DELETE": (" STATUS_PLACED = 1;", ""),
    "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED": (" STATUS_PLACED = 1;", ' reserved "STATUS_PLACED";'),
    "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED": (" STATUS_PLACED = 1;", " reserved 1;"),
    "ENUM_VALUE_SAME_NAME": ("STATUS_PLACED = 1", "STATUS_CREATED = 1"),
    "ONEOF_NO_DELETE": ("  oneof payment { string card = 7; string iban = 8; }\n",
                        "  optional string card = 7;\n  optional string iban = 8;\n"),
    "FIELD_SAME_ONEOF": ("  optional string plain = 9;\n  message", "  oneof extra { string plain = 9; }\n  message"),
    "FIELD_SAME_NAME": ("optional string plain = 9", "optional string simple = 9"),
    "FIELD_SAME_JSON_NAME": ('[json_name = "id"]', '[json_name = "orderId"]'),
    "FIELD_SAME_TYPE": ("optional string plain = 9", "optional bytes plain = 9"),
    "FIELD_WIRE_JSON_COMPATIBLE_TYPE": ("optional string plain = 9", "optional bytes plain = 9"),
    "FIELD_SAME_CARDINALITY": ("optional string plain = 9", "repeated string plain = 9"),
    "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY": ("optional string plain = 9", "repeated string plain = 9"),
    "FIELD_SAME_DEFAULT": ("[default = 1]", "[default = 2]"),
    "FIELD_SAME_JSTYPE": ("JS_NORMAL", "JS_STRING"),
    "FIELD_SAME_CPP_STRING_TYPE": ("[ctype = CORD]", "[ctype = STRING_PIECE]"),
    "MESSAGE_SAME_REQUIRED_FIELDS": ("required string owner = 4;", "optional string owner = 4;"),
    "RESERVED_MESSAGE_NO_DELETE": ("  reserved 20 to 30;\n", ""),
    "RESERVED_ENUM_NO_DELETE": (' reserved "OLD";', ""),
    "EXTENSION_MESSAGE_NO_DELETE": ("  extensions 100 to 200;\n", "  extensions 100 to 150;\n"),
    "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR": ("message Request {", "message Request {\n  option no_standard_descriptor_accessor = true;"),
    "RPC_SAME_REQUEST_TYPE": ("rpc Watch(Request)", "rpc Watch(Response)"),
    "RPC_SAME_RESPONSE_TYPE": ("rpc Watch(Request) returns (Response)", "rpc Watch(Request) returns (Request)"),
    "RPC_SAME_CLIENT_STREAMING": ("rpc Watch(Request)", "rpc Watch(stream Request)"),
    "RPC_SAME_SERVER_STREAMING": ("returns (Response);", "returns (stream Response);"),
    "RPC_SAME_IDEMPOTENCY_LEVEL": ("NO_SIDE_EFFECTS", "IDEMPOTENT"),
    "FILE_SAME_PACKAGE": ("package shop.v1;", "package shop.v2;"),
    "FILE_SAME_GO_PACKAGE": ("example.com/shop/v1", "example.com/shop/v2"),
    "FILE_SAME_JAVA_PACKAGE": ("com.example.shop", "com.example.orders"),
    "FILE_SAME_JAVA_MULTIPLE_FILES": ('option java_package', 'option java_multiple_files = true;\noption java_package'),
    "FILE_SAME_JAVA_OUTER_CLASSNAME": ('option java_package', 'option java_outer_classname = "X";\noption java_package'),
    "FILE_SAME_CSHARP_NAMESPACE": ('option java_package', 'option csharp_namespace = "X";\noption java_package'),
    "FILE_SAME_OBJC_CLASS_PREFIX": ('option java_package', 'option objc_class_prefix = "XYZ";\noption java_package'),
    "FILE_SAME_PHP_NAMESPACE": ('option java_package', 'option php_namespace = "X";\noption java_package'),
    "FILE_SAME_RUBY_PACKAGE": ('option java_package', 'option ruby_package = "X";\noption java_package'),
    "FILE_SAME_SWIFT_PREFIX": ('option java_package', 'option swift_prefix = "X";\noption java_package'),
    "FILE_SAME_OPTIMIZE_FOR": ('option java_package', 'option optimize_for = CODE_SIZE;\noption java_package'),
    "FILE_SAME_CC_ENABLE_ARENAS": ('option java_package', 'option cc_enable_arenas = false;\noption java_package'),
    "FILE_SAME_PHP_CLASS_PREFIX": ('option java_package', 'option php_class_prefix = "X";\noption java_package'),
    "FILE_SAME_PHP_METADATA_NAMESPACE": ('option java_package', 'option php_metadata_namespace = "X";\noption java_package'),
    "FILE_SAME_CC_GENERIC_SERVICES": ('option java_package', 'option cc_generic_services = true;\noption java_package'),
    "FILE_SAME_JAVA_GENERIC_SERVICES": ('option java_package', 'option java_generic_services = true;\noption java_package'),
    "FILE_SAME_PY_GENERIC_SERVICES": ('option java_package', 'option py_generic_services = true;\noption java_package'),
    "FIELD_SAME_JAVA_UTF8_VALIDATION": ('option java_package', 'option java_string_check_utf8 = true;\noption java_package'),
}
CHECKED = {r for r in CATEGORIES if "FILE" in CATEGORIES[r] or "WIRE_JSON" in CATEGORIES[r]}
# editions-only features (a proto2 file cannot change them) and the deleted file, tested apart
APART = {"FILE_SAME_SYNTAX", "ENUM_SAME_TYPE", "ENUM_SAME_JSON_FORMAT", "MESSAGE_SAME_JSON_FORMAT", "FIELD_SAME_UTF8_VALIDATION", "FILE_NO_DELETE"}


def _edit(rule: str) -> str:
    old, new = EDITS[rule]
    assert old in BASE, rule
    return BASE.replace(old, new, 1)


def _ours(tmp: Path, before: str, after: str, use: list[str]) -> set[str]:
    write_tree(tmp, {"before/shop/v1/order.proto": before, "shop/v1/order.proto": after})
    result = run(tmp, {"select": ["CL504", "CL500"], "base": "before", "exclude": ["before/"],
                       "rules": {"CL504": {"use": use}}})
    assert not [f for f in result.active if f.code == "CL500"], [f.message for f in result.active]
    return {f.message.rsplit("[buf ", 1)[1].rstrip("]") for f in result.active if "[buf " in f.message}


def test_every_file_and_wire_json_rule_has_an_edit() -> None:
    assert CHECKED - APART <= set(EDITS), sorted(CHECKED - APART - set(EDITS))


@pytest.mark.parametrize("rule", sorted(EDITS))
def test_one_synthetic_edit_per_buf_rule(rule: str, tmp_path: Path) -> None:
    use = ["FILE"] if "FILE" in CATEGORIES[rule] else ["WIRE_JSON"]
    got = _ours(tmp_path, BASE, _edit(rule), use)
    assert rule in got, got


EDITION = 'edition = "2023";\npackage shop.v1;\nmessage M { string s = 1; }\nenum E { E_UNKNOWN = 0; }\n'
EDITION_EDITS = {
    "FILE_SAME_SYNTAX": ('edition = "2023";', 'syntax = "proto3";'),
    "ENUM_SAME_TYPE": ("enum E {", "enum E {\n  option features.enum_type = CLOSED;"),
    "ENUM_SAME_JSON_FORMAT": ("enum E {", "enum E {\n  option features.json_format = LEGACY_BEST_EFFORT;"),
    "MESSAGE_SAME_JSON_FORMAT": ("message M {", "message M {\n  option features.json_format = LEGACY_BEST_EFFORT;"),
    "FIELD_SAME_UTF8_VALIDATION": ("string s = 1;", "string s = 1 [features.utf8_validation = NONE];"),
    "FIELD_SAME_CARDINALITY": ("string s = 1;", "string s = 1 [features.field_presence = IMPLICIT];"),
}


@pytest.mark.parametrize("rule", sorted(EDITION_EDITS))
def test_editions_features(rule: str, tmp_path: Path) -> None:
    old, new = EDITION_EDITS[rule]
    assert rule in _ours(tmp_path, EDITION, EDITION.replace(old, new), ["FILE"])


def test_presence_and_oneof_moves_and_a_deleted_file_holding_a_service(tmp_path: Path) -> None:
    p3 = 'syntax = "proto3";\npackage a.v1;\nmessage M { string s = 1; oneof o { string x = 2; } }\n'
    assert "FIELD_SAME_CARDINALITY" in _ours(tmp_path / "1", p3, p3.replace("string s = 1", "optional string s = 1"), ["FILE"])
    out = p3.replace("oneof o { string x = 2; }", "string x = 2;")
    assert {"FIELD_SAME_ONEOF", "ONEOF_NO_DELETE"} <= _ours(tmp_path / "2", p3, out, ["FILE"])
    write_tree(tmp_path / "3", {"before/a/v1/svc.proto": 'syntax = "proto3";\npackage a.v1;\nservice S {}\n',
                                "before/a/v1/m.proto": p3, "a/v1/m.proto": p3})
    result = run(tmp_path / "3", {"select": ["CL504"], "base": "before", "exclude": ["before/"]})
    [f] = result.active
    assert (f.location.path, "FILE_NO_DELETE" in f.message, 'service "a.v1.S"' in f.message) == ("a/v1/m.proto", True, True)


def test_use_and_except_choose_rules_as_buf_does() -> None:
    assert "FIELD_NO_DELETE" in selected(["FILE"], []) and "FIELD_NO_DELETE" not in selected(["WIRE_JSON"], [])
    assert "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED" in selected(["WIRE_JSON"], [])
    assert selected(["FILE"], ["FIELD_SAME_NAME"]) == selected(["FILE"], []) - {"FIELD_SAME_NAME"}
    assert selected(["FIELD_SAME_NAME"], []) == {"FIELD_SAME_NAME"}


def _buf() -> str | None:
    return shutil.which("buf")


@pytest.mark.skipif(_buf() is None, reason="buf not installed (pip install buf-bin)")
@pytest.mark.parametrize("rule", sorted(EDITS))
def test_buf_reports_the_same_rule_for_each_edit(rule: str, tmp_path: Path) -> None:
    use = ["FILE"] if "FILE" in CATEGORIES[rule] else ["WIRE_JSON"]
    for name, text in (("before", BASE), ("after", _edit(rule))):
        write_tree(tmp_path / name, {"shop/v1/order.proto": text,
                                     "buf.yaml": "version: v2\nbreaking:\n  use: [" + ", ".join(use) + "]\n"})
    p = subprocess.run([_buf(), "breaking", str(tmp_path / "after"), "--against", str(tmp_path / "before"),
                        "--error-format", "json"], capture_output=True, text=True, timeout=120)
    theirs = {json.loads(line)["type"] for line in p.stdout.splitlines() if line.strip()}
    ours = _ours(tmp_path / "ours", BASE, _edit(rule), use)
    assert rule in theirs, p.stdout + p.stderr
    assert ours == theirs, (sorted(ours - theirs), sorted(theirs - ours))


MAPS = 'syntax = "proto3";\npackage x.v1;\nmessage P { string k = 1; string v = 2; }\n' \
       "message M { map<string, string> tags = 1; message Inner { map<string, int32> m = 1; } Inner inner = 2; }\n"
MAPS_AFTER = 'syntax = "proto3";\npackage x.v1;\nmessage P { string k = 1; string v = 2; }\nmessage M { repeated P tags = 1; }\n'
# buf breaking --use FILE on this edit (buf 1.75): a map's entry message is a message of its own,
# deleted with the map or its parent, and a map is not a repeated field
MAPS_BUF = {"FIELD_NO_DELETE": 1, "MESSAGE_NO_DELETE": 3, "FIELD_SAME_CARDINALITY": 1, "FIELD_SAME_TYPE": 1}


def test_map_entries_and_map_cardinality_as_buf_counts_them(tmp_path: Path) -> None:
    write_tree(tmp_path, {"before/x/v1/m.proto": MAPS, "x/v1/m.proto": MAPS_AFTER})
    result = run(tmp_path, {"select": ["CL504"], "base": "before", "exclude": ["before/"]})
    got: dict[str, int] = {}
    for f in result.active:
        rule = f.message.rsplit("[buf ", 1)[1].rstrip("]")
        got[rule] = got.get(rule, 0) + 1
    assert got == MAPS_BUF, [f.message for f in result.active]
    if _buf() is not None:
        for name, text in (("b", MAPS), ("a", MAPS_AFTER)):
            write_tree(tmp_path / "buf" / name, {"x/v1/m.proto": text, "buf.yaml": "version: v2\nbreaking:\n  use: [FILE]\n"})
        p = subprocess.run([_buf(), "breaking", str(tmp_path / "buf/a"), "--against", str(tmp_path / "buf/b"),
                            "--error-format", "json"], capture_output=True, text=True, timeout=120)
        theirs: dict[str, int] = {}
        for line in p.stdout.splitlines():
            rule = json.loads(line)["type"]
            theirs[rule] = theirs.get(rule, 0) + 1
        assert theirs == got
