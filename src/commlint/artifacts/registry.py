"""Schema Registry compatibility as teams configure it in git, read beside the topics
(``commlint.artifacts.topics``): Terraform ``confluent_subject_config`` and
``confluent_schema_registry_cluster_config`` (``compatibility_level``), and JulieOps topic
``schemas`` (``value.compatibility`` / ``key.compatibility``)."""

from __future__ import annotations

from ..core.records import record
from typing import Any, Callable

from ..core.model import Location
from .yamljson import join

TF_TYPES = ("confluent_subject_config", "confluent_schema_registry_cluster_config")


@record
class Compatibility:
    subject: str  # the subject, or "*" for the registry's (or cluster's) default
    level: str  # upper case: BACKWARD, FORWARD_TRANSITIVE, NONE, ...
    loc: Location
    source: str  # terraform | julieops


def terraform(rtype: str, body: dict[str, Any], loc: Callable[[str], Location]) -> Compatibility | None:
    level = body.get("compatibility_level")
    if not isinstance(level, str) or "${" in level or "var." in level:
        return None
    subject = body.get("subject_name") if rtype == "confluent_subject_config" else None
    subject = subject.strip('"') if isinstance(subject, str) else "*"
    return Compatibility(subject, level.strip('"').upper(), loc("compatibility_level"), "terraform")


def julieops(topic: str, schemas: Any, ptr: str, loc: Callable[[str], Location]) -> list[Compatibility]:
    out = []
    items = schemas if isinstance(schemas, list) else [schemas]
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        iptr = join(ptr, i) if isinstance(schemas, list) else ptr
        for part in ("key", "value"):
            level = item.get(f"{part}.compatibility")
            if isinstance(level, str) and level.strip():
                out.append(Compatibility(f"{topic}-{part}", level.strip().upper(),
                                         loc(join(iptr, f"{part}.compatibility")), "julieops"))
    return out
