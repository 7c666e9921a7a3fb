"""CL304 over oasdiff's breaking-change test pairs: does commlint call each pair breaking?

    PYTHONPATH=src python scripts/oasdiff_pairs.py [-v] [DIR]

DIR defaults to ../shared/corpus/openapi/oasdiff/data/checker; a pair is
``X_base.yaml`` + ``X_revision.yaml``. Each line says whether commlint finds a
breaking change (CL304) going from base to revision. ``EXPECT`` lists the pairs
whose name (checked against the files' diff) says without doubt what a client
sees, in the kinds of change CL304 checks (a ``request_``/``response_`` name
is judged on the findings about that side only); a line marked DISAGREES is
one where commlint and that expectation differ. Exits 1 if any expected pair disagrees.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from commlint.artifacts.openapi import file_reader, load_spec
from commlint.rules.openapi import breaking_changes

DEFAULT = REPO.parent / "shared" / "corpus" / "openapi" / "oasdiff" / "data" / "checker"

# pair -> (breaking?, what the revision does)
EXPECT: dict[str, tuple[bool, str]] = {
    # a changed type
    "request_property_type_changed": (True, "request property integer -> string"),
    "response_schema_type_changed": (True, "response schema string -> object"),
    "request_parameter_became_enum": (True, "query parameter string -> integer enum"),
    "request_param_scalar_to_array_31": (True, "parameter string -> array|null"),
    "request_param_multitype_to_array_31": (True, "parameter string|integer -> array"),
    "request_param_nullable_to_array_31": (True, "parameter string|null -> array|null"),
    "request_param_scalar_to_constrained_array_31": (True, "parameter string -> array"),
    # a removed enum value, a removed response property, a property made (or added) required
    "request_parameter_enum_value_updated": (True, "request parameter enum value 'available' removed"),
    "request_parameter_property_enum_value_updated": (True, "request parameter property enum value removed"),
    "response_optional_property_removed": (True, "response property 'id' removed"),
    "response_property_became_optional": (True, "response property no longer required"),
    "request_property_added": (True, "new request property 'description', added to required"),
    "nullable_wrap_narrowed": (True, "request enum value 'serviceAccount' removed under a nullable oneOf"),
    # constraints, media types, bodies, webhooks, security (oasdiff: information only), by direction
    "request_parameter_array_max_items": (True, "query parameter maxItems 50 -> 10"),
    "exclusive_min_max": (True, "request exclusive bounds narrowed, response ones widened"),
    "response_min_decreased": (True, "response minimum 10 -> 5"),
    "nullable_type_array_param": (True, "query parameter string|null -> string"),
    "request_body_removed": (True, "the request body removed"),
    "webhook": (True, "webhook orderDeleted removed"),
    "api_security_added": (True, "an operation without security now requires it"),
    "request_parameter_max_length_updated": (False, "query parameter maxLength 10 -> 15"),
    "request_parameter_pattern_added_or_changed": (False, "parameter pattern removed"),
    "request_property_pattern_added_or_changed": (False, "request pattern -> '' (matches anything)"),
    "request_property_any_of_ref_inline_enum": (False, "an inline anyOf branch moved to an equal component"),
    "request_xml_type_compatible": (False, "XML request body object -> string (text on the wire, as oasdiff)"),
    "response_xml_type_compatible": (False, "XML response body string -> object (text on the wire, as oasdiff)"),
    "api_security_updated": (False, "a scope no longer required"),
    # additions and widenings a client does not notice
    "request_property_became_nullable": (False, "request property may now be null"),
    "request_property_became_nullable_31": (False, "request property type string -> string|null"),
    "request_body_nullable_31": (False, "request body type object -> object|null"),
    "response_required_property_added": (False, "new response property"),
    "request_property_all_of_inline_added": (False, "new optional request property via allOf"),
    "response_property_all_of_inline_added": (False, "new optional response property via allOf"),
    "add_new_media_type": (False, "new response media type"),
    "request_property_all_of_annotation_only_added": (False, "annotation-only allOf member"),
    "response_property_all_of_annotation_only_added": (False, "annotation-only allOf member"),
}


def on_side(name: str, found: list) -> list:
    """The findings about the side a pair's name describes: a ``request_...`` pair's revision may
    also change a response (and the other way round), which its name does not mention."""
    if name.startswith(("request_", "response_")):
        response = name.startswith("response_")
        return [c for c in found if (": response " in c.message) == response]
    return found


def pairs(directory: Path) -> list[str]:
    return sorted(p.name[: -len("_base.yaml")] for p in directory.glob("*_base.yaml")
                  if (directory / p.name.replace("_base.yaml", "_revision.yaml")).is_file())


def compare(directory: Path, name: str) -> list:
    """CL304's findings going from ``name``'s base to its revision."""
    read = file_reader(16 * 1024 * 1024)
    docs = []
    for suffix in ("_base.yaml", "_revision.yaml"):
        path = (directory / f"{name}{suffix}").resolve()
        doc = load_spec(path, read(path) or "", directory.resolve(), read)
        if doc is None:
            raise ValueError(f"{path.name} is not an OpenAPI document")
        docs.append(doc)
    return breaking_changes(docs[0], docs[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=str(DEFAULT))
    ap.add_argument("-v", "--verbose", action="store_true", help="print CL304's messages for every pair")
    args = ap.parse_args()
    directory = Path(args.directory)
    if not directory.is_dir():
        print(f"{directory}: not found", file=sys.stderr)
        return 2
    disagree = 0
    names = pairs(directory)
    breaking = 0
    for name in names:
        found = compare(directory, name)
        breaking += bool(found)
        verdict = "breaking" if found else "not breaking"
        note = ""
        if name in EXPECT:
            want, why = EXPECT[name]
            side = on_side(name, found)
            if bool(side) != bool(found):
                verdict += f" (the {name.split('_')[0]}: {'breaking' if side else 'not breaking'})"
            agrees = want == bool(side)
            disagree += not agrees
            note = f"  {'agrees' if agrees else 'DISAGREES'}: expected {'breaking' if want else 'not breaking'} ({why})"
        print(f"{name:58} {verdict:13}{note}")
        if args.verbose or (note and "DISAGREES" in note):
            for c in found:
                print(f"    {c.json_path}: {c.message}")
    print(f"\n{len(names)} pairs: {breaking} breaking by CL304; {len(EXPECT)} with an expectation, {disagree} disagree")
    return 1 if disagree else 0


if __name__ == "__main__":
    raise SystemExit(main())
