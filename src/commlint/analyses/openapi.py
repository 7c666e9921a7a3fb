"""The operations of an OpenAPI document (parameters followed through ``$ref``), and what a
document tells the cross-file rules (operations, server hosts, title)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..artifacts.openapi import METHODS, OpenAPIDoc
from ..artifacts.yamljson import join
from .routes import normalise_path


def operations(art: OpenAPIDoc) -> Iterator[tuple[str, str, str, dict[str, Any], Path, list[tuple[dict[str, Any], str]]]]:
    """(path, method, pointer, operation, its file, parameters with pointers) for every operation.

    Parameters are the path item's and the operation's (the operation's win),
    each followed through ``$ref``.
    """
    refs = art.refs
    paths, pfile, _ = refs.deref(art.data.get("paths"), art.file)
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not path.startswith("/"):
            continue
        item, ifile, _ = refs.deref(item, pfile)
        if not isinstance(item, dict):
            continue
        ptr = join("/paths", path)
        shared = _parameters(refs, item, ifile, ptr)
        for method in METHODS:
            op, ofile, _ = refs.deref(item.get(method), ifile)
            if not isinstance(op, dict):
                continue
            own = _parameters(refs, op, ofile, join(ptr, method))
            keys = {param_key(p) for p, _ in own}
            params = [(p, q) for p, q in shared if param_key(p) not in keys] + own
            yield path, method, join(ptr, method), op, ofile, params


def _parameters(refs: Any, node: dict[str, Any], file: Path, ptr: str) -> list[tuple[dict[str, Any], str]]:
    raw, pfile, _ = refs.deref(node.get("parameters"), file)
    out = []
    for i, p in enumerate(raw if isinstance(raw, list) else []):
        param, _, _ = refs.deref(p, pfile)
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            out.append((param, join(ptr, "parameters", i)))
    return out


def param_key(param: dict[str, Any]) -> tuple[str, str]:
    where = str(param.get("in", ""))
    name = param["name"]
    return where, name.lower() if where == "header" else name


def openapi_facts(doc: OpenAPIDoc) -> dict[str, Any]:
    """Operations, server hosts and title, for the cross-file contract rules."""
    if doc.doc is None:
        return {}
    ops = []
    for path, method, ptr, _op, _file, _params in operations(doc):
        line, col = doc.doc.position(ptr)
        ops.append({"method": method.upper(), "path": path, "template": normalise_path(path),
                    "line": line, "column": col, "pointer": ptr})
    hosts = []
    servers = doc.data.get("servers")
    for server in servers if isinstance(servers, list) else []:
        url = server.get("url") if isinstance(server, dict) else None
        if isinstance(url, str) and "://" in url:
            try:
                host = urlsplit(url).hostname
            except ValueError:
                host = None
            if host:
                hosts.append(host)
    if isinstance(doc.data.get("host"), str):
        hosts.append(doc.data["host"].split(":", 1)[0])
    info = doc.data.get("info")
    title = info.get("title", "") if isinstance(info, dict) else ""
    return {"operations": ops, "hosts": hosts, "title": str(title)}


PUBLIC_AUDIENCES = frozenset({"external-public", "external-partner", "external", "public", "partner"})


def audience(art: OpenAPIDoc, settings: Any = None) -> str:
    """Who a contract is for: "public" (clients outside the system), "internal" or "unknown".

    Said by the document (``x-audience``, as in Zalando's API guidelines: ``external-public`` and
    ``external-partner`` are public, ``company-internal`` and the like internal; ``x-internal: true``),
    else read from its servers (OpenAPI ``servers``, Swagger ``host``) with the call-target rules:
    servers all on public hosts (``api.digitalocean.com``) make a public API, a cluster or
    single-label host an internal one; a document with no absolute server is unknown.
    """
    from .targets import EXTERNAL, INTERNAL, classify_host, host_of

    data = art.data
    for holder in (data, data.get("info")):
        if not isinstance(holder, dict):
            continue
        said = holder.get("x-audience")
        if isinstance(said, str) and said.strip():
            return "public" if said.strip().lower() in PUBLIC_AUDIENCES else "internal"
        if holder.get("x-internal") is True:
            return "internal"
    hosts = []
    if art.swagger:
        if isinstance(data.get("host"), str):
            hosts.append(host_of(data["host"], True, "host"))
    else:
        for server in data.get("servers") or []:
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            url = server["url"]
            for name, var in (server.get("variables") or {}).items() if isinstance(server.get("variables"), dict) else ():
                if isinstance(var, dict) and isinstance(var.get("default"), str):
                    url = url.replace("{" + str(name) + "}", var["default"])
            hosts.append(host_of(url, True) if "{" not in url.split("://", 1)[-1].split("/", 1)[0] else None)
    kinds = {classify_host(h, settings) for h in hosts if h}
    if not kinds:
        return "unknown"
    if INTERNAL in kinds:
        return "internal"
    return "public" if kinds == {EXTERNAL} else "unknown"
