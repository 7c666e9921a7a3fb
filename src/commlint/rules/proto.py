"""Protobuf / gRPC contracts (``.proto``): proto3, no required fields, versioned
packages, streaming RPCs, and breaking changes against the ``--base`` revision."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from proto_schema_parser import ast

from ..artifacts.proto import Contract, ProtoArtifact, contract, walk
from ..artifacts.proto import parse as parse_proto
from ..core.model import Severity
from ..analyses.base_versions import base_unusable, base_versions
from . import ProtoContext, check

# buf's PACKAGE_VERSION_SUFFIX: v1, v1beta1, v1alpha, v1p1beta1, v1test
VERSION_RE = re.compile(r"^v\d+(?:(?:alpha|beta)\d*|p\d+(?:alpha|beta)\d*|test\w*)?$")


def _file(ctx: ProtoContext) -> ast.File | None:
    """The parsed file, or None when it did not parse (CL500 says why)."""
    return ctx.artifact.file


@check("CL500")
def unparsable_proto(ctx: ProtoContext) -> None:
    art: ProtoArtifact = ctx.artifact
    if art.error is not None:
        line, _col, message = art.error
        ctx.report(line, f"not a valid .proto file: {message}")


@check("CL501")
def not_proto3(ctx: ProtoContext) -> None:
    art: ProtoArtifact = ctx.artifact
    if art.file is None:
        return
    if art.file.edition is not None:
        if not ctx.options["allow-editions"]:
            ctx.report(art.syntax_line or 1, f'edition = "{art.file.edition}": the standard asks for syntax = "proto3" '
                       "(set allow-editions to accept editions)")
    elif art.file.syntax is None:
        ctx.report(1, 'no syntax declaration, so protoc reads the file as proto2: start it with syntax = "proto3";')
    elif art.file.syntax != "proto3":
        ctx.report(art.syntax_line or 1, f'syntax = "{art.file.syntax}": use syntax = "proto3"')


def _required(node: Any) -> bool:
    if getattr(node, "cardinality", None) == ast.FieldCardinality.REQUIRED:
        return True
    return any(o.name == "features.field_presence" and getattr(o.value, "name", o.value) == "LEGACY_REQUIRED"
               for o in getattr(node, "options", []) or [])


@check("CL502")
def required_field(ctx: ProtoContext) -> None:
    file = _file(ctx)
    if file is None:
        return
    for qual, node in walk(file.file_elements):
        if isinstance(node, (ast.Field, ast.Group)) and _required(node):
            ctx.report(node, f"required field {qual}: a required field can never be removed or left unset "
                       "without breaking every reader; make it optional and validate in code")


@check("CL503")
def unversioned_package(ctx: ProtoContext) -> None:
    file = _file(ctx)
    if file is None:
        return
    pkg = next((e for e in file.file_elements if isinstance(e, ast.Package)), None)
    if pkg is None:
        ctx.report(ctx.artifact.syntax_line or 1, "no package declaration: declare a versioned package such as `package inventory.v1;`")
    elif not VERSION_RE.match(pkg.name.rsplit(".", 1)[-1]):
        ctx.report(pkg, f"package {pkg.name} is not versioned: end it with a version, e.g. `package {pkg.name}.v1;`")


@check("CL505")
def streaming_rpc(ctx: ProtoContext) -> None:
    file = _file(ctx)
    if file is None:
        return
    for qual, node in walk(file.file_elements):
        if isinstance(node, ast.Service):
            for m in node.elements:
                if not isinstance(m, ast.Method):
                    continue
                kinds = [k for k, t in (("client", m.input_type), ("server", m.output_type)) if t.stream]
                if kinds:
                    how = "bidirectional" if len(kinds) == 2 else f"{kinds[0]}"
                    ctx.report(m, f"rpc {qual}.{m.name} is {how}-streaming: use streaming only when the use case "
                               "requires it, and say why (a `// commlint: ignore[CL505] -- reason` comment records it)")


# -- breaking changes ---------------------------------------------------------------------------


def _type(f: Any, pkg: str | None) -> str:
    if isinstance(f, ast.MapField):
        return f"map<{_name(f.key_type, pkg)}, {_name(f.value_type, pkg)}>"
    if isinstance(f, ast.Group):
        return f"group {f.name}"
    kind = _name(f.type, pkg)
    return f"repeated {kind}" if f.cardinality == ast.FieldCardinality.REPEATED else kind


def _name(t: str, pkg: str | None) -> str:
    t = t.lstrip(".")
    if pkg and t.startswith(pkg + "."):
        t = t[len(pkg) + 1:]
    return t


def _reserved(info: Any, number: int) -> bool:
    return any(a <= number <= b for a, b in info.reserved)


def _rpc(m: Any, pkg: str | None) -> str:
    def side(t: Any) -> str:
        return ("stream " if t.stream else "") + _name(t.type, pkg)

    return f"({side(m.input_type)}) returns ({side(m.output_type)})"


def breaking_changes(old: Contract, new: Contract, top: Any) -> list[tuple[Any, str]]:
    """(node in the new file or a line, why) for every change that breaks existing clients."""
    out: list[tuple[Any, str]] = []

    def anchor(qual: str) -> Any:
        """Where a removed element is reported: its enclosing message, else the package line."""
        parent = new.messages.get(qual.rsplit(".", 1)[0]) if "." in qual else None
        return parent.node if parent is not None else top

    for qual, info in old.messages.items():
        now = new.messages.get(qual)
        if now is None:
            out.append((anchor(qual), f"message {qual} was removed"))
            continue
        by_name = {f.name: f for f in now.fields.values()}
        for number, f in info.fields.items():
            g = now.fields.get(number)
            was, where = _type(f, old.package), f"{qual}.{f.name}"
            if g is None:
                moved = by_name.get(f.name)
                if moved is not None:
                    out.append((moved, f"field {where} changed its number from {number} to {moved.number}"))
                elif not _reserved(now, number):
                    out.append((now.node, f"field {where} = {number} was removed without `reserved {number};`"
                                + ("" if f.name in now.reserved_names else f' (and `reserved "{f.name}";`)')))
                continue
            is_ = _type(g, new.package)
            if was != is_ and g.name != f.name:
                out.append((g, f"field number {number} of {qual} was reused: it was {f.name} ({was}), now {g.name} ({is_})"))
            elif was != is_:
                out.append((g, f"field {where} = {number} changed type from {was} to {is_}"))
            elif g.name != f.name:
                out.append((g, f"field {number} of {qual} was renamed from {f.name} to {g.name} (breaks JSON and generated code)"))
    for qual, info in old.enums.items():
        now = new.enums.get(qual)
        if now is None:
            out.append((anchor(qual), f"enum {qual} was removed"))
            continue
        for number, v in info.fields.items():
            w = now.fields.get(number)
            if w is None and not _reserved(now, number):
                out.append((now.node, f"enum value {qual}.{v.name} = {number} was removed without `reserved {number};`"))
            elif w is not None and w.name != v.name:
                out.append((w, f"enum value {number} of {qual} was renamed from {v.name} to {w.name} (breaks JSON and generated code)"))
    for qual, svc in old.services.items():
        now = new.services.get(qual)
        if now is None:
            out.append((top, f"service {qual} was removed"))
            continue
        methods = {m.name: m for m in now.elements if isinstance(m, ast.Method)}
        for m in svc.elements:
            if not isinstance(m, ast.Method):
                continue
            n = methods.get(m.name)
            if n is None:
                out.append((now, f"rpc {qual}.{m.name} was removed"))
            elif _rpc(m, old.package) != _rpc(n, new.package):
                out.append((n, f"rpc {qual}.{m.name} changed from {_rpc(m, old.package)} to {_rpc(n, new.package)}"))
    return out


@check("CL504")
def breaking_change(ctx: ProtoContext) -> None:
    art: ProtoArtifact = ctx.artifact
    base = ctx.settings.base
    if art.file is None or not base:
        return
    root = Path(ctx.settings.root)
    problem = base_unusable(ctx.settings, ctx.artifact.path)
    if problem:
        ctx.report(1, f"cannot compare with --base {base}: {problem}", severity=Severity.NOTE)
        return
    new = contract(art.file)
    pkg_node = next((e for e in art.file.file_elements if isinstance(e, ast.Package)), None)
    top = pkg_node or art.syntax_line or 1
    for version in base_versions(root, art.path, base, False):
        label = version.label
        if version.text == art.text:
            continue
        before = parse_proto(art.path, version.text)
        if before.file is None:
            continue
        old = contract(before.file)
        if old.package != new.package:
            ctx.report(top, f"package changed from {old.package} to {new.package} since {label}: a new package is a new API "
                       "version; keep the old package's file for its clients")
            continue
        for where, why in breaking_changes(old, new, top):
            ctx.report(where, f"breaking change since {label}: {why}")
