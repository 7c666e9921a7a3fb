"""Protobuf / gRPC contracts (``.proto``): proto3, no required fields, versioned
packages, streaming RPCs, and breaking changes against the ``--base`` revision."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from proto_schema_parser import ast

from ..artifacts import protoc
from ..artifacts.proto import Contract, ProtoArtifact, contract, parse_grammar, walk
from ..core import safeio
from ..core.model import Location, Severity
from ..analyses import proto_breaking, proto_events
from ..analyses.base_versions import base_dir, base_tree, base_unusable, base_versions
from ..analyses.proto_model import Model, build, fill
from ..analyses.words import past_tense_problem, suggest
from . import ProtoContext, check

# buf's PACKAGE_VERSION_SUFFIX: v1, v1beta1, v1alpha, v1p1beta1, v1test
VERSION_RE = re.compile(r"^v\d+(?:(?:alpha|beta)\d*|p\d+(?:alpha|beta)\d*|test\w*)?$")


def _file(ctx: ProtoContext) -> ast.File | None:
    """The file as the grammar parser read it (when protoc could not compile it), else None."""
    return ctx.artifact.file if ctx.artifact.descriptor is None else None


def model(art: ProtoArtifact, elements: bool = True) -> Model | None:
    """The descriptor model, when protoc compiled the file (``elements=False``: its syntax,
    package and lines, which is all CL501 and CL503 read)."""
    if art.descriptor is None:
        return None
    if art._model is None:
        art._model = build(art.descriptor, *art.line_sources(), elements=False)
    return fill(art._model, art.descriptor) if elements else art._model


def _at(art: ProtoArtifact, m: Model, path: tuple[int, ...] | None, symbol: str | None = None) -> Location:
    line, col = m.line_of(path) if path is not None else m.line_of((2,))
    return Location(art.path, line, col, symbol=symbol)


@check("CL500")
def unparsable_proto(ctx: ProtoContext) -> None:
    art: ProtoArtifact = ctx.artifact
    if art.error is not None and art.fallback is not None:  # protoc could not run; the grammar is not the judge
        line, col, message = art.error
        ctx.report(Location(art.path, line, col), f"not checked: protoc could not compile it ({art.fallback}) and the "
                   f"grammar parser does not read it ({message})", severity=Severity.NOTE)
    elif art.error is not None:
        line, col, message = art.error
        ctx.report(Location(art.path, line, col), f"not a valid .proto file: {message}")
    elif art.fallback is not None and art.file is not None:
        ctx.report(1, f"not compiled with protoc ({art.fallback}): read by the grammar parser instead, so types are "
                   "not resolved and CL504 compares by name only", severity=Severity.NOTE)


def _syntax_line(art: ProtoArtifact, m: Model) -> Location:
    return _at(art, m, (14,) if m.has((14,)) else (12,))


@check("CL501")
def not_proto3(ctx: ProtoContext) -> None:
    art: ProtoArtifact = ctx.artifact
    m = model(art, elements=False)
    if m is not None:
        if m.syntax == "editions":
            if not ctx.options["allow-editions"]:
                ctx.report(_syntax_line(art, m), f'edition = "{m.edition}": the standard asks for syntax = "proto3" '
                           "(set allow-editions to accept editions)")
        elif not art.descriptor.syntax:
            ctx.report(1, 'no syntax declaration, so protoc reads the file as proto2: start it with syntax = "proto3";')
        elif m.syntax != "proto3":
            ctx.report(_syntax_line(art, m), f'syntax = "{m.syntax}": use syntax = "proto3"')
        return
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
    art: ProtoArtifact = ctx.artifact
    m = model(art, elements=False)
    if m is not None:
        if m.syntax == "proto3":
            return  # protoc rejects a required field in proto3, and editions features
        for msg in fill(m, art.descriptor).messages.values():
            for f in msg.fields.values():
                if f.cardinality == "required":
                    qual = f"{m.local(msg.name)}.{f.name}"
                    ctx.report(_at(art, m, f.path, qual), f"required field {qual}: a required field can never be removed "
                               "or left unset without breaking every reader; make it optional and validate in code")
        return
    file = _file(ctx)
    if file is None:
        return
    for qual, node in walk(file.file_elements):
        if isinstance(node, (ast.Field, ast.Group)) and _required(node):
            ctx.report(node, f"required field {qual}: a required field can never be removed or left unset "
                       "without breaking every reader; make it optional and validate in code")


@check("CL503")
def unversioned_package(ctx: ProtoContext) -> None:
    art: ProtoArtifact = ctx.artifact
    m = model(art, elements=False)
    if m is not None:
        if not m.package:
            ctx.report(_syntax_line(art, m) if m.has_lines else 1,
                       "no package declaration: declare a versioned package such as `package inventory.v1;`")
        elif not VERSION_RE.match(m.package.rsplit(".", 1)[-1]):
            ctx.report(_at(art, m, (2,)), f"package {m.package} is not versioned: end it with a version, "
                       f"e.g. `package {m.package}.v1;`")
        return
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
    art: ProtoArtifact = ctx.artifact
    m = model(art)
    if m is not None:
        for svc in m.services.values():
            for meth in svc.methods.values():
                kinds = [k for k, on in (("client", meth.client_streaming), ("server", meth.server_streaming)) if on]
                if kinds:
                    how = "bidirectional" if len(kinds) == 2 else kinds[0]
                    qual = f"{m.local(svc.name)}.{meth.name}"
                    ctx.report(_at(art, m, meth.path, qual), f"rpc {qual} is {how}-streaming: use streaming only when the "
                               "use case requires it, and say why (a `// commlint: ignore[CL505] -- reason` comment records it)")
        return
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


# -- messages used as events ---------------------------------------------------------------------


def _events_model(art: ProtoArtifact) -> proto_events.ProtoEvents | None:
    m = model(art)
    if m is not None:
        return proto_events.from_model(m, art.path, lambda path, symbol: _at(art, m, path, symbol))
    return proto_events.from_grammar(art.file, art.path) if art.file is not None else None


def _events(ctx: ProtoContext) -> list[tuple[proto_events.ProtoMessage, str]]:
    art: ProtoArtifact = ctx.artifact
    cached = getattr(art, "_events", None)
    if cached is None:
        found = _events_model(art)
        cached = art._events = found.events() if found is not None else []  # type: ignore[attr-defined]
    return cached


def _count_events(ctx: ProtoContext) -> int:
    return len(_events(ctx))


@check("CL506", subjects=_count_events)
def event_message_envelope(ctx: ProtoContext) -> None:
    found = _events_model(ctx.artifact)
    if found is None:
        return
    wanted = ctx.options["fields"]
    for msg, why in found.events():
        have, unknown = found.envelope_fields(msg)
        missing = [w for w in wanted if proto_events.norm(w) not in have]
        if missing and not unknown:
            ctx.report(msg.where, f"event message {msg.name} ({why}) has no {', '.join(missing)} "
                       f"field{'s' if len(missing) > 1 else ''}: the envelope every event carries, as its own fields "
                       "or in an envelope message it holds (`EventMetadata metadata = 1;`)")


@check("CL507", subjects=_count_events)
def event_message_tense(ctx: ProtoContext) -> None:
    extra, state = set(ctx.options["extra-past-words"]), set(ctx.options["state-words"])
    for msg, _why in _events(ctx):
        problem = past_tense_problem(msg.name, extra, state)
        if problem:
            better = suggest(msg.name)
            hint = (f"; name the fact, e.g. {''.join(w.capitalize() for w in better.split('.'))!r}" if better
                    else "; name what happened, in the past tense")
            ctx.report(msg.where, f"event message {msg.name!r} {problem}{hint}")


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
    if not art.parsed or not base:
        return
    problem = base_unusable(ctx.settings, ctx.artifact.path)
    if problem:
        ctx.report(1, f"cannot compare with --base {base}: {problem}", severity=Severity.NOTE)
        return
    bad = proto_breaking.options_problem(ctx.options)
    if bad:
        ctx.report(1, f"CL504 option use/except: {bad}", severity=Severity.NOTE)
        return
    m = model(art)
    if m is not None and _against_descriptors(ctx, art, m):
        return
    _against_grammar(ctx, art)


def _against_descriptors(ctx: ProtoContext, art: ProtoArtifact, new: Model) -> bool:
    """buf's rules over protoc's descriptors of both versions; False when the earlier version
    cannot be compiled (the grammar comparison then runs)."""
    root = Path(ctx.settings.root).resolve()
    tree = base_tree(root, ctx.settings.base, ".proto")
    if tree is None:
        return False
    rules = proto_breaking.selected(list(ctx.options["use"]), list(ctx.options["except"]))
    base = ctx.settings.base
    label = f"{base.rstrip('/')}/{art.path}" if base_dir(root, base) is not None else f"{base}:{art.path}"
    old_file = tree / art.path
    if old_file.is_file():
        try:
            text = safeio.read_file(old_file, ctx.settings.max_file_size, tree).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError, safeio.TooLarge):
            return False
        if text != art.text:
            compiled = protoc.compile_file(old_file, text, tree)
            if compiled.descriptor is None:
                why = compiled.unresolved or (compiled.errors[0][2] if compiled.errors else "protoc failed")
                ctx.report(1, f"the earlier version {label} does not compile ({why}): compared by the grammar instead",
                           severity=Severity.NOTE)
                return False
            for change in proto_breaking.breaking(build(compiled.descriptor), new, rules):
                ctx.report(_at(art, new, change[1]), f"breaking change since {label}: {proto_breaking.describe(change)}")
    if "FILE_NO_DELETE" in rules:
        for gone in _deleted_files(root, tree, art.path):
            try:
                text = safeio.read_file(tree / gone, ctx.settings.max_file_size, tree).decode("utf-8-sig", "replace")
            except (OSError, safeio.TooLarge):
                continue
            compiled = protoc.compile_file(tree / gone, text, tree)
            old = build(compiled.descriptor) if compiled.descriptor is not None else None
            change = proto_breaking.deleted_file(old, gone) if old is not None else \
                ("FILE_NO_DELETE", None, f'previously present file "{gone}" was deleted')
            ctx.report(1, f"breaking change since {ctx.settings.base}: {proto_breaking.describe(change)}")
    return True


_PROTOS: dict[str, list[str]] = {}


def _protos(folder: Path, limit: int = 20000) -> list[str]:
    """The .proto files under ``folder`` (relative, sorted), bounded; remembered per run."""
    key = str(folder)
    if key not in _PROTOS:
        out: list[str] = []
        for here, subdirs, names in os.walk(folder):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d != "node_modules")
            out += [Path(here, n).relative_to(folder).as_posix() for n in names if n.endswith(".proto")]
            if len(out) > limit:
                break
        _PROTOS[key] = sorted(out)
    return _PROTOS[key]


def _deleted_files(root: Path, tree: Path, rel: str) -> list[str]:
    """Files of the earlier tree that are gone, reported once each: by the first remaining .proto
    of the nearest folder above the deleted file that still holds any."""
    now = _protos(root)
    current = set(now)
    out = []
    for gone in _protos(tree):
        if gone in current:
            continue
        parts = PurePosixPath(gone).parent.parts
        for depth in range(len(parts), -1, -1):
            prefix = "/".join(parts[:depth])
            reporter = next((p for p in now if not prefix or p.startswith(prefix + "/")), None)
            if reporter is not None:
                if reporter == rel:
                    out.append(gone)
                break
    return out


def _against_grammar(ctx: ProtoContext, art: ProtoArtifact) -> None:
    """The earlier comparison by name, for files protoc cannot compile (imports not found)."""
    root = Path(ctx.settings.root)
    base = ctx.settings.base
    file = art.file if art.file is not None else parse_grammar(ProtoArtifact(art.path, art.text), art.text).file
    if file is None:
        return
    if art.file is None:  # protoc compiled it: the grammar reads it again, positions and all
        art = parse_grammar(ProtoArtifact(art.path, art.text), art.text)
    new = contract(file)
    pkg_node = next((e for e in file.file_elements if isinstance(e, ast.Package)), None)
    top = pkg_node or art.syntax_line or 1
    for version in base_versions(root, art.path, base, False):
        label = version.label
        if version.text == art.text:
            continue
        before = parse_grammar(ProtoArtifact(art.path, version.text), version.text)
        if before.file is None:
            ctx.report(1, f"the earlier version {label} does not parse: not compared", severity=Severity.NOTE)
            continue
        old = contract(before.file)
        if old.package != new.package:
            ctx.report(art.locate(top) if not isinstance(top, int) else top,
                       f"package changed from {old.package} to {new.package} since {label}: a new package is a new API "
                       "version; keep the old package's file for its clients")
            continue
        for where, why in breaking_changes(old, new, top):
            ctx.report(art.locate(where) if not isinstance(where, int) else where, f"breaking change since {label}: {why}")
