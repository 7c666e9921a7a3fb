"""The system model the cross-file rules read: each file's facts joined into services (``commlint.analyses.services``), the routes and gRPC methods they serve, the synchronous calls their handlers make, their contracts and their topics. No file is parsed again here."""

from __future__ import annotations

from ..core.records import field, record
from typing import Any

from ..artifacts.yamljson import manifest_candidates
from ..core.model import Location
from .services import ServiceMap

MAX_HOPS = 8


# -- the model ------------------------------------------------------------------------


@record(eq=False)
class Handler:
    service: str
    rel: str
    function: str  # qualified name in its module
    label: str  # "GET /v1/orders/{}" or "grpc InventoryService.CheckStock"
    line: int
    column: int
    calls: list["Call"] = field(default_factory=list)


@record(eq=False)
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


@record
class System:
    services: ServiceMap
    python: dict[str, dict[str, Any]]  # rel -> facts
    handlers: list[Handler]
    calls: list[Call]
    documents: dict[str, dict[str, Any]]  # openapi rel -> facts
    protos: dict[str, dict[str, Any]]
    topics: dict[str, dict[str, Any]]
    schemas: dict[str, dict[str, Any]]
    asyncapi: dict[str, dict[str, Any]] = field(default_factory=dict)  # AsyncAPI rel -> facts


def segments_match(a: str, b: str) -> bool:
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
        yaml_files = manifest_candidates(project.files)
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
                        and segments_match(h.label.split(" ", 1)[1], f["template"]):
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
            {rel: f for rel, f in project.facts("asyncapi") if f},
        )

    cache = project.__dict__.setdefault("_cache", {})
    if "system" not in cache:
        cache["system"] = memo()
    return cache["system"]


# -- CL701: call chains ------------------------------------------------------------------


def is_hop(call: Call) -> bool:
    """A call counts as a hop when it leaves the service for a known host or service."""
    return call.target_service is not None and call.target_service != call.service or (
        call.target_service is None and bool(call.fact.get("host"))
    )
