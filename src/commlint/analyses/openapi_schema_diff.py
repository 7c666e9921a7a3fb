"""What a client would break on between two versions of one schema, by direction: a request
schema (the client sends: the new one must accept all the old one did) or a response schema
(the client reads: the new one must not produce anything the old one could not). Types,
nullability, enums and const, bounds and patterns, properties (``allOf`` merged), items,
``oneOf``/``anyOf`` branches; each change named by the oasdiff check that reports it.

Schemas are followed through ``$ref``; each (old node, new node, direction) pair is compared
once per document pair, so shared and recursive schemas cost their size, not their uses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from ..core.records import record
from pathlib import Path
from typing import Any, NamedTuple

from ..artifacts.openapi import OpenAPIDoc
from ..artifacts.yamljson import join, split

MAX_DEPTH = 64  # nested schemas compared below one body or parameter

# oasdiff's check ids this module and openapi_diff name (oasdiff/oasdiff checker/rules.go);
# a change oasdiff has no check for is named by none. WARN: oasdiff's level is a warning.
_IDS = """
api-path-removed-without-deprecation api-removed-without-deprecation webhook-removed
request-body-added-required request-body-became-required request-body-removed request-body-media-type-removed
new-required-request-parameter request-parameter-became-required request-parameter-removed:WARN
new-required-request-property request-property-became-required request-property-removed:WARN
response-success-status-removed response-media-type-removed required-response-header-removed
optional-response-header-removed:WARN response-header-became-optional
response-required-property-removed response-optional-property-removed:WARN response-property-became-optional
api-security-added:INFO api-global-security-added:INFO api-security-scope-added:INFO
api-global-security-scope-added:INFO api-security-removed:INFO api-global-security-removed:INFO
request-body-type-changed request-property-type-changed request-parameter-type-changed
request-parameter-property-type-changed:WARN response-body-type-changed response-property-type-changed
response-header-type-changed
request-body-became-not-nullable request-property-became-not-nullable request-parameter-became-not-nullable
request-parameter-property-became-not-nullable response-body-became-nullable response-property-became-nullable
response-header-became-nullable
request-body-enum-value-removed request-property-enum-value-removed request-parameter-enum-value-removed
request-parameter-property-enum-value-removed request-body-became-enum request-property-became-enum
request-parameter-became-enum request-property-x-extensible-enum-value-removed
request-parameter-x-extensible-enum-value-removed response-property-enum-value-added:WARN
request-body-const-added request-body-const-changed request-property-const-added request-property-const-changed
response-body-const-removed response-body-const-changed response-property-const-removed
response-property-const-changed
request-body-max-decreased request-property-max-decreased request-parameter-max-decreased
request-body-exclusive-max-decreased request-property-exclusive-max-decreased
request-parameter-exclusive-max-decreased request-body-max-set:WARN request-property-max-set:WARN
request-parameter-max-set:WARN request-body-exclusive-max-set:WARN request-property-exclusive-max-set:WARN
request-parameter-exclusive-max-set:WARN
request-body-min-increased request-property-min-increased request-parameter-min-increased
request-body-exclusive-min-increased request-property-exclusive-min-increased
request-parameter-exclusive-min-increased request-body-min-set:WARN request-property-min-set:WARN
request-parameter-min-set:WARN request-body-exclusive-min-set:WARN request-property-exclusive-min-set:WARN
request-parameter-exclusive-min-set:WARN
request-body-max-length-decreased request-property-max-length-decreased request-parameter-max-length-decreased
request-body-max-length-set:WARN request-property-max-length-set:WARN request-parameter-max-length-set:WARN
request-body-min-length-increased request-property-min-length-increased request-parameter-min-length-increased
request-parameter-max-items-decreased request-body-min-items-increased request-property-min-items-increased
request-parameter-min-items-increased request-body-min-items-set:WARN request-property-min-items-set:WARN
request-parameter-min-items-set:WARN
request-property-pattern-added request-parameter-pattern-added request-property-pattern-changed:WARN
request-parameter-pattern-changed:WARN
response-body-max-increased response-property-max-increased response-body-exclusive-max-increased
response-property-exclusive-max-increased response-body-min-decreased response-property-min-decreased
response-body-exclusive-min-decreased response-property-exclusive-min-decreased
response-body-max-length-increased response-property-max-length-increased response-body-max-length-unset
response-property-max-length-unset response-body-min-length-decreased response-property-min-length-decreased
response-body-min-items-decreased response-property-min-items-decreased response-body-min-items-unset
response-property-min-items-unset
request-body-one-of-removed request-property-one-of-removed request-body-any-of-removed
request-property-any-of-removed response-body-one-of-added response-property-one-of-added
"""
OASDIFF: dict[str, str] = {i.partition(":")[0]: i.partition(":")[2] for i in _IDS.split()}


class Change(NamedTuple):
    """One breaking change. ``ptr``: the changed node's JSON pointer in the new document, as
    reached from the operation through ``$ref``s (for a removal, where the removed node was);
    ``label``: the operation; ``check``: oasdiff's check id ("" when oasdiff has none)."""

    ptr: str
    label: str
    detail: str
    check: str

    @property
    def json_path(self) -> str:
        """The pointer as a dotted path: ``paths./v1/orders.post.requestBody...``."""
        return ".".join(split(self.ptr))

    @property
    def message(self) -> str:
        level = OASDIFF.get(self.check, "")
        named = (f"oasdiff: {self.check}" + (", a warning there" if level == "WARN" else
                                             ", reported as information only there" if level == "INFO" else "")
                 if self.check else "no oasdiff check")
        return f"{self.label + ': ' if self.label else ''}{self.detail} ({named})"


def check_id(*candidates: str) -> str:
    """The first candidate that is one of oasdiff's check ids, else ""."""
    return next((c for c in candidates if c in OASDIFF), "")


@record(frozen=True)
class Side:
    """Where a schema sits: ``request`` (the client sends it) or not (it reads it), and its
    root, ``body``, ``parameter`` or ``header`` (a response header); ``nested``: a property
    or item below that root."""

    request: bool
    root: str = "body"
    nested: bool = False
    text: bool = False  # on the wire as text (a parameter, a header, XML, a form): anything may become a string

    def id(self, what: str) -> str:
        side = "request" if self.request else "response"
        if self.root == "parameter":
            return check_id(f"request-parameter-property-{what}" if self.nested else "", f"request-parameter-{what}")
        if self.root == "header" and not self.nested:
            return check_id(f"response-header-{what}")
        return check_id(f"{side}-body-{what}" if not self.nested else "", f"{side}-property-{what}")

    def below(self) -> Side:
        return Side(self.request, self.root, True, self.text)


Add = Callable[[str, str, str], None]  # (pointer, detail, check id)

# keyword, name in oasdiff ids, True for an upper bound
_BOUNDS = (("maxLength", "max-length", True), ("minLength", "min-length", False),
           ("maxItems", "max-items", True), ("minItems", "min-items", False))


class SchemaDiff:
    """Compares schemas of two documents; ``add`` receives each breaking change."""

    def __init__(self, old: OpenAPIDoc, new: OpenAPIDoc, add: Add):
        self.old, self.new, self.add = old, new, add
        self.seen: set[tuple[int, int, bool]] = set()
        self.resolved: dict[tuple[int, str, Path], tuple[Any, Path, str]] = {}

    def deref(self, doc: OpenAPIDoc, node: Any, file: Path) -> tuple[Any, Path, str]:
        """``doc.refs.deref``, each reference resolved once (a large API $refs the same
        headers and schemas from hundreds of operations)."""
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str):
            return node, file, ""
        # a relative reference means the same from every file of a folder
        key = (id(doc), ref, file if ref.startswith("#") else file.parent)
        if key not in self.resolved:
            self.resolved[key] = doc.refs.deref(node, file)
        return self.resolved[key]

    def compare(self, old: Any, ofile: Path, new: Any, nfile: Path, ptr: str, what: str, side: Side,
                depth: int = 0) -> None:
        old, ofile, _ = self.deref(self.old, old, ofile)
        new, nfile, _ = self.deref(self.new, new, nfile)
        if not (isinstance(old, dict) and isinstance(new, dict)) or depth > MAX_DEPTH:
            return
        # the 3.1 idiom for a nullable $ref, oneOf: [{type: "null"}, X], compares as X plus null
        wrap_old, wrap_new = nullable_wrap(self.old, old, ofile), nullable_wrap(self.new, new, nfile)
        if (wrap_old is None) != (wrap_new is None):
            if wrap_new is not None:
                if not side.request:
                    self.add(ptr, f"{what}: may now be null", side.id("became-nullable"))
                self.compare(old, ofile, wrap_new[1], nfile, ptr + wrap_new[0], what, side, depth + 1)
            else:
                if side.request:
                    self.add(ptr, f"{what}: no longer accepts null", side.id("became-not-nullable"))
                self.compare(wrap_old[1], ofile, new, nfile, ptr, what, side, depth + 1)
            return
        key = (id(old), id(new), side.request)
        if key in self.seen:  # compared already (and cycles stop here)
            return
        self.seen.add(key)
        if self.types(old, new, ptr, what, side):
            return  # another kind of value: what is inside it would only repeat that
        self.values(old, new, ptr, what, side)
        self.bounds(old, new, ptr, what, side)
        self.branches(old, ofile, new, nfile, ptr, what, side, depth)
        self.properties(old, ofile, new, nfile, ptr, what, side, depth)
        for key_ in ("items", "additionalProperties"):
            if isinstance(old.get(key_), dict) and isinstance(new.get(key_), dict):
                label = "items" if key_ == "items" else "additional properties"
                self.compare(old[key_], ofile, new[key_], nfile, join(ptr, key_), f"{what} {label}", side.below(),
                             depth + 1)

    def types(self, old: dict[str, Any], new: dict[str, Any], ptr: str, what: str, side: Side) -> bool:
        """Type, format and null; True when the type changed."""
        ot, nt = _types(old), _types(new)
        if not (ot and nt):
            return False
        lost = (ot - nt) if side.request else (nt - ot)
        lost -= {"integer"} if "number" in (nt if side.request else ot) else set()
        if lost and side.text and (nt if side.request else ot) == {"string"}:
            lost = set()  # text on the wire: a string takes what any type was written as (as oasdiff sees it)
        if lost:
            self.add(join(ptr, "type"), f"{what}: type changed from {_show(ot)} to {_show(nt)}", side.id("type-changed"))
            return True
        if ot == nt and len(ot) == 1:
            of, nf = old.get("format"), new.get("format")
            if isinstance(of, str) and isinstance(nf, str) and of != nf and (
                    (of, nf) not in _WIDER if side.request else (nf, of) not in _WIDER):
                self.add(join(ptr, "format"), f"{what}: format changed from {of} to {nf}", side.id("type-changed"))
        on, nn = _nullable(old), _nullable(new)
        if side.request and on and not nn:
            self.add(ptr, f"{what}: no longer accepts null", side.id("became-not-nullable"))
        elif not side.request and nn and not on:
            self.add(ptr, f"{what}: may now be null", side.id("became-nullable"))
        return False

    def values(self, old: dict[str, Any], new: dict[str, Any], ptr: str, what: str, side: Side) -> None:
        for key in ("enum", "x-extensible-enum"):
            oe, ne = old.get(key), new.get(key)
            if not isinstance(ne, list):
                continue
            if not isinstance(oe, list):
                if side.request and key == "enum" and "const" not in old:
                    self.add(join(ptr, key), f"{what}: now accepts only the values {_values(ne)}", side.id("became-enum"))
                continue
            okeys, nkeys = {_key(v) for v in oe}, {_key(v) for v in ne}
            if side.request:
                removed = [v for v in oe if _key(v) not in nkeys]
                if removed:
                    self.add(join(ptr, key), f"{what}: {key} value(s) {_values(removed)} removed",
                             side.id("enum-value-removed" if key == "enum" else "x-extensible-enum-value-removed"))
            elif key == "enum":  # x-extensible-enum exists to let responses grow
                added = [v for v in ne if _key(v) not in okeys]
                if added:
                    self.add(join(ptr, key), f"{what}: enum value(s) {_values(added)} added (clients may not handle them)",
                             side.id("enum-value-added"))
        if "const" in old or "const" in new:
            oc, nc = old.get("const", _ABSENT), new.get("const", _ABSENT)
            if nc is not _ABSENT and oc is not _ABSENT and _key(oc) != _key(nc):
                self.add(join(ptr, "const"), f"{what}: const changed from {oc!r} to {nc!r}", side.id("const-changed"))
            elif side.request and oc is _ABSENT and not isinstance(old.get("enum"), list):
                self.add(join(ptr, "const"), f"{what}: now accepts only {nc!r}", side.id("const-added"))
            elif not side.request and nc is _ABSENT and not isinstance(new.get("enum"), list):
                self.add(ptr, f"{what}: no longer always {oc!r}", side.id("const-removed"))

    def bounds(self, old: dict[str, Any], new: dict[str, Any], ptr: str, what: str, side: Side) -> None:
        if side.request and old.get("readOnly") is True or not side.request and old.get("writeOnly") is True:
            return  # not sent in that direction
        for key, name, upper in _BOUNDS:
            o, n = _number(old.get(key)), _number(new.get(key))
            if o == n or o is None and n is None:
                continue
            tighter = n is not None and (o is None or (n < o if upper else n > o))
            if side.request and tighter:
                verb = "set" if o is None else "decreased" if upper else "increased"
                self.add(join(ptr, key), f"{what}: {key} {verb}" + (f" to {_num(n)}" if o is None else f" from {_num(o)} to {_num(n)}"),
                         side.id(f"{name}-{verb}"))
            elif not side.request and not tighter and o is not None:
                verb = "unset" if n is None else "increased" if upper else "decreased"
                self.add(join(ptr, key) if n is not None else ptr,
                         f"{what}: {key} " + ("removed" if n is None else f"{verb} from {_num(o)} to {_num(n)}"),
                         side.id(f"{name}-{verb}"))
        for upper in (True, False):
            o, n = _limit(old, upper), _limit(new, upper)
            if o == n or n is None:
                continue  # a bound removed widens a request; oasdiff does not report it for a response
            tighter = o is None or _tighter(n, o, upper)
            name, key = ("max", "maximum") if upper else ("min", "minimum")
            exclusive = n[1] and _number(new.get("exclusiveMaximum" if upper else "exclusiveMinimum")) is not None
            where = join(ptr, ("exclusiveMaximum" if upper else "exclusiveMinimum") if exclusive else key)
            if side.request and tighter:
                verb = "set" if o is None else "decreased" if upper else "increased"
                self.add(where, f"{what}: {key} {verb}: {_bound(upper, n)}" + (f", was {_bound(upper, o)}" if o else ""),
                         side.id(f"{'exclusive-' if exclusive else ''}{name}-{verb}"))
            elif not side.request and not tighter and o is not None:
                verb = "increased" if upper else "decreased"
                self.add(where, f"{what}: {key} {verb}: {_bound(upper, n)}, was {_bound(upper, o)}",
                         side.id(f"{'exclusive-' if exclusive else ''}{name}-{verb}"))
        if side.request:
            op, np_ = _pattern(old), _pattern(new)
            if np_ is not None and np_ != op:
                self.add(join(ptr, "pattern"), f"{what}: pattern {np_!r} " + ("added" if op is None else f"replaced {op!r}"),
                         side.id("pattern-added" if op is None else "pattern-changed"))

    def branches(self, old: dict[str, Any], ofile: Path, new: dict[str, Any], nfile: Path, ptr: str, what: str,
                 side: Side, depth: int) -> None:
        """``oneOf``/``anyOf``: a request loses a branch a client may send, a response gains one
        (oasdiff reports anyOf branches added to a response as information only). Branches pair
        up by the name a ``$ref`` points at, then by equal content (an inline branch moved to a
        component is the same branch), then by title, then in order when as many are left."""
        for key in ("oneOf", "anyOf"):
            ob, nb = old.get(key), new.get(key)
            if not (isinstance(ob, list) and isinstance(nb, list)):
                continue
            pairs, removed, added = self.pair(ob, ofile, nb, nfile)
            for i, j, name in pairs:
                self.compare(ob[i], ofile, nb[j], nfile, join(ptr, key, j), f"{what} ({key} {name})", side, depth + 1)
            kind = key.lower().replace("of", "-of")
            if side.request and removed:
                self.add(join(ptr, key), f"{what}: {key} branch(es) {', '.join(removed)} removed", side.id(f"{kind}-removed"))
            elif not side.request and key == "oneOf" and added:
                self.add(join(ptr, key), f"{what}: {key} branch(es) {', '.join(added)} added", side.id("one-of-added"))

    def pair(self, ob: list[Any], ofile: Path, nb: list[Any], nfile: Path
             ) -> tuple[list[tuple[int, int, str]], list[str], list[str]]:
        """Old and new branches paired (old index, new index, name), the old ones left over and
        the new ones left over, by name."""
        def names(branches: list[Any], doc: OpenAPIDoc, file: Path) -> list[tuple[str, str, str]]:
            out = []
            for i, b in enumerate(branches):
                node, _, _ = self.deref(doc, b, file)
                ref = b.get("$ref") if isinstance(b, dict) else None
                title = node.get("title") if isinstance(node, dict) else None
                out.append((ref.rsplit("/", 1)[-1] if isinstance(ref, str) else "", _key(node),
                            str(title) if isinstance(title, str) else ""))
            return out
        on, nn = names(ob, self.old, ofile), names(nb, self.new, nfile)
        left, right = list(range(len(ob))), list(range(len(nb)))
        pairs = []
        for field in range(3):  # by $ref name, content, title
            for i in list(left):
                match = next((j for j in right if on[i][field] and on[i][field] == nn[j][field]), None)
                if match is not None:
                    pairs.append((i, match, on[i][0] or on[i][2] or f"branch {match + 1}"))
                    left.remove(i)
                    right.remove(match)
        if len(left) == len(right):
            pairs += [(i, j, f"branch {j + 1}") for i, j in zip(left, right)]
            left, right = [], []
        label = lambda ns, i: ns[i][0] or ns[i][2] or f"#{i + 1}"
        return pairs, [label(on, i) for i in left], [label(nn, j) for j in right]

    def properties(self, old: dict[str, Any], ofile: Path, new: dict[str, Any], nfile: Path, ptr: str, what: str,
                   side: Side, depth: int) -> None:
        oprops, oreq, _ = self.flatten(self.old, old, ofile, ptr)
        nprops, nreq, alternatives = self.flatten(self.new, new, nfile, ptr)
        below = side.below()
        if side.request:
            for name in sorted(nreq - oreq):
                prop = nprops.get(name)
                if prop is not None and isinstance(prop[0], dict) and prop[0].get("readOnly") is True:
                    continue
                if name in oprops:
                    self.add(join(ptr, "required"), f"{what}: property {name!r} became required",
                             below.id("became-required") if side.root != "parameter" else "")
                else:
                    self.add(join(ptr, "required"), f"{what}: new required property {name!r}",
                             "new-required-request-property" if side.root != "parameter" else "")
            if new.get("additionalProperties") is False and not alternatives:
                for name in sorted(set(oprops) - set(nprops)):
                    if not (isinstance(oprops[name][0], dict) and oprops[name][0].get("readOnly") is True):
                        self.add(oprops[name][2], f"{what}: property {name!r} was removed and additional properties "
                                 "are not allowed", "request-property-removed")
        elif not alternatives:  # with oneOf/anyOf, properties may live in a branch
            for name in sorted(set(oprops) - set(nprops) - nreq):  # still required: still sent
                if isinstance(oprops[name][0], dict) and oprops[name][0].get("writeOnly") is True:
                    continue
                self.add(oprops[name][2], f"{what}: property {name!r} was removed or renamed",
                         "response-required-property-removed" if name in oreq else "response-optional-property-removed")
            for name in sorted((oreq - nreq) & set(nprops)):
                if not (isinstance(nprops[name][0], dict) and nprops[name][0].get("writeOnly") is True):
                    self.add(nprops[name][2], f"{what}: property {name!r} is no longer required (clients rely on it)",
                             "response-property-became-optional")
        for name in sorted(set(oprops) & set(nprops)):
            (o, of, _), (n, nf, nptr) = oprops[name], nprops[name]
            self.compare(o, of, n, nf, nptr, f"{what} property {name!r}", below, depth + 1)

    def flatten(self, doc: OpenAPIDoc, schema: dict[str, Any], file: Path,
                ptr: str) -> tuple[dict[str, tuple[Any, Path, str]], set[str], bool]:
        """A schema's properties (allOf members merged) with their pointers, its required
        names, and whether it (or a member) has oneOf/anyOf alternatives."""
        props: dict[str, tuple[Any, Path, str]] = {}
        required: set[str] = set()
        alternatives = False
        stack = [(schema, file, ptr, 0)]
        seen: set[int] = set()
        while stack:
            node, f, p, depth = stack.pop()
            node, f, _ = self.deref(doc, node, f)
            if not isinstance(node, dict) or depth > 32 or id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node.get("properties"), dict):
                for name, sub in node["properties"].items():
                    props.setdefault(name, (sub, f, join(p, "properties", name)))
            if isinstance(node.get("required"), list):
                required |= {r for r in node["required"] if isinstance(r, str)}
            if isinstance(node.get("allOf"), list):
                stack.extend((sub, f, join(p, "allOf", i), depth + 1) for i, sub in enumerate(node["allOf"]))
            alternatives = alternatives or any(isinstance(node.get(k), list) for k in ("oneOf", "anyOf"))
        return props, required, alternatives


_ABSENT = object()
_WIDER = {("int32", "int64"), ("float", "double")}  # (narrower, wider) formats


def nullable_wrap(doc: OpenAPIDoc, schema: dict[str, Any], file: Path) -> tuple[str, Any] | None:
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


def _types(schema: dict[str, Any]) -> set[str]:
    t = schema.get("type")
    types = {t} if isinstance(t, str) else {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()
    return types - {"null"}


def _nullable(schema: dict[str, Any]) -> bool:
    t = schema.get("type")
    return (t == "null" or isinstance(t, list) and "null" in t or schema.get("nullable") is True
            or schema.get("x-nullable") is True)


def _pattern(schema: dict[str, Any]) -> str | None:
    """A schema's pattern, None for none or one that matches anything."""
    p = schema.get("pattern")
    return p if isinstance(p, str) and p not in ("", ".*", "^.*$", "^.*") else None


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _limit(schema: dict[str, Any], upper: bool) -> tuple[float, bool] | None:
    """The upper (or lower) bound of a number schema: (value, exclusive), OpenAPI 3.0's boolean
    ``exclusiveMaximum`` and 3.1's number both read; the tighter of two 3.1 bounds."""
    key = "maximum" if upper else "minimum"
    plain, excl = _number(schema.get(key)), schema.get("exclusiveMaximum" if upper else "exclusiveMinimum")
    bounds = []
    if plain is not None:
        bounds.append((plain, excl is True))
    if _number(excl) is not None:
        bounds.append((excl, True))
    if not bounds:
        return None
    best = bounds[0]
    for b in bounds[1:]:
        best = b if _tighter(b, best, upper) else best
    return best


def _tighter(a: tuple[float, bool], b: tuple[float, bool], upper: bool) -> bool:
    """Whether bound ``a`` admits less than bound ``b``."""
    if a[0] != b[0]:
        return a[0] < b[0] if upper else a[0] > b[0]
    return a[1] and not b[1]


def _bound(upper: bool, bound: tuple[float, bool]) -> str:
    op = ("<" if bound[1] else "<=") if upper else (">" if bound[1] else ">=")
    return f"value {op} {_num(bound[0])}"


def _num(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _values(values: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:8])
    return shown + (f" and {len(values) - 8} more" if len(values) > 8 else "")


def _show(types: set[str]) -> str:
    return "|".join(sorted(types))
