"""OpenAPI documents (CL3xx): validity, version, versioned paths, X-Request-ID, breaking changes.

The artifact (``commlint.artifacts.openapi``) gives the parsed document, the
files its ``$ref``s reach (``art.refs``) and ``art.where(pointer)``, which
follows a pointer through ``$ref``s to the line to report. Each check below
reads them; openapi-spec-validator is imported only when CL300 runs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..artifacts.openapi import METHODS, OpenAPIDoc, file_reader, load_spec
from ..artifacts.yamljson import join, split
from ..core.model import Location
from . import RuleContext, check


def _report(ctx: RuleContext, ptr: str, message: str, through: bool = False) -> None:
    _emit(ctx, ctx.artifact.where(ptr, through), message)


def _emit(ctx: RuleContext, placed: tuple[Location, tuple[Location, ...]], message: str) -> None:
    """Report at a place from ``where``/``place``; a node in another file is named in the message too."""
    loc, related = placed
    if related:
        message += f" (in {related[0].path}:{related[0].line})"
    ctx.report(loc, message, related=related)


# -- CL300 validity -------------------------------------------------------------------------


@check("CL300")
def invalid_document(ctx: RuleContext) -> None:
    art: OpenAPIDoc = ctx.artifact
    if not art.is_document:
        return
    for ptr, _line, _col in art.doc.duplicates:
        _report(ctx, ptr, f"duplicate key {split(ptr)[-1]!r}: the last one wins, the others are lost")
    for file, ptr, message in art.refs.problems:
        _emit(ctx, art.place(file, ptr), message)
    for ptr, message, through in validation_errors(art):
        _report(ctx, ptr, message, through)


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
        for err in validator.root_validator(spec_path):
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
def old_version(ctx: RuleContext) -> None:
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
def unversioned_path(ctx: RuleContext) -> None:
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


def operations(art: OpenAPIDoc) -> Iterator[tuple[str, str, str, dict[str, Any], Path, list[tuple[dict[str, Any], str]]]]:
    """(path, method, pointer, operation, its file, parameters with pointers) for every operation.

    Parameters are the path item's and the operation's (the operation's win),
    each followed through ``$ref``.
    """
    refs = art.refs
    paths, pfile, _ = refs.deref(art.data.get("paths"), art.file)
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not path.startswith("/"):
            continue
        item, ifile, _ = refs.deref(item, pfile)
        if not isinstance(item, dict):
            continue
        ptr = join("/paths", path)
        shared = _parameters(refs, item, ifile, ptr)
        for method in METHODS:
            op, ofile, _ = refs.deref(item.get(method), ifile)
            if not isinstance(op, dict):
                continue
            own = _parameters(refs, op, ofile, join(ptr, method))
            keys = {_param_key(p) for p, _ in own}
            params = [(p, q) for p, q in shared if _param_key(p) not in keys] + own
            yield path, method, join(ptr, method), op, ofile, params


def _parameters(refs: Any, node: dict[str, Any], file: Path, ptr: str) -> list[tuple[dict[str, Any], str]]:
    raw, pfile, _ = refs.deref(node.get("parameters"), file)
    out = []
    for i, p in enumerate(raw if isinstance(raw, list) else []):
        param, _, _ = refs.deref(p, pfile)
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            out.append((param, join(ptr, "parameters", i)))
    return out


def _param_key(param: dict[str, Any]) -> tuple[str, str]:
    where = str(param.get("in", ""))
    name = param["name"]
    return where, name.lower() if where == "header" else name


@check("CL303")
def missing_request_id(ctx: RuleContext) -> None:
    art: OpenAPIDoc = ctx.artifact
    if not art.is_document:
        return
    header = str(ctx.options["header"]).lower()
    for path, method, ptr, _op, _file, params in operations(art):
        if not any(_param_key(p) == ("header", header) for p, _ in params):
            _report(ctx, ptr, f"{method.upper()} {path} does not declare the {ctx.options['header']} header parameter")


# -- CL304 breaking changes -------------------------------------------------------------------


@check("CL304")
def breaking_change(ctx: RuleContext) -> None:
    art: OpenAPIDoc = ctx.artifact
    if not art.is_document:
        return
    base = _base_version(art, ctx)
    if isinstance(base, str):
        _report(ctx, "", base)
        return
    if base is None:
        return  # no earlier version: a new document
    for ptr, message in breaking_changes(base, art):
        _report(ctx, ptr, message)


def _base_version(art: OpenAPIDoc, ctx: RuleContext) -> OpenAPIDoc | str | None:
    """The earlier version to compare with: ``base-path`` (a file, or a folder mirroring the
    tree), else the same path at the git revision ``--base``; a string says why it cannot be read."""
    settings = ctx.settings
    option = str(ctx.options.get("base-path") or "")
    if option:
        given = (Path(settings.root) / option).resolve()
        if given.is_dir():
            old = (given / art.rel(art.file)).resolve()
            bound = given
        else:
            old, bound = given, given.parent
        read = file_reader(settings.max_file_size)
        text = read(old) if old.is_file() else None
        base = load_spec(old, text, bound, read, art.path) if text is not None else None
        art.deps |= set(base.refs.files) if base is not None else {old}
        return base
    if not settings.base:
        return None
    from ..core.config import ConfigError
    from ..core.gitutil import show

    try:
        top = _git_top(str(Path(settings.root).resolve()), settings.base)
    except ConfigError as exc:
        return f"cannot read the base version: {exc}"
    if top is None or top not in art.file.parents:
        return None

    from ..core.gitutil import base_for, toplevel

    own = toplevel(art.file.parent)
    # a document in a submodule: the submodule commit the base revision records, read there
    rev, repo = (settings.base, top) if own is None or own.resolve() == top else \
        (base_for(settings.base, own.resolve(), top) or (None, None))
    if rev is None:
        return None

    def read_git(path: Path) -> str | None:
        try:
            return show(rev, path.relative_to(repo).as_posix(), repo)
        except ValueError:
            return None

    text = read_git(art.file)
    return load_spec(art.file, text, art.bound, read_git, art.path) if text is not None else None


@functools.cache
def _git_top(root: str, ref: str) -> Path | None:
    from ..core.gitutil import toplevel, verify_ref

    top = toplevel(Path(root))
    if top is None:
        return None
    top = top.resolve()
    verify_ref(ref, top)
    return top


def _norm(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def breaking_changes(old: OpenAPIDoc, new: OpenAPIDoc) -> list[tuple[str, str]]:
    """What a client of ``old`` would break on in ``new``: (pointer in ``new``, message)."""
    out: list[tuple[str, str]] = []
    new_ops = {(_norm(p), m): (p, ptr, op, f, params) for p, m, ptr, op, f, params in operations(new)}
    new_paths = {_norm(p): p for p, *_ in new_ops.values()}
    gone: set[str] = set()
    for path, method, _ptr, op, ofile, params in operations(old):
        key = (_norm(path), method)
        if key not in new_ops:
            if key[0] not in new_paths:
                if path not in gone:
                    gone.add(path)
                    out.append(("/paths", f"path {path} was removed"))
            else:
                out.append((join("/paths", new_paths[key[0]]), f"operation {method.upper()} {path} was removed"))
            continue
        npath, nptr, nop, nfile, nparams = new_ops[key]
        diff = _Diff(old, new, f"{method.upper()} {npath}")
        diff.operation((op, ofile, params), (nop, nfile, nparams), nptr)
        out.extend(diff.found)
    return out


class _Diff:
    """Compares one operation of two versions; ``found`` collects (pointer in new, message)."""

    def __init__(self, old: OpenAPIDoc, new: OpenAPIDoc, label: str):
        self.old, self.new, self.label = old, new, label
        self.found: list[tuple[str, str]] = []
        self.seen: set[tuple[int, int, bool]] = set()

    def add(self, ptr: str, message: str) -> None:
        self.found.append((ptr, f"{self.label}: {message}"))

    def operation(self, old: tuple[Any, Path, list[Any]], new: tuple[Any, Path, list[Any]], ptr: str) -> None:
        (oop, ofile, oparams), (nop, nfile, nparams) = old, new
        before = {_param_key(p): p for p, _ in oparams}
        for param, pptr in nparams:
            key = _param_key(param)
            was = before.get(key)
            if key[0] == "body":
                if was is not None:
                    self.schema(was.get("schema"), ofile, param.get("schema"), nfile, join(pptr, "schema"), "request body", True)
                elif param.get("required"):
                    self.add(pptr, "a required request body was added")
                continue
            required = param.get("required") is True or key[0] == "path"
            if required and key[0] != "path" and (was is None or was.get("required") is not True):
                self.add(pptr, f"new required {key[0]} parameter {param['name']!r}"
                         if was is None else f"{key[0]} parameter {param['name']!r} became required")
            if was is not None:
                self.schema(_param_schema(was), ofile, _param_schema(param), nfile,
                            join(pptr, "schema") if "schema" in param else pptr, f"{key[0]} parameter {param['name']!r}", True)
        self.body(oop, ofile, nop, nfile, ptr)
        oresp, orfile, _ = self.old.refs.deref(oop.get("responses"), ofile)
        nresp, nrfile, _ = self.new.refs.deref(nop.get("responses"), nfile)
        if isinstance(oresp, dict) and isinstance(nresp, dict):
            for status, nr in nresp.items():
                if status in oresp:
                    o, of, _ = self.old.refs.deref(oresp[status], orfile)
                    n, nf, _ = self.new.refs.deref(nr, nrfile)
                    self.content(o, of, n, nf, join(ptr, "responses", status), f"response {status}", False)

    def body(self, oop: dict[str, Any], ofile: Path, nop: dict[str, Any], nfile: Path, ptr: str) -> None:
        if "requestBody" not in nop:
            return
        n, nf, _ = self.new.refs.deref(nop["requestBody"], nfile)
        o, of, _ = self.old.refs.deref(oop.get("requestBody"), ofile)
        if not isinstance(n, dict):
            return
        if n.get("required") is True and not (isinstance(o, dict) and o.get("required") is True):
            self.add(join(ptr, "requestBody"), "the request body became required" if o else "a required request body was added")
        if isinstance(o, dict):
            self.content(o, of, n, nf, join(ptr, "requestBody"), "request body", True)

    def content(self, old: Any, ofile: Path, new: Any, nfile: Path, ptr: str, what: str, request: bool) -> None:
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return
        if "schema" in old and "schema" in new:  # Swagger 2 responses
            self.schema(old["schema"], ofile, new["schema"], nfile, join(ptr, "schema"), what, request)
        oc, nc = old.get("content"), new.get("content")
        if isinstance(oc, dict) and isinstance(nc, dict):
            for media, nm in nc.items():
                om = oc.get(media)
                if isinstance(om, dict) and isinstance(nm, dict) and "schema" in om and "schema" in nm:
                    self.schema(om["schema"], ofile, nm["schema"], nfile, join(ptr, "content", media, "schema"), what, request)

    def schema(self, old: Any, ofile: Path, new: Any, nfile: Path, ptr: str, what: str, request: bool) -> None:
        old, ofile, _ = self.old.refs.deref(old, ofile)
        new, nfile, _ = self.new.refs.deref(new, nfile)
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return
        # the 3.1 idiom for a nullable $ref, oneOf: [{type: "null"}, X], compares as X plus null
        wrap_old, wrap_new = _nullable_wrap(self.old, old, ofile), _nullable_wrap(self.new, new, nfile)
        if (wrap_old is None) != (wrap_new is None):
            if wrap_new is not None:
                if not request:
                    self.add(ptr, f"{what}: may now be null")
                self.schema(old, ofile, wrap_new[1], nfile, ptr + wrap_new[0], what, request)
            else:
                if request:
                    self.add(ptr, f"{what}: no longer accepts null")
                self.schema(wrap_old[1], ofile, new, nfile, ptr, what, request)
            return
        key = (id(old), id(new), request)
        if key in self.seen:  # compared already (and cycles stop here)
            return
        self.seen.add(key)
        ot, nt = _types(old), _types(new)
        if ot and nt:
            lost = (ot - nt) if request else (nt - ot)
            lost -= {"integer"} if "number" in (nt if request else ot) else set()
            if lost:
                self.add(ptr, f"{what}: type changed from {_show(ot)} to {_show(nt)}")
        oe, ne = old.get("enum"), new.get("enum")
        if isinstance(oe, list) and isinstance(ne, list):
            removed = [v for v in oe if v not in ne]
            if removed:
                self.add(join(ptr, "enum"), f"{what}: enum value(s) {', '.join(map(repr, removed))} removed")
        oprops, oreq, _ = self.flatten(self.old, old, ofile, "")
        nprops, nreq, alternatives = self.flatten(self.new, new, nfile, ptr)
        for name in sorted(nreq - oreq) if request else ():
            prop = nprops.get(name)
            if prop is not None and isinstance(prop[0], dict) and prop[0].get("readOnly") is True:
                continue
            where = join(ptr, "required")
            self.add(where, f"{what}: property {name!r} became required" if name in oprops
                     else f"{what}: new required property {name!r}")
        if not request and not alternatives:  # with oneOf/anyOf, properties may live in a branch
            for name in sorted(set(oprops) - set(nprops)):
                if isinstance(oprops[name][0], dict) and oprops[name][0].get("writeOnly") is True:
                    continue
                self.add(join(ptr, "properties") if "properties" in new else ptr,
                         f"{what}: property {name!r} was removed or renamed")
            for name in sorted((oreq - nreq) & set(nprops)):
                self.add(nprops[name][2], f"{what}: property {name!r} is no longer required (clients rely on it)")
        for name in sorted(set(oprops) & set(nprops)):
            (o, of, _), (n, nf, nptr) = oprops[name], nprops[name]
            self.schema(o, of, n, nf, nptr, f"{what} property {name!r}", request)
        if "items" in old and "items" in new:
            self.schema(old["items"], ofile, new["items"], nfile, join(ptr, "items"), f"{what} items", request)

    @staticmethod
    def flatten(doc: OpenAPIDoc, schema: dict[str, Any], file: Path,
                ptr: str) -> tuple[dict[str, tuple[Any, Path, str]], set[str], bool]:
        """A schema's properties (allOf members merged), its required names, and whether
        it (or a member) has oneOf/anyOf alternatives."""
        props: dict[str, tuple[Any, Path, str]] = {}
        required: set[str] = set()
        alternatives = False
        stack = [(schema, file, ptr, 0)]
        while stack:
            node, f, p, depth = stack.pop()
            node, f, _ = doc.refs.deref(node, f)
            if not isinstance(node, dict) or depth > 32:
                continue
            if isinstance(node.get("properties"), dict):
                for name, sub in node["properties"].items():
                    props.setdefault(name, (sub, f, join(p, "properties", name)))
            if isinstance(node.get("required"), list):
                required |= {r for r in node["required"] if isinstance(r, str)}
            if isinstance(node.get("allOf"), list):
                stack.extend((sub, f, join(p, "allOf", i), depth + 1) for i, sub in enumerate(node["allOf"]))
            alternatives = alternatives or any(isinstance(node.get(k), list) for k in ("oneOf", "anyOf"))
        return props, required, alternatives


def _nullable_wrap(doc: OpenAPIDoc, schema: dict[str, Any], file: Path) -> tuple[str, Any] | None:
    """For ``oneOf``/``anyOf: [{type: "null"}, X]``: (pointer suffix of X, X)."""
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and len(branches) == 2:
            nulls = [i for i, b in enumerate(branches)
                     if isinstance(doc.refs.deref(b, file)[0], dict) and doc.refs.deref(b, file)[0].get("type") == "null"]
            if len(nulls) == 1:
                i = 1 - nulls[0]
                return f"/{key}/{i}", branches[i]
    return None


def _param_schema(param: dict[str, Any]) -> Any:
    if "schema" in param:
        return param["schema"]
    content = param.get("content")
    if isinstance(content, dict) and content:
        first = next(iter(content.values()))
        return first.get("schema") if isinstance(first, dict) else None
    return param  # Swagger 2: type and enum sit on the parameter


def _types(schema: dict[str, Any]) -> set[str]:
    t = schema.get("type")
    types = {t} if isinstance(t, str) else {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()
    if types and (schema.get("nullable") is True or schema.get("x-nullable") is True):
        types.add("null")
    return types


def _show(types: set[str]) -> str:
    return "|".join(sorted(types))
