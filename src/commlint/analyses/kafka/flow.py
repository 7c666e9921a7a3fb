"""Following a consumed message into its handlers; what a produce sends (events passed on, telemetry, sensor
readings, envelope candidates; payload shapes are ``shapes.py``), topic names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...artifacts import pynodes as cst

from ...artifacts.python import (
    CallSite,
    PyModule,
    Scope,
    dotted,
    keyword,
    string_value,
)
from ..naming import is_dead_letter
from .build import is_agent
from .model import DUMPS, MODEL_BASES, Kafka, Loop, names_in
from .shapes import EventShape, event_shape, header_keys

# -- following handlers ---------------------------------------------------------------------


def functions_called(m: PyModule, call: cst.Call, scope: Scope) -> list[Scope] | None:
    """The functions of this module a call runs (``handle(msg)``, ``self.handle(msg)``); None if elsewhere."""
    f = call.func
    while isinstance(f, cst.Call):  # functools.partial-free: handler()(msg)
        f = f.func
    values: list[cst.BaseExpression] = []
    table = _dispatched(m, f, scope)
    if table is not None:  # HANDLERS[event["type"]](event), or a handler taken from HANDLERS.get(...)
        fns = [fn for entry in table for fn in (m.function_named(entry, scope),) if fn is not None]
        return fns if len(fns) == len(table) else None
    if isinstance(f, cst.Name) and f.value in m.classes and not m.lookup(f.value, scope):
        init = m.classes[f.value].bindings.get("__init__", [])  # a class of this module: its __init__ runs
        return [m.scope_of[id(v)] for v in init if id(v) in m.scope_of]
    if isinstance(f, cst.Name):
        values = m.lookup(f.value, scope)
    elif isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value in ("self", "cls"):
        cls = scope.enclosing_class()
        values = cls.bindings.get(f.attr.value, []) if cls is not None else []
    elif isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name):
        # state = LocalState(); state.add(msg): a method of a class defined here
        for v in m.lookup(f.value.value, scope):
            if isinstance(v, cst.Call) and isinstance(v.func, cst.Name) and v.func.value in m.classes \
                    and m.qualname(v.func) is None:
                values = m.classes[v.func.value].bindings.get(f.attr.value, [])
    fns = [m.scope_of[id(v)] for v in values if isinstance(v, cst.FunctionDef) and id(v) in m.scope_of]
    return fns or None


def _bound(m: PyModule, expr: cst.BaseExpression, scope: Scope) -> list[cst.BaseExpression] | None:
    """What a name or ``self.<attr>`` is bound to in this module (None: neither)."""
    if isinstance(expr, cst.Name):
        return None if m.is_opaque(expr.value, scope) else m.lookup(expr.value, scope)
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
        cls = scope.enclosing_class()
        return cls.attributes.get(expr.attr.value, []) if cls is not None else None
    return None


def _dispatched(m: PyModule, f: cst.BaseExpression, scope: Scope) -> list[cst.BaseExpression] | None:
    """The entries of the dispatch table a called expression picks from: ``TABLE[key]``, or a name
    bound only to ``TABLE[key]`` / ``TABLE.get(key)``, where TABLE (a name or ``self.<attr>``) is bound
    only to dict literals of this module, with the items stored into it later
    (``TABLE["order.created"] = handle``); None otherwise."""
    picks: list[cst.BaseExpression] = [f]
    position = None  # model, handler = TABLE[key]: the handler is each entry's second item
    if isinstance(f, cst.Name):
        picks = [p for p in _bound(m, f, scope) or [] if not (isinstance(p, cst.Name) and p.value == "None")]
        if len(picks) == 1 and isinstance(picks[0], cst.Name):  # handler = h, h from a loop over the table
            f = picks[0]
            picks = []
        if not picks:
            position, picks = _unpacked(m, f.value, scope)
    tables = []
    for pick in picks:
        if isinstance(pick, cst.Subscript):
            tables.append(pick.value)
        elif isinstance(pick, cst.Call) and isinstance(pick.func, cst.Attribute) and pick.func.attr.value in ("get", "values", "items"):
            tables.append(pick.func.value)
        else:
            return None
    keys = {m.tree.code_for_node(t) for t in tables}
    if not tables or len(keys) != 1:
        return None
    bound = _bound(m, tables[0], scope)
    if not bound or not all(isinstance(v, cst.Dict) for v in bound):
        return None
    entries: list[cst.BaseExpression] = []
    for d in bound:
        for el in d.elements:
            if not isinstance(el, cst.DictElement):
                return None  # **other: entries we cannot list
            entries.append(el.value)
    ids = [id(v) for v in bound]
    for store in m.stores:
        t = store.target
        if isinstance(t, cst.Subscript) and m.tree.code_for_node(t.value) in keys \
                and [id(v) for v in _bound(m, t.value, store.scope) or []] == ids:
            entries.append(store.value)
    if position is not None:
        items = [e.elements[position].value for e in entries
                 if isinstance(e, (cst.Tuple, cst.List)) and len(e.elements) > position
                 and not any(isinstance(el, cst.StarredElement) for el in e.elements)]
        return items if len(items) == len(entries) and items else None
    return entries or None


def _unpacked(m: PyModule, name: str, scope: Scope) -> tuple[int | None, list[cst.BaseExpression]]:
    """Where a handler name comes from a table, in the function ``scope`` is in: ``model, handler =
    TABLE[key]`` (its position in each entry, and ``TABLE[key]``), ``for key, handler in
    TABLE.items()`` or ``for handler in TABLE.values()`` (each entry itself: no position); bound so
    once. (None, []) otherwise."""
    def names(target: cst.BaseExpression) -> list[str | None]:
        if isinstance(target, cst.Name):
            return [target.value]
        if isinstance(target, (cst.Tuple, cst.List)):
            return [el.value.value if isinstance(el.value, cst.Name) and not isinstance(el, cst.StarredElement) else None
                    for el in target.elements]
        return []

    fn = scope.enclosing_function()
    found: list[tuple[int | None, cst.BaseExpression]] = []
    for node in cst.iter_nodes(fn.node) if fn is not None and fn.node is not None else ():
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, (cst.Tuple, cst.List)):
            bound = names(node.targets[0].target)
            if name in bound:
                found.append((bound.index(name), node.value))
        elif isinstance(node, cst.For) and isinstance(node.iter, cst.Call) and isinstance(node.iter.func, cst.Attribute):
            bound, method = names(node.target), node.iter.func.attr.value
            if (method == "items" and bound[1:2] == [name] and len(bound) == 2) or (method == "values" and bound == [name]):
                found.append((None, node.iter))
    return (found[0][0], [found[0][1]]) if len(found) == 1 else (None, [])


def reachable(m: PyModule, k: Kafka, loop: Loop, known: frozenset[str] | set[str] = frozenset(),
              depth: int = 3, unresolved: list[CallSite] | None = None) -> tuple[list[CallSite], list[Scope], bool]:
    """Calls the loop makes, directly and through handlers defined here; the handlers; all resolved?

    A handler defined in another module makes the answer unknown, unless its name is ``known``
    (the idempotency store's and the dead-letter helper's calls); ``unresolved`` collects those calls."""
    sites = list(loop.calls)
    seen: list[Scope] = []
    resolved = True
    produced = {id(p.node) for p in k.produces}
    frontier = [(s, 0) for s in loop.handlers if id(s.node) not in produced]
    while frontier:
        site, d = frontier.pop()
        fns = functions_called(m, site.node, site.scope)
        if fns is None:
            if d == 0 and not _library_call(m, k, site) and call_name(site.node) not in known \
                    and not decodes(m, site) and not _store_call(site):
                resolved = False
                if unresolved is not None:
                    unresolved.append(site)
            continue
        for fn in fns:
            if any(fn is s for s in seen) or d >= depth:
                continue
            seen.append(fn)
            inner = k.calls_by_scope.get(id(fn), [])
            sites.extend(inner)
            frontier.extend((s, d + 1) for s in inner if functions_called(m, s.node, s.scope) is not None)
    return sites, seen, resolved


# a data store driver's own methods (pymongo, DB-API cursors, redis): called on an object of the tree's
# wrapper (``db = MongoDBClient(Config).db; db.orders.insert_one(doc)``), they are the store's work, not a
# hand-off of the message to code that may hide a dead-letter path or a duplicate check
STORE_METHODS = frozenset({
    "find", "find_one", "insert_one", "insert_many", "update_one", "update_many", "replace_one", "delete_one",
    "delete_many", "find_one_and_update", "find_one_and_replace", "find_one_and_delete", "count_documents",
    "aggregate", "bulk_write", "execute", "executemany", "fetchone", "fetchall", "fetchmany",
    "setex", "setnx", "hset", "hget", "hsetnx", "sadd", "sismember", "hincrby", "expire", "save",
})


def _store_call(site: CallSite) -> bool:
    """``db.orders.insert_one(...)``: a store driver's method on an attribute chain (a collection)."""
    f = site.node.func
    return isinstance(f, cst.Attribute) and f.attr.value in STORE_METHODS and isinstance(f.value, (cst.Attribute, cst.Name))


def decodes(m: PyModule, site: CallSite) -> bool:
    """A construction of a data model of the tree (``OrderEvent(**payload)``, ``model(**data)`` with
    ``model, handler = HANDLERS[topic]``): a pydantic model, record or named tuple class decodes the
    message; it hands it to no other code."""
    from ..index import find

    f = site.node.func
    picked = _dispatched(m, f, site.scope) if isinstance(f, cst.Name) else None
    classes = picked if picked is not None else [f]
    for c in classes:
        q = m.qualname(c) if isinstance(c, (cst.Name, cst.Attribute)) else None
        d = find(m, q) if q is not None else None
        if d is None or d.klass is None or not any(b.rsplit(".", 1)[-1] in MODEL_BASES for b in d.klass.bases):
            return False
    return bool(classes)


def _library_call(m: PyModule, k: Kafka, site: CallSite) -> bool:
    """A method of an object built from an imported library (``db.execute`` on ``sqlite3.connect()``)
    or of a faust agent (``agent.ask``, ``agent.send``)."""
    f = site.node.func
    if not isinstance(f, cst.Attribute):
        return False
    base: cst.BaseExpression = f.value
    while True:  # app.cache.client.sadd(...): any object along the chain built from a library
        if m.origin(base, site.scope) is not None or (k.resolver is not None and is_agent(m, k.resolver, base, site.scope)):
            return True
        if not isinstance(base, cst.Attribute):
            return False
        base = base.value


def call_name(call: cst.Call) -> str:
    f = call.func
    if isinstance(f, cst.Attribute):
        return f.attr.value
    return f.value if isinstance(f, cst.Name) else ""


_TELEMETRY = re.compile(r"(?:^|[^a-z])(?:logs?|logging|heartbeats?|metrics?|telemetry)(?:[^a-z]|$)", re.I)


def telemetry(m: PyModule, p: Any) -> bool:
    """Whether a produce ships log records, heartbeats or metrics rather than events: its topic's
    name, or the constant or environment variable it is read from, says so (``"logs"``,
    ``log_topic = os.getenv("KAFKA_LOG_TOPIC")``, ``HEARTBEAT_TOPIC``). Such a stream has no
    envelope to carry and no entity to key by."""
    topic = p.topic
    if topic is None:
        return False
    words: list[str] = []
    values: list[cst.BaseExpression] = [topic]
    if isinstance(topic, cst.Name):
        words.append(topic.value)
        values += m.lookup(topic.value, p.site.scope)[-1:]
    for v in values:
        name = dotted(v) if isinstance(v, cst.Attribute) else None
        words += [w for w in (string_value(m.constant(v, p.site.scope)), name) if w]
        if isinstance(v, cst.Call):  # os.getenv("KAFKA_LOG_TOPIC", "logs")
            words += [w for a in v.args if (w := string_value(a.value))]
    return any(_TELEMETRY.search(w) for w in words)


def telemetry_consumer(loop: Any) -> bool:
    """Whether every topic a loop's consumer subscribes to is named for logs, heartbeats or metrics
    (``KafkaConsumer("logs")``): a redelivered heartbeat says again what the first said."""
    topics = loop.client.topics if loop.client is not None else []
    return bool(topics) and all(_TELEMETRY.search(name) for name, _ in topics)


def passed_on(m: PyModule, k: Kafka, p: Any) -> str | None:
    """The name of the consumed message when a produce publishes it again as its payload (decoded,
    perhaps enriched, re-encoded): in the loop that receives it, or in a function of this module the
    loop hands it to (``await add_cheese(key, pizza)`` -> ``send(..., value=json.dumps(pizza))``)."""
    name = _payload_name(m, p.value)
    if name is None:
        return None
    for loop in k.loops:
        if p.site.scope is loop.scope and name in loop.message and (loop.region is loop.scope.node or any(
                r is loop.region for r in k.loops_of.get(id(p.node), ()))):
            return name
        for h in loop.handlers:
            for fn in functions_called(m, h.node, h.scope) or ():
                if fn is p.site.scope and _param_gets_message(m, k, h, fn, name, loop.message):
                    return name
    return None


def _payload_name(m: PyModule, value: cst.BaseExpression | None) -> str | None:
    """``pizza`` in ``json.dumps(pizza).encode("utf-8")``, ``pizza`` itself: a payload that is one name."""
    while value is not None:
        if isinstance(value, cst.Name):
            return value.value
        if not isinstance(value, cst.Call):
            return None
        f = value.func
        if isinstance(f, cst.Attribute) and f.attr.value == "encode":
            value = f.value
        elif (m.qualname(f) or dotted(f)) in DUMPS and value.args:
            value = value.args[0].value
        else:
            return None
    return None


def _param_gets_message(m: PyModule, k: Kafka, site: CallSite, fn: Scope, name: str, message: set[str]) -> bool:
    """The handler's parameter ``name`` is given a value derived from the message, not a new event built
    around it (``{"id_transacao": ..., "pedido": message}``), and is not rebound."""
    call, node = site.node, fn.node
    if not isinstance(node, cst.FunctionDef) or fn.bindings.get(name):
        return False
    params = [q.name.value for q in node.params.params]
    if params[:1] in (["self"], ["cls"]) and isinstance(call.func, cst.Attribute):
        params = params[1:]
    for i, a in enumerate(call.args):
        target = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) and not a.star else None)
        if target == name and names_in(a.value) & message:
            return event_shape(m, k, a.value, site.scope) is None
    return False


_DRAWN = ("random.", "numpy.random.", "cv2.", "PIL.")


def reading(m: PyModule, k: Kafka, p: Any) -> bool:
    """Whether a produce ships a bare reading: a number drawn at random or the bytes of an image or video
    frame (``producer.send("S_1", value=random.uniform(2, 5))``, ``buffer.tobytes()`` after ``cv2.imencode``),
    what a simulated sensor or camera sends. Nothing in it names an entity to key by. A dict or a record
    built on the way (``{"order_id": random.randint(...)}``, ``Order(...)``) may, and is not a reading."""
    todo: list[tuple[cst.CSTNode | None, Scope, int]] = [(p.value, p.site.scope, 0)]
    seen: set[int] = set()
    drawn = False
    while todo:
        expr, scope, depth = todo.pop()
        if expr is None or id(expr) in seen or depth > 6:
            continue
        seen.add(id(expr))
        nodes = [expr]
        while nodes:
            n = nodes.pop()
            if isinstance(n, (cst.Dict, cst.DictComp)):
                return False
            if isinstance(n, cst.Call):
                name = m.qualname(n.func) or dotted(n.func) or ""
                if name.startswith(_DRAWN) or name in ("random", "cv2"):
                    drawn = True
                    if name.rpartition(".")[2] in ("choice", "choices", "sample") and n.args:
                        nodes.append(n.args[0].value)  # picked from a population: the population is the payload
                    continue  # what else a draw is given (a range, a size) is not
                if name.startswith("numpy."):
                    continue  # an array of numbers (``np.arange(low, high)``)
                if name.rpartition(".")[2][:1].isupper():
                    return False  # a record or model: its fields may name the entity
                found = m.returns(n.func, scope)
                todo += [(v, found[1], depth + 1) for v in found[0]] if found else []
                nodes += n.children
            elif isinstance(n, cst.Name):
                where = m.binding_scope(n.value, scope)
                if where is None:
                    continue
                todo += [(v, where, depth + 1) for v in where.bindings.get(n.value, [])
                         if not isinstance(v, (cst.FunctionDef, cst.ClassDef))]  # a callee: read by its returns
                todo += [(v, where, depth + 1) for names, v, s, _ in k.bindings if s is where and n.value in names]
            elif not isinstance(n, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
                nodes += n.children
    return drawn


def envelope_candidates(m: PyModule, k: Kafka) -> Iterator[tuple[EventShape, Scope, set[str]]]:
    """Produced events we can read, and dicts shaped like an envelope with data (once each)."""
    seen: set[int] = set()
    for p in k.produces:
        shape = event_shape(m, k, p.value, p.site.scope)
        headers = header_keys(m, p.headers, p.site.scope)
        if shape is not None and headers is not None and id(shape.node) not in seen:
            seen.add(id(shape.node))
            yield shape, p.site.scope, headers
    for d, scope in k.dicts:
        if id(d) in seen:
            continue
        keys = {string_value(el.key) for el in d.elements if isinstance(el, cst.DictElement)}
        if "event_type" in keys and keys & {"data", "payload"}:
            shape = event_shape(m, k, d, scope)
            if shape is not None:
                seen.add(id(d))
                yield shape, scope, set()


def field_values(m: PyModule, k: Kafka, name: str) -> Iterator[tuple[cst.BaseExpression, Scope]]:
    """Literal values given to an envelope field anywhere: dict keys, keyword arguments, class defaults."""
    for d, scope in k.dicts:
        for el in d.elements:
            if isinstance(el, cst.DictElement) and string_value(el.key) == name:
                yield el.value, scope
    for site in m.calls:
        arg = keyword(site.node, name)
        if arg is not None:
            yield arg.value, site.scope
    for cls in m.classes.values():
        if isinstance(cls.node, cst.ClassDef):
            for stmt in cls.node.body.body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for s in stmt.body:
                        if isinstance(s, (cst.AnnAssign, cst.Assign)) and s.value is not None:
                            targets = [s.target] if isinstance(s, cst.AnnAssign) else [t.target for t in s.targets]
                            if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                                yield s.value, cls


# -- topic names --------------------------------------------------------------------------------


def unique_topics(k: Kafka) -> Iterator[tuple[str, cst.CSTNode]]:
    seen: set[int] = set()
    for name, node, _how in k.topic_literals:
        if id(node) not in seen and not name.startswith(("_", "^")) and "{" not in name:
            seen.add(id(node))
            yield name, node


def to_dead_letter(m: PyModule, p: Any, patterns: list[str]) -> bool:
    """Whether a publish goes to a dead-letter destination: a topic (or exchange) named by the DLQ
    convention (``orders.order.created.dlq``), or whose name or expression matches CL204's
    ``dlq-patterns`` (``settings.KAFKA_DLQ_TOPIC``)."""
    for dest in (p.topic, *p.destinations):
        if dest is None:
            continue
        name = string_value(m.constant(dest, p.site.scope))
        if (name is not None and is_dead_letter(name)) or any(d in (name or m.tree.code_for_node(dest)).lower()
                                                             for d in patterns):
            return True
    return False
