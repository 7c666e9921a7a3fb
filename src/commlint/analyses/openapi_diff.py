"""What a client of one version of an OpenAPI document would break on in another, as oasdiff's
breaking-change checks see it: removed paths, operations and webhooks; parameters (new or
now required, removed, moved, serialised differently); request bodies (added required, now
required, removed, a media type removed); responses (a success status, a media type or a
required header removed); security a client no longer satisfies; and the schemas of each
(``openapi_schema_diff``), followed through ``$ref``. Webhooks are compared the other way
round: the API sends their payload and reads the subscriber's answer.
"""

from __future__ import annotations

import re
from ..core.records import replace
from pathlib import Path
from typing import Any

from ..artifacts.openapi import METHODS, OpenAPIDoc
from ..artifacts.yamljson import join
from .openapi import operations, param_key
from .openapi_schema_diff import Change, SchemaDiff, Side

__all__ = ["Change", "breaking_changes"]


# header parameters OpenAPI says are ignored: the media types and the security schemes say them
_IGNORED = {("header", "accept"), ("header", "content-type"), ("header", "authorization")}


def _norm(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def breaking_changes(old: OpenAPIDoc, new: OpenAPIDoc) -> list[Change]:
    """What a client of ``old`` would break on in ``new``, in document order."""
    diff = _Diff(old, new)
    diff.paths()
    diff.webhooks()
    return diff.found


class _Diff:
    """Compares two versions; ``found`` collects the changes."""

    def __init__(self, old: OpenAPIDoc, new: OpenAPIDoc):
        self.old, self.new = old, new
        self.found: list[Change] = []
        self.label = ""
        self.schemas = SchemaDiff(old, new, self.add)

    def add(self, ptr: str, detail: str, check: str) -> None:
        self.found.append(Change(ptr, self.label, detail, check))

    # -- paths and operations ------------------------------------------------------------

    def paths(self) -> None:
        new_ops = {(_norm(p), m): (p, ptr, op, f, params) for p, m, ptr, op, f, params in operations(self.new)}
        new_paths = {_norm(p): p for p, *_ in new_ops.values()}
        old_ops = list(operations(self.old))
        live = {path for path, _m, _p, op, _f, _ps in old_ops if op.get("deprecated") is not True}
        gone: set[str] = set()
        for path, method, _ptr, op, ofile, params in old_ops:
            key = (_norm(path), method)
            self.label = ""
            if key not in new_ops:
                if op.get("deprecated") is True:
                    continue  # deprecated first, as oasdiff asks (api-removed-with-deprecation)
                if key[0] not in new_paths:
                    if path not in gone and path in live:
                        gone.add(path)
                        self.add(join("/paths", path), f"path {path} was removed", "api-path-removed-without-deprecation")
                else:
                    self.add(join("/paths", new_paths[key[0]], method), f"operation {method.upper()} {path} was removed",
                             "api-removed-without-deprecation")
                continue
            npath, nptr, nop, nfile, nparams = new_ops[key]
            self.label = f"{method.upper()} {npath}"
            self.parameters(params, ofile, nparams, nfile)
            self.body(op, ofile, nop, nfile, nptr, Side(request=True), "request body")
            self.responses(op, ofile, nop, nfile, nptr, Side(request=False), "response")
            self.security(op, nop, nptr, {param_key(p) for p, _ in params if p.get("required") is True})

    def parameters(self, oparams: list[tuple[dict[str, Any], str]], ofile: Path,
                   nparams: list[tuple[dict[str, Any], str]], nfile: Path) -> None:
        before = {param_key(p): (p, q) for p, q in oparams}
        after = {param_key(p): (p, q) for p, q in nparams}
        moved = {}  # old key -> new key: same name, another location
        for okey in before.keys() - after.keys():
            for nkey in after.keys() - before.keys():
                if okey[1].lower() == nkey[1].lower() and "body" not in (okey[0], nkey[0]):
                    moved[okey] = nkey
        for okey, nkey in sorted(moved.items()):
            self.add(after[nkey][1], f"{okey[0]} parameter {before[okey][0]['name']!r} moved to {nkey[0]}",
                     "request-parameter-removed")
        for key, (param, pptr) in after.items():
            was = before.get(key, (None, ""))[0]
            if key[0] == "body":  # Swagger 2
                if was is not None:
                    self.schemas.compare(was.get("schema"), ofile, param.get("schema"), nfile,
                                         join(pptr, "schema"), "request body", Side(request=True))
                elif param.get("required"):
                    self.add(pptr, "a required request body was added", "request-body-added-required")
                continue
            if key in moved.values() or key in _IGNORED:
                continue
            name = param["name"]
            if param.get("required") is True and key[0] != "path" and (was is None or was.get("required") is not True):
                if was is None:
                    self.add(pptr, f"new required {key[0]} parameter {name!r}", "new-required-request-parameter")
                else:
                    self.add(join(pptr, "required"), f"{key[0]} parameter {name!r} became required",
                             "request-parameter-became-required")
            if was is not None:
                self.serialisation(was, param, key[0], pptr, nfile)
                nschema, sptr = _param_schema(param, pptr)
                self.schemas.compare(_param_schema(was)[0], ofile, nschema, nfile, sptr,
                                     f"{key[0]} parameter {name!r}",
                                     Side(request=True, root="parameter", text=not _json_content(param)))
        for key, (param, pptr) in before.items():
            if (key not in after and key not in moved and key not in _IGNORED
                    and key[0] in ("query", "header", "cookie", "formData")
                    and param.get("deprecated") is not True and not self._credential(key)):
                self.add(pptr, f"{key[0]} parameter {param['name']!r} was removed (clients still send it)",
                         "request-parameter-removed")

    def _credential(self, key: tuple[str, str]) -> bool:
        """Whether a removed parameter is a credential the new version declares as a security scheme."""
        return any(_fingerprint(n, s) == ("apiKey", *key) for n, s in _schemes(self.new).items())

    def serialisation(self, old: dict[str, Any], new: dict[str, Any], where: str, ptr: str, nfile: Path) -> None:
        """``style``/``explode`` changed where it changes the bytes a client sends."""
        if "schema" not in new or "schema" not in old:
            return
        schema, _, _ = self.schemas.deref(self.new, new["schema"], nfile)
        kind = schema.get("type") if isinstance(schema, dict) else None
        if not isinstance(kind, str):
            return
        default = "form" if where in ("query", "cookie") else "simple"
        ostyle, nstyle = old.get("style", default), new.get("style", default)
        oexp, nexp = old.get("explode", ostyle == "form"), new.get("explode", nstyle == "form")
        structured = kind in ("array", "object")
        if ostyle != nstyle and (structured or where == "path"):
            self.add(join(ptr, "style"), f"{where} parameter {new['name']!r}: style changed from {ostyle} to {nstyle} "
                     "(clients serialise it the old way)", "")
        elif oexp != nexp and structured:
            self.add(join(ptr, "explode"), f"{where} parameter {new['name']!r}: explode changed from "
                     f"{str(oexp).lower()} to {str(nexp).lower()} (clients serialise it the old way)", "")

    # -- bodies and responses ------------------------------------------------------------

    def body(self, oop: dict[str, Any], ofile: Path, nop: dict[str, Any], nfile: Path, ptr: str, side: Side,
             what: str) -> None:
        o, of, _ = self.schemas.deref(self.old, oop.get("requestBody"), ofile)
        where = join(ptr, "requestBody")
        if "requestBody" not in nop:
            if isinstance(o, dict):
                self.add(where, f"the {what} was removed ({'clients send one' if side.request else 'subscribers read it'})",
                         "request-body-removed")
            return
        n, nf, _ = self.schemas.deref(self.new, nop["requestBody"], nfile)
        if not isinstance(n, dict):
            return
        if side.request and n.get("required") is True and not (isinstance(o, dict) and o.get("required") is True):
            if isinstance(o, dict):
                self.add(join(where, "required"), f"the {what} became required", "request-body-became-required")
            else:
                self.add(where, f"a required {what} was added", "request-body-added-required")
        if isinstance(o, dict):
            self.content(o, of, n, nf, where, what, side)

    def responses(self, oop: dict[str, Any], ofile: Path, nop: dict[str, Any], nfile: Path, ptr: str, side: Side,
                  what: str) -> None:
        oresp, orfile, _ = self.schemas.deref(self.old, oop.get("responses"), ofile)
        nresp, nrfile, _ = self.schemas.deref(self.new, nop.get("responses"), nfile)
        if not (isinstance(oresp, dict) and isinstance(nresp, dict)):
            return
        news = {str(k): k for k in nresp}
        for ostatus, orr in oresp.items():
            status = str(ostatus)
            if status in news:
                o, of, _ = self.schemas.deref(self.old, orr, orfile)
                n, nf, _ = self.schemas.deref(self.new, nresp[news[status]], nrfile)
                self.response(o, of, n, nf, join(ptr, "responses", news[status]), f"{what} {status}", side)
            elif re.fullmatch(r"2\d\d", status) and not side.request and not {"2XX", "2xx"} & news.keys():
                now = sorted(s for s in news if re.fullmatch(r"2\d\d", s) and s not in {str(k) for k in oresp})
                self.add(join(ptr, "responses", status), f"success {what} {status} was removed"
                         + (f" (the operation now answers {', '.join(now)})" if now else ""), "response-success-status-removed")

    def response(self, old: Any, ofile: Path, new: Any, nfile: Path, ptr: str, what: str, side: Side) -> None:
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return
        oh, ohf, _ = self.schemas.deref(self.old, old.get("headers"), ofile)
        nh, nhf, _ = self.schemas.deref(self.new, new.get("headers"), nfile)
        if isinstance(oh, dict) and not side.request:
            nheads = {str(k).lower(): k for k in nh} if isinstance(nh, dict) else {}
            for name, ohead in oh.items():
                ohead, ohfile, _ = self.schemas.deref(self.old, ohead, ohf)
                if not isinstance(ohead, dict) or str(name).lower() == "content-type":
                    continue
                key = nheads.get(str(name).lower())
                hptr = join(ptr, "headers", key if key is not None else name)
                if key is None:
                    if ohead.get("required") is True:
                        self.add(hptr, f"{what}: required header {name!r} was removed", "required-response-header-removed")
                    continue
                nhead, nhfile, _ = self.schemas.deref(self.new, nh[key], nhf)  # type: ignore[index]
                if not isinstance(nhead, dict):
                    continue
                if ohead.get("required") is True and nhead.get("required") is not True:
                    self.add(hptr, f"{what}: header {name!r} is no longer required (clients rely on it)",
                             "response-header-became-optional")
                if "schema" in ohead and "schema" in nhead:
                    self.schemas.compare(ohead["schema"], ohfile, nhead["schema"], nhfile, join(hptr, "schema"),
                                         f"{what} header {name!r}", Side(request=False, root="header", text=True))
        self.content(old, ofile, new, nfile, ptr, what, side)

    def content(self, old: dict[str, Any], ofile: Path, new: dict[str, Any], nfile: Path, ptr: str, what: str,
                side: Side) -> None:
        if "schema" in old and "schema" in new:  # Swagger 2 responses
            self.schemas.compare(old["schema"], ofile, new["schema"], nfile, join(ptr, "schema"), what, side)
        oc, nc = old.get("content"), new.get("content")
        if not (isinstance(oc, dict) and isinstance(nc, dict)):
            return
        names = {_media(m): m for m in nc}
        for media, om in oc.items():
            target = names.get(_media(media))
            if target is None:
                if not _covered(_media(media), names):
                    self.add(join(ptr, "content", media), f"{what}: media type {media} was removed"
                             + (" (clients send it)" if side.request else ""),
                             "request-body-media-type-removed" if side.request else "response-media-type-removed")
                continue
            nm = nc[target]
            if isinstance(om, dict) and isinstance(nm, dict) and "schema" in om and "schema" in nm:
                self.schemas.compare(om["schema"], ofile, nm["schema"], nfile, join(ptr, "content", target, "schema"),
                                     what, replace(side, text=not _json(_media(target))))

    # -- security ------------------------------------------------------------------------

    def security(self, oop: dict[str, Any], nop: dict[str, Any], ptr: str, sent: set[tuple[str, str]]) -> None:
        """A client that satisfied one of the old requirements and satisfies none of the new.
        ``sent``: the parameters the old version required, a credential among them (an
        ``Authorization`` header parameter that became a security scheme is no new demand)."""
        olds, news = _requirements(self.old, oop), _requirements(self.new, nop)
        if olds is None and news is not None and any(all(_sent(fp, sent) for fp in r) for r in news):
            return
        own = "security" in nop
        where = join(ptr, "security") if own else "/security"
        prefix = "api-security" if own else "api-global-security"
        if news is None:
            return
        if olds is None:
            self.add(where, "authentication is now required (clients called it without credentials)", f"{prefix}-added")
            return
        for req in olds:
            if any(_satisfies(req, r) for r in news):
                continue
            schemes = ", ".join(sorted(name for name, _ in req.values())) or "no credentials"
            same = [r for r in news if set(r) == set(req)]
            more = [r for r in same if all(req[fp][1] <= ss for fp, (_, ss) in r.items())]
            if more:
                scopes = sorted({s for r in more for fp, (_, ss) in r.items() for s in ss - req[fp][1]})
                self.add(where, f"clients authenticated with {schemes} now need scope(s) {', '.join(scopes)} as well",
                         f"{prefix}-scope-added")
            elif not same:
                self.add(where, f"clients authenticated with {schemes} are no longer accepted", f"{prefix}-added")
            # else a scope replaced by another: a provider commonly lets the old one grant the new
            # (DigitalOcean's project:update grants project:assign_resource), which a document cannot say

    # -- webhooks ------------------------------------------------------------------------

    def webhooks(self) -> None:
        """OpenAPI 3.1 webhooks: the API sends the payload (compared as a response) and reads the
        subscriber's answer (compared as a request)."""
        ow, owf, _ = self.schemas.deref(self.old, self.old.data.get("webhooks"), self.old.file)
        nw, nwf, _ = self.schemas.deref(self.new, self.new.data.get("webhooks"), self.new.file)
        if not isinstance(ow, dict):
            return
        nw = nw if isinstance(nw, dict) else {}
        for name, oitem in ow.items():
            self.label = ""
            ptr = join("/webhooks", name)
            oitem, oif, _ = self.schemas.deref(self.old, oitem, owf)
            if not isinstance(oitem, dict):
                continue
            if name not in nw:
                self.add(ptr, f"webhook {name} was removed (subscribers expect it)", "webhook-removed")
                continue
            nitem, nif, _ = self.schemas.deref(self.new, nw[name], nwf)
            if not isinstance(nitem, dict):
                continue
            for method in METHODS:
                oop, oof, _ = self.schemas.deref(self.old, oitem.get(method), oif)
                nop, nof, _ = self.schemas.deref(self.new, nitem.get(method), nif)
                if not isinstance(oop, dict):
                    continue
                if not isinstance(nop, dict):
                    self.add(join(ptr, method), f"webhook {name} {method.upper()} was removed", "webhook-removed")
                    continue
                self.label = f"webhook {name} {method.upper()}"
                self.body(oop, oof, nop, nof, join(ptr, method), Side(request=False), "payload")
                self.responses(oop, oof, nop, nof, join(ptr, method), Side(request=True), "subscriber's response")


def _param_schema(param: dict[str, Any], ptr: str = "") -> tuple[Any, str]:
    """A parameter's schema and its pointer (under ``ptr``, the parameter's)."""
    if "schema" in param:
        return param["schema"], join(ptr, "schema")
    content = param.get("content")
    if isinstance(content, dict) and content:
        media, first = next(iter(content.items()))
        return (first.get("schema") if isinstance(first, dict) else None), join(ptr, "content", media, "schema")
    return param, ptr  # Swagger 2: type and enum sit on the parameter


def _json(media: str) -> bool:
    """Whether a media type is JSON (strongly typed, as oasdiff calls it)."""
    return media == "application/json" or media.endswith("+json")


def _json_content(param: dict[str, Any]) -> bool:
    content = param.get("content")
    return "schema" not in param and isinstance(content, dict) and any(_json(_media(m)) for m in content)


def _media(name: Any) -> str:
    return str(name).split(";", 1)[0].strip().lower()


def _covered(media: str, names: dict[str, Any]) -> bool:
    """Whether a wildcard of the new version (``*/*``, ``application/*``) covers ``media``."""
    major = media.split("/", 1)[0]
    return "*/*" in names or f"{major}/*" in names


def _schemes(doc: OpenAPIDoc) -> dict[str, dict[str, Any]]:
    comps = doc.data.get("components")
    raw = comps.get("securitySchemes") if isinstance(comps, dict) else doc.data.get("securityDefinitions")
    raw, file, _ = doc.refs.deref(raw, doc.file)
    out = {}
    for name, scheme in raw.items() if isinstance(raw, dict) else ():
        scheme, _, _ = doc.refs.deref(scheme, file)
        if isinstance(scheme, dict):
            out[str(name)] = scheme
    return out


def _fingerprint(name: str, scheme: dict[str, Any] | None) -> tuple[str, ...]:
    """What a client sends for a scheme, so that a renamed scheme is the same credential."""
    if scheme is None:
        return ("?", name)
    kind = str(scheme.get("type", ""))
    if kind == "apiKey":
        where, name = str(scheme.get("in", "")), str(scheme.get("name", ""))
        return (kind, where, name.lower() if where == "header" else name)
    if kind == "http":
        return (kind, str(scheme.get("scheme", "")).lower())
    return (kind,)


Requirement = dict[tuple[str, ...], tuple[str, frozenset[str]]]


def _requirements(doc: OpenAPIDoc, op: dict[str, Any]) -> list[Requirement] | None:
    """The operation's security requirements (its own, else the document's), each as
    credential -> (scheme name, scopes); None when a client may call it without credentials."""
    reqs = op["security"] if "security" in op else doc.data.get("security")
    if not isinstance(reqs, list) or not reqs:
        return None
    schemes = _schemes(doc)
    out: list[Requirement] = []
    for req in reqs:
        if not isinstance(req, dict):
            continue
        if not req:
            return None  # {}: credentials are optional
        out.append({_fingerprint(str(n), schemes.get(str(n))): (str(n), frozenset(s for s in scopes if isinstance(s, str))
                                                               if isinstance(scopes, list) else frozenset())
                    for n, scopes in req.items()})
    return out or None


def _sent(fp: tuple[str, ...], params: set[tuple[str, str]]) -> bool:
    """Whether a client sending ``params`` sends the credential a scheme fingerprint names."""
    if fp[0] == "apiKey":
        return (fp[1], fp[2]) in params
    return fp[0] in ("http", "oauth2", "openIdConnect") and ("header", "authorization") in params


def _satisfies(held: Requirement, wanted: Requirement) -> bool:
    """Whether a client holding the credentials of ``held`` meets ``wanted``."""
    return all(fp in held and scopes <= held[fp][1] for fp, (_, scopes) in wanted.items())
