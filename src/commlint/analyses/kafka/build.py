"""Builds the Kafka model of a module once (``kafka(module)``): clients and their configuration, consume loops with the calls that handle and commit each message, produce calls."""

from __future__ import annotations

from collections.abc import Iterator

from ...artifacts import pynodes as cst
from ...artifacts import python as py
from ...artifacts.python import CallSite, PyModule, Scope, dotted, keyword, parameter, positional, string_value
from ..brokers import BROKER_WORDS
from ..index import constructions, find, instance_of
from .topic_names import literal_topics
from .model import (
    CLIENT_NAME,
    COLLECT_METHODS,
    COMMIT_METHODS,
    DECODE_INTO_METHODS,
    DUMPS,
    LOGGER_NAMES,
    PRODUCE_ARGS,
    PRODUCE_METHODS,
    PURE_MODULES,
    PURE_NAMES,
    PURE_PARTS,
    RECEIVE_METHODS,
    ROLES,
    Client,
    Kafka,
    Loop,
    Produce,
    _target_names,
    _Walker,
    classify,
    contains,
    drop_repolls,
    partition_topics,
    persists,
    names_in,
)


def read_mapping(m: PyModule, expr: cst.BaseExpression | None, scope: Scope, k: Kafka | None = None,
                 _depth: int = 0) -> dict[str, cst.BaseExpression] | None:
    """The keys of a dict we can read (literal, ``dict(...)``, a name bound to one, ``{**base}``), else None."""
    if expr is None or _depth > 6:
        return None
    name = expr.value if isinstance(expr, cst.Name) else None
    expr = m.constant(expr, scope)
    out: dict[str, cst.BaseExpression] = {}
    if isinstance(expr, cst.Dict):
        for el in expr.elements:
            if isinstance(el, cst.StarredDictElement):
                inner = read_mapping(m, el.value, scope, k, _depth + 1)
                if inner is None:
                    return None
                out.update(inner)
                continue
            key = string_value(el.key)
            if key is None:
                return None
            out[key] = el.value
    elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "dict" \
            and m.qualname(expr.func) is None:
        for a in expr.args:
            if a.keyword is not None:
                out[a.keyword.value] = a.value
            else:
                inner = read_mapping(m, a.value, scope, k, _depth + 1)
                if inner is None:
                    return None
                out.update(inner)
    else:
        return None
    if name is not None and k is not None:
        # conf["enable.auto.commit"] = False, conf.update({...}) in the scope that built it
        for s in _scopes_up(scope):
            for key, value in k.subscripts.get((id(s), name), ()):
                if key is None:
                    return None
                out[key] = value
            for site in k.calls_by_scope.get(id(s), ()):
                f = site.node.func
                if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == name \
                        and f.attr.value in ("update", "setdefault"):
                    if f.attr.value == "setdefault":
                        key = string_value(site.node.args[0].value) if site.node.args else None
                        if key is None:
                            return None
                        out.setdefault(key, site.node.args[1].value if len(site.node.args) > 1 else cst.Name(cst.NO_RANGE, "None"))
                        continue
                    upd = read_mapping(m, site.node.args[0].value, site.scope, None, _depth + 1) \
                        if site.node.args else {}
                    if upd is None:
                        return None
                    out.update(upd)
    return out


def _scopes_up(scope: Scope) -> Iterator[Scope]:
    s: Scope | None = scope
    while s is not None:
        yield s
        s = s.parent


def _client_config(m: PyModule, k: Kafka, call: cst.Call, scope: Scope, library: str) -> dict | None:
    """Keyword configuration (aiokafka, kafka-python) or the config dict (confluent-kafka)."""
    out: dict[str, cst.BaseExpression] = {}
    first = True
    for arg in call.args:
        if arg.star == "**" or (library == "confluent_kafka" and arg.keyword is None and first and not arg.star) \
                or (arg.keyword is not None and arg.keyword.value in ("conf", "config")):
            inner = read_mapping(m, arg.value, scope, k)
            if inner is None:
                return None
            out.update(inner)
        elif arg.star == "*":
            if library == "confluent_kafka":
                return None  # its configuration may be in there
            continue  # aiokafka's, kafka-python's topics: AIOKafkaConsumer(*TOPICS, group_id=...)
        elif arg.keyword is not None:
            out[arg.keyword.value] = arg.value
        if arg.keyword is None and not arg.star:
            first = False
    return out


class Resolver:
    def __init__(self, m: PyModule, k: Kafka):
        self.m = m
        self.k = k
        self.by_call = {id(c.node): c for c in k.clients if c.node is not None}
        self.guessed: dict[tuple[int, str], Client] = {}

    def client(self, expr: cst.BaseExpression, scope: Scope) -> Client | None:
        """The client an expression holds: built here, annotated as a parameter, or named like one."""
        while isinstance(expr, cst.Await):
            expr = expr.expression
        origin = self.m.origin(expr, scope)
        if origin is not None:
            if origin.call is not None and id(origin.call) in self.by_call:
                return self.by_call[id(origin.call)]
            lib = classify(origin.qualname)
            if lib is None:
                return self.remote(origin.qualname, scope, imported=origin.call is None)
        text = dotted(expr)
        if text is None:
            return None
        key = (id(scope.enclosing_function() or self.m.module_scope), text)
        if key in self.guessed:
            return self.guessed[key]
        found = self._annotated(expr, scope) or self._by_name(text, scope)
        if found is not None:
            self.guessed[key] = found
        return found

    def remote(self, qualname: str, scope: Scope, imported: bool = False) -> Client | None:
        """A client built in another module of the tree: a factory returning one
        (``get_consumer(topic)`` returning ``KafkaConsumer(...)``), or a class holding one
        in an attribute (a consumer wrapper), found through the project index; ``imported``: a
        module-level client of that module (``from .kafka import producer``)."""
        key = (id(self.m.module_scope), f"remote:{imported}:{qualname}")
        if key in self.guessed:
            return self.guessed[key]
        if imported:
            lib = classify(instance_of(self.m, qualname, BROKER_WORDS) or "")
            return Client(lib[1], lib[0], scope) if lib is not None else None
        found = None
        for built in constructions(self.m, qualname, BROKER_WORDS):
            lib = classify(built.qualname)
            if lib is not None:
                found = Client(lib[1], lib[0], scope)
                break
        d = find(self.m, qualname, BROKER_WORDS) if found is None else None
        if d is not None and d.kind == "class" and d.klass is not None:
            for info in d.klass.attrs.values():
                lib = classify(d.summary.resolve(info.callee))
                if lib is not None and lib[1] in ("consumer", "share"):
                    found = Client(lib[1], lib[0], scope)
                    break
        if found is not None:
            self.guessed[key] = found
        return found

    def _annotated(self, expr: cst.BaseExpression, scope: Scope) -> Client | None:
        p = parameter(scope, expr.value) if isinstance(expr, cst.Name) else None
        if p is None or p.annotation is None:
            return None
        ann = p.annotation.annotation
        q = self.m.imports.get(string_value(ann) or "") if isinstance(ann, cst.SimpleString) else self.m.qualname(ann)
        lib = classify(q)
        return Client(lib[1], lib[0], scope) if lib is not None else None

    def _by_name(self, text: str, scope: Scope) -> Client | None:
        if not self.k.imports_kafka:
            return None
        match = CLIENT_NAME.search(text.rsplit(".", 1)[-1].lower())
        return Client(match.group(1), "", scope) if match else None


def _faust_app(r: Resolver, expr: cst.BaseExpression, scope: Scope) -> bool:
    c = r.client(expr, scope)
    return c is not None and c.role == "app"


def _agent_topic(m: PyModule, r: Resolver, fn: Scope) -> cst.Call | None | bool:
    """For a faust agent (``@app.agent(topic)``): the ``app.topic(...)`` call it reads, None, or False if no agent."""
    for dec in fn.decorators:
        d = dec.decorator
        call = d if isinstance(d, cst.Call) else None
        func = call.func if call is not None else d
        if isinstance(func, cst.Attribute) and func.attr.value == "agent" and _faust_app(r, func.value, fn.parent or fn):
            if call is not None and call.args and call.args[0].keyword is None:
                o = m.origin(call.args[0].value, fn.parent or fn)
                return o.call if o is not None and o.call is not None and o.qualname.endswith(".topic") else None
            return None
    return False


def _build(m: PyModule) -> Kafka:
    w = _Walker(m)
    cst.walk(m.tree, w)
    calls_by_scope: dict[int, list[CallSite]] = {}
    for site in m.calls:
        calls_by_scope.setdefault(id(site.scope), []).append(site)
    roots = {q.split(".")[0] for q in m.imports.values()}
    k = Kafka([], [], [], [], w.dicts, w.order, w.loops_of, w.dead_of, w.in_except, w.assigned, w.bindings,
              w.subscripts, w.writes, w.returns, calls_by_scope, bool(roots & set(ROLES)))
    for site in m.calls:
        lib = classify(m.qualname(site.node.func))
        if lib is not None:
            k.clients.append(Client(lib[1], lib[0], site.scope, site.node))
    for c in k.clients:
        if c.role in ("consumer", "share"):
            assert c.node is not None
            c.config = _client_config(m, k, c.node, c.scope, c.library)
            if c.library in ("aiokafka", "kafka"):
                pos = [a.value for a in c.node.args if a.keyword is None and a.star != "**"]  # *TOPICS: a list
                c.topics.extend(literal_topics(m, pos, c.scope))
    r = k.resolver = Resolver(m, k)
    for site in m.calls:
        f = site.node.func
        if not isinstance(f, cst.Attribute):
            continue
        method = f.attr.value
        owner = r.client(f.value, site.scope)
        if owner is not None:
            owner.methods.add(method)
        if method in ("subscribe", "assign"):  # assign([TopicPartition("orders", 0)]): its partitions' topics
            c = r.client(f.value, site.scope)
            if c is not None and c.role in ("consumer", "share"):
                arg = keyword(site.node, "topics") or keyword(site.node, "partitions") or positional(site.node, 0)
                topics = literal_topics(m, partition_topics(m, arg.value, site.scope), site.scope) if arg else []
                c.topics.extend(t for t in topics if not t[0].startswith("^"))
        elif method in RECEIVE_METHODS:
            c = r.client(f.value, site.scope)
            if c is not None and c.role in ("consumer", "share"):
                k.loops.append(_poll_loop(m, k, site, c))
        elif method in PRODUCE_METHODS:
            p = _produce(m, r, site, method)
            if p is not None:
                k.produces.append(p)
    for names, it, scope, loops in w.bindings:  # for msg in consumer / async for msg in consumer
        if not loops or not isinstance(loops[-1], cst.For) or loops[-1].iter is not it:
            continue
        c = (next((c for c in k.clients if c.node is it), None) or _factory_call(m, r, it, scope)) \
            if isinstance(it, cst.Call) else r.client(it, scope)  # KafkaConsumer("logs", ...), a factory's
        if c is not None and c.role in ("consumer", "share"):
            c.methods.add("__iter__")
            k.loops.append(_loop(m, k, "iterate", c, it, loops[-1], scope, None, set(names)))
    # faust agents: @app.agent(topic) async def f(stream): async for event in stream
    for fn in m.scopes:
        if fn.kind != "function" or not fn.decorators:
            continue
        topic_call = _agent_topic(m, r, fn)
        if topic_call is False:
            continue
        agent = Client("consumer", "faust", fn)
        if isinstance(topic_call, cst.Call):
            agent.topics.extend(literal_topics(m, [a.value for a in topic_call.args[:1] if a.keyword is None], fn))
        k.clients.append(agent)
        params = fn.node.params.params if isinstance(fn.node, cst.FunctionDef) else ()
        stream = params[0].name.value if params else None
        for names, it, scope, loops in w.bindings:
            if scope is fn and loops and isinstance(loops[-1], cst.For) and loops[-1].iter is it \
                    and stream is not None and stream in names_in(it):
                k.loops.append(_loop(m, k, "agent", agent, it, loops[-1], fn, None, set(names)))
    guessed = [c for c in r.guessed.values() if c is not None and all(c is not b for b in k.clients)]
    for c in (*k.clients, *guessed):  # (a consumer passed in: ``def run(consumer: AIOKafkaConsumer)``)
        for name, node in c.topics:
            k.topic_literals.append((name, node, "consume"))
    for p in k.produces:
        if p.topic is not None:
            for name, node in literal_topics(m, [p.topic], p.site.scope):
                k.topic_literals.append((name, node, "produce"))
    for site in m.calls:  # faust: app.topic("name")
        f = site.node.func
        if isinstance(f, cst.Attribute) and f.attr.value == "topic" and site.node.args \
                and site.node.args[0].keyword is None and _faust_app(r, f.value, site.scope):
            for name, node in literal_topics(m, [site.node.args[0].value], site.scope):
                if not any(node is n for _, n, _ in k.topic_literals):
                    k.topic_literals.append((name, node, "declare"))
    drop_repolls(k)
    for loop in k.loops:
        _classify_region(m, k, r, loop)
    return k



def _factory_call(m: PyModule, r: Resolver, it: cst.Call, scope: Scope) -> Client | None:
    """``for msg in get_consumer(topic)``: a consumer built by a factory in another module."""
    q = m.qualname(it.func)
    return r.remote(q, scope) if q is not None and classify(q) is None else None


def _poll_loop(m: PyModule, k: Kafka, site: CallSite, c: Client) -> Loop:
    loops = k.loops_of.get(id(site.node), ())
    region: cst.CSTNode | None = loops[-1] if loops else (site.scope.node or m.tree)
    names = set(k.assigned.get(id(site.node), ()))
    if isinstance(region, cst.For) and contains(region.iter, site.node):
        names |= set(_target_names(region.target))  # for msg in consumer.consume(10)
    return _loop(m, k, "poll", c, site.node, region, site.scope, site.node, names)


def _loop(m: PyModule, k: Kafka, kind: str, c: Client | None, anchor: cst.CSTNode, region: cst.CSTNode,
          scope: Scope, receive: cst.Call | None, names: set[str]) -> Loop:
    loop = Loop(kind, c, anchor, region, scope, receive, names)
    in_region = _in_region(k, region, scope)
    loop.calls = sorted((s for s in k.calls_by_scope.get(id(scope), ()) if in_region(s.node)),
                        key=lambda s: k.order.get(id(s.node), 0))
    _derive(k, loop.message, [b for b in k.bindings if b[2] is scope and in_region(b[1], b[3])], loop.calls)
    loop.writes = sum(1 for node, s, loops in k.writes if s is scope and in_region(node, loops)
                      and names_in(node) & loop.message)
    return loop


def _in_region(k: Kafka, region: cst.CSTNode, scope: Scope):
    if isinstance(region, (cst.For, cst.While)):
        return lambda node, loops=None: region in (loops if loops is not None else k.loops_of.get(id(node), ()))
    return lambda node, loops=None: True  # the whole function (calls are already filtered by scope)


def _derive(k: Kafka, names: set[str], bindings, calls: list[CallSite]) -> None:
    """Grow ``names`` with every name bound from them (``data = json.loads(msg.value())``), to a fixpoint."""
    changed = True
    while changed:
        changed = False
        for targets, value, _scope, _loops in bindings:
            if targets and not set(targets) <= names and names_in(value) & names:
                names.update(targets)
                changed = True
        for site in calls:
            f = site.node.func
            if isinstance(f, cst.Attribute) and f.attr.value in COLLECT_METHODS | DECODE_INTO_METHODS \
                    and isinstance(f.value, cst.Name) and f.value.value not in names \
                    and any(names_in(a.value) & names for a in site.node.args):
                names.add(f.value.value)  # batch.append(msg); data.ParseFromString(msg.value) (decoded in place)
                changed = True


def _classify_region(m: PyModule, k: Kafka, r: Resolver, loop: Loop) -> None:
    produce_ids = {id(p.node) for p in k.produces}
    start = k.order.get(id(loop.receive), 0) if loop.receive is not None else 0
    for site in loop.calls:
        call = site.node
        f = call.func
        if call is loop.receive or k.order.get(id(call), 0) < start:
            continue  # before the message arrives: not its handling
        if isinstance(f, cst.Attribute):
            owner = r.client(f.value, site.scope)
            if owner is not None and owner.role in ("consumer", "share"):
                if f.attr.value in COMMIT_METHODS:
                    loop.commits.append(site)
                continue
        if id(call) in produce_ids or persists(call, loop.message):
            loop.handlers.append(site)  # producing the result, or saving a record built from the message
            continue
        if isinstance(f, cst.Attribute) and f.attr.value in COLLECT_METHODS and _shared(m, f.value, site.scope) \
                and any(names_in(a.value) & loop.message for a in call.args):
            loop.handlers.append(site)  # notifications.put_nowait(event): handed to other code of the process
            continue
        if _is_pure(m, call, loop.message, site.scope):
            continue
        if any(names_in(a.value) & loop.message for a in call.args):
            loop.handlers.append(site)


def _is_pure(m: PyModule, call: cst.Call, message: set[str], scope: Scope, _depth: int = 0) -> bool:
    f = call.func
    if isinstance(f, cst.Name) and _pure_name(f.value) and (local := m.function_named(f, scope)) is not None:
        # decode_message(body) of this module, named like decoding: what it does decides
        params = {p.name.value for p in local.node.params.params} if isinstance(local.node, cst.FunctionDef) else set()
        return _depth < 3 and all(_is_pure(m, s.node, params, s.scope, _depth + 1) for s in m.calls if s.scope is local)
    q = m.qualname(f)
    if q is None and isinstance(f, cst.Attribute):
        o = m.origin(f.value, scope)  # admin.list_consumer_group_offsets(...): the Kafka client's own API
        q = o.qualname if o is not None else None
    if q is not None and (q.split(".")[0] in PURE_MODULES or q.split(".")[0] in ROLES):
        return True  # the standard library, logging, serialisers, the Kafka client's own helpers
    last = f.attr.value if isinstance(f, cst.Attribute) else (f.value if isinstance(f, cst.Name) else "")
    if _pure_name(last):
        return True
    if isinstance(f, cst.Attribute):
        base = f.value
        if isinstance(base, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return True  # "...".format(msg)
        if names_in(base) & message:
            return True  # msg.value(), event.dict()
        head = dotted(base) or ""
        if any(LOGGER_NAMES.search(part) for part in head.split(".")):
            return True
    return False


def _shared(m: PyModule, expr: cst.BaseExpression, scope: Scope) -> bool:
    """A collection other code reads (a module-level name, ``self.<attr>``), not a local batch."""
    if isinstance(expr, cst.Attribute):
        return isinstance(expr.value, cst.Name) and expr.value.value == "self"
    if isinstance(expr, cst.Name):
        found = m.binding_scope(expr.value, scope)
        return found is not None and found.kind == "module" and expr.value not in found.opaque
    return False


def _pure_name(name: str) -> bool:
    """A callee named like reading, decoding or logging (``loads``, ``parse_event``, ``log``)."""
    return name in PURE_NAMES or any(p in name.lower() for p in PURE_PARTS) or name.endswith(("Error", "Exception"))


# -- producers --------------------------------------------------------------------------------


def _produce(m: PyModule, r: Resolver, site: CallSite, method: str) -> Produce | None:
    call = site.node
    f = call.func
    assert isinstance(f, cst.Attribute)
    c = r.client(f.value, site.scope)
    topic: cst.BaseExpression | None
    if c is not None and c.role == "producer" and (c.library or len(call.args) >= 2):
        get = {n: (keyword(call, n) or positional(call, i)) for i, n in enumerate(PRODUCE_ARGS)}
        topic = get["topic"].value if get["topic"] is not None else None
    elif c is not None and c.role == "app" and method == "send":  # faust app.send(channel, key, value)
        get = {"topic": positional(call, 0) or keyword(call, "channel"),
               "key": keyword(call, "key") or positional(call, 1), "value": keyword(call, "value") or positional(call, 2)}
        topic = get["topic"].value if get["topic"] is not None else None
    else:
        origin = m.origin(f.value, site.scope)
        faust_topic = origin is not None and origin.call is not None and origin.qualname.endswith(".topic") \
            and isinstance(origin.call.func, cst.Attribute) and _faust_app(r, origin.call.func.value, site.scope)
        agent = is_agent(m, r, f.value, site.scope)
        if not (faust_topic or agent) or method not in ("send", "send_soon"):
            return None
        get = {"key": keyword(call, "key"), "value": keyword(call, "value")}
        topic = origin.call.args[0].value if faust_topic and origin.call.args else None
        c = Client("producer", "faust", site.scope)
    headers = keyword(call, "headers")
    return Produce(
        site, c, topic,
        get["value"].value if get.get("value") is not None else None,
        get["key"].value if get.get("key") is not None else None,
        headers.value if headers is not None else None,
        py.has_star_kwargs(call) or py.has_star_args(call),
        keyword(call, "partition") is not None,
    )


def is_agent(m: PyModule, r: Resolver, expr: cst.BaseExpression, scope: Scope) -> bool:
    if not isinstance(expr, cst.Name):
        return False
    for v in m.lookup(expr.value, scope):
        if isinstance(v, cst.FunctionDef):
            fn = m.scope_of.get(id(v))
            if fn is not None and _agent_topic(m, r, fn) is not False:
                return True
    return False


def kafka(module: PyModule) -> Kafka:
    """Clients, consume loops and produce calls of a module (computed once).

    Building it also leaves the module's literal topics in ``facts.topics``, which
    the module's facts hand to cross-file rules."""

    def build(m: PyModule) -> Kafka:
        k = _build(m)
        m._cache["facts.topics"] = topic_facts(m, k)
        return k

    return module.analysis("events.kafka", build)


def topic_facts(module: PyModule, k: Kafka) -> dict[str, list[dict[str, object]]]:
    """Literal topic names a module ``produces`` to, ``consumes`` from and ``declares`` (faust
    ``app.topic``), each with its line; empty when there are none."""
    out: dict[str, list[dict[str, object]]] = {}
    buckets = {"produce": "produces", "consume": "consumes", "declare": "declares"}
    for name, node, how in k.topic_literals:
        out.setdefault(buckets[how], []).append({"topic": name, "line": module.span(node)[0]})
    by_hand = [f for f in (_hand_serialised(module, p) for p in k.produces) if f]
    if by_hand:
        out["hand_serialised"] = by_hand
    return out


def _hand_serialised(module: PyModule, p: Produce) -> dict[str, object] | None:
    """A produce whose value is serialised in code (``json.dumps(event).encode()``) to a literal
    topic: (topic, line, column, serialiser), for the cross-file check against registered schemas."""
    if p.topic is None or p.value is None:
        return None
    topic = string_value(module.constant(p.topic, p.site.scope))
    expr: cst.BaseExpression | None = p.value
    for _ in range(6):  # through ``.encode()`` and a name bound once
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "encode":
            expr = expr.func.value
            continue
        if isinstance(expr, cst.Name):
            values = module.lookup(expr.value, p.site.scope)
            expr = values[0] if len(values) == 1 and isinstance(values[0], cst.BaseExpression) else None
            continue
        break
    q = module.qualname(expr.func) if isinstance(expr, cst.Call) else None
    if topic is None or q not in DUMPS or q.endswith("asdict"):
        return None
    line, col, _, _ = module.span(p.node)
    return {"topic": topic, "line": line, "column": col, "serialiser": q,
            "function": p.site.scope.qualname if p.site.scope.kind != "module" else ""}
