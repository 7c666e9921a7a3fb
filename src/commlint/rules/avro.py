"""Avro event schemas (``.avsc``): validity, the event envelope, past-tense
names, optional fields, and evolution against earlier versions.

Earlier versions of a schema come from versioned files side by side
(``order.v1.avsc`` / ``order.v2.avsc``, ``order_v1.avsc``, ``v1.avsc`` /
``v2.avsc`` in one folder, ``v1/order.avsc`` / ``v2/order.avsc``) and from
git: the ``--base`` revision, and for a ``*_TRANSITIVE`` mode every
committed version of the file. No registry is contacted.
"""

from __future__ import annotations

import functools
import json
import re
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any

from ..artifacts.avro import PRIMITIVES, AvroArtifact, load
from ..analyses.avro_compat import Incompatibility, compatibility, describe
from ..artifacts.yamljson import join
from ..core.model import Severity
from ..analyses.base_versions import VERSION_LIMIT, base_unusable, configured_mode, earlier_versions_of
from ..core import safeio
from ..analyses.words import past_tense_problem, styled, suggest
from . import AvroContext, check


@check("CL400")
def invalid_schema(ctx: AvroContext) -> None:
    for where, message in ctx.artifact.problems:
        ctx.report(where, f"not a valid Avro schema: {message}")


# -- events -------------------------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[_\-.]", "", name).lower()


def event_records(ctx: AvroContext) -> list[tuple[dict[str, Any], str]]:
    """The event record(s) of a file: its top-level record(s), unless the file is a key schema."""
    art: AvroArtifact = ctx.artifact
    if not art.valid:
        return []
    name = PurePosixPath(art.path).name
    if any(fnmatchcase(name, g) or fnmatchcase(art.path, g) for g in ctx.options["not-events"]):
        return []
    return art.top_records()


def _nested_records(art: AvroArtifact, rec: dict[str, Any]) -> list[dict[str, Any]]:
    """Records that the record's fields hold directly (an envelope or header record), through a nullable union."""
    out = []
    for f in rec["fields"]:
        t, _ = art.resolve(f["type"], "")
        branches = t if isinstance(t, list) else [t]
        for b in branches:
            b, _ = art.resolve(b, "")
            if isinstance(b, dict) and b.get("type") in ("record", "error") and b is not rec:
                out.append(b)
    return out


@check("CL401")
def missing_envelope(ctx: AvroContext) -> None:
    art: AvroArtifact = ctx.artifact
    wanted = ctx.options["fields"]
    for rec, ptr in event_records(ctx):
        have = {_norm(f["name"]) for f in rec["fields"]}
        for inner in _nested_records(art, rec):
            have |= {_norm(f["name"]) for f in inner["fields"]}
        missing = [w for w in wanted if _norm(w) not in have]
        if missing:
            ctx.report(join(ptr, "name"), f"event record {rec['name'].rsplit('.', 1)[-1]} has no {', '.join(missing)} "
                       f"field{'s' if len(missing) > 1 else ''} (the envelope every event carries, at the top level or in a nested record)")


@check("CL402")
def event_name_not_past_tense(ctx: AvroContext) -> None:
    art: AvroArtifact = ctx.artifact
    extra = set(ctx.options["extra-past-words"])
    state = set(ctx.options["state-words"])

    def judge(where: str, what: str, name: str) -> None:
        problem = past_tense_problem(name, extra, state)
        if problem:
            better = styled(suggest(name), name)
            hint = f"; name the fact, e.g. {better!r}" if better else "; name what happened, in the past tense"
            ctx.report(where, f"{what} {name!r} {problem}{hint}")

    event_type = {_norm(n) for n in ctx.options["type-fields"]}
    for rec, ptr in event_records(ctx):
        judge(join(ptr, "name"), "event name", rec["name"].rsplit(".", 1)[-1])
        for i, f in enumerate(rec["fields"]):
            if _norm(f["name"]) not in event_type:
                continue
            fptr = join(ptr, "fields", i)
            if isinstance(f.get("default"), str):
                judge(join(fptr, "default"), "event type", f["default"])
            t, tptr = art.resolve(f["type"], join(fptr, "type"))
            if isinstance(t, dict) and t.get("type") == "enum":
                for j, symbol in enumerate(t["symbols"]):
                    judge(join(tptr, "symbols", j), "event type", symbol)


def own_records(art: AvroArtifact) -> list[tuple[str, dict[str, Any], str]]:
    """Records defined in this file (not those read from other files)."""
    return [r for r in art.records() if r[0] in art.defined_at]


@check("CL405")
def optional_field_shape(ctx: AvroContext) -> None:
    art: AvroArtifact = ctx.artifact
    if not art.valid:
        return
    for _name, rec, ptr in own_records(art):
        for i, f in enumerate(rec["fields"]):
            t, _ = art.resolve(f["type"], "")
            if not isinstance(t, list):
                continue
            branches = [art.resolve(b, "")[0] for b in t]
            if "null" not in branches:
                continue
            wrong = []
            if branches[0] != "null":
                wrong.append("null is not its first branch")
            if "default" not in f:
                wrong.append("it has no default")
            elif f["default"] is not None:
                wrong.append(f"its default is {json.dumps(f['default'])}, not null")
            if wrong:
                others = ", ".join(f'"{b}"' if isinstance(b, str) else describe(art, b) for b in branches if b != "null")
                ctx.report(join(ptr, "fields", i, "name"),
                           f"optional field {f['name']!r}: {' and '.join(wrong)}; write it as "
                           f'["null", {others}] with "default": null')


# -- earlier versions -----------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _load_file(path: str, mtime: int, size: int, rel: str, root: str) -> AvroArtifact | None:
    try:
        text = safeio.read_file(path, VERSION_LIMIT, root).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return load(rel, text, Path(path).parent)


def earlier_versions(ctx: AvroContext, transitive: bool) -> list[tuple[str, AvroArtifact]]:
    """The versions a schema must stay compatible with: (label, parsed schema) (see
    ``earlier_versions_of``)."""
    art: AvroArtifact = ctx.artifact
    return earlier_versions_of(art, Path(ctx.settings.root), ".avsc", ctx.settings.base, transitive, _load_file,
                               lambda v: load(art.path, v.text, v.folder))


def compatibility_mode(settings: Any, art: AvroArtifact) -> str:
    """The configured mode for a schema: the longest ``compatibility`` glob matching its path or a record's full name."""
    return configured_mode(settings, [art.path, PurePosixPath(art.path).name,
                                      *[r.get("name", "") for r, _ in art.top_records()]])


def _report_grouped(ctx: AvroContext, found: dict[tuple[str, str], list[str]], prefix: str) -> None:
    for (ptr, why), labels in found.items():
        ctx.report(ptr, prefix.format(labels=", ".join(labels)) + why)


PROMOTIONS = "Avro promotes only int to long, float or double; long to float or double; float to double; string and bytes to each other"


# Why a schema breaks, per Avro-Java incompatibility: (BACKWARD: the new schema reads old data,
# FORWARD: the old schema reads new data). {old}/{new} are the two versions' types, or for
# renames and resizes the two names or sizes.
EXPLAIN = {
    "reader_field_missing_default_value": (
        "field {detail!r} was added without a default, so data written before it existed cannot be read",
        "field {detail!r} was removed, and the earlier schema gives it no default, so its consumers cannot read new data"),
    "type_mismatch": (
        "type changed from {old} to {new}, and a reader of {reader} cannot read {writer}{hint}",
        "type changed from {old} to {new}, and a reader of {reader} cannot read {writer}{hint}"),
    "missing_enum_symbols": (
        "{new} dropped symbol(s) {detail} that earlier data may hold, and has no default",
        "{new} added symbol(s) {detail} that consumers of the earlier schema do not know, and its earlier version has no default"),
    "missing_union_branch": (
        "{new} cannot hold {writer}, which earlier data may contain",
        "{writer} may now be written, but the earlier schema's {old} cannot hold it"),
    "name_mismatch": (
        "named type renamed from {old} to {new} without {old!r} among its aliases",
        "named type renamed from {old} to {new}, which consumers of the earlier schema do not accept"),
    "fixed_size_mismatch": (
        "fixed size changed from {old} to {new} bytes",
        "fixed size changed from {old} to {new} bytes"),
}


def explain(inc: Incompatibility, backward: bool) -> str:
    """Why, in terms of the earlier and the new schema, with the field path first."""
    old, new = (inc.writer_type, inc.reader_type) if backward else (inc.reader_type, inc.writer_type)
    hint = f" ({PROMOTIONS})" if old in PRIMITIVES and new in PRIMITIVES else ""
    if " -> " in inc.detail:  # writer -> reader names or sizes
        writer, reader = inc.detail.split(" -> ", 1)
        old, new = (writer, reader) if backward else (reader, writer)
    template = EXPLAIN.get(inc.kind, ("{kind}", "{kind}"))[0 if backward else 1]
    why = template.format(detail=inc.detail, old=old, new=new, reader=inc.reader_type, writer=inc.writer_type,
                          hint=hint, kind=inc.kind)
    return f"{inc.path}: {why}"


@check("CL403")
def incompatible_change(ctx: AvroContext) -> None:
    art: AvroArtifact = ctx.artifact
    if not art.valid:
        return
    problem = base_unusable(ctx.settings, ctx.artifact.path)
    if problem:
        ctx.report("", f"cannot compare with --base {ctx.settings.base}: {problem}", severity=Severity.NOTE)
    mode = compatibility_mode(ctx.settings, art)
    if mode == "NONE":
        return
    level = mode.split("_")[0]
    directions = {"BACKWARD": (True,), "FORWARD": (False,), "FULL": (True, False)}[level]
    found: dict[tuple[str, str], list[str]] = {}
    for label, old in earlier_versions(ctx, mode.endswith("_TRANSITIVE")):
        if not old.valid:
            continue
        renamed = _renames(art, old)
        for backward in directions:
            for inc in compatibility(art, old) if backward else compatibility(old, art):
                ptr = inc.reader if backward else inc.writer
                if inc.kind == "reader_field_missing_default_value" and not backward:
                    ptr = join(ptr, "fields")
                part = "" if len(directions) == 1 else (" (its backward part)" if backward else " (its forward part)")
                why = explain(inc, backward)
                if backward and inc.kind == "reader_field_missing_default_value" and (ptr, inc.detail) in renamed:
                    why += f"; {renamed[(ptr, inc.detail)]}"  # CL404 leaves this field to CL403: keep its hint
                found.setdefault((ptr, f"{part}: {why}"), []).append(label)
    _report_grouped(ctx, found, f"breaks {mode} compatibility with {{labels}}")


def _find_record(art: AvroArtifact, fullname: str) -> tuple[dict[str, Any], str] | None:
    for name, rec, ptr in own_records(art):
        space = name.rsplit(".", 1)[0] if "." in name else ""
        aliases = {a.removeprefix(".") if "." in a or not space else f"{space}.{a}" for a in rec.get("aliases", []) or []}
        if name == fullname or fullname in aliases:
            return rec, ptr
    return None


@check("CL404")
def field_removed_or_added(ctx: AvroContext) -> None:
    art: AvroArtifact = ctx.artifact
    if not art.valid:
        return
    found: dict[tuple[str, str], list[str]] = {}
    for label, old in earlier_versions(ctx, False):
        if not old.valid:
            continue
        reported = _cl403_fields(ctx, art, old)
        for fullname, old_rec, _ in own_records(old):
            hit = _find_record(art, fullname)
            if hit is None:
                continue
            rec, ptr = hit
            for where, name, why in _field_changes(art, rec, ptr, old, old_rec):
                if (where, name) not in reported:
                    found.setdefault((where, why), []).append(label)
    _report_grouped(ctx, found, "compared with {labels}: ")


def _renames(art: AvroArtifact, old: AvroArtifact) -> dict[tuple[str, str], str]:
    """(pointer, new field name) -> the rename hint, for each field of ``art`` that looks like a
    field of ``old`` renamed without an alias (same type, the old name gone)."""
    out: dict[tuple[str, str], str] = {}
    for fullname, old_rec, _ in own_records(old):
        hit = _find_record(art, fullname)
        if hit is None:
            continue
        rec, ptr = hit
        for where, name, why in _field_changes(art, rec, ptr, old, old_rec):
            if "looks renamed" in why:
                out[(where, name)] = why
    return out


def _cl403_fields(ctx: AvroContext, art: AvroArtifact, old: AvroArtifact) -> set[tuple[str, str]]:
    """The fields added without a default (or removed without one) that CL403 reports for this
    pair, as (pointer, field name): one finding per problem, the error rather than the warning."""
    from ..core.catalogue import load as catalogue
    from ..core.config import enabled_rules

    if not any(r.code == "CL403" for r in enabled_rules(ctx.settings, catalogue())):
        return set()
    mode = compatibility_mode(ctx.settings, art)
    if mode == "NONE":
        return set()
    level = mode.split("_")[0]
    out: set[tuple[str, str]] = set()
    if level in ("BACKWARD", "FULL"):
        out |= {(inc.reader, inc.detail) for inc in compatibility(art, old) if inc.kind == "reader_field_missing_default_value"}
    if level in ("FORWARD", "FULL"):
        out |= {(join(inc.writer, "fields"), inc.detail) for inc in compatibility(old, art)
                if inc.kind == "reader_field_missing_default_value"}
    return out


def _field_changes(art: AvroArtifact, rec: dict[str, Any], ptr: str, old: AvroArtifact,
                   old_rec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(pointer, field name, why) for each field removed, renamed without an alias, or added without a default."""
    short = rec["name"].rsplit(".", 1)[-1]
    new_fields = list(enumerate(rec["fields"]))
    matched: set[int] = set()
    removed = []
    for of in old_rec["fields"]:
        hit = next((i for i, nf in new_fields if nf["name"] == of["name"] or of["name"] in (nf.get("aliases") or [])), None)
        if hit is None:
            removed.append(of)
        else:
            matched.add(hit)
    added = [(i, nf) for i, nf in new_fields if i not in matched]
    out = []
    for of in removed:
        old_type = describe(old, of["type"])
        twin = next(((i, nf) for i, nf in added if describe(art, nf["type"]) == old_type), None)
        if twin is not None:
            added.remove(twin)
            i, nf = twin
            out.append((join(ptr, "fields", i, "name"), nf["name"],
                        (f"field {of['name']!r} of {short} looks renamed to {nf['name']!r} without an alias: "
                        f'add "aliases": ["{of["name"]}"] (fields are never renamed, only added)')))
        else:
            out.append((join(ptr, "fields"), of["name"],
                        (f"field {of['name']!r} ({old_type}) was removed from {short}: fields are added, never removed; "
                        "keep it (mark it deprecated in its doc)")))
    for i, nf in added:
        if "default" not in nf:
            out.append((join(ptr, "fields", i, "name"), nf["name"],
                        (f"field {nf['name']!r} was added to {short} without a default: data written before it existed "
                        "cannot be read; give it a default")))
    return out
