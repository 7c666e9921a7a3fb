"""Cross-file checks on what services share: one .proto copied into several services (CL710), a consumer
calling back the service that produced its event (CL711), a choreographed flow too long for choreography
(CL712). They read the system model (``commlint.analyses.system``)."""

from __future__ import annotations

import posixpath
from typing import Any

from ..analyses.callbacks import callbacks, event_chains
from ..analyses.proto_shape import comparable, first_difference, names
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
            # a file with no package is one contract with the files of the same name only
            by_key.setdefault((pkg, "" if pkg else posixpath.basename(rel)), []).append(rel)
        for rels in by_key.values():
            if len(rels) < 2:
                continue
            placed = [(rel, system.services.service_of(rel) or owners.service_of(rel)) for rel in sorted(rels)]
            placed = [(rel, svc) for rel, svc in placed if svc]
            for group in _connected([(rel, svc, protos[rel]["shape"]) for rel, svc in placed]):
                if len({svc for _, svc, _ in group}) > 1:
                    groups.append(group)
    cache["proto-copies"] = groups
    return groups


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
        variants: dict[Any, list[tuple[str, str, dict[str, Any]]]] = {}
        for item in group:
            variants.setdefault(repr(comparable(item[2])), []).append(item)
        if len(variants) == 1:
            if ctx.options["report-identical"]:
                _identical(ctx, group)
            continue
        sizes = sorted((len(v) for v in variants.values()), reverse=True)
        majority = next((v for v in variants.values() if len(v) == sizes[0]), None) if sizes[0] > sizes[1] else None
        for rel, svc, shp in group:
            if majority is not None and any(rel == m[0] for m in majority):
                continue  # the copies that agree with most others are not the ones drifting
            ref = majority[0] if majority is not None else next(o for o in group if repr(comparable(o[2])) != repr(comparable(shp)))
            diff = first_difference(shp, ref[2], "there") or (1, "they differ")
            others = [f"{o[0]} ({o[1]})" for o in group if o[0] not in (rel, ref[0])]
            pkg = _package(ctx, rel)
            ctx.report(Location(rel, diff[0], 1),
                       f"this copy of {pkg} (service {svc}) has drifted from the copy in {ref[0]} ({ref[1]}): "
                       f"{diff[1]}" + (f"; also copied in {', '.join(others)}" if others else "")
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
                   f"produces the event ({where}): {cb.call.describe()}. Put what the consumer needs in the event "
                   "(what changed and the identifiers) so consumers act without calling back to the producer.",
                   related=(Location(cb.consumer.rel, int(cb.consumer.fact["line"]), 1),))


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
