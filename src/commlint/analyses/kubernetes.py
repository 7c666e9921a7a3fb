"""What Kubernetes manifests in the tree say about traffic: what they expose outside the cluster: Services of type
LoadBalancer or NodePort, Ingresses and Gateway API routes, with the ports they carry and
whether those speak gRPC (a port named ``grpc``/``grpc-*``, ``appProtocol: grpc`` or
``kubernetes.io/h2c``, port 50051, an Ingress annotated for a gRPC backend, a GRPCRoute).

And where a service mesh or proxy breaks circuits: an Istio ``DestinationRule`` with
``outlierDetection`` or a ``connectionPool``, Envoy ``circuit_breakers``, Linkerd failure
accrual.

Manifests are read once per run, through safeio, with positions for every node."""

from __future__ import annotations

import re
from ..core.records import record
from pathlib import Path
from typing import Any, Iterable

from ..artifacts.yamljson import join, read_documents

_KINDS = re.compile(r"(?m)^kind:\s*[\"']?(Service|Ingress|GRPCRoute)[\"']?\s*(?:#.*)?$")
GRPC_PORTS = frozenset({50051})
LIMIT = 1_000_000
BACKEND_PROTOCOL = re.compile(r"(^|/)backend-protocol$")


@record(frozen=True)
class Exposure:
    """A manifest object that reaches outside the cluster (or may: a GRPCRoute)."""

    rel: str
    line: int
    column: int
    pointer: str
    kind: str  # Service | Ingress | GRPCRoute
    name: str
    how: str  # "type LoadBalancer", "an Ingress", ...
    grpc_ports: tuple[str, ...]  # the ports that speak gRPC, as written ("grpc 50051")
    backends: tuple[str, ...]  # Service names it sends traffic to (Ingress), or its own name (Service)
    certain: bool  # False: a GRPCRoute, which may serve an internal Gateway


def _grpc_port(port: dict[str, Any]) -> str | None:
    name = str(port.get("name", "")).lower()
    proto = str(port.get("appProtocol", "")).lower()
    number = port.get("port")
    target = port.get("targetPort")
    if isinstance(number, (dict, list)) or isinstance(target, (dict, list)):  # a Helm template (`{{ .Values.port }}`)
        number = target = None
    if name == "grpc" or name.startswith(("grpc-", "grpc_")) or proto in ("grpc", "kubernetes.io/h2c") \
            or number in GRPC_PORTS or target in GRPC_PORTS or str(target or "") == "grpc":
        return f"{port.get('name') or 'port'} {number}" if number is not None else str(port.get("name") or "grpc")
    return None


def _ingress_backends(spec: dict[str, Any]) -> list[str]:
    out = []
    default = (spec.get("defaultBackend") or spec.get("backend") or {})
    for backend in [default] + [p.get("backend") or {} for r in spec.get("rules") or [] if isinstance(r, dict)
                                for p in ((r.get("http") or {}).get("paths") or []) if isinstance(p, dict)]:
        if not isinstance(backend, dict):
            continue
        svc = backend.get("service") if isinstance(backend.get("service"), dict) else None
        name = (svc or {}).get("name") or backend.get("serviceName")
        if isinstance(name, str):
            out.append(name)
    return out


def exposures(root: Path, yaml_files: Iterable[str]) -> list[Exposure]:
    """Every Service of type LoadBalancer/NodePort, Ingress and GRPCRoute in the manifests."""
    out: list[Exposure] = []
    for rel, _text, docs in read_documents(root, yaml_files, _KINDS, LIMIT):
        for doc in docs:
            d = doc.data
            if not isinstance(d, dict) or not isinstance(d.get("spec"), dict):
                continue
            kind, spec = d.get("kind"), d["spec"]
            meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
            name = str(meta.get("name", ""))
            annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
            if kind == "Service" and spec.get("type") in ("LoadBalancer", "NodePort"):
                ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
                grpc = tuple(g for g in (_grpc_port(p) for p in ports) if g)
                ptr = join("/spec", "type")
                out.append(Exposure(rel, *doc.position(ptr), ptr, "Service", name, f"type {spec['type']}",
                                    grpc, (name,), True))
            elif kind == "Ingress":
                protocol = next((str(v).upper() for k, v in annotations.items() if BACKEND_PROTOCOL.search(str(k))), "")
                grpc = ("backend-protocol " + protocol,) if protocol in ("GRPC", "GRPCS") else ()
                ptr = "/kind"
                out.append(Exposure(rel, *doc.position(ptr), ptr, "Ingress", name, "an Ingress", grpc,
                                    tuple(_ingress_backends(spec)), True))
            elif kind == "GRPCRoute":
                ptr = "/kind"
                out.append(Exposure(rel, *doc.position(ptr), ptr, "GRPCRoute", name, "a Gateway API GRPCRoute",
                                    ("GRPCRoute",), (), False))
    return out


_MESH_BREAKER = re.compile(r"(?m)^\s*(?:outlierDetection|outlier_detection|circuit_breakers|connectionPool):|failure-accrual")


def mesh_circuit_breaking(root: Path, yaml_files: Iterable[str]) -> list[str]:
    """Files whose mesh or proxy configuration breaks circuits (Istio DestinationRule
    ``outlierDetection``/``connectionPool``, Envoy ``circuit_breakers``, Linkerd failure accrual)."""
    return [rel for rel, _text, _docs in read_documents(root, yaml_files, _MESH_BREAKER, LIMIT)]
