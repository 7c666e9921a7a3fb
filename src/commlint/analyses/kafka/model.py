"""The Kafka client libraries commlint knows and the model of one module's Kafka use: clients, produce calls, consume loops."""

from __future__ import annotations

import re
from ...core.records import field, record
from typing import Any

from ...artifacts import pynodes as cst

from ...artifacts.python import (
    CallSite,
    PyModule,
    Scope,
    dotted,
    string_value,
)

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
DECODE_INTO_METHODS = frozenset({"ParseFromString", "MergeFromString", "MergeFrom", "CopyFrom"})  # protobuf, in place

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

JUMPS = (cst.Continue, cst.Break, cst.Return, cst.Raise)

# -- the analysis ------------------------------------------------------------------


@record(eq=False)
class Client:
    """A Kafka client: built here (``node``), or known only by a parameter annotation or its name."""

    role: str  # consumer | share | producer | app
    library: str  # confluent_kafka | aiokafka | kafka | faust | "" (guessed from its name)
    scope: Scope
    node: cst.Call | None = None
    config: dict[str, cst.BaseExpression] | None = None  # None: cannot be read here
    topics: list[tuple[str, cst.CSTNode]] = field(default_factory=list)  # literal topics it subscribes to
    methods: set[str] = field(default_factory=set)  # its methods called in this module ("__iter__": iterated)
    # other brokers (analyses.messaging): where the consumer acknowledges each message on delivery
    # (pika ``auto_ack=True``, FastStream's Kafka default), and what to tell the user about it
    auto_ack: cst.CSTNode | None = None
    auto_ack_why: str = ""


@record(eq=False)
class Produce:
    site: CallSite
    client: Client | None
    topic: cst.BaseExpression | None
    value: cst.BaseExpression | None
    key: cst.BaseExpression | None
    headers: cst.BaseExpression | None
    unknown_args: bool  # **kwargs we cannot read
    partition: bool  # an explicit partition is chosen
    keyed: bool = True  # the destination orders messages by key (Kafka; a FIFO queue's MessageGroupId)
    events_only: bool = False  # a queue payload: checked as an event only when it carries envelope fields
    destinations: tuple[cst.BaseExpression, ...] = ()  # other names it goes to (a RabbitMQ exchange)
    via: "Produce | None" = None  # a call of a helper of the module: the send in the helper it reaches

    @property
    def node(self) -> cst.Call:
        return self.site.node


@record(eq=False)
class Loop:
    """Where each consumed message is handled: a poll loop, an iteration over a consumer, a faust agent."""

    kind: str  # poll | iterate | agent | callback (a function the library calls with each message)
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
    # other brokers (analyses.messaging): acknowledgements are ``commits``; these are the rest
    library: str = ""  # rabbitmq | sqs | nats | faststream-kafka ... ("" for the Kafka clients)
    nacks: list[CallSite] = field(default_factory=list)  # nack, reject, term: give the message back
    dead_letter: str | None = None  # None: look for a dead-letter path in code (Kafka); "declared" |
    # "missing" (the queue is declared here without one) | "external" (configured elsewhere: not judged)
    dead_letter_at: cst.CSTNode | None = None  # the declaration without a dead-letter setting
    queue_passed_in: bool = False  # the queue is a parameter; every queue the module declares lacks a dead letter
    handed_in: bool = False  # the handler is a parameter (a consume wrapper's callback): its code is the caller's

    @property
    def effects(self) -> bool:
        """Whether handling a message does anything a duplicate could repeat (not just read, decode, log)."""
        return bool(self.handlers or self.writes)


@record(eq=False)
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
    resolver: Any = None  # build.Resolver, made with the model


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


def contains(node: cst.CSTNode, target: cst.CSTNode) -> bool:
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


def drop_repolls(k: Kafka) -> None:
    """``msg = c.poll(); while msg: ...; msg = c.poll()``: the poll at the end of the loop fetches the
    next message of the same consumption, not a second consume loop."""
    polls = [lp for lp in k.loops if lp.kind == "poll" and lp.client is not None]
    inner = {id(b) for a in polls for b in polls
             if a is not b and a.client is b.client and a.scope is b.scope and a.message & b.message
             and b.region is not a.region and contains(a.region, b.anchor) and not contains(b.region, a.anchor)}
    if inner:
        k.loops[:] = [lp for lp in k.loops if id(lp) not in inner]


PERSIST_METHODS = frozenset({"save", "insert", "upsert", "put", "create", "update", "delete"})


def persists(call: cst.Call, message: set[str]) -> bool:
    """``record.save()`` on a record built from the message (``Logs(msg=log["msg"]).save()``, an ORM
    model): the message is written to a store, so duplicates and failures matter."""
    f = call.func
    return isinstance(f, cst.Attribute) and f.attr.value in PERSIST_METHODS and bool(names_in(f.value) & message)


def partition_topics(m: Any, expr: cst.BaseExpression, scope: Any) -> list[cst.BaseExpression]:
    """The topics of ``assign([TopicPartition("orders", 0, offset)])``'s partitions (else the expression)."""
    value = m.constant(expr, scope)
    if isinstance(value, (cst.List, cst.Tuple)) and value.elements and all(
            isinstance(el.value, cst.Call) and (dotted(el.value.func) or "").endswith("TopicPartition") and el.value.args
            for el in value.elements):
        return [el.value.args[0].value for el in value.elements]
    return [expr]
