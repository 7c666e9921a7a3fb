"""What a client of one version of an OpenAPI document would break on in another: removed paths and operations, parameters, request and response schemas (types, required properties, enums), followed through ``$ref``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..artifacts.openapi import OpenAPIDoc
from ..artifacts.yamljson import join
from .openapi import operations, param_key


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
        before = {param_key(p): p for p, _ in oparams}
        for param, pptr in nparams:
            key = param_key(param)
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
