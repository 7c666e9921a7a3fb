"""Cross-file checks on what services share: one .proto copied into several services (CL710), a consumer
calling back the service that produced its event (CL711), a choreographed flow too long for choreography
(CL712). They read the system model (``commlint.analyses.system``)."""

from __future__ import annotations

import posixpath
from typing import Any

from ..analyses.callbacks import callbacks, event_chains
from ..analyses.proto_shape import first_difference, names
from ..analyses.services import ServiceMap
from ..analyses.system import build
from ..core.model import Location, Severity
from . import SystemContext, check

# -- CL710: one .proto copied into several services -------------------------------------------


def _vendored(rel: str, pkg: str, opts: dict[str, Any]) -> bool:
    parts = {p.lower() for p in rel.split("/")[:-1]}
    if parts & {f.lower() for f in opts["vendored-folders"]}:
        return True
    return any(pkg == p or pkg.startswith(p + ".") for p in opts["vendored-packages"])


def _copies(ctx: SystemContext) -> list[list[tuple[str, str, dict[str, Any]]]]:
    """Groups of .proto files that are one contract (same package, a message or service in common)
    kept in two or more services: [(file, service, shape)], vendored third-party protos left out."""
    cache = ctx.artifact.__dict__.setdefault("_cache", {})
    if "proto-copies" in cache:
        return cache["proto-copies"]
    system = build(ctx.artifact)
    protos = {rel: f for rel, f in system.protos.items() if f.get("shape")}
    groups: list[list[tuple[str, str, dict[str, Any]]]] = []
    if len(protos) > 1:
        owners = ServiceMap(ctx.artifact.settings.root, sorted(system.python) + sorted(protos), ctx.artifact.settings)
        by_key: dict[tuple[str, str], list[str]] = {}
        for rel, f in protos.items():
            pkg = str(f.get("package") or "")
            if _vendored(rel, pkg, ctx.options):
                continue
            # a file with no package, or a package named so generically that unrelated services may
            # share it (`api`, `pb`), is one contract with the files of the same name only
            alone = not pkg or pkg.lower() in GENERIC_PACKAGES
            by_key.setdefault((pkg, posixpath.basename(rel) if alone else ""), []).append(rel)
        for rels in by_key.values():
            if len(rels) < 2:
                continue
            placed = [(rel, system.services.service_of(rel) or owners.service_of(rel)) for rel in sorted(rels)]
            placed = [(rel, _label(owners, rel, svc)) for rel, svc in placed if svc]
            for group in _connected([(rel, svc, protos[rel]["shape"]) for rel, svc in placed]):
                if len({svc for _, svc, _ in group}) > 1:
                    groups.append(group)
    cache["proto-copies"] = groups
    return groups


GENERIC_PACKAGES = frozenset({"api", "apis", "proto", "protos", "protobuf", "pb", "main", "service", "services",
                              "grpc", "rpc", "v1", "v2", "common", "types", "model", "models", "messages", "app"})
GENERIC = frozenset({"src", "source", "app", "main", "server", "service", "proto", "protos"})


def _label(owners: ServiceMap, rel: str, svc: str) -> str:
    """A service's name, or its folder's parent when the folder has a generic name (``cartservice/src``)."""
    if svc.lower() not in GENERIC:
        return svc
    folder = next((f for f in sorted(owners.folders, key=len, reverse=True)
                   if rel.startswith(f + "/") and owners.folders[f] == svc), None)
    parent = posixpath.basename(posixpath.dirname(folder)) if folder else ""
    return f"{parent}/{svc}" if parent else svc


def _connected(files: list[tuple[str, str, dict[str, Any]]]) -> list[list[tuple[str, str, dict[str, Any]]]]:
    """Files of one package joined when they declare a message or service of the same name."""
    out: list[list[tuple[str, str, dict[str, Any]]]] = []
    for f in files:
        mine = names(f[2])
        joined = [g for g in out if any(mine & names(o[2]) for o in g)]
        merged = [f] + [x for g in joined for x in g]
        out = [g for g in out if g not in joined] + [sorted(merged)]
    return out


def proto_copies(ctx: SystemContext) -> int:
    return sum(len(g) for g in _copies(ctx))


@check("CL710", subjects=proto_copies)
def proto_copied_across_services(ctx: SystemContext) -> None:
    for group in _copies(ctx):
        differ = {(x[0], y[0]): first_difference(x[2], y[2], "there") for x in group for y in group if x[0] != y[0]}
        if not any(differ.values()):
            if ctx.options["report-identical"]:
                _identical(ctx, group)
            continue
        for rel, svc, _shape in group:
            conflicts = [o for o in group if o[0] != rel and differ[(rel, o[0])]]
            agreements = len(group) - 1 - len(conflicts)
            if len(conflicts) <= agreements:
                continue  # it agrees with most copies: the others are the ones drifting
            ref = conflicts[0]
            line, what = differ[(rel, ref[0])]  # type: ignore[misc]
            others = [f"{o[0]} ({o[1]})" for o in group if o[0] not in (rel, ref[0])]
            ctx.report(Location(rel, line, 1),
                       f"this copy of {_package(ctx, rel)} (service {svc}) has drifted from the copy in {ref[0]} "
                       f"({ref[1]}): {what}" + (f"; also copied in {', '.join(others)}" if others else "")
                       + ". Keep one .proto in a shared contract repository and generate every service's code from it.")


def _package(ctx: SystemContext, rel: str) -> str:
    pkg = build(ctx.artifact).protos.get(rel, {}).get("package")
    return f"package `{pkg}`" if pkg else f"`{posixpath.basename(rel)}`"


def _identical(ctx: SystemContext, group: list[tuple[str, str, dict[str, Any]]]) -> None:
    for rel, svc, _ in group:
        others = [f"{o[0]} ({o[1]})" for o in group if o[0] != rel]
        ctx.report(Location(rel, 1, 1),
                   f"this copy of {_package(ctx, rel)} (service {svc}) is also kept in {', '.join(others)}: "
                   "identical today, but copies drift. "
                   "Define it once in a shared contract repository and generate each service's code from it.",
                   severity=Severity.NOTE)


# -- CL711: a consumer calling back the producer of its event ---------------------------------


def consumer_handlers(ctx: SystemContext) -> int:
    from ..analyses.callbacks import consumers

    return len(consumers(build(ctx.artifact)))


@check("CL711", subjects=consumer_handlers)
def consumer_calls_producer(ctx: SystemContext) -> None:
    seen: set[tuple[str, int]] = set()
    for cb in callbacks(build(ctx.artifact)):
        key = (cb.call.rel, cb.call.fact["line"])
        if key in seen:
            continue
        seen.add(key)
        where = ", ".join(cb.producers[:2]) + (" ..." if len(cb.producers) > 2 else "")
        ctx.report(cb.call.location,
                   f"while handling {cb.topic!r} (consumed in {cb.consumer.rel}:{cb.consumer.fact['line']}), "
                   f"service {cb.consumer.service!r} calls back {cb.call.target_service!r}, the service that "
                   f"produces the event ({where}): {cb.call.describe()}. " + _advice(cb.call.fact),
                   related=(Location(cb.consumer.rel, int(cb.consumer.fact["line"]), 1),))


READS = ("get", "list", "fetch", "read", "lookup", "find", "search", "describe", "query", "check")


def _advice(fact: dict[str, Any]) -> str:
    if fact.get("kind") == "grpc":
        read = str(fact.get("method") or "").lower().startswith(READS)
    else:
        read = str(fact.get("method") or "GET").upper() in ("GET", "HEAD")
    if read:
        return ("Put what the consumer needs in the event (what changed and the identifiers) so consumers act "
                "without calling back to the producer.")
    return ("Tell the producer by publishing an event it consumes instead: a consumer that calls back its producer "
            "makes both depend on each other being up.")


# -- CL712: a choreographed flow too long for choreography ------------------------------------


def choreographed_flows(ctx: SystemContext) -> int:
    return len(_flows(ctx))


def _flows(ctx: SystemContext) -> list[list[Any]]:
    cache = ctx.artifact.__dict__.setdefault("_cache", {})
    if "event-chains" not in cache:
        cache["event-chains"] = [ch for ch in event_chains(build(ctx.artifact)) if len(ch) > 1]
    return cache["event-chains"]


@check("CL712", subjects=choreographed_flows)
def choreography_too_long(ctx: SystemContext) -> None:
    limit = int(ctx.options["max-steps"])
    reported: set[int] = set()
    for chain in sorted(_flows(ctx), key=len, reverse=True):
        services = {s.consumer.service for s in chain}
        if len(chain) <= limit or len(services) < 2 or id(chain[0].consumer) in reported:
            continue
        reported.add(id(chain[0].consumer))
        first = chain[0]
        flow = " -> ".join(f"{s.topic} ({s.consumer.service})" for s in chain)
        last = chain[-1].publishes
        flow += f" -> {last[0]}" if last else ""
        ctx.report(Location(first.consumer.rel, int(first.consumer.fact["line"]), 1),
                   f"a choreographed flow of {len(chain)} steps (handlers each publishing the next event, at most "
                   f"{limit}): {flow}. With 4 or more steps, an orchestrator shows where each saga stands and "
                   "what to compensate; keep choreography for flows of 2-3 steps.",
                   related=tuple(Location(s.consumer.rel, int(s.consumer.fact["line"]), 1) for s in chain[1:]))
