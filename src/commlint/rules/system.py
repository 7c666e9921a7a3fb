"""Checks across files and services (CL7xx): the system view.

Each file's facts (``Artifact.facts()``; cached with its findings) are joined
into one model: services (``commlint.analyses.services``), the routes and gRPC methods
they serve, the synchronous calls their handlers make, their contracts and
their topics. No file is parsed again here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.model import Location, Severity
from ..analyses.services import ServiceMap
from . import RuleContext, check

FACT_KINDS = ("python", "openapi", "proto", "topics", "avro")
# A Python file is parsed for these facts only if it contains one of these.
FACT_TRIGGERS = {
    "python": ["fastapi", "flask", "aiohttp", "starlette", "grpc", "requests", "httpx", "urllib",
               "kafka", "faust", "Servicer", "Stub"],
}
MAX_HOPS = 8


# -- the model ------------------------------------------------------------------------


@dataclass(eq=False)
class Handler:
    service: str
    rel: str
    function: str  # qualified name in its module
    label: str  # "GET /v1/orders/{}" or "grpc InventoryService.CheckStock"
    line: int
    column: int
    calls: list["Call"] = field(default_factory=list)


@dataclass(eq=False)
class Call:
    service: str
    rel: str
    fact: dict[str, Any]
    target_service: str | None = None
    target: Handler | None = None

    @property
    def location(self) -> Location:
        return Location(self.rel, self.fact["line"], self.fact["column"], symbol=self.fact.get("function") or None)

    def describe(self) -> str:
        f = self.fact
        where = self.target_service or f.get("host") or "?"
        if f["kind"] == "grpc":
            return f"{where} gRPC {f.get('service')}.{f.get('method')}"
        return f"{where} {f.get('method')} {f.get('path') or '/'}"


@dataclass
class System:
    services: ServiceMap
    python: dict[str, dict[str, Any]]  # rel -> facts
    handlers: list[Handler]
    calls: list[Call]
    documents: dict[str, dict[str, Any]]  # openapi rel -> facts
    protos: dict[str, dict[str, Any]]
    topics: dict[str, dict[str, Any]]
    schemas: dict[str, dict[str, Any]]


def _segments_match(a: str, b: str) -> bool:
    sa, sb = a.strip("/").split("/"), b.strip("/").split("/")
    return len(sa) == len(sb) and all(x == y or x == "{}" or y == "{}" for x, y in zip(sa, sb))


def _reachable(rel: str, start: str, service: str, python: dict[str, dict[str, Any]],
               by_name: dict[tuple[str, str], list[tuple[str, str]]]) -> set[tuple[str, str]]:
    """Functions a handler reaches through calls by name within its service (approximate)."""
    seen = {(rel, start)}
    todo = [(rel, start)]
    while todo:
        r, fn = todo.pop()
        for name in python.get(r, {}).get("functions", {}).get(fn, []):
            for target in by_name.get((service, name), []):
                if target not in seen and len(seen) < 500:
                    seen.add(target)
                    todo.append(target)
    return seen


def build(project: Any) -> System:
    def memo() -> System:
        python = {rel: facts for rel, facts in project.facts("python") if facts}
        yaml_files = [r.rel for r in project.files if r.rel.lower().endswith((".yaml", ".yml"))]
        services = ServiceMap(project.settings.root, sorted(python), project.settings, yaml_files)
        handlers: list[Handler] = []
        calls: list[Call] = []
        by_name: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for rel, facts in python.items():
            svc = services.service_of(rel)
            if svc is None:
                continue
            for fn in facts.get("defined", []):
                by_name.setdefault((svc, fn.rsplit(".", 1)[-1]), []).append((rel, fn))
            for r in facts.get("routes", []):
                handlers.append(Handler(svc, rel, r["handler"], f"{r['method']} {r['template']}", r["line"], r["column"]))
            for s in facts.get("servicers", []):
                for m in s["methods"]:
                    handlers.append(Handler(svc, rel, f"{s['class']}.{m}", f"grpc {s['service']}.{m}", s["line"], s["column"]))
            for c in facts.get("calls", []):
                call = Call(svc, rel, c, services.service_for_host(c.get("host")))
                calls.append(call)
        # the handler each call lands on
        for call in calls:
            f = call.fact
            for h in handlers:
                if call.target_service is not None and h.service != call.target_service:
                    continue
                if f["kind"] == "grpc":
                    if h.label == f"grpc {f.get('service')}.{f.get('method')}":
                        call.target, call.target_service = h, h.service
                        break
                elif call.target_service is not None and f.get("template") and h.label.split(" ", 1)[0] == f["method"] \
                        and _segments_match(h.label.split(" ", 1)[1], f["template"]):
                    call.target = h
                    break
        # the calls each handler makes, through the helpers it calls
        for h in handlers:
            reach = _reachable(h.rel, h.function, h.service, python, by_name)
            h.calls = [c for c in calls if c.service == h.service and (c.rel, c.fact.get("function", "")) in reach]
        return System(
            services, python, handlers, calls,
            {rel: f for rel, f in project.facts("openapi")},
            {rel: f for rel, f in project.facts("proto")},
            {rel: f for rel, f in project.facts("topics")},
            {rel: f for rel, f in project.facts("avro")},
        )

    cache = project.__dict__.setdefault("_cache", {})
    if "system" not in cache:
        cache["system"] = memo()
    return cache["system"]


# -- CL701: call chains ------------------------------------------------------------------


def _hops(call: Call) -> bool:
    """A call counts as a hop when it leaves the service for a known host or service."""
    return call.target_service is not None and call.target_service != call.service or (
        call.target_service is None and bool(call.fact.get("host"))
    )


@check("CL701")
def call_chain_too_long(ctx: RuleContext) -> None:
    from ..analyses.chains import longest_chains

    system = build(ctx.artifact)
    limit = int(ctx.options.get("max-hops", 2))
    ctx.examine(sum(1 for h in system.handlers if h.calls))
    targeted = {id(c.target) for c in system.calls if c.target is not None and _hops(c)}
    entries = [h for h in system.handlers if id(h) not in targeted] or system.handlers
    hop_calls: dict[int, list[Call]] = {id(h): [c for c in h.calls if _hops(c)] for h in system.handlers}
    chain_of = longest_chains(system.handlers, lambda h: hop_calls.get(id(h), []), lambda c: c.target,
                              max(MAX_HOPS, limit + 1))
    reported: dict[int, list[Call]] = {}  # one finding per call that starts a chain too long
    for h in entries:
        for first in hop_calls[id(h)]:
            chain = chain_of(first, h)
            if len(chain) > limit and (id(first) not in reported or len(chain) > len(reported[id(first)])):
                reported[id(first)] = chain
    for chain in sorted(reported.values(), key=lambda ch: (ch[0].rel, ch[0].fact["line"], len(ch))):
        first = chain[0]
        start = next(h for h in system.handlers if first in h.calls)
        steps = " -> ".join([f"{start.service} ({start.label})"] + [c.describe() for c in chain])
        ctx.report(
            first.location,
            f"synchronous call chain of {len(chain)} hops (at most {limit}): {steps}. "
            "Latency adds up and availability multiplies; decompose or use events.",
            related=tuple(c.location for c in chain),
        )


# -- CL702: code without a contract -----------------------------------------------------------


def _documents_of(system: System, service: str) -> list[dict[str, Any]]:
    folder = system.services.folder_of(service)
    docs = []
    for rel, facts in system.documents.items():
        owner = system.services.service_of(rel)
        hosts = {system.services.service_for_host(h) for h in facts.get("hosts", [])}
        title = str(facts.get("title", "")).lower()
        if owner == service or service in hosts or (folder and rel.startswith(folder + "/")):
            docs.append(facts)
        elif owner is None and service.lower() in (rel.lower() + " " + title):
            docs.append(facts)
    return docs


def _documented(docs: list[dict[str, Any]], method: str, template: str) -> bool:
    for d in docs:
        for op in d.get("operations", []):
            if op["method"] == method and _segments_match(op["template"], template):
                return True
    return False


@check("CL702")
def route_without_contract(ctx: RuleContext) -> None:
    system = build(ctx.artifact)
    ctx.examine(len(system.handlers) + sum(len(f.get("operations", [])) for f in system.documents.values()))
    rpcs = {(name, r) for facts in system.protos.values() for name, methods in (facts.get("services") or {}).items()
            for r in methods}
    for h in system.handlers:
        loc = Location(h.rel, h.line, h.column, symbol=h.function)
        if h.label.startswith("grpc "):
            service, method = h.label[5:].rsplit(".", 1)
            if (service, method) not in rpcs:
                ctx.report(loc, f"gRPC method {service}.{method} is served by {h.function} but no .proto declares "
                                f"`rpc {method}` in `service {service}`.")
            continue
        method, template = h.label.split(" ", 1)
        docs = _documents_of(system, h.service)
        if not _documented(docs, method, template):
            where = "its OpenAPI documents" if docs else "any OpenAPI document (the service has none)"
            ctx.report(loc, f"route {method} {template} of service {h.service} is served by {h.function} "
                            f"but not declared in {where}.")
    if not ctx.options.get("report-unserved", True):
        return
    served = {(h.service, h.label) for h in system.handlers}
    services_with_routes = {h.service for h in system.handlers if not h.label.startswith("grpc ")}
    for rel, facts in sorted(system.documents.items()):
        owners = {s for s in services_with_routes if facts in _documents_of(system, s)}
        if len(owners) != 1:
            continue
        (owner,) = owners
        for op in facts.get("operations", []):
            if not any(s == owner and lbl.split(" ", 1)[0] == op["method"] and _segments_match(lbl.split(" ", 1)[1], op["template"])
                       for s, lbl in served if not lbl.startswith("grpc ")):
                ctx.report(Location(rel, op["line"], op.get("column", 1), pointer=op.get("pointer")),
                           f"{op['method']} {op['path']} is documented for service {owner} but no route in its code serves it.",
                           severity=Severity.NOTE)


# -- CL703: gRPC health checking ------------------------------------------------------------------


@check("CL703")
def grpc_server_without_health(ctx: RuleContext) -> None:
    system = build(ctx.artifact)
    healthy: set[str | None] = set()
    servers = []
    for rel, facts in system.python.items():
        svc = system.services.service_of(rel)
        if facts.get("grpc_health"):
            healthy.add(svc or rel)  # registered anywhere in the service counts
        for s in facts.get("grpc_servers", []):
            servers.append((rel, svc, s))
    ctx.examine(len(servers))
    for rel, svc, s in servers:
        if (svc or rel) in healthy:
            continue
        ctx.report(Location(rel, s["line"], s["column"], symbol=s.get("function") or None),
                   "gRPC server built without the grpc.health.v1 health service: register "
                   "`health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)` "
                   "so load balancers can check it.")


# -- CL704: topics in code vs configuration vs schemas ---------------------------------------


def _schema_words(system: System) -> list[tuple[str, set[str]]]:
    """For each schema file, the word sets that may name the event it carries."""
    from ..analyses.words import split_words

    out = []
    for rel, facts in system.schemas.items():
        stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        for suffix in ("-value", "_value"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        names = [stem] + [str(n).rsplit(".", 1)[-1] for n in facts.get("top", []) if n]
        for n in names:
            words = {w for w in split_words(n) if not w.startswith("v") or not w[1:].isdigit()}
            if words:
                out.append((n, words))
    return out


def _schema_domains(system: System) -> set[str]:
    """Domains the team keeps schemas for: folders and namespaces the schemas live in."""
    out: set[str] = set()
    for rel, facts in system.schemas.items():
        out.update(p.lower() for p in rel.split("/")[:-1])
        for n in facts.get("names", []):
            out.update(p.lower() for p in str(n).split(".")[:-1])
    return out | {d.rstrip("s") for d in out}


def _has_schema(topic: str, schemas: list[tuple[str, set[str]]]) -> bool:
    from ..analyses.words import event_word, split_words

    words = set(split_words(topic))
    last = event_word(topic)
    for name, sw in schemas:
        if name == topic or (sw <= words and last in sw) or (words <= sw):
            return True
    return False


def _is_template(name: str) -> bool:
    return any(c in name for c in "{}$<>*")


@check("CL704")
def topic_contract_missing(ctx: RuleContext) -> None:
    system = build(ctx.artifact)
    declared: dict[str, tuple[str, int]] = {}
    for rel, facts in system.topics.items():
        for t in facts.get("topics", []):
            declared.setdefault(t["name"], (rel, t.get("line", 1)))
    ctx.examine(len(declared) + sum(len(v) for f in system.python.values() for v in (f.get("topics") or {}).values()))
    if declared:
        for rel, facts in sorted(system.python.items()):
            topics = facts.get("topics") or {}
            for how in ("produces", "consumes"):
                seen: set[str] = set()
                for t in topics.get(how, []):
                    name = t["topic"]
                    if name in declared or name in seen or _is_template(name):
                        continue
                    seen.add(name)
                    verb = "produced to" if how == "produces" else "consumed from"
                    ctx.report(Location(rel, t["line"], 1),
                               f"topic {name!r} is {verb} here but no topic configuration in the tree declares it: "
                               "declare it (partitions, retention, its consumers' dead-letter topic) with the others.")
    schemas = _schema_words(system)
    if not schemas or not ctx.options.get("require-schema", True):
        return
    ignore = tuple(ctx.options.get("no-schema-suffixes", []))
    domains = _schema_domains(system)
    for name, (rel, line) in sorted(declared.items()):
        domain = name.split(".", 1)[0].lower()
        if domain not in domains and domain.rstrip("s") not in domains:
            continue  # the team keeps no schemas for this domain
        if name.endswith(ignore) or _is_template(name) or _has_schema(name, schemas):
            continue
        ctx.report(Location(rel, line, 1),
                   f"topic {name!r} has no event schema: no .avsc names it (`{name}-value.avsc`) or the event it "
                   "carries; register its schema so the registry can enforce compatible evolution.")
