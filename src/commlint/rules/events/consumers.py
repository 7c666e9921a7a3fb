"""Consumer checks (CL201-CL204): offsets committed after processing, duplicate detection, a dead-letter path."""

from __future__ import annotations

from collections.abc import Iterable

from ...artifacts import pynodes as cst

from ...analyses.messaging import messaging as kafka  # every broker: Kafka, RabbitMQ, SQS, NATS, FastStream
from ...analyses.kafka.flow import call_name, decodes, functions_called, reachable, telemetry_consumer, to_dead_letter
from ...analyses.kafka.model import AUTO_COMMIT_KEY, CONSUMING, GROUP_KEY, Kafka, Loop, names_in
from ...artifacts.python import (
    CallSite,
    PyModule,
    Scope,
    dotted,
    keyword,
    string_value,
)
from ...core.model import Severity
from .. import PythonContext, check

# -- the checks: consumers --------------------------------------------------------------------------


def falsy(m: PyModule, expr: cst.BaseExpression, scope: Scope) -> bool | None:
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


def _unknown(ctx: PythonContext, node: cst.CSTNode, scope: Scope, message: str) -> None:
    if ctx.settings is not None and getattr(ctx.settings, "strict", False):
        ctx.report(node, message, scope=scope, severity=Severity.NOTE)


def consumers(ctx: PythonContext) -> int:
    """Consumers whose acknowledgement mode CL201 judges (an SQS receive has none)."""
    return sum(1 for c in kafka(ctx.artifact).clients if c.role == "consumer" and c.library != "sqs")


def loops(ctx: PythonContext) -> int:
    return len(kafka(ctx.artifact).loops)


def judged_loops(ctx: PythonContext) -> int:
    """Loops whose dead-letter path CL204 can judge here (not a queue whose policy lives elsewhere)."""
    return sum(1 for loop in kafka(ctx.artifact).loops if loop.dead_letter != "external")


BROKER = {"rabbitmq": "RabbitMQ", "sqs": "SQS", "nats": "NATS JetStream", "faststream-kafka": "FastStream Kafka",
          "faststream-rabbitmq": "FastStream RabbitMQ", "faststream-nats": "FastStream NATS",
          "faststream-redis": "FastStream Redis"}
LIBRARY = {"pika": "pika", "aio_pika": "aio-pika", "kombu": "kombu", "nats": "NATS JetStream",
           "faststream-kafka": "FastStream Kafka", "faststream-rabbitmq": "FastStream RabbitMQ",
           "faststream-nats": "FastStream NATS", "faststream-redis": "FastStream Redis"}


def _acked(loop: Loop) -> str:
    """What acknowledging a message is called for the loop's broker."""
    if loop.library in ("", "faststream-kafka"):
        return "offset committed"
    return "message deleted" if loop.library == "sqs" else "message acknowledged"


def _auto_ack(ctx: PythonContext, c) -> None:  # noqa: ANN001
    """A consumer of another broker that acknowledges every message on delivery."""
    what = LIBRARY.get(c.library, c.library)
    ctx.report(c.auto_ack, f"{what} consumer acknowledges each message on delivery ({c.auto_ack_why}), before it "
               "is processed: a crash while handling it loses the message. Acknowledge after processing "
               "(manual ack, or the library's ack-on-success default).", scope=c.scope)


def _only_reads(k: Kafka, c) -> bool:  # noqa: ANN001
    """Every message the consumer receives here is only read, decoded or logged (a console tail, a dashboard):
    acknowledging it on delivery loses nothing a crash could leave half done (as CL203 and CL204 skip such loops)."""
    mine = [loop for loop in k.loops if loop.client is c]
    return bool(mine) and not any(loop.effects or loop.handed_in or _hands_back(loop) for loop in mine)


def _hands_back(loop: Loop) -> bool:
    """The loop returns or yields the message (or a value derived from it) to its caller, which processes it."""
    stack: list[cst.CSTNode] = [loop.region]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.Return, cst.Yield)) and n.value is not None and names_in(n.value) & loop.message:
            return True
        if not isinstance(n, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) or n is loop.region:
            stack.extend(n.children)
    return False


@check("CL201", subjects=consumers)
def auto_commit(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    for c in k.clients:
        if c.role == "consumer" and _only_reads(k, c):
            continue
        if c.role == "consumer" and c.auto_ack is not None:
            _auto_ack(ctx, c)
            continue
        if c.role != "consumer" or c.node is None or c.library not in AUTO_COMMIT_KEY:
            continue
        if c.methods and not c.methods & CONSUMING:
            continue  # built to read metadata (committed offsets, watermarks), never to consume
        if c.config is None:
            _unknown(ctx, c.node, c.scope, "consumer configuration cannot be read here: make sure auto-commit is off.")
            continue
        key = AUTO_COMMIT_KEY[c.library]
        if c.library == "confluent_kafka" and "enable.auto.offset.store" in c.config \
                and falsy(m, c.config["enable.auto.offset.store"], c.scope):
            continue  # only offsets stored explicitly (after processing) are auto-committed
        if c.library != "confluent_kafka" and GROUP_KEY[c.library] not in c.config:
            continue  # without a group nothing is committed at all
        value = c.config.get(key)
        if value is None:
            ctx.report(c.node, f"consumer leaves `{key}` at its default, which is ON: offsets are committed on a "
                       "timer whether or not the message was processed. Set it to False and commit after processing.",
                       scope=c.scope)
            continue
        off = falsy(m, value, c.scope)
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


@check("CL202", subjects=loops)
def commit_before_processing(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    reported: set[int] = set()  # one callback may serve several consumers
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
            if start < pos < first and not _dead(k, c, loop.region) and id(c.node) not in k.in_except \
                    and id(c.node) not in reported:
                reported.add(id(c.node))
                done, verb = _acked(loop), "Commit" if not loop.library else "Acknowledge"
                ctx.report(c.node, f"{done} before the message is processed (`{excerpt(m, live[0].node)}` "
                           f"runs after it): a crash in between loses the message. {verb} after processing.",
                           scope=c.scope)


def excerpt(m: PyModule, node: cst.CSTNode, limit: int = 60) -> str:
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


_SQL_HOUSEKEEPING = frozenset({"commit", "close", "cursor", "rollback"})


def _idempotent_sql(sql: str) -> bool:
    """A statement that turns a duplicate away by itself: an INSERT that ignores a row whose key
    exists (ON CONFLICT DO NOTHING, INSERT OR IGNORE, INSERT IGNORE), a DELETE. An UPDATE or an
    upsert that sets values is not: an older message redelivered after a newer one writes stale data."""
    text = " ".join(sql.split()).upper()
    if text.startswith("DELETE "):
        return True
    return text.startswith("INSERT ") and (("ON CONFLICT" in text and text.rstrip("; ").endswith("DO NOTHING"))
                                           or text.startswith(("INSERT OR IGNORE", "INSERT IGNORE")))


# Whole objects written to (or read from) an object store under a key: writing the same object
# again leaves the store as it was (an S3 image converter, seanscofield/image-converter).
_OBJECT_STORE = frozenset({"upload_file", "upload_fileobj", "put_object", "copy_object", "download_file",
                           "download_fileobj", "get_object", "upload_from_filename", "upload_from_string",
                           "upload_from_file", "download_to_filename", "download_as_bytes"})
# what a local helper may call and still be local work (no store, no broker, no remote call)
_OUTBOUND = ("execute", "insert", "update", "save", "commit", "add", "post", "put", "patch", "delete", "send",
             "publish", "produce", "request", "set", "hset", "incr", "push", "write_api", "create", "upsert")


def _local_work(m: PyModule, name: str) -> bool:
    """A function of this module whose calls do nothing outside the process (decode, convert,
    write a temporary file), judged by the names it calls."""
    fns = [sc for sc in m.scopes if sc.kind == "function" and sc.name == name and sc.parent is not None
           and sc.parent.kind == "module"]
    if len(fns) != 1:
        return False
    for c in m.calls:
        if c.scope is not fns[0]:
            continue
        name = (call_name(c.node) or "").lower()
        if name == "save" and any(a.keyword is None for a in c.node.args):
            continue  # image.save(path), torch.save(obj, path): a file; an ORM's save() takes no path
        if name.startswith(_OUTBOUND):
            return False
    return True


# what a handler may call and still repeat harmlessly: reads, log lines, a context variable set
_READS = frozenset({"select", "exec", "query", "filter", "filter_by", "where", "first", "one", "one_or_none", "all",
                    "get", "find", "find_one", "scalar", "scalars", "scalar_one", "fetchone", "fetchall", "count",
                    "exists", "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print",
                    "loads", "ParseFromString", "decode", "model_validate", "parse_obj", "str", "int", "dict", "len"})
_DELETES = frozenset({"delete", "delete_one", "delete_many", "remove", "find_one_and_delete"})


def _a_delete(name: str) -> bool:
    """``session.delete(row)``, ``collection.delete_many(...)``, ``service.delete_user_resumes(id)``:
    deleting what is already gone leaves the store as it was."""
    return name in _DELETES or name.startswith(("delete_", "remove_"))


def _context_var(site: CallSite) -> bool:
    """``request_id_ctx_var.set(event.request_id)``: a context variable of this task, not a store."""
    f = site.node.func
    if not (isinstance(f, cst.Attribute) and f.attr.value == "set"):
        return False
    owner = (dotted(f.value) or "").rsplit(".", 1)[-1].lower()
    return "ctx" in owner or "context" in owner or owner.endswith("_var")


def _naturally_idempotent(m: PyModule, k: Kafka, loop: Loop) -> bool:
    """Whether everything the loop does to a message turns a duplicate away or repeats harmlessly:
    SQL that turns a duplicate away itself (an INSERT ... ON CONFLICT DO NOTHING keyed by the
    message, a DELETE: the table is the store), deletes by the store's or a service's API, whole
    objects put to an object store, and local work, reads and log lines between them; functions of
    this module it hands the message to are read the same way (a few calls deep)."""
    if loop.writes:
        return False
    statements = 0
    frontier = [(site, 0) for site in loop.handlers]
    seen: list[Scope] = []
    while frontier:
        site, depth = frontier.pop()
        name = call_name(site.node) or ""
        if name in _SQL_HOUSEKEEPING or name in _READS or _context_var(site):
            continue
        if _a_delete(name):
            statements += 1
            continue
        if name in _OBJECT_STORE:
            statements += name.startswith(("upload", "put", "copy"))
            continue
        if name in ("execute", "executemany") and site.node.args:
            sql = string_value(m.constant(site.node.args[0].value, site.scope))
            if sql is None or not _idempotent_sql(sql):
                return False
            statements += 1
            continue
        if isinstance(site.node.func, cst.Name) and _local_work(m, name):
            continue
        fns = functions_called(m, site.node, site.scope) if depth < 3 else None
        if not fns and decodes(m, site):
            continue
        if not fns:
            return False
        for fn in fns:
            if not any(fn is s for s in seen):
                seen.append(fn)
                frontier.extend((s, depth + 1) for s in k.calls_by_scope.get(id(fn), []))
    return statements > 0


def _heartbeats(loop: Loop) -> bool:
    """A consumer of log, heartbeat or metric topics that only keeps what it hears in memory
    (``registered[msg["service_id"]] = time.time()``): a redelivered heartbeat writes the same entry
    again. One that stores records (``Logs(...).save()``) is judged like any other."""
    return not loop.handlers and telemetry_consumer(loop)


def _known_calls(m: PyModule, opts: dict) -> set[str]:
    return set(opts.get("check-functions", [])) | set(opts.get("mark-functions", []))


def _faust_exactly_once(m: PyModule) -> bool:
    for site in m.calls:
        arg = keyword(site.node, "processing_guarantee")
        if arg is not None and "exactly" in (string_value(m.constant(arg.value, site.scope)) or ""):
            return True
    return False


def _where(loop: Loop) -> str:
    where = {"poll": "consumer loop", "iterate": "consumer loop", "agent": "faust agent",
             "callback": "message handler"}[loop.kind]
    return f"{BROKER[loop.library]} {where}" if loop.library in BROKER else where


@check("CL203", subjects=loops)
def no_duplicate_detection(ctx: PythonContext) -> None:
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
        if problem is not None and (_naturally_idempotent(m, k, loop) or _heartbeats(loop)):
            continue
        if problem is not None:
            ctx.report(loop.anchor, f"{_where(loop)} {problem}: a redelivered message is processed twice. Skip "
                       "events whose event_id is already recorded, and record it after processing.", scope=loop.scope)


def _dlq_like(text: str, patterns: Iterable[str]) -> bool:
    low = text.lower()
    return any(p in low for p in patterns)


def _requeue_off(m: PyModule, s: CallSite) -> bool:
    """``basic_nack(requeue=False)``, ``message.reject()``, ``msg.term()``: the message is handed to the
    dead-letter exchange (or advisory) configured on the broker."""
    name = call_name(s.node)
    if name in ("term",):
        return True
    if name not in ("basic_nack", "basic_reject", "nack", "reject"):
        return False
    arg = keyword(s.node, "requeue")
    if arg is None:
        return name == "reject"  # aio-pika, kombu, FastStream: requeue is off by default
    return falsy(m, arg.value, s.scope) is True


def _requeue_on(m: PyModule, s: CallSite) -> bool:
    """``message.nack()``, ``basic_nack(tag)``, ``basic_reject(tag, requeue=True)``: the message goes back on
    the queue, to fail again (pika's and aio-pika's nack requeue by default; a reject does not in aio-pika)."""
    name = call_name(s.node)
    if name not in ("basic_nack", "basic_reject", "nack", "reject"):
        return False
    arg = keyword(s.node, "requeue")
    if arg is None:
        return name in ("basic_nack", "basic_reject", "nack")
    return falsy(m, arg.value, s.scope) is False


def _no_dead_letter_exchange(ctx: PythonContext, m: PyModule, loop: Loop, why: str) -> None:
    """The consumed queue is declared here without a dead-letter setting (``why``: what else is known)."""
    line = m.span(loop.dead_letter_at)[0] if loop.dead_letter_at is not None else None
    what = (f"its queue is passed in, and no queue this module declares (line {line}, ...) has a dead-letter "
            "setting" if loop.queue_passed_in else
            f"its queue (declared at line {line}) has no dead-letter setting" if line else
            "its queue has no dead-letter setting")
    fix = ("set `max_deliver` in its ConsumerConfig and handle the MAX_DELIVERIES advisory"
           if loop.library.endswith("nats") else
           "declare it with `x-dead-letter-exchange` (or a policy) and reject failures with requeue=False")
    ctx.report(loop.anchor, f"{_where(loop)} has no dead-letter path: {what}{' (' + why + ')' if why else ''}, so a "
               f"message that keeps failing is redelivered forever or lost. Retry a few times, then {fix}.",
               scope=loop.scope)


def _calls_parameter(m: PyModule, site: CallSite) -> bool:
    """``callback(message)``, where ``callback`` is a parameter of the calling function."""
    f = site.node.func
    return isinstance(f, cst.Name) and m.is_opaque(f.value, site.scope)


@check("CL204", subjects=judged_loops)
def no_dead_letter(ctx: PythonContext) -> None:
    m: PyModule = ctx.artifact
    k = kafka(m)
    patterns = [p.lower() for p in ctx.options["dlq-patterns"]]
    helpers = set(ctx.options["dlq-functions"])
    produce_by_node = {id(p.node): p for p in k.produces}
    idempotency = ctx.options_of("CL203")
    known = _known_calls(m, idempotency) | helpers
    for loop in k.loops:
        if loop.handed_in and loop.dead_letter == "missing":
            _no_dead_letter_exchange(ctx, m, loop, "the handler is passed in by the caller")
            continue
        if not loop.effects or loop.dead_letter in ("external", "declared"):
            continue
        dlq_calls = {call_name(h.node) for h in loop.handlers if _dlq_like(call_name(h.node), patterns)}
        elsewhere: list[CallSite] = []
        sites, _, resolved = reachable(m, k, loop, known | dlq_calls, unresolved=elsewhere)
        if not resolved and loop.dead_letter == "missing" and all(_calls_parameter(m, s) for s in elsewhere):
            # the code reached elsewhere is the caller's callback: the queue, declared here, still decides
            _no_dead_letter_exchange(ctx, m, loop, "the handler hands messages to a callback passed in by the caller")
            continue
        if not resolved:
            _unknown(ctx, loop.anchor, loop.scope, f"{_where(loop)} hands messages to code in another module: "
                     "make sure failures go to a dead-letter topic.")
            continue
        found = False
        requeued = next((s for s in sites if _requeue_on(m, s)), None) if loop.dead_letter == "missing" else None
        for s in sites:
            name = call_name(s.node)
            if name in helpers or _dlq_like(name, patterns):
                found = True
            p = produce_by_node.get(id(s.node))
            if p is not None and to_dead_letter(m, p, patterns):
                found = True
            if loop.dead_letter == "missing" and requeued is None and _requeue_off(m, s):
                found = True  # rejected without requeue: a policy may dead-letter it
            if found:
                break
        if not found and loop.dead_letter == "missing":
            _no_dead_letter_exchange(ctx, m, loop, "" if requeued is None else
                                     f"and `{excerpt(m, requeued.node, 40)}` at line {m.span(requeued.node)[0]} "
                                     "puts failures back on it")
        elif not found and loop.client is not None and loop.client.auto_ack is not None and loop.library:
            ctx.report(loop.anchor, f"{_where(loop)} has no dead-letter path: with auto-ack on, the broker never "
                       "sees a failure, so a message that fails is lost and no dead-letter exchange can receive it. "
                       "Acknowledge after processing and reject failures (requeue=False) to a dead-letter exchange.",
                       scope=loop.scope)
        elif not found:
            ctx.report(loop.anchor, f"{_where(loop)} has no dead-letter path: a message that keeps failing "
                       "blocks the partition or is lost. Retry a few times, then produce it to a dead-letter topic.",
                       scope=loop.scope)


# -- what each check examines (for the checklist scorecard) ------------------------------------


