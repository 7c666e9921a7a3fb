"""Checks across files and services (CL7xx): call chains, code against its contracts, gRPC health, topics against configuration and schemas. They read the system model (``commlint.analyses.system``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..analyses.alerts import alert_files_and_lag_alerts
from ..analyses.chains import longest_chains
from ..analyses.kubernetes import exposures, mesh_circuit_breaking
from ..analyses.system import MAX_HOPS, Call, System, build, is_hop, segments_match
from ..analyses.words import event_word, split_words
from ..artifacts.yamljson import manifest_candidates
from ..core.model import Location, Severity
from . import SystemContext, check

# -- what each check examines (for the checklist scorecard) -----------------------------------


def handlers_with_calls(ctx: SystemContext) -> int:
    return sum(1 for h in build(ctx.artifact).handlers if h.calls)


def routes_and_operations(ctx: SystemContext) -> int:
    system = build(ctx.artifact)
    return len(system.handlers) + sum(len(f.get("operations", [])) for f in system.documents.values())


def grpc_servers(ctx: SystemContext) -> int:
    return sum(len(facts.get("grpc_servers", [])) for facts in build(ctx.artifact).python.values())


def topics_seen(ctx: SystemContext) -> int:
    system = build(ctx.artifact)
    declared = {t["name"] for facts in system.topics.values() for t in facts.get("topics", [])}
    return len(declared) + sum(len(v) for f in system.python.values() for v in (f.get("topics") or {}).values())



@check("CL701", subjects=handlers_with_calls)
def call_chain_too_long(ctx: SystemContext) -> None:
    system = build(ctx.artifact)
    limit = int(ctx.options["max-hops"])
    targeted = {id(c.target) for c in system.calls if c.target is not None and is_hop(c)}
    entries = [h for h in system.handlers if id(h) not in targeted] or system.handlers
    hop_calls: dict[int, list[Call]] = {id(h): [c for c in h.calls if is_hop(c)] for h in system.handlers}
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
            if op["method"] == method and segments_match(op["template"], template):
                return True
    return False


HEALTH_METHODS = frozenset({"Check", "Watch"})
PROBE_PATHS = frozenset({"health", "healthz", "healthcheck", "livez", "readyz", "ready", "live", "liveness",
                         "readiness", "ping", "metrics"})


@check("CL702", subjects=routes_and_operations)
def route_without_contract(ctx: SystemContext) -> None:
    system = build(ctx.artifact)
    rpcs = {(name, r) for facts in system.protos.values() for name, methods in (facts.get("services") or {}).items()
            for r in methods}
    for h in system.handlers:
        loc = Location(h.rel, h.line, h.column, symbol=h.function)
        if h.label.startswith("grpc "):
            service, method = h.label[5:].rsplit(".", 1)
            if method in HEALTH_METHODS and (service, method) not in rpcs:
                continue  # grpc.health.v1's own Check/Watch, served by the same object (its contract is health.proto)
            if (service, method) not in rpcs:
                ctx.report(loc, f"gRPC method {service}.{method} is served by {h.function} but no .proto declares "
                                f"`rpc {method}` in `service {service}`.")
            continue
        method, template = h.label.split(" ", 1)
        if template.rstrip("/").rsplit("/", 1)[-1] in PROBE_PATHS:
            continue  # a liveness/readiness probe or metrics endpoint is the platform's, not the API's
        docs = _documents_of(system, h.service)
        if not _documented(docs, method, template):
            where = "its OpenAPI documents" if docs else "any OpenAPI document (the service has none)"
            ctx.report(loc, f"route {method} {template} of service {h.service} is served by {h.function} "
                            f"but not declared in {where}.")
    if not ctx.options["report-unserved"]:
        return
    served = {(h.service, h.label) for h in system.handlers}
    services_with_routes = {h.service for h in system.handlers if not h.label.startswith("grpc ")}
    for rel, facts in sorted(system.documents.items()):
        owners = {s for s in services_with_routes if facts in _documents_of(system, s)}
        if len(owners) != 1:
            continue
        (owner,) = owners
        for op in facts.get("operations", []):
            if not any(s == owner and lbl.split(" ", 1)[0] == op["method"] and segments_match(lbl.split(" ", 1)[1], op["template"])
                       for s, lbl in served if not lbl.startswith("grpc ")):
                ctx.report(Location(rel, op["line"], op.get("column", 1), pointer=op.get("pointer")),
                           f"{op['method']} {op['path']} is documented for service {owner} but no route in its code serves it.",
                           severity=Severity.NOTE)


# -- CL703: gRPC health checking ------------------------------------------------------------------


@check("CL703", subjects=grpc_servers)
def grpc_server_without_health(ctx: SystemContext) -> None:
    system = build(ctx.artifact)
    healthy: set[str | None] = set()
    servers = []
    for rel, facts in system.python.items():
        svc = system.services.service_of(rel)
        if facts.get("grpc_health"):
            healthy.add(svc or rel)  # registered anywhere in the service counts
        for s in facts.get("grpc_servers", []):
            servers.append((rel, svc, s))
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
    words = set(split_words(topic))
    last = event_word(topic)
    for name, sw in schemas:
        if name == topic or (sw <= words and last in sw) or (words <= sw):
            return True
    return False


def _is_template(name: str) -> bool:
    return any(c in name for c in "{}$<>*")


@check("CL704", subjects=topics_seen)
def topic_contract_missing(ctx: SystemContext) -> None:
    system = build(ctx.artifact)
    declared: dict[str, tuple[str, int]] = {}
    for rel, facts in system.topics.items():
        for t in facts.get("topics", []):
            declared.setdefault(t["name"], (rel, t.get("line", 1)))
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
    if not schemas or not ctx.options["require-schema"]:
        return
    ignore = tuple(ctx.options["no-schema-suffixes"])
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


# -- CL705: topics in code vs AsyncAPI contracts -----------------------------------------------


def _address_re(address: str) -> "re.Pattern[str]":
    parts = re.split(r"(\{[^}]*\})", address)
    return re.compile("".join("[^.]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts))


def code_topics(ctx: SystemContext) -> int:
    return sum(len(v) for f in build(ctx.artifact).python.values() for k, v in (f.get("topics") or {}).items()
               if k in ("produces", "consumes"))


@check("CL705", subjects=code_topics)
def topic_not_in_asyncapi(ctx: SystemContext) -> None:
    system = build(ctx.artifact)
    docs = {rel: f for rel, f in system.asyncapi.items() if f.get("channels") is not None}
    if not docs:
        return
    owners = {system.services.service_of(rel) for rel in docs}
    addresses = [(_address_re(c["address"]), rel) for rel, f in docs.items() for c in f["channels"]]
    for rel, facts in sorted(system.python.items()):
        svc = system.services.service_of(rel)
        if None not in owners and svc not in owners:
            continue  # the service keeps no AsyncAPI contract; the tree's contracts are other services'
        topics = facts.get("topics") or {}
        for how in ("produces", "consumes"):
            seen: set[str] = set()
            for t in topics.get(how, []):
                name = t["topic"]
                if name in seen or _is_template(name) or any(p.fullmatch(name) for p, _ in addresses):
                    continue
                seen.add(name)
                verb = "produced to" if how == "produces" else "consumed from"
                ctx.report(Location(rel, t["line"], 1),
                           f"topic {name!r} is {verb} here but no AsyncAPI document declares a channel for it "
                           f"({len(docs)} in the tree): add the channel, its operation and message to the contract.")


# -- CL706: gRPC exposed outside the cluster --------------------------------------------------


def _yaml_files(ctx: SystemContext) -> list[str]:
    """The YAML files of the run (manifests, alert rules, mesh configuration among them)."""
    return manifest_candidates(ctx.artifact.files)


def _once(ctx: SystemContext, key: str, compute: Any) -> Any:
    """A reading of the tree's YAML files, made once per run (a check and its subjects share it)."""
    cache = ctx.artifact.__dict__.setdefault("_cache", {})
    if key not in cache:
        cache[key] = compute(Path(ctx.artifact.settings.root), _yaml_files(ctx))
    return cache[key]


def _manifest_exposures(ctx: SystemContext) -> list:
    return _once(ctx, "exposures", exposures)


def manifests_exposing(ctx: SystemContext) -> int:
    return len(_manifest_exposures(ctx))


@check("CL706", subjects=manifests_exposing)
def grpc_exposed_externally(ctx: SystemContext) -> None:
    for e in _manifest_exposures(ctx):
        if not e.grpc_ports:
            continue
        where = Location(e.rel, e.line, e.column, pointer=e.pointer)
        ports = ", ".join(e.grpc_ports)
        if e.certain:
            ctx.report(where, f"{e.kind} {e.name!r} ({e.how}) exposes gRPC outside the cluster ({ports}): use gRPC "
                       "only for internal service-to-service calls and expose REST to external clients "
                       "(a ClusterIP Service for gRPC; REST, or a REST gateway, at the edge)")
        else:
            ctx.report(where, f"{e.kind} {e.name!r} routes gRPC through a Gateway: if that Gateway faces clients "
                       "outside the cluster, expose REST to them instead (gRPC is for internal calls)",
                       severity=Severity.NOTE)


# -- CL707: consumer lag nobody is alerted on ---------------------------------------------------


def _groups(ctx: SystemContext) -> list[tuple[str, str, int]]:
    """Consumer groups declared in topic configuration: (name, file, line)."""
    out = []
    for rel, facts in sorted(build(ctx.artifact).topics.items()):
        for g in facts.get("groups", []):
            if g.get("name") and not _is_template(str(g["name"])):
                out.append((str(g["name"]), rel, int(g.get("line", 1))))
    return out


def consumer_groups(ctx: SystemContext) -> int:
    return len(_groups(ctx))


@check("CL707", subjects=consumer_groups)
def consumer_lag_unalerted(ctx: SystemContext) -> None:
    groups = _groups(ctx)
    if not groups:
        return
    files, alerts = _once(ctx, "lag-alerts", alert_files_and_lag_alerts)
    if not files:
        return  # alerting lives elsewhere (another repository, a SaaS): nothing here to judge
    for name, rel, line in groups:
        if any(a.covers(name) for a in alerts):
            continue
        where = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        ctx.report(Location(rel, line, 1), f"consumer group {name!r} has no consumer-lag alert: the alert rules "
                   f"in {where} cover no lag of this group. Alert on its lag (e.g. "
                   f"`sum(kafka_consumergroup_lag{{consumergroup=\"{name}\"}}) > 1000` for 10m) so a consumer "
                   "falling behind is seen before its events are hours stale.")


# -- CL708: internal calls with no circuit breaking -------------------------------------------


def _internal_callers(ctx: SystemContext) -> dict[str, list[Call]]:
    """Per service, its synchronous calls that land on another service of the system."""
    out: dict[str, list[Call]] = {}
    for c in build(ctx.artifact).calls:
        if c.target_service is not None and c.target_service != c.service:
            out.setdefault(c.service, []).append(c)
    return out


def services_calling_services(ctx: SystemContext) -> int:
    return len(_internal_callers(ctx))


@check("CL708", subjects=services_calling_services)
def no_circuit_breaker(ctx: SystemContext) -> None:
    callers = _internal_callers(ctx)
    if not callers:
        return
    if _once(ctx, "mesh-breakers", mesh_circuit_breaking):
        return  # the mesh or proxy breaks circuits for every service
    system = build(ctx.artifact)
    guarded = {system.services.service_of(rel) for rel, facts in system.python.items() if facts.get("circuit_breaker")}
    for service, calls in sorted(callers.items()):
        if service in guarded:
            continue
        first = min(calls, key=lambda c: (c.rel, c.fact["line"]))
        targets = sorted({c.target_service for c in calls if c.target_service})
        ctx.report(first.location, f"service {service!r} calls {', '.join(repr(t) for t in targets)} synchronously with "
                   "no circuit breaker: when a dependency fails, every caller waits out its timeouts and the failure "
                   "spreads. Wrap the client in a breaker (pybreaker, aiobreaker, purgatory) or configure one in the "
                   "mesh (an Istio DestinationRule with outlierDetection).")


# -- CL709: events serialised by hand to a topic whose schema the repository keeps -----------


def _hand_serialised(ctx: SystemContext) -> list[tuple[str, dict[str, Any]]]:
    return [(rel, f) for rel, facts in sorted(build(ctx.artifact).python.items())
            for f in (facts.get("topics") or {}).get("hand_serialised", [])]


def hand_serialised_produces(ctx: SystemContext) -> int:
    return len(_hand_serialised(ctx))


@check("CL709", subjects=hand_serialised_produces)
def event_serialised_by_hand(ctx: SystemContext) -> None:
    sends = _hand_serialised(ctx)
    if not sends:
        return
    schemas = _schema_words(build(ctx.artifact))
    for rel, f in sends:
        topic = str(f["topic"])
        if _is_template(topic) or not _has_schema(topic, schemas):
            continue
        ctx.report(Location(rel, int(f["line"]), int(f["column"]), symbol=f.get("function") or None),
                   f"events to {topic!r} are serialised by hand ({f['serialiser']}) though the repository keeps "
                   "a schema for them: produce with the Schema Registry's serializer (confluent_kafka's "
                   "AvroSerializer) so the registry checks every event against the subject's compatibility mode.")
