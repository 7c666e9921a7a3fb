"""Events, producers, consumers and sagas in Python code (CL2xx).

One shared analysis per module, ``kafka(module)``, finds the Kafka clients
(confluent-kafka, aiokafka, kafka-python, faust), resolved through imports and
aliases and followed from where they are built to where they are used: each
consumer's configuration, its consume loops (poll loops, ``for``/``async for``
over a consumer, faust agents) with the calls that handle each message and the
calls that commit it, and every produce call with its topic, key, value and
headers. The checks read it; none re-walks the tree.

Values that cannot be known statically (a config dict passed in, a handler
imported from another module) are not findings; ``--strict`` turns them into
notes where a rule says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from ..artifacts import python as py
from ..artifacts.python import (
    CallSite,
    PyModule,
    Scope,
    dotted,
    keyword,
    positional,
    string_value,
)
from ..artifacts import cstwalk
from ..core.model import Severity
from ..analyses.words import past_tense_problem, split_words, suggest
from . import RuleContext, check

# -- the libraries ---------------------------------------------------------------

# (top-level package, class name) -> role; any import path inside the package counts
ROLES = {
    "confluent_kafka": {
        "Consumer": "consumer", "DeserializingConsumer": "consumer", "AvroConsumer": "consumer",
        "AIOConsumer": "consumer", "ShareConsumer": "share",
        "Producer": "producer", "SerializingProducer": "producer", "AvroProducer": "producer",
        "AIOProducer": "producer",
    },
    "aiokafka": {"AIOKafkaConsumer": "consumer", "AIOKafkaProducer": "producer"},
    "kafka": {"KafkaConsumer": "consumer", "KafkaProducer": "producer"},
    "faust": {"App": "app"},
}
# where each client reads its auto-commit switch, and its default (ON everywhere)
AUTO_COMMIT_KEY = {"confluent_kafka": "enable.auto.commit", "aiokafka": "enable_auto_commit", "kafka": "enable_auto_commit"}
GROUP_KEY = {"confluent_kafka": "group.id", "aiokafka": "group_id", "kafka": "group_id"}
RECEIVE_METHODS = frozenset({"poll", "consume", "getone", "getmany"})
CONSUMING = RECEIVE_METHODS | {"subscribe", "assign", "incremental_assign", "__iter__", "__aiter__", "start"}
COMMIT_METHODS = frozenset({"commit", "commit_async", "store_offsets"})
PRODUCE_METHODS = frozenset({"produce", "send", "send_and_wait", "send_soon"})
# positional order of (topic, value, key) in produce/send
PRODUCE_ARGS = ("topic", "value", "key")

# calls that read, decode or log a message rather than process it
PURE_NAMES = frozenset(
    ["print", "len", "str", "repr", "int", "float", "bool", "bytes", "isinstance", "dict", "list", "tuple", "set", "frozenset", "type", "getattr", "hasattr", "sorted", "enumerate", "range", "zip", "min", "max", "sum", "any", "all", "iter", "next", "format", "id", "hash", "callable", "vars", "decode", "encode", "loads", "dumps", "load", "dump", "items", "keys", "values", "get", "append", "extend", "add", "put", "join", "split", "strip", "lower", "upper", "startswith", "endswith", "replace", "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "write", "flush", "sleep", "create_task", "ensure_future", "gather", "wait", "wait_for", "run_in_executor", "to_thread", "pop", "setdefault", "remove", "discard", "clear", "copy", "count", "index"]
)
PURE_PARTS = ("deserial", "decode", "loads", "parse", "validate", "from_", "unpack", "log", "assert")
PURE_MODULES = frozenset({
    "json", "orjson", "ujson", "simplejson", "logging", "structlog", "sys", "pickle", "struct", "base64",
    "time", "datetime", "uuid", "os", "typing", "asyncio", "msgpack", "fastavro", "avro", "anyio", "trio",
})
LOGGER_NAMES = re.compile(r"(^|_)(log|logger|logging|stderr|stdout|console)$", re.IGNORECASE)
# variables named like a client: consumer, order_consumer, self.kafka_producer, producer_instance
CLIENT_NAME = re.compile(r"(?:^|_)(consumer|producer)(?:_(?:instance|client))?$")
COLLECT_METHODS = frozenset({"append", "extend", "add", "put", "put_nowait", "insert"})

DUMPS = frozenset({"json.dumps", "orjson.dumps", "ujson.dumps", "simplejson.dumps", "msgpack.packb",
                   "msgpack.dumps", "dataclasses.asdict", "attrs.asdict", "attr.asdict"})
SERIALISE_METHODS = frozenset({"encode", "model_dump_json", "model_dump", "json", "dict", "to_json", "to_dict",
                               "dumps", "serialize", "SerializeToString"})
MODEL_BASES = frozenset({"BaseModel", "Record", "NamedTuple", "TypedDict", "Struct", "Model", "Schema"})
TIMEOUT_WRAPPERS = frozenset({"asyncio.wait_for", "asyncio.timeout", "asyncio.timeout_at", "async_timeout.timeout",
                              "anyio.fail_after", "anyio.move_on_after", "trio.fail_after", "trio.move_on_after"})
TPC_METHODS = frozenset({"tpc_begin", "tpc_prepare", "tpc_commit", "tpc_rollback", "tpc_recover",
                         "begin_twophase", "prepare_twophase", "commit_prepared", "rollback_prepared"})
TPC_SQL = re.compile(r"^\s*(XA\s+(START|BEGIN|END|PREPARE|COMMIT|ROLLBACK|RECOVER)\b|PREPARE\s+TRANSACTION\b|"
                     r"(COMMIT|ROLLBACK)\s+PREPARED\b)", re.IGNORECASE)
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)(\.(0|[1-9]\d*))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
TOPIC_SEGMENT = re.compile(r"^[a-z][a-z0-9_-]*$")

JUMPS = (cst.Continue, cst.Break, cst.Return, cst.Raise)

# -- the analysis ------------------------------------------------------------------


@dataclass(eq=False)
class Client:
    """A Kafka client: built here (``node``), or known only by a parameter annotation or its name."""

    role: str  # consumer | share | producer | app
    library: str  # confluent_kafka | aiokafka | kafka | faust | "" (guessed from its name)
    scope: Scope
    node: cst.Call | None = None
    config: dict[str, cst.BaseExpression] | None = None  # None: cannot be read here
    topics: list[tuple[str, cst.CSTNode]] = field(default_factory=list)  # literal topics it subscribes to
    methods: set[str] = field(default_factory=set)  # its methods called in this module ("__iter__": iterated)


@dataclass(eq=False)
class Produce:
    site: CallSite
    client: Client | None
    topic: cst.BaseExpression | None
    value: cst.BaseExpression | None
    key: cst.BaseExpression | None
    headers: cst.BaseExpression | None
    unknown_args: bool  # **kwargs we cannot read
    partition: bool  # an explicit partition is chosen

    @property
    def node(self) -> cst.Call:
        return self.site.node


@dataclass(eq=False)
class Loop:
    """Where each consumed message is handled: a poll loop, an iteration over a consumer, a faust agent."""

    kind: str  # poll | iterate | agent
    client: Client | None
    anchor: cst.CSTNode  # the receive (poll call, iterated consumer or stream): where findings go
    region: cst.CSTNode  # the loop (or function) whose body runs once per message
    scope: Scope
    receive: cst.Call | None
    message: set[str] = field(default_factory=set)  # names holding the message or values derived from it
    handlers: list[CallSite] = field(default_factory=list)  # calls that process the message
    commits: list[CallSite] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)  # every call in the region, in order
    writes: int = 0  # stores of message values into tables, dicts or attributes (``totals[user] += amount``)

    @property
    def effects(self) -> bool:
        """Whether handling a message does anything a duplicate could repeat (not just read, decode, log)."""
        return bool(self.handlers or self.writes)


@dataclass(eq=False)
class Kafka:
    clients: list[Client]
    loops: list[Loop]
    produces: list[Produce]
    topic_literals: list[tuple[str, cst.CSTNode, str]]  # (name, literal node, "produce" | "consume")
    dicts: list[tuple[cst.Dict, Scope]]
    order: dict[int, int]  # id(call or loop node) -> pre-order position
    loops_of: dict[int, tuple[cst.CSTNode, ...]]  # id(call or loop node) -> enclosing loops in its function
    dead: dict[int, tuple[tuple[cst.CSTNode, ...], ...]]  # id(call) -> loops enclosing each jump-ending block around it
    in_except: set[int]
    assigned: dict[int, list[str]]  # id(call) -> names its (awaited) result is assigned to
    bindings: list[tuple[list[str], cst.CSTNode, Scope, tuple[cst.CSTNode, ...]]]
    subscripts: dict[tuple[int, str], list[tuple[str | None, cst.BaseExpression]]]
    writes: list[tuple[cst.CSTNode, Scope, tuple[cst.CSTNode, ...]]]
    returns: dict[int, list[cst.Return]]
    calls_by_scope: dict[int, list[CallSite]]
    imports_kafka: bool
    resolver: _Resolver | None = None


class _Walker(cst.CSTVisitor):
    """One pass for what the index does not keep: order, loops, jump-ending blocks, subscript writes."""

    def __init__(self, m: PyModule):
        self.m = m
        self.scope = m.module_scope
        self.loops: list[list[cst.CSTNode]] = [[]]
        self.dead: list[list[tuple[cst.CSTNode, ...]]] = [[]]
        self.dead_blocks: dict[int, bool] = {}
        self.except_depth = [0]
        self.n = 0
        self.order: dict[int, int] = {}
        self.loops_of: dict[int, tuple[cst.CSTNode, ...]] = {}
        self.dead_of: dict[int, tuple[tuple[cst.CSTNode, ...], ...]] = {}
        self.in_except: set[int] = set()
        self.assigned: dict[int, list[str]] = {}
        self.bindings: list[tuple[list[str], cst.CSTNode, Scope, tuple[cst.CSTNode, ...]]] = []
        self.subscripts: dict[tuple[int, str], list[tuple[str | None, cst.BaseExpression]]] = {}
        self.returns: dict[int, list[cst.Return]] = {}
        self.writes: list[tuple[cst.CSTNode, Scope, tuple[cst.CSTNode, ...]]] = []
        self.dicts: list[tuple[cst.Dict, Scope]] = []

    def _enter(self, node: cst.CSTNode) -> None:
        self.scope = self.m.scope_of.get(id(node), self.scope)
        self.loops.append([])
        self.dead.append([])
        self.except_depth.append(0)

    def _leave(self, node: cst.CSTNode) -> None:
        if self.scope.parent is not None and self.m.scope_of.get(id(node)) is self.scope:
            self.scope = self.scope.parent
        self.loops.pop()
        self.dead.pop()
        self.except_depth.pop()

    # functions, lambdas and classes open a scope of their own
    visit_FunctionDef = visit_Lambda = visit_ClassDef = _enter
    leave_FunctionDef = leave_Lambda = leave_ClassDef = _leave

    def _loop(self, node: cst.CSTNode) -> None:
        self._mark(node)
        self.loops[-1].append(node)

    def _unloop(self, node: cst.CSTNode) -> None:
        self.loops[-1].pop()

    def visit_For(self, node: cst.For) -> None:
        self._loop(node)
        self.bindings.append((_target_names(node.target), node.iter, self.scope, tuple(self.loops[-1])))

    leave_For = _unloop
    visit_While = _loop
    leave_While = _unloop

    def _mark(self, node: cst.CSTNode) -> None:
        self.n += 1
        self.order[id(node)] = self.n
        self.loops_of[id(node)] = tuple(self.loops[-1])

    def visit_Call(self, node: cst.Call) -> None:
        self._mark(node)
        if self.dead[-1]:
            self.dead_of[id(node)] = tuple(self.dead[-1])
        if self.except_depth[-1]:
            self.in_except.add(id(node))

    def visit_If(self, node: cst.If) -> None:
        for block in (node.body, node.orelse.body if isinstance(node.orelse, cst.Else) else None):
            if block is not None and _ends_in_jump(block):
                self.dead_blocks[id(block)] = True

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        if self.dead_blocks.get(id(node)):
            self.dead[-1].append(tuple(self.loops[-1]))

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        if self.dead_blocks.get(id(original_node)):
            self.dead[-1].pop()

    visit_SimpleStatementSuite = visit_IndentedBlock  # type: ignore[assignment]
    leave_SimpleStatementSuite = leave_IndentedBlock  # type: ignore[assignment]

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.except_depth[-1] += 1

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.except_depth[-1] -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        names = [n for t in node.targets for n in _target_names(t.target)]
        self._bound(names, node.value)
        for t in node.targets:
            target = t.target
            if isinstance(target, (cst.Subscript, cst.Attribute)):
                self.writes.append((node, self.scope, tuple(self.loops[-1])))
            if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                sl = target.slice[0].slice if len(target.slice) == 1 else None
                key = string_value(sl.value) if isinstance(sl, cst.Index) else None
                self.subscripts.setdefault((id(self.scope), target.value.value), []).append((key, node.value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bound(_target_names(node.target), node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bound(_target_names(node.target), node.value)
        if isinstance(node.target, (cst.Subscript, cst.Attribute)):
            self.writes.append((node, self.scope, tuple(self.loops[-1])))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bound(_target_names(node.asname.name), node.item)

    def _bound(self, names: list[str], value: cst.BaseExpression) -> None:
        self.bindings.append((names, value, self.scope, tuple(self.loops[-1])))
        inner = value.expression if isinstance(value, cst.Await) else value
        if isinstance(inner, cst.Call) and names:
            self.assigned[id(inner)] = names

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.setdefault(id(self.scope), []).append(node)

    def visit_Dict(self, node: cst.Dict) -> None:
        self.dicts.append((node, self.scope))


def _ends_in_jump(block: cst.BaseSuite) -> bool:
    body = block.body
    if not body:
        return False
    last = body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return bool(last.body) and isinstance(last.body[-1], JUMPS)
    return isinstance(block, cst.SimpleStatementSuite) and isinstance(last, JUMPS)


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for el in target.elements for n in _target_names(el.value)]
    return []


def names_in(node: cst.CSTNode) -> set[str]:
    """Every plain name an expression reads (not attribute names)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            out.add(n.value)
        elif isinstance(n, cst.Attribute):
            stack.append(n.value)
        elif not isinstance(n, (cst.Lambda, cst.FunctionDef)):
            stack.extend(n.children)
    return out


def _contains(node: cst.CSTNode, target: cst.CSTNode) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n is target:
            return True
        stack.extend(n.children)
    return False


# -- clients --------------------------------------------------------------------------------


def classify(qualname: str | None) -> tuple[str, str] | None:
    """(library, role) of a client class's qualified name, or None."""
    if not qualname:
        return None
    root, last = qualname.split(".")[0], qualname.rsplit(".", 1)[-1]
    role = ROLES.get(root, {}).get(last)
    return (root, role) if role else None


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
                        out.setdefault(key, site.node.args[1].value if len(site.node.args) > 1 else cst.Name("None"))
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
            return None
        elif arg.keyword is not None:
            out[arg.keyword.value] = arg.value
        if arg.keyword is None and not arg.star:
            first = False
    return out


def _literal_topics(m: PyModule, exprs: Iterable[cst.BaseExpression], scope: Scope) -> list[tuple[str, cst.CSTNode]]:
    out = []
    for e in exprs:
        v = m.constant(e, scope)
        if isinstance(v, (cst.List, cst.Tuple, cst.Set)):
            out.extend(_literal_topics(m, [el.value for el in v.elements if not isinstance(el, cst.StarredElement)], scope))
            continue
        s = string_value(v)
        if s is not None and v is not None:
            out.append((s, v))
    return out


class _Resolver:
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
                return None
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

    def _annotated(self, expr: cst.BaseExpression, scope: Scope) -> Client | None:
        if not isinstance(expr, cst.Name):
            return None
        fn = scope.enclosing_function()
        if fn is None or not isinstance(fn.node, cst.FunctionDef):
            return None
        params = fn.node.params
        for p in (*params.posonly_params, *params.params, *params.kwonly_params):
            if p.name.value == expr.value and p.annotation is not None:
                ann = p.annotation.annotation
                if isinstance(ann, cst.SimpleString):
                    q = self.m.imports.get(string_value(ann) or "")
                else:
                    q = self.m.qualname(ann)
                lib = classify(q)
                if lib is not None:
                    return Client(lib[1], lib[0], scope)
        return None

    def _by_name(self, text: str, scope: Scope) -> Client | None:
        if not self.k.imports_kafka:
            return None
        match = CLIENT_NAME.search(text.rsplit(".", 1)[-1].lower())
        return Client(match.group(1), "", scope) if match else None


def _faust_app(r: _Resolver, expr: cst.BaseExpression, scope: Scope) -> bool:
    c = r.client(expr, scope)
    return c is not None and c.role == "app"


def _agent_topic(m: PyModule, r: _Resolver, fn: Scope) -> cst.Call | None | bool:
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
    cstwalk.walk(m.tree, w)  # what m.tree.visit(w) does, without rebuilding the tree
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
                pos = [a.value for a in c.node.args if a.keyword is None and not a.star]
                c.topics.extend(_literal_topics(m, pos, c.scope))
    r = k.resolver = _Resolver(m, k)
    for site in m.calls:
        f = site.node.func
        if not isinstance(f, cst.Attribute):
            continue
        method = f.attr.value
        owner = r.client(f.value, site.scope)
        if owner is not None:
            owner.methods.add(method)
        if method == "subscribe":
            c = r.client(f.value, site.scope)
            if c is not None and c.role in ("consumer", "share"):
                arg = keyword(site.node, "topics") or positional(site.node, 0)
                topics = _literal_topics(m, [arg.value], site.scope) if arg is not None else []
                c.topics.extend(t for t in topics if not t[0].startswith("^"))
        elif method in RECEIVE_METHODS:
            c = r.client(f.value, site.scope)
            if c is not None and c.role in ("consumer", "share"):
                k.loops.append(_poll_loop(m, k, site, c))
        elif method in PRODUCE_METHODS:
            p = _produce(m, r, site, method)
            if p is not None:
                k.produces.append(p)
    # for msg in consumer / async for msg in consumer
    for names, it, scope, loops in w.bindings:
        if not loops or not isinstance(loops[-1], cst.For) or loops[-1].iter is not it:
            continue
        c = r.client(it, scope) if not isinstance(it, cst.Call) else None
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
            agent.topics.extend(_literal_topics(m, [a.value for a in topic_call.args[:1] if a.keyword is None], fn))
        k.clients.append(agent)
        params = fn.node.params.params if isinstance(fn.node, cst.FunctionDef) else ()
        stream = params[0].name.value if params else None
        for names, it, scope, loops in w.bindings:
            if scope is fn and loops and isinstance(loops[-1], cst.For) and loops[-1].iter is it \
                    and stream is not None and stream in names_in(it):
                k.loops.append(_loop(m, k, "agent", agent, it, loops[-1], fn, None, set(names)))
    for c in k.clients:
        for name, node in c.topics:
            k.topic_literals.append((name, node, "consume"))
    for p in k.produces:
        if p.topic is not None:
            for name, node in _literal_topics(m, [p.topic], p.site.scope):
                k.topic_literals.append((name, node, "produce"))
    for site in m.calls:  # faust: app.topic("name")
        f = site.node.func
        if isinstance(f, cst.Attribute) and f.attr.value == "topic" and site.node.args \
                and site.node.args[0].keyword is None and _faust_app(r, f.value, site.scope):
            for name, node in _literal_topics(m, [site.node.args[0].value], site.scope):
                if not any(node is n for _, n, _ in k.topic_literals):
                    k.topic_literals.append((name, node, "declare"))
    for loop in k.loops:
        _classify_region(m, k, r, loop)
    return k


def _poll_loop(m: PyModule, k: Kafka, site: CallSite, c: Client) -> Loop:
    loops = k.loops_of.get(id(site.node), ())
    region: cst.CSTNode | None = loops[-1] if loops else (site.scope.node or m.tree)
    names = set(k.assigned.get(id(site.node), ()))
    if isinstance(region, cst.For) and _contains(region.iter, site.node):
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
            if isinstance(f, cst.Attribute) and f.attr.value in COLLECT_METHODS and isinstance(f.value, cst.Name) \
                    and f.value.value not in names and any(names_in(a.value) & names for a in site.node.args):
                names.add(f.value.value)  # batch.append(msg)
                changed = True


def _classify_region(m: PyModule, k: Kafka, r: _Resolver, loop: Loop) -> None:
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
        if id(call) in produce_ids:
            loop.handlers.append(site)  # consume-transform-produce: producing the result is the processing
            continue
        if _is_pure(m, call, loop.message, site.scope):
            continue
        if any(names_in(a.value) & loop.message for a in call.args):
            loop.handlers.append(site)


def _is_pure(m: PyModule, call: cst.Call, message: set[str], scope: Scope) -> bool:
    f = call.func
    q = m.qualname(f)
    if q is None and isinstance(f, cst.Attribute):
        o = m.origin(f.value, scope)  # admin.list_consumer_group_offsets(...): the Kafka client's own API
        q = o.qualname if o is not None else None
    if q is not None and (q.split(".")[0] in PURE_MODULES or q.split(".")[0] in ROLES):
        return True  # the standard library, logging, serialisers, the Kafka client's own helpers
    last = f.attr.value if isinstance(f, cst.Attribute) else (f.value if isinstance(f, cst.Name) else "")
    low = last.lower()
    if last in PURE_NAMES or any(p in low for p in PURE_PARTS) or last.endswith(("Error", "Exception")):
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


# -- producers --------------------------------------------------------------------------------


def _produce(m: PyModule, r: _Resolver, site: CallSite, method: str) -> Produce | None:
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
        agent = _is_agent(m, r, f.value, site.scope)
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


def _is_agent(m: PyModule, r: _Resolver, expr: cst.BaseExpression, scope: Scope) -> bool:
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
    return out


# -- following handlers ---------------------------------------------------------------------


def functions_called(m: PyModule, call: cst.Call, scope: Scope) -> list[Scope] | None:
    """The functions of this module a call runs (``handle(msg)``, ``self.handle(msg)``); None if elsewhere."""
    f = call.func
    while isinstance(f, cst.Call):  # functools.partial-free: handler()(msg)
        f = f.func
    values: list[cst.BaseExpression] = []
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


def reachable(m: PyModule, k: Kafka, loop: Loop, known: frozenset[str] | set[str] = frozenset(),
              depth: int = 3) -> tuple[list[CallSite], list[Scope], bool]:
    """Calls the loop makes, directly and through handlers defined here; the handlers; all resolved?

    A handler defined in another module makes the answer unknown, unless its name is ``known``
    (the idempotency store's and the dead-letter helper's calls)."""
    sites = list(loop.calls)
    seen: list[Scope] = []
    resolved = True
    produced = {id(p.node) for p in k.produces}
    frontier = [(s, 0) for s in loop.handlers if id(s.node) not in produced]
    while frontier:
        site, d = frontier.pop()
        fns = functions_called(m, site.node, site.scope)
        if fns is None:
            if d == 0 and not _library_call(m, k, site) and call_name(site.node) not in known:
                resolved = False
            continue
        for fn in fns:
            if any(fn is s for s in seen) or d >= depth:
                continue
            seen.append(fn)
            inner = k.calls_by_scope.get(id(fn), [])
            sites.extend(inner)
            frontier.extend((s, d + 1) for s in inner if functions_called(m, s.node, s.scope) is not None)
    return sites, seen, resolved


def _library_call(m: PyModule, k: Kafka, site: CallSite) -> bool:
    """A method of an object built from an imported library (``db.execute`` on ``sqlite3.connect()``)
    or of a faust agent (``agent.ask``, ``agent.send``)."""
    f = site.node.func
    if not isinstance(f, cst.Attribute):
        return False
    base: cst.BaseExpression = f.value
    while True:  # app.cache.client.sadd(...): any object along the chain built from a library
        if m.origin(base, site.scope) is not None or (k.resolver is not None and _is_agent(m, k.resolver, base, site.scope)):
            return True
        if not isinstance(base, cst.Attribute):
            return False
        base = base.value


def call_name(call: cst.Call) -> str:
    f = call.func
    if isinstance(f, cst.Attribute):
        return f.attr.value
    return f.value if isinstance(f, cst.Name) else ""


# -- events as values ---------------------------------------------------------------------------


@dataclass
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
                expr = expr.args[0].value
                continue
            if isinstance(f, cst.Attribute) and f.attr.value in SERIALISE_METHODS:
                expr = f.value
                continue
        return expr, name
    return None, name


def event_shape(m: PyModule, k: Kafka, expr: cst.BaseExpression | None, scope: Scope) -> EventShape | None:
    """The fields of an event built here as a dict literal or a model whose fields can be read."""
    value, name = unwrap(m, expr, scope)
    if value is None:
        return None
    if isinstance(value, cst.Dict):
        keys = read_mapping(m, cst.Name(name), scope, k) if name else read_mapping(m, value, scope, k)
        if keys is None:
            return None
        return EventShape(value, {key: m.constant(v, scope) for key, v in keys.items()})
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and m.qualname(value.func) is None:
        fields = model_fields(m, value.func.value)
        if fields is None:
            return None
        for a in value.args:
            if a.keyword is not None:
                fields[a.keyword.value] = m.constant(a.value, scope)
        return EventShape(value, fields, value.func.value)
    return None


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


def strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    """``order.order.created.dlq`` -> ``order.order.created``; ``...retry-1`` too."""
    for _ in range(2):
        for s in suffixes:
            m = re.search(rf"[._-]{re.escape(s)}(-?\d+)?$", name)
            if m:
                name = name[: m.start()]
                break
    return name


def _unique_topics(k: Kafka) -> Iterator[tuple[str, cst.CSTNode]]:
    seen: set[int] = set()
    for name, node, _how in k.topic_literals:
        if id(node) not in seen and not name.startswith(("_", "^")) and "{" not in name:
            seen.add(id(node))
            yield name, node


# -- the checks: consumers --------------------------------------------------------------------------


def _falsy(m: PyModule, expr: cst.BaseExpression, scope: Scope) -> bool | None:
    """True/False for a literal switch (False, "false", 0), None when unknown."""
    v = m.constant(expr, scope)
    if isinstance(v, cst.Name) and v.value in ("True", "False"):
        return v.value == "False"
    if isinstance(v, cst.Integer):
        return v.value == "0"
    s = string_value(v)
    if s is not None and s.lower() in ("true", "false"):
        return s.lower() == "false"
    return None


def _unknown(ctx: RuleContext, node: cst.CSTNode, scope: Scope, message: str) -> None:
    if ctx.settings is not None and getattr(ctx.settings, "strict", False):
        ctx.report(node, message, scope=scope, severity=Severity.NOTE)


@check("CL201")
def auto_commit(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    for c in kafka(m).clients:
        if c.role != "consumer" or c.node is None or c.library not in AUTO_COMMIT_KEY:
            continue
        if c.methods and not c.methods & CONSUMING:
            continue  # built to read metadata (committed offsets, watermarks), never to consume
        if c.config is None:
            _unknown(ctx, c.node, c.scope, "consumer configuration cannot be read here: make sure auto-commit is off.")
            continue
        key = AUTO_COMMIT_KEY[c.library]
        if c.library == "confluent_kafka" and "enable.auto.offset.store" in c.config \
                and _falsy(m, c.config["enable.auto.offset.store"], c.scope):
            continue  # only offsets stored explicitly (after processing) are auto-committed
        if c.library != "confluent_kafka" and GROUP_KEY[c.library] not in c.config:
            continue  # without a group nothing is committed at all
        value = c.config.get(key)
        if value is None:
            ctx.report(c.node, f"consumer leaves `{key}` at its default, which is ON: offsets are committed on a "
                       "timer whether or not the message was processed. Set it to False and commit after processing.",
                       scope=c.scope)
            continue
        off = _falsy(m, value, c.scope)
        if off is False:
            ctx.report(value, f"consumer turns `{key}` on: offsets are committed on a timer whether or not the "
                       "message was processed. Set it to False and commit after processing.", scope=c.scope)
        elif off is None:
            _unknown(ctx, value, c.scope, f"`{key}` is set from a value commlint cannot read: make sure it is False.")


def _dead(k: Kafka, site: CallSite, region: cst.CSTNode) -> bool:
    """Whether a call sits in a branch that jumps away (``if ...: commit(); continue``) inside the region."""
    for loops in k.dead.get(id(site.node), ()):
        if not isinstance(region, (cst.For, cst.While)) or region in loops:
            return True
    return False


@check("CL202")
def commit_before_processing(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    for loop in k.loops:
        if loop.kind == "agent" or not loop.commits:
            continue
        live = [h for h in loop.handlers if not _dead(k, h, loop.region) and id(h.node) not in k.in_except]
        if not live:
            continue
        first = k.order[id(live[0].node)]
        start = k.order.get(id(loop.receive), 0) if loop.receive is not None else 0
        for c in loop.commits:
            pos = k.order[id(c.node)]
            if start < pos < first and not _dead(k, c, loop.region) and id(c.node) not in k.in_except:
                ctx.report(c.node, f"offset committed before the message is processed (`{_code(m, live[0].node)}` "
                           "runs after it): a crash in between loses the message. Commit after processing.",
                           scope=c.scope)


def _code(m: PyModule, node: cst.CSTNode, limit: int = 60) -> str:
    text = " ".join(m.tree.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _mentions(m: PyModule, node: cst.CSTNode, fields: Iterable[str]) -> bool:
    code = m.tree.code_for_node(node)
    return any(f in code for f in fields)


def _keyed(m: PyModule, site: CallSite, fields: list[str]) -> bool:
    """A store call keyed by event_id: an argument mentions it, or is a name bound from it, or is a parameter."""
    for a in site.node.args:
        if _mentions(m, a.value, fields):
            return True
        if isinstance(a.value, cst.Name):
            vals = m.lookup(a.value.value, site.scope)
            if not vals or any(_mentions(m, v, fields) for v in vals):
                return True
    return False


def _idempotency(m: PyModule, k: Kafka, loop: Loop, opts: dict) -> str | None:
    """None when the loop detects duplicates, else what is missing."""
    if loop.kind == "agent" and _faust_exactly_once(m):
        return None
    sites, handlers, _ = reachable(m, k, loop, _known_calls(m, opts))
    if any(call_name(s.node) == "send_offsets_to_transaction" for s in sites):
        return None  # consume-transform-produce in a Kafka transaction: exactly once
    decorators = set(opts.get("idempotent-decorators", []))
    for fn in handlers:
        for dec in fn.decorators:
            d = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
            name = (dotted(d) or "").rsplit(".", 1)[-1]
            if name in decorators or "idempot" in name.lower():
                return None
    fields = list(opts.get("key-fields", ["event_id"]))
    checks = [s for s in sites if call_name(s.node) in set(opts.get("check-functions", []))]
    marks = [s for s in sites if call_name(s.node) in set(opts.get("mark-functions", []))]
    atomic = [s for s in sites if keyword(s.node, "nx") is not None and _keyed(m, s, fields)]
    if atomic:
        return None
    if not checks:
        return "never checks an idempotency store before processing"
    if not any(_keyed(m, s, fields) for s in checks):
        return f"checks `{call_name(checks[0].node)}` but not by {' or '.join(fields)}"
    if not marks:
        return f"checks `{call_name(checks[0].node)}` but never records the event as processed"
    return None


def _known_calls(m: PyModule, opts: dict) -> set[str]:
    return set(opts.get("check-functions", [])) | set(opts.get("mark-functions", []))


def settings_options(ctx: RuleContext, code: str) -> dict:
    """Another rule's options as configured for this run (CL204 knows CL203's store calls)."""
    from ..core.catalogue import load

    meta = load().by_code[code]
    return ctx.settings.options_for(meta) if ctx.settings is not None else dict(meta.options)


def _faust_exactly_once(m: PyModule) -> bool:
    for site in m.calls:
        arg = keyword(site.node, "processing_guarantee")
        if arg is not None and "exactly" in (string_value(m.constant(arg.value, site.scope)) or ""):
            return True
    return False


def _where(loop: Loop) -> str:
    return {"poll": "consumer loop", "iterate": "consumer loop", "agent": "faust agent"}[loop.kind]


@check("CL203")
def no_duplicate_detection(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    for loop in k.loops:
        if not loop.effects:
            continue  # it only reads, decodes or logs the message
        _, _, resolved = reachable(m, k, loop, _known_calls(m, ctx.options))
        if not resolved:
            _unknown(ctx, loop.anchor, loop.scope, f"{_where(loop)} hands messages to code in another module: "
                     "make sure it detects duplicates by event_id.")
            continue
        problem = _idempotency(m, k, loop, ctx.options)
        if problem is not None:
            ctx.report(loop.anchor, f"{_where(loop)} {problem}: a redelivered message is processed twice. Skip "
                       "events whose event_id is already recorded, and record it after processing.", scope=loop.scope)


def _dlq_like(text: str, patterns: Iterable[str]) -> bool:
    low = text.lower()
    return any(p in low for p in patterns)


@check("CL204")
def no_dead_letter(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    patterns = [p.lower() for p in ctx.options.get("dlq-patterns", [])]
    helpers = set(ctx.options.get("dlq-functions", []))
    produce_by_node = {id(p.node): p for p in k.produces}
    idempotency = settings_options(ctx, "CL203")
    known = _known_calls(m, idempotency) | helpers
    for loop in k.loops:
        if not loop.effects:
            continue
        dlq_calls = {call_name(h.node) for h in loop.handlers if _dlq_like(call_name(h.node), patterns)}
        sites, _, resolved = reachable(m, k, loop, known | dlq_calls)
        if not resolved:
            _unknown(ctx, loop.anchor, loop.scope, f"{_where(loop)} hands messages to code in another module: "
                     "make sure failures go to a dead-letter topic.")
            continue
        found = False
        for s in sites:
            name = call_name(s.node)
            if name in helpers or _dlq_like(name, patterns):
                found = True
            p = produce_by_node.get(id(s.node))
            if p is not None and p.topic is not None:
                topic = m.constant(p.topic, s.scope)
                if _dlq_like(string_value(topic) or m.tree.code_for_node(p.topic), patterns):
                    found = True
            if found:
                break
        if not found:
            ctx.report(loop.anchor, f"{_where(loop)} has no dead-letter path: a message that keeps failing "
                       "blocks the partition or is lost. Retry a few times, then produce it to a dead-letter topic.",
                       scope=loop.scope)


# -- the checks: producers ----------------------------------------------------------------------------


@check("CL211")
def missing_envelope_field(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    required = list(ctx.options.get("envelope-fields", []))
    for shape, scope, headers in envelope_candidates(m, k):
        present = set(shape.fields) | headers
        missing = [f for f in required if f not in present]
        if not missing:
            continue
        what = f"event model `{shape.model}`" if shape.model else "event"
        ctx.report(shape.node, f"{what} lacks envelope field{'s' if len(missing) > 1 else ''} "
                   f"{', '.join(missing)}: every event carries {', '.join(required)}.", scope=scope)


def _past_options(opts: dict) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(w.lower() for w in opts.get("past-words", [])), frozenset(w.lower() for w in opts.get("state-words", []))


@check("CL212")
def not_past_tense(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    extra, states = _past_options(ctx.options)
    seen: set[int] = set()
    for expr, scope in field_values(m, k, "event_type"):
        value = m.constant(expr, scope)
        name = string_value(value)
        if name is None or id(value) in seen or not split_words(name):
            continue
        seen.add(id(value))
        problem = past_tense_problem(name, extra, states)
        if problem is not None:
            ctx.report(value, f"event_type {name!r} {problem}: events are facts about what happened "
                       f"(order.created), not commands.{_suggest(name)}", scope=scope)
    suffixes = ctx.options.get("topic-suffixes", [])
    for name, node in _unique_topics(k):
        base = strip_suffix(name, suffixes)
        segments = base.split(".")
        problem = past_tense_problem(segments[-1], extra, states) if segments[-1] else None
        if problem is None or id(node) in seen:
            continue
        if len(segments) < 2 and "command" not in problem:
            continue  # a bare noun like "orders" breaks the naming pattern (CL215), not the tense
        seen.add(id(node))
        ctx.report(node, f"topic {name!r}: {problem}. Name topics after the fact (<domain>.<entity>.<event>, "
                   f"order.order.created).{_suggest(base)}", scope=None)


def _suggest(name: str) -> str:
    s = suggest(name)
    return f" Try {s!r}." if s else ""


@check("CL213")
def event_version_not_semver(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    require_patch = bool(ctx.options.get("require-patch", False))
    seen: set[int] = set()
    for expr, scope in field_values(m, k, "event_version"):
        value = m.constant(expr, scope)
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, (cst.Integer, cst.Float)):
            ctx.report(value, f"event_version is the number {value.value}, not a semantic version string "
                       "such as \"1.0\" or \"1.0.0\".", scope=scope)
            continue
        s = string_value(value)
        if s is None:
            continue
        match = SEMVER.match(s)
        if match is None or (require_patch and match.group(3) is None):
            want = "MAJOR.MINOR.PATCH" if require_patch else "MAJOR.MINOR or MAJOR.MINOR.PATCH"
            ctx.report(value, f"event_version {s!r} is not a semantic version ({want}).", scope=scope)


@check("CL214")
def produce_without_key(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    for p in kafka(m).produces:
        if p.unknown_args or p.partition:
            continue
        if p.key is None or (isinstance(p.key, cst.Name) and p.key.value == "None"):
            ctx.report(p.node, f"`{_code(m, p.node.func)}` sends without a key: messages of one entity land on "
                       "different partitions and lose their order. Key by the entity id (key=order_id).",
                       scope=p.site.scope)


@check("CL215")
def topic_name_pattern(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    segments_wanted = int(ctx.options.get("segments", 3))
    suffixes = ctx.options.get("topic-suffixes", [])
    for name, node in _unique_topics(kafka(m)):
        base = strip_suffix(name, suffixes)
        segments = base.split(".")
        bad = [s for s in segments if not TOPIC_SEGMENT.match(s)]
        if len(segments) == segments_wanted and not bad:
            continue
        why = (f"has {len(segments)} segment{'s' if len(segments) != 1 else ''}, not {segments_wanted}"
               if len(segments) != segments_wanted else f"segment {bad[0]!r} is not lower-case words")
        ctx.report(node, f"topic {name!r} {why}: name topics <domain>.<entity>.<event> "
                   "(order.order.created), dot-separated and lower case.")


# -- the checks: sagas ----------------------------------------------------------------------------------


@dataclass
class Step:
    node: cst.CSTNode
    scope: Scope
    args: dict[str, cst.BaseExpression]  # keyword -> value (dict steps: key -> value)
    positional: int
    unknown: bool


def saga_steps(m: PyModule, opts: dict) -> Iterator[Step]:
    names = set(opts.get("step-calls", []))
    for site in m.calls:
        d = dotted(site.node.func)
        if d is None or d.rsplit(".", 1)[-1] not in names:
            continue
        kw = {a.keyword.value: a.value for a in site.node.args if a.keyword is not None}
        pos = sum(1 for a in site.node.args if a.keyword is None and not a.star)
        yield Step(site.node, site.scope, kw, pos, py.has_star_kwargs(site.node) or py.has_star_args(site.node))
    action_keys = set(opts.get("action-keys", ["action"]))
    lists = set(opts.get("step-lists", ["steps"]))
    for scope in m.scopes:
        for name in lists:
            for value in scope.bindings.get(name, []):
                if isinstance(value, (cst.List, cst.Tuple)):
                    for el in value.elements:
                        keys = read_mapping(m, el.value, scope) if isinstance(el.value, cst.Dict) else None
                        if keys is not None and set(keys) & action_keys:
                            yield Step(el.value, scope, keys, 0, False)


def _given(m: PyModule, step: Step, names: Iterable[str]) -> bool:
    for n in names:
        v = step.args.get(n)
        if v is not None and not (isinstance(m.constant(v, step.scope), cst.Name)
                                  and m.constant(v, step.scope).value == "None"):
            return True
    return False


@check("CL221")
def step_without_compensation(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    index = int(ctx.options.get("compensation-position", 2))
    for step in saga_steps(m, ctx.options):
        if step.unknown or _given(m, step, ctx.options.get("compensation-keywords", [])):
            continue
        if index and step.positional >= index:
            continue
        ctx.report(step.node, "saga step has no compensating action: if a later step fails, what this step did "
                   "cannot be undone. Give it one (compensation=...).", scope=step.scope)


@check("CL222")
def step_without_timeout(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    wrapped: set[int] = set()  # classes (or the module) that run steps under a timeout
    for site in m.calls:
        if m.qualname(site.node.func) in TIMEOUT_WRAPPERS:
            cls = site.scope.enclosing_class()
            wrapped.add(id(cls) if cls is not None else 0)
    for step in saga_steps(m, ctx.options):
        if step.unknown or _given(m, step, ctx.options.get("timeout-keywords", [])):
            continue
        cls = step.scope.enclosing_class()
        if (id(cls) if cls is not None else 0) in wrapped:
            continue
        ctx.report(step.node, "saga step has no timeout: a step that never answers leaves the saga hanging. "
                   "Set one (timeout=...) and escalate to a dead-letter or manual review when it expires.",
                   scope=step.scope)


# -- the checks: pitfalls ---------------------------------------------------------------------------------


@check("CL231")
def request_reply(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    for site in m.calls:
        f = site.node.func
        if isinstance(f, cst.Attribute) and f.attr.value == "ask" and _is_agent(m, k.resolver, f.value, site.scope):
            ctx.report(site.node, "faust `ask` waits for a reply over Kafka: request/reply belongs on REST or gRPC.",
                       scope=site.scope)
    for loop in k.loops:
        if loop.receive is None and loop.kind != "iterate":
            continue
        fn = loop.scope
        rpos = k.order.get(id(loop.receive if loop.receive is not None else loop.region), 0)
        rloops = set(map(id, k.loops_of.get(id(loop.receive), ()) if loop.receive is not None
                         else (*k.loops_of.get(id(loop.region), ()), loop.region)))
        before = [p for p in k.produces if p.site.scope is fn and k.order[id(p.node)] < rpos
                  and not rloops & set(map(id, k.loops_of.get(id(p.node), ())))]
        if not before:
            continue
        names = set(loop.message)
        returned = any(names_in(r.value) & names or (loop.receive is not None and _contains(r.value, loop.receive))
                       for r in k.returns.get(id(fn), []) if r.value is not None)
        reply_to = any("reply" in m.tree.code_for_node(p.node).lower() for p in before)
        if returned or reply_to:
            ctx.report(loop.anchor, f"produces (`{_code(m, before[-1].node.func)}`) and then blocks consuming the "
                       "reply: request/response over Kafka adds latency for no benefit. Use REST or gRPC for "
                       "synchronous calls, Kafka for fire-and-forget events.", scope=fn)


@check("CL232")
def two_phase_commit(ctx: RuleContext) -> None:
    m: PyModule = ctx.artifact
    reported: set[int] = set()
    for site in m.calls:
        call = site.node
        what = None
        name = call_name(call)
        if name in TPC_METHODS:
            what = f"`{name}`"
        elif (tp := keyword(call, "twophase")) is not None and _falsy(m, tp.value, site.scope) is False:
            what = "`twophase=True`"
        elif call.args:
            sql = string_value(m.constant(call.args[0].value, site.scope))
            if sql is not None and TPC_SQL.match(sql):
                what = f"`{sql.split()[0]} {sql.split()[1]}`"
        if what is None or id(site.scope) in reported:
            continue
        reported.add(id(site.scope))
        ctx.report(call, f"two-phase commit ({what}) couples services in one distributed transaction: one slow "
                   "or failed participant blocks all. Use a saga with compensating actions.", scope=site.scope)


# -- what each check examines (for the checklist scorecard) ------------------------------------


def _consumers(ctx: RuleContext) -> int:
    return sum(1 for c in kafka(ctx.artifact).clients if c.role == "consumer")


def _loops(ctx: RuleContext) -> int:
    return len(kafka(ctx.artifact).loops)


def _produces(ctx: RuleContext) -> int:
    return len(kafka(ctx.artifact).produces)


def _topics(ctx: RuleContext) -> int:
    return len(kafka(ctx.artifact).topic_literals)


def _steps(ctx: RuleContext) -> int:
    return sum(1 for _ in saga_steps(ctx.artifact, ctx.options))


SUBJECTS = {
    "CL201": _consumers, "CL202": _loops, "CL203": _loops, "CL204": _loops,
    "CL211": _produces, "CL212": lambda ctx: _produces(ctx) + _topics(ctx), "CL213": _produces,
    "CL214": _produces, "CL215": _topics, "CL221": _steps, "CL222": _steps,
    "CL231": _produces, "CL232": lambda ctx: _produces(ctx) + _loops(ctx),
}
