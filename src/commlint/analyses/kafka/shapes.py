"""Events as values: the shape of a payload (a dict literal, a model of this module or of another
module of the tree, a protobuf message, a parameter annotated with a model), its fields and its headers."""

from __future__ import annotations

from ...core.records import record

from ...artifacts import pynodes as cst

from ...artifacts.python import PyModule, Scope, dotted, string_value
from ..proto_payloads import message_fields
from .build import read_mapping
from .model import DUMPS, MODEL_BASES, SERIALISE_METHODS, Kafka


# -- events as values ---------------------------------------------------------------------------


@record
class EventShape:
    node: cst.CSTNode  # the dict literal or the model construction
    fields: dict[str, cst.BaseExpression | None]  # field -> literal value where known
    model: str | None = None  # class name for a model


def unwrap(m: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> tuple[cst.BaseExpression | None, str | None]:
    """Strip serialisation (``json.dumps(e).encode()``) and follow a name to its single value."""
    name = None
    for _ in range(8):
        if expr is None:
            return None, name
        if isinstance(expr, cst.Await):
            expr = expr.expression
            continue
        if isinstance(expr, cst.Name):
            vals = m.lookup(expr.value, scope)
            if len(vals) != 1 or isinstance(vals[0], (cst.FunctionDef, cst.ClassDef)):
                return expr, name
            name, expr = expr.value, vals[0]
            continue
        if isinstance(expr, cst.Call):
            q = m.qualname(expr.func)
            f = expr.func
            if (q in DUMPS or (isinstance(f, cst.Name) and f.value in ("asdict", "bytes", "str") and q in (None, "dataclasses.asdict"))) \
                    and expr.args:
                expr, name = expr.args[0].value, None  # (``e = json.dumps({...})``: the dict is no name's)
                continue
            if isinstance(f, cst.Attribute) and f.attr.value in SERIALISE_METHODS:
                expr, name = f.value, None
                continue
        return expr, name
    return None, name


def event_shape(m: PyModule, k: Kafka, expr: cst.BaseExpression | None, scope: Scope) -> EventShape | None:
    """The fields of an event built here as a dict literal or a model whose fields can be read."""
    value, name = unwrap(m, expr, scope)
    if value is None:
        return None
    if isinstance(value, cst.Dict):
        keys = read_mapping(m, cst.Name(cst.NO_RANGE, name), scope, k) if name else read_mapping(m, value, scope, k)
        if keys is None:
            return None
        return EventShape(value, {key: m.constant(v, scope) for key, v in keys.items()})
    if isinstance(value, cst.Call) and "_pb2" in (q := m.qualname(value.func) or ""):
        declared = message_fields(m, q)  # a protobuf message: the fields its .proto declares
        return EventShape(value, dict.fromkeys(declared), q.rsplit(".", 1)[-1]) if declared is not None else None
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and m.qualname(value.func) is None:
        fields = model_fields(m, value.func.value)
        if fields is None:
            return None
        for a in value.args:
            if a.keyword is not None:
                fields[a.keyword.value] = m.constant(a.value, scope)
        return EventShape(value, fields, value.func.value)
    if isinstance(value, cst.Name) and (ann := _annotation(m, value.value, scope)) is not None:
        q = m.qualname(ann)  # a parameter annotated with a model (``event: UserDeleteEvent``)
        if q is None:
            fields = model_fields(m, ann.value) if isinstance(ann, cst.Name) else None
        else:
            declared = tree_model_fields(m, q, subclasses=True)
            fields = dict.fromkeys(declared) if declared is not None else None
        return EventShape(expr, fields, dotted(ann)) if fields is not None and expr is not None else None
    if isinstance(value, cst.Call) and q and (declared := tree_model_fields(m, q)) is not None:
        fields = dict.fromkeys(declared)  # a model of another module of the tree: the fields it declares
        fields.update({a.keyword.value: m.constant(a.value, scope) for a in value.args if a.keyword is not None})
        return EventShape(value, fields, q.rsplit(".", 1)[-1])
    return None


def _annotation(m: PyModule, name: str, scope: Scope) -> cst.BaseExpression | None:
    """The annotation of parameter ``name`` of the function ``scope`` is (or is in)."""
    fn = scope.enclosing_function()
    if fn is None or not isinstance(fn.node, cst.FunctionDef) or name not in fn.opaque:
        return None
    ps = fn.node.params
    for p in [*ps.posonly_params, *ps.params, *ps.kwonly_params]:
        if p.name.value == name and p.annotation is not None:
            return p.annotation.annotation
    return None


def tree_model_fields(m: PyModule, qualname: str, subclasses: bool = False) -> list[str] | None:
    """The fields a data model class of another module declares (a pydantic ``BaseModel``, a dataclass-like
    record; through base classes of that module), or None when it is no model or a base cannot be read.
    ``subclasses``: a value annotated with the class may be any of its subclasses in that module, so
    their fields count too (``event: BaseEvent`` given a ``UserCreated``)."""
    from ..index import find

    d = find(m, qualname)
    if d is None or d.kind != "class" or d.klass is None:
        return None
    out: list[str] = []
    if subclasses:
        out += [f for k in d.summary.classes.values() if d.klass.name in k.bases for f in k.declared]
    todo, seen, model = [d.klass], set(), False
    while todo:
        k = todo.pop()
        if k.name in seen or len(seen) > 5:
            continue
        seen.add(k.name)
        model = model or k.record
        out += k.declared
        for base in k.bases:
            last = base.rsplit(".", 1)[-1]
            if last in MODEL_BASES:
                model = True
            elif last in d.summary.classes and "." not in base:
                todo.append(d.summary.classes[last])
            else:
                return None  # a base we cannot read may declare the envelope
    return out if model else None


def model_fields(m: PyModule, cls_name: str, _depth: int = 0) -> dict[str, cst.BaseExpression | None] | None:
    """Fields of a class defined in this module (annotations, defaults, ``self.x``), or None if unreadable."""
    cls = m.classes.get(cls_name)
    if cls is None or not isinstance(cls.node, cst.ClassDef) or _depth > 5:
        return None
    out: dict[str, cst.BaseExpression | None] = {}
    for base in cls.node.bases:
        b = dotted(base.value) or ""
        last = b.rsplit(".", 1)[-1]
        if last in MODEL_BASES or last in ("object", "Enum"):
            continue
        inner = model_fields(m, last, _depth + 1) if last in m.classes else None
        if inner is None:
            return None  # a base we cannot read may declare the envelope
        out.update(inner)
    for stmt in cls.node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for s in stmt.body:
                if isinstance(s, cst.AnnAssign) and isinstance(s.target, cst.Name):
                    out[s.target.value] = s.value
                elif isinstance(s, cst.Assign):
                    for t in s.targets:
                        if isinstance(t.target, cst.Name):
                            out[t.target.value] = s.value
    for attr, values in cls.attributes.items():
        out.setdefault(attr, values[-1] if values else None)
    return out


def header_keys(m: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> set[str] | None:
    """Keys of a headers literal (a dict or a list of (key, value) pairs), None if unreadable."""
    if expr is None:
        return set()
    value = m.constant(expr, scope)
    if isinstance(value, cst.Dict):
        keys = read_mapping(m, value, scope)
        return set(keys) if keys is not None else None
    if isinstance(value, (cst.List, cst.Tuple)):
        out = set()
        for el in value.elements:
            if isinstance(el.value, cst.Tuple) and el.value.elements:
                key = string_value(el.value.elements[0].value)
                if key is None:
                    return None
                out.add(key)
            else:
                return None
        return out
    return None
