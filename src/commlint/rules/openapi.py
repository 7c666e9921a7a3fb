"""OpenAPI documents (CL300-CL304): validity, the OpenAPI version, versioned paths, X-Request-ID declared, and breaking changes against the base version."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..analyses.base_versions import base_dir, git_reader, option_path
from ..analyses.openapi import audience, operations, param_key
from ..analyses.openapi_diff import Change, breaking_changes
from ..artifacts.openapi import OpenAPIDoc, file_reader, load_spec
from ..artifacts.yamljson import join, split
from ..core.config import ConfigError
from ..core.model import Location, Severity
from . import OpenAPIContext, check


def _report(ctx: OpenAPIContext, ptr: str, message: str, through: bool = False) -> None:
    _emit(ctx, ctx.artifact.where(ptr, through), message)


def _emit(ctx: OpenAPIContext, placed: tuple[Location, tuple[Location, ...]], message: str) -> None:
    """Report at a place from ``where``/``place``; a node in another file is named in the message too."""
    loc, related = placed
    if related:
        message += f" (in {related[0].path}:{related[0].line})"
    ctx.report(loc, message, related=related)


# -- CL300 validity -------------------------------------------------------------------------


@check("CL300")
def invalid_document(ctx: OpenAPIContext) -> None:
    art: OpenAPIDoc = ctx.artifact
    if not art.is_document:
        return
    for ptr, _line, _col in art.doc.duplicates:
        _report(ctx, ptr, f"duplicate key {split(ptr)[-1]!r}: the last one wins, the others are lost")
    for file, ptr, message in art.refs.problems:
        _emit(ctx, art.place(file, ptr), message)
    for ptr, message, through in validation_errors(art):
        _report(ctx, ptr, message, through)
    problem = expansion_problem(art)
    if problem:
        ctx.report(art.locate(""), f"{problem}: the checks that follow references were skipped; the document "
                   "itself was checked against the OpenAPI schema", severity=Severity.NOTE)


class _Blocked(Exception):
    """A $ref the validator may not follow (already reported from ``art.refs``)."""


class _Stopped:
    """The validator raised while checking a node: it could not check the rest of it."""

    def __init__(self, exc: BaseException, parts: tuple[Any, ...]):
        self.exc = exc
        self.parts = parts


class _Handlers(dict):  # type: ignore[type-arg]
    """Resolver handlers for every URI scheme: only files already read by ``art.refs``.

    jsonschema-path falls back to urlopen() for a scheme it has no handler for,
    so this mapping claims every scheme.
    """

    def __init__(self, read: Any):
        super().__init__()
        self.read = read

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: Any) -> Any:
        return self.read


@functools.cache
def _validators() -> tuple[dict[str, Any], Any]:
    """openapi-spec-validator's classes, each keyword validator tagging its errors with the
    path it was checking and turning an exception into a ``_Stopped`` for that path."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation import validators as v
    from referencing import Specification
    from referencing.jsonschema import DRAFT202012 as D

    def tagged(key: str, cls: type) -> type:
        base = cls.__call__

        def __call__(self: Any, *args: Any, **kw: Any) -> Iterator[Any]:
            where = next((a for a in args if isinstance(a, SchemaPath)), None)
            parts = tuple(where.parts) if where is not None else ()
            if key == "default":
                parts += ("default",)
            try:
                for err in base(self, *args, **kw):
                    if not hasattr(err, "commlint_parts"):
                        err.commlint_parts = parts
                    yield err
            except Exception as exc:  # noqa: BLE001 - a node the validator cannot handle
                yield _Stopped(exc, parts)

        return type(cls.__name__, (cls,), {"__call__": __call__})

    classes = {}
    for name, cls in (("2.0", v.OpenAPIV2SpecValidator), ("3.0", v.OpenAPIV30SpecValidator),
                      ("3.1", v.OpenAPIV31SpecValidator), ("3.2", v.OpenAPIV32SpecValidator)):
        kws = {k: tagged(k, c) for k, c in cls.keyword_validators.items()}
        classes[name] = type(cls.__name__, (cls,), {"keyword_validators": kws})

    # JSON Schema 2020-12 resolution that tolerates what real specs put where a
    # schema belongs (a string under `properties`, ...) instead of crashing
    def subresources(contents: Any) -> Iterator[Any]:
        if isinstance(contents, dict):
            try:
                yield from (s for s in D.subresources_of(contents) if isinstance(s, (dict, bool)))
            except (AttributeError, TypeError):
                return

    lenient = Specification(
        name="commlint-openapi",
        id_of=lambda c: D.id_of(c) if isinstance(c, (dict, bool)) else None,
        subresources_of=subresources,
        maybe_in_subresource=D.maybe_in_subresource,
        anchors_in=lambda spec, c: D.anchors_in(c) if isinstance(c, dict) else (),
    )
    return classes, lenient


def _family(version: str) -> str | None:
    m = re.match(r"^(2\.0|3\.[0-2])(?:\.|$)", version)
    return m.group(1) if m else None


def _short(message: str, limit: int = 240) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


EXPANSION_LIMIT = 200_000  # nodes a validator that follows $refs may walk: beyond, its work is exponential
CHAIN_LIMIT = 64  # $refs to $refs: jsonschema-path resolves each link from the start (quadratic)


@functools.lru_cache(maxsize=8)
def _expansion(art: OpenAPIDoc) -> tuple[int, int]:
    return art.refs.expansion(EXPANSION_LIMIT)


def expansion_problem(art: OpenAPIDoc) -> str | None:
    """Why following this document's $refs would be too much work for the validator, or None."""
    size, chain = _expansion(art)
    if chain > CHAIN_LIMIT:
        return f"a chain of {chain} $refs to $refs"
    if size >= EXPANSION_LIMIT:
        return f"its $refs expand to more than {EXPANSION_LIMIT:,} nodes (shared schemas included again and again)"
    return None


def validation_errors(art: OpenAPIDoc) -> list[tuple[str, str, bool]]:
    """openapi-spec-validator's findings as (pointer, message, through), one per node, never raising.

    The OpenAPI schema checks the document as written (a pointer names the node
    itself); the semantic checks walk through $refs (``through``: the pointer names
    what a $ref there resolves to).
    """
    family = _family(art.version)
    if family is None:
        where = "/swagger" if art.swagger else "/openapi"
        return [(where, f"unknown OpenAPI version {art.data.get(where[1:])!r}: cannot validate the document", False)]
    from urllib.parse import urlsplit
    from urllib.request import url2pathname

    from jsonschema_path import SchemaPath

    classes, lenient = _validators()
    refs = art.refs

    def read(uri: str) -> Any:
        parts = urlsplit(uri)
        if parts.scheme != "file":
            raise _Blocked(uri)
        doc = refs.files.get(Path(url2pathname(parts.path)).resolve())
        if doc is None:
            raise _Blocked(uri)
        return doc.data

    found: dict[str, list[str]] = {}
    meta: set[str] = set()
    stopped: list[tuple[str, str]] = []
    try:
        # inside the try: building the validator already follows a $ref at the top level
        spec_path = SchemaPath.from_dict(art.data, base_uri=art.file.as_uri(), specification=lenient,
                                         handlers=_Handlers(read), resolved_cache_maxsize=128)
        validator = classes[family](spec_path)
        for err in validator.schema_validator.iter_errors(art.data):
            err = _explain(err)
            ptr = _pointer(err.absolute_path)
            meta.add(ptr)
            found.setdefault(ptr, []).append(_message(err, redact=refs.follow(ptr, True)[0] != art.file))
        semantic = validator.root_validator(spec_path) if expansion_problem(art) is None else ()
        for err in semantic:
            if isinstance(err, _Stopped):
                if not _is_ref_failure(err.exc):
                    stopped.append((_pointer(err.parts), f"{type(err.exc).__name__}: {err.exc}"))
                continue
            ptr = _pointer(getattr(err, "commlint_parts", ()) + tuple(err.absolute_path))
            # a value read from another file (a $ref'd fragment) never goes into a message
            elsewhere = refs.follow(ptr, True)[0] != art.file
            found.setdefault(ptr, []).append(_message(err, redact=elsewhere))
    except Exception as exc:  # noqa: BLE001 - never let the validator stop the run
        stopped.append(("", f"{type(exc).__name__}: {exc}"))
    for ptr, why in stopped:
        # a node the validator choked on is reported unless a schema error already explains it
        if not any(m.startswith(ptr) or ptr.startswith(m) for m in meta):
            if why.startswith("RecursionError"):
                why = "its $refs or allOf include themselves without end"
            found.setdefault(ptr, []).append(f"openapi-spec-validator could not check this node: {_short(why, 120)}")
    out = []
    for ptr, messages in found.items():
        node = art.doc.get(ptr) if art.doc is not None else None
        if ptr in meta and isinstance(node, dict) and "$ref" in node:
            # the schema sees a $ref where the specification allows no Reference Object
            messages = [f"a $ref is not allowed here (OpenAPI {family} allows a Reference Object only where it says so)"]
        unique = list(dict.fromkeys(_short(m) for m in messages))
        extra = f" (and {len(unique) - 1} more)" if len(unique) > 1 else ""
        out.append((ptr, f"not valid OpenAPI {family}: {unique[0]}{extra}", ptr not in meta))
    return out


def _explain(err: Any) -> Any:
    """The error under a oneOf/anyOf that says what is wrong: not the Reference Object branch
    (the node has no $ref), the most relevant of the others as jsonschema ranks them."""
    from jsonschema.exceptions import relevance

    while err.context:
        inner = [c for c in err.context if not (c.validator == "required" and "'$ref'" in c.message)]
        if not inner:
            break
        err = max(inner, key=relevance)
    return err


_LEADING_VALUE = re.compile(r"^(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\{.*?\}|\[.*?\]|\S+)(?= (?:is|does|has|should|was|are|expected)\b)", re.S)


def _message(err: Any, redact: bool = False) -> str:
    """An error's message without the repr of a whole object or array in front of it;
    ``redact``: without the value at all (it comes from a referenced file, which may hold
    anything, a secret included), only its type and what the schema wanted."""
    message, instance = err.message, err.instance
    if redact:
        what = {dict: "this object", list: "this array", str: "this string", bool: "this boolean"}.get(
            type(instance), "this value")
        shown = repr(instance) if type(instance) in (dict, list, str, bool, int, float) else None
        if shown and message.startswith(shown):
            message = what + message[len(shown):]
        elif shown and shown in message:
            message = message.replace(shown, what)
        else:  # the error does not say which value it holds: whatever leads the message goes
            message = _LEADING_VALUE.sub("this value", message)
        return re.sub(r"\((?:'[^']*'(?:, )?)+ (?:was|were) unexpected\)", "(names not shown: from a referenced file)", message)
    if isinstance(instance, (dict, list)) and message.startswith(repr(instance)):
        return ("this object" if isinstance(instance, dict) else "this array") + message[len(repr(instance)):]
    return message


def _is_ref_failure(exc: BaseException) -> bool:
    from referencing.exceptions import Unresolvable

    return isinstance(exc, (Unresolvable, _Blocked)) or isinstance(getattr(exc, "__cause__", None), _Blocked)


# -- CL301 version ---------------------------------------------------------------------------


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


@check("CL301")
def old_version(ctx: OpenAPIContext) -> None:
    art: OpenAPIDoc = ctx.artifact
    if not art.is_document:
        return
    minimum = str(ctx.options["minimum"])
    version = art.version
    if _version_tuple(version) < _version_tuple(minimum):
        name = "Swagger" if art.swagger else "OpenAPI"
        _report(ctx, "/swagger" if art.swagger else "/openapi",
                f"{name} {version} is older than OpenAPI {minimum}, the standard's API documentation default")


# -- CL302 versioned paths -------------------------------------------------------------------


def _base_paths(art: OpenAPIDoc) -> list[str]:
    """The path parts of the document's server URLs (OpenAPI 3) or its basePath (Swagger 2)."""
    if art.swagger:
        base = art.data.get("basePath")
        return [base] if isinstance(base, str) else []
    out = []
    servers = art.data.get("servers")
    for server in servers if isinstance(servers, list) else []:
        url = server.get("url") if isinstance(server, dict) else None
        if isinstance(url, str):
            out.append(re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", "", url))
    return out


@check("CL302")
def unversioned_path(ctx: OpenAPIContext) -> None:
    art: OpenAPIDoc = ctx.artifact
    paths = art.data.get("paths") if art.is_document else None
    if not isinstance(paths, dict):
        return
    segment = re.compile(ctx.options["version-pattern"])

    def versioned(path: str) -> bool:
        return any(segment.fullmatch(s) for s in path.split("/") if s)

    bases = _base_paths(art)
    if bases and all(versioned(b) for b in bases):
        return  # every server URL carries the version: /v1 + /orders
    for path in paths:
        if path.startswith("/") and not versioned(path):
            _report(ctx, join("/paths", path),
                    f"path {path} is not versioned: put the API version first, as in /v1{path if path != '/' else ''}")


# -- CL303 X-Request-ID ----------------------------------------------------------------------


@check("CL303")
def missing_request_id(ctx: OpenAPIContext) -> None:
    art: OpenAPIDoc = ctx.artifact
    if not art.is_document:
        return
    if not ctx.options["public-apis"] and audience(art, ctx.settings) == "public":
        return  # the correlation ID is for calls between the system's services, not its public clients
    header = str(ctx.options["header"]).lower()
    for path, method, ptr, _op, _file, params in operations(art):
        if not any(param_key(p) == ("header", header) for p, _ in params):
            _report(ctx, ptr, f"{method.upper()} {path} does not declare the {ctx.options['header']} header parameter")


# -- CL304 breaking changes -------------------------------------------------------------------


@check("CL304")
def breaking_change(ctx: OpenAPIContext) -> None:
    art: OpenAPIDoc = ctx.artifact
    if not art.is_document:
        return
    base = _base_version(art, ctx)
    if isinstance(base, str):
        _report(ctx, "", base)
        return
    if base is None:
        return  # no earlier version: a new document
    # a change in a shared component (a $ref'd schema or parameter) is one finding, however
    # many operations use it
    groups: dict[tuple[Location, str, str], list[Change]] = {}
    placed: dict[tuple[Location, str, str], tuple[Location, tuple[Location, ...]]] = {}
    for change in breaking_changes(base, art):
        where = art.where(change.ptr)
        key = (where[0], change.detail, change.check)
        groups.setdefault(key, []).append(change)
        placed.setdefault(key, where)
    for key, changes in groups.items():
        first = changes[0]
        message = first.message
        others = len({c.label for c in changes}) - 1
        if others:
            message += f" (and {others} more operation{'s' if others > 1 else ''})"
        loc, related = placed[key]
        if related:
            message += f" (in {related[0].path}:{related[0].line})"
        ctx.report(loc, message, related=related,
                   properties={"json-path": first.json_path, **({"oasdiff": first.check} if first.check else {})})


def _base_version(art: OpenAPIDoc, ctx: OpenAPIContext) -> OpenAPIDoc | str | None:
    """The earlier version to compare with: ``base-path`` (a file, or a folder mirroring the
    tree), else the same path at ``--base``; a string says why it cannot be read."""
    settings = ctx.settings
    root = Path(settings.root)
    option = str(ctx.options.get("base-path") or "")
    if option:
        old, bound = option_path(root, option, art.rel(art.file))
        read = file_reader(settings.max_file_size)
        text = read(old) if old.is_file() else None
        base = load_spec(old, text, bound, read, art.path) if text is not None else None
        art.deps |= set(base.refs.files) if base is not None else {old}
        return base
    if not settings.base:
        return None
    given = base_dir(root, settings.base)
    if given is not None:
        old = (given / art.rel(art.file)).resolve()
        read = file_reader(settings.max_file_size)
        text = read(old) if old.is_file() else None
        return load_spec(old, text, given, read, art.path) if text is not None else None
    try:
        read_git = git_reader(root.resolve(), settings.base, art.file)
    except ConfigError as exc:
        return f"cannot read the base version: {exc}"
    if read_git is None:
        return None
    text = read_git(art.file)
    return load_spec(art.file, text, art.bound, read_git, art.path) if text is not None else None
