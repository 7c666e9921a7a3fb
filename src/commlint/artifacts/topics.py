"""Kafka topic configuration, read from the formats teams keep in git into one model.

Formats (each document of a YAML stream is read on its own):

- Strimzi ``KafkaTopic`` (``kafka.strimzi.io/*``): ``spec.topicName`` or
  ``metadata.name``, ``spec.partitions``, ``spec.replicas``, ``spec.config``;
- Confluent for Kubernetes ``KafkaTopic`` (``platform.confluent.io/*``):
  ``spec.name`` or ``metadata.name``, ``spec.partitionCount``, ``spec.replicas``,
  ``spec.configs``; a Kubernetes ``List`` of either is read item by item;
- JulieOps topologies: ``context``, the other top-level strings in order,
  ``projects[].name``, ``topics[].name`` (and ``dataType``) joined by dots;
  consumers, producers and Kafka Streams apps of each project and topic;
- topicctl topic files: ``meta.name``, ``spec.partitions``,
  ``spec.retentionMinutes``, ``spec.settings`` (cluster and ACL files hold no topic);
- kafka-gitops state files (``topics:`` map, ``services.*.{group-id, consumes,
  produces}``) and commlint's own ``topics.yaml`` (``topics:`` list or map,
  ``producers:`` service -> topics, ``consumers:`` group -> topics and ``dlq``);
- Terraform ``kafka_topic`` (Mongey provider) and ``confluent_kafka_topic``
  resources in ``.tf`` files, parsed with python-hcl2.

A file that holds no topic yields an empty model, never a finding. Every
topic and consumer group keeps the Location of its name; each setting the
rules report on keeps its own Location.
"""

from __future__ import annotations

import re
from ..core.records import field, record
from typing import Any

from ..core.model import Location
from . import Artifact, ParseError, queues, registry
from .registry import Compatibility
from .yamljson import Document, join, load_json, load_yaml

KIND = "topics"

# -- sniffing: cheap, and only for files that can hold a topic --------------------------

_NOT_OURS = re.compile(r"^(?:openapi|swagger|asyncapi)\s*:|\"(?:openapi|swagger|asyncapi)\"\s*:", re.MULTILINE)
_K8S_TOPIC = re.compile(r"kind\"?\s*:\s*[\"']?KafkaTopic\b")
_K8S_GROUP = re.compile(r"(?:kafka\.strimzi\.io|platform\.confluent\.io)/v")
_JULIE = re.compile(r"^(?:context|projects)\s*:", re.MULTILINE)
_TOPICCTL = re.compile(r"^meta\s*:", re.MULTILINE)
_TOPICCTL_SPEC = re.compile(r"^\s+(?:partitions|retentionMinutes)\s*:", re.MULTILINE)
_PLAIN = re.compile(r"^(?:topics|consumers|producers)\s*:|^\s*\"(?:topics|consumers|producers)\"\s*:", re.MULTILINE)
_SERVICES = re.compile(r"^services\s*:", re.MULTILINE)
_GITOPS_SERVICE = re.compile(r"^\s+(?:produces|consumes)\s*:", re.MULTILINE)


def sniff(path: str, text: str) -> bool:
    """Whether a YAML/JSON file may hold topic configuration (a cheap look, no parse)."""
    if path.lower().endswith(".tf"):
        return True
    head = text[:4096]
    if ("openapi" in head or "swagger" in head or "asyncapi" in head) and _NOT_OURS.search(head):
        return False
    # each pattern is tried only where the words it needs are (a substring test is far cheaper
    # than a search: ansible has 2,209 YAML files, none of them ours)
    if "KafkaTopic" in text and _K8S_TOPIC.search(text):
        return bool(_K8S_GROUP.search(text))  # a CRD names the kind but no apiVersion of it
    if "projects" in text and _JULIE.search(text):
        return True
    if "meta" in text and _TOPICCTL.search(text):
        return bool(_TOPICCTL_SPEC.search(text))
    if queues.sniff(text):
        return True  # SQS (CloudFormation) or RabbitMQ queues: artifacts.queues
    if ("topics" in text or "consumers" in text or "producers" in text) and _PLAIN.search(text):
        return True
    return bool("services" in text and _SERVICES.search(text) and _GITOPS_SERVICE.search(text))


# -- the model ---------------------------------------------------------------------------


@record
class Topic:
    """One topic, whatever format declared it."""

    name: str  # the name Kafka sees
    fmt: str  # strimzi | confluent | julieops | topicctl | kafka-gitops | commlint | terraform
    loc: Location  # the line of its name
    partitions: Any = None  # int, None (unset: the cluster default), or text (templated)
    replicas: Any = None
    config: dict[str, Any] = field(default_factory=dict)  # Kafka topic configs (retention.ms, ...)
    locs: dict[str, Location] = field(default_factory=dict)  # "partitions", config keys -> where set
    labels: dict[str, str] = field(default_factory=dict)  # labels, annotations, metadata, plan
    producers: list[str] = field(default_factory=list)
    inherited: str | None = None  # where unset settings may come from instead (a JulieOps plan)
    event_name: str | None = None  # the name the naming rules read (JulieOps: without dataType)
    dlq: bool = False  # declared as someone's dead-letter topic

    def where(self, key: str) -> Location:
        return self.locs.get(key, self.loc)


@record
class Group:
    """A consumer group (or Kafka Streams application) and what it reads."""

    name: str
    loc: Location
    topics: list[str] = field(default_factory=list)
    dlq: list[str] = field(default_factory=list)  # dead-letter topics it declares
    domain: str | None = None


@record
class Producer:
    """Who writes to a topic: a service, principal or app, with its domain when known."""

    topic: str
    name: str
    loc: Location
    domain: str | None = None  # explicit (a JulieOps project); else derived by the rule


class TopicsFile(Artifact):
    kind = KIND

    def __init__(self, path: str, text: str):
        super().__init__(path, text)
        self.topics: list[Topic] = []
        self.groups: list[Group] = []
        self.producers: list[Producer] = []
        self.formats: set[str] = set()
        self.queues: list[queues.Queue] = []  # SQS and RabbitMQ queues (artifacts.queues)
        self.compatibility: list[Compatibility] = []  # Schema Registry compatibility configured here

    def facts(self) -> dict[str, Any]:
        by_topic: dict[str, list[str]] = {}
        for p in self.producers:
            by_topic.setdefault(p.topic, []).append(p.name)
        readers: dict[str, list[str]] = {}
        for g in self.groups:
            for t in g.topics:
                readers.setdefault(t, []).append(g.name)
        return {
            "topics": [
                {
                    "name": t.name, "format": t.fmt, "line": t.loc.line, "partitions": t.partitions,
                    "replicas": t.replicas, "config": {k: _jsonable(v) for k, v in t.config.items()},
                    "producers": by_topic.get(t.name, []), "consumer_groups": readers.get(t.name, []),
                    "dlq": t.dlq,
                }
                for t in self.topics
            ],
            "groups": [{"name": g.name, "line": g.loc.line, "topics": g.topics, "dlq": g.dlq} for g in self.groups],
        }


def _jsonable(v: Any) -> Any:
    return v if isinstance(v, (str, int, float, bool, type(None))) else str(v)


# -- parsing -----------------------------------------------------------------------------


def parse(path: str, text: str, settings: Any = None) -> TopicsFile:
    art = TopicsFile(path, text)
    if path.lower().endswith(".tf"):
        if "kafka_topic" in text or "compatibility_level" in text or any(t in text for t in queues.TF_TYPES):
            _terraform(art, text)
        return art
    if path.lower().endswith(".json"):
        docs = [load_json(text)]
    else:
        try:
            docs = load_yaml(text)
        except ParseError:
            if "{{" in text and not getattr(settings, "strict", False):
                return art  # a Helm (Go) template: not YAML until rendered
            raise
    for doc in docs:
        r = Reader(art, doc)
        _document(art, r, doc.data, "")
        queues.read(art.queues, doc.data, r.loc)
    return art


@record
class Reader:
    """Locations inside one document."""

    art: TopicsFile
    doc: Document

    def loc(self, ptr: str) -> Location:
        line, col = self.doc.position(ptr)
        return Location(self.art.path, line, col, pointer=ptr or "/")


def _document(art: TopicsFile, r: Reader, data: Any, ptr: str) -> None:
    if not isinstance(data, dict):
        return
    kind = data.get("kind")
    api = str(data.get("apiVersion", ""))
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
        for i, item in enumerate(data["items"]):
            _document(art, r, item, join(ptr, "items", i))
    elif kind == "KafkaTopic" and api.startswith("kafka.strimzi.io/"):
        _k8s(art, r, data, ptr, "strimzi", "topicName", "partitions", "config")
    elif kind == "KafkaTopic" and api.startswith("platform.confluent.io/"):
        _k8s(art, r, data, ptr, "confluent", "name", "partitionCount", "configs")
    elif kind is not None and api:
        return  # another Kubernetes resource
    elif isinstance(data.get("projects"), list):
        _julieops(art, r, data, ptr)
    elif isinstance(data.get("meta"), dict) and isinstance(data.get("spec"), dict):
        _topicctl(art, r, data, ptr)
    elif any(k in data for k in ("topics", "services", "consumers", "producers")) and all(
        k in _PLAIN_KEYS or str(k).startswith("x-") for k in data
    ):
        _plain(art, r, data, ptr)


def _str(v: Any) -> str | None:
    if isinstance(v, bool) or v is None or isinstance(v, (dict, list)):
        return None
    return str(v)


def _config(r: Reader, topic: Topic, cfg: Any, ptr: str) -> None:
    if not isinstance(cfg, dict):
        return
    for k, v in cfg.items():
        topic.config[str(k)] = v
        topic.locs[str(k)] = r.loc(join(ptr, k))


def _count(topic: Topic, key: str, value: Any, loc: Location) -> None:
    """Partitions or replicas: an int, or the text of a templated value."""
    if value is None:
        return
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    setattr(topic, key, value if isinstance(value, (int, str)) and not isinstance(value, bool) else str(value))
    topic.locs[key] = loc


def _labels(meta: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in ("labels", "annotations"):
        if isinstance(meta.get(key), dict):
            out.update({str(k): str(v) for k, v in meta[key].items()})
    return out


def _k8s(art: TopicsFile, r: Reader, data: dict[str, Any], ptr: str, fmt: str,
         name_key: str, partitions_key: str, config_key: str) -> None:
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    if _str(spec.get(name_key)):
        name, nptr = _str(spec[name_key]), join(ptr, "spec", name_key)
    elif _str(meta.get("name")):
        name, nptr = _str(meta["name"]), join(ptr, "metadata", "name")
    else:
        return
    assert name is not None
    t = Topic(name, fmt, r.loc(nptr), labels=_labels(meta))
    _count(t, "partitions", spec.get(partitions_key), r.loc(join(ptr, "spec", partitions_key)))
    _count(t, "replicas", spec.get("replicas"), r.loc(join(ptr, "spec", "replicas")))
    _config(r, t, spec.get(config_key), join(ptr, "spec", config_key))
    art.topics.append(t)
    art.formats.add(fmt)


def _topicctl(art: TopicsFile, r: Reader, data: dict[str, Any], ptr: str) -> None:
    meta, spec = data["meta"], data["spec"]
    name = _str(meta.get("name"))
    if name is None or not any(k in spec for k in ("partitions", "retentionMinutes", "settings", "replicationFactor")):
        return  # a cluster or ACL file
    t = Topic(name, "topicctl", r.loc(join(ptr, "meta", "name")))
    if isinstance(meta.get("labels"), dict):
        t.labels = {str(k): str(v) for k, v in meta["labels"].items()}
    _count(t, "partitions", spec.get("partitions"), r.loc(join(ptr, "spec", "partitions")))
    _count(t, "replicas", spec.get("replicationFactor"), r.loc(join(ptr, "spec", "replicationFactor")))
    _config(r, t, spec.get("settings"), join(ptr, "spec", "settings"))
    minutes = spec.get("retentionMinutes")
    if minutes is not None and "retention.ms" not in t.config:
        t.config["retention.ms"] = minutes * 60_000 if isinstance(minutes, int) and not isinstance(minutes, bool) else minutes
        t.locs["retention.ms"] = r.loc(join(ptr, "spec", "retentionMinutes"))
    art.topics.append(t)
    art.formats.add("topicctl")


# JulieOps: top-level keys that are not part of the topic name prefix
_JULIE_RESERVED = {"context", "projects", "platform", "special_topics", "plans", "roles", "version"}


def _julieops(art: TopicsFile, r: Reader, data: dict[str, Any], ptr: str) -> None:
    prefix = []
    if _str(data.get("context")):
        prefix.append(_str(data["context"]))
    prefix += [_str(v) for k, v in data.items() if k not in _JULIE_RESERVED and _str(v)]
    declared: dict[str, str] = {}  # short and full names -> full name
    for i, project in enumerate(data["projects"]):
        if not isinstance(project, dict):
            continue
        pname = _str(project.get("name")) or ""
        pptr = join(ptr, "projects", i)
        own: list[str] = []
        for j, raw in enumerate(_seq(project.get("topics"))):
            if not isinstance(raw, dict) or not _str(raw.get("name")):
                continue
            tptr = join(pptr, "topics", j)
            short = _str(raw["name"]) or ""
            base = ".".join(p for p in [*prefix, pname, short] if p)
            dtype = _str(raw.get("dataType"))
            name = f"{base}.{dtype}" if dtype else base
            t = Topic(name, "julieops", r.loc(join(tptr, "name")), event_name=base)
            cfg = raw.get("config")
            _config(r, t, cfg, join(tptr, "config"))
            for key, src in (("partitions", "num.partitions"), ("replicas", "replication.factor")):
                if src in t.config:
                    _count(t, key, t.config.pop(src), t.locs.pop(src))
            for key in ("partitions", "replication.factor"):
                if key in raw:
                    _count(t, "partitions" if key == "partitions" else "replicas", raw[key], r.loc(join(tptr, key)))
            if _str(raw.get("plan")):
                t.inherited = f"plan {raw['plan']!r}"
                t.labels["plan"] = str(raw["plan"])
            if isinstance(raw.get("metadata"), dict):
                t.labels.update({str(k): str(v) for k, v in raw["metadata"].items() if _str(v)})
            art.compatibility += registry.julieops(name, raw.get("schemas"), join(tptr, "schemas"), r.loc)
            art.topics.append(t)
            own.append(name)
            declared[short] = declared[name] = declared[base] = name
            _julie_clients(art, r, raw, tptr, [name], pname)
        _julie_clients(art, r, project, pptr, own, pname)
    # Kafka Streams apps read and write by name: resolve short names of this file
    for g in art.groups:
        g.topics = [declared.get(t, t) for t in g.topics]
    for p in art.producers:
        p.topic = declared.get(p.topic, p.topic)
    art.formats.add("julieops")


def _julie_clients(art: TopicsFile, r: Reader, holder: dict[str, Any], ptr: str, topics: list[str], project: str) -> None:
    """Consumers, producers and streams apps of a project (all its topics) or of one topic."""
    for k, c in enumerate(_seq(holder.get("consumers"))):
        if isinstance(c, dict) and topics:
            who = _str(c.get("group")) or _str(c.get("principal")) or f"consumer {k}"
            key = "group" if _str(c.get("group")) else "principal"
            art.groups.append(Group(who, r.loc(join(ptr, "consumers", k, key)), list(topics), domain=project))
    for k, p in enumerate(_seq(holder.get("producers"))):
        if isinstance(p, dict):
            who = _str(p.get("principal")) or f"producer {k}"
            for t in topics:
                art.producers.append(Producer(t, who, r.loc(join(ptr, "producers", k, "principal")), project))
    for k, s in enumerate(_seq(holder.get("streams"))):
        if not isinstance(s, dict) or not isinstance(s.get("topics"), dict):
            continue
        who = _str(s.get("applicationId")) or _str(s.get("principal")) or f"streams {k}"
        key = "applicationId" if _str(s.get("applicationId")) else "principal"
        reads = [str(t) for t in _seq(s["topics"].get("read")) if _str(t)]
        if reads:
            art.groups.append(Group(who, r.loc(join(ptr, "streams", k, key)), reads, domain=project))
        for m, t in enumerate(_seq(s["topics"].get("write"))):
            if _str(t):
                art.producers.append(Producer(str(t), who, r.loc(join(ptr, "streams", k, "topics", "write", m)), project))


def _seq(value: Any) -> list[Any]:
    """A list where the format wants one; anything else written there (a string, a number, true) holds nothing."""
    return value if isinstance(value, list) else []


def _names(value: Any) -> list[tuple[int, str]]:
    if isinstance(value, str):
        return [(-1, value)]
    if isinstance(value, list):
        return [(i, str(v)) for i, v in enumerate(value) if _str(v)]
    return []


# kafka-gitops state files and commlint's topics.yaml hold nothing else (a JSON
# document with a "topics" list of tags is not a topic configuration)
_PLAIN_KEYS = {"topics", "services", "consumers", "producers", "settings", "users", "customServiceAcls",
               "customUserAcls", "schemas"}


def _plain(art: TopicsFile, r: Reader, data: dict[str, Any], ptr: str) -> None:
    """kafka-gitops state files and commlint's own topics.yaml."""
    fmt = "kafka-gitops" if "services" in data or isinstance(data.get("settings"), dict) else "commlint"
    topics = data.get("topics")
    entries: list[tuple[str, Any, str, str]] = []  # name, body, pointer of body, pointer of name
    if isinstance(topics, dict):
        entries = [(str(k), v, join(ptr, "topics", k), join(ptr, "topics", k)) for k, v in topics.items()]
    elif isinstance(topics, list):
        for i, v in enumerate(topics):
            if isinstance(v, dict) and _str(v.get("name")):
                entries.append((str(v["name"]), v, join(ptr, "topics", i), join(ptr, "topics", i, "name")))
    for name, body, bptr, nptr in entries:
        body = body if isinstance(body, dict) else {}
        t = Topic(name, fmt, r.loc(nptr))
        for key, attr in (("partitions", "partitions"), ("replication", "replicas"), ("replicas", "replicas")):
            _count(t, attr, body.get(key), r.loc(join(bptr, key)))
        for key in ("configs", "config"):
            _config(r, t, body.get(key), join(bptr, key))
        if isinstance(body.get("labels"), dict):
            t.labels = {str(k): str(v) for k, v in body["labels"].items()}
        for key in ("producers", "producer"):
            for i, who in _names(body.get(key)):
                art.producers.append(Producer(name, who, r.loc(join(bptr, key, i) if i >= 0 else join(bptr, key))))
        art.topics.append(t)
    services = data.get("services")
    if isinstance(services, dict):
        for sname, svc in services.items():
            if not isinstance(svc, dict):
                continue
            sptr = join(ptr, "services", sname)
            for i, t in _names(svc.get("produces")):
                art.producers.append(Producer(t, str(sname), r.loc(join(sptr, "produces", i))))
            reads = [t for _, t in _names(svc.get("consumes"))]
            if reads:
                gid = _str(svc.get("group-id"))
                loc = r.loc(join(sptr, "group-id") if gid else sptr)
                art.groups.append(Group(gid or str(sname), loc, reads, domain=None))
    if isinstance(data.get("producers"), dict):  # commlint: service -> topics it writes
        for sname, written in data["producers"].items():
            for i, t in _names(written):
                art.producers.append(Producer(t, str(sname), r.loc(join(ptr, "producers", sname, i) if i >= 0
                                                                   else join(ptr, "producers", sname))))
    consumers = data.get("consumers")
    items: list[tuple[str, Any, str, str]] = []
    if isinstance(consumers, dict):
        items = [(str(k), v, join(ptr, "consumers", k), join(ptr, "consumers", k)) for k, v in consumers.items()]
    elif isinstance(consumers, list):
        items = [(str(v.get("group")), v, join(ptr, "consumers", i), join(ptr, "consumers", i, "group"))
                 for i, v in enumerate(consumers) if isinstance(v, dict) and _str(v.get("group"))]
    for gname, body, bptr, nptr in items:
        if isinstance(body, list):
            body = {"topics": body}
        if not isinstance(body, dict):
            continue
        g = Group(gname, r.loc(nptr), [t for _, t in _names(body.get("topics"))],
                  [t for _, t in _names(body.get("dlq"))], _str(body.get("domain")))
        art.groups.append(g)
    declared_dlqs = {d for g in art.groups for d in g.dlq}
    for t in art.topics:
        t.dlq = t.name in declared_dlqs
    art.formats.add(fmt)


# -- Terraform ---------------------------------------------------------------------------

_TF_TYPES = {"kafka_topic": ("name", "partitions", "replication_factor"),
             "confluent_kafka_topic": ("topic_name", "partitions_count", None)}


def _terraform(art: TopicsFile, text: str) -> None:
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = hcl2.parses_to_tree(text)
        lines = _tf_lines(tree)
        queue_lines = _tf_lines(tree, queues.TF_TYPES)
        data = hcl2.serialize(hcl2.transform(tree), serialization_options=hcl2.SerializationOptions(strip_string_quotes=True))
    except UnexpectedInput as exc:
        raise ParseError(f"HCL syntax error: {str(exc).splitlines()[0]}", getattr(exc, "line", 1) or 1,
                         getattr(exc, "column", 1) or 1) from None
    except (LarkError, RecursionError) as exc:
        raise ParseError(f"HCL error: {exc}") from None
    for block in data.get("resource") or []:
        if not isinstance(block, dict):
            continue
        for rtype, named in block.items():
            rtype = rtype.strip('"')
            if rtype in registry.TF_TYPES and isinstance(named, dict):
                _tf_compatibility(art, rtype, named, lines)
            if rtype not in _TF_TYPES or not isinstance(named, dict):
                continue
            name_key, part_key, repl_key = _TF_TYPES[rtype]
            for rname, body in named.items():
                rname = rname.strip('"')
                if not isinstance(body, dict) or _str(body.get(name_key)) is None:
                    continue
                pos = lines.get((rtype, rname), {})

                def loc(key: str, pos: dict[str, int] = pos) -> Location:
                    return Location(art.path, pos.get(key, pos.get("", 1)), 1)

                t = Topic(_tf_value(body[name_key]), "terraform", loc(name_key))
                _count(t, "partitions", _tf_value(body.get(part_key)), loc(part_key))
                if repl_key:
                    _count(t, "replicas", _tf_value(body.get(repl_key)), loc(repl_key))
                cfg = body.get("config")
                if isinstance(cfg, dict):
                    for k, v in cfg.items():
                        key = str(k).strip('"')
                        t.config[key] = _tf_value(v)
                        t.locs[key] = loc("config." + key)
                art.topics.append(t)
                art.formats.add("terraform")
    queues.terraform(art.queues, data, queue_lines, art.path)


def _tf_compatibility(art: TopicsFile, rtype: str, named: dict[str, Any], lines: dict[tuple[str, str], dict[str, int]]) -> None:
    for rname, body in named.items():
        pos = lines.get((rtype, rname.strip('"')), {})
        found = registry.terraform(rtype, body, lambda k: Location(art.path, pos.get(k, pos.get("", 1)), 1)) \
            if isinstance(body, dict) else None
        if found is not None:
            art.compatibility.append(found)


def _tf_value(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip('"')
        if v.isdigit():
            return int(v)
    return v


def _tf_lines(tree: Any, types: Any = None) -> dict[tuple[str, str], dict[str, int]]:
    """(resource type, resource name) -> {attribute or "config.<key>": line, "": block line}."""
    from lark import Token, Tree

    def text(node: Any) -> str:
        if isinstance(node, Token):
            return str(node)
        return "".join(text(c) for c in node.children) if isinstance(node, Tree) else ""

    out: dict[tuple[str, str], dict[str, int]] = {}
    for block in tree.iter_subtrees_topdown():
        if block.data != "block":
            continue
        kids = [c for c in block.children if isinstance(c, Tree)]
        labels = [text(c).strip('"') for c in kids if c.data in ("identifier", "string")]
        if len(labels) < 3 or labels[0] != "resource" or labels[1] not in (types or (*_TF_TYPES, *registry.TF_TYPES)):
            continue
        pos: dict[str, int] = {"": block.meta.line}
        body = next((c for c in kids if c.data == "body"), None)
        for attr in (body.children if body is not None else []):
            if not isinstance(attr, Tree) or attr.data != "attribute":
                continue
            key = text(attr.children[0]).strip()
            pos[key] = attr.meta.line
            if key == "config":
                for sub in attr.iter_subtrees_topdown():
                    if sub.data == "object_elem" and sub.children:
                        pos["config." + text(sub.children[0]).strip().strip('"')] = sub.meta.line
        out[(labels[1], labels[2])] = pos
    return out
